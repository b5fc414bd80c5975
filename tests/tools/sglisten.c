/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sglisten - open listeners and report what the kernel did to them, for
 * the listener guard's tests (tests/integration/50-listen*.sh).
 *
 *   sglisten serve PROTO ADDR PORT     listen; "ready"; then TCP: accept and
 *                                      answer "hello" until accept fails,
 *                                      print "accept:ENAME" and exit 0;
 *                                      UDP: echo datagrams, print
 *                                      "recv:ENAME" for each failed receive
 *   sglisten connect PROTO ADDR PORT   TCP: "ok" or the connect errno name;
 *                                      UDP: send "ping", "ok" if an echo
 *                                      comes back within 1 s, else "timeout"
 *   sglisten bind PROTO ADDR PORT      "ok" if the port can be bound now
 *                                      (SO_REUSEADDR, as servers do), else
 *                                      the errno name
 *   sglisten burst PROTO ADDR PORT N SECONDS
 *                                      N listeners on PORT..PORT+N-1 at
 *                                      once; "ready"; then wait up to
 *                                      SECONDS for all to be destroyed
 *                                      (TCP) and print "destroyed=D alive=A"
 *   sglisten flash PROTO ADDR PORT N   N times: listen and close at once;
 *                                      "done"
 *
 * PROTO is tcp or udp; ADDR an IPv4 or IPv6 literal (the family follows).
 * serve and burst print "pid=N" first: a destroyed listener's owner may
 * be gone before a test could look it up. Output is line-buffered: tests
 * wait for "ready" in a log file.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct target {
	int type; /* SOCK_STREAM or SOCK_DGRAM */
	struct sockaddr_storage sa;
	socklen_t len;
};

static void usage(void)
{
	fprintf(stderr, "usage: sglisten serve|connect|bind|burst|flash "
			"tcp|udp ADDR PORT [N [SECONDS]]\n");
	exit(2);
}

static void die(const char *what)
{
	printf("%s:%s\n", what, strerrorname_np(errno) ? strerrorname_np(errno) :
							 "?");
	exit(1);
}

static void parse_target(const char *proto, const char *addr, const char *port,
			 struct target *t)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)&t->sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&t->sa;
	long p = strtol(port, NULL, 10);

	memset(t, 0, sizeof(*t));
	if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
		usage();
	t->type = strcmp(proto, "tcp") == 0 ? SOCK_STREAM : SOCK_DGRAM;
	if (p < 0 || p > 65535)
		usage();
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)p);
		t->len = sizeof(*v4);
	} else if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)p);
		t->len = sizeof(*v6);
	} else {
		usage();
	}
}

static void set_port(struct target *t, unsigned port)
{
	if (t->sa.ss_family == AF_INET)
		((struct sockaddr_in *)&t->sa)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&t->sa)->sin6_port = htons((uint16_t)port);
}

/* A bound (and, for TCP, listening) socket, or -1 with errno. */
static int open_listener(const struct target *t)
{
	int one = 1, fd = socket(t->sa.ss_family, t->type | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)&t->sa, t->len) < 0 ||
	    (t->type == SOCK_STREAM && listen(fd, 64) < 0)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "?";
}

static int serve_tcp(int fd)
{
	for (;;) {
		int c = accept(fd, NULL, NULL);

		if (c < 0) {
			if (errno == EINTR)
				continue;
			printf("accept:%s\n", ename(errno));
			return 0;
		}
		(void)!write(c, "hello\n", 6);
		close(c);
	}
}

static __attribute__((noreturn)) void serve_udp(int fd)
{
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		char buf[512];
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&from, &flen);

		if (n < 0) {
			if (errno != EINTR)
				printf("recv:%s\n", ename(errno));
			continue;
		}
		(void)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from,
			     flen);
	}
}

static int do_serve(const struct target *t)
{
	int fd;

	printf("pid=%d\n", (int)getpid());
	fd = open_listener(t);
	if (fd < 0)
		die("listen");
	printf("ready\n");
	if (t->type == SOCK_DGRAM)
		serve_udp(fd);
	return serve_tcp(fd);
}

static int do_connect(const struct target *t)
{
	int fd = socket(t->sa.ss_family, t->type | SOCK_CLOEXEC, 0);
	struct pollfd pfd = { fd, POLLIN, 0 };
	char buf[64];

	if (fd < 0)
		die("socket");
	if (connect(fd, (const struct sockaddr *)&t->sa, t->len) < 0) {
		printf("%s\n", ename(errno));
		return 0;
	}
	if (t->type == SOCK_STREAM) {
		printf("ok\n");
		return 0;
	}
	if (send(fd, "ping", 4, 0) < 0) {
		printf("%s\n", ename(errno));
		return 0;
	}
	if (poll(&pfd, 1, 1000) != 1) {
		printf("timeout\n");
		return 0;
	}
	if (recv(fd, buf, sizeof(buf), 0) < 0)
		printf("%s\n", ename(errno)); /* ECONNREFUSED: no one there */
	else
		printf("ok\n");
	return 0;
}

static int do_bind(const struct target *t)
{
	int fd = open_listener(t);

	if (fd < 0)
		printf("%s\n", ename(errno));
	else
		printf("ok\n");
	return 0;
}

/* A destroyed TCP listener is no longer listening: accept says EINVAL. */
static bool destroyed(int fd)
{
	int c = accept4(fd, NULL, NULL, SOCK_NONBLOCK);

	if (c >= 0)
		close(c);
	return c < 0 && errno == EINVAL;
}

static int do_burst(struct target *t, unsigned base, unsigned n,
		    unsigned seconds)
{
	int *fds = calloc(n, sizeof(*fds));
	unsigned alive = n;

	if (!fds)
		die("calloc");
	printf("pid=%d\n", (int)getpid());
	for (unsigned i = 0; i < n; i++) {
		set_port(t, base + i);
		fds[i] = open_listener(t);
		if (fds[i] < 0)
			die("listen");
	}
	printf("ready\n");
	for (unsigned ms = 0; ms <= seconds * 1000 && alive; ms += 10) {
		alive = 0;
		for (unsigned i = 0; i < n; i++)
			alive += t->type == SOCK_STREAM && !destroyed(fds[i]);
		if (t->type == SOCK_DGRAM)
			alive = n; /* nothing tells from inside: see serve */
		if (alive)
			usleep(10000);
	}
	printf("destroyed=%u alive=%u\n", n - alive, alive);
	return 0;
}

static int do_flash(const struct target *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		int fd = open_listener(t);

		if (fd < 0)
			die("listen");
		close(fd);
	}
	printf("done\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct target t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 5)
		usage();
	parse_target(argv[2], argv[3], argv[4], &t);
	if (strcmp(argv[1], "serve") == 0)
		return do_serve(&t);
	if (strcmp(argv[1], "connect") == 0)
		return do_connect(&t);
	if (strcmp(argv[1], "bind") == 0)
		return do_bind(&t);
	if (strcmp(argv[1], "burst") == 0 && argc == 7)
		return do_burst(&t, (unsigned)atoi(argv[4]),
				(unsigned)atoi(argv[5]),
				(unsigned)atoi(argv[6]));
	if (strcmp(argv[1], "flash") == 0 && argc == 6)
		return do_flash(&t, (unsigned)atoi(argv[5]));
	usage();
	return 2;
}
