/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sealguardd - the sealed guard of an immutable server.
 *
 * main() is the seal sequence: load and validate the policy and the
 * baseline, prepare everything that needs a file, place the marks, tell
 * systemd we are ready, then answer permission events until told to stop.
 * Nothing after sealing opens a file on a marked filesystem.
 */
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>

#include "clock.h"
#include "baseline.h"
#include "watch/changes.h"
#include "fan/guard.h"
#include "seal/harden.h"
#include "hash.h"
#include "listen/listen.h"
#include "messages.h"
#include "policy.h"
#include "respond/respond.h"
#include "watch/roseal.h"
#include "seal/seal.h"
#include "log/status.h"
#include "log/sglog.h"

#ifndef SEALGUARD_VERSION
#define SEALGUARD_VERSION "0.1.0"
#endif

/* Exit status for a policy or baseline the daemon refuses (EX_CONFIG):
 * the unit's RestartPreventExitStatus keeps systemd from looping on it. */
#define EXIT_CONFIG 78
#define LOG_QUEUE_LEN 8192

struct options {
	const char *policy;
	const char *confine;
	enum sg_log_target log_target;
	enum sg_seccomp_action seccomp_action;
	const char *state_dir;
	bool check_only;
	bool list_seal;
};

static struct sg_guard guard = { .fan_fd = -1 };
static struct sg_listen listener = { .proc_fd = -1, .timer_fd = -1,
				     .diag = { .fd = -1 } };
static struct sg_changes *changes; /* NULL: no [changes] in the policy */
static struct sg_roseal roseal = { .mountinfo_fd = -1 };
static struct sg_respond *respond; /* NULL: [respond] asks for nothing */

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: sealguardd [OPTIONS]\n"
		"Deny writes to protected paths and execs of files not in the\n"
		"baseline, synchronously, and log every decision to the journal.\n"
		"\n"
		"  -p, --policy FILE      policy file (default %s)\n"
		"      --confine DIR      refuse to mark any filesystem not mounted\n"
		"                         at or below DIR (tests, demos)\n"
		"      --log-target T     auto | journal | stderr (default auto)\n"
		"      --seccomp ACTION   on a syscall outside the allowlist: kill the\n"
		"                         process (default), or trap: name it on\n"
		"                         stderr, then die (to debug the allowlist)\n"
		"      --state-dir DIR    status record and clean-stop marker (default\n"
		"                         " SG_DEFAULT_STATE_DIR ", or DIR/sealguard-state\n"
		"                         under --confine DIR)\n"
		"      --list-seal        print the kept capabilities and the allowed\n"
		"                         syscalls, with the reason for each\n"
		"  -n, --check            load policy and baseline, then exit\n"
		"  -h, --help             this text\n"
		"  -V, --version          print the version\n"
		"\n"
		"Exit status: 0 clean stop, 1 failure, 78 bad policy or baseline.\n",
		SG_DEFAULT_POLICY);
}

