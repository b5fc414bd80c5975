// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * respond-latency.c - how fast [respond] answers (benchmark, not a test;
 * run by respond-latency.sh against a real sealguardd).
 *
 *   respond-latency deny|kill TRIALS FILE
 *       a child opens FILE (protected) for writing; time from "go" to the
 *       child reaped by us: with deny it returned EPERM and exited, with
 *       kill it died in its open. The difference is what the kill costs.
 *   respond-latency freeze TRIALS FILE CGROUP
 *       a child in CGROUP execs FILE (not in the baseline) and spins; time
 *       from "go" to CGROUP's cgroup.events saying "frozen 1".
 *   respond-latency hook TRIALS FILE STAMP
 *       a child opens FILE for writing (denied); time from "go" to the
 *       moment the hook (respond-stamp) wrote CLOCK_MONOTONIC to STAMP.
 *
 * Prints min, median, p90, p99 and max in microseconds.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* A child that waits for a byte on go[0], then runs act(arg). */
static pid_t spawn(int go[2], void (*act)(const char *), const char *arg)
{
	pid_t pid;
	char c;

	if (pipe(go) < 0)
		die("pipe");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		act(arg);
		_exit(0);
	}
	close(go[0]);
	return pid;
}

static void act_write(const char *file)
{
	int fd = open(file, O_WRONLY);

	_exit(fd < 0 && errno == EPERM ? 0 : 4);
}

static void act_exec_spin(const char *file)
{
	char *argv[] = { (char *)file, NULL };

	execv(file, argv); /* denied: EPERM */
	for (;;) /* frozen here */
		;
}

static void go_now(int go[2])
{
	if (write(go[1], "g", 1) != 1)
		die("write");
	close(go[1]);
}

static uint64_t trial_reap(void (*act)(const char *), const char *file)
{
	int go[2], status;
	pid_t pid = spawn(go, act, file);
	uint64_t t0;

	usleep(2000); /* let it reach read() */
	t0 = now_ns();
	go_now(go);
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return now_ns() - t0;
}

static int frozen(int events_fd)
{
	char buf[256];
	ssize_t n = pread(events_fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, "frozen 1") != NULL;
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		die(path);
	close(fd);
}

static uint64_t trial_freeze(const char *file, const char *cgroup)
{
	char path[512], pidbuf[32];
	int go[2], events, status;
	uint64_t t0, t;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/cgroup.events", cgroup);
	events = open(path, O_RDONLY);
	if (events < 0)
		die(path);
	pid = spawn(go, act_exec_spin, file);
	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	write_file(path, pidbuf);
	usleep(2000);
	t0 = now_ns();
	go_now(go);
	/* re-read, not poll(POLLPRI): the kernel holds cgroup file
	 * notifications back to one per 10 ms, which would be measured */
	while (!frozen(events)) {
		if (now_ns() - t0 > 5000000000u) {
			fprintf(stderr, "not frozen within 5 s\n");
			exit(2);
		}
		usleep(50);
	}
	t = now_ns() - t0;
	snprintf(path, sizeof(path), "%s/cgroup.kill", cgroup);
	write_file(path, "1");
	waitpid(pid, &status, 0);
	snprintf(path, sizeof(path), "%s/cgroup.freeze", cgroup);
	write_file(path, "0");
	close(events);
	return t;
}

static uint64_t read_stamp(const char *stamp)
{
	unsigned long long v = 0;
	FILE *f = fopen(stamp, "r");

	if (!f)
		return 0;
	if (fscanf(f, "%llu", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static uint64_t trial_hook(const char *file, const char *stamp)
{
	int go[2], status;
	uint64_t t0, v = 0;
	pid_t pid;

	unlink(stamp);
	pid = spawn(go, act_write, file);
	usleep(2000);
	t0 = now_ns();
	go_now(go);
	waitpid(pid, &status, 0);
	for (int i = 0; i < 50000 && !(v = read_stamp(stamp)); i++)
		usleep(100);
	if (!v) {
		fprintf(stderr, "the hook never wrote %s\n", stamp);
		exit(2);
	}
	usleep(20000); /* let the hook exit: at most four run at once */
	return v - t0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int trials = argc > 2 ? atoi(argv[2]) : 0;
	uint64_t *v;

	if (trials <= 0 || argc < 4 ||
	    ((!strcmp(mode, "freeze") || !strcmp(mode, "hook")) && argc < 5)) {
		fprintf(stderr, "usage: respond-latency deny|kill|freeze|hook "
				"TRIALS FILE [CGROUP|STAMP]\n");
		return 2;
	}
	v = calloc((size_t)trials, sizeof(*v));
	if (!v)
		die("calloc");
	for (int i = 0; i < trials; i++) {
		if (!strcmp(mode, "freeze"))
			v[i] = trial_freeze(argv[3], argv[4]);
		else if (!strcmp(mode, "hook"))
			v[i] = trial_hook(argv[3], argv[4]);
		else
			v[i] = trial_reap(act_write, argv[3]);
	}
	qsort(v, (size_t)trials, sizeof(*v), cmp_u64);
	printf("%s: %d trials, us: min %.0f median %.0f p90 %.0f p99 %.0f max %.0f\n",
	       mode, trials, v[0] / 1e3, v[trials / 2] / 1e3,
	       v[trials * 9 / 10] / 1e3, v[trials * 99 / 100] / 1e3,
	       v[trials - 1] / 1e3);
	free(v);
	return 0;
}
