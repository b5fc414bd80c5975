/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_value.c - pass one: one value of one key, parsed by the key's
 * kind (see policy_int.h) and stored in the policy, or reported with its
 * line. The whole policy is checked later (policy_validate.c).
 */
#include "policy_int.h"

static const struct policy_name *name_find(const struct policy_name *t,
					   const char *name)
{
	for (; t->name; t++)
		if (streq(t->name, name))
			return t;
	return NULL;
}

/* "a, b, c" into buf: allowed values for messages, from the same table. */
static const char *names_join(const struct policy_name *t, char *buf,
			      size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (; t->name && n < size; t++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s",
				      n ? ", " : "", t->name);
	return buf;
}

static unsigned *uint_field(struct policy_parser *ps,
			    const struct policy_key *k)
{
	return policy_field(ps->p, k);
}

static bool path_ok(struct policy_parser *ps, const struct policy_key *k,
		    const char *v)
{
	const char *why = sg_policy_path_problem(v);

	if (why)
		policy_diag(ps, ps->line, "'%s' %s: '%s'", k->key, why, v);
	return !why;
}

static void parse_enum(struct policy_parser *ps, const struct policy_key *k,
		       const char *v)
{
	const struct policy_name *nv = name_find(k->names, v);
	char allowed[128];

	if (!nv) {
		policy_diag(ps, ps->line, "'%s' must be one of %s; got '%s'",
			    k->key,
			    names_join(k->names, allowed, sizeof(allowed)), v);
		return;
	}
	*uint_field(ps, k) = nv->value;
}

/* Decimal digits only: no sign, no "0x", no unit, no space. */
static void parse_uint(struct policy_parser *ps, const struct policy_key *k,
		       const char *v)
{
	unsigned long long n = 0;
	const char *s = v;

	for (; *s >= '0' && *s <= '9'; s++)
		if (n <= k->max) /* stop growing once out of range */
			n = n * 10 + (unsigned)(*s - '0');
	if (*s || s == v) {
		policy_diag(ps, ps->line,
			    "'%s' must be a decimal number; got '%s'", k->key,
			    v);
		return;
	}
	if (n < k->min || n > k->max) {
		policy_diag(ps, ps->line,
			    "'%s' must be between %u and %u; got %s", k->key,
			    k->min, k->max, v);
		return;
	}
	*uint_field(ps, k) = (unsigned)n;
}

static void parse_path(struct policy_parser *ps, const struct policy_key *k,
		       const char *v)
{
	char **dst = policy_field(ps->p, k);

	if (!path_ok(ps, k, v))
		return;
	*dst = strdup(v);
	if (!*dst)
		ps->error = -ENOMEM;
}

static void parse_list(struct policy_parser *ps, const struct policy_key *k,
		       const char *v)
{
	if (path_ok(ps, k, v) &&
	    policy_pathlist_add(policy_field(ps->p, k), v, ps->line))
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

/*
 * A comma-separated list of k's names, in any order, each at most once,
 * into *ret_bits. 0; -EINVAL for an unknown name (the caller says what is
 * allowed); -EALREADY for a repeated one (reported here); -ENOMEM.
 */
static int parse_names(struct policy_parser *ps, const struct policy_key *k,
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
		const struct policy_name *nv;

		item = trim(item);
		nv = name_find(k->names, item);
		if (!nv)
			return -EINVAL;
		if (bits & nv->value) {
			policy_diag(ps, ps->line, "'%s' lists '%s' twice",
				    k->key, item);
			return -EALREADY;
		}
		bits |= nv->value;
	}
	*ret_bits = bits;
	return 0;
}

/* "none", "all", or "exec, write, maintenance" in any order and subset. */
static void parse_set(struct policy_parser *ps, const struct policy_key *k,
		      const char *v)
{
	char names[128];
	unsigned bits = 0;
	int r;

	if (streq(v, "none") || streq(v, "all")) {
		*uint_field(ps, k) =
			streq(v, "all") ? policy_names_all(k->names) : 0;
		return;
	}
	r = parse_names(ps, k, v, &bits);
	if (r == -EINVAL)
		policy_diag(ps, ps->line,
			    "'%s' must be none, all, or a comma-separated list "
			    "of %s; got '%s'",
			    k->key, names_join(k->names, names, sizeof(names)),
			    v);
	if (r == 0)
		*uint_field(ps, k) = bits;
}

/*
 * A [respond] kind: "log" alone, or "kill", "freeze", "hook" in any
 * order, hook combined with at most one of the others. Killing a frozen
 * process, or freezing a killed one, is a policy that cannot mean both.
 */
static void parse_actions(struct policy_parser *ps,
			  const struct policy_key *k, const char *v)
{
	unsigned bits = 0;
	int r;

	if (streq(v, "log")) {
		*uint_field(ps, k) = 0;
		return;
	}
	r = parse_names(ps, k, v, &bits);
	if (r == -EINVAL)
		policy_diag(ps, ps->line,
			    "'%s' must be log, or a comma-separated list of "
			    "kill or freeze and hook; got '%s'", k->key, v);
	if (r < 0)
		return;
	if ((bits & SG_RESPOND_KILL) && (bits & SG_RESPOND_FREEZE)) {
		policy_diag(ps, ps->line,
			    "'%s' cannot both kill and freeze: a killed "
			    "process cannot be inspected, a frozen one is not "
			    "gone; choose one", k->key);
		return;
	}
	*uint_field(ps, k) = bits;
}

/* The one action a bound UDP socket cannot get: say why, not only what. */
static void parse_udp_action(struct policy_parser *ps,
			     const struct policy_key *k, const char *v)
{
	if (streq(v, "destroy")) {
		policy_diag(ps, ps->line,
			    "'%s' cannot be destroy: SOCK_DESTROY leaves a "
			    "bound UDP socket bound and receiving; use kill "
			    "or log", k->key);
		return;
	}
	parse_enum(ps, k, v);
}

static void parse_rule(struct policy_parser *ps, const struct policy_key *k,
		       const char *v)
{
	struct sg_listen_policy *l = &ps->p->listen;
	struct sg_listen_rule r, *grown;
	const char *why = NULL;
	int err = sg_listen_rule_parse(v, &r, &why);

	if (err == -EINVAL) {
		policy_diag(ps, ps->line, "'%s' %s: '%s'", k->key, why, v);
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

typedef void parse_fn(struct policy_parser *ps, const struct policy_key *k,
		      const char *v);

static parse_fn *const parsers[POLICY_KIND__COUNT] = {
	[POLICY_ENUM] = parse_enum,
	[POLICY_UDP_ACTION] = parse_udp_action,
	[POLICY_UINT] = parse_uint,
	[POLICY_SET] = parse_set,
	[POLICY_ACTIONS] = parse_actions,
	[POLICY_PATH] = parse_path,
	[POLICY_LIST] = parse_list,
	[POLICY_RULE] = parse_rule,
};

void policy_value_parse(struct policy_parser *ps, const struct policy_key *k,
			const char *v)
{
	parsers[k->kind](ps, k, v);
}
