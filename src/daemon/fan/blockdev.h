/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blockdev.h - the guard of the block devices under marked filesystems.
 *
 * Whoever opens the device of a protected (or exec-checked) filesystem
 * for writing rewrites its files below the page cache: no open of a file
 * on it happens. sys/blockdev.h finds those devices (the whole disk of a
 * partition, the slaves of a dm device, a loop device's backing file).
 * What fanotify lets the guard do about them (Linux 6.18, measured):
 *   - a loop device's backing file is a regular file: an inode mark
 *     (FAN_OPEN_PERM) on it, and its write-opens are denied;
 *   - device nodes raise no fanotify event at all, whatever the mark
 *     (inode, mount, filesystem), so their write-opens cannot be denied
 *     here: the kernel's own bdev_allow_write_mounted=0 does that, and
 *     the daemon says at start whether it is in force;
 *   - a new node for such a device in /dev is reported (a walk of /dev
 *     once a second): someone made a way to the device.
 * docs/seal.md says what remains.
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
 * filesystems, mark their backing files, note their nodes in /dev.
 * Problems in errs. */
int sg_blockguard_update(struct sg_blockguard *bg,
			 const struct sg_mark_plan *plan, struct errlist *errs);

/* The event's file is the backing file of a guarded loop device: its
 * write-opens are denied. Cheap: a count, a mode test, a short list. */
bool sg_blockguard_covers(const struct sg_blockguard *bg,
			  const struct stat *st);

/* Once a second: walk /dev for new nodes of guarded devices. */
void sg_blockguard_tick(struct sg_blockguard *bg);

/* NULL is a no-op. */
void sg_blockguard_free(struct sg_blockguard *bg);

#endif
