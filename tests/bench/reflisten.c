/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * reflisten.c - the two reference guards of `make bench`, the limits any
 * permission-event guard is measured against:
 *
 *   reflisten allow MOUNT          answers every open and exec of MOUNT's
 *                                  filesystem "allow" at once: the floor
 *                                  of any fanotify permission guard
 *   reflisten allow-syscall MOUNT  reads the blocked thread's
 *                                  /proc/<tid>/syscall first and denies
 *                                  write-opens: the floor of a guard that
 *                                  can tell a write from a read
 *
 * It writes "ready" to stdout once the mark is in place and runs until
 * SIGTERM or SIGINT. Only ever run inside the benchmark's private mount
 * namespace, on the filesystem the benchmark made (run.sh does).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <unistd.h>

#define SYS_OPEN 2
#define SYS_OPENAT 257

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Is the thread's current syscall an open for writing? */
static bool opens_for_write(int proc_fd, pid_t tid)
{
	char path[64], buf[256];
	long nr;
	unsigned long a0, a1, a2;
	ssize_t n;
	int fd;

	(void)snprintf(path, sizeof(path), "%d/syscall", (int)tid);
	fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true; /* fail closed, as a real guard must */
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	if (sscanf(buf, "%ld %lx %lx %lx", &nr, &a0, &a1, &a2) != 4)
		return strncmp(buf, "running", 7) == 0 ? false : true;
	if (nr == SYS_OPEN)
		return (a1 & O_ACCMODE) != O_RDONLY || (a1 & O_TRUNC);
	if (nr == SYS_OPENAT)
		return (a2 & O_ACCMODE) != O_RDONLY || (a2 & O_TRUNC);
	return false;
}

static void answer(int fan_fd, int fd, bool deny)
{
	struct fanotify_response r = { .fd = fd,
				       .response = deny ? FAN_DENY : FAN_ALLOW };

	if (write(fan_fd, &r, sizeof(r)) < 0 && errno != ENOENT)
		perror("reflisten: answer");
}

static int serve(int fan_fd, int proc_fd, bool read_syscall)
{
	static char buf[64 * 1024]
		__attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	struct pollfd pfd = { .fd = fan_fd, .events = POLLIN };

	while (!stop) {
		const struct fanotify_event_metadata *m;
		ssize_t len;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		len = read(fan_fd, buf, sizeof(buf));
		if (len < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (len < 0)
			return -errno;
		for (m = (const void *)buf; FAN_EVENT_OK(m, len);
		     m = FAN_EVENT_NEXT(m, len)) {
			bool deny = read_syscall && (m->mask & FAN_OPEN_PERM) &&
				    opens_for_write(proc_fd, m->pid);

			answer(fan_fd, m->fd, deny);
			(void)close(m->fd);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	bool read_syscall;
	int fan_fd, proc_fd, r;

	if (argc != 3 || (strcmp(argv[1], "allow") != 0 &&
			  strcmp(argv[1], "allow-syscall") != 0)) {
		fprintf(stderr, "usage: reflisten allow|allow-syscall MOUNT\n");
		return 2;
	}
	read_syscall = strcmp(argv[1], "allow-syscall") == 0;
	(void)signal(SIGTERM, on_signal);
	(void)signal(SIGINT, on_signal);
	fan_fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK |
				       (read_syscall ? FAN_REPORT_TID : 0),
			       O_RDONLY | O_LARGEFILE | O_CLOEXEC);
	proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fan_fd < 0 || proc_fd < 0) {
		perror("reflisten: fanotify_init or /proc");
		return 1;
	}
	if (fanotify_mark(fan_fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
			  FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM, AT_FDCWD,
			  argv[2]) < 0) {
		perror("reflisten: fanotify_mark");
		return 1;
	}
	printf("ready\n");
	(void)fflush(stdout);
	r = serve(fan_fd, proc_fd, read_syscall);
	if (r < 0)
		fprintf(stderr, "reflisten: read: %s\n", strerror(-r));
	return r < 0 ? 1 : 0;
}
