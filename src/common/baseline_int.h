/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline_int.h - what the files of the baseline module share; not part
 * of its interface (baseline.h).
 */
#ifndef SEALGUARD_BASELINE_INT_H
#define SEALGUARD_BASELINE_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "baseline.h"
#include "errlist.h"

/* ---- the file format: baseline_format.c and baseline.c ---- */

/* A byte the file format writes as \xHH: outside 0x21..0x7e, or '\'. */
static inline bool sg_bl_byte_needs_escape(unsigned char c)
{
	return c < 0x21 || c > 0x7e || c == '\\';
}

/* defined in baseline_lookup.c */

/* Free the n strings of v, and v. */
void sg_bl_free_strv(char **v, size_t n);

/* ---- recorded xattrs: baseline_xattr.c ---- */

/* 0 if field is a canonical non-empty <xattrs> list, else -EINVAL. */
int sg_bl_xattr_check(const char *field);
/* Does the canonical list carry name? */
bool sg_bl_xattr_has(const char *list, const char *name);
/* SG_DRIFT_CAPS and SG_DRIFT_XATTR: what differs between two lists. */
unsigned sg_bl_xattr_drift(const char *a, const char *b);
/*
 * The recorded xattrs of the open fd, or of path (not followed) when fd
 * is -1, as a new canonical list in *ret (NULL: none). A filesystem
 * without xattrs has none. Returns 0 or a negative errno.
 */
int sg_bl_xattr_read(int fd, const char *path, char **ret);
/* Add text (consumed; NULL: none) to b->xattrs; *ret its entry field. */
int sg_bl_xattr_intern(struct sg_baseline *b, char *text, uint32_t *ret);

/* ---- a build in progress: baseline_build.c and baseline_walk.c ---- */

/* Items live in fixed blocks so workers' pointers stay valid as it grows. */
#define SG_BLOCK_ITEMS 4096

/* Per-file outcome, written by exactly one worker. */
enum {
	ITEM_OK = 0,
	ITEM_SKIPPED = -1, /* no longer a regular file */
	ITEM_CHANGED = -2, /* size changed while it was hashed */
	/* > 0: an errno */
};

struct item {
	struct sg_bl_entry e;
	char *xattrs; /* read by the worker; interned by collect() */
	unsigned base; /* index into build->bases */
	int status;
};

/* A directory, symlink, device node or FIFO: the walker records these
 * itself (nothing to hash). */
struct node_item {
	struct sg_bl_node n;
	char *xattrs;
};

/* The parent directory of a root, that its files are opened from. */
struct base {
	int fd;        /* -1 if it could not be opened ... */
	int err;       /* ... for this errno */
	size_t prefix; /* bytes of a path to skip to get relative to fd */
};

struct build {
	struct item **blocks;
	size_t nblocks;
	size_t n; /* items written by the walker */
	struct base *bases; /* one per root, fixed before the workers start */
	size_t nbases;
	unsigned cur_base; /* the root being walked */
	char *const *excludes; /* sorted */
	size_t nexcludes;
	struct errlist *errs;
	struct node_item *nodes; /* walker only, until collect() */
	size_t nnodes, ncap;
	uint64_t skipped;
	unsigned nerrors;
	int r; /* fatal (-ENOMEM, -ECANCELED) */
	bool keep_going; /* unreadable files are left out, not fatal */
	const atomic_bool *cancel; /* NULL, or: stop when it becomes true */
	struct sg_build_progress *progress; /* NULL, or: counted here */
	char path[PATH_MAX];
	size_t len;
	atomic_bool no_openat2;

	/* The hand-over to the workers; lock guards these and blocks[]. */
	pthread_mutex_t lock;
	pthread_cond_t more;
	size_t published; /* items the workers may take */
	size_t next;      /* the next one to take */
	bool walk_done;
};

static inline struct item *item_at(const struct build *bd, size_t i)
{
	return &bd->blocks[i / SG_BLOCK_ITEMS][i % SG_BLOCK_ITEMS];
}

static inline bool cancelled(const struct build *bd)
{
	return bd->cancel && atomic_load_explicit(bd->cancel,
						  memory_order_relaxed);
}

/* defined in baseline_walk.c */

/* Walk root (the idx-th) into items; errors go to bd->errs, a fatal one
 * to bd->r. */
void sg_bl_walk_root(struct build *bd, const char *root, unsigned idx);
/* Let the workers take every item so far; done: there will be no more. */
void sg_bl_publish(struct build *bd, bool done);
/* Count an error about path (escaped in the message) in bd->errs. */
void sg_bl_report(struct build *bd, const char *path, const char *msg);
/* strcmp on two char * array elements, for qsort and bsearch. */
int sg_bl_str_cmp(const void *a, const void *b);

#endif
