/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * opt_table.c - every option of every subcommand, once: the parser
 * (opts.c) and each subcommand's --help (help.c) read it.
 */
#include "cli.h"
#include "statefile.h"

/* The long names here are what the completions and sealguard(1) list
 * (tests/integration/86-cli.sh reads this table). */
const struct cli_opt cli_opts[CLI_NOPTS] = {
	{ "policy", 'p', "FILE", "the policy (default " SG_DEFAULT_POLICY ")", false },
	{ "baseline", 'b', "FILE", "the baseline (default: the one the policy names)", false },
	{ "output", 'o', "FILE", "where to write", false },
	{ "key", 'k', "FILE", "the key", false },
	{ "root", 'r', "DIR", "an image tree: record its files as they will be on the host", false },
	{ "state-dir", 's', "DIR",
	  "the daemon's state directory\n(default " SG_DEFAULT_STATE_DIR ")", false },
	{ "threads", 'j', "N", "hashing threads, 0 = one per CPU (default 0)", false },
	{ "quiet", 'q', NULL, "no summary line", false },
	{ "verbose", 'v', NULL, "also print the policy as sealguard reads it", false },
	{ "json", 'J', NULL, "one JSON object on standard output", true },
	{ "help", 'h', NULL, "this text", false },
	{},
};

const struct cli_opt *cli_opt_find(int val)
{
	for (const struct cli_opt *o = cli_opts; o->name; o++)
		if (o->val == val)
			return o;
	return NULL;
}
