/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sealguardd - the sealed guard of an immutable server.
 *
 * main() is the seal sequence: load and validate the policy and the
 * baseline, prepare everything that needs a file, place the marks, tell
 * systemd we are ready, then answer permission events until told to stop.
 * Nothing after sealing opens a file on a marked filesystem.
 */
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <systemd/sd-daemon.h>

#include "baseline.h"
#include "hash.h"
#include "messages.h"
#include "options.h"
#include "policy.h"
#include "maint/window.h"
#include "respond/respond.h"
#include "run.h"
#include "seal/harden.h"

/* Exit status for a policy or baseline the daemon refuses (EX_CONFIG):
 * the unit's RestartPreventExitStatus keeps systemd from looping on it. */
#define EXIT_CONFIG 78
#define LOG_QUEUE_LEN 8192

/* File scope for the crash handler, which must close the guard's group. */
static struct sg_run run = {
	.d = { .proc_fd = -1 },
	.sig_fd = -1,
	.timer_fd = -1,
};

/* Report each problem as its own entry and say that we refuse to start. */
static void log_refusal(const struct errlist *errs, const char *what)
{
	for (size_t i = 0; i < errs->n; i++)
		sg_log(LOG_ERR, SG_MSGID_START_FAILED, "%s", errs->msgs[i]);
	sg_log(LOG_CRIT, SG_MSGID_START_FAILED,
	       "refusing to start: %s; nothing is protected", what);
}

/*
 * The end of one start-up step, whose problems are in errs: on failure
 * each is logged and the daemon refuses to start (what names the step;
 * a failure that left no message is explained by its errno); on success
 * they are warnings. errs is emptied. Returns r.
 */
static int step_done(int r, struct errlist *errs, const char *what)
{
	errlist_explain(errs, r, what);
	if (r < 0)
		log_refusal(errs, what);
	for (size_t i = 0; r >= 0 && i < errs->n; i++)
		sg_log(LOG_WARNING, SG_MSGID_START_FAILED, "%s", errs->msgs[i]);
	errlist_free(errs);
	return r;
}

static int load_config(const struct options *o, struct sg_policy **ret_p,
		       struct sg_baseline **ret_b)
{
	struct errlist errs = { 0 };
	struct sg_policy *p = NULL;
	struct sg_baseline *b = NULL;
	int r;

	/* libcrypto first, before the baseline's signature check can use
	 * it: set up without the host's openssl.cnf (hash.h) */
	r = sg_hash_init();
	if (step_done(r, &errs, "cannot load libcrypto's SHA-256") < 0)
		return r;
	r = sg_policy_load(o->policy, &p, &errs);
	errlist_explain(&errs, r, o->policy);
	if (step_done(r, &errs, "invalid policy") < 0)
		return r;
	r = sg_baseline_load_verified(p->baseline, p->baseline_key, &b, &errs);
	if (r < 0 && errs.n == 0)
		(void)errlist_add(&errs, "%s: %s (build it with "
					 "'sealguard baseline build')",
				  p->baseline, strerror(-r));
	if (step_done(r, &errs, "invalid baseline") < 0) {
		sg_policy_free(p);
		return r;
	}
	*ret_p = p;
	*ret_b = b;
	return 0;
}

/* "sealguardd: seccomp: syscall N is not in the allowlist", with only
 * async-signal-safe calls. */
static void report_trapped_syscall(int nr)
{
	char msg[96] = "sealguardd: seccomp: syscall ", digits[16];
	size_t n = strlen(msg), d = 0;

	do
		digits[d++] = (char)('0' + nr % 10);
	while ((nr /= 10) > 0 && d < sizeof(digits));
	while (d > 0)
		msg[n++] = digits[--d];
	memcpy(msg + n, " is not in the allowlist\n", 25);
	(void)!write(STDERR_FILENO, msg, n + 25);
}

/*
 * On a crash, close the group first: the kernel then lets every blocked
 * opener through, instead of the whole host hanging on a dead guard. The
 * handler is reset on entry (SA_RESETHAND), so re-raising kills us with
 * the original signal: no call the seccomp filter would refuse.
 */
