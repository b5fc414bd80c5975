/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - the sealguard operator CLI: one file per subcommand, and the
 * few helpers they share (main.c).
 */
#ifndef SEALGUARD_CLI_H
#define SEALGUARD_CLI_H

#include <inttypes.h>

#include "baseline.h"
#include "policy.h"

#ifndef SEALGUARD_VERSION
#define SEALGUARD_VERSION "unknown" /* built outside the Makefile */
#endif

/* Exit codes, documented in --help. */
enum {
	SG_EXIT_OK = 0,
	SG_EXIT_PROBLEMS = 1, /* check: problems found; verify: drift found */
	SG_EXIT_ERROR = 2,    /* usage error, unreadable input, failed build */
};

/* Every option a subcommand may take (see --help). */
struct cli_opts {
	const char *policy;   /* -p, default SG_DEFAULT_POLICY */
	const char *baseline; /* -b */
	const char *output;   /* -o */
	const char *key;      /* -k */
	const char *state_dir; /* -s */
	unsigned threads;     /* -j */
	bool quiet;           /* -q */
	bool verbose;         /* -v */
	bool json;            /* -J, --json */
};

/*
 * opts.c: parse the options of subcommand `what`, which takes the short
 * options listed in `allowed` (e.g. "pbj") and -h. Returns SG_EXIT_OK, -1
 * after printing --help (the caller exits 0), or an exit code after a
 * usage error.
 */
int cli_parse_opts(int argc, char **argv, const char *allowed,
		   const char *what, struct cli_opts *o);

/* cmd_*.c: argv[0] is the subcommand's name. Return an exit code. */
int cmd_baseline(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_fleet(int argc, char **argv); /* cmd_fleet.c */
int cmd_baseline_sign(int argc, char **argv); /* "baseline sign" */

/* verify_print.c: what verify prints (text, or --json). */
struct verify_out {
	bool json;
	bool oom; /* a drift could not be printed */
	size_t n; /* drifts printed */
};
int verify_print_begin(struct verify_out *vo, const char *file);
/* An sg_drift_cb; userdata is the struct verify_out. */
void verify_print_drift(enum sg_drift_kind kind, unsigned what,
			const struct sg_bl_view *want,
			const struct sg_bl_view *have, void *userdata);
void verify_print_end(const struct verify_out *vo, size_t drifted,
		      const struct sg_build_stats *st);

/* main.c */
void cli_usage(FILE *out);
/* "sealguard: <message>" on stderr. */
void cli_error(const char *fmt, ...) _printf_(1, 2);
/* A usage error: the message and a pointer to --help; returns 2. */
int cli_usage_error(const char *fmt, ...) _printf_(1, 2);
/* After getopt has printed its own message: the pointer only; returns 2. */
int cli_try_help(void);
/* Each message of errs on its own line on stderr. */
void cli_print_errs(const struct errlist *errs);
/* Load the policy, printing every problem. Returns 0 or a negative errno. */
int cli_load_policy(const char *path, struct sg_policy **ret);
/* Load a baseline, printing every problem (and a hint if it is missing);
 * with a public key, its signature must verify. */
int cli_load_baseline(const char *path, const char *key,
		      struct sg_baseline **ret);
/* Parse --threads: 0 (one per CPU) to 256. Returns 0 or -EINVAL. */
int cli_parse_threads(const char *arg, unsigned *ret);
/* Why sg_baseline_build() failed, for a message. */
const char *cli_build_error(int r);
/* "N files, X MB in S s (F files/s, M MB/s)" into buf. */
void cli_format_stats(const struct sg_build_stats *st, char *buf, size_t size);

#endif
