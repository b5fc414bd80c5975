/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trustfile.c - refuse configuration files others could have written.
 */
#include <sys/stat.h>

#include "trustfile.h"

int sg_check_trusted_file(int fd, const char *path, struct errlist *errs)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		(void)errlist_add(errs, "%s: not a regular file", path);
		return -EINVAL;
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