static void on_fatal_signal(int sig, siginfo_t *si, void *ctx)
{
	int fd = sg_guard_fd(run.guard);

	if (sig == SIGSYS)
		report_trapped_syscall(si->si_syscall);
	if (fd >= 0)
		(void)close(fd);
	(void)raise(sig);
}

static void install_crash_handler(int sig)
{
	struct sigaction sa = { .sa_sigaction = on_fatal_signal,
				.sa_flags = SA_SIGINFO | SA_RESETHAND };

	(void)sigaction(sig, &sa, NULL);
}

/* Under ASan its own handlers report crashes; SIGSYS is ours in both. */
static void install_crash_handlers(void)
{
#if !defined(__SANITIZE_ADDRESS__)
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

	for (size_t i = 0; i < ARRAY_SIZE(fatal); i++)
		install_crash_handler(fatal[i]);
#endif
	install_crash_handler(SIGSYS);
}

/*
 * A page we have used is never paged out, so an event that waits on us
 * never waits for our own code or data to be read back from a disk.
 * MCL_ONFAULT locks each page when it is first touched, not every page
 * of every mapping now: the parts of libcrypto and libsystemd we never
 * call, and the unused depth of each thread's stack, stay out of memory
 * (measured: 4 MB fewer library pages; most of each 2 MB worker stack).
 * A page first used later is faulted in once, from the page cache that
 * the host's other programs share; a page fault raises no fanotify
 * permission event of ours, so it cannot wait on us.
 * (ASan reserves terabytes of shadow: not lockable.)
 */
static void lock_memory(void)
{
#if !defined(__SANITIZE_ADDRESS__)
	/* what loading the policy and the baseline freed goes back to the
	 * kernel first: it would be locked with the rest */
	(void)malloc_trim(0);
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0)
		sg_log(LOG_WARNING, NULL, "mlockall: %s", strerror(errno));
#endif
}

static void log_started(const struct sg_daemon *d)
{
	struct sg_log_entry *e = sg_log_entry_new(LOG_NOTICE, SG_MSGID_STARTED);

	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE",
			 "sealed in %s mode: %zu filesystem(s) marked, "
			 "%zu protected path(s), %zu baseline file(s)",
			 sg_mode_name(d->policy->mode), d->plan.n,
			 d->policy->protect.n, d->baseline->n);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "start");
	(void)sg_log_add(e, "SEALGUARD_MODE", "%s",
			 sg_mode_name(d->policy->mode));
	(void)sg_log_add(e, "SEALGUARD_POLICY", "%s", d->policy->file);
	(void)sg_log_add(e, "SEALGUARD_BASELINE", "%s", d->policy->baseline);
	for (size_t i = 0; i < d->plan.n; i++)
		(void)sg_log_add(e, "SEALGUARD_MARK", "%s", d->plan.v[i].point);
	sg_log_submit(e);
}

/* The maintenance window's record (maint/window.h), opened before the
 * marks: the state directory may share a filesystem with the policy,
 * which the guard protects, and an open of ours there would wait for our
 * own answer. A problem costs the window (sealguard maintenance is
 * refused), not the guard. */
