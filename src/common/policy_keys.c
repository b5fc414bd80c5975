/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_keys.c - the one table of policy keys (see policy_int.h).
 *
 * Each key has its section and name, its kind (which parses and prints
 * it), the field it fills, what values it allows, its default and where
 * the normalised form prints it. The table is sorted by section, then
 * key (strcmp) and looked up with bsearch; test_policy_keys checks the
 * order and the print positions. No name here is near inih's
 * 49-character cut, so a cut name can never match one of these by
 * accident.
 */
#include "policy_int.h"

static const struct policy_name mode_names[] = {
	{ "enforce", SG_MODE_ENFORCE },
	{ "permissive", SG_MODE_PERMISSIVE },
	{ NULL, 0 },
};

static const struct policy_name scope_names[] = {
	{ "local", SG_EXEC_SCOPE_LOCAL },
	{ "paths", SG_EXEC_SCOPE_PATHS },
	{ NULL, 0 },
};

static const struct policy_name match_names[] = {
	{ "path", SG_EXEC_MATCH_PATH },
	{ "content", SG_EXEC_MATCH_CONTENT },
	{ NULL, 0 },
};

static const struct policy_name listen_action_names[] = {
	{ "destroy", SG_LISTEN_DESTROY },
	{ "kill", SG_LISTEN_KILL },
	{ "log", SG_LISTEN_LOG },
	{ NULL, 0 },
};

/* No "destroy": SOCK_DESTROY leaves a bound UDP socket bound. */
static const struct policy_name udp_action_names[] = {
	{ "kill", SG_LISTEN_KILL },
	{ "log", SG_LISTEN_LOG },
	{ NULL, 0 },
};

static const struct policy_name yes_no_names[] = {
	{ "yes", 1 },
	{ "no", 0 },
	{ NULL, 0 },
};

/* Yama's "no attach at all": the only value worth a key (1 and 2 leave
 * root's attach open, and 3 cannot be lowered again until reboot). */
static const struct policy_name ptrace_scope_names[] = {
	{ "3", 3 },
	{ "no", 0 },
	{ NULL, 0 },
};

static const struct policy_name overflow_names[] = {
	{ "verify", SG_OVERFLOW_VERIFY },
	{ "log", SG_OVERFLOW_LOG },
	{ NULL, 0 },
};

/* In the order `allowed` is printed; "none" and "all" are handled apart. */
static const struct policy_name log_names[] = {
	{ "exec", SG_LOG_ALLOW_EXEC },
	{ "write", SG_LOG_ALLOW_WRITE },
	{ "maintenance", SG_LOG_ALLOW_MAINTENANCE },
	{ NULL, 0 },
};

/* Indexed by enum sg_kind: the [respond] keys and the journal's names. */
static const char *const sg_kind_names[SG_KIND__COUNT] = {
	[SG_KIND_WRITE] = "write",
	[SG_KIND_EXEC] = "exec",
	[SG_KIND_LISTEN] = "listen",
	[SG_KIND_CHANGE] = "change",
};

/* [respond] reprovision_on: the kinds of event, as sets of bits. */
static const struct policy_name kind_names[] = {
	{ "write", 1u << SG_KIND_WRITE },
	{ "exec", 1u << SG_KIND_EXEC },
	{ "listen", 1u << SG_KIND_LISTEN },
	{ "change", 1u << SG_KIND_CHANGE },
	{ NULL, 0 },
};

/* [respond] per kind: in the order they are printed; "log" is apart. */
static const struct policy_name respond_names[] = {
	{ "kill", SG_RESPOND_KILL },
	{ "freeze", SG_RESPOND_FREEZE },
	{ "hook", SG_RESPOND_HOOK },
	{ NULL, 0 },
};

static const char *const default_baseline[] = { SG_DEFAULT_BASELINE, NULL };

/*
 * Used when the policy names no loader. Debian has each loader under two
 * names (the ABI path and the multiarch path, one a symlink to the other);
 * both are listed so a host where they are two files is covered too.
 */
