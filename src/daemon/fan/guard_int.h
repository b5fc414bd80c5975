/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard_int.h - the permission guard's state, shared by its own files
 * (guard.c: start and marks, guard_event.c: events, guard_self.c: the
 * daemon's own files); not part of its interface (guard.h).
 */
#ifndef SEALGUARD_GUARD_INT_H
#define SEALGUARD_GUARD_INT_H

#include "fan/guard.h"
#include "fan/inodetab.h"
#include "fan/protindex.h"
#include "fan/syscallfd.h"
#include "log/ratelimit.h"

#include <limits.h>
#include <sys/stat.h>

#include "fan/decide.h"
#include "fan/intent.h"
#include "sys/procinfo.h"

struct sg_hasher;
struct sg_blockguard;
struct sg_guard_ns;

struct sg_guard {
	struct sg_daemon *d; /* policy, baseline, /proc, plan, own files */

	int fan_fd;
	int mountinfo_fd;
	/* the mount table as last read (plan, mount changes, an unknown
	 * mount id): the names of an event's file (guard_path.c) */
	struct sg_mounts mounts;
	int mounts_missed;       /* id not found on the last re-read; -1 */

	/* every inode under a protected path at seal time (protindex.h),
	 * built after the marks; the opens that wait for it */
	struct sg_protindex index;
	struct sg_event **parked;
	size_t nparked, parked_cap;
	bool index_reported; /* its end was logged, the parked decided */
	uint64_t index_waited; /* opens that were parked, all told */
	struct sg_inodetab exec_cache;
	/* the kind of files opened on exec-checked filesystems (value: enum
	 * sg_file_kind), so a data file is read once, not at every open */
	struct sg_inodetab file_kinds;
	struct sg_inode_id *loaders;
	size_t nloaders;
	struct sg_inode_id *interpreters; /* [exec] interpreter, or the
					     baseline's shells, python, perl */
	size_t ninterpreters;
	struct sg_inode_id *inspectors; /* [exec] inspector */
	size_t ninspectors;

	struct sg_hasher *hasher; /* hashes large files off the loop */
	struct sg_blockguard *blockdev; /* block devices under the marks */
	struct sg_guard_ns *ns; /* filesystems of other mount namespaces */
	struct sg_ratelimit rl;
	struct sg_syscall_fds syscall_fds; /* openers' intents (intent.h) */
	struct sg_counters c;
};

/* Why an open (not an exec) was judged as an exec: SEALGUARD_VIA. */
enum sg_via {
	SG_VIA_NONE,
	SG_VIA_LOADER,      /* by the dynamic loader run directly */
	SG_VIA_LIBRARY,     /* an ELF object opened by anyone else: a
			       library (LD_PRELOAD, dlopen) or a program */
	SG_VIA_INTERPRETER, /* a file read by an [exec] interpreter */
};

/* What is known about one event; filled lazily. */
struct sg_event {
	int fd;
	pid_t tid;
	uint64_t mask;
	struct stat st;
	int mnt_id;        /* of the descriptor; -1 unknown (guard_path.h) */
	unsigned fs_flags; /* SG_FS_* of the file's filesystem */
	struct sg_intent_info intent;
	enum sg_via via; /* an open judged as an exec, and why */
	bool defer;      /* waits for the hasher thread */
	bool park;       /* waits for the protected-inode index */
	bool marked;     /* its kernel ignore mark was placed after the hash */
	int actor_fd;    /* pidfd of the blocked thread ([respond]); -1 */
	int path_err;    /* 1: not read yet; 0: path valid; <0: errno */
	char path[PATH_MAX]; /* the name judged; on an error, the raw name
				 of the descriptor (or ""), for the journal */
};

/* guard_log.c: the MESSAGE of a decision (also the summary a response
 * carries); will it be logged (the rate limit applied); its entry. */
void sg_guard_format_decision(struct sg_guard *g, struct sg_event *ev,
			      const struct sg_decision *d,
			      const struct sg_procinfo *pi, char *buf,
			      size_t size);
bool sg_guard_should_log(struct sg_guard *g, struct sg_event *ev,
			 const struct sg_decision *d);
/* The kernel could not hand over a permission event (err: why, e.g.
 * EMFILE) and denied it itself: a rate-limited entry at LOG_ERR. */
void sg_guard_log_undelivered(struct sg_guard *g, int err);
void sg_guard_log_decision(struct sg_guard *g, struct sg_event *ev,
			   const struct sg_decision *d,
			   const struct sg_procinfo *pi);

/* guard_log.c: the index's end (protindex.h), once settled. */
void sg_guard_log_index(struct sg_guard *g);

/* guard_event.c: close what still waits for the index, unanswered (the
 * group is closed: the kernel answers them). */
void sg_guard_unpark_all(struct sg_guard *g);

/* guard_self.c: protect the daemon's own files (binary, policy, baseline,
 * signature, key, unit); problems that leave one unprotected go to errs. */
int sg_guard_protect_self(struct sg_guard *g, struct errlist *errs);
int sg_guard_plan_self(const struct sg_guard *g, const struct sg_mounts *m,
		       struct sg_mark_plan *plan);

#endif