static int parse_options(int argc, char **argv, struct options *o)
{
	enum {
		OPT_CONFINE = 256,
		OPT_LOG_TARGET,
		OPT_SECCOMP,
		OPT_LIST_SEAL,
		OPT_STATE_DIR,
	};
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "confine", required_argument, NULL, OPT_CONFINE },
		{ "log-target", required_argument, NULL, OPT_LOG_TARGET },
		{ "seccomp", required_argument, NULL, OPT_SECCOMP },
		{ "list-seal", no_argument, NULL, OPT_LIST_SEAL },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	*o = (struct options){ .policy = SG_DEFAULT_POLICY };
	while ((c = getopt_long(argc, argv, "p:nhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->policy = optarg;
			break;
		case OPT_CONFINE:
			if (optarg[0] != '/') {
				fprintf(stderr, "sealguardd: --confine needs an "
						"absolute path\n");
				return -EINVAL;
			}
			o->confine = optarg;
			break;
		case OPT_SECCOMP:
			if (!streq(optarg, "kill") && !streq(optarg, "trap")) {
				fprintf(stderr, "sealguardd: --seccomp: kill or trap\n");
				return -EINVAL;
			}
			o->seccomp_action = streq(optarg, "trap") ?
						    SG_SECCOMP_TRAP :
						    SG_SECCOMP_KILL;
			break;
		case OPT_LIST_SEAL:
			o->list_seal = true;
			break;
		case OPT_STATE_DIR:
			o->state_dir = optarg;
			break;
		case OPT_LOG_TARGET:
			if (sg_log_target_parse(optarg, &o->log_target) < 0) {
				fprintf(stderr, "sealguardd: --log-target: "
						"auto, journal or stderr\n");
				return -EINVAL;
			}
			break;
		case 'n':
			o->check_only = true;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_SUCCESS);
		case 'V':
#if defined(SEALGUARD_TEST_HOOKS)
			puts("sealguardd " SEALGUARD_VERSION " (test build: test hooks)");
#else
			puts("sealguardd " SEALGUARD_VERSION);
#endif
			exit(EXIT_SUCCESS);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

/* Report each problem as its own entry and say that we refuse to start. */
static void log_refusal(const struct errlist *errs, const char *what)
{
	for (size_t i = 0; i < errs->n; i++)
		sg_log(LOG_ERR, SG_MSGID_START_FAILED, "%s", errs->msgs[i]);
	sg_log(LOG_CRIT, SG_MSGID_START_FAILED,
	       "refusing to start: %s; nothing is protected", what);
}

static int load_config(const struct options *o, struct sg_policy **ret_p,
		       struct sg_baseline **ret_b)
{
	struct errlist errs = { 0 };
	struct sg_policy *p = NULL;
	struct sg_baseline *b = NULL;
	int r;

	r = sg_policy_load(o->policy, &p, &errs);
	if (r < 0) {
		if (errs.n == 0)
			(void)errlist_add(&errs, "%s: %s", o->policy,
					  strerror(-r));
		log_refusal(&errs, "invalid policy");
		errlist_free(&errs);
		return r;
	}
	r = sg_baseline_load_verified(p->baseline, p->baseline_key, &b, &errs);
	if (r < 0) {
		if (errs.n == 0)
			(void)errlist_add(&errs, "%s: %s (build it with "
						 "'sealguard baseline build')",
					  p->baseline, strerror(-r));
		log_refusal(&errs, "invalid baseline");
		errlist_free(&errs);
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
	int fd = sg_guard_fd(&guard);

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

/* Block the stop signals in every thread; the loop reads a signalfd. */
static int open_signalfd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sigdelset(&set, SIGPIPE);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

/* Never page in our own code from a marked filesystem while an event
 * waits on us. (ASan reserves terabytes of shadow: not lockable.) */
static void lock_memory(void)
{
#if !defined(__SANITIZE_ADDRESS__)
	if (mlockall(MCL_CURRENT | MCL_FUTURE) < 0)
		sg_log(LOG_WARNING, NULL, "mlockall: %s", strerror(errno));
#endif
}

static int open_tick_timer(uint64_t watchdog_usec)
{
	/* 1 s for status and rate-limit sweeps; faster if the watchdog
	 * wants a ping more often than every 2 s */
	uint64_t usec = 1000000;
	struct itimerspec its;
	int fd;

	if (watchdog_usec && watchdog_usec / 2 < usec)
		usec = watchdog_usec / 2;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	its.it_interval.tv_sec = (time_t)(usec / 1000000);
	its.it_interval.tv_nsec = (long)(usec % 1000000) * 1000;
	its.it_value = its.it_interval;
	if (timerfd_settime(fd, 0, &its, NULL) < 0) {
		(void)close(fd);
		return -errno;
	}
	return fd;
}

/* The listener guard's part of STATUS= (empty when it is off). */
static void listen_status(const struct sg_listen *l, char *buf, size_t size)
{
	const struct sg_listen_counters *c = &l->c;

	buf[0] = '\0';
	if (l->enabled)
		snprintf(buf, size,
			 "; listeners: %" PRIu64 " destroyed, %" PRIu64
			 " killed, %" PRIu64 " would-deny, %" PRIu64
			 " failed, %" PRIu64 " scans",
			 c->destroyed, c->killed, c->would_deny, c->failed,
			 c->scans);
}

/* One line of counters: systemd's STATUS= and the status record. */
static void format_status(const struct sg_guard *g, const struct sg_listen *l,
			  char *buf, size_t size)
{
	const struct sg_counters *c = &g->c;
	char lstatus[160], cstatus[160], sstatus[160], rstatus[256];

	listen_status(l, lstatus, sizeof(lstatus));
	sg_respond_status(respond, rstatus, sizeof(rstatus));
	sg_changes_status(changes, cstatus, sizeof(cstatus));
	sg_roseal_status(&roseal, sstatus, sizeof(sstatus));
	snprintf(buf, size,
		 "%s: %" PRIu64 " events, %" PRIu64 " write denials, %" PRIu64
		 " exec denials, %" PRIu64 " would-deny, %" PRIu64
		 " files hashed, %" PRIu64 " execs cached in the kernel, %" PRIu64
		 " log entries lost%s%s%s%s",
		 sg_mode_name(g->policy->mode), c->events, c->denied_write,
		 c->denied_exec, c->would_deny, c->hashes, c->ignore_marks,
		 sg_log_dropped(), lstatus, cstatus, sstatus, rstatus);
}

static struct sg_status_counts status_counts(const struct sg_guard *g)
{
	return (struct sg_status_counts){
		.events = g->c.events,
		.denied_write = g->c.denied_write,
		.denied_exec = g->c.denied_exec,
		.would_deny = g->c.would_deny,
		.suppressed = g->c.suppressed,
	};
}

static void notify_status(const struct sg_guard *g, const struct sg_listen *l,
			  bool watchdog)
{
	struct sg_status_counts counts = status_counts(g);
	char status[1400];

	format_status(g, l, status, sizeof(status));
	(void)sd_notifyf(0, "%sSTATUS=%s", watchdog ? "WATCHDOG=1\n" : "",
			 status);
	sg_status_publish("running", &counts, status);
}

/*
 * The test build (make SANITIZE=1) proves the real seccomp filter kills
 * the daemon: SIGUSR2 makes it call mkdir(2), which the filter refuses.
 * Production binaries do not have this trigger; there SIGUSR2 is ignored.
 */
static void test_hook_forbidden_syscall(void)
{
#if defined(SEALGUARD_TEST_HOOKS)
	sg_log(LOG_WARNING, NULL,
	       "test hook: calling mkdir(2), outside the seccomp allowlist");
	sg_log_stop(); /* let the entry out before we die */
	(void)syscall(SYS_mkdir, "/sealguard-test-hook", 0700);
#else
	sg_log(LOG_NOTICE, NULL, "SIGUSR2 ignored");
#endif
}

enum {
	SLOT_FANOTIFY,
	SLOT_HASHER,
	SLOT_SIGNAL,
	SLOT_MOUNTS,
	SLOT_TIMER,
	SLOT_LISTEN,
	SLOT_CHANGES,
	SLOT_RESPOND,
	SLOT__COUNT
};

static int run_loop(struct sg_guard *g, struct sg_listen *l, int sig_fd,
		    int timer_fd, bool watchdog)
{
	struct pollfd pfd[SLOT__COUNT] = {
		[SLOT_FANOTIFY] = { g->fan_fd, POLLIN, 0 },
		[SLOT_HASHER] = { sg_guard_hash_fd(g), POLLIN, 0 },
		[SLOT_SIGNAL] = { sig_fd, POLLIN, 0 },
		[SLOT_MOUNTS] = { g->mountinfo_fd, POLLPRI, 0 },
		[SLOT_TIMER] = { timer_fd, POLLIN, 0 },
		[SLOT_LISTEN] = { l->timer_fd, POLLIN, 0 }, /* -1: guard off */
		[SLOT_CHANGES] = { sg_changes_fd(changes), POLLIN, 0 },
		[SLOT_RESPOND] = { sg_respond_fd(respond), POLLIN, 0 },
	};

	for (;;) {
		int r;

		/* -1 once the responder is gone */
		pfd[SLOT_RESPOND].fd = sg_respond_fd(respond);
		if (poll(pfd, SLOT__COUNT, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* permission events first: openers are waiting on them */
		if (pfd[SLOT_FANOTIFY].revents) {
			r = sg_guard_process(g);
			if (r < 0)
				return r;
		}
		if (pfd[SLOT_HASHER].revents)
			sg_guard_hashes_done(g);
		if (pfd[SLOT_CHANGES].revents)
			sg_changes_process(changes);
		if (pfd[SLOT_RESPOND].revents)
			sg_respond_process(respond);
		if (pfd[SLOT_SIGNAL].revents) {
			struct signalfd_siginfo si;

			if (read(sig_fd, &si, sizeof(si)) != sizeof(si))
				continue;
			/* A sealed policy changes with the image: a reload
			 * would be a window to slip a weaker one in. */
			if (si.ssi_signo == SIGHUP) {
				sg_log(LOG_NOTICE, NULL,
				       "SIGHUP ignored: the policy is not "
				       "reloaded; restart sealguardd to apply "
				       "a new one");
				continue;
			}
			if (si.ssi_signo == SIGUSR2) {
				test_hook_forbidden_syscall();
				continue;
			}
			return (int)si.ssi_signo;
		}
		if (pfd[SLOT_MOUNTS].revents) {
			sg_guard_mounts_changed(g);
			sg_changes_mounts_changed(changes);
			sg_roseal_mounts_changed(&roseal);
		}
		if (pfd[SLOT_TIMER].revents) {
			uint64_t ticks;

			if (read(timer_fd, &ticks, sizeof(ticks)) > 0) {
				sg_guard_tick(g, sg_now_ms());
				sg_listen_tick(l, sg_now_ms());
				sg_changes_tick(changes, sg_now_ms());
				sg_respond_tick(respond, sg_now_ms());
				notify_status(g, l, watchdog);
			}
		}
		if (pfd[SLOT_LISTEN].revents)
			sg_listen_on_timer(l);
	}
}

static void log_started(const struct sg_guard *g, const struct sg_baseline *b)
{
	struct sg_log_entry *e = sg_log_entry_new(LOG_NOTICE, SG_MSGID_STARTED);

	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE",
			 "sealed in %s mode: %zu filesystem(s) marked, "
			 "%zu protected path(s), %zu baseline file(s)",
			 sg_mode_name(g->policy->mode), g->plan.n,
			 g->policy->protect.n, b->n);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "start");
	(void)sg_log_add(e, "SEALGUARD_MODE", "%s",
			 sg_mode_name(g->policy->mode));
	(void)sg_log_add(e, "SEALGUARD_POLICY", "%s", g->policy->file);
	(void)sg_log_add(e, "SEALGUARD_BASELINE", "%s", g->policy->baseline);
	for (size_t i = 0; i < g->plan.n; i++)
		(void)sg_log_add(e, "SEALGUARD_MARK", "%s", g->plan.v[i].point);
	sg_log_submit(e);
}

/*
 * After the marks: the change watcher marks what the guard marked for
 * protection (and starts the verify worker, registered with the guard),
 * then the read-only seals are made. A filesystem that cannot be watched
 * is a warning; a policy that cannot be honoured at all refuses to start.
 */
static int watch_changes(struct sg_guard *g)
{
	struct errlist errs = { 0 };
	int r = sg_changes_start(g, &changes, &errs);

	if (r >= 0)
		r = sg_roseal_start(&roseal, g, &errs);
	for (size_t i = 0; r >= 0 && i < errs.n; i++)
		sg_log(LOG_WARNING, SG_MSGID_START_FAILED, "%s", errs.msgs[i]);
	if (r < 0) {
		if (errs.n == 0)
			(void)errlist_add(&errs, "cannot watch changes or seal: %s",
					  strerror(-r));
		log_refusal(&errs, "cannot watch changes or seal");
	}
	errlist_free(&errs);
	return r;
}

static int seal(struct sg_guard *g, struct sg_listen *l,
		const struct options *o, const struct sg_policy *p,
		const struct sg_baseline *b)
{
	struct errlist errs = { 0 };
	int r;

	r = sg_hash_init();
	if (r >= 0)
		r = sg_guard_init(g, p, b, o->confine, &errs);
	/* before the marks: it hashes the executables [listen] pins */
	if (r >= 0)
		r = sg_listen_init(l, p, b, &errs, &errs);
	g->respond = respond;
	l->respond = respond;
	for (size_t i = 0; r >= 0 && i < errs.n; i++)
		sg_log(LOG_WARNING, SG_MSGID_START_FAILED, "%s", errs.msgs[i]);
	if (r < 0) {
		if (errs.n == 0)
			(void)errlist_add(&errs, "cannot prepare the guard: %s",
					  strerror(-r));
		log_refusal(&errs, "cannot prepare the guard");
		errlist_free(&errs);
		return r;
	}
	errlist_free(&errs);
	r = sg_guard_mark(g, &errs);
	if (r < 0) {
		log_refusal(&errs, "cannot place marks");
		errlist_free(&errs);
		return r;
	}
	return watch_changes(g);
}

/* The status record, and how the previous instance ended. A state
 * directory that cannot be used costs the record, not the guard. */
static void open_status(const struct options *o, const struct sg_policy *p)
{
	_cleanup_free_ char *confined = NULL;
	struct errlist errs = { 0 };
	const char *dir = o->state_dir;

	if (!dir && o->confine &&
	    asprintf(&confined, "%s/sealguard-state", o->confine) >= 0)
		dir = confined;
	if (sg_status_init(dir ? dir : SG_DEFAULT_STATE_DIR, p, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			sg_log(LOG_WARNING, NULL, "no status record: %s",
			       errs.msgs[i]);
	} else {
		sg_status_log_previous();
	}
	errlist_free(&errs);
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

static int harden_host(const struct sg_policy *p)
{
	struct errlist errs = { 0 };
	int r = sg_harden_apply(p, &errs);

	if (r < 0)
		log_refusal(&errs, "cannot harden the host as the policy asks");
	errlist_free(&errs);
	return r;
}

/* --check: the [respond] programs too, without starting anything. */
static int check_programs(const struct sg_policy *p, const struct sg_baseline *b)
{
	struct errlist errs = { 0 };
	int r = sg_respond_check(p, b, &errs);

	if (r < 0)
		log_refusal(&errs, "a [respond] program cannot be used");
	errlist_free(&errs);
	return r < 0 ? EXIT_CONFIG : EXIT_SUCCESS;
}

/*
 * The responses the policy asks for: the responder is forked here, while
 * we still have every capability and no thread. A response that was
 * promised and cannot be given (a missing hook, no cgroup v2 for freeze)
 * is a configuration error.
 */
static int prepare_responses(const struct sg_policy *p,
			     const struct sg_baseline *b)
{
	struct errlist errs = { 0 };
	int r = sg_respond_init(&respond, p, b, &errs);

	if (r < 0) {
		if (errs.n == 0)
			(void)errlist_add(&errs, "cannot prepare responses: %s",
					  strerror(-r));
		log_refusal(&errs, "cannot prepare the [respond] responses");
	}
	errlist_free(&errs);
	return r;
}

static int drop_capabilities(void)
{
	struct errlist errs = { 0 };
	int r = sg_seal_capabilities(&errs);

	if (r < 0)
		log_refusal(&errs, "cannot drop capabilities");
	errlist_free(&errs);
	return r;
}

static int load_seccomp(enum sg_seccomp_action action)
{
	struct errlist errs = { 0 };
	int r = sg_seal_seccomp(action, &errs);

	if (r < 0)
		log_refusal(&errs, "cannot install the seccomp filter");
	errlist_free(&errs);
	return r;
}

static pid_t writer_tid;

static int start_logging(void)
{
	int r = sg_log_start(LOG_QUEUE_LEN);

	if (r < 0)
		return r;
	writer_tid = sg_log_writer_tid();
	return 0;
}

int main(int argc, char **argv)
{
	struct sg_policy *policy = NULL;
	struct sg_baseline *baseline = NULL;
	struct options o;
	uint64_t watchdog_usec = 0;
	int r, sig_fd = -1, timer_fd = -1, status = EXIT_FAILURE;

	if (parse_options(argc, argv, &o) < 0)
		return 2;
	if (o.list_seal) {
		puts("# capabilities kept (effective, permitted, bounding)");
		sg_seal_print_capabilities(stdout);
		printf("# syscalls allowed (%u); anything else kills the process\n",
		       sg_seal_syscall_count());
		sg_seal_print_syscalls(stdout);
		return EXIT_SUCCESS;
	}
	sg_log_set_target(o.log_target);
	(void)prctl(PR_SET_DUMPABLE, 0); /* no core of the baseline, no ptrace */
	if (load_config(&o, &policy, &baseline) < 0)
		return EXIT_CONFIG;
	if (o.check_only) {
		status = check_programs(policy, baseline);
		if (status == EXIT_SUCCESS)
			printf("%s: OK\n%s: OK (%zu files)\n", policy->file,
			       policy->baseline, baseline->n);
		goto out;
	}
	open_status(&o, policy);
	raise_fd_limit();
	if (harden_host(policy) < 0)
		goto out;
	r = prepare_responses(policy, baseline);
	if (r < 0) {
		if (r != -ENOMEM && r != -EAGAIN && r != -ETIMEDOUT)
			status = EXIT_CONFIG;
		goto out;
	}
	/* before any thread exists: capabilities are per thread */
	if (drop_capabilities() < 0)
		goto out;
	sig_fd = open_signalfd();
	if (sig_fd < 0 || start_logging() < 0) {
		sg_log(LOG_CRIT, SG_MSGID_START_FAILED,
		       "cannot set up signals or logging");
		goto out;
	}
	if (seal(&guard, &listener, &o, policy, baseline) < 0)
		goto out;
	sg_guard_add_helper_tid(&guard, writer_tid);
	install_crash_handlers();
	lock_memory();
	if (sd_watchdog_enabled(0, &watchdog_usec) <= 0)
		watchdog_usec = 0;
	timer_fd = open_tick_timer(watchdog_usec);
	if (timer_fd < 0)
		goto out;
	log_started(&guard, baseline);
	(void)sg_listen_start(&listener); /* the listening surface; logs errors */
	/* the last step before the first event is answered */
	/* capabilities are final; capget is not in the filter's list */
	sg_status_sealed(o.seccomp_action == SG_SECCOMP_TRAP ? "trap" : "kill");
	if (load_seccomp(o.seccomp_action) < 0)
		goto out;
	(void)sd_notify(0, "READY=1");
	notify_status(&guard, &listener, watchdog_usec != 0);

	r = run_loop(&guard, &listener, sig_fd, timer_fd, watchdog_usec != 0);
	(void)sd_notify(0, "STOPPING=1");
	sg_guard_shutdown(&guard);
	sg_roseal_unseal(&roseal);
	if (r >= 0) { /* the marker of a clean stop: a crash leaves "running" */
		struct sg_status_counts counts = status_counts(&guard);

		sg_status_publish("stopped", &counts, NULL);
	}
	if (r < 0)
		sg_log(LOG_CRIT, SG_MSGID_STOPPED, "event loop failed: %s",
		       strerror(-r));
	else
		sg_log(LOG_NOTICE, SG_MSGID_STOPPED,
		       "stopped on signal %d after %" PRIu64 " events "
		       "(%" PRIu64 " write denials, %" PRIu64
		       " exec denials, %" PRIu64 " would-deny)",
		       r, guard.c.events, guard.c.denied_write,
		       guard.c.denied_exec, guard.c.would_deny);
	status = r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
out:
	sg_status_close();
	sg_guard_free(&guard);
	/* after the guard's group is closed: the verify worker may be
	 * blocked in an open that only the loop could have answered */
	sg_changes_free(changes);
	sg_roseal_free(&roseal);
	sg_listen_free(&listener);
	sg_respond_free(respond);
	sg_log_stop();
	if (sig_fd >= 0)
		(void)close(sig_fd);
	if (timer_fd >= 0)
		(void)close(timer_fd);
	sg_baseline_free(baseline);
	sg_policy_free(policy);
	return status;
}