static const char *const default_loaders[] = {
#if defined(__x86_64__)
	"/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
	"/lib64/ld-linux-x86-64.so.2",
#elif defined(__aarch64__)
	"/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1",
	"/lib/ld-linux-aarch64.so.1",
#endif
	/*
	 * Other architectures: no default, rather than a wrong guess or a
	 * build failure. Such hosts must list their loaders in [exec].
	 */
	NULL,
};

/* Enum fields are stored through an unsigned pointer (see policy_field). */
_Static_assert(sizeof(enum sg_mode) == sizeof(unsigned), "enum size");
_Static_assert(sizeof(enum sg_exec_scope) == sizeof(unsigned), "enum size");
_Static_assert(sizeof(enum sg_exec_match) == sizeof(unsigned), "enum size");
_Static_assert(sizeof(enum sg_listen_action) == sizeof(unsigned), "enum size");
_Static_assert(sizeof(enum sg_overflow_action) == sizeof(unsigned),
	       "enum size");

/* section, key, print position, kind, field */
#define KEY(s, k, pos, kd, fld)                                               \
	.section = s, .key = k, .order = pos, .kind = POLICY_##kd,            \
	.offset = offsetof(struct sg_policy, fld)
#define RANGE(lo, hi) .min = lo, .max = hi
#define ACTIONS(k, pos, kind)                                                 \
	{ KEY("respond", k, pos, ACTIONS, respond.actions[kind]),            \
	  .names = respond_names, .def = 0 }

static const struct policy_key keys[] = {
	{ KEY("changes", "overflow", 26, ENUM, changes.overflow),
	  .names = overflow_names, .def = SG_OVERFLOW_VERIFY },
	{ KEY("changes", "verify_interval", 27, UINT,
	      changes.verify_interval_s), RANGE(0, 604800), .def = 0 },
	{ KEY("exec", "inspector", 15, LIST, inspectors) },
	{ KEY("exec", "interpreter", 14, LIST, interpreters),
	  .absent = "(the shells, python and perl in the baseline)" },
	{ KEY("exec", "loader", 13, LIST, loaders), .defs = default_loaders },
	{ KEY("exec", "match", 12, ENUM, exec_match), .names = match_names,
	  .def = SG_EXEC_MATCH_PATH },
	{ KEY("exec", "path", 10, LIST, exec_paths), .disjoint = true,
	  .literal = true },
	{ KEY("exec", "scope", 9, ENUM, exec_scope), .names = scope_names,
	  .def = SG_EXEC_SCOPE_LOCAL },
	{ KEY("exec", "trusted", 11, LIST, trusted), .disjoint = true,
	  .literal = true },
	{ KEY("harden", "memfd_noexec", 23, ENUM, harden_memfd_noexec),
	  .names = yes_no_names, .def = 0 },
	{ KEY("harden", "ptrace_scope", 24, ENUM, harden_ptrace_scope),
	  .names = ptrace_scope_names, .def = 0 },
	{ KEY("harden", "user_namespaces", 25, ENUM, harden_user_namespaces),
	  .names = yes_no_names, .def = 1 },
	{ KEY("listen", "action", 20, ENUM, listen.tcp_action),
	  .names = listen_action_names, .def = SG_LISTEN_DESTROY },
	{ KEY("listen", "allow", 19, RULE, listen) },
	{ KEY("listen", "scan_interval_ms", 22, UINT, listen.scan_interval_ms),
	  RANGE(5, 1000), .def = SG_LISTEN_DEFAULT_SCAN_MS },
	{ KEY("listen", "udp_action", 21, UDP_ACTION, listen.udp_action),
	  .names = udp_action_names, .def = SG_LISTEN_KILL },
	{ KEY("log", "allowed", 16, SET, log_allowed), .names = log_names,
	  .def = 0 },
	{ KEY("log", "ratelimit_burst", 18, UINT, ratelimit_burst),
	  RANGE(1, 10000), .def = 5 },
	{ KEY("log", "ratelimit_interval", 17, UINT, ratelimit_interval_s),
	  RANGE(1, 3600), .def = 10 },
	{ KEY("protect", "exclude", 5, LIST, exclude), .disjoint = true,
	  .literal = true },
	{ KEY("protect", "path", 4, LIST, protect), .disjoint = true,
	  .literal = true, .required = true },
	{ KEY("protect", "reseal", 8, ENUM, reseal), .names = yes_no_names,
	  .def = 1 },
	{ KEY("protect", "seal", 7, LIST, seals), .disjoint = true,
	  .literal = true },
	{ KEY("protect", "writer", 6, LIST, writers) },
	ACTIONS("change", 31, SG_KIND_CHANGE),
	ACTIONS("exec", 29, SG_KIND_EXEC),
	{ KEY("respond", "hook", 32, PATH, respond.hook) },
	{ KEY("respond", "hook_timeout", 33, UINT, respond.hook_timeout_s),
	  RANGE(1, 3600), .def = 30 },
	{ KEY("respond", "lifetime", 36, UINT, respond.lifetime_s),
	  RANGE(0, 315360000), .def = 0 },
	ACTIONS("listen", 30, SG_KIND_LISTEN),
	{ KEY("respond", "reprovision", 34, PATH, respond.reprovision) },
	{ KEY("respond", "reprovision_on", 35, SET, respond.reprovision_on),
	  .names = kind_names, .def = 0 },
	ACTIONS("write", 28, SG_KIND_WRITE),
	{ KEY("sealguard", "baseline", 2, PATH, baseline),
	  .defs = default_baseline },
	{ KEY("sealguard", "baseline_key", 3, PATH, baseline_key) },
	{ KEY("sealguard", "mode", 1, ENUM, mode), .names = mode_names,
	  .required = true, .def = SG_MODE_ENFORCE },
	{ KEY("tether", "heartbeat_interval", 37, UINT,
	      tether.heartbeat_interval_s), RANGE(1, 86400),
	  .def = SG_DEFAULT_HEARTBEAT_S },
};

