/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inodetab.h - open-addressing hash tables keyed by (st_dev, st_ino).
 *
 * Files are judged by inode, never by the name an opener used: a hardlink
 * of a protected file under an unprotected name is the same inode
 * (design.md). Two uses in the daemon:
 *  - the set of protected inodes, filled by a walk before sealing;
 *  - the exec verdict cache: a verdict stays valid while the file's ctime
 *    and size are unchanged (any write or attribute change moves ctime).
 */
#ifndef SEALGUARD_INODETAB_H
#define SEALGUARD_INODETAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* 24 bytes: the protected-inode table of a 100,000-file tree is about
 * 150,000 of them, locked in memory (main.c: lock_memory). */
struct sg_inode_entry {
	uint64_t ino;
	/* st_ctim and st_size when the value was stored, as one keyed 64-bit
	 * digest (inodetab.c: stamp): 8 bytes instead of 16, and a changed
	 * file passes for the stored one with odds of 2^-64 */
	uint64_t stamp;
	uint32_t dev; /* st_dev: stat(2) encodes the kernel's 32-bit dev_t */
	uint8_t used;
	uint8_t value; /* caller-defined (a verdict) */
	uint8_t reason; /* caller-defined */
};

struct sg_inodetab {
	struct sg_inode_entry *slots;
	size_t cap;   /* any size: slots are picked by multiply-shift */
	size_t count; /* at most 7/10 of cap */
	size_t limit; /* 0: grows; else cleared when full (a bounded cache) */
	uint64_t key[2]; /* the stamps' key, from getrandom(2) at init */
};

/* Initialise with room for about `hint` entries without growing; limit
 * as above. 0, -ENOMEM, or the negative errno of getrandom(2). */
int sg_inodetab_init(struct sg_inodetab *t, size_t hint, size_t limit);
void sg_inodetab_free(struct sg_inodetab *t);

/* Insert or update the entry for st's inode. 0, -ENOMEM, or -EOVERFLOW
 * for a st_dev wider than 32 bits (never seen from stat(2)). */
int sg_inodetab_put(struct sg_inodetab *t, const struct stat *st,
		    uint8_t value, uint8_t reason);

/* The entry for (dev, ino), or NULL. */
const struct sg_inode_entry *sg_inodetab_get(const struct sg_inodetab *t,
					     uint64_t dev, uint64_t ino);

/* The entry for st's inode if its ctime and size still match, or NULL. */
const struct sg_inode_entry *sg_inodetab_get_fresh(const struct sg_inodetab *t,
						   const struct stat *st);

static inline bool sg_inodetab_has(const struct sg_inodetab *t, uint64_t dev,
				   uint64_t ino)
{
	return sg_inodetab_get(t, dev, ino) != NULL;
}

#endif
