/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_check.c - `sealguard check`: is the policy valid, and does the
 * baseline load and record exactly what the policy asks for?
 *
 * Exit 1 when what it read is wrong (an invalid policy or baseline, one
 * that does not match the other, a signature that does not verify, a
 * [respond] program the daemon would refuse); 2 when it could not read a
 * file at all (missing, no permission): the convention of every command,
 * where 2 is an error and 1 what the command is there to find.
 */
#include "cli.h"
#include "json.h"

struct check {
	struct errlist problems; /* every message, in order */
	int status;              /* the worst SG_EXIT_* so far */
	const char *policy_file, *baseline_file, *key;
	bool policy_valid;
	bool baseline_loaded, baseline_valid, baseline_matches;
	size_t baseline_files;
	size_t baseline_nodes; /* directories, symlinks, devices, FIFOs */
};

static void worse(struct check *c, int status)
{
	if (status > c->status)
		c->status = status;
}

/* A loader's errno: what it read is invalid (1), or it read nothing (2).
 * -EPERM: a file others may write, which the trusted open explained. */
static int severity(int r)
{
	return r == -EINVAL || r == -EBADMSG || r == -EPERM ? SG_EXIT_PROBLEMS :
							      SG_EXIT_ERROR;
}

/* Move the messages of errs to the report. */
static void take_errs(struct check *c, struct errlist *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		(void)errlist_add(&c->problems, "%s", errs->msgs[i]);
	errlist_free(errs);
}

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
static unsigned compare_lists(struct check *c, const char *what,
			      const char *const *want, size_t nwant,
			      const char *const *have, size_t nhave)
{
	unsigned problems = 0;

	for (size_t i = 0; i < nwant; i++)
		if (!list_has(have, nhave, want[i])) {
			(void)errlist_add(&c->problems,
					  "baseline %s: has no %s %s, which the policy lists",
					  c->baseline_file, what, want[i]);
			problems++;
		}
	for (size_t i = 0; i < nhave; i++)
		if (!list_has(want, nwant, have[i])) {
			(void)errlist_add(&c->problems,
					  "baseline %s: has %s %s, which the policy does not list",
					  c->baseline_file, what, have[i]);
			problems++;
		}
	return problems;
}

/* The baseline must record the policy's roots and excludes, no more. */
static bool check_match(struct check *c, const struct sg_policy *p,
			const struct sg_baseline *b)
{
	_cleanup_free_ const char **roots = NULL;
	unsigned problems;
	size_t n;

	roots = sg_policy_baseline_roots(p, &n);
	if (!roots) {
		(void)errlist_add(&c->problems, "out of memory");
		worse(c, SG_EXIT_ERROR);
		return false;
	}
	problems = compare_lists(c, "root", roots, n,
				 (const char *const *)b->roots, b->nroots);
	problems += compare_lists(c, "exclude",
				  (const char *const *)p->exclude.paths,
				  p->exclude.n,
				  (const char *const *)b->excludes,
				  b->nexcludes);
	if (problems)
		(void)errlist_add(&c->problems,
				  "baseline %s: does not match the policy %s; rebuild it with 'sealguard baseline build'",
				  c->baseline_file, p->file);
	return problems == 0;
}

/* The [respond] programs: what would keep sealguardd from starting. */
static bool check_programs(struct check *c, const struct sg_policy *p,
			   const struct sg_baseline *b)
{
	struct errlist errs = { 0 };
	int r = sg_respond_check(p, b, &errs);

	take_errs(c, &errs);
	return r >= 0;
}

/* The policy, or NULL when it is invalid or unreadable. */
static struct sg_policy *check_policy(struct check *c)
{
	struct errlist errs = { 0 };
	struct sg_policy *p = NULL;
	int r;

	r = sg_policy_load(c->policy_file, &p, &errs);
	errlist_explain(&errs, r, c->policy_file);
	take_errs(c, &errs);
	if (r < 0) {
		worse(c, severity(r));
		return NULL;
	}
	c->policy_valid = true;
	return p;
}