static void prepare_maintenance(const char *state_dir)
{
	struct errlist errs = { 0 };

	if (sg_maint_open(&run.d.maint, &run.d, state_dir, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			sg_log(LOG_WARNING, NULL, "%s", errs.msgs[i]);
		if (errs.n == 0)
			sg_log(LOG_WARNING, NULL, "maintenance: %s",
			       strerror(ENOMEM));
	}
	errlist_free(&errs);
}

/*
 * Prepare everything that needs a file, place the marks, then watch
 * changes and make the read-only mounts. The change watcher marks what
 * the guard marked (and starts the verify worker, one of our helper
 * threads); a filesystem that cannot be watched is a warning.
 */
static int arm_guards(const struct options *o, const struct sg_policy *p,
		      const struct sg_baseline *b, const char *state_dir)
{
	struct errlist errs = { 0 };
	int r;

	r = sg_hash_init();
	if (r >= 0)
		r = sg_daemon_open(&run.d, p, b, o->confine, run.d.respond);
	run.d.device_cgroup = o->device_cgroup;
	if (r >= 0)
		r = sg_guard_start(&run.d, &run.guard, &errs);
	/* before the marks: it hashes the executables [listen] pins */
	if (r >= 0)
		r = sg_listen_start(&run.d, &run.listen, &errs, &errs);
	if (step_done(r, &errs, "cannot prepare the guard") < 0)
		return r;
	prepare_maintenance(state_dir);
	r = sg_guard_mark(run.guard, &errs);
	if (step_done(r, &errs, "cannot place marks") < 0)
		return r;
	r = sg_changes_start(&run.d, &run.changes, &errs);
	if (r >= 0)
		r = sg_rdonly_start(&run.d, &run.rdonly, &errs);
	if (r >= 0)
		r = sg_tamper_start(&run.d, &run.tamper, &errs);
	return step_done(r, &errs, "cannot watch changes or seal");
}

/* The state directory: --state-dir, DIR/sealguard-state under --confine
 * DIR, or the default. NULL only when out of memory. */
static char *state_dir_of(const struct options *o)
{
	char *dir = NULL;

	if (o->state_dir)
		return strdup(o->state_dir);
	if (o->confine) {
		if (asprintf(&dir, "%s/sealguard-state", o->confine) < 0)
			return NULL;
		return dir;
	}
	return strdup(SG_DEFAULT_STATE_DIR);
}

/* The status record, and how the previous instance ended. A state
 * directory that cannot be used costs the record, not the guard. */
static void open_status(const char *dir, const struct sg_policy *p)
{
	struct errlist errs = { 0 };

	if (!dir) {
		sg_log(LOG_WARNING, NULL, "no status record: %s", strerror(ENOMEM));
		return;
	}
	if (sg_status_init(dir, p, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			sg_log(LOG_WARNING, NULL, "no status record: %s",
			       errs.msgs[i]);
	} else {
		sg_status_log_previous();
	}
	errlist_free(&errs);
}

/* What the heartbeat carries that needs a file, read before the marks.
 * A problem costs that field ("?" in every beat), not the guard. */
static void prepare_heartbeat(const struct sg_policy *p, const char *state_dir)
{
	struct errlist warns = { 0 };

	if (sg_heartbeat_init(p, state_dir, &warns) < 0)
		sg_log(LOG_WARNING, NULL, "heartbeat: %s", strerror(ENOMEM));
	for (size_t i = 0; i < warns.n; i++)
		sg_log(LOG_WARNING, NULL, "%s", warns.msgs[i]);
	errlist_free(&warns);
}

/*
 * Each event read carries an open descriptor, and an event whose
 * descriptor cannot be created is denied by the kernel: a low soft limit
 * would turn a burst of opens into false denials. Take the hard limit.
 */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			sg_log(LOG_WARNING, NULL, "cannot raise RLIMIT_NOFILE: %s",
			       strerror(errno));
	}
}

/* --check: the [respond] programs too, without starting anything. */
static int check_programs(const struct sg_policy *p, const struct sg_baseline *b)
{
	struct errlist errs = { 0 };
	int r = sg_respond_check(p, b, &errs);

	r = step_done(r, &errs, "a [respond] program cannot be used");
	return r < 0 ? EXIT_CONFIG : EXIT_SUCCESS;
}

/*
 * The responses the policy asks for: the responder is forked here, while
 * we still have every capability and no thread. A response that was
 * promised and cannot be given (a missing hook, no cgroup v2 for freeze)
 * is a configuration error; running out of memory or time is not.
 */
static int prepare_responses(const struct sg_policy *p,
			     const struct sg_baseline *b, int *status)
{
	struct errlist errs = { 0 };
	int r = sg_respond_start(&run.d.respond, p, b, &errs);

	r = step_done(r, &errs, "cannot prepare the [respond] responses");
	if (r < 0 && r != -ENOMEM && r != -EAGAIN && r != -ETIMEDOUT)
		*status = EXIT_CONFIG;
	return r;
}

/* The host settings [harden] asks for, the responder, then the
 * capability drop: before any thread exists, as capabilities are per
 * thread. */
