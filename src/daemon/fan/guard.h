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

#include "daemon.h"
#include "errlist.h"
#include "sys/mounts.h"

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

/* Opaque: fan/guard_int.h holds it for the guard's own files. */
struct sg_guard;


/*
 * Prepare everything that needs files: the mountinfo fd, the
 * protected-inode walk, the loader and writer inodes (writers into d),
 * the daemon's own files (into d), the hasher, the fanotify group.
 * Nothing is marked yet. Problems go to errs. 0 or a negative errno;
 * on failure *ret is still set when something was allocated, for
 * sg_guard_free.
 */
int sg_guard_start(struct sg_daemon *d, struct sg_guard **ret,
		   struct errlist *errs);

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

/* Readable (POLLIN) once the protected-inode index (protindex.h) is
 * built, -1 before and after: call sg_guard_index_done, which logs it
 * and decides the opens that waited for it. */
int sg_guard_index_fd(const struct sg_guard *g);
void sg_guard_index_done(struct sg_guard *g);

/* mountinfo changed: mark filesystems that appeared under the policy. */
void sg_guard_mounts_changed(struct sg_guard *g);

/* The mount notifications of other namespaces (-1: none, before Linux
 * 6.14): readable, call sg_guard_mntns_process (fan/guard_ns.h). */
int sg_guard_mntns_fd(const struct sg_guard *g);
void sg_guard_mntns_process(struct sg_guard *g);

/* Once a second: report rate-limited entries whose window ended. */
void sg_guard_tick(struct sg_guard *g, uint64_t now_ms);

/*
 * Stop: answer what is already queued (by policy, not by default), then
 * close the group so the kernel lets everything else through.
 */
void sg_guard_shutdown(struct sg_guard *g);

/* The counters since start. */
const struct sg_counters *sg_guard_counters(const struct sg_guard *g);

/* The guard's part of STATUS=: "MODE: N events, ... in the kernel". */
void sg_guard_status(const struct sg_guard *g, char *buf, size_t size);

/* NULL is a no-op. */
void sg_guard_free(struct sg_guard *g);

/* The fanotify fd, for poll (POLLIN) and for the fatal-signal handler
 * to close; -1 for NULL. */
int sg_guard_fd(const struct sg_guard *g);

/* /proc/self/mountinfo, for poll (POLLPRI: the mount table changed;
 * then call sg_guard_mounts_changed and the other watchers). */
int sg_guard_mounts_fd(const struct sg_guard *g);

#endif
