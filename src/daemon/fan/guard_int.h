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
#include "log/ratelimit.h"

struct sg_hasher;

struct sg_guard {
	struct sg_daemon *d; /* policy, baseline, /proc, plan, own files */

	int fan_fd;
	int mountinfo_fd;

	struct sg_inodetab protected_inodes;
	struct sg_inodetab exec_cache;
	struct sg_inodetab not_elf; /* files the loader cannot run */
	struct sg_inode_id *loaders;
	size_t nloaders;

	struct sg_hasher *hasher; /* hashes large files off the loop */
	struct sg_ratelimit rl;
	struct sg_counters c;
};

/* guard_self.c: protect the daemon's own files (binary, policy, baseline,
 * signature, key, unit); problems that leave one unprotected go to errs. */
int sg_guard_protect_self(struct sg_guard *g, struct errlist *errs);
int sg_guard_plan_self(const struct sg_guard *g, const struct sg_mounts *m,
		       struct sg_mark_plan *plan);

#endif
