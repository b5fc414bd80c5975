/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decide.h - the decision rules, free of any system call so that they can
 * be unit-tested exhaustively. The guard gathers facts lazily (cheapest
 * first) and asks these functions what they mean.
 */
#ifndef SEALGUARD_DECIDE_H
#define SEALGUARD_DECIDE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

#include "hash.h"
#include "fan/intent.h"
#include "policy.h"

struct sg_baseline;

enum sg_event_kind {
	SG_EVENT_WRITE,
	SG_EVENT_EXEC,
};

enum sg_action {
	SG_ACTION_ALLOW,
	SG_ACTION_DENY,
	SG_ACTION_WOULD_DENY, /* permissive mode: allowed, logged as a denial */
};

enum sg_reason {
	SG_REASON_READ_ONLY,        /* allow: a read-only open */
	SG_REASON_UNPROTECTED,      /* allow: the file is not protected */
	SG_REASON_MAINTENANCE,      /* allow: a policy writer */
	SG_REASON_TRUSTED,          /* allow: in the baseline, hash matches */
	SG_REASON_OUT_OF_SCOPE,     /* allow: execs are not checked there */
	SG_REASON_INSPECTOR,        /* allow, logged: an [exec] inspector reads
				       an ELF object not in the baseline */
	SG_REASON_MAINTENANCE_WINDOW, /* allow, logged: a would-be denial of a
					 maintenance window's command tree */
	SG_REASON_WRITE_INTENT,     /* deny: open for writing */
	SG_REASON_INTENT_UNKNOWN,   /* deny: intent cannot be known */
	SG_REASON_NOT_IN_BASELINE,  /* deny: unknown file */
	SG_REASON_HASH_MISMATCH,    /* deny: content differs from baseline */
	SG_REASON_HASH_ERROR,       /* deny: the file could not be read */
	SG_REASON_CHANGED_WHILE_HASHED, /* deny: written during its hash */
	SG_REASON__COUNT,
};

struct sg_decision {
	enum sg_event_kind event;
	enum sg_action action;
	enum sg_reason reason;
	bool log; /* write a journal entry */
};

/*
 * A FAN_OPEN_PERM on a file: intent from /proc/<tid>/syscall, whether the
 * inode or path is protected, whether the opener is a policy writer.
 */
struct sg_decision sg_decide_open(const struct sg_policy *p,
				  enum sg_intent intent, bool is_protected,
				  bool by_writer);

/* Outcome of comparing a file with the baseline. */
enum sg_trust {
	SG_TRUST_NEED_HASH,   /* only the content can tell */
	SG_TRUST_OK,
	SG_TRUST_UNKNOWN,     /* not in the baseline */
	SG_TRUST_MISMATCH,    /* in the baseline with other content */
	SG_TRUST_CHANGED,     /* the file changed while it was hashed */
};

/*
 * Did a file change between two fstat()s of the same descriptor? Any
 * write moves mtime and ctime, truncation moves size, a chmod ctime;
 * ino guards against a descriptor that is not the file we hashed.
 */
bool sg_stat_changed(const struct stat *before, const struct stat *after);

/*
 * Before hashing: with match=path, a path absent from the baseline or a
 * size that differs decides at once; otherwise the hash is needed.
 */
enum sg_trust sg_trust_precheck(const struct sg_baseline *b,
				enum sg_exec_match match, const char *path,
				uint64_t size);

/* After hashing: compare sha256 with the baseline. */
enum sg_trust sg_trust_judge(const struct sg_baseline *b,
			     enum sg_exec_match match, const char *path,
			     const unsigned char sha256[SG_SHA256_LEN]);

/* An exec (or a loader's open) of a file whose trust is known. */
struct sg_decision sg_decide_exec(const struct sg_policy *p,
				  enum sg_trust trust);

/*
 * An ELF object that is not trusted, opened by an [exec] inspector (a
 * copy, a checksum): allowed, and always logged.
 */
struct sg_decision sg_decide_inspected(void);

/* Permissive mode turns a denial into an allow that is logged as such. */
struct sg_decision sg_decision_apply_mode(const struct sg_policy *p,
					  struct sg_decision d);

const char *sg_event_name(enum sg_event_kind e);
const char *sg_action_name(enum sg_action a);
const char *sg_reason_name(enum sg_reason r);

#endif
