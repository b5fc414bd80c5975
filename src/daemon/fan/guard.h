/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard.h - the fanotify permission guard.
 *
 * One FAN_CLASS_CONTENT group with FAN_REPORT_TID marks, per filesystem,
 * FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM (see mounts.h for which). Each event
 * is answered exactly once, before anything else is done with it: facts
 * are gathered cheapest first (fstat, the blocked thread's syscall, the
 * file's path, its hash) and only as far as the decision needs. Allowed
 * execs are cached in the kernel with evictable inode ignore marks that
 * any modification of the file clears.
 */
#ifndef SEALGUARD_GUARD_H
#define SEALGUARD_GUARD_H

#include <stdint.h>
#include <sys/types.h>

#include "errlist.h"
#include "fan/inodetab.h"
#include "sys/mounts.h"
#include "log/ratelimit.h"

struct sg_policy;
struct sg_baseline;
struct sg_hasher;
struct sg_respond;

struct sg_counters {
	uint64_t events;
	uint64_t allowed;
	uint64_t denied_write;
	uint64_t denied_exec;
	uint64_t would_deny;
	uint64_t intent_unknown;
	uint64_t intent_retries;   /* "running" reads of /proc/<tid>/syscall */
	uint64_t exec_cache_hits;
	uint64_t hashes;
	uint64_t ignore_marks;
	uint64_t suppressed;       /* journal entries held back by the limit */
	uint64_t mount_changes;
};

struct sg_inode_id {
	dev_t dev;
	ino_t ino;
};

struct sg_guard {
	const struct sg_policy *policy;
	const struct sg_baseline *baseline;
	const char *confine; /* mark only filesystems mounted below this */
	dev_t root_dev;

	int fan_fd;
	int proc_fd;
	int mountinfo_fd;
	pid_t self_pid;
	pid_t helper_tids[4];
	size_t nhelper_tids;

	struct sg_mark_plan plan;
	struct sg_inodetab protected_inodes;
	struct sg_inodetab exec_cache;
	struct sg_inodetab not_elf; /* files the loader cannot run */
	struct sg_inode_id *loaders, *writers;
	size_t nloaders, nwriters;
	char **self_paths; /* the daemon's own files (guard_self.c) */
	size_t nself_paths;

	struct sg_hasher *hasher; /* hashes large files off the loop */
	struct sg_respond *respond; /* [respond]; NULL: log only */
	struct sg_ratelimit rl;
	struct sg_counters c;
};

/*
 * Prepare everything that needs files: /proc and mountinfo fds, the
 * protected-inode walk, the loader and writer inodes, the fanotify group.
 * Nothing is marked yet. Problems go to errs. 0 or a negative errno.
 */
int sg_guard_init(struct sg_guard *g, const struct sg_policy *p,
		  const struct sg_baseline *b, const char *confine,
		  struct errlist *errs);

/* guard_self.c: protect the daemon's own files (binary, policy, baseline,
 * signature, key, unit); problems that leave one unprotected go to errs. */
int sg_guard_protect_self(struct sg_guard *g, struct errlist *errs);
bool sg_guard_is_self_path(const struct sg_guard *g, const char *path);
int sg_guard_plan_self(const struct sg_guard *g, const struct sg_mounts *m,
		       struct sg_mark_plan *plan);

/* Threads of ours whose opens are always allowed (the log writer). */
void sg_guard_add_helper_tid(struct sg_guard *g, pid_t tid);

/*
 * Place every mark the policy needs. With a confine directory, refuse
 * (-EPERM, nothing marked) if any filesystem to mark is not mounted at or
 * below it or is the root filesystem. 0 or a negative errno.
 */
int sg_guard_mark(struct sg_guard *g, struct errlist *errs);

/* Read and answer every pending event. 0 or a negative errno. */
int sg_guard_process(struct sg_guard *g);

/* Readable when the hasher thread has verdicts ready; then call
 * sg_guard_hashes_done to answer the events that waited for them. */
int sg_guard_hash_fd(const struct sg_guard *g);
void sg_guard_hashes_done(struct sg_guard *g);

/* mountinfo changed: mark filesystems that appeared under the policy. */
void sg_guard_mounts_changed(struct sg_guard *g);

/* Once a second: report rate-limited entries whose window ended. */
void sg_guard_tick(struct sg_guard *g, uint64_t now_ms);

/*
 * Stop: answer what is already queued (by policy, not by default), then
 * close the group so the kernel lets everything else through.
 */
void sg_guard_shutdown(struct sg_guard *g);

void sg_guard_free(struct sg_guard *g);

/* The fanotify fd, for the fatal-signal handler to close. */
int sg_guard_fd(const struct sg_guard *g);

#endif
