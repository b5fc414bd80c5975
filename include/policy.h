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
 *   baseline_key = /etc/sealguard/baseline.pub       (optional: the baseline
 *                               must carry a valid Ed25519 signature by it)
 *
 *   [protect]                  write-protected trees
 *   path = /usr                (repeatable, at least one)
 *   exclude = /usr/local/var   (repeatable; must lie under a path)
 *   writer = /usr/bin/dpkg     (repeatable; maintenance writers, default none)
 *   seal = /usr                (repeatable; each a path above: made a
 *                               read-only bind mount, see docs/changes.md)
 *   reseal = yes | no          (default yes: restore a seal that was
 *                               remounted read-write or unmounted; only
 *                               with a seal)
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
 *   interpreter = /usr/bin/python3 (repeatable; programs whose scripts on
 *                               exec-checked paths must be in the baseline;
 *                               default: the shells, python and perl in the
 *                               baseline)
 *   inspector = /usr/bin/sha256sum (repeatable; programs that may open ELF
 *                               objects not in the baseline even the way the
 *                               loader does, with O_CLOEXEC; logged; default
 *                               none)
 *
 *   [log]
 *   allowed = none | exec, write, maintenance | all  (which allows to log;
 *                               default none; denials are always logged)
 *   ratelimit_interval = 10    (seconds, 1..3600, default 10)
 *   ratelimit_burst = 5        (identical entries per interval, 1..10000,
 *                               default 5)
 *
 *   [listen]                   network listeners (optional: without this
 *                               section the listener guard is off; with it,
 *                               every listener no rule allows is a violation)
 *   allow = PROTO PORTS [ADDRESS] [EXE]   (repeatable; see docs/listen.md)
 *          PROTO   tcp | udp (both families), tcp4 | udp4, tcp6 | udp6
 *          PORTS   22 or 8000-8080 (1..65535)
 *          ADDRESS any (default) | loopback | an IPv4 or IPv6 address
 *                  (0.0.0.0 and :: are the wildcard binds themselves)
 *          EXE     an absolute path: every process holding the socket
 *                  must run it (and, if it is in the baseline, unchanged)
 *   action = destroy | kill | log   (TCP violations; default destroy)
 *   udp_action = kill | log         (UDP violations; default kill: a bound
 *                               UDP socket cannot be destroyed)
 *   scan_interval_ms = 20      (5..1000, default 20)
 *
 *   [changes]                  change detection (optional: without this
 *                               section it is off; with it, every change
 *                               under a protected path is logged)
 *   overflow = verify | log    (a lost-events overflow: run a verify pass,
 *                               default, or only log it)
 *   verify_interval = 0        (seconds between verify passes, 0..604800;
 *                               default 0: only on overflow)
 *
 *   [respond]                  what to do beyond logging (docs/respond.md)
 *   write = log | kill | freeze [, hook]     (per kind of event: write,
 *   exec = ...                  exec, listen, change; default log; "hook"
 *   listen = ...                alone or with kill or freeze)
 *   change = ...
 *   hook = /usr/libexec/x      (program run by the hook action; under a
 *                               [protect] path)
 *   hook_timeout = 30          (seconds, 1..3600, default 30)
 *   reprovision = /usr/libexec/y   (program that asks for the host to be
 *                               replaced; under a [protect] path)
 *   reprovision_on = none | write, exec, listen, change | all
 *                               (the first violation of these kinds runs
 *                               it; default none)
 *   lifetime = 0               (seconds of host uptime after which it runs;
 *                               0..315360000, default 0: never)
 *
 *   [tether]                   what a collector sees (docs/fleet.md)
 *   heartbeat_interval = 60    (seconds between heartbeat entries, 1..86400,
 *                               default 60; also without the section)
 *
 * Paths must be absolute and normalised: no "//", no "." or ".." component,
 * no trailing "/" (except "/" itself), no space or control character.
 * Values must be non-empty.
 */
#ifndef SEALGUARD_POLICY_H
#define SEALGUARD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "errlist.h"

#define SG_DEFAULT_POLICY "/etc/sealguard/policy.conf"
#define SG_DEFAULT_BASELINE "/var/lib/sealguard/baseline"
#define SG_LISTEN_DEFAULT_SCAN_MS 20
#define SG_DEFAULT_HEARTBEAT_S 60

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

