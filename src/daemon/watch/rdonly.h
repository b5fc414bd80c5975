/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rdonly.h - read-only mounts of protected paths, and the mount watch.
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
#ifndef SEALGUARD_RDONLY_H
#define SEALGUARD_RDONLY_H

#include <stddef.h>

struct sg_daemon;
struct errlist;
struct sg_rdonly;

/*
 * Make every [protect] seal path a read-only mount of itself (or adopt
 * one a previous run left), and take the first mount table snapshot.
 * Under --confine, a seal path must lie below it, on a filesystem other
 * than the root's. *ret is NULL when there is nothing to do (no seal
 * paths and no [changes]). Problems go to errs. 0 or a negative errno
 * (nothing left open; read-only mounts already made stay).
 */
int sg_rdonly_start(const struct sg_daemon *d, struct sg_rdonly **ret,
		    struct errlist *errs);

/* mountinfo changed: report, and restore the read-only mounts (policy
 * reseal). NULL is ignored. */
void sg_rdonly_mounts_changed(struct sg_rdonly *ro);

/* "; seals: ..." for STATUS= (empty for NULL). */
void sg_rdonly_status(const struct sg_rdonly *ro, char *buf, size_t size);

/* A clean stop: lift the read-only mounts this daemon holds (each
 * logged). NULL is ignored. */
void sg_rdonly_unseal(struct sg_rdonly *ro);

/* NULL is ignored. */
void sg_rdonly_free(struct sg_rdonly *ro);

#endif
