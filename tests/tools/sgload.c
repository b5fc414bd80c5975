/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sgload - a bounded load of opens, creates, execs and listeners, every
 * result counted and, when an outcome is expected, checked.
 *
 *   sgload [-p PROCS] [-s SECONDS] [-n OPS] [-f STOPFILE] [-b BOUND_MS]
 *          [-H HOLD_MS] OP:PATH[=EXPECT]...
 *
 * Forks PROCS workers (4); each runs the items round robin until SECONDS
 * (10) have passed, OPS operations (per worker; 0: no bound) are done, or
 * STOPFILE exists. Ops:
 *   read:PATH     openat(O_RDONLY), close
 *   write:PATH    openat(O_WRONLY), close: nothing is written, so a
 *                 write open that the guard lets through changes no byte
 *   exec:PATH     fork + execve(PATH); the child's exit 0 is "ok"
 *   create:DIR    openat(DIR/sgload.PID.N, O_WRONLY|O_CREAT|O_EXCL), a
 *                 name no one else uses; the file is unlinked afterwards
 *                 whatever the open returned (a denied write-open of a
 *                 new file leaves it created: the kernel creates it
 *                 before fanotify asks), so DIR does not fill up
 *   listen:[ADDR:]PORT
 *                 a TCP socket (SO_REUSEADDR and SO_REUSEPORT, so that
 *                 every worker can listen on one port at once) bound to
 *                 ADDR (127.0.0.1; an IPv4 or IPv6 literal, no brackets:
 *                 listen:::1:0) and PORT (0: the kernel picks one), then
 *                 listen(). Then it waits in poll() for what the listener
 *                 guard does to it. The guard destroys a listener it does
 *                 not allow after the fact (SOCK_DESTROY): poll reports
 *                 POLLERR/POLLHUP and accept() fails with EINVAL. So:
 *                   "destroyed": poll woke with POLLERR or POLLHUP and a
 *                                non-blocking accept4() failed EINVAL,
 *                                within the wait;
 *                   "ok":        the wait ended with the socket still
 *                                listening (accept4() says EAGAIN).
 *                 The wait is BOUND_MS for an item that expects
 *                 "destroyed" (a denial slower than the bound is a wrong
 *                 decision) and HOLD_MS (200) otherwise (long enough for
 *                 many scans of the guard, whose period is 5..1000 ms).
 *                 bind or listen failing is "other" (or its errno class).
 * EXPECT is ok, EPERM, EACCES or destroyed: each result of the item that
 * is not that one is a wrong decision.
 *
 * Each item's results are summed over the workers and printed, one line
 * per item, then one line of totals:
 *   ITEM OP:PATH[=EXPECT] n=N ok=N EPERM=N EACCES=N other=N max_ms=N
 *        destroyed=N wrong=N slow=N p50_us=N p99_us=N max_us=N
 *        [other_last=WHAT]
 *   total n=N ok=N EPERM=N EACCES=N other=N max_ms=N destroyed=N wrong=N
 *        slow=N p50_us=N p99_us=N max_us=N hung=N seconds=S ops_per_s=N
 * (each on one line; the fields up to max_ms are the original ones, in
 * the original order, for the scripts that read them). max_ms/max_us is
 * the slowest single operation: a guard that hangs shows here. The
 * percentiles come from a log histogram with 8 buckets per power of two
 * and are the upper end of the bucket (at most 12.5 % above the true
 * value). other_last says what one "other" result was: an errno name
 * (ENOENT), an exec child's exitN or signalN, or for a listener
 * "connected" (someone connected to it). slow counts operations longer than BOUND_MS (2000). hung counts
 * workers still busy BOUND_MS + 2 s after the time was up: their
 * operation never returned (they are killed then, with the exec child
 * they wait for); their finished operations are counted as usual.
 * Exit 0; 3 if a check failed (wrong > 0, hung > 0, or slow > 0 when -b
 * was given); 2 on a usage error; 1 if a worker could not be started.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ITEMS 16
#define MAX_PROCS 256
/* the exit status an exec child gives when execve failed: 100 + errno */
#define EXEC_FAILED_BASE 100
/* histogram: values below SUB us exact, then SUB buckets per octave */
#define SUB_BITS 3
#define SUB (1u << SUB_BITS)
#define NBUCKETS (SUB + SUB * 34)
/* how long the parent waits for busy workers after the time is up */
#define HUNG_GRACE_MS 2000

enum op { OP_READ, OP_WRITE, OP_EXEC, OP_CREATE, OP_LISTEN };
enum result {
	RES_OK, RES_EPERM, RES_EACCES, RES_OTHER, RES_DESTROYED, RES__COUNT,
	RES_NONE = -1 /* no expectation */
};