/* What the listener guard does with a listener no rule allows. */
enum sg_listen_action {
	SG_LISTEN_DESTROY, /* SOCK_DESTROY the socket (TCP only) */
	SG_LISTEN_KILL,    /* destroy it (TCP), then SIGKILL every owner */
	SG_LISTEN_LOG,     /* log it as would-deny, leave it alone */
};

/* sg_listen_rule.proto */
enum sg_listen_proto {
	SG_LISTEN_TCP,
	SG_LISTEN_UDP,
};

/* Bits of sg_listen_rule.families */
enum {
	SG_LISTEN_IPV4 = 1 << 0,
	SG_LISTEN_IPV6 = 1 << 1,
};

enum sg_listen_addr {
	SG_LISTEN_ADDR_ANY,      /* whatever address the socket is bound to */
	SG_LISTEN_ADDR_LOOPBACK, /* 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104 */
	SG_LISTEN_ADDR_EXACT,    /* exactly addr (0.0.0.0 and :: too) */
};

/* One "allow = ..." of [listen]. */
struct sg_listen_rule {
	enum sg_listen_proto proto;
	unsigned families; /* SG_LISTEN_IPV4 | SG_LISTEN_IPV6 */
	uint16_t port_min, port_max;
	enum sg_listen_addr addr_kind;
	unsigned char addr[16]; /* EXACT: network order, IPv4 in bytes 0..3 */
	char *exe;              /* NULL: any program may own the socket */
	unsigned line;
};

/* What the change watcher does when the kernel lost events. */
enum sg_overflow_action {
	SG_OVERFLOW_VERIFY, /* log it and run a verify pass */
	SG_OVERFLOW_LOG,    /* only log it */
};

struct sg_changes_policy {
	bool enabled; /* the policy has a [changes] section */
	enum sg_overflow_action overflow;
	unsigned verify_interval_s; /* 0: no periodic verify pass */
};

/* The kinds of event a response can be set for ([respond]). */
enum sg_kind {
	SG_KIND_WRITE,
	SG_KIND_EXEC,
	SG_KIND_LISTEN,
	SG_KIND_CHANGE,
	SG_KIND__COUNT
};

/* Bits of sg_respond_policy.actions[kind]; none: log only. */
enum {
	SG_RESPOND_KILL = 1 << 0,   /* SIGKILL the acting process */
	SG_RESPOND_FREEZE = 1 << 1, /* freeze its cgroup (cgroup.freeze) */
	SG_RESPOND_HOOK = 1 << 2,   /* run the operator's hook program */
};

struct sg_respond_policy {
	bool enabled; /* the policy has a [respond] section */
	unsigned actions[SG_KIND__COUNT];
	char *hook;        /* NULL: no hook */
	unsigned hook_timeout_s;
	char *reprovision; /* NULL: the host never asks to be replaced */
	unsigned reprovision_on; /* bits 1 << enum sg_kind */
	unsigned lifetime_s;     /* host uptime; 0: no limit */
};

/* [tether]: the heartbeat a collector watches (docs/fleet.md). */
struct sg_tether_policy {
	bool enabled; /* the section is present (printed only then) */
	unsigned heartbeat_interval_s; /* always set: the default is 60 */
};

struct sg_listen_policy {
	bool enabled; /* the policy has a [listen] section */
	struct sg_listen_rule *rules;
	size_t nrules;
	enum sg_listen_action tcp_action;
	enum sg_listen_action udp_action; /* never SG_LISTEN_DESTROY */
	unsigned scan_interval_ms;
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
	char *baseline_key; /* Ed25519 public key (PEM) the baseline must be
			       signed with; NULL: no signature required */

	struct sg_pathlist protect; /* sorted, no overlaps */
	struct sg_pathlist exclude; /* sorted, each under some protect path */
	struct sg_pathlist writers; /* executables, sorted */
	struct sg_pathlist seals;   /* sorted, each one of protect */
	unsigned reseal;            /* 1 (yes) or 0 (no) */
	/* [harden]: host settings that close bypasses, set at start */
	unsigned harden_memfd_noexec; /* 1: vm.memfd_noexec = 2 */
	unsigned harden_ptrace_scope; /* 3: kernel.yama.ptrace_scope = 3; 0: no */
	unsigned harden_user_namespaces; /* 0: user.max_user_namespaces = 0
					    (door 3: no unshare -Urm) */

