/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * driver.c - the workloads of `make bench` (tests/bench/run.sh), each
 * timed per operation in the process that pays for it:
 *
 *   driver open PASSES FILE...      open(O_RDONLY) + read(1) + close of
 *                                   every FILE, PASSES times; pass 1 (the
 *                                   guard's first sight) apart
 *   driver write COUNT FILE         open(O_WRONLY) without writing, COUNT
 *                                   times: what a denied (or allowed)
 *                                   write-open costs, and its errno
 *   driver exec COUNT PROGRAM       fork + execve + waitpid, COUNT times
 *   driver parallel WORKERS SECONDS PROGRAM FILE...
 *                                   WORKERS processes, each alternating
 *                                   one pass of opens over the FILEs with
 *                                   one exec of PROGRAM, for SECONDS
 *   driver ready SECONDS CMD...     start CMD (a daemon) with
 *                                   NOTIFY_SOCKET set and time it until
 *                                   it sends READY=1; CMD keeps running
 *
 * Prints one line of key=value pairs (µs, ops/s), for run.sh to parse:
 *   open:     first_med= first_p99= med= p99= ops=
 *   write:    med= p99= result=ok|EPERM|...
 *   exec:     med= p99= fails=
 *   parallel: workers= ops_per_s= p99= max=
 *   ready:    ready_ms= pid=
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct samples {
	double *v;
	size_t n, cap;
};

static double now_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "driver: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void add(struct samples *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 4096;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die("realloc");
	}
	s->v[s->n++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile (0..1) of s, sorted in place; 0 for no samples. */
static double quantile(struct samples *s, double q)
{
	size_t i;

	if (!s->n)
		return 0;
	qsort(s->v, s->n, sizeof(*s->v), cmp_double);
	i = (size_t)(q * (double)(s->n - 1) + 0.5);
	return s->v[i];
}

/* One open + read(1) + close; 0, or the errno of the open. */
static int open_read(const char *path, double *us)
{
	double t0 = now_us();
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char c;

	if (fd < 0) {
		*us = now_us() - t0;
		return errno;
	}
	(void)!read(fd, &c, 1);
	(void)close(fd);
	*us = now_us() - t0;
	return 0;
}

static int cmd_open(int passes, char **files, int nfiles)
{
	struct samples first = { 0 }, rest = { 0 };
	double us;

	for (int p = 0; p < passes; p++)
		for (int i = 0; i < nfiles; i++) {
			if (open_read(files[i], &us) != 0)
				die(files[i]);
			add(p == 0 ? &first : &rest, us);
		}
	printf("first_med=%.2f first_p99=%.2f med=%.2f p99=%.2f ops=%zu\n",
	       quantile(&first, 0.5), quantile(&first, 0.99),
	       quantile(&rest, 0.5), quantile(&rest, 0.99), rest.n);
	return 0;
}

static int cmd_write(int count, const char *path)
{
	struct samples s = { 0 };
	int err = 0;

	for (int i = 0; i < count; i++) {
		double t0 = now_us();
		int fd = open(path, O_WRONLY | O_CLOEXEC);

		add(&s, now_us() - t0);
		if (fd >= 0)
			(void)close(fd);
		err = fd < 0 ? errno : 0;
	}
	printf("med=%.2f p99=%.2f result=%s\n", quantile(&s, 0.5),
	       quantile(&s, 0.99),
	       err == 0 ? "ok" : err == EPERM ? "EPERM" : strerror(err));
	return 0;
}

/* fork + execve + waitpid; 0 if the program ran and exited 0. */
static int exec_once(const char *prog, double *us)
{
	char *argv[] = { (char *)prog, NULL };
	double t0 = now_us();
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execv(prog, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	*us = now_us() - t0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int cmd_exec(int count, const char *prog)
{
	struct samples s = { 0 };
	int fails = 0;
	double us;

	for (int i = 0; i < count; i++) {
		if (exec_once(prog, &us) < 0)
			fails++;
		add(&s, us);
	}
	printf("med=%.2f p99=%.2f fails=%d\n", quantile(&s, 0.5),
	       quantile(&s, 0.99), fails);
	return 0;
}

/* What one parallel worker hands back through shared memory. */
struct worker_result {
	unsigned long ops;
	double p99, max;
};

static void worker(double until, const char *prog, char **files, int nfiles,
		   struct worker_result *ret)
{
	struct samples s = { 0 };
	double us;

	while (now_us() < until) {
		for (int i = 0; i < nfiles; i++) {
			(void)open_read(files[i], &us);
			add(&s, us);
		}
		(void)exec_once(prog, &us);
		add(&s, us);
	}
	ret->ops = s.n;
	ret->max = quantile(&s, 1.0);
	ret->p99 = quantile(&s, 0.99);
}

static int cmd_parallel(int workers, double seconds, const char *prog,
			char **files, int nfiles)
{
	struct worker_result *res = mmap(NULL, sizeof(*res) * (size_t)workers,
					 PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	double until = now_us() + seconds * 1e6, p99 = 0, max = 0;
	unsigned long ops = 0;

	if (res == MAP_FAILED)
		die("mmap");
	for (int w = 0; w < workers; w++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			worker(until, prog, files, nfiles, &res[w]);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	for (int w = 0; w < workers; w++) {
		ops += res[w].ops;
		p99 = res[w].p99 > p99 ? res[w].p99 : p99;
		max = res[w].max > max ? res[w].max : max;
	}
	printf("workers=%d ops_per_s=%.0f p99=%.2f max=%.2f\n", workers,
	       (double)ops / seconds, p99, max);
	return 0;
}

/* A datagram socket for sd_notify, bound at path. */
static int notify_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof(sa.sun_path))
		die("notify socket");
	strcpy(sa.sun_path, path);
	(void)unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die(path);
	return fd;
}

static int cmd_ready(double seconds, char **cmd)
{
	char path[64], msg[4096];
	struct timeval tv = { .tv_sec = 0, .tv_usec = 200000 };
	double t0, until;
	int fd;
	pid_t pid;

	(void)snprintf(path, sizeof(path), "/run/sgbench-notify.%d",
		       (int)getpid());
	fd = notify_socket(path);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	t0 = now_us();
	until = t0 + seconds * 1e6;
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* our stdout is the caller's $(...): a daemon holding it
		 * open would keep the caller waiting for ever */
		if (dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
			_exit(127);
		(void)setenv("NOTIFY_SOCKET", path, 1);
		execv(cmd[0], cmd);
		_exit(127);
	}
	while (now_us() < until) {
		ssize_t n = recv(fd, msg, sizeof(msg) - 1, 0);

		if (n <= 0) {
			if (waitpid(pid, NULL, WNOHANG) != pid)
				continue;
			fprintf(stderr, "driver: %s exited before READY=1\n",
				cmd[0]);
			(void)unlink(path);
			return 1;
		}
		msg[n] = '\0';
		if (strstr(msg, "READY=1")) {
			printf("ready_ms=%.1f pid=%d\n", (now_us() - t0) / 1e3,
			       (int)pid);
			(void)unlink(path);
			return 0;
		}
	}
	(void)unlink(path);
	fprintf(stderr, "driver: %s: no READY=1 within %.0f s\n", cmd[0],
		seconds);
	(void)kill(pid, SIGKILL);
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: driver open PASSES FILE... | write COUNT FILE |"
			" exec COUNT PROGRAM |"
			" parallel WORKERS SECONDS PROGRAM FILE... |"
			" ready SECONDS CMD...\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "open") == 0)
		return cmd_open(atoi(argv[2]), argv + 3, argc - 3);
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		return cmd_write(atoi(argv[2]), argv[3]);
	if (argc == 4 && strcmp(argv[1], "exec") == 0)
		return cmd_exec(atoi(argv[2]), argv[3]);
	if (argc >= 6 && strcmp(argv[1], "parallel") == 0)
		return cmd_parallel(atoi(argv[2]), atof(argv[3]), argv[4],
				    argv + 5, argc - 5);
	if (argc >= 4 && strcmp(argv[1], "ready") == 0)
		return cmd_ready(atof(argv[2]), argv + 3);
	return usage();
}
