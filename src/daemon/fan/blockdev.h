/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blockdev.h - the guard of the block devices under marked filesystems.
 *
 * Whoever opens the device of a protected (or exec-checked) filesystem
 * for writing rewrites its files below the page cache: no open of a file
 * on it happens. The guard therefore denies write-opens of those devices
 * (the whole disk of a partition, the slaves of a dm device, a loop
 * device's backing file: sys/blockdev.h finds them) through:
 *   - the nodes in /dev (devtmpfs, never marked as a whole): an inode mark
 *     (FAN_OPEN_PERM) on each node of such a device, found by a walk of
 *     /dev at start, after mount changes and once a second; a node that
 *     appears later is reported as a violation, then marked;
 *   - nodes on marked filesystems (mknod on a marked tmpfs): their opens
 *     arrive anyway; the first one is reported as a new node;
 *   - a loop device's backing file: an inode mark on it.
 * Nodes on filesystems the daemon does not mark are out of its sight
 * (docs/seal.md: what remains).
 */
#ifndef SEALGUARD_FAN_BLOCKDEV_H
#define SEALGUARD_FAN_BLOCKDEV_H

#include <stdbool.h>
#include <sys/stat.h>

#include "daemon.h"
#include "errlist.h"

struct sg_blockguard;

/* Open /sys/dev/block and /dev, and say (in the journal) whether the
 * kernel itself refuses writes to mounted block devices. */
int sg_blockguard_start(const struct sg_daemon *d, int fan_fd,
			struct sg_blockguard **ret, struct errlist *errs);

/* The mark plan changed (or was made): find the devices under its
 * filesystems, mark their nodes and backing files. Problems in errs. */
int sg_blockguard_update(struct sg_blockguard *bg,
			 const struct sg_mark_plan *plan, struct errlist *errs);

/* The event's file is a guarded device node, or a loop backing file:
 * its write-opens are denied. Cheap: a mode test, then a short list. */
bool sg_blockguard_covers(const struct sg_blockguard *bg,
			  const struct stat *st);

/* An open of a covered node that no walk of /dev found (mknod on a marked
 * filesystem): reported once as a new node. path may be NULL. */
void sg_blockguard_seen(struct sg_blockguard *bg, const struct stat *st,
			const char *path);

/* Once a second: walk /dev for new nodes of guarded devices. */
void sg_blockguard_tick(struct sg_blockguard *bg);

/* NULL is a no-op. */
void sg_blockguard_free(struct sg_blockguard *bg);

#endif