static int prepare_host(const struct options *o, const struct sg_policy *p,
			const struct sg_baseline *b, int *status)
{
	struct errlist errs = { 0 };
	int r = 0;

	/* the test sandbox shares the machine's user namespace: under
	 * --confine, never the real sysctl (harden.c) */
	if (!p->harden_user_namespaces && o->confine &&
	    (!o->userns_sysctl || !path_is_under(o->userns_sysctl, o->confine))) {
		(void)errlist_add(&errs, "[harden] user_namespaces = no under "
					 "--confine needs --userns-sysctl below %s",
				  o->confine);
		r = -EPERM;
	}
	if (r == 0)
		r = sg_harden_apply(p, o->userns_sysctl, &errs);

	if (step_done(r, &errs, "cannot harden the host as the policy asks") < 0)
		return r;
	r = prepare_responses(p, b, status);
	if (r < 0)
		return r;
	r = sg_selfseal_capabilities(&errs);
	return step_done(r, &errs, "cannot drop capabilities");
}

static int start_logging(pid_t *ret_writer_tid)
{
	int r = sg_log_start(LOG_QUEUE_LEN);

	if (r >= 0)
		*ret_writer_tid = sg_log_writer_tid();
	return r;
}

/* The status record's word for the filter in force. */
static const char *seccomp_state(enum sg_seccomp_action action)
{
	switch (action) {
	case SG_SECCOMP_TRAP:
		return "filter (trap)";
	case SG_SECCOMP_OFF:
		return "off (--seccomp off)";
	case SG_SECCOMP_KILL:
	default:
		return "filter (kill)";
	}
}

/*
 * --seccomp off runs the daemon without its filter, so that a memory
 * checker (valgrind, which makes syscalls of its own) can run it. It
 * gives an attacker nothing: only root can change the daemon's command
 * line, and root can already run any daemon it likes. What matters is
 * that it is never quiet: one crit entry of its own here, "off" in the
 * status record (`sealguard status`), "none" in every heartbeat.
 */
static void log_seccomp_off(void)
{
	sg_log(LOG_CRIT, SG_MSGID_SECCOMP_OFF,
	       "sealed WITHOUT the seccomp filter (--seccomp off): a "
	       "compromised daemon may make any system call; for memory "
	       "checkers only, never in production");
}

/* Seal: after this, a syscall outside the allowlist kills the daemon. */
static int seal_self(enum sg_seccomp_action action)
{
	struct errlist errs = { 0 };
	int r;

	/* capabilities are final; capget is not in the filter's list */
	sg_status_sealed(seccomp_state(action));
	r = sg_selfseal_seccomp(action, &errs);
	if (r == 0 && action == SG_SECCOMP_OFF)
		log_seccomp_off();
	return step_done(r, &errs, "cannot install the seccomp filter");
}

static void log_stopped(int r)
{
	const struct sg_counters *c = sg_guard_counters(run.guard);

	if (r < 0)
		sg_log(LOG_CRIT, SG_MSGID_STOPPED, "event loop failed: %s",
		       strerror(-r));
	else
		sg_log(LOG_NOTICE, SG_MSGID_STOPPED,
		       "stopped on signal %d after %" PRIu64 " events "
		       "(%" PRIu64 " write denials, %" PRIu64
		       " exec denials, %" PRIu64 " would-deny)",
		       r, c->events, c->denied_write, c->denied_exec,
		       c->would_deny);
}

/* Answer events until told to stop, then stop: the guard's queue is
 * answered and its group closed, the read-only mounts are undone. */
