/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_verify.c - `sealguard verify`: does the live system still match
 * its baseline? Rebuilds the baseline's own roots and prints the drift.
 */
#include "cli.h"



/* One line per drifted path; paths escaped so each stays one line. */
static void print_drift(enum sg_drift_kind kind, unsigned what,
			const struct sg_bl_entry *want,
			const struct sg_bl_entry *have, void *userdata)
{
	_cleanup_free_ char *path = NULL;
	const char *sep = "";

	path = sg_path_escape(want ? want->path : have->path);
	if (!path) {
		*(bool *)userdata = true; /* out of memory */
		return;
	}
	if (kind == SG_DRIFT_ADDED) {
		printf("added %s\n", path);
		return;
	}
	if (kind == SG_DRIFT_REMOVED) {
		printf("removed %s\n", path);
		return;
	}
	printf("changed %s (", path);
	for (unsigned bit = 1; bit <= SG_DRIFT_LAST; bit <<= 1)
		if (what & bit) {
			printf("%s%s", sep, sg_drift_name(bit));
			sep = ",";
		}
	printf(")\n");
}

/* Rebuild b's roots and print the drift. Returns an exit code. */
static int verify(const struct sg_baseline *b, const char *file,
		  unsigned threads)
{
	struct sg_baseline *live = NULL;
	struct sg_build_stats st = {};
	struct errlist errs = {};
	bool oom = false;
	char summary[256];
	size_t drifted;
	int r;

	r = sg_baseline_build((const char *const *)b->roots, b->nroots,
			      (const char *const *)b->excludes, b->nexcludes,
			      threads, &live, &st, &errs);
	cli_print_errs(&errs);
	errlist_free(&errs);
	if (r < 0) {
		cli_error("verify of %s failed: %s", file, cli_build_error(r));
		return SG_EXIT_ERROR;
	}
	drifted = sg_baseline_diff(b, live, print_drift, &oom);
	sg_baseline_free(live);
	if (oom) {
		cli_error("out of memory");
		return SG_EXIT_ERROR;
	}
	cli_format_stats(&st, summary, sizeof(summary));
	cli_error("verified %s: %s, %zu drifted", file, summary, drifted);
	return drifted ? SG_EXIT_PROBLEMS : SG_EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
	struct cli_opts o;
	struct sg_policy *p = NULL;
	struct sg_baseline *b = NULL;
	const char *file = NULL, *key;
	int r;

	r = cli_parse_opts(argc, argv, "pbkj", "verify", &o);
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
		r = verify(b, file, o.threads);
	sg_baseline_free(b);
	sg_policy_free(p);
	return r;
}
