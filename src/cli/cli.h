/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cli.h - the sealguard operator CLI: one file per subcommand, and the
 * few helpers they share (main.c).
 */
#ifndef SEALGUARD_CLI_H
#define SEALGUARD_CLI_H

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include "baseline.h"
#include "json.h"
#include "policy.h"

#ifndef SEALGUARD_VERSION
#define SEALGUARD_VERSION "unknown" /* built outside the Makefile */
#endif

/* Exit codes, documented in each command's --help (help.c) and in
 * sealguard(1). */
enum {
	SG_EXIT_OK = 0,
	SG_EXIT_PROBLEMS = 1, /* check: problems found; verify: drift found */
	SG_EXIT_ERROR = 2,    /* usage error, unreadable input, failed build */
	SG_EXIT_NOT_RUNNING = 3, /* status: as an LSB init script's */
};

/* One option of cli_parse_opts (opts.c): its long name, its letter (the
 * short option, unless long_only), its argument's name (NULL: none) and
 * what it means. */
struct cli_opt {
	const char *name;
	int val;
	const char *arg;
	const char *help;
	bool long_only;
};
/* The table (opt_table.c), ended by a zeroed entry; CLI_NOPTS bounds it
 * (one more option than fits is a compile error there). */
#define CLI_NOPTS 12
extern const struct cli_opt cli_opts[CLI_NOPTS];
/* The option whose letter is val, or NULL. */
const struct cli_opt *cli_opt_find(int val);

/* Every option a subcommand may take (see --help). */
struct cli_opts {
	const char *policy;   /* -p, default SG_DEFAULT_POLICY */
	bool policy_given;    /* -p was on the command line */
	const char *root;     /* -r: an image tree (baseline build) */
	const char *baseline; /* -b */
	const char *output;   /* -o */
	const char *key;      /* -k */
	const char *state_dir; /* -s */
	unsigned threads;     /* -j */
	bool quiet;           /* -q */
	bool verbose;         /* -v */
	bool json;            /* --json (letter 'J' in `allowed`) */
};

/*
 * opts.c: parse the options of subcommand `what`, which takes the short
 * options listed in `allowed` (e.g. "pbj") and -h. Returns SG_EXIT_OK, -1
 * after printing its --help (cli_command_usage(what); the caller exits
 * 0), or an exit code after a usage error. `allowed` must be the letters
 * help.c lists for `what`: tests/integration/86-cli.sh checks that each
 * command takes exactly the options its --help lists.
 */
int cli_parse_opts(int argc, char **argv, const char *allowed,
		   const char *what, struct cli_opts *o);

/* cmd_*.c: argv[0] is the subcommand's name. Return an exit code. */
int cmd_baseline(int argc, char **argv);
int cmd_maintenance(int argc, char **argv); /* cmd_maintenance.c */
int cmd_check(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_fleet(int argc, char **argv); /* cmd_fleet.c */
int cmd_baseline_sign(int argc, char **argv); /* "baseline sign" */
int cmd_selftest(int argc, char **argv); /* cmd_selftest.c */

/* progress.c: a progress line on a terminal (nothing otherwise) */
struct cli_progress {
	const char *what;
	struct sg_build_progress *p;
	uint64_t start_ns;
	atomic_bool stop;
	bool running;
	pthread_t tid;
};
void cli_progress_format(const struct sg_build_progress *p, double secs,
			 char *buf, size_t size);
/* Start the line when stderr is a terminal and !quiet. */
void cli_progress_start(struct cli_progress *cp, const char *what,
			struct sg_build_progress *p, bool quiet);
/* Stop it and erase it; harmless when it never started. */
void cli_progress_stop(struct cli_progress *cp);

/* baseline_image.c: what sg_baseline_build takes, for a build in an image */
struct image_build {
	const char *const *roots;
	size_t nroots;
	const char *const *excludes;
	size_t nexcludes;
	unsigned threads;
	bool quiet; /* no progress line */
};
/*
 * Build the baseline of the image tree at `image` (chroot()ed into, in a
 * child), its paths as they will be on the host. The child prints its
 * own errors; returns 0, -ECHILD when the child failed (it said why), or
 * another negative errno.
 */
int cli_build_in_image(const char *image, const struct image_build *ib,
		       struct sg_baseline **ret, struct sg_build_stats *stats);

/*
 * daemon_state.c: the daemon's status record (statefile.h). Read it whole
 * from state_dir (NULL: the default) into buf, which has room for
 * SG_STATE_RECORD_SIZE + 1 bytes; 0 or a negative errno.
 */
int cli_read_status(const char *state_dir, char *buf, size_t size);
/* Is pid alive and a sealguardd (not a reused pid)? */
bool cli_daemon_alive(pid_t pid);
/* Does the record say running, and is its pid that daemon? */
bool cli_daemon_running(const char *rec, pid_t *ret_pid);

/* help.c: the help of every command, from one table. */
/* `sealguard --help`: every command's synopsis and summary. */
void cli_usage(FILE *out);
/* `sealguard COMMAND --help` ("check", "baseline build", ...): its
 * synopsis, what it does, its options and its exit status. An unknown
 * command gets cli_usage(). */
void cli_command_usage(const char *what, FILE *out);
/* `sealguard help [COMMAND]` */
int cmd_help(int argc, char **argv);
/* After a usage error of `what`: point to its --help; returns 2. */
int cli_try_help_for(const char *what);

/* verify_print.c: what verify prints (text, or --json). */
struct verify_out {
	bool json;
	bool oom; /* a drift could not be printed */
	size_t n; /* drifts printed */
	struct sg_json j; /* json: the document being written */
};
int verify_print_begin(struct verify_out *vo, const char *file);
/* An sg_drift_cb; userdata is the struct verify_out. */
void verify_print_drift(enum sg_drift_kind kind, unsigned what,
			const struct sg_bl_view *want,
			const struct sg_bl_view *have, void *userdata);
void verify_print_end(struct verify_out *vo, size_t drifted,
		      const struct sg_build_stats *st);

/* main.c */
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

/* Build the baseline the policy describes (o: root, threads, quiet) and
 * write it to output; every message printed here (cmd_baseline.c).
 * Returns an exit code. */
int cli_baseline_build_write(const struct sg_policy *p, const char *output,
			     const struct cli_opts *o);
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
