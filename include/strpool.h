/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strpool.h - many small strings that live and die together.
 *
 * A loaded baseline holds a path per file, kept for the daemon's whole
 * life: 100,000 of them as separate heap blocks pay the allocator's
 * header and rounding on each (a 37-byte path takes a 48-byte block).
 * A pool packs them end to end in large chunks that never move (a
 * string's address stays valid) and frees them all at once.
 */
#ifndef SEALGUARD_STRPOOL_H
#define SEALGUARD_STRPOOL_H

#include <stddef.h>

struct sg_strpool_chunk;

struct sg_strpool {
	struct sg_strpool_chunk *head; /* the chunk being filled; NULL */
};

/* A copy of s in the pool, or NULL (out of memory). */
char *sg_strpool_dup(struct sg_strpool *p, const char *s);

/* Bytes held by the pool's chunks (for tests and status). */
size_t sg_strpool_bytes(const struct sg_strpool *p);

/* Free every string of the pool; it may be used again. */
void sg_strpool_free(struct sg_strpool *p);

#endif
