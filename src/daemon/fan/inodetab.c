/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inodetab.c - (dev, ino) hash tables. See inodetab.h.
 */
#include <sys/random.h>

#include "fan/inodetab.h"
#include "util.h"

/* splitmix64's finaliser: a bijection that spreads every input bit */
static uint64_t finalise(uint64_t x)
{
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t mix(uint64_t dev, uint64_t ino)
{
	/* inode numbers are sequential: spread them over the slots */
	return finalise(ino ^ (dev * 0x9e3779b97f4a7c15ULL));
}

/* The fullest a table gets, in tenths: linear probing stays short (about
 * 2 probes to find an entry, 6 to miss) and a table of n entries takes
 * 24 * n / 0.7 bytes, not the power of two above 2 * n it once did. */
#define LOAD_TENTHS 7
#define MIN_CAP 64

static int64_t ctime_ns(const struct stat *st)
{
	return (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

/*
 * What freshness is judged by: ctime and size, keyed and folded into 64
 * bits. Not a MAC, but the key never leaves the daemon, so a collision
 * cannot be worked out offline: a root who wants a changed file to pass
 * must guess blind, one write and one open (seen by the guard) per try.
 * Forging ctime exactly, through the clock, stays the cheaper attack, as
 * it was when both were stored whole (README: threat model).
 */
static uint64_t stamp(const struct sg_inodetab *t, const struct stat *st)
{
	uint64_t x = finalise((uint64_t)ctime_ns(st) ^ t->key[0]);

	return finalise(x ^ (uint64_t)st->st_size ^ t->key[1]);
}

/* Room for n entries at the load bound. */
static size_t cap_for(size_t n)
{
	size_t cap = n / LOAD_TENTHS * 10 + 10;

	return cap < MIN_CAP ? MIN_CAP : cap;
}

/* The home slot of a hash: its high bits scaled to [0, cap) (Lemire's
 * multiply-shift), which needs no power-of-two size. */
static size_t home_slot(uint64_t hash, size_t cap)
{
	return (size_t)(((unsigned __int128)hash * cap) >> 64);
}

static struct sg_inode_entry *find_slot(const struct sg_inodetab *t,
					uint64_t dev, uint64_t ino)
{
	for (size_t i = home_slot(mix(dev, ino), t->cap);;) {
		struct sg_inode_entry *e = &t->slots[i];

		if (!e->used || (e->dev == dev && e->ino == ino))
			return e;
		if (++i == t->cap)
			i = 0;
	}
}

int sg_inodetab_init(struct sg_inodetab *t, size_t hint, size_t limit)
{
	size_t cap = cap_for(hint);

	if (getrandom(t->key, sizeof(t->key), 0) != (ssize_t)sizeof(t->key))
		return errno ? -errno : -EIO;
	t->slots = calloc(cap, sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->cap = cap;
	t->count = 0;
	t->limit = limit;
	return 0;
}

void sg_inodetab_free(struct sg_inodetab *t)
{
	free(t->slots);
	*t = (struct sg_inodetab){ 0 };
}

/* Half as big again: a walk that outgrows its hint (files made since the
 * baseline) does not double the table for a few more. */
static int grow(struct sg_inodetab *t)
{
	struct sg_inodetab bigger = { 0 };
	int r;

	r = sg_inodetab_init(&bigger, t->count + t->count / 2 + 1, 0);
	if (r < 0)
		return r;
	/* the stamps moved over were made with this key (a zeroed table
	 * has none, and no stamps) */
	if (t->count)
		memcpy(bigger.key, t->key, sizeof(bigger.key));
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i].used)
			*find_slot(&bigger, t->slots[i].dev, t->slots[i].ino) =
				t->slots[i];
	bigger.count = t->count;
	bigger.limit = t->limit;
	free(t->slots);
	*t = bigger;
	return 0;
}

int sg_inodetab_put(struct sg_inodetab *t, const struct stat *st,
		    uint8_t value, uint8_t reason)
{
	struct sg_inode_entry *e;
	int r;

	if (st->st_dev > UINT32_MAX)
		return -EOVERFLOW;
	e = t->cap ? find_slot(t, st->st_dev, st->st_ino) : NULL;
	/* an update in place needs no room: only a new entry does */
	if (!e || !e->used) {
		if (t->limit && t->count >= t->limit) {
			/* a bounded cache: forget everything, start over */
			memset(t->slots, 0, t->cap * sizeof(*t->slots));
			t->count = 0;
		}
		if ((t->count + 1) * 10 > t->cap * LOAD_TENTHS) {
			r = grow(t);
			if (r < 0)
				return r;
		}
		e = find_slot(t, st->st_dev, st->st_ino);
		t->count++;
	}
	*e = (struct sg_inode_entry){
		.dev = (uint32_t)st->st_dev,
		.ino = st->st_ino,
		.stamp = stamp(t, st),
		.used = 1,
		.value = value,
		.reason = reason,
	};
	return 0;
}

const struct sg_inode_entry *sg_inodetab_get(const struct sg_inodetab *t,
					     uint64_t dev, uint64_t ino)
{
	const struct sg_inode_entry *e;

	if (!t->cap || dev > UINT32_MAX)
		return NULL; /* never stored (sg_inodetab_put) */
	e = find_slot(t, dev, ino);
	return e->used ? e : NULL;
}

const struct sg_inode_entry *sg_inodetab_get_fresh(const struct sg_inodetab *t,
						   const struct stat *st)
{
	const struct sg_inode_entry *e = sg_inodetab_get(t, st->st_dev,
							 st->st_ino);

	if (e && e->stamp == stamp(t, st))
		return e;
	return NULL;
}
