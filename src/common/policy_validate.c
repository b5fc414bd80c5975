/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_validate.c - pass two: the policy as a whole, once every line is
 * read (see policy_int.h). Lists are sorted here; every entry that
 * repeats or nests with an earlier one, every exclude outside the
 * protected trees, every key that needs another, is reported at its line.
 */
#include "policy_int.h"

static size_t key_index(const char *section, const char *key)
{
	return policy_key_index(policy_key_find(section, key));
}

/* The line key first appeared on, 0 if it did not. */
static unsigned seen(const struct policy_parser *ps, const char *section,
		     const char *key)
{
	return ps->seen[key_index(section, key)];
}

/* In print order, so that [sealguard] mode is named before [protect]. */
static void check_required(struct policy_parser *ps)
{
	const struct policy_key *k;

	for (unsigned pos = 1; (k = policy_key_at(pos)); pos++)
		if (k->required && !ps->seen[policy_key_index(k)])
			policy_diag(ps, 0, "missing required key '%s' in [%s]",
				    k->key, k->section);
}

/* The earlier of two candidate entries (by line), l->n meaning none. */
static size_t earlier(const struct sg_pathlist *l, size_t best, size_t b)
{
	if (b == l->n)
		return best;
	return best == l->n || l->lines[b] < l->lines[best] ? b : best;
}

/* Entries of the sorted list l on lines before line, among [lo, hi). */
static size_t earliest_in(const struct sg_pathlist *l, size_t lo, size_t hi,
			  unsigned line)
{
	size_t best = l->n;

	for (size_t b = lo; b < hi; b++)
		if (l->lines[b] < line)
			best = earlier(l, best, b);
	return best;
}

/*
 * The earliest entry before entry a (by line) that a repeats or, for a
 * disjoint list, nests with; l->n if none. One message per offending line.
 * The list is sorted: a repeat is the first of a's run of equal paths, an
 * ancestor is found by each of a's prefixes, and the descendants form
 * one range, so the work is that of the nesting itself, not n squared.
 */
static size_t list_conflict(const struct sg_pathlist *l, size_t a,
			    bool disjoint)
{
	const char *path = l->paths[a];
	unsigned line = l->lines[a];
	size_t best = policy_pathlist_find(l, path, strlen(path)), len = 0, lo,
	       hi;

	if (best == a) /* the first of its run has the earliest line */
		best = l->n;
	if (!disjoint)
		return best;
	while ((len = policy_path_next_ancestor(path, len))) {
		size_t b = policy_pathlist_find(l, path, len);

		if (b < l->n && l->lines[b] < line)
			best = earlier(l, best, b);
	}
	policy_pathlist_below(l, path, &lo, &hi);
	return earlier(l, best, earliest_in(l, lo, hi, line));
}

static void check_list(struct policy_parser *ps, const struct policy_key *k)
{
	const struct sg_pathlist *l = policy_field(ps->p, k);

	for (size_t a = 0; a < l->n; a++) {
		size_t b = list_conflict(l, a, k->disjoint);

		if (b == l->n)
			continue;
		if (streq(l->paths[a], l->paths[b]))
			policy_diag(ps, l->lines[a],
				    "duplicate [%s] %s '%s' (first at line %u)",
				    k->section, k->key, l->paths[a],
				    l->lines[b]);
		else
			policy_diag(ps, l->lines[a],
				    "[%s] %s '%s' overlaps '%s' at line %u",
				    k->section, k->key, l->paths[a],
				    l->paths[b], l->lines[b]);
	}
}

static void trusted_overlaps(struct policy_parser *ps, size_t i, size_t j)
{
	const struct sg_pathlist *t = &ps->p->trusted, *pr = &ps->p->protect;

	policy_diag(ps, t->lines[i],
		    "[exec] trusted '%s' overlaps [protect] path '%s' at line %u",
		    t->paths[i], pr->paths[j], pr->lines[j]);
}

/*
 * A trusted tree inside (or around) a protected one is recorded twice.
 * Named in the protect list's order: its ancestors of the trusted tree,
 * the tree itself, then what lies under it.
 */
