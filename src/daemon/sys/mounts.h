/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mounts.h - which filesystems the guard marks, from /proc/self/mountinfo.
 *
 * Marks are filesystem marks (FAN_MARK_FILESYSTEM): a bind mount of a
 * protected tree is a new mount that a mount mark would miss, but it is the
 * same superblock (design.md). A filesystem is marked when it holds a
 * protected path (the mount containing the path, and every mount below it)
 * or is in exec scope (every local filesystem, or those holding the
 * policy's exec paths). Pseudo filesystems (proc, sysfs, cgroup, ...) are
 * never marked, and noexec mounts are not marked for exec: the kernel
 * already refuses both execve and PROT_EXEC mappings from them.
 */
#ifndef SEALGUARD_MOUNTS_H
#define SEALGUARD_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct sg_policy;

struct sg_mount {
	int id;
	int parent;   /* id of the mount it is mounted on */
	char *point;  /* unescaped mount point */
	char *fstype;
	bool noexec;
	bool whole; /* shows the filesystem's own root, not a subtree */
	dev_t dev;    /* the filesystem's st_dev (major:minor) */
	char *root;   /* unescaped: what of the filesystem it shows */
	char *source; /* unescaped mount source ("/dev/sda1", "tmpfs") */
	bool ro;      /* read-only mount (per-mount flag) */
	bool sb_ro;   /* read-only filesystem (superblock option) */
};

struct sg_mounts {
	struct sg_mount *v;
	size_t n;
};

/* Why a filesystem is marked. */
enum {
	SG_FS_PROTECT = 1 << 0,    /* holds a write-protected path */
	SG_FS_EXEC = 1 << 1,       /* execs on (part of) it are checked */
	SG_FS_EXEC_WHOLE = 1 << 2, /* ... on all of it: mounted at or below
				      an exec path, no path check needed */
};

/* A filesystem to mark, by one of its mount points. */
struct sg_mark_target {
	char *point;
	dev_t dev; /* st_dev of the mount point */
	unsigned flags; /* SG_FS_* */
};

struct sg_mark_plan {
	struct sg_mark_target *v;
	size_t n;
};

/* Parse mountinfo text. 0, -EINVAL (malformed line) or -ENOMEM. */
int sg_mounts_parse(const char *text, struct sg_mounts *ret);
/* Read and parse the mountinfo behind fd (read from offset 0). */
int sg_mounts_read_fd(int fd, struct sg_mounts *ret);
void sg_mounts_free(struct sg_mounts *m);

/* The mount path lies on: the one whose point is the longest prefix of
 * path, the topmost if several are stacked there. NULL if none. */
const struct sg_mount *sg_mounts_containing(const struct sg_mounts *m,
					    const char *path);

/* True for filesystem types that hold no files a guard must check. */
bool sg_fstype_is_pseudo(const char *fstype);

/*
 * What to mark for policy p given the mounts m: one target per
 * filesystem (st_dev), flags merged. Mount points that cannot be stat()ed
 * are skipped (they vanished). 0 or -ENOMEM.
 */
int sg_mark_plan_build(const struct sg_policy *p, const struct sg_mounts *m,
		       struct sg_mark_plan *ret);
/* Add the filesystem(s) holding one more protected path. 0 or -ENOMEM. */
int sg_mark_plan_add_protected(struct sg_mark_plan *plan,
			       const struct sg_mounts *m, const char *path);

void sg_mark_plan_free(struct sg_mark_plan *plan);

/* The flags planned for dev, or 0 if it is not in the plan. */
unsigned sg_mark_plan_flags(const struct sg_mark_plan *plan, dev_t dev);

#endif
