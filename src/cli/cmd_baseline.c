/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_baseline.c - `sealguard baseline build`: record the golden image.
 */
#include "cli.h"



/* Build and write; every message printed here. Returns an exit code. */
static int build_and_write(const struct sg_policy *p, const char *output,
			   const struct cli_opts *o)
{
	_cleanup_free_ const char **roots = NULL;
	struct sg_baseline *b = NULL;
	struct sg_build_stats st = {};
	struct errlist errs = {};
	char summary[256];
	size_t nroots;
	int r;

	roots = sg_policy_baseline_roots(p, &nroots);
	if (!roots) {
		cli_error("out of memory");
		return SG_EXIT_ERROR;
	}
	r = sg_baseline_build(roots, nroots,
			      (const char *const *)p->exclude.paths,
			      p->exclude.n, o->threads, &b, &st, &errs);
	cli_print_errs(&errs);
	errlist_free(&errs);
	if (r < 0) {
		cli_error("baseline build failed: %s; %s left unchanged",
			  cli_build_error(r), output);
		return SG_EXIT_ERROR;
	}
	r = sg_baseline_write(b, output);
	sg_baseline_free(b);
	if (r < 0) {
		cli_error("cannot write baseline %s: %s", output, strerror(-r));
		return SG_EXIT_ERROR;
	}
	if (!o->quiet) {
		cli_format_stats(&st, summary, sizeof(summary));
		cli_error("wrote baseline %s: %s, %" PRIu64 " other entries (dirs, symlinks, devices, fifos), %" PRIu64 " skipped (sockets)",
			  output, summary, st.others, st.skipped);
	}
	return SG_EXIT_OK;
}

static int cmd_baseline_build(int argc, char **argv)
{
	struct cli_opts o;
	struct sg_policy *p = NULL;
	int r;

	r = cli_parse_opts(argc, argv, "pojq", "baseline build", &o);
	if (r != SG_EXIT_OK)
		return r < 0 ? SG_EXIT_OK : r;
	if (cli_load_policy(o.policy, &p) < 0)
		return SG_EXIT_ERROR;
	r = build_and_write(p, o.output ? o.output : p->baseline, &o);
	sg_policy_free(p);
	return r;
}

int cmd_baseline(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error("baseline: which action? (baseline build | sign)");
	if (streq(argv[1], "--help") || streq(argv[1], "-h")) {
		cli_command_usage("baseline build", stdout);
		fputc('\n', stdout);
		cli_command_usage("baseline sign", stdout);
		return SG_EXIT_OK;
	}
	if (streq(argv[1], "sign")) {
		argv[1] = (char *)"sealguard baseline sign";
		return cmd_baseline_sign(argc - 1, argv + 1);
	}
	if (!streq(argv[1], "build"))
		return cli_usage_error("baseline: unknown action '%s' (baseline build | sign)",
				       argv[1]);
	argv[1] = (char *)"sealguard baseline build";
	return cmd_baseline_build(argc - 1, argv + 1);
}
