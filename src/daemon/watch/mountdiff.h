/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mountdiff.h - what a mount table says about protected paths: where each
 * lies in its filesystem, which mounts matter to them (under, over, or a
 * bind of their tree elsewhere), and what changed between two tables.
 * Pure: no system call (unit-tested). The read-only mounts (rdonly.h)
 * report the changes with it.
 */
#ifndef SEALGUARD_MOUNTDIFF_H
#define SEALGUARD_MOUNTDIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "sys/mounts.h"

struct sg_fsref {
	dev_t dev;
	char *inpath; /* the path within the filesystem ("/etc") */
};

/* What a mount change is, for sg_mounts_diff. */
enum sg_mount_change {
	SG_MOUNT_ADDED,
	SG_MOUNT_REMOVED,
	SG_MOUNT_RW, /* now writable: remounted read-write */
	SG_MOUNT_RO, /* now read-only */
};

/*
 * Where each root lies in its filesystem, from mount table m (roots the
 * table cannot place are left out). 0 or -ENOMEM; free with
 * sg_fsrefs_free.
 */
int sg_fsrefs_build(const struct sg_mounts *m, const char *const *roots,
		    size_t nroots, struct sg_fsref **ret, size_t *ret_n);
void sg_fsrefs_free(struct sg_fsref *refs, size_t n);

/*
 * Does mount m matter to the roots: mounted at, under or over one
 * (hiding it), or showing the filesystem tree of one elsewhere?
 */
bool sg_mount_relevant(const struct sg_mount *m, const char *const *roots,
		       size_t nroots, const struct sg_fsref *refs,
		       size_t nrefs);

/* Called once per change; a is the old mount (NULL if added), b the new
 * one (NULL if removed). */
typedef void (*sg_mount_diff_cb)(enum sg_mount_change kind,
				 const struct sg_mount *a,
				 const struct sg_mount *b, void *userdata);

/*
 * Compare two mount tables by mount id: mounts that appeared, went, or
 * became writable or read-only (per-mount or superblock flag). A mount id
 * reused for another mount counts as a removal and an addition.
 * 0 or -ENOMEM.
 */
int sg_mounts_diff(const struct sg_mounts *old, const struct sg_mounts *cur,
		   sg_mount_diff_cb cb, void *userdata);

/* The name of a change for the journal ("mount", "remount-rw", ...). */
const char *sg_mount_change_name(enum sg_mount_change kind);

/* ---------------------------------------------------------------- daemon */


/*
 * Where path (on mount m, at or below its mount point) is within m's
 * filesystem, into buf ("/etc" for /etc on the root filesystem). 0 or
 * -ENAMETOOLONG.
 */
int sg_mount_in_fs_path(const struct sg_mount *m, const char *path,
			char *buf, size_t size);

#endif
