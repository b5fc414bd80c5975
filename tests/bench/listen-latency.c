/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * listen-latency - how long a TCP listener lives under the listener guard.
 *
 *   listen-latency TRIALS PORT MAX_PHASE_MS [RAW_OUT]
 *
 * Each trial: wait a random 0..MAX_PHASE_MS (so that listen() falls at a
 * random point of the guard's scan period, not just after a scan), bind
 * 127.0.0.1:PORT, listen(), take the time as listen() returns, then poll
 * until the kernel reports the socket aborted (SOCK_DESTROY wakes it with
 * POLLHUP|POLLERR) and take the time again. A trial whose listener is
 * still there after 2 s counts as a miss. accept() must then fail with
 * EINVAL: proof that the socket no longer listens.
 *
 * Prints "trials N misses M min MED p90 P99 max MS mean MS" in
 * milliseconds; RAW_OUT gets one latency (µs) per line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(const double *v, int n, double p)
{
	int i = (int)(p * (n - 1) + 0.5);

	return v[i < n ? i : n - 1];
}

/* One trial: the latency in µs, or -1 if the listener survived 2 s. */
static double trial(unsigned port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port),
				  .sin_addr = { htonl(INADDR_LOOPBACK) } };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct pollfd pfd = { .events = POLLIN };
	double t0, t1;
	int c;

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
				 sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 16) < 0) {
		perror("listen");
		exit(1);
	}
	t0 = now_us();
	pfd.fd = fd;
	if (poll(&pfd, 1, 2000) != 1) {
		close(fd);
		return -1;
	}
	t1 = now_us();
	c = accept(fd, NULL, NULL);
	if (c >= 0 || errno != EINVAL) {
		fprintf(stderr, "woken but still listening (accept: %s)\n",
			c >= 0 ? "a connection" : strerror(errno));
		exit(1);
	}
	close(fd);
	return t1 - t0;
}

int main(int argc, char **argv)
{
	int n, misses = 0, got = 0;
	unsigned port, phase;
	double *v, sum = 0;
	FILE *raw = NULL;

	if (argc < 4) {
		fprintf(stderr, "usage: listen-latency TRIALS PORT "
				"MAX_PHASE_MS [RAW_OUT]\n");
		return 2;
	}
	n = atoi(argv[1]);
	port = (unsigned)atoi(argv[2]);
	phase = (unsigned)atoi(argv[3]);
	v = calloc((size_t)n, sizeof(*v));
	if (!v || n < 1)
		return 2;
	if (argc > 4 && !(raw = fopen(argv[4], "w")))
		return 2;
	srand((unsigned)getpid());
	for (int i = 0; i < n; i++) {
		double us;

		usleep((useconds_t)(rand() % (phase * 1000 + 1)));
		us = trial(port);
		if (us < 0) {
			misses++;
			continue;
		}
		v[got++] = us;
		sum += us;
		if (raw)
			fprintf(raw, "%.0f\n", us);
	}
	if (raw)
		fclose(raw);
	if (!got)
		return 1;
	qsort(v, (size_t)got, sizeof(*v), cmp);
	printf("trials %d misses %d min %.2f median %.2f p90 %.2f p99 %.2f "
	       "max %.2f mean %.2f ms\n",
	       got, misses, v[0] / 1e3, pct(v, got, 0.5) / 1e3,
	       pct(v, got, 0.9) / 1e3, pct(v, got, 0.99) / 1e3,
	       v[got - 1] / 1e3, sum / got / 1e3);
	free(v);
	return misses ? 1 : 0;
}