struct item {
	enum op op;
	const char *path;
	const char *spec;
	enum result expect;
	struct sockaddr_storage sa; /* listen: where */
	socklen_t salen;
};

struct tally {
	uint64_t n, res[RES__COUNT], max_ns, slow;
	int last_other; /* what the last "other" was: see other_code */
	uint64_t hist[NBUCKETS];
};

/* One worker's results, in memory shared with the parent, so that a
 * worker killed in a hung operation still reports what it did. */
struct slot {
	uint64_t busy_since_ns; /* 0 between operations */
	pid_t child;            /* exec: the child being waited for, or 0 */
	struct tally t[MAX_ITEMS];
};

struct config {
	unsigned long procs, seconds, max_ops;
	uint64_t bound_ns, hold_ms, bound_ms;
	bool bound_given;
	const char *stop_file;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* What made the current operation "other", for the report: an errno,
 * or one of these (an exec child's end, a listener's odd state). */
enum { OTHER_SIGNAL = -1000, OTHER_EXIT = -2000, OTHER_CONNECTED = -3000,
       OTHER_NOT_ERR = -3001 };
static int other_code;

static enum result other(int code)
{
	other_code = code;
	return RES_OTHER;
}

static enum result of_errno(int e)
{
	return e == EPERM ? RES_EPERM : e == EACCES ? RES_EACCES : other(e);
}

/* ---------------------------------------------------------------- ops */

static enum result do_open(const char *path, int flags)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, flags | O_CLOEXEC);

	if (fd < 0)
		return of_errno(errno);
	close(fd);
	return RES_OK;
}

static enum result do_create(const char *dir)
{
	static unsigned long seq;
	char name[4096];
	enum result r;
	int fd;

	if (snprintf(name, sizeof(name), "%s/sgload.%d.%lu", dir,
		     (int)getpid(), seq++) >= (int)sizeof(name))
		return other(ENAMETOOLONG);
	fd = (int)syscall(SYS_openat, AT_FDCWD, name,
			  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	r = fd < 0 ? of_errno(errno) : RES_OK;
	if (fd >= 0)
		close(fd);
	/* denied or not, the name may exist now (see the header) */
	if (unlink(name) < 0 && errno != ENOENT && r == RES_OK)
		r = other(errno);
	return r;
}

static enum result do_exec(const char *path, struct slot *me)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return other(errno);
	if (pid == 0) {
		char *argv[] = { (char *)path, NULL };
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execve(path, argv, (char *[]){ NULL });
		_exit(EXEC_FAILED_BASE + (errno < 100 ? errno : 99));
	}
	__atomic_store_n(&me->child, pid, __ATOMIC_RELAXED);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return other(errno);
	__atomic_store_n(&me->child, 0, __ATOMIC_RELAXED);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return RES_OK;
	if (WIFEXITED(status) && WEXITSTATUS(status) >= EXEC_FAILED_BASE)
		return of_errno(WEXITSTATUS(status) - EXEC_FAILED_BASE);
	if (WIFSIGNALED(status))
		return other(OTHER_SIGNAL - WTERMSIG(status));
	return other(OTHER_EXIT - WEXITSTATUS(status));
}

/* A listening TCP socket on the item's address, or -errno. */
static int open_listener(const struct item *it)
{
	int one = 1, e;
	/* non-blocking: listener_state's accept must never wait */
	int fd = socket(it->sa.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)&it->sa, it->salen) < 0 ||
	    listen(fd, 16) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

/* Whether fd (non-blocking) still listens: accept says EAGAIN if it
 * does, EINVAL once the socket was destroyed (it is no longer LISTEN). */
static enum result listener_state(int fd)
{
	int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

	if (c >= 0) { /* a connection no one should make */
		close(c);
		return other(OTHER_CONNECTED);
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return RES_OK;
	return errno == EINVAL ? RES_DESTROYED : other(errno);
}

static enum result do_listen(const struct item *it, const struct config *cf)
{
	uint64_t wait_ms = it->expect == RES_DESTROYED ? cf->bound_ms : cf->hold_ms;
	uint64_t end = now_ns() + wait_ms * 1000000u;
	int fd = open_listener(it);
	enum result r = RES_OK;

