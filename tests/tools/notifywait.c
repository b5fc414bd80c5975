/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notifywait - a tiny sd_notify receiver for the integration tests.
 *
 *   notifywait SOCKET_PATH OUTFILE
 *
 * Binds an AF_UNIX datagram socket at SOCKET_PATH (a stale socket file
 * there is removed first; a leading '@' means the abstract namespace, as
 * in $NOTIFY_SOCKET) and appends every datagram it receives to OUTFILE as
 * one line: a trailing newline is dropped and inner newlines become tabs,
 * so "READY=1\nSTATUS=sealed" is written as "READY=1<TAB>STATUS=sealed".
 * Each line is written with one write(2) on an O_APPEND fd, so a reader
 * polling OUTFILE never needs a flush. Runs until killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what, const char *arg)
{
	fprintf(stderr, "notifywait: %s %s: %s\n", what, arg, strerror(errno));
	return 1;
}

static int bind_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	socklen_t salen;
	struct stat st;
	int fd;

	if (len == 0 || len >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, len);
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
	if (path[0] == '@') {
		sa.sun_path[0] = '\0';
		salen--; /* abstract names are not NUL-terminated */
	} else if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) {
		(void)unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, salen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	static char buf[65536 + 1];
	int sock, out;

	if (argc != 3) {
		fprintf(stderr, "usage: notifywait SOCKET_PATH OUTFILE\n");
		return 2;
	}
	sock = bind_socket(argv[1]);
	if (sock < 0)
		return die("cannot bind", argv[1]);
	out = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (out < 0)
		return die("cannot open", argv[2]);

	for (;;) {
		ssize_t n = recv(sock, buf, sizeof(buf) - 1, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return die("recv on", argv[1]);
		while (n > 0 && buf[n - 1] == '\n')
			n--;
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\n')
				buf[i] = '\t';
		buf[n++] = '\n';
		if (write(out, buf, (size_t)n) != n)
			return die("cannot write", argv[2]);
	}
}
