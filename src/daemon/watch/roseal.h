/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * roseal.h - read-only sealing of protected paths, and the mount watch.
 *
 * A [protect] seal makes a protected path a read-only bind mount of
 * itself (open_tree(OPEN_TREE_CLONE | AT_RECURSIVE), mount_setattr(
 * MOUNT_ATTR_RDONLY, AT_RECURSIVE), move_mount: the clone is read-only
 * before it is attached, submounts included). Every change of the
 * namespace under it (mkdir, unlink, rename, link, symlink, chmod, chown,
 * setxattr, utimes, creating or truncating or writing a file) then fails
 * with EROFS in the kernel, which fanotify cannot do. The price: the
 * kernel refuses those calls before any fanotify event, so an attempt is
 * neither denied by the guard nor logged: a sealed path trades the log
 * of attempts for refusing every kind of change (docs/changes.md).
 *
 * The daemon keeps an O_PATH descriptor of each seal (a plain umount of
 * it then fails with EBUSY) and watches /proc/self/mountinfo: a seal
 * remounted read-write is made read-only again, one unmounted (umount -l)
 * is made again, with reseal = yes (the default), and each is reported.
 * A clean stop lifts the seals this daemon holds; a crash or a kill
 * leaves them, and the next start adopts a read-only bind mount of a
 * path onto itself instead of stacking another.
 *
 * With [changes], the same watch reports every mount that appears, goes,
 * or is remounted read-write or read-only under or over a protected path
 * (or the daemon's own files), or that shows a protected tree somewhere
 * else (a bind mount of it), as SEALGUARD_EVENT=change entries. The
 * kernel does not say who changed a mount.
 */
#ifndef SEALGUARD_ROSEAL_H
#define SEALGUARD_ROSEAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "sys/mounts.h"
#include "log/ratelimit.h"

struct sg_daemon;
struct errlist;

/* A protected path as its own filesystem sees it. */
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

/* ---------------------------------------------------------------- pure */

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

/* What was last reported of a seal, so that each break is told once. */
enum sg_seal_state {
	SG_SEAL_OK,
	SG_SEAL_BROKEN, /* read-write or gone, and not restored */
};

struct sg_seal {
	char *path;
	int fd;       /* O_PATH of the sealed mount; -1 when lost */
	int mnt_id;
	int *sub;     /* mount ids of the read-only mounts below it */
	size_t nsub;
	bool fresh;   /* made again: learn sub from the next table */
	enum sg_seal_state state;
};

struct sg_roseal {
	const struct sg_daemon *d;
	bool active;  /* seals to keep or mount changes to report */
	bool report;  /* [changes]: report mount changes */
	int mountinfo_fd;
	const char **roots; /* protect paths and own files (borrowed) */
	size_t nroots;
	struct sg_fsref *refs;
	size_t nrefs;
	struct sg_seal *seals;
	size_t nseals;
	struct sg_mounts snap; /* the table as last seen */
	const struct sg_mounts *cur; /* the new table, during a diff */
	int *expect;  /* mount ids our own last restore changed */
	size_t nexpect;
	struct sg_ratelimit rl;
	uint64_t reported, restored, failed;
};

/*
 * Seal every [protect] seal path (or adopt a seal a previous run left),
 * and take the first mount table snapshot. Under --confine, a seal path
 * must lie below it, on a filesystem other than the root's. Problems go
 * to errs. 0 or a negative errno.
 */
int sg_roseal_start(struct sg_roseal *rs, const struct sg_daemon *d,
		    struct errlist *errs);

/* mountinfo changed: report, and restore seals (policy reseal). */
void sg_roseal_mounts_changed(struct sg_roseal *rs);

/* "; seals: ..." for STATUS= (empty when inactive). */
void sg_roseal_status(const struct sg_roseal *rs, char *buf, size_t size);

/* A clean stop: lift the seals this daemon holds (each logged). */
void sg_roseal_unseal(struct sg_roseal *rs);

void sg_roseal_free(struct sg_roseal *rs);

#endif
