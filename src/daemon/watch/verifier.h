/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verifier.h - verify passes inside the sealed daemon, on a worker thread.
 *
 * A verify pass rebuilds the baseline's roots from the live files and
 * logs every drift from the baseline (added, removed, changed: content
 * hash, size, mode, owner) as one journal entry each, then a summary.
 * The daemon runs one when the change watcher lost events (a queue
 * overflow), and every [changes] verify_interval seconds.
 *
 * Why a thread, and why this one: a pass opens every protected file, and
 * each of those opens raises a permission event that the event loop must
 * answer. Run on the loop, the pass would wait on itself (design.md). So
 * one long-lived worker does the passes while the loop keeps answering.
 * It is started before the seal, and its tid is registered with the guard
 * (sg_daemon_add_helper_tid): its opens are allowed at once, without
 * reading its intent (sg_baseline_build_here opens with openat2, whose
 * flags the guard cannot read and would deny as unknown). The worker
 * starts no thread of its own: an unregistered thread's opens would be
 * judged like an intruder's. A forked child was the other choice; it
 * would need the same registration (its pid) plus a channel back for the
 * results, and buys nothing a thread does not: the pass only reads.
 *
 * Requests coalesce: asking while a pass runs makes exactly one more pass
 * run after it, since changes made during a pass may have been missed by
 * it. At most SG_VERIFY_MAX_ENTRIES drift entries are logged per pass (the
 * summary has the full counts), so that a replaced tree cannot flood the
 * journal queue.
 */
#ifndef SEALGUARD_VERIFIER_H
#define SEALGUARD_VERIFIER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "baseline.h"

#define SG_VERIFY_MAX_ENTRIES 1000

struct sg_verifier;

struct sg_verify_counters {
	uint64_t passes;   /* finished, failed ones included */
	uint64_t failed;   /* passes that could not build the live state */
	uint64_t drifted;  /* drifted paths found by the last pass */
	bool running;      /* a pass is under way or asked for */
};

/* Start the worker for baseline b (borrowed until sg_verifier_free).
 * exec_cache_fd: the guard's fanotify group, whose ignore marks cache
 * trusted execs in the kernel (-1: none); a file a pass finds changed
 * loses its mark there. 0 or a negative errno. */
int sg_verifier_start(const struct sg_baseline *b, int exec_cache_fd,
		      struct sg_verifier **ret);

/* The worker thread's tid, to register with the guard. */
pid_t sg_verifier_tid(const struct sg_verifier *v);

/* Ask for a pass; why (a static string: "overflow", "interval") goes to
 * its summary entry. Never waits for the pass. */
void sg_verifier_request(struct sg_verifier *v, const char *why);

void sg_verifier_counters(struct sg_verifier *v, struct sg_verify_counters *ret);

/*
 * Cancel a running pass, stop and join the worker, free everything.
 * NULL is ignored. The worker may be blocked in an open that only the
 * event loop can answer: call this only once the guard's group is closed
 * (sg_guard_shutdown or sg_guard_free), never from a loop still owing it
 * answers.
 */
void sg_verifier_free(struct sg_verifier *v);

#endif
