/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mntns.c - the mount namespaces of the processes /proc shows. See
 * mntns.h.
 */
#include <dirent.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "sys/mntns.h"
#include "util.h"

static pid_t pid_of(const char *name)
{
	char *end;
	long v;

	if (*name < '1' || *name > '9')
		return 0;
	errno = 0;
	v = strtol(name, &end, 10);
	return (errno || *end || v > INT32_MAX) ? 0 : (pid_t)v;
}

int sg_mntns_of(int procfd, pid_t pid, ino_t *ret)
{
	char name[64];
	struct stat st;

	snprintf(name, sizeof(name), "%d/ns/mnt", (int)pid);
	if (fstatat(procfd, name, &st, 0) < 0)
		return -errno;
	*ret = st.st_ino;
	return 0;
}

static int push(struct sg_mntns_scan *s, size_t *cap, pid_t pid, ino_t ns)
{
	if (s->n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		struct sg_mntns_proc *grown = realloc(s->v, c * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		s->v = grown;
		*cap = c;
	}
	s->v[s->n++] = (struct sg_mntns_proc){ pid, ns };
	return 0;
}

int sg_mntns_scan(int procfd, struct sg_mntns_scan *ret)
{
	struct sg_mntns_scan s = { 0 };
	struct dirent *de;
	size_t cap = 0;
	DIR *dir;
	int fd, r = 0;

	fd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	while (r == 0 && (de = readdir(dir))) {
		pid_t pid = pid_of(de->d_name);
		ino_t ns;

		/* a process that exited, or a kernel thread's: left out */
		if (pid > 0 && sg_mntns_of(procfd, pid, &ns) == 0)
			r = push(&s, &cap, pid, ns);
	}
	(void)closedir(dir);
	if (r < 0) {
		sg_mntns_scan_free(&s);
		return r;
	}
	*ret = s;
	return 0;
}

void sg_mntns_scan_free(struct sg_mntns_scan *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

int sg_mntns_mounts(int procfd, pid_t pid, struct sg_mounts *ret)
{
	char name[64];
	int fd, r;

	snprintf(name, sizeof(name), "%d/mountinfo", (int)pid);
	fd = openat(procfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = sg_mounts_read_fd(fd, ret);
	(void)close(fd);
	return r;
}