	enum sg_exec_scope exec_scope;
	struct sg_pathlist exec_paths; /* sorted, no overlaps */
	struct sg_pathlist trusted;    /* sorted, no overlaps */
	enum sg_exec_match exec_match;
	struct sg_pathlist loaders; /* defaults filled in when none given */
	/* programs whose opens of scripts not in the baseline, on an
	 * exec-checked path, are judged as execs; empty: the daemon takes the
	 * shells, python and perl the baseline holds */
	struct sg_pathlist interpreters;
	/* programs that may open ELF objects not in the baseline with the
	 * loader's O_CLOEXEC (a Python or Go backup tool): allowed and
	 * logged; empty: none. A read without O_CLOEXEC needs no listing. */
	struct sg_pathlist inspectors;

	unsigned log_allowed; /* SG_LOG_ALLOW_* bits */
	unsigned ratelimit_interval_s;
	unsigned ratelimit_burst;

	struct sg_listen_policy listen;
	struct sg_changes_policy changes;
	struct sg_respond_policy respond;
	struct sg_tether_policy tether;
};

/*
 * Parse and validate the policy at path. On success returns 0 and stores a
 * new policy in *ret. On any error returns a negative errno (-EINVAL for
 * policy errors, -ENOENT etc. when the file cannot be read, -ENOMEM) and
 * appends every problem found to errs as "file:line: message" (or
 * "file: message" when no line applies). Paths that exist must not go
 * through a symlink (sg_policy_check_symlinks). *ret is written only on
 * success.
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

/*
 * Paths whose meaning is their name (protect, exclude, seal, exec path,
 * trusted) must not go through a symlink: the kernel reports real paths,
 * so "/lib" on a host where it is a link to "usr/lib" would match
 * nothing. Existing paths only (the parser never looks at the
 * filesystem; sg_policy_load calls this). 0, -EINVAL with every
 * offender in errs as "file:line: ...", or -ENOMEM.
 */
int sg_policy_check_symlinks(const struct sg_policy *p, struct errlist *errs);

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

struct sg_baseline;

/*
 * The [respond] hook and reprovision programs (respond_check.c): each a
 * root-owned regular file no one else may write, executable, and in the
 * baseline b (when b is given). 0, or a negative errno with the reason
 * in errs.
 */
int sg_respond_check(const struct sg_policy *p, const struct sg_baseline *b,
		     struct errlist *errs);

/* "write", "exec", "listen", "change". */
const char *sg_kind_name(enum sg_kind k);

/* True if the policy asks for any response beyond logging. */
bool sg_policy_responds(const struct sg_policy *p);

/*
 * Parse the value of a [listen] allow ("tcp 8000-8080 loopback /usr/bin/x")
 * into *ret (line set to 0; ret->exe newly allocated). On a bad value
 * returns -EINVAL and points *ret_why at a message that completes
 * "'allow' ...", and *ret is untouched; -ENOMEM.
 */
int sg_listen_rule_parse(const char *value, struct sg_listen_rule *ret,
			 const char **ret_why);

/* Print a rule in normalised form (the value only, no "allow = "). */
void sg_listen_rule_print(const struct sg_listen_rule *r, FILE *out);

/* The same into buf; returns buf. */
char *sg_listen_rule_format(const struct sg_listen_rule *r, char *buf,
			    size_t size);

/* True if every socket a allows, b allows too (b is at least as broad). */
bool sg_listen_rule_covers(const struct sg_listen_rule *b,
			   const struct sg_listen_rule *a);

/* Order of the normalised form: protocol, ports, families, address, exe. */
int sg_listen_rule_cmp(const struct sg_listen_rule *a,
		       const struct sg_listen_rule *b);

const char *sg_listen_action_name(enum sg_listen_action a);

/* True for 127.0.0.0/8 (AF_INET), ::1 and ::ffff:127.0.0.0/104 (AF_INET6);
 * addr in network order. */
bool sg_listen_addr_is_loopback(int family, const unsigned char *addr);

/*
 * Why path is not an acceptable policy path (absolute, normalised, no
 * space or control character), or NULL if it is (policy_path.c).
 */
const char *sg_policy_path_problem(const char *path);

#endif
