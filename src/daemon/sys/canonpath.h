/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * canonpath.h - the names a file has through the mounts of its
 * filesystem: pure functions over a parsed mount table (mounts.h).
 *
 * A bind mount shows a part of a filesystem somewhere else: the same
 * directory has one name through each mount whose root covers it. The
 * policy's paths are written against one of them (normally the
 * filesystem's main mount), but an opener may come through any other
 * (issue #12, door 6: `mount --bind /etc /tmp/alias`). The path of an
 * event's descriptor is the name through the mount it was opened by; from
 * that mount's entry (its root inside the filesystem and its mount point)
 * the path inside the filesystem follows, and from that, its name
 * through every other mount of the same filesystem.
 */
#ifndef SEALGUARD_CANONPATH_H
#define SEALGUARD_CANONPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "sys/mounts.h"

/* The mount with mountinfo id id, or NULL. */
const struct sg_mount *sg_mounts_by_id(const struct sg_mounts *m, int id);

/*
 * The path inside mnt's filesystem of path, a name seen through mnt:
 * mnt->root joined with what follows mnt->point. 0, -EXDEV (path is not
 * below mnt->point: not a name through mnt) or -ENAMETOOLONG. buf is
 * written only on success.
 */
int sg_mount_inner_path(const struct sg_mount *mnt, const char *path,
			char *buf, size_t size);

/*
 * The name through mnt of inner, a path inside mnt's filesystem: mnt->point
 * joined with what follows mnt->root. 0, -EXDEV (mnt's root does not cover
 * inner: the file is not visible through mnt) or -ENAMETOOLONG.
 */
int sg_mount_outer_path(const struct sg_mount *mnt, const char *inner,
			char *buf, size_t size);

/*
 * Walk the names of inner (a path inside the filesystem that like's
 * entries call dev) through every mount of m that shows it: start with
 * *cursor = 0; each call writes the next name into buf and returns 1, or
 * returns 0 when there is none left (or a negative errno). A mount whose
 * name would not fit is skipped (-ENAMETOOLONG is not an answer about
 * the file).
 */
int sg_mounts_next_name(const struct sg_mounts *m, const struct sg_mount *like,
			const char *inner, size_t *cursor, char *buf,
			size_t size);

/*
 * The name of inner a reader should see: through the mount of its
 * filesystem whose root covers the most (the filesystem's own root if
 * it is mounted), the earliest mounted among equals. 0, or -ENOENT if no
 * mount of m shows it.
 */
int sg_mounts_canon_name(const struct sg_mounts *m, const struct sg_mount *like,
			 const char *inner, char *buf, size_t size);

#endif
