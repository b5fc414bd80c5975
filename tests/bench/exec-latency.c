/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec-latency.c - fork + execve + waitpid latency of programs, the first
 * exec of each and then repeated ones. Used by exec-latency.sh.
 *
 *   exec-latency REPEATS PROGRAM...
 *
 * Each PROGRAM is run once (its first exec: the guard hashes it), then
 * REPEATS times (the guard's kernel-side cache). Prints one line:
 *   first_median_us=... repeat_median_us=... programs=N repeats=R
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static double run_once(const char *prog)
{
	char *argv[] = { (char *)prog, NULL };
	double t0 = now_us();
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		execve(prog, argv, (char *[]){ NULL });
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "exec-latency: %s failed\n", prog);
		exit(1);
	}
	return now_us() - t0;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	size_t nprog = (size_t)argc - 2, k = 0;
	long repeats = argc > 1 ? atol(argv[1]) : 0;
	double *first, *again;

	if (argc < 3 || repeats < 1) {
		fprintf(stderr, "usage: exec-latency REPEATS PROGRAM...\n");
		return 2;
	}
	first = calloc(nprog, sizeof(*first));
	again = calloc(nprog * (size_t)repeats, sizeof(*again));
	if (!first || !again)
		return 1;
	for (size_t i = 0; i < nprog; i++)
		first[i] = run_once(argv[i + 2]);
	for (long r = 0; r < repeats; r++)
		for (size_t i = 0; i < nprog; i++)
			again[k++] = run_once(argv[i + 2]);
	printf("first_median_us=%.0f repeat_median_us=%.0f programs=%zu repeats=%ld\n",
	       median(first, nprog), median(again, k), nprog, repeats);
	free(first);
	free(again);
	return 0;
}
