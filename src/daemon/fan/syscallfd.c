/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * syscallfd.c - kept /proc/<tid>/syscall descriptors. See syscallfd.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "fan/syscallfd.h"

void sg_syscall_fds_init(struct sg_syscall_fds *c, int procfd)
{
	c->procfd = procfd;
	for (size_t i = 0; i < SG_SYSCALL_FDS; i++)
		c->slot[i] = (struct sg_syscall_fd){ 0, -1, false };
}

static void release(struct sg_syscall_fd *s)
{
	if (s->fd >= 0)
		(void)close(s->fd);
	*s = (struct sg_syscall_fd){ 0, -1, false };
}

static int open_for(struct sg_syscall_fds *c, struct sg_syscall_fd *s,
		    pid_t tid)
{
	char name[32];
	int fd;

	release(s);
	snprintf(name, sizeof(name), "%d/syscall", (int)tid);
	fd = openat(c->procfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	*s = (struct sg_syscall_fd){ tid, fd, true };
	return 0;
}

static ssize_t read_line(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

ssize_t sg_syscall_fds_read(struct sg_syscall_fds *c, pid_t tid, char *buf,
			    size_t size)
{
	struct sg_syscall_fd *s = &c->slot[(unsigned)tid % SG_SYSCALL_FDS];
	ssize_t n;
	int r;

	if (tid <= 0 || size == 0)
		return -EINVAL;
	if (s->tid == tid) {
		s->used = true;
		n = read_line(s->fd, buf, size);
		if (n != -ESRCH)
			return n;
		/* that thread is gone: tid may be a new one's now */
	}
	r = open_for(c, s, tid);
	if (r < 0)
		return r;
	n = read_line(s->fd, buf, size);
	if (n < 0)
		release(s);
	return n;
}

void sg_syscall_fds_sweep(struct sg_syscall_fds *c)
{
	for (size_t i = 0; i < SG_SYSCALL_FDS; i++) {
		struct sg_syscall_fd *s = &c->slot[i];

		if (s->tid && !s->used)
			release(s);
		s->used = false;
	}
}

void sg_syscall_fds_close(struct sg_syscall_fds *c)
{
	for (size_t i = 0; i < SG_SYSCALL_FDS; i++)
		release(&c->slot[i]);
}
