/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline_diff.c - the drift comparison of two baselines: both tables
 * (regular files, other nodes) of each are walked together in path
 * order, as one sequence of views, and compared entry by entry.
 */
#include <sys/stat.h>

#include "baseline.h"
#include "baseline_int.h"
#include "util.h"

const char *sg_bl_type_name(char type)
{
	switch (type) {
	case SG_BL_FILE:
		return "file";
	case SG_BL_DIR:
		return "dir";
	case SG_BL_SYMLINK:
		return "symlink";
	case SG_BL_CHR:
		return "char-device";
	case SG_BL_BLK:
		return "block-device";
	case SG_BL_FIFO:
		return "fifo";
	default:
		return "unknown";
	}
}

/* ---- one path-ordered sequence over both tables ---- */

struct cursor {
	const struct sg_baseline *b;
	size_t file, node; /* the next of each table */
};

static void view_file(const struct sg_baseline *b, const struct sg_bl_entry *e,
		      struct sg_bl_view *v)
{
	*v = (struct sg_bl_view){
		.path = e->path,
		.type = SG_BL_FILE,
		.mode = e->mode,
		.uid = e->uid,
		.gid = e->gid,
		.size = e->size,
		.sha256 = e->sha256,
		.xattrs = sg_bl_xattrs(b, e->xattrs),
	};
}

static void view_node(const struct sg_baseline *b, const struct sg_bl_node *n,
		      struct sg_bl_view *v)
{
	*v = (struct sg_bl_view){
		.path = n->path,
		.type = n->type,
		.mode = n->mode,
		.uid = n->uid,
		.gid = n->gid,
		.rdev = n->rdev,
		.target = n->target,
		.xattrs = sg_bl_xattrs(b, n->xattrs),
	};
}

/* The next entry of either table, in path order; false at the end. */
static bool cursor_peek(const struct cursor *c, struct sg_bl_view *v)
{
	const struct sg_baseline *b = c->b;
	const struct sg_bl_entry *e = c->file < b->n ? &b->entries[c->file] :
						       NULL;
	const struct sg_bl_node *n = c->node < b->nnodes ? &b->nodes[c->node] :
							   NULL;

	if (!e && !n)
		return false;
	if (e && (!n || strcmp(e->path, n->path) < 0))
		view_file(b, e, v);
	else
		view_node(b, n, v);
	return true;
}

static void cursor_next(struct cursor *c, const struct sg_bl_view *v)
{
	if (v->type == SG_BL_FILE)
		c->file++;
	else
		c->node++;
}

/* ---- comparing two entries ---- */

/* What makes an entry worth a look in itself: setuid, setgid, caps. */
static unsigned risky(const struct sg_bl_view *v)
{
	unsigned what = 0;

	if (v->mode & S_ISUID)
		what |= SG_DRIFT_SETUID;
	/* setgid on a directory only passes its group on */
	if ((v->mode & S_ISGID) && v->type != SG_BL_DIR)
		what |= SG_DRIFT_SETGID;
	if (sg_bl_xattr_has(v->xattrs, SG_XATTR_CAPS))
		what |= SG_DRIFT_CAPS;
	return what;
}

/* Two entries of one type at one path. */
static unsigned view_drift(const struct sg_bl_view *a,
			   const struct sg_bl_view *b)
{
	unsigned what = sg_bl_xattr_drift(a->xattrs, b->xattrs);

	if (a->type == SG_BL_FILE) {
		if (memcmp(a->sha256, b->sha256, SG_SHA256_LEN))
			what |= SG_DRIFT_HASH;
		if (a->size != b->size)
			what |= SG_DRIFT_SIZE;
	}
	if (a->mode != b->mode)
		what |= SG_DRIFT_MODE;
	/* a new bit, not one taken away */
	what |= risky(b) & ~risky(a) & (SG_DRIFT_SETUID | SG_DRIFT_SETGID);
	if (a->uid != b->uid)
		what |= SG_DRIFT_UID;
	if (a->gid != b->gid)
		what |= SG_DRIFT_GID;
	if (a->type == SG_BL_SYMLINK && strcmp(a->target, b->target))
		what |= SG_DRIFT_TARGET;
	if (a->rdev != b->rdev)
		what |= SG_DRIFT_RDEV;
	return what;
}

size_t sg_baseline_diff(const struct sg_baseline *want,
			const struct sg_baseline *have, sg_drift_cb cb,
			void *userdata)
{
	struct cursor cw = { .b = want }, ch = { .b = have };
	struct sg_bl_view w, h;
	size_t drifted = 0;
	bool hw, hh;

	for (;;) {
		unsigned what;
		int c;

		hw = cursor_peek(&cw, &w);
		hh = cursor_peek(&ch, &h);
		if (!hw && !hh)
			break;
		c = !hw ? 1 : !hh ? -1 : strcmp(w.path, h.path);
		if (c < 0 || (c == 0 && w.type != h.type)) {
			cb(SG_DRIFT_REMOVED, 0, &w, NULL, userdata);
			cursor_next(&cw, &w), drifted++;
			if (c < 0)
				continue;
		}
		if (c > 0 || w.type != h.type) {
			cb(SG_DRIFT_ADDED, risky(&h), NULL, &h, userdata);
			cursor_next(&ch, &h), drifted++;
			continue;
		}
		what = view_drift(&w, &h);
		if (what) {
			cb(SG_DRIFT_CHANGED, what, &w, &h, userdata);
			drifted++;
		}
		cursor_next(&cw, &w);
		cursor_next(&ch, &h);
	}
	return drifted;
}

const char *sg_drift_name(unsigned bit)
{
	switch (bit) {
	case SG_DRIFT_HASH:
		return "hash";
	case SG_DRIFT_SIZE:
		return "size";
	case SG_DRIFT_MODE:
		return "mode";
	case SG_DRIFT_UID:
		return "uid";
	case SG_DRIFT_GID:
		return "gid";
	case SG_DRIFT_SETUID:
		return "setuid";
	case SG_DRIFT_SETGID:
		return "setgid";
	case SG_DRIFT_CAPS:
		return "caps";
	case SG_DRIFT_XATTR:
		return "xattr";
	case SG_DRIFT_TARGET:
		return "target";
	case SG_DRIFT_RDEV:
		return "rdev";
	default:
		return NULL;
	}
}
