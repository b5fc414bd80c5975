/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * opts.c - one option parser for every subcommand: each names the short
 * options it takes; the meaning of an option is the same everywhere.
 */
#include <getopt.h>

#include "cli.h"

static const struct option all_opts[] = {
	{ "policy", required_argument, NULL, 'p' },
	{ "baseline", required_argument, NULL, 'b' },
	{ "output", required_argument, NULL, 'o' },
	{ "key", required_argument, NULL, 'k' },
	{ "state-dir", required_argument, NULL, 's' },
	{ "threads", required_argument, NULL, 'j' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "json", no_argument, NULL, 'J' },
	{ "help", no_argument, NULL, 'h' },
	{},
};

/* getopt's optstring for the letters in `allowed` ("pbo" -> "p:b:o:h"). */
static void build_optstring(const char *allowed, char *out, size_t size)
{
	size_t n = 0;

	for (const char *a = allowed; *a && n + 3 < size; a++) {
		out[n++] = *a;
		for (size_t i = 0; all_opts[i].name; i++)
			if (all_opts[i].val == *a &&
			    all_opts[i].has_arg == required_argument)
				out[n++] = ':';
	}
	out[n++] = 'h';
	out[n] = '\0';
}

static const char *long_name(int c)
{
	for (size_t i = 0; all_opts[i].name; i++)
		if (all_opts[i].val == c)
			return all_opts[i].name;
	return "?";
}

static int set_opt(int c, const char *what, struct cli_opts *o)
{
	switch (c) {
	case 'p':
		o->policy = optarg;
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
	char optstring[32];
	int c, r;

	*o = (struct cli_opts){ .policy = SG_DEFAULT_POLICY };
	build_optstring(allowed, optstring, sizeof(optstring));
	while ((c = getopt_long(argc, argv, optstring, all_opts, NULL)) != -1) {
		if (c == 'h') {
			cli_usage(stdout);
			return -1;
		}
		if (c == '?')
			return cli_try_help();
		/* a long option of another subcommand */
		if (!strchr(allowed, c))
			return cli_usage_error("%s: --%s does not apply", what,
					       long_name(c));
		r = set_opt(c, what, o);
		if (r != SG_EXIT_OK)
			return r;
	}
	if (optind < argc)
		return cli_usage_error("%s: unexpected argument '%s'", what,
				       argv[optind]);
	return SG_EXIT_OK;
}
