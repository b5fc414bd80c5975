/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decide.c - the decision rules. See decide.h.
 */
#include "baseline.h"
#include "fan/decide.h"
#include "util.h"

static struct sg_decision allow(enum sg_event_kind ev, enum sg_reason why,
				bool log)
{
	return (struct sg_decision){ ev, SG_ACTION_ALLOW, why, log };
}

static struct sg_decision deny(enum sg_event_kind ev, enum sg_reason why)
{
	return (struct sg_decision){ ev, SG_ACTION_DENY, why, true };
}

struct sg_decision sg_decide_open(const struct sg_policy *p,
				  enum sg_intent intent, bool is_protected,
				  bool by_writer)
{
	bool log_writes = p->log_allowed & SG_LOG_ALLOW_WRITE;
	bool log_maint = p->log_allowed & SG_LOG_ALLOW_MAINTENANCE;

	if (intent == SG_INTENT_READ || intent == SG_INTENT_EXEC)
		return allow(SG_EVENT_WRITE, SG_REASON_READ_ONLY, false);
	if (!is_protected)
		return allow(SG_EVENT_WRITE, SG_REASON_UNPROTECTED, log_writes);
	if (by_writer)
		return allow(SG_EVENT_WRITE, SG_REASON_MAINTENANCE, log_maint);
	return deny(SG_EVENT_WRITE, intent == SG_INTENT_WRITE ?
					    SG_REASON_WRITE_INTENT :
					    SG_REASON_INTENT_UNKNOWN);
}

enum sg_trust sg_trust_precheck(const struct sg_baseline *b,
				enum sg_exec_match match, const char *path,
				uint64_t size)
{
	const struct sg_bl_entry *e;

	if (match == SG_EXEC_MATCH_CONTENT)
		return SG_TRUST_NEED_HASH;
	e = path ? sg_baseline_find(b, path) : NULL;
	if (!e)
		return SG_TRUST_UNKNOWN;
	if (e->size != size)
		return SG_TRUST_MISMATCH;
	return SG_TRUST_NEED_HASH;
}

enum sg_trust sg_trust_judge(const struct sg_baseline *b,
			     enum sg_exec_match match, const char *path,
			     const unsigned char sha256[SG_SHA256_LEN])
{
	const struct sg_bl_entry *e;

	if (match == SG_EXEC_MATCH_CONTENT)
		return sg_baseline_has_hash(b, sha256) ? SG_TRUST_OK :
							 SG_TRUST_UNKNOWN;
	e = path ? sg_baseline_find(b, path) : NULL;
	if (!e)
		return SG_TRUST_UNKNOWN;
	return memcmp(e->sha256, sha256, SG_SHA256_LEN) == 0 ?
		       SG_TRUST_OK :
		       SG_TRUST_MISMATCH;
}

struct sg_decision sg_decide_exec(const struct sg_policy *p,
				  enum sg_trust trust)
{
	switch (trust) {
	case SG_TRUST_OK:
		return allow(SG_EVENT_EXEC, SG_REASON_TRUSTED,
			     p->log_allowed & SG_LOG_ALLOW_EXEC);
	case SG_TRUST_MISMATCH:
		return deny(SG_EVENT_EXEC, SG_REASON_HASH_MISMATCH);
	case SG_TRUST_UNKNOWN:
		return deny(SG_EVENT_EXEC, SG_REASON_NOT_IN_BASELINE);
	case SG_TRUST_CHANGED:
		return deny(SG_EVENT_EXEC, SG_REASON_CHANGED_WHILE_HASHED);
	case SG_TRUST_NEED_HASH:
	default:
		/* a caller bug; never allow what was not judged */
		return deny(SG_EVENT_EXEC, SG_REASON_HASH_ERROR);
	}
}

static bool same_time(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

bool sg_stat_changed(const struct stat *before, const struct stat *after)
{
	return before->st_dev != after->st_dev ||
	       before->st_ino != after->st_ino ||
	       before->st_size != after->st_size ||
	       !same_time(&before->st_mtim, &after->st_mtim) ||
	       !same_time(&before->st_ctim, &after->st_ctim);
}

struct sg_decision sg_decide_inspected(void)
{
	return allow(SG_EVENT_EXEC, SG_REASON_INSPECTOR, true);
}

struct sg_decision sg_decision_apply_mode(const struct sg_policy *p,
					  struct sg_decision d)
{
	if (p->mode == SG_MODE_PERMISSIVE && d.action == SG_ACTION_DENY)
		d.action = SG_ACTION_WOULD_DENY;
	return d;
}

const char *sg_event_name(enum sg_event_kind e)
{
	return e == SG_EVENT_EXEC ? "exec" : "write";
}

const char *sg_action_name(enum sg_action a)
{
	static const char *const names[] = {
		[SG_ACTION_ALLOW] = "allow",
		[SG_ACTION_DENY] = "deny",
		[SG_ACTION_WOULD_DENY] = "would-deny",
	};
	return a < ARRAY_SIZE(names) ? names[a] : "?";
}

const char *sg_reason_name(enum sg_reason r)
{
	static const char *const names[] = {
		[SG_REASON_READ_ONLY] = "read-only",
		[SG_REASON_UNPROTECTED] = "unprotected",
		[SG_REASON_MAINTENANCE] = "maintenance-writer",
		[SG_REASON_TRUSTED] = "trusted",
		[SG_REASON_OUT_OF_SCOPE] = "out-of-scope",
		[SG_REASON_INSPECTOR] = "inspector",
		[SG_REASON_MAINTENANCE_WINDOW] = "maintenance-window",
		[SG_REASON_WRITE_INTENT] = "write-intent",
		[SG_REASON_INTENT_UNKNOWN] = "intent-unknown",
		[SG_REASON_NOT_IN_BASELINE] = "not-in-baseline",
		[SG_REASON_HASH_MISMATCH] = "hash-mismatch",
		[SG_REASON_HASH_ERROR] = "hash-error",
		[SG_REASON_CHANGED_WHILE_HASHED] = "changed-while-hashed",
	};
	return r < ARRAY_SIZE(names) ? names[r] : "?";
}
