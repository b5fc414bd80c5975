/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_verify.c - `sealguard verify`: does the live system still match
 * its baseline? Rebuilds the baseline's own roots and prints the drift
 * (verify_print.c): files, directories, symlinks, device nodes, FIFOs.
 */
#include "cli.h"

/* Rebuild b's roots and print the drift. Returns an exit code. */
static int verify(const struct sg_baseline *b, const char *file,
		  const struct cli_opts *o)
{
	struct sg_baseline *live = NULL;
	struct sg_build_stats st = {};
	struct errlist errs = {};
	struct verify_out vo = { .json = o->json };
	struct sg_build_progress progress = {};
	struct cli_progress cp;
	char summary[256];
	size_t drifted;
	int r;

	cli_progress_start(&cp, "verify", &progress, o->quiet);
	r = sg_baseline_build_watched((const char *const *)b->roots, b->nroots,
				      (const char *const *)b->excludes,
				      b->nexcludes, o->threads, &progress,
				      &live, &st, &errs);
	cli_progress_stop(&cp);
	cli_print_errs(&errs);
	errlist_free(&errs);
	if (r < 0) {
		cli_error("verify of %s failed: %s", file, cli_build_error(r));
		return SG_EXIT_ERROR;
	}
	if (verify_print_begin(&vo, file) < 0)
		vo.oom = true;
	drifted = sg_baseline_diff(b, live, verify_print_drift, &vo);
	sg_baseline_free(live);
	verify_print_end(&vo, drifted, &st);
	if (vo.oom) {
		cli_error("out of memory");
		return SG_EXIT_ERROR;
	}
	if (!o->quiet) {
		cli_format_stats(&st, summary, sizeof(summary));
		cli_error("verified %s: %s, %" PRIu64 " other entries, %zu drifted",
			  file, summary, st.others, drifted);
	}
	return drifted ? SG_EXIT_PROBLEMS : SG_EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
	struct cli_opts o;
	struct sg_policy *p = NULL;
	struct sg_baseline *b = NULL;
	const char *file = NULL, *key;
	int r;

	r = cli_parse_opts(argc, argv, "pbkjqJ", "verify", &o);
	if (r != SG_EXIT_OK)
		return r < 0 ? SG_EXIT_OK : r;
	/* The policy only says where the baseline is and what signs it. */
	if (!o.baseline && cli_load_policy(o.policy, &p) < 0)
		return SG_EXIT_ERROR;
	file = o.baseline ? o.baseline : p->baseline;
	key = o.key ? o.key : p ? p->baseline_key : NULL;
	if (cli_load_baseline(file, key, &b) < 0)
		r = SG_EXIT_ERROR;
	else
		r = verify(b, file, &o);
	sg_baseline_free(b);
	sg_policy_free(p);
	return r;
}
