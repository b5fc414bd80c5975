/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memwatch.c - the tripwire on /proc/PID/mem. See memwatch.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "sys/memwatch.h"
#include "util.h"

#define MEM_EVENTS (IN_OPEN | IN_ACCESS | IN_MODIFY)

int sg_memwatch_open(struct sg_memwatch *w)
{
	w->n = 0;
	w->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	return w->inotify < 0 ? -errno : 0;
}

/* Open and watch one memory file, path relative to /proc. */
static int watch_file(struct sg_memwatch *w, int proc_fd,
		      enum sg_memwatch_target t, const char *path)
{
	struct sg_memwatch_file *f;
	char fdpath[64];
	int r;

	if (w->n == SG_MEMWATCH_MAX)
		return -ENOSPC;
	f = &w->files[w->n];
	f->target = t;
	f->keep = openat(proc_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (f->keep < 0)
		return -errno;
	/* the very file kept open, not a fresh lookup of its name */
	snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", f->keep);
	f->wd = inotify_add_watch(w->inotify, fdpath, MEM_EVENTS);
	if (f->wd < 0) {
		r = -errno;
		(void)close(f->keep);
		return r;
	}
	w->n++;
	return 0;
}

int sg_memwatch_add(struct sg_memwatch *w, int proc_fd,
		    enum sg_memwatch_target t, pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *tasks;
	int fd, r, first;

	snprintf(path, sizeof(path), "%d/mem", (int)pid);
	first = watch_file(w, proc_fd, t, path);
	snprintf(path, sizeof(path), "%d/task", (int)pid);
	fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	tasks = fd < 0 ? NULL : fdopendir(fd);
	if (!tasks) {
		r = -errno;
		if (fd >= 0)
			(void)close(fd);
		return first < 0 ? first : r;
	}
	while ((de = readdir(tasks))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%d/task/%.16s/mem", (int)pid,
			 de->d_name);
		r = watch_file(w, proc_fd, t, path);
		if (r < 0 && first == 0)
			first = r;
	}
	(void)closedir(tasks);
	return first;
}

static unsigned bits_of(uint32_t mask)
{
	return (mask & IN_OPEN ? SG_MEM_OPENED : 0) |
	       (mask & IN_ACCESS ? SG_MEM_READ : 0) |
	       (mask & IN_MODIFY ? SG_MEM_WRITTEN : 0);
}

/* The events of one read; IN_Q_OVERFLOW (wd -1) says some were lost. */
static int take_events(struct sg_memwatch *w, const char *buf, size_t n,
		       unsigned ret[SG_MEM__COUNT])
{
	int err = 0;

	for (const char *p = buf; p < buf + n;) {
		const struct inotify_event *e = (const void *)p;

		if (e->mask & IN_Q_OVERFLOW)
			err = -EOVERFLOW;
		for (unsigned i = 0; i < w->n; i++)
			if (w->files[i].wd >= 0 && e->wd == w->files[i].wd)
				ret[w->files[i].target] |= bits_of(e->mask);
		p += sizeof(*e) + e->len;
	}
	return err;
}

int sg_memwatch_read(struct sg_memwatch *w, unsigned ret[SG_MEM__COUNT])
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int err = 0;

	for (int t = 0; t < SG_MEM__COUNT; t++)
		ret[t] = 0;
	if (w->inotify < 0)
		return 0;
	for (;;) {
		ssize_t n = read(w->inotify, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? err : -errno;
		if (take_events(w, buf, (size_t)n, ret) < 0)
			err = -EOVERFLOW;
	}
}

/* No inotify_rm_watch (the sealed daemon may not call it): the events of
 * a forgotten file are ignored, and its watch goes with the inode, which
 * the kept descriptor no longer pins. */
void sg_memwatch_forget(struct sg_memwatch *w, enum sg_memwatch_target t)
{
	for (unsigned i = 0; i < w->n; i++) {
		struct sg_memwatch_file *f = &w->files[i];

		if (f->target != t || f->keep < 0)
			continue;
		(void)close(f->keep);
		f->keep = -1;
		f->wd = -1;
	}
}

void sg_memwatch_close(struct sg_memwatch *w)
{
	for (int t = 0; t < SG_MEM__COUNT; t++)
		sg_memwatch_forget(w, (enum sg_memwatch_target)t);
	w->n = 0;
	if (w->inotify >= 0)
		(void)close(w->inotify);
	w->inotify = -1;
}
