/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.h - the sealguard policy file (/etc/sealguard/policy.conf).
 *
 * INI, parsed with inih through ini_parse_stream() and a reader that counts
 * lines, so every error names file:line. Parsing is two-pass: pass one
 * collects every key (each checked against one sorted table of known
 * section/key names), pass two checks the policy as a whole (overlapping
 * paths, excludes outside every protected path, required keys). Any error
 * rejects the whole policy; all errors are reported, not only the first.
 *
 * Reference (docs/policy.md has the full text):
 *
 *   [sealguard]
 *   mode = enforce | permissive                      (required)
 *   baseline = /var/lib/sealguard/baseline           (absolute path)
 *
 *   [protect]                  write-protected trees
 *   path = /usr                (repeatable, at least one)
 *   exclude = /usr/local/var   (repeatable; must lie under a path)
 *   writer = /usr/bin/dpkg     (repeatable; maintenance writers, default none)
 *
 *   [exec]                     where execs are checked and what is trusted
 *   scope = local | paths      (default local: every local filesystem)
 *   path = /srv                (repeatable; required with scope = paths,
 *                               an error with scope = local)
 *   trusted = /opt/app         (repeatable; extra trees recorded in the
 *                               baseline, trusted for exec, not write-protected)
 *   match = path | content     (default path: an exec is trusted only at the
 *                               path the baseline lists it under; content:
 *                               any file whose SHA-256 is in the baseline)
 *   loader = /lib64/ld-linux-x86-64.so.2   (repeatable; dynamic loaders whose
 *                               direct use on a file counts as an exec of it;
 *                               default: the loaders of this architecture)
 *
 *   [log]
 *   allowed = none | exec, write, maintenance | all  (which allows to log;
 *                               default none; denials are always logged)
 *   ratelimit_interval = 10    (seconds, 1..3600, default 10)
 *   ratelimit_burst = 5        (identical entries per interval, 1..10000,
 *                               default 5)
 *
 * Paths must be absolute and normalised: no "//", no "." or ".." component,
 * no trailing "/" (except "/" itself), no space or control character.
 * Values must be non-empty.
 */
#ifndef SEALGUARD_POLICY_H
#define SEALGUARD_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "errlist.h"

#define SG_DEFAULT_POLICY "/etc/sealguard/policy.conf"
#define SG_DEFAULT_BASELINE "/var/lib/sealguard/baseline"

enum sg_mode {
	SG_MODE_ENFORCE,
	SG_MODE_PERMISSIVE,
};

enum sg_exec_scope {
	SG_EXEC_SCOPE_LOCAL, /* every local filesystem */
	SG_EXEC_SCOPE_PATHS, /* only below policy->exec_paths */
};

enum sg_exec_match {
	SG_EXEC_MATCH_PATH,    /* same path and same SHA-256 as the baseline */
	SG_EXEC_MATCH_CONTENT, /* any path, SHA-256 present in the baseline */
};

/* Bits of policy->log_allowed. */
enum {
	SG_LOG_ALLOW_EXEC = 1 << 0,        /* trusted execs */
	SG_LOG_ALLOW_WRITE = 1 << 1,       /* write-opens outside protection */
	SG_LOG_ALLOW_MAINTENANCE = 1 << 2, /* writes by a policy writer */
	SG_LOG_ALLOW_ALL = SG_LOG_ALLOW_EXEC | SG_LOG_ALLOW_WRITE |
			   SG_LOG_ALLOW_MAINTENANCE,
};

/* A list of paths, each with the policy line that named it. */
struct sg_pathlist {
	char **paths;
	unsigned *lines;
	size_t n;
};

struct sg_policy {
	char *file; /* the path the policy was read from */
	enum sg_mode mode;
	char *baseline; /* never NULL after a successful load */

	struct sg_pathlist protect; /* sorted, no overlaps */
	struct sg_pathlist exclude; /* sorted, each under some protect path */
	struct sg_pathlist writers; /* executables, sorted */

	enum sg_exec_scope exec_scope;
	struct sg_pathlist exec_paths; /* sorted, no overlaps */
	struct sg_pathlist trusted;    /* sorted, no overlaps */
	enum sg_exec_match exec_match;
	struct sg_pathlist loaders; /* defaults filled in when none given */

	unsigned log_allowed; /* SG_LOG_ALLOW_* bits */
	unsigned ratelimit_interval_s;
	unsigned ratelimit_burst;
};

/*
 * Parse and validate the policy at path. On success returns 0 and stores a
 * new policy in *ret. On any error returns a negative errno (-EINVAL for
 * policy errors, -ENOENT etc. when the file cannot be read, -ENOMEM) and
 * appends every problem found to errs as "file:line: message" (or
 * "file: message" when no line applies). *ret is written only on success.
 */
int sg_policy_load(const char *path, struct sg_policy **ret,
		   struct errlist *errs);

/* As sg_policy_load, from an open stream; name is used in messages. */
int sg_policy_load_stream(FILE *f, const char *name, struct sg_policy **ret,
			  struct errlist *errs);

void sg_policy_free(struct sg_policy *p);

/*
 * Write the policy in normalised form (every key, defaults made explicit,
 * lists sorted) - used by `sealguard check -v` and the golden-file tests.
 */
void sg_policy_dump(const struct sg_policy *p, FILE *out);

/* True if path is write-protected: under some protect path, not excluded. */
bool sg_policy_protects(const struct sg_policy *p, const char *path);

/* True if an exec of path is to be checked (scope local, or under a path). */
bool sg_policy_checks_exec(const struct sg_policy *p, const char *path);

/*
 * The roots the baseline records: the protect paths and the trusted paths.
 * Returns a newly allocated, sorted array of borrowed strings (free the
 * array only) and its length in *ret_n, or NULL on -ENOMEM.
 */
const char **sg_policy_baseline_roots(const struct sg_policy *p,
				      size_t *ret_n);

/* True if path is excluded from the baseline (under an exclude path). */
bool sg_policy_excludes(const struct sg_policy *p, const char *path);

const char *sg_mode_name(enum sg_mode m);

#endif