static int run_until_stopped(void)
{
	int r;

	(void)sd_notify(0, "READY=1");
	sg_run_notify_status(&run);
	r = sg_run_loop(&run);
	(void)sd_notify(0, "STOPPING=1");
	sg_guard_shutdown(run.guard);
	sg_rdonly_unseal(run.rdonly);
	if (r >= 0) { /* the marker of a clean stop: a crash leaves "running" */
		struct sg_status_counts counts = sg_run_counts(&run);

		sg_status_publish("stopped", &counts, NULL);
	}
	log_stopped(r);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static void free_run(void)
{
	sg_maint_free(run.d.maint); /* journals the close of an open window */
	sg_status_close();
	sg_heartbeat_close();
	sg_guard_free(run.guard);
	/* after the guard's group is closed: the verify worker may be
	 * blocked in an open that only the loop could have answered */
	sg_changes_free(run.changes);
	sg_rdonly_free(run.rdonly);
	sg_listen_free(run.listen);
	sg_tamper_free(run.tamper);
	sg_respond_free(run.d.respond);
	sg_log_stop();
	if (run.sig_fd >= 0)
		(void)close(run.sig_fd);
	if (run.timer_fd >= 0)
		(void)close(run.timer_fd);
	sg_daemon_close(&run.d);
	sg_log_close();
}

static int list_seal(void)
{
	puts("# capabilities kept (effective, permitted, bounding)");
	sg_selfseal_print_capabilities(stdout);
	printf("# syscalls allowed (%u); anything else kills the process\n",
	       sg_selfseal_syscall_count());
	sg_selfseal_print_syscalls(stdout);
	return EXIT_SUCCESS;
}

static int check_only(const struct sg_policy *p, const struct sg_baseline *b)
{
	int status = check_programs(p, b);

	if (status == EXIT_SUCCESS)
		printf("%s: OK\n%s: OK (%zu files)\n", p->file, p->baseline,
		       b->n);
	return status;
}

/* The seal sequence, from a loaded policy to the first event answered. */
static int seal_and_run(const struct options *o, const struct sg_policy *p,
			const struct sg_baseline *b)
{
	_cleanup_free_ char *state_dir = state_dir_of(o);
	uint64_t watchdog_usec = 0;
	int status = EXIT_FAILURE;
	pid_t writer_tid = 0;

	open_status(state_dir, p);
	prepare_heartbeat(p, state_dir);
	raise_fd_limit();
	if (prepare_host(o, p, b, &status) < 0)
		return status;
	run.sig_fd = sg_run_open_signalfd();
	if (run.sig_fd < 0 || start_logging(&writer_tid) < 0) {
		sg_log(LOG_CRIT, SG_MSGID_START_FAILED,
		       "cannot set up signals or logging");
		return status;
	}
	if (arm_guards(o, p, b, state_dir) < 0)
		return status;
	sg_daemon_add_helper_tid(&run.d, writer_tid);
	install_crash_handlers();
	lock_memory();
	if (sd_watchdog_enabled(0, &watchdog_usec) <= 0)
		watchdog_usec = 0;
	run.watchdog = watchdog_usec != 0;
	run.timer_fd = sg_run_open_tick_timer(watchdog_usec);
	if (run.timer_fd < 0)
		return status;
	sg_heartbeat_set_tick(sg_run_tick_usec(watchdog_usec));
	log_started(&run.d);
	/* the listening surface; errors are logged */
	(void)sg_listen_first_scan(run.listen);
	/* the last step before the first event is answered */
	if (seal_self(o->seccomp_action) < 0)
		return status;
	return run_until_stopped();
}

int main(int argc, char **argv)
{
	struct sg_policy *policy = NULL;
	struct sg_baseline *baseline = NULL;
	struct options o;
	int status;

	/*
	 * One malloc arena for every thread, set before any exists. The
	 * daemon's threads allocate little, and an arena of their own each
	 * would be one more heap to lock in memory. It also keeps an
	 * allocation failure a failure: glibc retries a failed malloc in
	 * another arena, and a 64 MB arena reserved by a thread that has
	 * finished (the index walk) would hand out memory the address-space
	 * limit refuses everyone else (48-fault-memory).
	 */
	(void)mallopt(M_ARENA_MAX, 1);
	sg_hash_map_buffers(); /* for the same two reasons: hash.h */
	if (sg_options_parse(argc, argv, &o) < 0)
		return 2;
	if (o.list_seal)
		return list_seal();
	sg_log_set_target(o.log_target);
	(void)prctl(PR_SET_DUMPABLE, 0); /* no core of the baseline, no ptrace */
	if (load_config(&o, &policy, &baseline) < 0)
		return EXIT_CONFIG;
	if (o.check_only)
		status = check_only(policy, baseline);
	else
		status = seal_and_run(&o, policy, baseline);
	free_run();
	sg_baseline_free(baseline);
	sg_policy_free(policy);
	return status;
}
