/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sghold - hold every open of one directory until told to let go
 * (tests/attacks/84-index-race.sh): it stalls sealguardd's protected-inode
 * walk there, so that a test can act while the index is incomplete, for
 * as long as it needs, rather than race a walk of a few milliseconds.
 *
 *   sghold DIR SECONDS
 *
 * A fanotify group of its own with one inode mark, on DIR alone
 * (FAN_OPEN_PERM | FAN_ONDIR: opening that directory, nothing else).
 * Prints "ready" once the mark is placed, "held TID" for each open it
 * holds (the opener's thread), and "released N" when it lets go: on
 * SIGUSR1, or after SECONDS whatever happens. Then it allows what it
 * held and exits 0 (closing the group: the kernel allows the rest).
 * Exit 1 on an error, with a message on stderr.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define MAX_HELD 64

static int die(const char *what)
{
	fprintf(stderr, "sghold: %s: %s\n", what, strerror(errno));
	return 1;
}

static int allow(int fan, int fd)
{
	struct fanotify_response r = { fd, FAN_ALLOW };
	int ok = write(fan, &r, sizeof(r)) == (ssize_t)sizeof(r);

	(void)close(fd);
	return ok ? 0 : -errno;
}

/* Read what is queued; keep the permission events' fds to answer later. */
static int take_events(int fan, int *held, int *nheld)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t len = read(fan, buf, sizeof(buf));
	struct fanotify_event_metadata *m = (void *)buf;

	if (len < 0)
		return errno == EAGAIN ? 0 : -errno;
	for (; FAN_EVENT_OK(m, len); m = FAN_EVENT_NEXT(m, len)) {
		if (m->fd < 0)
			continue;
		if (*nheld == MAX_HELD) {
			if (allow(fan, m->fd) < 0)
				return -errno;
			continue;
		}
		held[(*nheld)++] = m->fd;
		printf("held %d\n", (int)m->pid);
		fflush(stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int held[MAX_HELD], nheld = 0, fan, sig;
	struct pollfd pfd[2];
	sigset_t set;
	time_t until;

	if (argc != 3)
		return 2;
	until = time(NULL) + atoi(argv[2]);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return die("sigprocmask");
	sig = signalfd(-1, &set, SFD_CLOEXEC);
	if (sig < 0)
		return die("signalfd");
	fan = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK |
				    FAN_REPORT_TID,
			    O_RDONLY | O_CLOEXEC);
	if (fan < 0)
		return die("fanotify_init");
	if (fanotify_mark(fan, FAN_MARK_ADD, FAN_OPEN_PERM | FAN_ONDIR,
			  AT_FDCWD, argv[1]) < 0)
		return die(argv[1]);
	printf("ready\n");
	fflush(stdout);
	pfd[0] = (struct pollfd){ fan, POLLIN, 0 };
	pfd[1] = (struct pollfd){ sig, POLLIN, 0 };
	while (time(NULL) < until && !(pfd[1].revents & POLLIN)) {
		if (poll(pfd, 2, 100) < 0 && errno != EINTR)
			return die("poll");
		if ((pfd[0].revents & POLLIN) &&
		    take_events(fan, held, &nheld) < 0)
			return die("read");
	}
	for (int i = 0; i < nheld; i++)
		if (allow(fan, held[i]) < 0)
			return die("answer");
	printf("released %d\n", nheld);
	fflush(stdout);
	return 0;
}