	if (fd < 0)
		return of_errno(-fd);
	for (;;) {
		uint64_t now = now_ns();
		struct pollfd pfd = { fd, POLLIN, 0 };
		int n;

		if (now >= end)
			break;
		n = poll(&pfd, 1, (int)((end - now + 999999) / 1000000));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = other(errno);
			break;
		}
		if (n > 0) {
			/* POLLERR/POLLHUP: destroyed; POLLIN alone: someone
			 * connected, which listener_state reports as other */
			r = listener_state(fd);
			if (!(pfd.revents & (POLLERR | POLLHUP)) && r == RES_DESTROYED)
				r = other(OTHER_NOT_ERR);
			close(fd);
			return r;
		}
	}
	r = listener_state(fd);
	close(fd);
	return r;
}

static enum result run_op(const struct item *it, const struct config *cf,
			  struct slot *me)
{
	switch (it->op) {
	case OP_READ:
		return do_open(it->path, O_RDONLY);
	case OP_WRITE:
		return do_open(it->path, O_WRONLY);
	case OP_CREATE:
		return do_create(it->path);
	case OP_LISTEN:
		return do_listen(it, cf);
	default:
		return do_exec(it->path, me);
	}
}

/* ---------------------------------------------------------------- histogram */

static unsigned bucket_of(uint64_t us)
{
	unsigned e, idx;

	if (us < SUB)
		return (unsigned)us;
	e = 63u - (unsigned)__builtin_clzll(us); /* e >= SUB_BITS */
	idx = SUB + (e - SUB_BITS) * SUB +
	      (unsigned)((us >> (e - SUB_BITS)) & (SUB - 1));
	return idx < NBUCKETS ? idx : NBUCKETS - 1;
}

/* the largest value (us) bucket idx holds */
static uint64_t bucket_top(unsigned idx)
{
	unsigned e, sub;

	if (idx < SUB)
		return idx;
	e = (idx - SUB) / SUB + SUB_BITS;
	sub = (idx - SUB) % SUB;
	return ((uint64_t)(SUB + sub) << (e - SUB_BITS)) +
	       ((uint64_t)1 << (e - SUB_BITS)) - 1;
}

/* the p-th per-mille of t's operations, in us: the top of its bucket
 * (an upper bound), but never above the slowest operation seen */
static uint64_t percentile(const struct tally *t, unsigned permille)
{
	uint64_t want, seen = 0, max_us = t->max_ns / 1000;
	unsigned i;

	if (t->n == 0)
		return 0;
	want = (t->n * permille + 999) / 1000;
	for (i = 0; i < NBUCKETS - 1; i++) {
		seen += t->hist[i];
		if (seen >= want)
			break;
	}
	return bucket_top(i) < max_us ? bucket_top(i) : max_us;
}

/* ---------------------------------------------------------------- workers */

static void record(struct tally *t, enum result r, uint64_t ns,
		   const struct config *cf)
{
	t->n++;
	t->res[r]++;
	if (r == RES_OTHER)
		t->last_other = other_code;
	if (ns > t->max_ns)
		t->max_ns = ns;
	if (ns > cf->bound_ns)
		t->slow++;
	t->hist[bucket_of(ns / 1000)]++;
}

static void worker(const struct item *items, size_t nitems, uint64_t end_ns,
		   const struct config *cf, struct slot *me)
{
	uint64_t done = 0;

	for (size_t i = 0;; i = (i + 1) % nitems) {
		uint64_t t0;
		enum result r;

		if (now_ns() >= end_ns || (cf->max_ops && done >= cf->max_ops))
			break;
		if (cf->stop_file && done % 16 == 0 &&
		    access(cf->stop_file, F_OK) == 0)
			break;
		t0 = now_ns();
		__atomic_store_n(&me->busy_since_ns, t0, __ATOMIC_RELAXED);
		r = run_op(&items[i], cf, me);
		__atomic_store_n(&me->busy_since_ns, 0, __ATOMIC_RELAXED);
		record(&me->t[i], r, now_ns() - t0, cf);
		done++;
	}
	_exit(0);
}

/* Wait for the workers until end_ns + the grace; kill those still busy
 * then (and the exec child each waits for). Returns how many were
 * killed so, or -1 if waiting failed. */
static int reap(pid_t *pids, unsigned long n, struct slot *slots,
		uint64_t give_up_ns)
{
	unsigned long left = n;
	int hung = 0;

	while (left > 0) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid < 0 && errno == EINTR)
			continue;
		if (pid < 0)
			return -1;
		if (pid > 0) {
			for (unsigned long i = 0; i < n; i++)
				if (pids[i] == pid) {
					pids[i] = 0;
					left--;
				}
			continue;
		}
		if (now_ns() >= give_up_ns)
			break;
		usleep(20000);
	}
	for (unsigned long i = 0; i < n; i++) {
		pid_t child;

		if (pids[i] == 0)
			continue;
		child = __atomic_load_n(&slots[i].child, __ATOMIC_RELAXED);
		kill(pids[i], SIGKILL);
		if (child > 0)
			kill(child, SIGKILL);
		while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
			;
		hung++;
	}
	return hung;
}

