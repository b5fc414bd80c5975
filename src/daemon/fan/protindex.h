/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * protindex.h - the protected-inode index: every inode under a protected
 * path, by (dev, ino), so that a file is protected under any name (a hard
 * link elsewhere on the filesystem, an alias mount: design.md).
 *
 * Building it means a stat of every file under the protected paths: 300
 * ms of a 430 ms start with a 100,000-file tree (#14). It is built by a
 * thread that starts once the marks are placed, so the daemon is READY
 * without waiting for it. Until it is complete, the guard still knows
 * every protected name (the policy's paths); only the question "is this
 * inode protected under another name?" has no answer yet, and an open
 * that needs the answer (a write under an unprotected name) waits for it
 * (guard_event.c: park_event). Nothing is allowed that the index would
 * have denied.
 *
 * The walker thread never opens a file: it opens directories, which
 * raise no permission event (the guard's marks have no FAN_ONDIR), and
 * stats. So it can never wait on the guard, and it is not one of the
 * daemon's helper threads whose opens pass.
 */
#ifndef SEALGUARD_PROTINDEX_H
#define SEALGUARD_PROTINDEX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "errlist.h"
#include "fan/inodetab.h"

struct sg_policy;
struct sg_baseline;

/* entry values */
#define SG_PROT_FILE 1u        /* under a protected path */
#define SG_PROT_IN_BASELINE 2u /* ... at a path the baseline lists, with
				  its size: trusted as code while its ctime
				  and size stay as they were at seal time */

enum sg_protindex_state {
	SG_PROTINDEX_FILLING, /* puts by the owner, before the walk */
	SG_PROTINDEX_WALKING, /* the walker owns the table */
	SG_PROTINDEX_SETTLED, /* the walk was joined (or abandoned) */
};

/* What the walker thread touches: on the heap, so that a walker a stop
 * abandons (sg_protindex_stop) never writes into freed memory. */
struct sg_protwalk;

struct sg_protindex {
	struct sg_protwalk *w;
	enum sg_protindex_state state;
	pthread_t thread;
	bool joined;    /* the walker was joined */
	bool abandoned; /* a stop did not wait for a stuck walker */
};

/* An empty index with room for about hint inodes; its table takes puts
 * (sg_protindex_put) until the walk starts. 0, -ENOMEM, or an errno of
 * the table's init. */
int sg_protindex_init(struct sg_protindex *x, size_t hint);

/* Before the walk only: add st's inode with value (the daemon's own
 * files). 0 or a negative errno (inodetab.h). */
int sg_protindex_put(struct sg_protindex *x, const struct stat *st,
		     unsigned value);

/*
 * Walk p's protected paths (less its excludes) in a thread, recording
 * each regular file, SG_PROT_IN_BASELINE where b lists it at its size.
 * A protected path that cannot be stat()ed is an error here, in errs, as
 * it was when the walk ran before the marks; the walk's own errors come
 * at settle time. p and b must outlive the walk. 0 or a negative errno
 * (nothing started).
 */
int sg_protindex_start(struct sg_protindex *x, const struct sg_policy *p,
		       const struct sg_baseline *b, struct errlist *errs);

/* Readable (POLLIN) once the walk ended and sg_protindex_settle should be
 * called; -1 when there is no walk to wait for. */
int sg_protindex_fd(const struct sg_protindex *x);

/* Join the walk if it ended, or, with wait, until it ends. true if the
 * index is settled (now or before). */
bool sg_protindex_settle(struct sg_protindex *x, bool wait);

/* Ask a running walk to stop and join it (settled; error -ECANCELED
 * unless it had just completed). A walker stuck in the kernel is waited
 * for one second, then abandoned to the process's exit: it touches
 * nothing but its own heap state from then on (protindex.c). */
void sg_protindex_stop(struct sg_protindex *x);

/* Once settled: 0 (complete), -ECANCELED (stopped, or abandoned), or the
 * negative errno the walk failed with, and where (or NULL). */
int sg_protindex_error(const struct sg_protindex *x, const char **ret_where);

/* Once settled and not abandoned: the inodes recorded and the walk's
 * time (0 otherwise). */
size_t sg_protindex_count(const struct sg_protindex *x);
uint64_t sg_protindex_took_ms(const struct sg_protindex *x);

/* The table, once settled and complete; NULL while the walk runs or if
 * it failed (then no inode's answer is known: callers fail closed). */
const struct sg_inodetab *sg_protindex_table(const struct sg_protindex *x);

void sg_protindex_free(struct sg_protindex *x);

#endif
