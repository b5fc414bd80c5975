/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * opts.c - one option parser for every subcommand: each names the short
 * options it takes; the meaning of an option is the same everywhere.
 * The options themselves are opt_table.c's table, which each
 * subcommand's --help also lists (help.c).
 */
#include <getopt.h>

#include "cli.h"

/* getopt_long's table, made from ours. */
static void build_longopts(struct option *out)
{
	size_t n = 0;

	for (const struct cli_opt *o = cli_opts; o->name; o++)
		out[n++] = (struct option){ o->name,
					    o->arg ? required_argument : no_argument,
					    NULL, o->val };
	out[n] = (struct option){};
}

/* getopt's optstring for the letters in `allowed` ("pbo" -> "p:b:o:h");
 * a long-only option has no letter in it. */
static void build_optstring(const char *allowed, char *out, size_t size)
{
	size_t n = 0;

	for (const char *a = allowed; *a && n + 3 < size; a++) {
		const struct cli_opt *o = cli_opt_find((unsigned char)*a);

		if (o && o->long_only)
			continue;
		out[n++] = *a;
		if (o && o->arg)
			out[n++] = ':';
	}
	out[n++] = 'h';
	out[n] = '\0';
}

static int set_opt(int c, const char *what, struct cli_opts *o)
{
	switch (c) {
	case 'p':
		o->policy = optarg;
		o->policy_given = true;
		return SG_EXIT_OK;
	case 'r':
		o->root = optarg;
		return SG_EXIT_OK;
	case 'b':
		o->baseline = optarg;
		return SG_EXIT_OK;
	case 'o':
		o->output = optarg;
		return SG_EXIT_OK;
	case 'k':
		o->key = optarg;
		return SG_EXIT_OK;
	case 's':
		o->state_dir = optarg;
		return SG_EXIT_OK;
	case 'j':
		if (cli_parse_threads(optarg, &o->threads) < 0)
			return cli_usage_error("--threads wants a number from 0 to 256, not '%s'",
					       optarg);
		return SG_EXIT_OK;
	case 'q':
		o->quiet = true;
		return SG_EXIT_OK;
	case 'v':
		o->verbose = true;
		return SG_EXIT_OK;
	case 'J':
		o->json = true;
		return SG_EXIT_OK;
	default:
		return cli_usage_error("%s: unknown option", what);
	}
}

int cli_parse_opts(int argc, char **argv, const char *allowed,
		   const char *what, struct cli_opts *o)
{
	struct option longopts[CLI_NOPTS];
	char optstring[32];
	int c, r;

	*o = (struct cli_opts){ .policy = SG_DEFAULT_POLICY };
	build_longopts(longopts);
	build_optstring(allowed, optstring, sizeof(optstring));
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (c == 'h') {
			cli_command_usage(what, stdout);
			return -1;
		}
		if (c == '?')
			return cli_try_help_for(what);
		/* a long option of another subcommand */
		if (!strchr(allowed, c)) {
			const struct cli_opt *opt = cli_opt_find(c);

			cli_error("%s: --%s does not apply", what,
				  opt ? opt->name : "?");
			return cli_try_help_for(what);
		}
		r = set_opt(c, what, o);
		if (r != SG_EXIT_OK)
			return r;
	}
	if (optind < argc)
		return cli_usage_error("%s: unexpected argument '%s'", what,
				       argv[optind]);
	return SG_EXIT_OK;
}