static void check_baseline(struct check *c, const struct sg_policy *p)
{
	struct errlist errs = { 0 };
	struct sg_baseline *b = NULL;
	int r;

	r = sg_baseline_load_verified(c->baseline_file, c->key, &b, &errs);
	if (r == -ENOENT && errs.n == 0)
		(void)errlist_add(&errs, "%s: no baseline there; create it with 'sealguard baseline build'",
				  c->baseline_file);
	errlist_explain(&errs, r, c->baseline_file);
	take_errs(c, &errs);
	if (r < 0) {
		worse(c, severity(r));
		return;
	}
	c->baseline_loaded = true;
	c->baseline_files = b->n;
	c->baseline_nodes = b->nnodes;
	c->baseline_matches = !p || check_match(c, p, b);
	c->baseline_valid = c->baseline_matches && (!p || check_programs(c, p, b));
	if (!c->baseline_valid)
		worse(c, SG_EXIT_PROBLEMS);
	sg_baseline_free(b);
}

static void print_text(const struct check *c, bool verbose,
		       const struct sg_policy *p)
{
	if (c->policy_valid) {
		printf("policy %s: OK\n", c->policy_file);
		if (verbose && p)
			sg_policy_dump(p, stdout);
	}
	if (c->baseline_valid)
		printf("baseline %s: OK (%zu files, %zu other entries%s)\n",
		       c->baseline_file, c->baseline_files, c->baseline_nodes,
		       c->key ? ", signature verified" : "");
}

/* The policy as `check -v` prints it, for --json --verbose. */
static char *dump_policy(const struct sg_policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	sg_policy_dump(p, f);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void print_json(const struct check *c, bool verbose,
		       const struct sg_policy *p)
{
	_cleanup_free_ char *dump = verbose && p ? dump_policy(p) : NULL;
	struct sg_json j;

	sg_json_start(&j, stdout);
	sg_json_open(&j, NULL, '{');
	sg_json_bool(&j, "ok", c->status == SG_EXIT_OK);
	sg_json_int(&j, "exit_status", c->status);
	sg_json_open(&j, "policy", '{');
	sg_json_str(&j, "file", c->policy_file);
	sg_json_bool(&j, "valid", c->policy_valid);
	if (verbose)
		sg_json_str(&j, "normalised", dump);
	sg_json_close(&j, '}');
	sg_json_open(&j, "baseline", '{');
	sg_json_str(&j, "file", c->baseline_file);
	sg_json_bool(&j, "checked", c->baseline_file != NULL);
	sg_json_bool(&j, "valid", c->baseline_valid);
	if (c->baseline_loaded) {
		sg_json_uint(&j, "files", c->baseline_files);
		sg_json_uint(&j, "other_entries", c->baseline_nodes);
	} else {
		sg_json_null(&j, "files");
		sg_json_null(&j, "other_entries");
	}
	sg_json_str(&j, "key", c->key);
	sg_json_bool(&j, "signature_verified", c->baseline_loaded && c->key);
	sg_json_bool(&j, "matches_policy",
		     c->baseline_loaded && c->baseline_matches && c->policy_valid);
	sg_json_close(&j, '}');
	sg_json_open(&j, "problems", '[');
	for (size_t i = 0; i < c->problems.n; i++)
		sg_json_str(&j, NULL, c->problems.msgs[i]);
	sg_json_close(&j, ']');
	sg_json_close(&j, '}');
}

int cmd_check(int argc, char **argv)
{
	struct cli_opts o;
	struct sg_policy *p = NULL;
	struct check c = { .status = SG_EXIT_OK };
	int r;

	r = cli_parse_opts(argc, argv, "pbkvJ", "check", &o);
	if (r != SG_EXIT_OK)
		return r < 0 ? SG_EXIT_OK : r;
	c.policy_file = o.policy;
	p = check_policy(&c);
	c.baseline_file = o.baseline ? o.baseline : p ? p->baseline : NULL;
	c.key = o.key ? o.key : p ? p->baseline_key : NULL;
	if (c.baseline_file)
		check_baseline(&c, p);
	else
		(void)errlist_add(&c.problems,
				  "baseline not checked: the policy that names it is invalid (or use --baseline)");
	cli_print_errs(&c.problems);
	if (o.json)
		print_json(&c, o.verbose, p);
	else
		print_text(&c, o.verbose, p);
	errlist_free(&c.problems);
	sg_policy_free(p);
	return c.status;
}
