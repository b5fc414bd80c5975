/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.c - read, validate and print the policy file (see policy.h).
 *
 * inih splits lines into sections, keys and values; everything else is
 * done here, because Debian's inih leaves it open: the handler gets no
 * line number (so the reader counts lines), lines longer than inih's
 * buffer would be split in two, section names are cut at 49 characters,
 * and an indented line silently continues the previous value.
 * Every name is looked up in one sorted table of known keys, each with the
 * type that parses and prints its value.
 *
 * Pass one (the inih handler) checks each line on its own and stores the
 * value; pass two (validate) checks the policy as a whole. Errors are
 * collected with their line, sorted, and handed to the caller's errlist.
 */
#include <ctype.h>
#include <ini.h>
#include <stdarg.h>

#include "pathrule.h"
#include "policy.h"
#include "trustfile.h"
#include "util.h"

struct parser;
struct keydef;

/* A key's value type: how to parse one value, how to print the field. */
struct keytype {
	void (*parse)(struct parser *ps, const struct keydef *k, const char *v);
	void (*dump)(const struct sg_policy *p, const struct keydef *k,
		     FILE *out);
};

struct name_value {
	const char *name;
	unsigned value;
};

struct keydef {
	const char *section;
	const char *key;
	const struct keytype *type;
	size_t offset;                  /* of the field in struct sg_policy */
	const struct name_value *names; /* enums: the allowed values */
	unsigned min, max;              /* numbers: inclusive range */
	bool disjoint;                  /* lists: entries must not nest */
};

/* One problem found, kept until the end so they can be sorted by line. */
struct diag {
	unsigned line; /* 0: about the file as a whole */
	size_t seq;
	char *msg;
};

struct parser {
	FILE *f;
	const char *name;
	struct sg_policy *p;
	unsigned line;        /* the line inih is working on */
	bool indented;        /* ... starts with whitespace */
	unsigned header_line; /* the last line that looked like "[section]" */
	unsigned reported_header;
	int error; /* -ENOMEM or a read error: stop and return it */
	struct diag *diags;
	size_t ndiags;
	unsigned *seen; /* per key: the line it first appeared on */
	bool *bad;      /* per key: some value of it was rejected */
};

static const struct name_value mode_names[] = {
	{ "enforce", SG_MODE_ENFORCE },
	{ "permissive", SG_MODE_PERMISSIVE },
	{ NULL, 0 },
};

static const struct name_value scope_names[] = {
	{ "local", SG_EXEC_SCOPE_LOCAL },
	{ "paths", SG_EXEC_SCOPE_PATHS },
	{ NULL, 0 },
};

static const struct name_value match_names[] = {
	{ "path", SG_EXEC_MATCH_PATH },
	{ "content", SG_EXEC_MATCH_CONTENT },
	{ NULL, 0 },
};

static const struct name_value listen_action_names[] = {
	{ "destroy", SG_LISTEN_DESTROY },
	{ "kill", SG_LISTEN_KILL },
	{ "log", SG_LISTEN_LOG },
	{ NULL, 0 },
};

/* No "destroy": SOCK_DESTROY leaves a bound UDP socket bound. */
static const struct name_value udp_action_names[] = {
	{ "kill", SG_LISTEN_KILL },
	{ "log", SG_LISTEN_LOG },
	{ NULL, 0 },
};

static const struct name_value yes_no_names[] = {
	{ "yes", 1 },
	{ "no", 0 },
	{ NULL, 0 },
};

static const struct name_value overflow_names[] = {
	{ "verify", SG_OVERFLOW_VERIFY },
	{ "log", SG_OVERFLOW_LOG },
	{ NULL, 0 },
};

/* In the order `allowed` is printed; "none" and "all" are handled apart. */
static const struct name_value log_names[] = {
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
static const struct name_value kind_names[] = {
	{ "write", 1u << SG_KIND_WRITE },
	{ "exec", 1u << SG_KIND_EXEC },
	{ "listen", 1u << SG_KIND_LISTEN },
	{ "change", 1u << SG_KIND_CHANGE },
	{ NULL, 0 },
};

/* [respond] per kind: in the order they are printed; "log" is apart. */
static const struct name_value respond_names[] = {
	{ "kill", SG_RESPOND_KILL },
	{ "freeze", SG_RESPOND_FREEZE },
	{ "hook", SG_RESPOND_HOOK },
	{ NULL, 0 },
};

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

/* Enum fields are stored through an unsigned pointer (see field()). */
_Static_assert(sizeof(enum sg_mode) == sizeof(unsigned), "enum size");
_Static_assert(sizeof(enum sg_exec_scope) == sizeof(unsigned), "enum size");
_Static_assert(sizeof(enum sg_exec_match) == sizeof(unsigned), "enum size");
_Static_assert(sizeof(enum sg_listen_action) == sizeof(unsigned), "enum size");
_Static_assert(sizeof(enum sg_overflow_action) == sizeof(unsigned),
	       "enum size");

/* The field k describes; not const, as the parse functions write it. */
static void *field(const struct sg_policy *p, const struct keydef *k)
{
	return (char *)p + k->offset;
}

static const struct name_value *name_find(const struct name_value *t,
					  const char *name)
{
	for (; t->name; t++)
		if (streq(t->name, name))
			return t;
	return NULL;
}

static const char *value_name(const struct name_value *t, unsigned value)
{
	for (; t->name; t++)
		if (t->value == value)
			return t->name;
	return "unknown";
}

/* "a, b, c" into buf: allowed values for messages, from the same table. */
static const char *names_join(const struct name_value *t, char *buf,
			      size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; t->name && n < size; t++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
				      n ? ", " : "", t->name);
	return buf;
}

