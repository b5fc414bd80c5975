/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_print.c - the normalised form of a policy (sg_policy_dump): every
 * key in the key table's print order, defaults made explicit, lists
 * sorted. What it prints reads back as the same policy.
 */
#include "policy_int.h"

static unsigned uint_value(const struct sg_policy *p,
			   const struct policy_key *k)
{
	return *(const unsigned *)policy_field(p, k);
}

static void dump_enum(const struct sg_policy *p, const struct policy_key *k,
		      FILE *out)
{
	fprintf(out, "%s = %s\n", k->key,
		policy_value_name(k->names, uint_value(p, k)));
}

static void dump_uint(const struct sg_policy *p, const struct policy_key *k,
		      FILE *out)
{
	fprintf(out, "%s = %u\n", k->key, uint_value(p, k));
}

static void dump_path(const struct sg_policy *p, const struct policy_key *k,
		      FILE *out)
{
	const char *v = *(char *const *)policy_field(p, k);

	/* an optional path that is not set, shown as the lists show theirs */
	if (!v)
		fprintf(out, "; %s = (none)\n", k->key);
	else
		fprintf(out, "%s = %s\n", k->key, v);
}

/* An empty list is shown as a comment: an empty value is not valid input. */
static void dump_list(const struct sg_policy *p, const struct policy_key *k,
		      FILE *out)
{
	const struct sg_pathlist *l = policy_field(p, k);

	if (!l->n)
		fprintf(out, "; %s = %s\n", k->key,
			k->absent ? k->absent : "(none)");
	for (size_t i = 0; i < l->n; i++)
		fprintf(out, "%s = %s\n", k->key, l->paths[i]);
}

/* The names of the bits set, ", "-separated, in the table's order. */
static void print_bits(const struct policy_name *t, unsigned bits, FILE *out)
{
	const char *sep = "";

	for (; t->name; t++)
		if (bits & t->value) {
			fprintf(out, "%s%s", sep, t->name);
			sep = ", ";
		}
}

static void dump_set(const struct sg_policy *p, const struct policy_key *k,
		     FILE *out)
{
	unsigned bits = uint_value(p, k);
	unsigned all = policy_names_all(k->names);

	fprintf(out, "%s = ", k->key);
	if (bits == 0 || bits == all)
		fputs(bits ? "all" : "none", out);
	else
		print_bits(k->names, bits, out);
	fputc('\n', out);
}

static void dump_actions(const struct sg_policy *p,
			 const struct policy_key *k, FILE *out)
{
	unsigned bits = uint_value(p, k);

	fprintf(out, "%s = ", k->key);
	if (!bits)
		fputs("log", out);
	print_bits(k->names, bits, out);
	fputc('\n', out);
}

static void dump_rules(const struct sg_policy *p, const struct policy_key *k,
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

typedef void dump_fn(const struct sg_policy *p, const struct policy_key *k,
		     FILE *out);

static dump_fn *const dumpers[POLICY_KIND__COUNT] = {
	[POLICY_ENUM] = dump_enum,
	[POLICY_UDP_ACTION] = dump_enum,
	[POLICY_UINT] = dump_uint,
	[POLICY_SET] = dump_set,
	[POLICY_ACTIONS] = dump_actions,
	[POLICY_PATH] = dump_path,
	[POLICY_LIST] = dump_list,
	[POLICY_RULE] = dump_rules,
};

/*
 * Optional parts are printed only when present: [listen], [changes] and
 * [respond] (no section: that guard is off), [tether] (no section: its
 * defaults), and seal/reseal (no seal: nothing to reseal), so that a
 * policy without them reads as it always did.
 */
static bool dumped(const struct sg_policy *p, const struct policy_key *k)
{
	if (streq(k->section, "listen"))
		return p->listen.enabled;
	if (streq(k->section, "changes"))
		return p->changes.enabled;
	if (streq(k->section, "respond"))
		return p->respond.enabled;
	if (streq(k->section, "tether"))
		return p->tether.enabled;
	if (streq(k->section, "protect") &&
	    (streq(k->key, "seal") || streq(k->key, "reseal")))
		return p->seals.n > 0;
	return true;
}

void sg_policy_dump(const struct sg_policy *p, FILE *out)
{
	const char *section = NULL;
	const struct policy_key *k;

	for (unsigned pos = 1; (k = policy_key_at(pos)); pos++) {
		if (!dumped(p, k))
			continue;
		if (!section || !streq(section, k->section))
			fprintf(out, "%s[%s]\n", section ? "\n" : "",
				k->section);
		section = k->section;
		dumpers[k->kind](p, k, out);
	}
}
