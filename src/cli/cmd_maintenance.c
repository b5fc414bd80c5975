/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_maintenance.c - `sealguard maintenance [OPTIONS] -- COMMAND...`:
 * run one command on a sealed host with the guard's denials lifted for
 * its process tree (a window the running daemon opens, journals and
 * bounds; maintenance.h), then rebuild the baseline inside the window and
 * restart the daemon so that the new state is the golden one.
 *
 * The window's root is this process: the command is its child, and the
 * rebuild is this process's own work. The restart (systemctl restart)
 * ends the old daemon, which closes the window; without systemd, or with
 * --no-restart, the window is closed by request and the operator is told
 * to restart.
 */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>

#include "maint.h"
#include "maintenance.h"
#include "statefile.h"

/* Exit statuses of maintenance's own, as env(1) and timeout(1) have. */
#define EXIT_MAINT_FAILED 125
#define EXIT_CANNOT_RUN 126
#define EXIT_NOT_FOUND 127

#define UNIT "sealguard.service"

struct mt_opts {
	const char *policy;    /* default: the running daemon's */
	const char *state_dir;
	unsigned seconds;
	bool rebuild, restart;
	char **command;
};

enum { OPT_NO_REBUILD = 256, OPT_NO_RESTART };

static int parse_seconds(const char *arg, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < 1 ||
	    v > SG_MAINT_MAX_SECONDS)
		return cli_usage_error("maintenance: --timeout %s: seconds, 1..%d",
				       arg, SG_MAINT_MAX_SECONDS);
	*ret = (unsigned)v;
	return 0;
}

/* 0, -1 after --help, or an exit code. */
static int parse_opts(int argc, char **argv, struct mt_opts *o)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "state-dir", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-rebuild", no_argument, NULL, OPT_NO_REBUILD },
		{ "no-restart", no_argument, NULL, OPT_NO_RESTART },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, r;

	*o = (struct mt_opts){ .seconds = SG_MAINT_DEFAULT_SECONDS,
			       .rebuild = true, .restart = true };
	/* '+': the command's own options are not ours */
	while ((c = getopt_long(argc, argv, "+p:s:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': o->policy = optarg; break;
		case 's': o->state_dir = optarg; break;
		case 't':
			r = parse_seconds(optarg, &o->seconds);
			if (r)
				return r;
			break;
		case OPT_NO_REBUILD: o->rebuild = false; break;
		case OPT_NO_RESTART: o->restart = false; break;
		case 'h': cli_command_usage("maintenance", stdout); return -1;
		default: return cli_try_help_for("maintenance");
		}
	}
	if (optind >= argc)
		return cli_usage_error("maintenance: no command (sealguard "
				       "maintenance -- COMMAND...)");
	o->command = argv + optind;
	return 0;
}

/* The running daemon's pid, and its policy unless -p named one. */
static int find_daemon(const char *state_dir, pid_t *pid, char *policy,
		       size_t size)
{
	char rec[SG_STATE_RECORD_SIZE + 1];
	int r = cli_read_status(state_dir, rec, sizeof(rec));

	if (r < 0 || !cli_daemon_running(rec, pid)) {
		cli_error("maintenance: sealguardd is not running (%s/status%s%s): "
			  "nothing guards the host, no window is needed",
			  state_dir, r < 0 ? ": " : "", r < 0 ? strerror(-r) : "");
		return -ESRCH;
	}
	if (!sg_state_get(rec, "policy", policy, size))
		snprintf(policy, size, "%s", SG_DEFAULT_POLICY);
	return 0;
}

/* Run argv as a child and wait: its exit status as a shell gives it. */
static int run_child(char **argv)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	pid_t pid;
	int st;

	/* as system(3): a ^C is the command's, and we still close */
	(void)sigaction(SIGINT, &ign, &old_int);
	(void)sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid == 0) {
		(void)sigaction(SIGINT, &old_int, NULL);
		(void)sigaction(SIGQUIT, &old_quit, NULL);
		execvp(argv[0], argv);
		fprintf(stderr, "sealguard maintenance: %s: %s\n", argv[0],
			strerror(errno));
		_exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
	}
	while (pid > 0 && waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	(void)sigaction(SIGINT, &old_int, NULL);
	(void)sigaction(SIGQUIT, &old_quit, NULL);
	if (pid < 0) {
		cli_error("maintenance: cannot start %s: %s", argv[0],
			  strerror(errno));
		return EXIT_MAINT_FAILED;
	}
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return WEXITSTATUS(st);
}

/* systemd runs the guard: restart it (ending the window with the old
 * daemon). false when there is no systemd to ask. */
static bool under_systemd(void)
{
	return access("/run/systemd/system", F_OK) == 0;
}