/*
 * A copy of msg with control characters as \xHH: values come from the
 * file, and a message must not carry terminal escapes to whoever reads it.
 */
static char *escape(const char *msg)
{
	char *out = malloc(4 * strlen(msg) + 1), *o = out;

	if (!out)
		return NULL;
	for (const unsigned char *s = (const unsigned char *)msg; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			o += sprintf(o, "\\x%02x", *s);
		else
			*o++ = (char)*s;
	*o = '\0';
	return out;
}

static void diag(struct parser *ps, unsigned line, const char *fmt, ...)
	_printf_(3, 4);

static void diag(struct parser *ps, unsigned line, const char *fmt, ...)
{
	_cleanup_free_ char *raw = NULL;
	struct diag *grown;
	va_list ap;
	char *msg;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&raw, fmt, ap);
	va_end(ap);
	msg = r < 0 ? NULL : escape(raw);
	grown = msg ? reallocarray(ps->diags, ps->ndiags + 1, sizeof(*grown))
		    : NULL;
	if (!grown) {
		free(msg);
		ps->error = -ENOMEM;
		return;
	}
	grown[ps->ndiags] = (struct diag){ line, ps->ndiags, msg };
	ps->diags = grown;
	ps->ndiags++;
}

static int pathlist_add(struct sg_pathlist *l, const char *path,
			unsigned line)
{
	_cleanup_free_ char *copy = strdup(path);
	unsigned *lines;
	char **paths;

	if (!copy)
		return -ENOMEM;
	paths = reallocarray(l->paths, l->n + 1, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	l->paths = paths;
	lines = reallocarray(l->lines, l->n + 1, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	l->lines = lines;
	l->paths[l->n] = TAKE_PTR(copy);
	l->lines[l->n++] = line;
	return 0;
}

static void pathlist_free(struct sg_pathlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	free(l->lines);
}

/* Insertion sort: the lists are short; paths and lines move together. */
static void pathlist_sort(struct sg_pathlist *l)
{
	for (size_t i = 1; i < l->n; i++) {
		char *path = l->paths[i];
		unsigned line = l->lines[i];
		size_t j = i;

		for (; j > 0 && strcmp(l->paths[j - 1], path) > 0; j--) {
			l->paths[j] = l->paths[j - 1];
			l->lines[j] = l->lines[j - 1];
		}
		l->paths[j] = path;
		l->lines[j] = line;
	}
}

/*
 * Why v is not an acceptable policy path, or NULL. Whitespace is refused
 * because "path = /usr /etc" or "path = /usr # note" would otherwise
 * protect a path that does not exist, silently.
 */
const char *sg_policy_path_problem(const char *v)
{
	if (v[0] != '/')
		return "must be an absolute path";
	for (const char *s = v; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return "must not contain control characters";
	if (strchr(v, ' '))
		return "must not contain spaces (one path per line)";
	return sg_path_form_problem(v);
}

static bool path_ok(struct parser *ps, const struct keydef *k, const char *v)
{
	const char *why = sg_policy_path_problem(v);

	if (why)
		diag(ps, ps->line, "'%s' %s: '%s'", k->key, why, v);
	return !why;
}

static void parse_enum(struct parser *ps, const struct keydef *k,
		       const char *v)
{
	const struct name_value *nv = name_find(k->names, v);
	char allowed[128];

	if (!nv) {
		diag(ps, ps->line, "'%s' must be one of %s; got '%s'", k->key,
		     names_join(k->names, allowed, sizeof(allowed)), v);
		return;
	}
	*(unsigned *)field(ps->p, k) = nv->value;
}

/* Decimal digits only: no sign, no "0x", no unit, no space. */
static void parse_uint(struct parser *ps, const struct keydef *k,
		       const char *v)
{
	unsigned long long n = 0;
	const char *s = v;

	for (; *s >= '0' && *s <= '9'; s++)
		if (n <= k->max) /* stop growing once out of range */
			n = n * 10 + (unsigned)(*s - '0');
	if (*s || s == v) {
		diag(ps, ps->line, "'%s' must be a decimal number; got '%s'",
		     k->key, v);
		return;
	}
	if (n < k->min || n > k->max) {
		diag(ps, ps->line, "'%s' must be between %u and %u; got %s",
		     k->key, k->min, k->max, v);
		return;
	}
	*(unsigned *)field(ps->p, k) = (unsigned)n;
}

static void parse_path(struct parser *ps, const struct keydef *k,
		       const char *v)
{
	char **dst = field(ps->p, k);

	if (!path_ok(ps, k, v))
		return;
	*dst = strdup(v);
	if (!*dst)
		ps->error = -ENOMEM;
}

static void parse_list(struct parser *ps, const struct keydef *k,
		       const char *v)
{
	if (path_ok(ps, k, v) && pathlist_add(field(ps->p, k), v, ps->line))
		ps->error = -ENOMEM;
}

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t");
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	*end = '\0';
	return s;
}

static void bad_set(struct parser *ps, const struct keydef *k, const char *v)
{
	char names[128];

	diag(ps, ps->line,
	     "'%s' must be none, all, or a comma-separated list of %s; got '%s'",
	     k->key, names_join(k->names, names, sizeof(names)), v);
}

/* Every bit a set of names can hold: what "all" means. */
static unsigned names_all(const struct name_value *t)
{
	unsigned bits = 0;

	for (; t->name; t++)
		bits |= t->value;
	return bits;
}

/*
 * A comma-separated list of k's names, in any order, each at most once,
 * into *ret_bits. 0; -EINVAL for an unknown name (the caller says what is
 * allowed); -EALREADY for a repeated one (reported here); -ENOMEM.
 */
static int parse_names(struct parser *ps, const struct keydef *k,
		       const char *v, unsigned *ret_bits)
{
	_cleanup_free_ char *copy = strdup(v);
	unsigned bits = 0;
	char *rest = copy, *item;

	if (!copy) {
		ps->error = -ENOMEM;
		return -ENOMEM;
	}
	while ((item = strsep(&rest, ","))) {
		const struct name_value *nv;

		item = trim(item);
		nv = name_find(k->names, item);
		if (!nv)
			return -EINVAL;
		if (bits & nv->value) {
			diag(ps, ps->line, "'%s' lists '%s' twice", k->key,
			     item);
			return -EALREADY;
		}
		bits |= nv->value;
	}
	*ret_bits = bits;
	return 0;
}

/* "none", "all", or "exec, write, maintenance" in any order and subset. */
static void parse_set(struct parser *ps, const struct keydef *k,
		      const char *v)
{
	unsigned bits = 0;
	int r;

	if (streq(v, "none") || streq(v, "all")) {
		*(unsigned *)field(ps->p, k) =
			streq(v, "all") ? names_all(k->names) : 0;
		return;
	}
	r = parse_names(ps, k, v, &bits);
	if (r == -EINVAL)
		bad_set(ps, k, v);
	if (r == 0)
		*(unsigned *)field(ps->p, k) = bits;
}

/* The one action a bound UDP socket cannot get: say why, not only what. */
static void parse_udp_action(struct parser *ps, const struct keydef *k,
			     const char *v)
{
	if (streq(v, "destroy")) {
		diag(ps, ps->line,
		     "'%s' cannot be destroy: SOCK_DESTROY leaves a bound UDP "
		     "socket bound and receiving; use kill or log", k->key);
		return;
	}
	parse_enum(ps, k, v);
}

static void parse_rule(struct parser *ps, const struct keydef *k,
		       const char *v)
{
	struct sg_listen_policy *l = &ps->p->listen;
	struct sg_listen_rule r, *grown;
	const char *why = NULL;
	int err = sg_listen_rule_parse(v, &r, &why);

	if (err == -EINVAL) {
		diag(ps, ps->line, "'%s' %s: '%s'", k->key, why, v);
		return;
	}
	grown = err ? NULL :
		      reallocarray(l->rules, l->nrules + 1, sizeof(*grown));
	if (!grown) {
		if (!err)
			free(r.exe);
		ps->error = -ENOMEM;
		return;
	}
	r.line = ps->line;
	grown[l->nrules++] = r;
	l->rules = grown;
}

static void dump_enum(const struct sg_policy *p, const struct keydef *k,
		      FILE *out)
{
	fprintf(out, "%s = %s\n", k->key,
		value_name(k->names, *(const unsigned *)field(p, k)));
}

static void dump_uint(const struct sg_policy *p, const struct keydef *k,
		      FILE *out)
{
	fprintf(out, "%s = %u\n", k->key, *(const unsigned *)field(p, k));
}

static void dump_path(const struct sg_policy *p, const struct keydef *k,
		      FILE *out)
{
	const char *v = *(char *const *)field(p, k);

	/* an optional path that is not set, shown as the lists show theirs */
	if (!v)
		fprintf(out, "; %s = (none)\n", k->key);
	else
		fprintf(out, "%s = %s\n", k->key, v);
}

/* An empty list is shown as a comment: an empty value is not valid input. */
static void dump_list(const struct sg_policy *p, const struct keydef *k,
		      FILE *out)
{
	const struct sg_pathlist *l = field(p, k);

	if (!l->n)
		fprintf(out, "; %s = (none)\n", k->key);
	for (size_t i = 0; i < l->n; i++)
		fprintf(out, "%s = %s\n", k->key, l->paths[i]);
}

/* The names of the bits set, ", "-separated, in the table's order. */
static void print_bits(const struct name_value *t, unsigned bits, FILE *out)
{
	const char *sep = "";

	for (; t->name; t++)
		if (bits & t->value) {
			fprintf(out, "%s%s", sep, t->name);
			sep = ", ";
		}
}

static void dump_set(const struct sg_policy *p, const struct keydef *k,
		     FILE *out)
{
	unsigned bits = *(const unsigned *)field(p, k);
	unsigned all = names_all(k->names);

	fprintf(out, "%s = ", k->key);
	if (bits == 0 || bits == all)
		fputs(bits ? "all" : "none", out);
	else
		print_bits(k->names, bits, out);
	fputc('\n', out);
}

/*
 * A [respond] kind: "log" alone, or "kill", "freeze", "hook" in any
 * order, hook combined with at most one of the others. Killing a frozen
 * process, or freezing a killed one, is a policy that cannot mean both.
 */
static void parse_actions(struct parser *ps, const struct keydef *k,
			  const char *v)
{
	unsigned bits = 0;
	int r;

	if (streq(v, "log")) {
		*(unsigned *)field(ps->p, k) = 0;
		return;
	}
	r = parse_names(ps, k, v, &bits);
	if (r == -EINVAL)
		diag(ps, ps->line,
		     "'%s' must be log, or a comma-separated list of kill or "
		     "freeze and hook; got '%s'", k->key, v);
	if (r < 0)
		return;
	if ((bits & SG_RESPOND_KILL) && (bits & SG_RESPOND_FREEZE)) {
		diag(ps, ps->line,
		     "'%s' cannot both kill and freeze: a killed process cannot "
		     "be inspected, a frozen one is not gone; choose one", k->key);
		return;
	}
	*(unsigned *)field(ps->p, k) = bits;
}

static void dump_actions(const struct sg_policy *p, const struct keydef *k,
			 FILE *out)
{
	unsigned bits = *(const unsigned *)field(p, k);

	fprintf(out, "%s = ", k->key);
	if (!bits)
		fputs("log", out);
	print_bits(k->names, bits, out);
	fputc('\n', out);
}

static void dump_rules(const struct sg_policy *p, const struct keydef *k,
		       FILE *out)
{
	const struct sg_listen_policy *l = &p->listen;

	if (!l->nrules)
		fprintf(out, "; %s = (none)\n", k->key);
	for (size_t i = 0; i < l->nrules; i++) {
		fprintf(out, "%s = ", k->key);
		sg_listen_rule_print(&l->rules[i], out);
		fputc('\n', out);
	}
}

static const struct keytype type_enum = { parse_enum, dump_enum };
static const struct keytype type_udp_action = { parse_udp_action, dump_enum };
static const struct keytype type_rule = { parse_rule, dump_rules };
static const struct keytype type_uint = { parse_uint, dump_uint };
static const struct keytype type_path = { parse_path, dump_path };
static const struct keytype type_list = { parse_list, dump_list };
static const struct keytype type_set = { parse_set, dump_set };
static const struct keytype type_actions = { parse_actions, dump_actions };

#define F(field) offsetof(struct sg_policy, field)
#define ENUM(s, k, field, n) { s, k, &type_enum, F(field), n, 0, 0, false }
#define UINT(s, k, field, lo, hi)                                             \
	{ s, k, &type_uint, F(field), NULL, lo, hi, false }
#define PATH(s, k, field) { s, k, &type_path, F(field), NULL, 0, 0, false }
#define LIST(s, k, field, dis) { s, k, &type_list, F(field), NULL, 0, 0, dis }
#define ACTIONS(k, kind)                                                     \
	{ "respond", k, &type_actions, F(respond.actions[kind]),              \
	  respond_names, 0, 0, false }

/*
 * Every key there is, sorted by section, then key (strcmp): looked up with
 * bsearch. No name here is near inih's 49-character cut, so a cut name
 * can never match one of these by accident.
 */
static const struct keydef keys[] = {
	ENUM("changes", "overflow", changes.overflow, overflow_names),
	UINT("changes", "verify_interval", changes.verify_interval_s, 0,
	     604800),
	LIST("exec", "loader", loaders, false),
	ENUM("exec", "match", exec_match, match_names),
	LIST("exec", "path", exec_paths, true),
	ENUM("exec", "scope", exec_scope, scope_names),
	LIST("exec", "trusted", trusted, true),
	ENUM("harden", "memfd_noexec", harden_memfd_noexec, yes_no_names),
	ENUM("listen", "action", listen.tcp_action, listen_action_names),
	{ "listen", "allow", &type_rule, F(listen), NULL, 0, 0, false },
	UINT("listen", "scan_interval_ms", listen.scan_interval_ms, 5, 1000),
	{ "listen", "udp_action", &type_udp_action, F(listen.udp_action),
	  udp_action_names, 0, 0, false },
	{ "log", "allowed", &type_set, F(log_allowed), log_names, 0, 0, false },
	UINT("log", "ratelimit_burst", ratelimit_burst, 1, 10000),
	UINT("log", "ratelimit_interval", ratelimit_interval_s, 1, 3600),
	LIST("protect", "exclude", exclude, true),
	LIST("protect", "path", protect, true),
	ENUM("protect", "reseal", reseal, yes_no_names),
	LIST("protect", "seal", seals, true),
	LIST("protect", "writer", writers, false),
	ACTIONS("change", SG_KIND_CHANGE),
	ACTIONS("exec", SG_KIND_EXEC),
	PATH("respond", "hook", respond.hook),
	UINT("respond", "hook_timeout", respond.hook_timeout_s, 1, 3600),
	UINT("respond", "lifetime", respond.lifetime_s, 0, 315360000),
	ACTIONS("listen", SG_KIND_LISTEN),
	PATH("respond", "reprovision", respond.reprovision),
	{ "respond", "reprovision_on", &type_set, F(respond.reprovision_on),
	  kind_names, 0, 0, false },
	ACTIONS("write", SG_KIND_WRITE),
	PATH("sealguard", "baseline", baseline),
	PATH("sealguard", "baseline_key", baseline_key),
	ENUM("sealguard", "mode", mode, mode_names),
};

/* The order sg_policy_dump prints keys in: sections as documented. */
static const char *const dump_order[][2] = {
	{ "sealguard", "mode" },    { "sealguard", "baseline" },
	{ "sealguard", "baseline_key" },
	{ "protect", "path" },      { "protect", "exclude" },
	{ "protect", "writer" },    { "protect", "seal" },
	{ "protect", "reseal" },    { "exec", "scope" },
	{ "exec", "path" },         { "exec", "trusted" },
	{ "exec", "match" },        { "exec", "loader" },
	{ "log", "allowed" },       { "log", "ratelimit_interval" },
	{ "log", "ratelimit_burst" },   { "listen", "allow" },
	{ "listen", "action" },     { "listen", "udp_action" },
	{ "listen", "scan_interval_ms" },
	{ "harden", "memfd_noexec" },
	{ "changes", "overflow" },  { "changes", "verify_interval" },
	{ "respond", "write" },     { "respond", "exec" },
	{ "respond", "listen" },    { "respond", "change" },
	{ "respond", "hook" },      { "respond", "hook_timeout" },
	{ "respond", "reprovision" },   { "respond", "reprovision_on" },
	{ "respond", "lifetime" },
};

static int keydef_cmp(const void *a, const void *b)
{
	const struct keydef *x = a, *y = b;
	int c = strcmp(x->section, y->section);

	return c ? c : strcmp(x->key, y->key);
}

static int section_cmp(const void *a, const void *b)
{
	return strcmp(((const struct keydef *)a)->section,
		      ((const struct keydef *)b)->section);
}

static const struct keydef *key_find(const char *section, const char *key)
{
	struct keydef want = { .section = section, .key = key };

	return bsearch(&want, keys, ARRAY_SIZE(keys), sizeof(keys[0]),
		       keydef_cmp);
}

static bool section_known(const char *section)
{
	struct keydef want = { .section = section };

	return bsearch(&want, keys, ARRAY_SIZE(keys), sizeof(keys[0]),
		       section_cmp) != NULL;
}

static size_t key_index(const char *section, const char *key)
{
	return (size_t)(key_find(section, key) - keys);
}

static bool is_list(const struct keydef *k)
{
	return k->type == &type_list;
}

/* Keys given once per value, as many times as there are values. */
static bool is_repeatable(const struct keydef *k)
{
	return is_list(k) || k->type == &type_rule;
}

/* Report an unknown section once, at its header, not at each of its keys. */
static void unknown_section(struct parser *ps, const char *section)
{
	if (ps->reported_header == ps->header_line)
		return;
	ps->reported_header = ps->header_line;
	diag(ps, ps->header_line, "unknown section [%s]", section);
}

/*
 * A "[section]" line, checked here because inih calls no handler for it:
 * an unknown section is reported even if it has no keys (and by its full
 * name: inih cuts it at 49 characters), and inih would ignore text after
 * the ']' without a word ("[exec] path = /srv").
 */
static void check_header(struct parser *ps, const char *line)
{
	const char *start = line + strspn(line, " \t"), *end;
	_cleanup_free_ char *name = NULL;

	if (*start != '[')
		return;
	ps->header_line = ps->line;
	end = strchr(start, ']');
	if (!end)
		return; /* inih reports it as a syntax error */
	name = strndup(start + 1, (size_t)(end - start - 1));
	if (!name) {
		ps->error = -ENOMEM;
		return;
	}
	if (!section_known(name))
		unknown_section(ps, name);
	if (streq(name, "listen")) /* even with no key: nothing is allowed */
		ps->p->listen.enabled = true;
	if (streq(name, "changes")) /* even with no key: the defaults */
		ps->p->changes.enabled = true;
	if (streq(name, "respond"))
		ps->p->respond.enabled = true;
	end++;
	end += strspn(end, " \t");
	if (*end && *end != ';')
		diag(ps, ps->line, "text after the section header [%s]", name);
}

/*
 * inih's line reader. inih calls it once per line and then the handler for
 * that line, so counting here gives the handler its line number. A line
 * longer than inih's buffer holds (num - 1 characters) or with a NUL byte
 * in it (inih would stop reading there) is an error, and inih gets an
 * empty line instead. Reading whole lines here, not fgets() chunks, also
 * means the rest of a long line is never parsed as a line of its own.
 */
static char *reader(char *str, int num, void *stream)
{
	struct parser *ps = stream;
	size_t len = 0, max = (size_t)num - 1;
	int c, last = 0;
	bool nul = false;

	if (ps->error) /* out of memory: stop reading */
		return NULL;
	c = getc(ps->f);
	if (c == EOF)
		goto eof;
	ps->line++;
	for (; c != EOF && c != '\n'; last = c, c = getc(ps->f)) {
		nul |= c == '\0';
		if (len < max)
			str[len] = (char)c;
		len++;
	}
	if (c == EOF && ferror(ps->f))
		goto eof;
	len -= last == '\r'; /* CRLF: the '\r' ends the line, like '\n' */
	if (len > max)
		diag(ps, ps->line, "line longer than %zu characters", max);
	else if (nul)
		diag(ps, ps->line, "line contains a NUL byte");
	str[len > max || nul ? 0 : len] = '\0';
	ps->indented = isspace((unsigned char)str[0]); /* as inih's lskip() */
	check_header(ps, str);
	return str;
eof:
	if (ferror(ps->f))
		ps->error = -(errno ? errno : EIO);
	return NULL;
}

static void set_key(struct parser *ps, const struct keydef *k,
		    const char *value)
{
	size_t i = (size_t)(k - keys), before = ps->ndiags;

	if (ps->seen[i] && !is_repeatable(k)) {
		diag(ps, ps->line, "'%s' already set at line %u", k->key,
		     ps->seen[i]);
		return;
	}
	if (!ps->seen[i])
		ps->seen[i] = ps->line;
	if (!*value)
		diag(ps, ps->line, "'%s' has an empty value", k->key);
	else
		k->type->parse(ps, k, value);
	ps->bad[i] |= ps->ndiags > before;
}

/*
 * Pass one. Always returns 1: every error is reported here with its line,
 * so inih's return value only ever means one of its own syntax errors.
 */
static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parser *ps = user;
	const struct keydef *k;

	/* inih reads an indented line as more of the previous value. */
	if (ps->indented)
		diag(ps, ps->line,
		     "indented line: continuation lines and indented keys are not supported");
	else if (!*section)
		diag(ps, ps->line, "key '%s' outside any section", name);
	else if (!section_known(section))
		unknown_section(ps, section);
	else if (!(k = key_find(section, name)))
		diag(ps, ps->line, "unknown key '%s' in section [%s]", name,
		     section);
	else
		set_key(ps, k, value);
	return 1;
}

static unsigned seen(const struct parser *ps, const char *section,
		     const char *key)
{
	return ps->seen[key_index(section, key)];
}

static void check_required(struct parser *ps)
{
	if (!seen(ps, "sealguard", "mode"))
		diag(ps, 0, "missing required key 'mode' in [sealguard]");
	if (!seen(ps, "protect", "path"))
		diag(ps, 0, "missing required key 'path' in [protect]");
}

static bool paths_overlap(const char *a, const char *b)
{
	return path_is_under(a, b) || path_is_under(b, a);
}

/*
 * The earliest entry before entry a (by line) that a repeats or, for a
 * disjoint list, nests with; l->n if none. One message per offending line.
 */
static size_t list_conflict(const struct sg_pathlist *l, size_t a,
			    bool disjoint)
{
	size_t best = l->n;

	for (size_t b = 0; b < l->n; b++) {
		if (l->lines[b] >= l->lines[a])
			continue;
		if (!streq(l->paths[a], l->paths[b]) &&
		    !(disjoint && paths_overlap(l->paths[a], l->paths[b])))
			continue;
		if (best == l->n || l->lines[b] < l->lines[best])
			best = b;
	}
	return best;
}

static void check_list(struct parser *ps, const struct keydef *k)
{
	const struct sg_pathlist *l = field(ps->p, k);

	for (size_t a = 0; a < l->n; a++) {
		size_t b = list_conflict(l, a, k->disjoint);

		if (b == l->n)
			continue;
		if (streq(l->paths[a], l->paths[b]))
			diag(ps, l->lines[a],
			     "duplicate [%s] %s '%s' (first at line %u)",
			     k->section, k->key, l->paths[a], l->lines[b]);
		else
			diag(ps, l->lines[a],
			     "[%s] %s '%s' overlaps '%s' at line %u",
			     k->section, k->key, l->paths[a], l->paths[b],
			     l->lines[b]);
	}
}

/* A trusted tree inside (or around) a protected one is recorded twice. */
static void check_trusted(struct parser *ps)
{
	const struct sg_pathlist *t = &ps->p->trusted, *pr = &ps->p->protect;

	for (size_t i = 0; i < t->n; i++)
		for (size_t j = 0; j < pr->n; j++)
			if (paths_overlap(t->paths[i], pr->paths[j]))
				diag(ps, t->lines[i],
				     "[exec] trusted '%s' overlaps [protect] path '%s' at line %u",
				     t->paths[i], pr->paths[j],
				     pr->lines[j]);
}

static void check_exclude(struct parser *ps, const char *e, unsigned line)
{
	const struct sg_pathlist *pr = &ps->p->protect;

	for (size_t j = 0; j < pr->n; j++) {
		if (streq(e, pr->paths[j])) {
			diag(ps, line,
			     "[protect] exclude '%s' is the [protect] path of line %u itself; it must lie strictly under it",
			     e, pr->lines[j]);
			return;
		}
		if (path_is_under(e, pr->paths[j]))
			return;
	}
	diag(ps, line, "[protect] exclude '%s' is not under any [protect] path",
	     e);
}

static void check_exec_scope(struct parser *ps)
{
	size_t scope = key_index("exec", "scope");
	unsigned path_line = seen(ps, "exec", "path");

	if (ps->bad[scope])
		return; /* a bad scope value was reported already */
	if (ps->p->exec_scope == SG_EXEC_SCOPE_LOCAL && path_line) {
		if (ps->seen[scope])
			diag(ps, path_line,
			     "[exec] path needs scope = paths (scope = local at line %u)",
			     ps->seen[scope]);
		else
			diag(ps, path_line,
			     "[exec] path needs scope = paths (scope is local by default)");
	}
	if (ps->p->exec_scope == SG_EXEC_SCOPE_PATHS && !path_line)
		diag(ps, ps->seen[scope],
		     "scope = paths needs at least one [exec] path");
}

/*
 * The earliest rule before rule a (by line) that a repeats, covers or is
 * covered by; n if none. A covered rule says nothing: if it pins an
 * executable, the broader rule makes the pin void, silently.
 */
static size_t rule_conflict(const struct sg_listen_policy *l, size_t a)
{
	const struct sg_listen_rule *r = l->rules;
	size_t best = l->nrules;

	for (size_t b = 0; b < l->nrules; b++) {
		if (r[b].line >= r[a].line)
			continue;
		if (!sg_listen_rule_covers(&r[a], &r[b]) &&
		    !sg_listen_rule_covers(&r[b], &r[a]))
			continue;
		if (best == l->nrules || r[b].line < r[best].line)
			best = b;
	}
	return best;
}

static void check_rules(struct parser *ps)
{
	const struct sg_listen_policy *l = &ps->p->listen;
	char ra[512], rb[512];

	for (size_t a = 0; a < l->nrules; a++) {
		const struct sg_listen_rule *x = &l->rules[a], *y;
		size_t b = rule_conflict(l, a);

		if (b == l->nrules)
			continue;
		y = &l->rules[b];
		sg_listen_rule_format(x, ra, sizeof(ra));
		sg_listen_rule_format(y, rb, sizeof(rb));
		if (sg_listen_rule_cmp(x, y) == 0)
			diag(ps, x->line,
			     "duplicate [listen] allow '%s' (first at line %u)",
			     ra, y->line);
		else
			diag(ps, x->line,
			     "[listen] allow '%s' %s '%s' at line %u", ra,
			     sg_listen_rule_covers(x, y) ? "covers" :
							   "is covered by",
			     rb, y->line);
	}
}

static bool is_protect_path(const struct sg_policy *p, const char *path)
{
	for (size_t i = 0; i < p->protect.n; i++)
		if (streq(p->protect.paths[i], path))
			return true;
	return false;
}

/*
 * A seal makes a whole protected tree read-only: it must be one of the
 * protected paths, and no excluded (writable) tree may lie under it.
 */
static void check_seals(struct parser *ps)
{
	const struct sg_pathlist *s = &ps->p->seals, *ex = &ps->p->exclude;
	unsigned reseal_line = seen(ps, "protect", "reseal");

	for (size_t i = 0; i < s->n; i++) {
		if (!is_protect_path(ps->p, s->paths[i]))
			diag(ps, s->lines[i],
			     "[protect] seal '%s' is not a [protect] path",
			     s->paths[i]);
		for (size_t j = 0; j < ex->n; j++)
			if (path_is_under(ex->paths[j], s->paths[i]))
				diag(ps, s->lines[i],
				     "[protect] seal '%s' would make exclude '%s' at line %u read-only",
				     s->paths[i], ex->paths[j], ex->lines[j]);
	}
	if (reseal_line && !s->n)
		diag(ps, reseal_line, "'reseal' needs at least one [protect] seal");
}

/*
 * A maintenance writer is trusted by its inode: one that is not itself
 * write-protected could be rewritten in place, and whatever was written
 * into it would inherit its right to write every protected file.
 */
static void check_writers(struct parser *ps)
{
	const struct sg_pathlist *w = &ps->p->writers;

	if (!ps->p->protect.n)
		return; /* reported as missing already */
	for (size_t i = 0; i < w->n; i++)
		if (!sg_policy_protects(ps->p, w->paths[i]))
			diag(ps, w->lines[i],
			     "[protect] writer '%s' must lie under a [protect] "
			     "path (and not be excluded): a writer that can be "
			     "rewritten hands its rights to whoever rewrites it",
			     w->paths[i]);
}

/* A program run as root on a violation must not be replaceable. */
static void check_program(struct parser *ps, const char *key)
{
	const char *path = *(char **)field(ps->p, key_find("respond", key));
	unsigned line = seen(ps, "respond", key);

	if (path && !sg_policy_protects(ps->p, path))
		diag(ps, line,
		     "[respond] %s '%s' must lie under a [protect] path (and not "
		     "be excluded): it runs as root, and must not be replaceable",
		     key, path);
}

/* A kind that responds needs the guard that reports it. */
static void check_kind_source(struct parser *ps, enum sg_kind kind,
			      bool on, const char *section)
{
	const struct sg_respond_policy *r = &ps->p->respond;
	unsigned line = seen(ps, "respond", sg_kind_name(kind));

	if (on)
		return;
	if (r->actions[kind])
		diag(ps, line, "[respond] %s needs a [%s] section: without it "
			       "no %s event is ever reported",
		     sg_kind_name(kind), section, sg_kind_name(kind));
	if (r->reprovision_on & (1u << kind))
		diag(ps, seen(ps, "respond", "reprovision_on"),
		     "reprovision_on '%s' needs a [%s] section",
		     sg_kind_name(kind), section);
}

/*
 * The response keys that only make sense together: a hook action and the
 * hook program, a trigger and the reprovision program. A program nobody
 * runs, or an action with no program, is a policy that does not do what
 * its author thinks.
 */
static void check_respond(struct parser *ps)
{
	const struct sg_respond_policy *r = &ps->p->respond;
	unsigned hook_users = 0;
	bool triggers = r->reprovision_on || r->lifetime_s;

	for (unsigned k = 0; k < SG_KIND__COUNT; k++) {
		if (!(r->actions[k] & SG_RESPOND_HOOK))
			continue;
		hook_users++;
		if (!r->hook)
			diag(ps, seen(ps, "respond", sg_kind_name(k)),
			     "[respond] %s runs the hook, but there is no "
			     "[respond] hook", sg_kind_name(k));
	}
	if (r->hook && !hook_users)
		diag(ps, seen(ps, "respond", "hook"),
		     "[respond] hook is set, but no kind of event runs it "
		     "(add 'hook' to write, exec, listen or change)");
	if (triggers && !r->reprovision)
		diag(ps, seen(ps, "respond", r->lifetime_s ? "lifetime" :
							      "reprovision_on"),
		     "[respond] %s needs a [respond] reprovision program",
		     r->lifetime_s ? "lifetime" : "reprovision_on");
	if (r->reprovision && !triggers)
		diag(ps, seen(ps, "respond", "reprovision"),
		     "[respond] reprovision is set, but nothing runs it "
		     "(set reprovision_on or lifetime)");
	check_program(ps, "hook");
	check_program(ps, "reprovision");
	check_kind_source(ps, SG_KIND_LISTEN, ps->p->listen.enabled, "listen");
	check_kind_source(ps, SG_KIND_CHANGE, ps->p->changes.enabled,
			  "changes");
}

static int rule_qcmp(const void *a, const void *b)
{
	return sg_listen_rule_cmp(a, b);
}

/* Pass two: the policy as a whole. */
static void validate(struct parser *ps)
{
	check_required(ps);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (is_list(&keys[i])) {
			pathlist_sort(field(ps->p, &keys[i]));
			check_list(ps, &keys[i]);
		}
	check_trusted(ps);
	for (size_t i = 0; i < ps->p->exclude.n; i++)
		check_exclude(ps, ps->p->exclude.paths[i],
			      ps->p->exclude.lines[i]);
	check_exec_scope(ps);
	check_seals(ps);
	check_writers(ps);
	check_rules(ps);
	check_respond(ps);
	if (ps->p->listen.nrules)
		qsort(ps->p->listen.rules, ps->p->listen.nrules,
		      sizeof(*ps->p->listen.rules), rule_qcmp);
}

static int fill_defaults(struct sg_policy *p)
{
	if (!p->baseline) {
		p->baseline = strdup(SG_DEFAULT_BASELINE);
		if (!p->baseline)
			return -ENOMEM;
	}
	if (p->loaders.n)
		return 0;
	for (size_t i = 0; default_loaders[i]; i++)
		if (pathlist_add(&p->loaders, default_loaders[i], 0))
			return -ENOMEM;
	pathlist_sort(&p->loaders);
	return 0;
}

static int diag_cmp(const void *a, const void *b)
{
	const struct diag *x = a, *y = b;

	if (x->line != y->line) /* file-wide messages (line 0) last */
		return x->line && (!y->line || x->line < y->line) ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int diags_flush(struct parser *ps, struct errlist *errs)
{
	int r = 0;

	if (ps->ndiags)
		qsort(ps->diags, ps->ndiags, sizeof(*ps->diags), diag_cmp);
	for (size_t i = 0; i < ps->ndiags && !r; i++)
		if (ps->diags[i].line)
			r = errlist_add(errs, "%s:%u: %s", ps->name,
					ps->diags[i].line, ps->diags[i].msg);
		else
			r = errlist_add(errs, "%s: %s", ps->name,
					ps->diags[i].msg);
	return r;
}

static struct sg_policy *policy_new(const char *name)
{
	struct sg_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->file = strdup(name);
	if (!p->file) {
		free(p);
		return NULL;
	}
	p->ratelimit_interval_s = 10;
	p->ratelimit_burst = 5;
	p->reseal = 1;
	p->changes.overflow = SG_OVERFLOW_VERIFY;
	p->listen.tcp_action = SG_LISTEN_DESTROY;
	p->listen.udp_action = SG_LISTEN_KILL;
	p->listen.scan_interval_ms = SG_LISTEN_DEFAULT_SCAN_MS;
	p->respond.hook_timeout_s = 30;
	return p;
}

static void parser_done(struct parser *ps)
{
	for (size_t i = 0; i < ps->ndiags; i++)
		free(ps->diags[i].msg);
	free(ps->diags);
	free(ps->seen);
	free(ps->bad);
	sg_policy_free(ps->p);
}

/* Both passes; every problem ends up in ps->diags, or ps->error is set. */
static void parse(struct parser *ps)
{
	int r = ini_parse_stream(reader, ps, handler, ps);

	if (ps->error == -ENOMEM)
		return;
	if (ps->error) {
		diag(ps, 0, "read error: %s", strerror(-ps->error));
		return;
	}
	if (r < 0) { /* inih could not allocate its line buffer */
		ps->error = -ENOMEM;
		return;
	}
	if (r > 0) /* inih names only its first syntax error */
		diag(ps, (unsigned)r, "syntax error");
	validate(ps);
}

int sg_policy_load_stream(FILE *f, const char *name, struct sg_policy **ret,
			  struct errlist *errs)
{
	_cleanup_(parser_done) struct parser ps = { .f = f, .name = name };
	int r;

	ps.p = policy_new(name);
	ps.seen = calloc(ARRAY_SIZE(keys), sizeof(*ps.seen));
	ps.bad = calloc(ARRAY_SIZE(keys), sizeof(*ps.bad));
	if (!ps.p || !ps.seen || !ps.bad)
		return -ENOMEM;
	parse(&ps);
	if (!ps.ndiags && !ps.error)
		ps.error = fill_defaults(ps.p);
	r = diags_flush(&ps, errs);
	if (ps.error)
		return ps.error;
	if (r < 0)
		return r;
	if (ps.ndiags)
		return -EINVAL;
	*ret = TAKE_PTR(ps.p);
	return 0;
}

int sg_policy_load(const char *path, struct sg_policy **ret,
		   struct errlist *errs)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct sg_policy *p;
	int r;

	if (!f) {
		r = -errno;
		(void)errlist_add(errs, "%s: %s", path, strerror(-r));
		return r;
	}
	r = sg_check_trusted_file(fileno(f), path, errs);
	if (r < 0)
		return r;
	r = sg_policy_load_stream(f, path, &p, errs);
	if (r < 0)
		return r;
	r = sg_policy_check_symlinks(p, errs);
	if (r < 0) {
		sg_policy_free(p);
		return r;
	}
	*ret = p;
	return 0;
}

void sg_policy_free(struct sg_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (is_list(&keys[i]))
			pathlist_free(field(p, &keys[i]));
	for (size_t i = 0; i < p->listen.nrules; i++)
		free(p->listen.rules[i].exe);
	free(p->listen.rules);
	free(p->baseline);
	free(p->baseline_key);
	free(p->respond.hook);
	free(p->respond.reprovision);
	free(p->file);
	free(p);
}

/*
 * Optional parts are printed only when present: [listen] and [changes]
 * (no section: that guard is off), and seal/reseal (no seal: nothing to
 * reseal), so that a policy without them reads as it always did.
 */
static bool dumped(const struct sg_policy *p, const struct keydef *k)
{
	if (streq(k->section, "listen"))
		return p->listen.enabled;
	if (streq(k->section, "changes"))
		return p->changes.enabled;
	if (streq(k->section, "respond"))
		return p->respond.enabled;
	if (streq(k->section, "protect") &&
	    (streq(k->key, "seal") || streq(k->key, "reseal")))
		return p->seals.n > 0;
	return true;
}

void sg_policy_dump(const struct sg_policy *p, FILE *out)
{
	const char *section = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(dump_order); i++) {
		const struct keydef *k =
			key_find(dump_order[i][0], dump_order[i][1]);

		if (!dumped(p, k))
			continue;
		if (!section || !streq(section, k->section))
			fprintf(out, "%s[%s]\n", section ? "\n" : "",
				k->section);
		section = k->section;
		k->type->dump(p, k, out);
	}
}

const char *sg_mode_name(enum sg_mode m)
{
	return value_name(mode_names, m);
}

const char *sg_kind_name(enum sg_kind k)
{
	return k < SG_KIND__COUNT ? sg_kind_names[k] : "unknown";
}

bool sg_policy_responds(const struct sg_policy *p)
{
	const struct sg_respond_policy *r = &p->respond;

	for (unsigned k = 0; k < SG_KIND__COUNT; k++)
		if (r->actions[k])
			return true;
	return r->reprovision != NULL;
}
