/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * selftest_probe.c - the three attempts of `sealguard selftest` (see
 * selftest.h). Each runs in a child process that reports what the kernel
 * answered through a pipe: a [respond] kill, or [listen] action = kill,
 * ends the child and never the selftest, and a child blocked on a
 * stopped daemon is killed after the timeout.
 *
 * None of them can change a protected file: the canary is opened
 * O_WRONLY without O_TRUNC and closed without a write, so a guard that
 * fails lets through an open and nothing else.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "clock.h"
#include "cli.h"
#include "selftest.h"

/* What a child writes to its pipe (one write each, under PIPE_BUF). */
enum report_kind {
	REPORT_SETUP,  /* listen: the port and the socket's inode */
	REPORT_ANSWER, /* the kernel's answer */
	REPORT_FAIL,   /* the attempt could not be made */
};

struct report {
	int kind;
	int err;
	bool refused;
	uint16_t port;
	uint64_t inode;
	char why[200];
};

typedef void (*child_fn)(const void *ctx, int wfd);

static void send_report(int wfd, const struct report *r)
{
	/* the parent reads whole reports; a short write is its timeout */
	(void)!write(wfd, r, sizeof(*r));
}

static void send_fail(int wfd, int err, const char *what)
{
	struct report r = { .kind = REPORT_FAIL, .err = err };

	snprintf(r.why, sizeof(r.why), "%s: %s", what, strerror(err));
	send_report(wfd, &r);
}

static void send_answer(int wfd, int err)
{
	struct report r = { .kind = REPORT_ANSWER, .err = err,
			    .refused = err != 0 };

	send_report(wfd, &r);
}

/* Wait for pid until deadline (monotonic ms), then SIGKILL it. Returns
 * its wait status; *ret_we_killed says whether the kill was ours. */
static int reap(pid_t pid, uint64_t deadline_ms, bool *ret_we_killed)
{
	int status = 0;

	*ret_we_killed = false;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return status;
		if (sg_now_ms() >= deadline_ms && !*ret_we_killed) {
			(void)kill(pid, SIGKILL);
			*ret_we_killed = true;
		}
		(void)usleep(2000);
	}
}

/* Read reports until EOF or the deadline; the last answer wins. */
static void read_reports(int rfd, uint64_t deadline_ms, struct report *setup,
			 struct report *last, bool *ret_eof)
{
	*ret_eof = false;
	for (;;) {
		struct pollfd pfd = { .fd = rfd, .events = POLLIN };
		uint64_t now = sg_now_ms();
		struct report r;
		ssize_t n;

		if (now >= deadline_ms)
			return;
		if (poll(&pfd, 1, (int)(deadline_ms - now)) <= 0)
			continue;
		n = read(rfd, &r, sizeof(r));
		if (n == 0 || (n < 0 && errno != EINTR)) {
			*ret_eof = true;
			return;
		}
		if (n != (ssize_t)sizeof(r))
			continue;
		if (r.kind == REPORT_SETUP)
			*setup = r;
		else
			*last = r;
	}
}

/*
 * Run fn in a child and fill c->pid and c->ans. eof_is_success: the
 * child's end of the pipe closing without an answer means the attempt
 * succeeded (an exec: the pipe is O_CLOEXEC).
 */
