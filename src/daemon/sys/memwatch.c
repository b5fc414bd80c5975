/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memwatch.c - the tripwire on /proc/PID/mem. See memwatch.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "sys/memwatch.h"
#include "util.h"

#define MEM_EVENTS (IN_OPEN | IN_ACCESS | IN_MODIFY | IN_Q_OVERFLOW)

/* No inotify_rm_watch (the sealed daemon may not call it): its events
 * are ignored from now on, and the watch goes with the inode, which the
 * kept descriptor no longer pins. */
static void forget(struct sg_memwatch *w, enum sg_memwatch_target t)
{
	w->wd[t] = -1;
	if (w->keep[t] >= 0)
		(void)close(w->keep[t]);
	w->keep[t] = -1;
}

int sg_memwatch_open(struct sg_memwatch *w)
{
	*w = (struct sg_memwatch){ .inotify = -1,
				   .keep = { -1, -1 },
				   .wd = { -1, -1 } };
	w->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	return w->inotify < 0 ? -errno : 0;
}

int sg_memwatch_add(struct sg_memwatch *w, int proc_fd,
		    enum sg_memwatch_target t, pid_t pid)
{
	char path[32], fdpath[64];
	int r;

	snprintf(path, sizeof(path), "%d/mem", (int)pid);
	w->keep[t] = openat(proc_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (w->keep[t] < 0)
		return -errno;
	/* the very file kept open, not a fresh lookup of its name */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", w->keep[t]);
	w->wd[t] = inotify_add_watch(w->inotify, fdpath,
				     MEM_EVENTS & ~IN_Q_OVERFLOW);
	if (w->wd[t] < 0) {
		r = -errno;
		forget(w, t);
		return r;
	}
	return 0;
}

static unsigned bits_of(uint32_t mask)
{
	return (mask & IN_OPEN ? SG_MEM_OPENED : 0) |
	       (mask & IN_ACCESS ? SG_MEM_READ : 0) |
	       (mask & IN_MODIFY ? SG_MEM_WRITTEN : 0);
}

int sg_memwatch_read(struct sg_memwatch *w, unsigned ret[SG_MEM__COUNT])
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int err = 0;

	for (int t = 0; t < SG_MEM__COUNT; t++)
		ret[t] = 0;
	for (;;) {
		ssize_t n = read(w->inotify, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? err : -errno;
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *e = (const void *)p;

			if (e->mask & IN_Q_OVERFLOW) {
				for (int t = 0; t < SG_MEM__COUNT; t++)
					if (w->wd[t] >= 0)
						ret[t] |= SG_MEM_WRITTEN;
				err = -EOVERFLOW;
			}
			for (int t = 0; t < SG_MEM__COUNT; t++)
				if (e->wd == w->wd[t] && w->wd[t] >= 0)
					ret[t] |= bits_of(e->mask);
			p += sizeof(*e) + e->len;
		}
	}
}

void sg_memwatch_forget(struct sg_memwatch *w, enum sg_memwatch_target t)
{
	forget(w, t);
}

void sg_memwatch_close(struct sg_memwatch *w)
{
	for (int t = 0; t < SG_MEM__COUNT; t++)
		forget(w, t);
	if (w->inotify >= 0)
		(void)close(w->inotify);
	w->inotify = -1;
}