const struct policy_key *policy_keys(size_t *ret_n)
{
	*ret_n = ARRAY_SIZE(keys);
	return keys;
}

static int key_cmp(const void *a, const void *b)
{
	const struct policy_key *x = a, *y = b;
	int c = strcmp(x->section, y->section);

	return c ? c : strcmp(x->key, y->key);
}

static int section_cmp(const void *a, const void *b)
{
	return strcmp(((const struct policy_key *)a)->section,
		      ((const struct policy_key *)b)->section);
}

const struct policy_key *policy_key_find(const char *section, const char *key)
{
	struct policy_key want = { .section = section, .key = key };

	return bsearch(&want, keys, ARRAY_SIZE(keys), sizeof(keys[0]),
		       key_cmp);
}

bool policy_section_known(const char *section)
{
	struct policy_key want = { .section = section };

	return bsearch(&want, keys, ARRAY_SIZE(keys), sizeof(keys[0]),
		       section_cmp) != NULL;
}

size_t policy_key_index(const struct policy_key *k)
{
	return (size_t)(k - keys);
}

/* A linear scan: a few dozen keys, walked once per policy read or printed. */
const struct policy_key *policy_key_at(unsigned pos)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].order == pos)
			return &keys[i];
	return NULL;
}

void *policy_field(const struct sg_policy *p, const struct policy_key *k)
{
	return (char *)p + k->offset;
}

bool policy_kind_scalar(enum policy_kind kind)
{
	return kind != POLICY_PATH && kind != POLICY_LIST &&
	       kind != POLICY_RULE;
}

const char *policy_value_name(const struct policy_name *t, unsigned value)
{
	for (; t->name; t++)
		if (t->value == value)
			return t->name;
	return "unknown";
}

unsigned policy_names_all(const struct policy_name *t)
{
	unsigned bits = 0;

	for (; t->name; t++)
		bits |= t->value;
	return bits;
}

const char *sg_mode_name(enum sg_mode m)
{
	return policy_value_name(mode_names, m);
}

const char *sg_kind_name(enum sg_kind k)
{
	return k < SG_KIND__COUNT ? sg_kind_names[k] : "unknown";
}
