/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_selftest.c - `sealguard selftest`: does the running daemon enforce?
 * Tries a write-open of the canary, an exec of a dropped file and a
 * listener no rule allows (selftest_probe.c), checks the kernel's answer
 * to each and the daemon's journal entry for it (selftest_journal.c),
 * and reports the verdict (selftest_report.c).
 * Exit 0 every check enforced, 1 something let through (or refused and
 * not logged), 2 error: the daemon is not running, the journal cannot be
 * read, a check could not be made.
 */
#include <getopt.h>
#include <stdarg.h>
#include <sys/statvfs.h>

#include "clock.h"
#include "cli.h"
#include "messages.h"
#include "selftest.h"
#include "statefile.h"

#define ST_TIMEOUT_MS 2000 /* an answer, a journal entry */

struct st_opts {
	const char *policy; /* NULL: the one the daemon runs */
	const char *state_dir;
	const char *journal_dir;
	const char *canary;
	const char *exec_dir;
	bool json;
};

/* ---------------------------------------------------------------- options */

enum { OPT_CANARY = 256, OPT_EXEC_DIR, OPT_JSON };

static int parse_opts(int argc, char **argv, struct st_opts *o)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "directory", required_argument, NULL, 'D' },
		{ "canary", required_argument, NULL, OPT_CANARY },
		{ "exec-dir", required_argument, NULL, OPT_EXEC_DIR },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	*o = (struct st_opts){ .canary = SG_DEFAULT_CANARY,
			       .exec_dir = SG_DEFAULT_EXEC_DIR };
	while ((c = getopt_long(argc, argv, "p:s:D:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o->policy = optarg; break;
		case 's': o->state_dir = optarg; break;
		case 'D': o->journal_dir = optarg; break;
		case OPT_CANARY: o->canary = optarg; break;
		case OPT_EXEC_DIR: o->exec_dir = optarg; break;
		case OPT_JSON: o->json = true; break;
		case 'h': cli_command_usage("selftest", stdout); return -1;
		default: return cli_try_help_for("selftest");
		}
	}
	if (optind < argc)
		return cli_usage_error("selftest: unexpected argument '%s'",
				       argv[optind]);
	return 0;
}

/* ---------------------------------------------------------------- setup */

