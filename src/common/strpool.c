/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * strpool.c - strings packed into chunks. See strpool.h.
 */
#include <stdlib.h>
#include <string.h>

#include "strpool.h"

/* 256 KiB: a 100,000-path baseline fills about 15 of them, and a
 * chunk's unused tail wastes at most one path's length. */
#define CHUNK_BYTES (256 * 1024)

struct sg_strpool_chunk {
	struct sg_strpool_chunk *next; /* the one filled before */
	size_t used, size;
	char data[];
};

static struct sg_strpool_chunk *new_chunk(size_t at_least)
{
	size_t size = at_least > CHUNK_BYTES ? at_least : CHUNK_BYTES;
	struct sg_strpool_chunk *c = malloc(sizeof(*c) + size);

	if (!c)
		return NULL;
	c->next = NULL;
	c->used = 0;
	c->size = size;
	return c;
}

char *sg_strpool_dup(struct sg_strpool *p, const char *s)
{
	size_t len = strlen(s) + 1;
	struct sg_strpool_chunk *c = p->head;
	char *out;

	if (!c || c->size - c->used < len) {
		c = new_chunk(len);
		if (!c)
			return NULL;
		c->next = p->head;
		p->head = c;
	}
	out = c->data + c->used;
	memcpy(out, s, len);
	c->used += len;
	return out;
}

size_t sg_strpool_bytes(const struct sg_strpool *p)
{
	size_t n = 0;

	for (const struct sg_strpool_chunk *c = p->head; c; c = c->next)
		n += c->size;
	return n;
}

void sg_strpool_free(struct sg_strpool *p)
{
	struct sg_strpool_chunk *c = p->head;

	while (c) {
		struct sg_strpool_chunk *next = c->next;

		free(c);
		c = next;
	}
	p->head = NULL;
}
