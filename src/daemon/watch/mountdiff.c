/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mountdiff.c - protected paths in a mount table, and the difference of
 * two tables. See mountdiff.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "watch/mountdiff.h"

int sg_mount_in_fs_path(const struct sg_mount *m, const char *path,
			char *buf, size_t size)
{
	const char *rest = streq(m->point, "/") ? path :
						  path + strlen(m->point);
	int n;

	if (!*rest || streq(rest, "/"))
		n = snprintf(buf, size, "%s", m->root);
	else
		n = snprintf(buf, size, "%s%s", streq(m->root, "/") ? "" :
								     m->root,
			     rest);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int sg_fsrefs_build(const struct sg_mounts *m, const char *const *roots,
		    size_t nroots, struct sg_fsref **ret, size_t *ret_n)
{
	struct sg_fsref *refs = calloc(nroots ? nroots : 1, sizeof(*refs));
	size_t n = 0;

	if (!refs)
		return -ENOMEM;
	for (size_t i = 0; i < nroots; i++) {
		const struct sg_mount *mt = sg_mounts_containing(m, roots[i]);
		char inpath[PATH_MAX];

		if (!mt || sg_mount_in_fs_path(mt, roots[i], inpath,
						   sizeof(inpath)) < 0)
			continue;
		refs[n].inpath = strdup(inpath);
		if (!refs[n].inpath) {
			sg_fsrefs_free(refs, n);
			return -ENOMEM;
		}
		refs[n++].dev = mt->dev;
	}
	*ret = refs;
	*ret_n = n;
	return 0;
}

void sg_fsrefs_free(struct sg_fsref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(refs[i].inpath);
	free(refs);
}

bool sg_mount_relevant(const struct sg_mount *m, const char *const *roots,
		       size_t nroots, const struct sg_fsref *refs,
		       size_t nrefs)
{
	for (size_t i = 0; i < nroots; i++)
		if (path_is_under(m->point, roots[i]) ||
		    path_is_under(roots[i], m->point))
			return true;
	for (size_t i = 0; i < nrefs; i++)
		if (m->dev == refs[i].dev &&
		    (path_is_under(m->root, refs[i].inpath) ||
		     path_is_under(refs[i].inpath, m->root)))
			return true;
	return false;
}

const char *sg_mount_change_name(enum sg_mount_change kind)
{
	static const char *const names[] = {
		[SG_MOUNT_ADDED] = "mount",
		[SG_MOUNT_REMOVED] = "unmount",
		[SG_MOUNT_RW] = "remount-rw",
		[SG_MOUNT_RO] = "remount-ro",
	};
	return names[kind];
}

static int by_id(const void *a, const void *b)
{
	int x = (*(const struct sg_mount *const *)a)->id;
	int y = (*(const struct sg_mount *const *)b)->id;

	return (x > y) - (x < y);
}

static const struct sg_mount **sorted_by_id(const struct sg_mounts *m)
{
	const struct sg_mount **v = calloc(m->n ? m->n : 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		v[i] = &m->v[i];
	qsort(v, m->n, sizeof(*v), by_id);
	return v;
}

static bool writable(const struct sg_mount *m)
{
	return !m->ro && !m->sb_ro;
}

static bool same_mount(const struct sg_mount *a, const struct sg_mount *b)
{
	return a->dev == b->dev && streq(a->point, b->point) &&
	       streq(a->root, b->root);
}

static void diff_pair(const struct sg_mount *a, const struct sg_mount *b,
		      sg_mount_diff_cb cb, void *userdata)
{
	if (!same_mount(a, b)) {
		cb(SG_MOUNT_REMOVED, a, NULL, userdata);
		cb(SG_MOUNT_ADDED, NULL, b, userdata);
	} else if (writable(a) != writable(b)) {
		cb(writable(b) ? SG_MOUNT_RW : SG_MOUNT_RO, a, b, userdata);
	}
}

int sg_mounts_diff(const struct sg_mounts *old, const struct sg_mounts *cur,
		   sg_mount_diff_cb cb, void *userdata)
{
	_cleanup_free_ const struct sg_mount **a = sorted_by_id(old);
	_cleanup_free_ const struct sg_mount **b = sorted_by_id(cur);
	size_t i = 0, j = 0;

	if (!a || !b)
		return -ENOMEM;
	while (i < old->n || j < cur->n) {
		if (j == cur->n || (i < old->n && a[i]->id < b[j]->id))
			cb(SG_MOUNT_REMOVED, a[i++], NULL, userdata);
		else if (i == old->n || b[j]->id < a[i]->id)
			cb(SG_MOUNT_ADDED, NULL, b[j++], userdata);
		else
			diff_pair(a[i++], b[j++], cb, userdata);
	}
	return 0;
}
