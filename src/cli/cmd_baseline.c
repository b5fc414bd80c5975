/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_baseline.c - `sealguard baseline build`: record the golden image,
 * on the host itself or, with --root, in an image tree
 * (baseline_image.c).
 */
#include <sys/stat.h>

#include "cli.h"

/* The build, here or in the image; its errors printed. */
static int build(const struct sg_policy *p, const struct cli_opts *o,
		 struct sg_baseline **b, struct sg_build_stats *st)
{
	_cleanup_free_ const char **roots = NULL;
	struct sg_build_progress progress = {};
	struct cli_progress cp;
	struct image_build ib;
	struct errlist errs = {};
	int r;

	roots = sg_policy_baseline_roots(p, &ib.nroots);
	if (!roots)
		return -ENOMEM;
	ib.roots = roots;
	ib.excludes = (const char *const *)p->exclude.paths;
	ib.nexcludes = p->exclude.n;
	ib.threads = o->threads;
	ib.quiet = o->quiet;
	if (o->root)
		return cli_build_in_image(o->root, &ib, b, st);
	cli_progress_start(&cp, "baseline build", &progress, o->quiet);
	r = sg_baseline_build_watched(ib.roots, ib.nroots, ib.excludes,
				      ib.nexcludes, ib.threads, &progress, b,
				      st, &errs);
	cli_progress_stop(&cp);
	cli_print_errs(&errs);
	errlist_free(&errs);
	return r;
}

int cli_baseline_build_write(const struct sg_policy *p, const char *output,
			   const struct cli_opts *o)
{
	struct sg_baseline *b = NULL;
	struct sg_build_stats st = {};
	char summary[256];
	int r;

	r = build(p, o, &b, &st);
	if (r < 0) {
		if (r != -ECHILD) /* else the image's build said why */
			cli_error("baseline build failed: %s", cli_build_error(r));
		cli_error("%s left unchanged", output);
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
		cli_error("wrote baseline %s%s%s: %s, %" PRIu64 " other entries (dirs, symlinks, devices, fifos), %" PRIu64 " skipped (sockets)",
			  output, o->root ? " of the image " : "",
			  o->root ? o->root : "", summary, st.others, st.skipped);
	}
	return SG_EXIT_OK;
}

/*
 * In an image, the defaults are the image's own: its policy, and the
 * baseline where that policy names it, both under DIR.
 */
static int image_defaults(struct cli_opts *o, char **policy)
{
	struct stat st;

	if (stat(o->root, &st) < 0) {
		cli_error("--root %s: %s", o->root, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		cli_error("--root %s: not a directory", o->root);
		return -ENOTDIR;
	}
	if (!o->policy_given) {
		if (asprintf(policy, "%s%s", o->root, SG_DEFAULT_POLICY) < 0)
			return -ENOMEM;
		o->policy = *policy;
	}
	return 0;
}

static int cmd_baseline_build(int argc, char **argv)
{
	_cleanup_free_ char *image_policy = NULL, *image_output = NULL;
	struct cli_opts o;
	struct sg_policy *p = NULL;
	const char *output;
	int r;

	r = cli_parse_opts(argc, argv, "porjq", "baseline build", &o);
	if (r != SG_EXIT_OK)
		return r < 0 ? SG_EXIT_OK : r;
	if (o.root && image_defaults(&o, &image_policy) < 0)
		return SG_EXIT_ERROR;
	if (cli_load_policy(o.policy, &p) < 0)
		return SG_EXIT_ERROR;
	output = o.output ? o.output : p->baseline;
	if (o.root && !o.output) {
		if (asprintf(&image_output, "%s%s", o.root, p->baseline) < 0) {
			sg_policy_free(p);
			return SG_EXIT_ERROR;
		}
		output = image_output;
	}
	r = cli_baseline_build_write(p, output, &o);
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