/* The run cannot go on: the reason goes to run->error; returns -EINVAL. */
_printf_(2, 3) static int fail_run(struct st_run *run, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(run->error, sizeof(run->error), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The daemon must be running: its pid, mode and policy from its record. */
static int find_daemon(const struct st_opts *o, struct st_run *run,
		       char *policy, size_t size)
{
	char rec[SG_STATE_RECORD_SIZE + 1];
	const char *dir = o->state_dir ? o->state_dir : SG_DEFAULT_STATE_DIR;
	int r = cli_read_status(dir, rec, sizeof(rec));

	if (r < 0)
		return fail_run(run, "sealguardd is not running (%s/status: %s)",
				dir, strerror(-r));
	if (!cli_daemon_running(rec, &run->daemon_pid))
		return fail_run(run, "sealguardd is not running (%s/status)", dir);
	if (!sg_state_get(rec, "mode", run->mode, sizeof(run->mode)))
		snprintf(run->mode, sizeof(run->mode), "?");
	if (!sg_state_get(rec, "policy", policy, size))
		snprintf(policy, size, "%s", SG_DEFAULT_POLICY);
	return 0;
}

/* The canary must be a file the policy protects. */
static int check_canary(const struct sg_policy *p, const char *arg,
			char *real, struct st_run *run)
{
	if (!realpath(arg, real))
		return fail_run(run, "canary %s: %m", arg);
	if (!sg_policy_protects(p, real))
		return fail_run(run, "canary %s is not under a protected path of %s",
				real, p->file);
	return 0;
}

/* The exec dir must exist, allow execs, and have its execs checked. */
static int check_exec_dir(const struct sg_policy *p, const char *arg,
			  char *real, struct st_run *run)
{
	char probe[PATH_MAX + 8];
	struct statvfs sv;

	if (!realpath(arg, real) || statvfs(real, &sv) < 0)
		return fail_run(run, "exec dir %s: %m", arg);
	if (sv.f_flag & ST_NOEXEC)
		return fail_run(run, "exec dir %s is on a noexec mount: the kernel, "
				"not sealguard, would refuse; give --exec-dir",
				real);
	snprintf(probe, sizeof(probe), "%s/x", real);
	if (!sg_policy_checks_exec(p, probe))
		return fail_run(run, "exec dir %s: the policy does not check execs "
				"there; give --exec-dir", real);
	return 0;
}

/* ---------------------------------------------------------------- checks */

static void init_checks(struct st_run *run)
{
	static const struct {
		const char *name, *deny, *would;
	} defs[CHECK__COUNT] = {
		[CHECK_WRITE] = { "write", SG_MSGID_WRITE_DENIED,
				  SG_MSGID_WRITE_WOULD_DENY },
		[CHECK_EXEC] = { "exec", SG_MSGID_EXEC_DENIED,
				 SG_MSGID_EXEC_WOULD_DENY },
		[CHECK_LISTEN] = { "listen", SG_MSGID_LISTEN_DESTROYED,
				   SG_MSGID_LISTEN_WOULD_DENY },
	};

	for (size_t i = 0; i < CHECK__COUNT; i++)
		run->checks[i] = (struct st_check){ .name = defs[i].name,
						    .deny_id = defs[i].deny,
						    .would_id = defs[i].would };
}

/* Skip a check that [respond] would answer with more than a kill: a
 * freeze stops the selftest's own cgroup, a hook pages someone every
 * hour, a reprovision replaces the host. */
static bool skip_for_respond(const struct sg_policy *p, enum sg_kind kind,
			     struct st_check *c)
{
	unsigned a = p->respond.actions[kind];
	const char *what = (a & SG_RESPOND_FREEZE) ? "freeze" :
			   (a & SG_RESPOND_HOOK)   ? "hook" :
			   (p->respond.reprovision_on & (1u << kind)) ?
						     "reprovision" : NULL;

	if (!what)
		return false;
	c->status = ST_SKIPPED;
	snprintf(c->detail, sizeof(c->detail),
		 "[respond] answers %s violations with %s: not tried",
		 sg_kind_name(kind), what);
	return true;
}

static void run_probes(const struct st_config *cfg, struct st_run *run)
{
	const struct sg_policy *p = cfg->policy;
	struct st_check *c = run->checks;

	if (!skip_for_respond(p, SG_KIND_WRITE, &c[CHECK_WRITE]))
		st_probe_write(cfg, &c[CHECK_WRITE]);
	if (!skip_for_respond(p, SG_KIND_EXEC, &c[CHECK_EXEC]))
		st_probe_exec(cfg, &c[CHECK_EXEC]);
	if (!p->listen.enabled) {
		c[CHECK_LISTEN].status = ST_SKIPPED;
		snprintf(c[CHECK_LISTEN].detail, sizeof(c[CHECK_LISTEN].detail),
			 "the policy has no [listen] section: the listener guard is off");
	} else if (!skip_for_respond(p, SG_KIND_LISTEN, &c[CHECK_LISTEN])) {
		struct st_config lc = *cfg;

		/* one scan and then some: the longest a listener may live */
		lc.timeout_ms = 3 * p->listen.scan_interval_ms + 1000;
		st_probe_listen(&lc, &c[CHECK_LISTEN]);
	}
}

static void judge(struct st_check *c, int expected)
{
	const struct st_answer *a = &c->ans;

	if (c->status == ST_SKIPPED)
		return;
	if (!a->done) {
		c->status = ST_ERROR;
		snprintf(c->detail, sizeof(c->detail), "%s", a->why);
	} else if (!a->refused) {
		c->status = ST_LET_THROUGH;
		snprintf(c->detail, sizeof(c->detail), "%s",
			 c->found == c->would_id ?
				 "logged as would-deny: the daemon does not enforce this (permissive)" :
				 "and no entry of the daemon's for it");
	} else if (a->killed || a->err == expected) {
		c->status = c->found == c->deny_id ? ST_ENFORCED : ST_UNLOGGED;
		snprintf(c->detail, sizeof(c->detail), "%s%s",
			 a->killed ? "killed in its call (a [respond] or [listen] kill)" :
				     st_errno_name(a->err),
			 c->status == ST_ENFORCED ? ", logged" :
			 ", but the journal holds no entry of the daemon's for it");
	} else if (a->err == EROFS && streq(c->name, "write")) {
		c->status = ST_SEALED;
		snprintf(c->detail, sizeof(c->detail),
			 "EROFS: a read-only seal refused it before the guard saw it");
	} else {
		c->status = ST_ERROR;
		snprintf(c->detail, sizeof(c->detail),
			 "refused with %s, not sealguard's %s: something else refused it",
			 st_errno_name(a->err), st_errno_name(expected));
	}
}

static int exit_of(const struct st_run *run)
{
	bool error = false;

	if (run->error[0])
		return SG_EXIT_ERROR;
	for (size_t i = 0; i < CHECK__COUNT; i++) {
		enum st_status s = run->checks[i].status;

		if (s == ST_LET_THROUGH || s == ST_UNLOGGED)
			return SG_EXIT_PROBLEMS;
		error |= s == ST_ERROR;
	}
	return error ? SG_EXIT_ERROR : SG_EXIT_OK;
}

/* ---------------------------------------------------------------- command */

/* What a run needs before its first attempt: the daemon, the policy, the
 * canary and the exec dir (real paths, checked), the journal. */
static int prepare(const struct st_opts *o, struct st_run *run,
		   struct sg_policy **ret_p, char *canary, char *exec_dir,
		   struct st_journal **ret_j)
{
	char policy_file[PATH_MAX];
	struct sg_policy *p = NULL;
	int r;

	if (find_daemon(o, run, policy_file, sizeof(policy_file)) < 0)
		return -EINVAL;
	if (cli_load_policy(o->policy ? o->policy : policy_file, &p) < 0)
		return fail_run(run, "cannot load the policy %s",
				o->policy ? o->policy : policy_file);
	r = check_canary(p, o->canary, canary, run);
	if (r == 0)
		r = check_exec_dir(p, o->exec_dir, exec_dir, run);
	if (r == 0 && (r = st_journal_open(o->journal_dir, ret_j)) < 0)
		r = fail_run(run, "cannot open the journal%s%s: %s",
			     o->journal_dir ? " in " : "",
			     o->journal_dir ? o->journal_dir : "", strerror(-r));
	if (r < 0) {
		sg_policy_free(p);
		return r;
	}
	*ret_p = p;
	return 0;
}

/* The attempts, the journal's entries for them, the verdict of each. */
static void run_selftest(const struct st_opts *o, struct st_run *run)
{
	char canary[PATH_MAX], exec_dir[PATH_MAX];
	struct sg_policy *p = NULL;
	struct st_journal *j = NULL;
	struct st_config cfg;
	uint64_t since;
	int r;

	if (prepare(o, run, &p, canary, exec_dir, &j) < 0)
		return;
	cfg = (struct st_config){ .policy = p, .canary = canary,
				  .exec_dir = exec_dir,
				  .self_exe = "/proc/self/exe",
				  .timeout_ms = ST_TIMEOUT_MS };
	since = sg_realtime_us();
	run_probes(&cfg, run);
	r = st_journal_find(j, since, run->checks, CHECK__COUNT, ST_TIMEOUT_MS);
	if (r < 0)
		(void)fail_run(run, "cannot read the journal: %s", strerror(-r));
	else {
		judge(&run->checks[CHECK_WRITE], EPERM);
		judge(&run->checks[CHECK_EXEC], EPERM);
		judge(&run->checks[CHECK_LISTEN], ECONNABORTED);
	}
	st_journal_close(j);
	sg_policy_free(p);
}

int cmd_selftest(int argc, char **argv)
{
	struct st_opts o;
	struct st_run run = {};
	int r = parse_opts(argc, argv, &o);

	if (r != 0)
		return r < 0 ? SG_EXIT_OK : r;
	init_checks(&run);
	run_selftest(&o, &run);
	run.exit = exit_of(&run);
	if (o.json)
		st_print_json(&run);
	else
		st_print_text(&run);
	st_log_result(&run);
	st_save_result(o.state_dir, &run);
	if (run.exit == SG_EXIT_PROBLEMS && !o.json) {
		char names[64] = "";

		for (size_t i = 0; i < CHECK__COUNT; i++) {
			enum st_status s = run.checks[i].status;

			if (s == ST_LET_THROUGH || s == ST_UNLOGGED) {
				size_t n = strlen(names);

				snprintf(names + n, sizeof(names) - n, "%s%s",
					 n ? ", " : "", run.checks[i].name);
			}
		}
		cli_error("selftest: not enforced: %s", names);
	}
	return run.exit;
}