static void run_child(child_fn fn, const void *ctx, unsigned timeout_ms,
		      bool eof_is_success, struct st_check *c)
{
	struct report setup = { .kind = -1 }, last = { .kind = -1 };
	uint64_t deadline;
	int p[2], status;
	bool eof, we_killed;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(c->ans.why, sizeof(c->ans.why), "pipe: %m");
		return;
	}
	(void)fflush(NULL); /* the child must not repeat our buffered output */
	pid = fork();
	if (pid < 0) {
		snprintf(c->ans.why, sizeof(c->ans.why), "fork: %m");
		(void)close(p[0]);
		(void)close(p[1]);
		return;
	}
	if (pid == 0) {
		(void)close(p[0]);
		fn(ctx, p[1]);
		_exit(0);
	}
	(void)close(p[1]);
	c->pid = pid;
	deadline = sg_now_ms() + timeout_ms;
	read_reports(p[0], deadline, &setup, &last, &eof);
	(void)close(p[0]);
	status = reap(pid, eof ? deadline + 1000 : sg_now_ms(), &we_killed);
	if (setup.kind == REPORT_SETUP) {
		c->inode = setup.inode;
		snprintf(c->target, sizeof(c->target), "127.0.0.1:%u",
			 (unsigned)setup.port);
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && !we_killed &&
	    last.kind != REPORT_ANSWER && last.kind != REPORT_FAIL) {
		/* a [respond] kill: before the call returned */
		c->ans.done = c->ans.refused = c->ans.killed = true;
		return;
	}
	if (last.kind == REPORT_ANSWER) {
		c->ans.done = true;
		c->ans.refused = last.refused;
		c->ans.err = last.err;
	} else if (last.kind == REPORT_FAIL) {
		snprintf(c->ans.why, sizeof(c->ans.why), "%s", last.why);
	} else if (eof && eof_is_success && WIFEXITED(status)) {
		c->ans.done = true; /* it ran */
	} else if (!eof || we_killed) {
		snprintf(c->ans.why, sizeof(c->ans.why),
			 "no answer in %u ms (is sealguardd stopped?)",
			 timeout_ms);
	} else {
		snprintf(c->ans.why, sizeof(c->ans.why),
			 "the probe process ended without an answer (status 0x%x)",
			 (unsigned)status);
	}
}

/* ---------------------------------------------------------------- write */

static void write_child(const void *ctx, int wfd)
{
	const struct st_config *cfg = ctx;
	/* no O_TRUNC, no O_CREAT, nothing written: if the guard fails, the
	 * file is opened and closed unchanged */
	int fd = open(cfg->canary, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		send_answer(wfd, errno);
		return;
	}
	(void)close(fd);
	send_answer(wfd, 0);
}

void st_probe_write(const struct st_config *cfg, struct st_check *c)
{
	snprintf(c->target, sizeof(c->target), "%s", cfg->canary);
	run_child(write_child, cfg, cfg->timeout_ms, false, c);
}

/* ---------------------------------------------------------------- exec */

struct exec_ctx {
	const char *path;
	int devnull;
};

static void exec_child(const void *ctx, int wfd)
{
	const struct exec_ctx *x = ctx;
	char *const argv[] = { (char *)x->path, (char *)"--version", NULL };
	char *const envp[] = { NULL };

	if (dup2(x->devnull, STDIN_FILENO) < 0 ||
	    dup2(x->devnull, STDOUT_FILENO) < 0 ||
	    dup2(x->devnull, STDERR_FILENO) < 0) {
		send_fail(wfd, errno, "dup2");
		return;
	}
	(void)execve(x->path, argv, envp);
	send_answer(wfd, errno);
}

/* Copy src's bytes to a new file dst (mode 0700) and append marker. */
static int write_dropped(const char *src, const char *dst, const char *marker)
{
	_cleanup_close_ int in = -1, out = -1;
	char buf[65536];
	ssize_t n;

	in = open(src, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -errno;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		   0700);
	if (out < 0)
		return -errno;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return errno ? -errno : -EIO;
	if (n < 0)
		return -errno;
	if (write(out, marker, strlen(marker)) != (ssize_t)strlen(marker))
		return errno ? -errno : -EIO;
	/* closed before the fork: an exec of a file open for writing is
	 * ETXTBSY, not the guard's answer */
	if (close(TAKE_FD(out)) < 0)
		return -errno;
	return 0;
}

void st_probe_exec(const struct st_config *cfg, struct st_check *c)
{
	_cleanup_close_ int devnull = -1;
	char dir[PATH_MAX - 16], marker[PATH_MAX + 64];
	struct exec_ctx x = { .path = c->target };
	int r;

	if (snprintf(dir, sizeof(dir), "%s/sealguard-selftest.XXXXXX",
		     cfg->exec_dir) >= (int)sizeof(dir) - 8) {
		snprintf(c->ans.why, sizeof(c->ans.why), "%.200s: path too long",
			 cfg->exec_dir);
		return;
	}
	if (!mkdtemp(dir)) {
		snprintf(c->ans.why, sizeof(c->ans.why), "mkdtemp in %.200s: %m",
			 cfg->exec_dir);
		return;
	}
	snprintf(c->target, sizeof(c->target), "%s/probe", dir);
	/* the nonce makes the hash one no baseline holds */
	snprintf(marker, sizeof(marker), "\nsealguard selftest %s pid %d %llu\n",
		 dir, (int)getpid(), (unsigned long long)sg_realtime_us());
	r = write_dropped(cfg->self_exe, c->target, marker);
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (r < 0)
		snprintf(c->ans.why, sizeof(c->ans.why), "cannot write %.180s: %s",
			 c->target, strerror(-r));
	else if (devnull < 0)
		snprintf(c->ans.why, sizeof(c->ans.why), "/dev/null: %m");
	else {
		x.devnull = devnull;
		run_child(exec_child, &x, cfg->timeout_ms, true, c);
	}
	if (unlink(c->target) < 0 && errno != ENOENT && c->ans.done)
		snprintf(c->detail, sizeof(c->detail), "cannot remove %.400s: %m",
			 c->target);
	(void)rmdir(dir);
}

