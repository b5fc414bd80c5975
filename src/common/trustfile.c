/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trustfile.c - refuse configuration files others could have written.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "trustfile.h"

int sg_check_trusted_file(int fd, const char *path, struct errlist *errs)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	/* Not a file that holds a configuration at all: it cannot be read
	 * as one (-EISDIR, -ENXIO), which is not the same as a file read
	 * and found invalid. */
	if (!S_ISREG(st.st_mode)) {
		(void)errlist_add(errs, "%s: not a regular file", path);
		return S_ISDIR(st.st_mode) ? -EISDIR : -ENXIO;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		(void)errlist_add(errs,
				  "%s: writable by group or others (mode %04o): refusing to trust it",
				  path, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		(void)errlist_add(errs,
				  "%s: owned by uid %u, neither root nor us: refusing to trust it",
				  path, (unsigned)st.st_uid);
		return -EPERM;
	}
	return 0;
}

int sg_open_trusted(const char *path, struct errlist *errs)
{
	int fd, r, flags;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	r = sg_check_trusted_file(fd, path, errs);
	/* a regular file: reads block as usual from here on */
	flags = r < 0 ? -1 : fcntl(fd, F_GETFL);
	if (r >= 0 && (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0))
		r = -errno;
	if (r < 0) {
		(void)close(fd);
		return r;
	}
	return fd;
}

int sg_fopen_trusted(const char *path, FILE **ret, struct errlist *errs)
{
	int fd = sg_open_trusted(path, errs);
	FILE *f;

	if (fd < 0)
		return fd;
	f = fdopen(fd, "r");
	if (!f) {
		int r = -errno;

		(void)close(fd);
		return r;
	}
	*ret = f;
	return 0;
}