static void check_trusted(struct policy_parser *ps)
{
	const struct sg_pathlist *t = &ps->p->trusted, *pr = &ps->p->protect;

	for (size_t i = 0; i < t->n; i++) {
		const char *path = t->paths[i];
		size_t len = 0, j, lo, hi;

		while ((len = policy_path_next_ancestor(path, len)))
			if ((j = policy_pathlist_find(pr, path, len)) < pr->n)
				trusted_overlaps(ps, i, j);
		j = policy_pathlist_find(pr, path, strlen(path));
		for (; j < pr->n && streq(pr->paths[j], path); j++)
			trusted_overlaps(ps, i, j);
		policy_pathlist_below(pr, path, &lo, &hi);
		for (j = lo; j < hi; j++)
			trusted_overlaps(ps, i, j);
	}
}

/* A strict ancestor of path in the sorted list l? */
static bool has_ancestor(const struct sg_pathlist *l, const char *path)
{
	size_t len = 0;

	while ((len = policy_path_next_ancestor(path, len)))
		if (policy_pathlist_find(l, path, len) < l->n)
			return true;
	return false;
}

static void check_exclude(struct policy_parser *ps, const char *e,
			  unsigned line)
{
	const struct sg_pathlist *pr = &ps->p->protect;
	size_t j;

	if (has_ancestor(pr, e))
		return;
	j = policy_pathlist_find(pr, e, strlen(e));
	if (j < pr->n)
		policy_diag(
			ps, line,
			"[protect] exclude '%s' is the [protect] path of line %u itself; it must lie strictly under it",
			e, pr->lines[j]);
	else
		policy_diag(
			ps, line,
			"[protect] exclude '%s' is not under any [protect] path",
			e);
}

static void check_exec_scope(struct policy_parser *ps)
{
	size_t scope = key_index("exec", "scope");
	unsigned path_line = seen(ps, "exec", "path");

	if (ps->bad[scope])
		return; /* a bad scope value was reported already */
	if (ps->p->exec_scope == SG_EXEC_SCOPE_LOCAL && path_line) {
		if (ps->seen[scope])
			policy_diag(
				ps, path_line,
				"[exec] path needs scope = paths (scope = local at line %u)",
				ps->seen[scope]);
		else
			policy_diag(
				ps, path_line,
				"[exec] path needs scope = paths (scope is local by default)");
	}
	if (ps->p->exec_scope == SG_EXEC_SCOPE_PATHS && !path_line)
		policy_diag(ps, ps->seen[scope],
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

static void check_rules(struct policy_parser *ps)
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
			policy_diag(
				ps, x->line,
				"duplicate [listen] allow '%s' (first at line %u)",
				ra, y->line);
		else
			policy_diag(
				ps, x->line,
				"[listen] allow '%s' %s '%s' at line %u", ra,
				sg_listen_rule_covers(x, y) ? "covers" :
							      "is covered by",
				rb, y->line);
	}
}

static void seal_covers_exclude(struct policy_parser *ps, size_t i, size_t j)
{
	const struct sg_pathlist *s = &ps->p->seals, *ex = &ps->p->exclude;

	policy_diag(ps, s->lines[i],
		    "[protect] seal '%s' would make exclude '%s' at line %u read-only",
		    s->paths[i], ex->paths[j], ex->lines[j]);
}

/*
 * A seal makes a whole protected tree read-only: it must be one of the
 * protected paths, and no excluded (writable) tree may lie under it.
 */
static void check_seals(struct policy_parser *ps)
{
	const struct sg_pathlist *s = &ps->p->seals, *ex = &ps->p->exclude;
	unsigned reseal_line = seen(ps, "protect", "reseal");

	for (size_t i = 0; i < s->n; i++) {
		const char *seal = s->paths[i];
		size_t j = policy_pathlist_find(ex, seal, strlen(seal)), lo, hi;

		if (policy_pathlist_find(&ps->p->protect, seal,
					 strlen(seal)) == ps->p->protect.n)
			policy_diag(ps, s->lines[i],
				    "[protect] seal '%s' is not a [protect] path",
				    seal);
		for (; j < ex->n && streq(ex->paths[j], seal); j++)
			seal_covers_exclude(ps, i, j);
		policy_pathlist_below(ex, seal, &lo, &hi);
		for (j = lo; j < hi; j++)
			seal_covers_exclude(ps, i, j);
	}
	if (reseal_line && !s->n)
		policy_diag(ps, reseal_line,
			    "'reseal' needs at least one [protect] seal");
}