/* ---------------------------------------------------------------- listen */

bool st_listen_port_allowed(const struct sg_policy *p, uint16_t port)
{
	static const unsigned char loop4[4] = { 127, 0, 0, 1 };

	for (size_t i = 0; i < p->listen.nrules; i++) {
		const struct sg_listen_rule *r = &p->listen.rules[i];

		if (r->proto != SG_LISTEN_TCP || !(r->families & SG_LISTEN_IPV4) ||
		    port < r->port_min || port > r->port_max)
			continue;
		if (r->addr_kind != SG_LISTEN_ADDR_EXACT ||
		    memcmp(r->addr, loop4, sizeof(loop4)) == 0)
			return true;
	}
	return false;
}

/* A socket bound to 127.0.0.1 on an ephemeral port, and the port. */
static int bind_ephemeral(uint16_t *ret_port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), r;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	*ret_port = ntohs(sa.sin_port);
	return fd;
}

/* A loopback listener on an ephemeral port no rule allows. The allowed
 * ones stay bound until the end, so that the kernel offers another port
 * each time rather than the one just freed. */
static int listen_unallowed(const struct sg_policy *p, uint16_t *ret_port)
{
	int held[64], nheld = 0, fd = -EADDRINUSE;
	uint16_t port = 0;

	while (nheld < (int)ARRAY_SIZE(held)) {
		fd = bind_ephemeral(&port);
		if (fd < 0 || !st_listen_port_allowed(p, port))
			break;
		held[nheld++] = fd;
		fd = -EADDRINUSE; /* every port we were given is allowed */
	}
	while (nheld > 0)
		(void)close(held[--nheld]);
	if (fd >= 0 && listen(fd, 1) < 0) {
		int r = -errno;

		(void)close(fd);
		return r;
	}
	if (fd >= 0)
		*ret_port = port;
	return fd;
}

static void listen_child(const void *ctx, int wfd)
{
	const struct st_config *cfg = ctx;
	struct report setup = { .kind = REPORT_SETUP };
	uint64_t deadline = sg_now_ms() + cfg->timeout_ms;
	struct stat st;
	int fd;

	fd = listen_unallowed(cfg->policy, &setup.port);
	if (fd == -EADDRINUSE) {
		send_fail(wfd, -fd, "no port the kernel offers on 127.0.0.1 is "
			  "outside the [listen] rules");
		return;
	}
	if (fd < 0) {
		send_fail(wfd, -fd, "a loopback listener");
		return;
	}
	if (fstat(fd, &st) < 0) {
		send_fail(wfd, errno, "fstat of the listener");
		return;
	}
	setup.inode = (uint64_t)st.st_ino;
	send_report(wfd, &setup);
	while (sg_now_ms() < deadline) {
		struct tcp_info ti;
		socklen_t len = sizeof(ti);
		int soerr = 0;

		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0) {
			send_fail(wfd, errno, "TCP_INFO");
			return;
		}
		if (ti.tcpi_state != TCP_LISTEN) {
			/* SOCK_DESTROY aborts it: the error its owner sees */
			len = sizeof(soerr);
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
				soerr = errno;
			send_answer(wfd, soerr ? soerr : ECONNABORTED);
			return;
		}
		(void)usleep(2000);
	}
	send_answer(wfd, 0); /* still listening */
}

void st_probe_listen(const struct st_config *cfg, struct st_check *c)
{
	snprintf(c->target, sizeof(c->target), "127.0.0.1");
	/* the child watches for cfg->timeout_ms; give it a second more */
	run_child(listen_child, cfg, cfg->timeout_ms + 1000, false, c);
}
