/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_check.c - `sealguard check`: is the policy valid, and does the
 * baseline load and record exactly what the policy asks for?
 */
#include "cli.h"



static bool list_has(const char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (streq(list[i], s))
			return true;
	return false;
}

/*
 * Report each path in `have` missing from `want` and vice versa; `what`
 * names the kind ("root", "exclude"). Returns the number of differences.
 */
static unsigned compare_lists(const char *file, const char *what,
			      const char *const *want, size_t nwant,
			      const char *const *have, size_t nhave)
{
	unsigned problems = 0;

	for (size_t i = 0; i < nwant; i++)
		if (!list_has(have, nhave, want[i])) {
			cli_error("baseline %s: has no %s %s, which the policy lists",
				  file, what, want[i]);
			problems++;
		}
	for (size_t i = 0; i < nhave; i++)
		if (!list_has(want, nwant, have[i])) {
			cli_error("baseline %s: has %s %s, which the policy does not list",
				  file, what, have[i]);
			problems++;
		}
	return problems;
}

/* The baseline must record the policy's roots and excludes, no more. */
static unsigned check_match(const struct sg_policy *p,
			    const struct sg_baseline *b, const char *file)
{
	_cleanup_free_ const char **roots = NULL;
	unsigned problems;
	size_t n;

	roots = sg_policy_baseline_roots(p, &n);
	if (!roots) {
		cli_error("out of memory");
		return 1;
	}
	problems = compare_lists(file, "root", roots, n,
				 (const char *const *)b->roots, b->nroots);
	problems += compare_lists(file, "exclude",
				  (const char *const *)p->exclude.paths,
				  p->exclude.n,
				  (const char *const *)b->excludes,
				  b->nexcludes);
	if (problems)
		cli_error("baseline %s: does not match the policy %s; rebuild it with 'sealguard baseline build'",
			  file, p->file);
	return problems;
}

/* The [respond] programs: what would keep sealguardd from starting. */
static unsigned check_programs(const struct sg_policy *p,
			       const struct sg_baseline *b)
{
	struct errlist errs = { 0 };
	int r = sg_respond_check(p, b, &errs);

	cli_print_errs(&errs);
	errlist_free(&errs);
	return r < 0;
}

static unsigned check_baseline(const struct sg_policy *p, const char *file,
			       const char *key)
{
	struct sg_baseline *b = NULL;
	unsigned problems;

	if (cli_load_baseline(file, key, &b) < 0)
		return 1;
	problems = p ? check_match(p, b, file) : 0;
	problems += p ? check_programs(p, b) : 0;
	if (!problems)
		printf("baseline %s: OK (%zu files, %zu other entries%s)\n",
		       file, b->n, b->nnodes,
		       key ? ", signature verified" : "");
	sg_baseline_free(b);
	return problems;
}

int cmd_check(int argc, char **argv)
{
	struct cli_opts o;
	struct sg_policy *p = NULL;
	const char *baseline, *key;
	unsigned problems = 0;
	int r;

	r = cli_parse_opts(argc, argv, "pbkv", "check", &o);
	if (r != SG_EXIT_OK)
		return r < 0 ? SG_EXIT_OK : r;
	if (cli_load_policy(o.policy, &p) < 0) {
		problems++;
	} else {
		printf("policy %s: OK\n", o.policy);
		if (o.verbose)
			sg_policy_dump(p, stdout);
	}
	baseline = o.baseline ? o.baseline : p ? p->baseline : NULL;
	key = o.key ? o.key : p ? p->baseline_key : NULL;
	if (baseline)
		problems += check_baseline(p, baseline, key);
	else
		cli_error("baseline not checked: the policy that names it is invalid (or use --baseline)");
	sg_policy_free(p);
	return problems ? SG_EXIT_PROBLEMS : SG_EXIT_OK;
}