/*
 * A maintenance writer is trusted by its inode: one that is not itself
 * write-protected could be rewritten in place, and whatever was written
 * into it would inherit its right to write every protected file.
 */
static void check_writers(struct policy_parser *ps)
{
	const struct sg_pathlist *w = &ps->p->writers;

	if (!ps->p->protect.n)
		return; /* reported as missing already */
	for (size_t i = 0; i < w->n; i++)
		if (!sg_policy_protects(ps->p, w->paths[i]))
			policy_diag(
				ps, w->lines[i],
				"[protect] writer '%s' must lie under a [protect] "
				"path (and not be excluded): a writer that can be "
				"rewritten hands its rights to whoever rewrites it",
				w->paths[i]);
}

/* A program run as root on a violation must not be replaceable. */
static void check_program(struct policy_parser *ps, const char *key)
{
	const char *path =
		*(char **)policy_field(ps->p, policy_key_find("respond", key));
	unsigned line = seen(ps, "respond", key);

	if (path && !sg_policy_protects(ps->p, path))
		policy_diag(
			ps, line,
			"[respond] %s '%s' must lie under a [protect] path (and not "
			"be excluded): it runs as root, and must not be replaceable",
			key, path);
}

/* A kind that responds needs the guard that reports it. */
static void check_kind_source(struct policy_parser *ps, enum sg_kind kind,
			      bool on, const char *section)
{
	const struct sg_respond_policy *r = &ps->p->respond;
	unsigned line = seen(ps, "respond", sg_kind_name(kind));

	if (on)
		return;
	if (r->actions[kind])
		policy_diag(ps, line,
			    "[respond] %s needs a [%s] section: without it "
			    "no %s event is ever reported",
			    sg_kind_name(kind), section, sg_kind_name(kind));
	if (r->reprovision_on & (1u << kind))
		policy_diag(ps, seen(ps, "respond", "reprovision_on"),
			    "reprovision_on '%s' needs a [%s] section",
			    sg_kind_name(kind), section);
}

/*
 * The response keys that only make sense together: a hook action and the
 * hook program, a trigger and the reprovision program. A program nobody
 * runs, or an action with no program, is a policy that does not do what
 * its author thinks.
 */
static void check_respond(struct policy_parser *ps)
{
	const struct sg_respond_policy *r = &ps->p->respond;
	unsigned hook_users = 0;
	bool triggers = r->reprovision_on || r->lifetime_s;

	for (unsigned k = 0; k < SG_KIND__COUNT; k++) {
		if (!(r->actions[k] & SG_RESPOND_HOOK))
			continue;
		hook_users++;
		if (!r->hook)
			policy_diag(
				ps, seen(ps, "respond", sg_kind_name(k)),
				"[respond] %s runs the hook, but there is no "
				"[respond] hook",
				sg_kind_name(k));
	}
	if (r->hook && !hook_users)
		policy_diag(
			ps, seen(ps, "respond", "hook"),
			"[respond] hook is set, but no kind of event runs it "
			"(add 'hook' to write, exec, listen or change)");
	if (triggers && !r->reprovision)
		policy_diag(
			ps,
			seen(ps, "respond",
			     r->lifetime_s ? "lifetime" : "reprovision_on"),
			"[respond] %s needs a [respond] reprovision program",
			r->lifetime_s ? "lifetime" : "reprovision_on");
	if (r->reprovision && !triggers)
		policy_diag(ps, seen(ps, "respond", "reprovision"),
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

/* Every list sorted, then each checked for repeats and nesting. */
static void check_lists(struct policy_parser *ps)
{
	size_t n;
	const struct policy_key *keys = policy_keys(&n);

	for (size_t i = 0; i < n; i++)
		if (keys[i].kind == POLICY_LIST) {
			if (policy_pathlist_sort(policy_field(ps->p, &keys[i]))) {
				ps->error = -ENOMEM;
				return;
			}
			check_list(ps, &keys[i]);
		}
}

void policy_validate(struct policy_parser *ps)
{
	check_required(ps);
	check_lists(ps);
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
