/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ratelimit.h - suppress repeated identical journal entries.
 *
 * A looping attacker must not flood the journal: per key (event, action,
 * reason, path), at most `burst` entries are written in each interval;
 * the rest are counted, and when the interval ends one summary says how
 * many were suppressed. The table is fixed-size: a flood of distinct keys
 * evicts the oldest slot (reporting its count) instead of growing.
 */
#ifndef SEALGUARD_RATELIMIT_H
#define SEALGUARD_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SG_RATELIMIT_SLOTS 1024

struct sg_rl_slot {
	uint64_t key;
	uint64_t window_start_ms;
	uint32_t count;      /* entries seen in this window */
	uint32_t suppressed; /* of which not written */
	char *label;         /* describes the key, for the summary */
};

struct sg_ratelimit {
	uint64_t interval_ms;
	uint32_t burst;
	struct sg_rl_slot slots[SG_RATELIMIT_SLOTS];
};

/* Called with the label and count of suppressed entries of a key. */
typedef void (*sg_rl_report_cb)(const char *label, uint32_t suppressed,
				void *userdata);

void sg_ratelimit_init(struct sg_ratelimit *rl, unsigned interval_s,
		       unsigned burst);
void sg_ratelimit_free(struct sg_ratelimit *rl);

/* Hash a label, or any bytes, into a key (FNV-1a 64; never 0). */
uint64_t sg_ratelimit_key(const char *label);
uint64_t sg_ratelimit_key_bytes(const void *p, size_t n);

/* Makes the label of a key (malloc'd; NULL is shown as "?"). */
typedef char *(*sg_rl_label_cb)(void *userdata);

/*
 * Account one entry for label at now_ms. Returns true if it may be
 * written. A window that ended with suppressed entries, or a slot evicted
 * for this key, is reported through cb first.
 */
bool sg_ratelimit_allow(struct sg_ratelimit *rl, const char *label,
			uint64_t now_ms, sg_rl_report_cb cb, void *userdata);

/*
 * The same, for a key the caller made (sg_ratelimit_key_bytes of what
 * identifies the entry): label_cb is called only when the key takes a
 * slot, so an entry held back pays for neither its label nor the facts
 * in it.
 */
bool sg_ratelimit_allow_key(struct sg_ratelimit *rl, uint64_t key,
			    sg_rl_label_cb label_cb, void *label_userdata,
			    uint64_t now_ms, sg_rl_report_cb cb,
			    void *userdata);

/* Report and reset every window that has ended by now_ms. */
void sg_ratelimit_sweep(struct sg_ratelimit *rl, uint64_t now_ms,
			sg_rl_report_cb cb, void *userdata);

#endif
