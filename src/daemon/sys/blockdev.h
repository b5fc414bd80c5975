/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blockdev.h - the block devices under a filesystem, from sysfs.
 *
 * A filesystem on a block device can be rewritten below the page cache by
 * whoever opens that device for writing: no open of a file on the
 * filesystem happens, so the guard sees nothing. The same data is reached
 * through the partition's whole disk, through the slaves of a dm device
 * (or md), and, for a loop device, through its backing file. This file
 * finds all of them in /sys/dev/block/MAJ:MIN (passed as a directory fd,
 * so that the walk can be tested on a fake tree): the "partition" file and
 * the parent directory, "slaves/", "loop/backing_file".
 */
#ifndef SEALGUARD_SYS_BLOCKDEV_H
#define SEALGUARD_SYS_BLOCKDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* A device that reaches a filesystem's data. */
struct sg_blockdev {
	dev_t rdev;
	bool loop;          /* a loop device (or a partition of one) */
	char *backing_file; /* a loop device's backing file, or NULL */
};

struct sg_blockdev_set {
	struct sg_blockdev *v;
	size_t n;
};

/* How deep dm-on-dm-on-loop chains are followed. */
#define SG_BLOCKDEV_MAX_DEPTH 8

/*
 * Add dev and every device below it to set: a partition's whole disk, the
 * slaves of a stacked device, recursively. sysfs_dev_block is a directory
 * fd on /sys/dev/block. A dev with no entry there (tmpfs, an anonymous
 * st_dev) adds nothing. 0, or -ENOMEM; sysfs read errors end the walk of
 * that branch (the device itself is still added).
 */
int sg_blockdev_collect(int sysfs_dev_block, dev_t dev,
			struct sg_blockdev_set *set);

bool sg_blockdev_set_has(const struct sg_blockdev_set *set, dev_t rdev);
void sg_blockdev_set_free(struct sg_blockdev_set *set);

/* Parse "MAJ:MIN\n" as sysfs writes it. 0 or -EINVAL. */
int sg_blockdev_parse_devno(const char *s, dev_t *ret);

/*
 * Does the kernel itself refuse write-opens of mounted block devices
 * (bdev_allow_write_mounted=0, Linux 6.8+)? cmdline is /proc/cmdline's
 * text; config is the kernel's build config text, or NULL if it cannot be
 * read. 1 yes, 0 no, -ENOENT unknown (no parameter and no config).
 */
int sg_blockdev_kernel_refuses(const char *cmdline, const char *config);

#endif