/* ---------------------------------------------------------------- parsing */

static int parse_expect(const char *s, enum result *ret)
{
	static const struct { const char *name; enum result r; } names[] = {
		{ "ok", RES_OK }, { "EPERM", RES_EPERM }, { "EACCES", RES_EACCES },
		{ "destroyed", RES_DESTROYED },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i].name) == 0) {
			*ret = names[i].r;
			return 0;
		}
	return -1;
}

/* "[ADDR:]PORT" into it->sa; the port follows the last colon. */
static int parse_listen(const char *arg, struct item *it)
{
	char addr[INET6_ADDRSTRLEN] = "127.0.0.1";
	const char *colon = strrchr(arg, ':'), *port = colon ? colon + 1 : arg;
	struct sockaddr_in *v4 = (struct sockaddr_in *)&it->sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&it->sa;
	char *end;
	unsigned long p = strtoul(port, &end, 10);

	if (!*port || *end || p > 65535)
		return -1;
	if (colon) {
		if ((size_t)(colon - arg) >= sizeof(addr) || colon == arg)
			return -1;
		memcpy(addr, arg, (size_t)(colon - arg));
		addr[colon - arg] = '\0';
	}
	memset(&it->sa, 0, sizeof(it->sa));
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p);
		it->salen = sizeof(*v4);
	} else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p);
		it->salen = sizeof(*v6);
	} else {
		return -1;
	}
	return 0;
}

/* OP:PATH[=EXPECT]; spec stays whole (for printing), path is a copy. */
static int parse_item(char *spec, struct item *it)
{
	static const struct { const char *name; enum op op; } ops[] = {
		{ "read", OP_READ }, { "write", OP_WRITE }, { "exec", OP_EXEC },
		{ "create", OP_CREATE }, { "listen", OP_LISTEN },
	};
	char *colon = strchr(spec, ':'), *path, *eq;
	size_t oplen;

	if (!colon || !colon[1])
		return -1;
	oplen = (size_t)(colon - spec);
	path = strdup(colon + 1);
	if (!path)
		return -1;
	it->expect = RES_NONE;
	/* a path may hold '=': only a known outcome after the last one is
	 * an expectation */
	eq = strrchr(path, '=');
	if (eq && parse_expect(eq + 1, &it->expect) == 0)
		*eq = '\0';
	it->path = path;
	it->spec = spec;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strlen(ops[i].name) == oplen &&
		    strncmp(spec, ops[i].name, oplen) == 0) {
			it->op = ops[i].op;
			if (!*path)
				return -1;
			if (it->op == OP_LISTEN)
				return parse_listen(path, it);
			/* only a listener can be destroyed */
			return it->expect == RES_DESTROYED ? -1 : 0;
		}
	return -1;
}

/* ---------------------------------------------------------------- output */

static void add(struct tally *sum, const struct tally *t)
{
	sum->n += t->n;
	sum->slow += t->slow;
	for (int r = 0; r < RES__COUNT; r++)
		sum->res[r] += t->res[r];
	if (t->res[RES_OTHER])
		sum->last_other = t->last_other;
	for (unsigned i = 0; i < NBUCKETS; i++)
		sum->hist[i] += t->hist[i];
	if (t->max_ns > sum->max_ns)
		sum->max_ns = t->max_ns;
}

static uint64_t wrong_of(const struct item *it, const struct tally *t)
{
	return it->expect == RES_NONE ? 0 : t->n - t->res[it->expect];
}

static void print(const char *label, const char *spec, const struct tally *t,
		  uint64_t wrong)
{
	printf("%s%s%s n=%llu ok=%llu EPERM=%llu EACCES=%llu other=%llu "
	       "max_ms=%llu destroyed=%llu wrong=%llu slow=%llu p50_us=%llu "
	       "p99_us=%llu max_us=%llu",
	       label, spec ? " " : "", spec ? spec : "",
	       (unsigned long long)t->n, (unsigned long long)t->res[RES_OK],
	       (unsigned long long)t->res[RES_EPERM],
	       (unsigned long long)t->res[RES_EACCES],
	       (unsigned long long)t->res[RES_OTHER],
	       (unsigned long long)(t->max_ns / 1000000),
	       (unsigned long long)t->res[RES_DESTROYED],
	       (unsigned long long)wrong, (unsigned long long)t->slow,
	       (unsigned long long)percentile(t, 500),
	       (unsigned long long)percentile(t, 990),
	       (unsigned long long)(t->max_ns / 1000));
}

