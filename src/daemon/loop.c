/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loop.c - the event loop of a sealed daemon (see run.h): a poll() over
 * named slots, permission events first, signals read from a signalfd,
 * a one-second tick for the components' sweeps and the status.
 */
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>

#include "clock.h"
#include "messages.h"
#include "maint/window.h"
#include "policy.h"
#include "respond/respond.h"
#include "run.h"

int sg_run_open_signalfd(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGPIPE);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sigdelset(&set, SIGPIPE);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

uint64_t sg_run_tick_usec(uint64_t watchdog_usec)
{
	uint64_t usec = 1000000;

	if (watchdog_usec && watchdog_usec / 2 < usec)
		usec = watchdog_usec / 2;
	return usec;
}

int sg_run_open_tick_timer(uint64_t watchdog_usec)
{
	uint64_t usec = sg_run_tick_usec(watchdog_usec);
	struct itimerspec its;
	int fd;

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

struct sg_status_counts sg_run_counts(const struct sg_run *run)
{
	const struct sg_counters *c = sg_guard_counters(run->guard);

	return (struct sg_status_counts){
		.events = c->events,
		.denied_write = c->denied_write,
		.denied_exec = c->denied_exec,
		.would_deny = c->would_deny,
		.suppressed = c->suppressed,
	};
}

/* The heartbeat's counters: every component's, copied in. */
static void heartbeat(const struct sg_run *run)
{
	const struct sg_counters *g = sg_guard_counters(run->guard);
	struct sg_listen_counters l;
	struct sg_changes_counters c = { 0 };
	struct sg_respond_counters r;
	char seals[160];

	sg_listen_counters(run->listen, &l);
	if (run->changes)
		sg_changes_counters(run->changes, &c);
	sg_respond_counters(run->d.respond, &r);
	sg_rdonly_status(run->rdonly, seals, sizeof(seals));
	sg_heartbeat_tick(sg_now_ms(), &(struct sg_heartbeat_counts){
		.events = g->events, .denied_write = g->denied_write,
		.denied_exec = g->denied_exec, .would_deny = g->would_deny,
		.listen_denied = l.destroyed + l.killed,
		.listen_would_deny = l.would_deny, .changes = c.reported,
		.responses = r.kills + r.freezes + r.hooks,
		.log_lost = sg_log_dropped(),
		.seals = seals[0] == ';' ? seals + 2 : seals,
		.maintenance = sg_maint_id(run->d.maint),
	});
}

/* One line of counters: systemd's STATUS= and the status record. */
static void format_status(const struct sg_run *run, char *buf, size_t size)
{
	char gstatus[320], lstatus[160], cstatus[160], sstatus[160];
	char rstatus[256], mstatus[96];

	sg_guard_status(run->guard, gstatus, sizeof(gstatus));
	sg_listen_status(run->listen, lstatus, sizeof(lstatus));
	sg_respond_status(run->d.respond, rstatus, sizeof(rstatus));
	sg_changes_status(run->changes, cstatus, sizeof(cstatus));
	sg_rdonly_status(run->rdonly, sstatus, sizeof(sstatus));
	sg_maint_status(run->d.maint, mstatus, sizeof(mstatus));
	snprintf(buf, size, "%s, %" PRIu64 " log entries lost%s%s%s%s%s", gstatus,
		 sg_log_dropped(), lstatus, cstatus, sstatus, rstatus, mstatus);
}

void sg_run_notify_status(const struct sg_run *run)
{
	struct sg_status_counts counts = sg_run_counts(run);
	char status[1400];

	format_status(run, status, sizeof(status));
	(void)sd_notifyf(0, "%sSTATUS=%s", run->watchdog ? "WATCHDOG=1\n" : "",
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

/* A signal arrived: 0 to go on, or the number of a stop signal. */
static int on_signal(struct sg_run *run)
{
	struct signalfd_siginfo si;

	if (read(run->sig_fd, &si, sizeof(si)) != sizeof(si))
		return 0;
	/* A sealed policy changes with the image: a reload would be a
	 * window to slip a weaker one in. */
	if (si.ssi_signo == SIGHUP) {
		sg_log(LOG_NOTICE, NULL,
		       "SIGHUP ignored: the policy is not reloaded; restart "
		       "sealguardd to apply a new one");
		return 0;
	}
	/* sealguard maintenance wrote a request (maint/window.h) */
	if (si.ssi_signo == SIGUSR1) {
		sg_maint_request(run->d.maint);
		return 0;
	}
	if (si.ssi_signo == SIGUSR2) {
		test_hook_forbidden_syscall();
		return 0;
	}
	return (int)si.ssi_signo;
}

static void on_mounts_changed(struct sg_run *run)
{
	sg_guard_mounts_changed(run->guard);
	sg_changes_mounts_changed(run->changes);
	sg_rdonly_mounts_changed(run->rdonly);
}

static void on_tick(struct sg_run *run)
{
	uint64_t ticks;

	if (read(run->timer_fd, &ticks, sizeof(ticks)) <= 0)
		return;
	sg_guard_tick(run->guard, sg_now_ms());
	sg_listen_tick(run->listen, sg_now_ms());
	sg_changes_tick(run->changes, sg_now_ms());
	sg_respond_tick(run->d.respond, sg_now_ms());
	sg_maint_tick(run->d.maint, sg_now_ms());
	sg_run_notify_status(run);
	heartbeat(run);
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
	SLOT_TAMPER,
	SLOT_MNTNS,
	SLOT_MAINT,
	SLOT_INDEX,
	SLOT__COUNT
};

int sg_run_loop(struct sg_run *run)
{
	struct pollfd pfd[SLOT__COUNT] = {
		[SLOT_FANOTIFY] = { sg_guard_fd(run->guard), POLLIN, 0 },
		[SLOT_HASHER] = { sg_guard_hash_fd(run->guard), POLLIN, 0 },
		[SLOT_SIGNAL] = { run->sig_fd, POLLIN, 0 },
		[SLOT_MOUNTS] = { sg_guard_mounts_fd(run->guard), POLLPRI, 0 },
		[SLOT_TIMER] = { run->timer_fd, POLLIN, 0 },
		[SLOT_LISTEN] = { sg_listen_fd(run->listen), POLLIN, 0 },
		[SLOT_CHANGES] = { sg_changes_fd(run->changes), POLLIN, 0 },
		[SLOT_RESPOND] = { sg_respond_fd(run->d.respond), POLLIN, 0 },
		[SLOT_TAMPER] = { sg_tamper_fd(run->tamper), POLLIN, 0 },
		[SLOT_MNTNS] = { sg_guard_mntns_fd(run->guard), POLLIN, 0 },
		[SLOT_MAINT] = { -1, POLLIN, 0 },
		[SLOT_INDEX] = { -1, POLLIN, 0 },
	};

	heartbeat(run); /* the first, right after READY=1 */
	for (;;) {
		int r;

		/* -1 once the responder is gone */
		pfd[SLOT_RESPOND].fd = sg_respond_fd(run->d.respond);
		/* the root of an open maintenance window, readable at its exit */
		pfd[SLOT_MAINT].fd = sg_maint_fd(run->d.maint);
		/* the protected-inode walk, readable at its end */
		pfd[SLOT_INDEX].fd = sg_guard_index_fd(run->guard);
		if (poll(pfd, SLOT__COUNT, -1) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		/* permission events first: openers are waiting on them */
		if (pfd[SLOT_FANOTIFY].revents) {
			r = sg_guard_process(run->guard);
			if (r < 0)
				return r;
		}
		if (pfd[SLOT_HASHER].revents)
			sg_guard_hashes_done(run->guard);
		if (pfd[SLOT_INDEX].revents)
			sg_guard_index_done(run->guard);
		if (pfd[SLOT_CHANGES].revents)
			sg_changes_process(run->changes);
		if (pfd[SLOT_RESPOND].revents)
			sg_respond_process(run->d.respond);
		if (pfd[SLOT_TAMPER].revents)
			sg_tamper_process(run->tamper);
		if (pfd[SLOT_SIGNAL].revents) {
			r = on_signal(run);
			if (r > 0)
				return r;
		}
		if (pfd[SLOT_MOUNTS].revents)
			on_mounts_changed(run);
		if (pfd[SLOT_TIMER].revents)
			on_tick(run);
		if (pfd[SLOT_LISTEN].revents)
			sg_listen_process(run->listen);
		if (pfd[SLOT_MNTNS].revents)
			sg_guard_mntns_process(run->guard);
		if (pfd[SLOT_MAINT].revents)
			sg_maint_process(run->d.maint);
	}
}
