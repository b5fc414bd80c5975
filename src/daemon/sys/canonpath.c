/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * canonpath.c - the names a file has through the mounts of its
 * filesystem. See canonpath.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "sys/canonpath.h"
#include "util.h"

const struct sg_mount *sg_mounts_by_id(const struct sg_mounts *m, int id)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].id == id)
			return &m->v[i];
	return NULL;
}

/* What follows prefix in path ("" or "/..."); path must be under it. */
static const char *rest_after(const char *path, const char *prefix)
{
	return streq(prefix, "/") ? path : path + strlen(prefix);
}

/* head joined with tail ("" or "/..."), "/" for an empty result. */
static int join(const char *head, const char *tail, char *buf, size_t size)
{
	int n;

	if (streq(head, "/") && tail[0])
		head = "";
	n = snprintf(buf, size, "%s%s", head, tail);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

/* path, which lies under from, as the same place under to (through a
 * buffer of its own: buf may be path itself). */
static int rebase(const char *path, const char *from, const char *to,
		  char *buf, size_t size)
{
	char tmp[PATH_MAX];
	int r;

	if (path[0] != '/' || !path_is_under(path, from))
		return -EXDEV;
	r = join(to, rest_after(path, from), tmp, sizeof(tmp));
	if (r < 0)
		return r;
	if (strlen(tmp) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, tmp);
	return 0;
}

int sg_mount_inner_path(const struct sg_mount *mnt, const char *path,
			char *buf, size_t size)
{
	return rebase(path, mnt->point, mnt->root, buf, size);
}

int sg_mount_outer_path(const struct sg_mount *mnt, const char *inner,
			char *buf, size_t size)
{
	return rebase(inner, mnt->root, mnt->point, buf, size);
}

/* Two entries of one filesystem: the same device number (mountinfo's
 * major:minor, one per superblock) and, to be sure, the same type. */
static bool same_fs(const struct sg_mount *a, const struct sg_mount *b)
{
	return a->dev == b->dev && streq(a->fstype, b->fstype);
}

int sg_mounts_next_name(const struct sg_mounts *m, const struct sg_mount *like,
			const char *inner, size_t *cursor, char *buf,
			size_t size)
{
	while (*cursor < m->n) {
		const struct sg_mount *mnt = &m->v[(*cursor)++];

		if (same_fs(mnt, like) &&
		    sg_mount_outer_path(mnt, inner, buf, size) == 0)
			return 1;
	}
	return 0;
}

int sg_mounts_canon_name(const struct sg_mounts *m, const struct sg_mount *like,
			 const char *inner, char *buf, size_t size)
{
	const struct sg_mount *best = NULL;

	for (size_t i = 0; i < m->n; i++) {
		const struct sg_mount *mnt = &m->v[i];

		if (!same_fs(mnt, like) || !path_is_under(inner, mnt->root))
			continue;
		if (!best || strlen(mnt->root) < strlen(best->root))
			best = mnt;
	}
	if (!best)
		return -ENOENT;
	return sg_mount_outer_path(best, inner, buf, size);
}
