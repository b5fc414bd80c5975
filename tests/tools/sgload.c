/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sgload - a bounded load of opens and execs, every result counted.
 *
 *   sgload [-p PROCS] [-s SECONDS] [-n OPS] [-f STOPFILE] OP:PATH...
 *
 * Forks PROCS workers (4); each runs the OP:PATH items round robin until
 * SECONDS (10) have passed, OPS operations (per worker; 0: no bound) are
 * done, or STOPFILE exists. Ops:
 *   read:PATH     openat(O_RDONLY), close
 *   write:PATH    openat(O_WRONLY), close: nothing is written, so a
 *                 write open that the guard lets through changes no byte
 *   exec:PATH     fork + execve(PATH); the child's exit 0 is "ok"
 * Each item's results are summed over the workers and printed, one line
 * per item, then one line of totals:
 *   ITEM OP:PATH n=N ok=N EPERM=N EACCES=N other=N max_ms=N
 *   total n=N ok=N EPERM=N EACCES=N other=N max_ms=N
 * max_ms is the slowest single operation: a guard that hangs shows here.
 * Exit 0, or 2 on a usage error, 1 if a worker could not be started.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ITEMS 16
#define MAX_PROCS 256
/* the exit status an exec child gives when execve failed: 100 + errno */
#define EXEC_FAILED_BASE 100

enum op { OP_READ, OP_WRITE, OP_EXEC };
enum result { RES_OK, RES_EPERM, RES_EACCES, RES_OTHER, RES__COUNT };

struct item {
	enum op op;
	const char *path;
	const char *spec;
};

struct tally {
	uint64_t n, res[RES__COUNT], max_ns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static enum result of_errno(int e)
{
	return e == EPERM ? RES_EPERM : e == EACCES ? RES_EACCES : RES_OTHER;
}

static enum result do_open(const char *path, int flags)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, path, flags | O_CLOEXEC);

	if (fd < 0)
		return of_errno(errno);
	close(fd);
	return RES_OK;
}

static enum result do_exec(const char *path)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return RES_OTHER;
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
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return RES_OTHER;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return RES_OK;
	if (WIFEXITED(status) && WEXITSTATUS(status) >= EXEC_FAILED_BASE)
		return of_errno(WEXITSTATUS(status) - EXEC_FAILED_BASE);
	return RES_OTHER;
}

static enum result run_op(const struct item *it)
{
	switch (it->op) {
	case OP_READ:
		return do_open(it->path, O_RDONLY);
	case OP_WRITE:
		return do_open(it->path, O_WRONLY);
	default:
		return do_exec(it->path);
	}
}

/* One worker: its tallies go to the parent through fd as raw structs. */
static void worker(const struct item *items, size_t nitems, uint64_t end_ns,
		   uint64_t max_ops, const char *stop_file, int fd)
{
	struct tally t[MAX_ITEMS] = { 0 };
	uint64_t done = 0;

	for (size_t i = 0;; i = (i + 1) % nitems) {
		uint64_t t0;
		enum result r;

		if (now_ns() >= end_ns || (max_ops && done >= max_ops))
			break;
		if (stop_file && done % 16 == 0 && access(stop_file, F_OK) == 0)
			break;
		t0 = now_ns();
		r = run_op(&items[i]);
		t0 = now_ns() - t0;
		t[i].n++;
		t[i].res[r]++;
		if (t0 > t[i].max_ns)
			t[i].max_ns = t0;
		done++;
	}
	if (write(fd, t, sizeof(t[0]) * nitems) != (ssize_t)(sizeof(t[0]) * nitems))
		_exit(1);
	_exit(0);
}

static int parse_item(char *spec, struct item *it)
{
	static const struct { const char *name; enum op op; } ops[] = {
		{ "read", OP_READ }, { "write", OP_WRITE }, { "exec", OP_EXEC },
	};
	char *colon = strchr(spec, ':');

	if (!colon || !colon[1])
		return -1;
	*colon = '\0';
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(spec, ops[i].name) == 0) {
			it->op = ops[i].op;
			it->path = colon + 1;
			*colon = ':';
			it->spec = spec;
			return 0;
		}
	return -1;
}

static void add(struct tally *sum, const struct tally *t)
{
	sum->n += t->n;
	for (int r = 0; r < RES__COUNT; r++)
		sum->res[r] += t->res[r];
	if (t->max_ns > sum->max_ns)
		sum->max_ns = t->max_ns;
}

static void print(const char *label, const char *spec, const struct tally *t)
{
	printf("%s%s%s n=%llu ok=%llu EPERM=%llu EACCES=%llu other=%llu "
	       "max_ms=%llu\n",
	       label, spec ? " " : "", spec ? spec : "",
	       (unsigned long long)t->n, (unsigned long long)t->res[RES_OK],
	       (unsigned long long)t->res[RES_EPERM],
	       (unsigned long long)t->res[RES_EACCES],
	       (unsigned long long)t->res[RES_OTHER],
	       (unsigned long long)(t->max_ns / 1000000));
}

static int usage(void)
{
	fprintf(stderr, "usage: sgload [-p PROCS] [-s SECONDS] [-n OPS] "
			"[-f STOPFILE] OP:PATH...\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct item items[MAX_ITEMS];
	struct tally sum[MAX_ITEMS] = { 0 }, total = { 0 };
	unsigned long procs = 4, seconds = 10, max_ops = 0;
	const char *stop_file = NULL;
	size_t nitems = 0;
	int pipefd[2], opt, failed = 0;
	uint64_t end_ns;

	while ((opt = getopt(argc, argv, "p:s:n:f:")) != -1) {
		switch (opt) {
		case 'p': procs = strtoul(optarg, NULL, 10); break;
		case 's': seconds = strtoul(optarg, NULL, 10); break;
		case 'n': max_ops = strtoul(optarg, NULL, 10); break;
		case 'f': stop_file = optarg; break;
		default: return usage();
		}
	}
	if (procs == 0 || procs > MAX_PROCS || optind == argc)
		return usage();
	for (int i = optind; i < argc; i++)
		if (nitems == MAX_ITEMS || parse_item(argv[i], &items[nitems++]) < 0)
			return usage();
	if (pipe(pipefd) < 0)
		return 1;
	end_ns = now_ns() + (uint64_t)seconds * 1000000000u;
	for (unsigned long p = 0; p < procs; p++) {
		pid_t pid = fork();

		if (pid < 0) {
			failed = 1;
			break;
		}
		if (pid == 0) {
			close(pipefd[0]);
			worker(items, nitems, end_ns, max_ops, stop_file, pipefd[1]);
		}
	}
	close(pipefd[1]);
	for (;;) {
		struct tally t[MAX_ITEMS];
		ssize_t n = read(pipefd[0], t, sizeof(t[0]) * nitems);

		if (n == 0)
			break;
		if (n != (ssize_t)(sizeof(t[0]) * nitems)) {
			if (n < 0 && errno == EINTR)
				continue;
			failed = 1;
			break;
		}
		for (size_t i = 0; i < nitems; i++)
			add(&sum[i], &t[i]);
	}
	while (wait(NULL) > 0 || errno == EINTR)
		;
	for (size_t i = 0; i < nitems; i++) {
		print("ITEM", items[i].spec, &sum[i]);
		add(&total, &sum[i]);
	}
	print("total", NULL, &total);
	return failed;
}