/* " other_last=WHAT" for an item that had "other" results */
static void print_other(const struct tally *t)
{
	int c = t->last_other;

	if (!t->res[RES_OTHER])
		return;
	if (c > 0)
		printf(" other_last=%s", strerrorname_np(c) ? strerrorname_np(c) : "?");
	else if (c == OTHER_CONNECTED)
		printf(" other_last=connected");
	else if (c == OTHER_NOT_ERR)
		printf(" other_last=accept-EINVAL-without-POLLERR");
	else if (c <= OTHER_EXIT)
		printf(" other_last=exit%d", OTHER_EXIT - c);
	else if (c <= OTHER_SIGNAL)
		printf(" other_last=signal%d", OTHER_SIGNAL - c);
}

static int usage(void)
{
	fprintf(stderr, "usage: sgload [-p PROCS] [-s SECONDS] [-n OPS] "
			"[-f STOPFILE] [-b BOUND_MS] [-H HOLD_MS] "
			"OP:PATH[=EXPECT]...\n");
	return 2;
}

static int parse_args(int argc, char **argv, struct config *cf,
		      struct item *items, size_t *nitems)
{
	int opt;

	while ((opt = getopt(argc, argv, "p:s:n:f:b:H:")) != -1) {
		switch (opt) {
		case 'p': cf->procs = strtoul(optarg, NULL, 10); break;
		case 's': cf->seconds = strtoul(optarg, NULL, 10); break;
		case 'n': cf->max_ops = strtoul(optarg, NULL, 10); break;
		case 'f': cf->stop_file = optarg; break;
		case 'b':
			cf->bound_ms = strtoul(optarg, NULL, 10);
			cf->bound_given = true;
			break;
		case 'H': cf->hold_ms = strtoul(optarg, NULL, 10); break;
		default: return -1;
		}
	}
	if (cf->procs == 0 || cf->procs > MAX_PROCS || optind == argc ||
	    cf->bound_ms == 0)
		return -1;
	cf->bound_ns = cf->bound_ms * 1000000u;
	for (int i = optind; i < argc; i++)
		if (*nitems == MAX_ITEMS ||
		    parse_item(argv[i], &items[(*nitems)++]) < 0)
			return -1;
	return 0;
}

int main(int argc, char **argv)
{
	static struct item items[MAX_ITEMS];
	static struct tally sum[MAX_ITEMS], total;
	static pid_t pids[MAX_PROCS];
	struct config cf = { .procs = 4, .seconds = 10, .bound_ms = 2000,
			     .hold_ms = 200 };
	size_t nitems = 0;
	uint64_t start_ns, end_ns, wrong = 0;
	struct slot *slots;
	unsigned long started = 0;
	int failed = 0, hung;
	double secs;

	if (parse_args(argc, argv, &cf, items, &nitems) < 0)
		return usage();
	slots = mmap(NULL, sizeof(*slots) * cf.procs, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED)
		return 1;
	start_ns = now_ns();
	end_ns = start_ns + (uint64_t)cf.seconds * 1000000000u;
	fflush(stdout);
	for (; started < cf.procs; started++) {
		pid_t pid = fork();

		if (pid < 0) {
			failed = 1;
			break;
		}
		if (pid == 0)
			worker(items, nitems, end_ns, &cf, &slots[started]);
		pids[started] = pid;
	}
	hung = reap(pids, started, slots,
		    end_ns + (cf.bound_ms + HUNG_GRACE_MS) * 1000000u);
	if (hung < 0)
		return 1;
	secs = (double)(now_ns() - start_ns) / 1e9;
	for (size_t i = 0; i < nitems; i++) {
		for (unsigned long p = 0; p < started; p++)
			add(&sum[i], &slots[p].t[i]);
		print("ITEM", items[i].spec, &sum[i], wrong_of(&items[i], &sum[i]));
		print_other(&sum[i]);
		printf("\n");
		wrong += wrong_of(&items[i], &sum[i]);
		add(&total, &sum[i]);
	}
	print("total", NULL, &total, wrong);
	printf(" hung=%d seconds=%.3f ops_per_s=%.0f\n", hung, secs,
	       secs > 0 ? (double)total.n / secs : 0.0);
	if (failed)
		return 1;
	if (wrong || hung || (cf.bound_given && total.slow))
		return 3;
	return 0;
}
