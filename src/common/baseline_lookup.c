/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline_lookup.c - the baseline in memory: the look-ups the daemon
 * makes on it (by path, by hash, covers), which search the regular files
 * only, the node look-up the CLI makes, and freeing. The drift
 * comparison of two baselines is baseline_diff.c.
 */
#include "baseline.h"
#include "baseline_int.h"
#include "pathrule.h"
#include "util.h"

/* ---- look-ups ---- */

static int entry_cmp_path(const void *key, const void *elem)
{
	const struct sg_bl_entry *e = elem;

	return strcmp(key, e->path);
}

const struct sg_bl_entry *sg_baseline_find(const struct sg_baseline *b,
					   const char *path)
{
	if (!b->entries)
		return NULL;
	return bsearch(path, b->entries, b->n, sizeof(*b->entries),
		       entry_cmp_path);
}

static int node_cmp_path(const void *key, const void *elem)
{
	const struct sg_bl_node *n = elem;

	return strcmp(key, n->path);
}

const struct sg_bl_node *sg_baseline_find_node(const struct sg_baseline *b,
					       const char *path)
{
	if (!b->nodes)
		return NULL;
	return bsearch(path, b->nodes, b->nnodes, sizeof(*b->nodes),
		       node_cmp_path);
}

/* Sort key of the hash index: the first 8 hash bytes, compared as a number. */
struct hash_key {
	uint64_t prefix;
	uint32_t idx;
};

static uint64_t hash_prefix(const unsigned char *h)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return v;
}

static int hash_key_cmp(const void *a, const void *b, void *userdata)
{
	const struct hash_key *x = a, *y = b;
	const struct sg_bl_entry *e = userdata;
	int c;

	/* Full compare (and index tie-break) only on a prefix collision. */
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	c = memcmp(e[x->idx].sha256, e[y->idx].sha256, SG_SHA256_LEN);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int sg_baseline_index(struct sg_baseline *b)
{
	_cleanup_free_ struct hash_key *keys = NULL;
	uint32_t *idx = NULL;

	/* 4-byte indices: half the index of a big baseline, in locked
	 * memory for the daemon's life */
	if (b->n > UINT32_MAX)
		return -E2BIG;
	if (b->n > 0) {
		/* Compact keys keep the sort out of the big entries array. */
		keys = malloc(b->n * sizeof(*keys));
		idx = malloc(b->n * sizeof(*idx));
		if (!keys || !idx) {
			free(idx);
			return -ENOMEM;
		}
		for (size_t i = 0; i < b->n; i++)
			keys[i] = (struct hash_key){
				hash_prefix(b->entries[i].sha256), (uint32_t)i };
		qsort_r(keys, b->n, sizeof(*keys), hash_key_cmp, b->entries);
		for (size_t i = 0; i < b->n; i++)
			idx[i] = keys[i].idx;
	}
	free(b->by_hash);
	b->by_hash = idx;
	return 0;
}

bool sg_baseline_has_hash(const struct sg_baseline *b,
			  const unsigned char sha256[SG_SHA256_LEN])
{
	size_t lo = 0, hi = b->n;

	if (!b->by_hash) {
		/* Hand-made baseline without an index: still answer. */
		for (size_t i = 0; i < b->n; i++)
			if (!memcmp(b->entries[i].sha256, sha256,
				    SG_SHA256_LEN))
				return true;
		return false;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(b->entries[b->by_hash[mid]].sha256, sha256,
			       SG_SHA256_LEN);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool sg_baseline_covers(const struct sg_baseline *b, const char *path)
{
	return sg_path_under_any(path, b->roots, b->nroots) &&
	       !sg_path_under_any(path, b->excludes, b->nexcludes);
}

/* ---- freeing ---- */

void sg_bl_free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void sg_baseline_free(struct sg_baseline *b)
{
	if (!b)
		return;
	bool pooled = b->paths.head != NULL;

	for (size_t i = 0; i < b->n && !pooled; i++)
		free(b->entries[i].path);
	free(b->entries);
	for (size_t i = 0; i < b->nnodes; i++) {
		if (!pooled)
			free(b->nodes[i].path);
		free(b->nodes[i].target);
	}
	sg_strpool_free(&b->paths);
	free(b->nodes);
	sg_bl_free_strv(b->xattrs, b->nxattrs);
	sg_bl_free_strv(b->roots, b->nroots);
	sg_bl_free_strv(b->excludes, b->nexcludes);
	free(b->by_hash);
	free(b);
}