static int restart_daemon(void)
{
	char *argv[] = { "systemctl", "restart", UNIT, NULL };
	int r = run_child(argv);

	if (r != 0)
		cli_error("maintenance: systemctl restart " UNIT " failed (%d): "
			  "restart sealguardd to guard the new state", r);
	return r == 0 ? 0 : -EIO;
}

/* After the command: rebuild if it succeeded. An exit code of our own
 * (EXIT_MAINT_FAILED) or 0. */
static int rebuild(const struct sg_policy *p, int status)
{
	struct cli_opts bo = { .policy = p->file };

	if (status != 0) {
		cli_error("maintenance: the command failed (status %d): the "
			  "baseline was not rebuilt; sealguard verify shows what "
			  "it changed", status);
		return 0;
	}
	if (cli_baseline_build_write(p, p->baseline, &bo) != SG_EXIT_OK)
		return EXIT_MAINT_FAILED;
	return 0;
}

/* Close the window: by restarting the daemon, or by request. */
static int finish(struct mt_window *w, const struct mt_opts *o, bool rebuilt)
{
	char why[256];
	int r;

	if (rebuilt && o->restart && under_systemd())
		return restart_daemon() < 0 ? EXIT_MAINT_FAILED : 0;
	r = mt_request_close(w, why, sizeof(why));
	if (r == -ECANCELED) {
		cli_error("maintenance: window %s closed before the command "
			  "ended (%s): what it did after that was denied",
			  w->id, why);
		return EXIT_MAINT_FAILED;
	}
	if (r < 0) {
		cli_error("maintenance: window %s: cannot close it (%s); it "
			  "closes at its bound or when this command exits",
			  w->id, why[0] ? why : "no answer");
		return EXIT_MAINT_FAILED;
	}
	cli_error("maintenance: window %s closed", w->id);
	if (rebuilt)
		cli_error("maintenance: restart sealguardd to load the new "
			  "baseline: until then it denies what changed");
	return 0;
}

static int open_window(struct mt_window *w, const struct mt_opts *o,
		       const char *dir, pid_t daemon)
{
	char why[256] = "";
	int r = mt_open(w, dir, daemon);

	if (r < 0) {
		cli_error("maintenance: %s/%s: %s", dir, SG_MAINT_RECORD,
			  strerror(-r));
		return r;
	}
	r = mt_request_open(w, o->seconds, why, sizeof(why));
	if (r < 0) {
		cli_error("maintenance: %s: %s", r == -EPERM ? "refused" :
			  "no window", why);
		return r;
	}
	cli_error("maintenance: window %s open for at most %u s (journaled)",
		  w->id, o->seconds);
	return 0;
}

static int maintain(const struct mt_opts *o, const struct sg_policy *p,
		    const char *dir, pid_t daemon)
{
	struct mt_window w;
	int status, r;

	if (open_window(&w, o, dir, daemon) < 0) {
		mt_close(&w);
		return EXIT_MAINT_FAILED;
	}
	/* the command and its scripts may ask whether they run in a window
	 * (the package's postinst leaves the restart to us) */
	if (setenv("SEALGUARD_MAINTENANCE", w.id, 1) < 0) {
		cli_error("maintenance: setenv: %s", strerror(errno));
		(void)finish(&w, o, false);
		mt_close(&w);
		return EXIT_MAINT_FAILED;
	}
	status = run_child(o->command);
	(void)unsetenv("SEALGUARD_MAINTENANCE");
	r = o->rebuild ? rebuild(p, status) : 0;
	if (r == 0 && !o->rebuild)
		cli_error("maintenance: --no-rebuild: sealguard verify shows "
			  "what the command changed");
	if (finish(&w, o, o->rebuild && status == 0 && r == 0) != 0)
		r = EXIT_MAINT_FAILED;
	mt_close(&w);
	return r ? r : status;
}

int cmd_maintenance(int argc, char **argv)
{
	char policy[PATH_MAX];
	struct mt_opts o;
	struct sg_policy *p = NULL;
	const char *dir;
	pid_t daemon;
	int r;

	r = parse_opts(argc, argv, &o);
	if (r)
		return r < 0 ? SG_EXIT_OK : EXIT_MAINT_FAILED;
	dir = o.state_dir ? o.state_dir : SG_DEFAULT_STATE_DIR;
	if (find_daemon(dir, &daemon, policy, sizeof(policy)) < 0)
		return EXIT_MAINT_FAILED;
	if (cli_load_policy(o.policy ? o.policy : policy, &p) < 0)
		return EXIT_MAINT_FAILED;
	if (p->baseline_key) {
		cli_error("maintenance: refused: the baseline is signed "
			  "(baseline_key): a fleet host is replaced, not "
			  "maintained");
		sg_policy_free(p);
		return EXIT_MAINT_FAILED;
	}
	r = maintain(&o, p, dir, daemon);
	sg_policy_free(p);
	return r;
}
