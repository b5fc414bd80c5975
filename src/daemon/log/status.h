/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status.h - the running daemon's status record (statefile.h) and its
 * start-up report of how the previous instance ended.
 */
#ifndef SEALGUARD_STATUS_H
#define SEALGUARD_STATUS_H

#include "statefile.h"

#include <stdint.h>

struct sg_policy;

/* The permission guard's counters the record carries (the caller copies
 * them: the record knows no component). */
struct sg_status_counts {
	uint64_t events, denied_write, denied_exec, would_deny, suppressed;
};

/* Before the seal: open the record, hash the policy and the baseline. */
int sg_status_init(const char *dir, const struct sg_policy *p,
		   struct errlist *errs);

/* Log whether the previous instance ended cleanly (one journal entry). */
void sg_status_log_previous(void);

/* After the seal: note the capabilities and the seccomp filter now in
 * force ("filter (kill)", or "off (...)" when there is none). */
void sg_status_sealed(const char *seccomp);

/* Rewrite the record: state "running" or "stopped", the guard's counters
 * and the one-line summary the other parts add to STATUS=. */
void sg_status_publish(const char *state, const struct sg_status_counts *c,
		       const char *summary);

void sg_status_close(void);

#endif
