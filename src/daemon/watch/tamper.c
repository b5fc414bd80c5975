/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tamper.c - a tracer on the daemon or on its responder: found within
 * SG_TAMPER_WATCH_MS, logged at alert and answered. See tamper.h.
 *
 * Why a watch and not only non-dumpable: PR_SET_DUMPABLE 0 stops callers
 * without CAP_SYS_PTRACE, and root has it. Yama's ptrace_scope = 3
 * ([harden] ptrace_scope) shuts the door where the kernel has Yama; this
 * watch makes an attach seen whatever the kernel.
 */
#include <inttypes.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/timerfd.h>

#include "messages.h"
#include "log/heartbeat.h"
#include "log/sglog.h"
#include "respond/respond.h"
#include "sys/tracer.h"
#include "sys/memwatch.h"
#include "watch/tamper.h"
#include "util.h"

struct sg_tamper {
	const struct sg_daemon *d;
	int timer_fd;
	pid_t self;
	pid_t seen_self, seen_responder; /* the tracers reported already */
	bool responder_stopped;      /* its stop reported already */
	struct sg_memwatch mem;      /* inotify -1: no tripwire */
	pid_t mem_responder;         /* whose memory files it watches; 0: none */
	uint64_t found;
};

/* The tripwire on our memory file and the responder's. */
/* One target's watch could not be set up: a tripwire less, not a guard
 * less. EPERM is the kernel refusing the open (Yama's ptrace_scope = 3),
 * which it refuses any writer as well: nothing is missed then. */
static void watch_failed(const char *target, pid_t pid, int r)
{
	sg_log(r == -EPERM ? LOG_INFO : LOG_WARNING, NULL,
	       "tamper watch: cannot watch all of %s's memory files "
	       "(/proc/%d/mem and its threads'): %s%s", target, (int)pid,
	       strerror(-r), r == -EPERM ? " (the kernel refuses such opens "
	       "to everyone)" : "; a write through one not watched is not seen");
}

/* The tripwire on our memory files and the responder's. */
static void watch_memory(struct sg_tamper *t)
{
	int r = sg_memwatch_open(&t->mem);

	if (r < 0) {
		watch_failed("sealguardd", t->self, r);
		return;
	}
	r = sg_memwatch_add(&t->mem, t->d->proc_fd, SG_MEM_DAEMON, t->self);
	if (r < 0)
		watch_failed("sealguardd", t->self, r);
	t->mem_responder = sg_respond_responder(t->d->respond);
	if (t->mem_responder <= 0)
		return;
	r = sg_memwatch_add(&t->mem, t->d->proc_fd, SG_MEM_RESPONDER,
			    t->mem_responder);
	if (r < 0)
		watch_failed("the responder", t->mem_responder, r);
}

int sg_tamper_start(const struct sg_daemon *d, struct sg_tamper **ret,
		    struct errlist *errs)
{
	struct itimerspec its = {
		.it_interval = { 0, SG_TAMPER_WATCH_MS * 1000000L },
		.it_value = { 0, SG_TAMPER_WATCH_MS * 1000000L },
	};
	struct sg_tamper *t = calloc(1, sizeof(*t));
	int r;

	if (!t)
		return -ENOMEM;
	t->d = d;
	t->self = getpid();
	watch_memory(t);
	t->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (t->timer_fd < 0 || timerfd_settime(t->timer_fd, 0, &its, NULL) < 0) {
		r = -errno;
		(void)errlist_add(errs, "tracer watch: timer: %s", strerror(-r));
		sg_tamper_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

int sg_tamper_fd(const struct sg_tamper *t)
{
	return t ? t->timer_fd : -1;
}

uint64_t sg_tamper_found(const struct sg_tamper *t)
{
	return t ? t->found : 0;
}

/* Send sig through a pidfd (once open, it names that process, whatever
 * becomes of the pid). What was done, in words: "WHAT: done" or "could
 * not WHAT: why". */
static const char *signal_pid(pid_t pid, int sig, const char *what,
			      char *buf, size_t size)
{
	int fd = (int)pidfd_open(pid, 0);

	if (fd < 0 || pidfd_send_signal(fd, sig, NULL, 0) < 0)
		snprintf(buf, size, "could not %s: %s", what, strerror(errno));
	else
		snprintf(buf, size, "%s: done", what);
	if (fd >= 0)
		(void)close(fd);
	return buf;
}

/* SIGKILL the tracer through a pidfd (a kill detaches it: the traced
 * threads run on). The result, in words. */
static const char *kill_tracer(const struct sg_tamper *t, pid_t tracer,
			       char *buf, size_t size)
{
	if (t->d->policy->mode == SG_MODE_PERMISSIVE) {
		snprintf(buf, size, "would kill the tracer (permissive)");
		return buf;
	}
	if (tracer == t->self || tracer == sg_respond_responder(t->d->respond) ||
	    tracer == 1) {
		snprintf(buf, size, "not killed: the tracer is %s",
			 tracer == 1 ? "init" : "sealguardd itself");
		return buf;
	}
	return signal_pid(tracer, SIGKILL, "kill the tracer", buf, size);
}

/* The tracer's executable ("?" if it cannot be read); read before the
 * kill. */
static void tracer_exe(const struct sg_tamper *t, pid_t pid, char *buf,
		       size_t size)
{
	char path[32];
	ssize_t n;

	snprintf(path, sizeof(path), "%d/exe", (int)pid);
	n = readlinkat(t->d->proc_fd, path, buf, size - 1);
	if (n < 0)
		n = snprintf(buf, size, "?");
	buf[n] = '\0';
}

/* SIGCONT the responder, stopped by a signal (SIGCONT does nothing
 * else). The result, in words. */
static const char *resume_responder(const struct sg_tamper *t, pid_t pid,
				    char *buf, size_t size)
{
	if (t->d->policy->mode == SG_MODE_PERMISSIVE) {
		snprintf(buf, size, "would resume the responder (permissive)");
		return buf;
	}
	return signal_pid(pid, SIGCONT, "resume the responder", buf, size);
}

/* A tracer on target (tr->tracer), or the responder stopped without
 * one: logged at alert, answered, carried by the heartbeat, and the host
 * asks to be replaced. */
static void report(struct sg_tamper *t, const char *target, pid_t pid,
		   const struct sg_tracer *tr)
{
	char result[128], why[160], exe[256] = "";
	struct sg_log_entry *e = sg_log_entry_new(LOG_ALERT, SG_MSGID_TAMPER);

	t->found++;
	if (tr->tracer) {
		tracer_exe(t, tr->tracer, exe, sizeof(exe));
		(void)kill_tracer(t, tr->tracer, result, sizeof(result));
		snprintf(why, sizeof(why), "a tracer (pid %d) on sealguardd's %s",
			 (int)tr->tracer, target);
	} else {
		(void)resume_responder(t, pid, result, sizeof(result));
		snprintf(why, sizeof(why), "sealguardd's %s stopped (state %c)",
			 target, tr->state);
	}
	if (e) {
		if (tr->tracer)
			(void)sg_log_add(e, "MESSAGE",
					 "tamper: %s (pid %d, thread %d) is traced "
					 "by pid %d (%s); %s", target, (int)pid,
					 (int)tr->tid, (int)tr->tracer, exe, result);
		else
			(void)sg_log_add(e, "MESSAGE",
					 "tamper: %s (pid %d) is stopped (state %c): "
					 "its freezes, hooks and reprovision runs "
					 "would wait; %s", target, (int)pid,
					 tr->state, result);
		(void)sg_log_add(e, "SEALGUARD_EVENT", "tamper");
		(void)sg_log_add(e, "SEALGUARD_WATCHER", "daemon");
		(void)sg_log_add(e, "SEALGUARD_TARGET", "%s", target);
		(void)sg_log_add(e, "SEALGUARD_PID", "%d", (int)pid);
		(void)sg_log_add(e, "SEALGUARD_TID", "%d", (int)tr->tid);
		(void)sg_log_add(e, "SEALGUARD_STATE", "%c", tr->state);
		(void)sg_log_add(e, "SEALGUARD_TRACER_PID", "%d",
				 (int)tr->tracer);
		if (tr->tracer)
			(void)sg_log_add(e, "SEALGUARD_TRACER_EXE", "%s", exe);
		(void)sg_log_add(e, "SEALGUARD_RESPONSE", "%s", result);
	}
	sg_log_submit(e);
	sg_heartbeat_set_tamper(why);
	sg_respond_tamper(t->d->respond, why);
}

/* One process: report a tracer not reported yet. */
static void look(struct sg_tamper *t, const char *target, pid_t pid,
		 pid_t *seen, struct sg_tracer *tr)
{
	tr->tracer = 0;
	tr->stopped = false;
	if (pid <= 0 || sg_tracer_read(t->d->proc_fd, pid, tr) < 0)
		return;
	if (tr->tracer && tr->tracer != *seen)
		report(t, target, pid, tr);
	*seen = tr->tracer;
}

/*
 * The responder stopped by a signal (a tracer's stop is the tracer's,
 * reported above): every freeze, hook and reprovision request would wait
 * in its socket unanswered. The daemon cannot see itself stopped (the
 * responder watches it for that); it sees its responder, as the
 * responder sees it.
 */
static void look_responder_stop(struct sg_tamper *t, pid_t pid,
				const struct sg_tracer *tr)
{
	bool stopped = pid > 0 && tr->stopped && !tr->tracer;
	char result[128];

	/* logged once per stop; woken at every look that finds it stopped
	 * (stopped again before the next look, it is still woken) */
	if (stopped && !t->responder_stopped)
		report(t, "responder", pid, tr);
	else if (stopped)
		(void)resume_responder(t, pid, result, sizeof(result));
	t->responder_stopped = stopped;
}

static const char *const mem_target_name[SG_MEM__COUNT] = {
	[SG_MEM_DAEMON] = "daemon",
	[SG_MEM_RESPONDER] = "responder",
};

/*
 * Someone opened a memory file we watch (inotify does not say who). A
 * write is a tamper, answered like a tracer as far as it can be: there is
 * no writer to kill, the host asks to be replaced. An open or read alone
 * changes nothing and may be a memory scanner: a warning.
 */
static void add_access(struct sg_log_entry *e, unsigned bits, bool lost)
{
	char access[40] = "";

	if (bits & SG_MEM_OPENED)
		strcat(access, " open");
	if (bits & SG_MEM_READ)
		strcat(access, " read");
	if (bits & SG_MEM_WRITTEN)
		strcat(access, " write");
	if (lost)
		strcat(access, " overflow");
	(void)sg_log_add(e, "SEALGUARD_ACCESS", "%s", access + 1);
}

/*
 * Someone opened a memory file we watch (inotify does not say who). A
 * write is a tamper, answered like a tracer as far as it can be: there is
 * no writer to kill, the host asks to be replaced. So are events lost to
 * a full queue (lost): they may have been writes. An open or read alone
 * changes nothing and may be a memory scanner: a warning.
 */
static void report_mem(struct sg_tamper *t, enum sg_memwatch_target target,
		       pid_t pid, unsigned bits, bool lost)
{
	bool tamper = (bits & SG_MEM_WRITTEN) || lost;
	const char *name = mem_target_name[target];
	struct sg_log_entry *e = sg_log_entry_new(tamper ? LOG_ALERT :
							   LOG_WARNING,
						  SG_MSGID_TAMPER);
	char why[160];

	snprintf(why, sizeof(why), "sealguardd's %smemory %s /proc/%d/mem",
		 target == SG_MEM_DAEMON ? "" : "responder's ",
		 bits & SG_MEM_WRITTEN ? "written through" :
					 "watch lost events on", (int)pid);
	if (e) {
		(void)sg_log_add(e, "MESSAGE",
				 "%s: %s (pid %d): %s /proc/%d/mem, by a "
				 "process that cannot be named (no tracer to "
				 "kill)", tamper ? "tamper" : "memory read",
				 name, (int)pid,
				 bits & SG_MEM_WRITTEN ? "its memory was written through" :
				 lost ? "events (maybe writes) were lost from the watch on" :
					"its memory was opened or read through",
				 (int)pid);
		(void)sg_log_add(e, "SEALGUARD_EVENT", "%s",
				 tamper ? "tamper" : "memory-read");
		(void)sg_log_add(e, "SEALGUARD_WATCHER", "daemon");
		(void)sg_log_add(e, "SEALGUARD_TARGET", "%s", name);
		(void)sg_log_add(e, "SEALGUARD_PID", "%d", (int)pid);
		add_access(e, bits, lost);
		(void)sg_log_add(e, "SEALGUARD_VIA", "proc-mem");
	}
	sg_log_submit(e);
	if (!tamper)
		return;
	t->found++;
	sg_heartbeat_set_tamper(why);
	sg_respond_tamper(t->d->respond, why);
}

/* What the tripwire saw, reported for the pids it watched; then, once
 * the responder is reaped, its files are let go (its pid is anyone's). */
static void look_memory(struct sg_tamper *t, pid_t responder)
{
	const pid_t pids[SG_MEM__COUNT] = { t->self, t->mem_responder };
	unsigned bits[SG_MEM__COUNT];
	bool lost = sg_memwatch_read(&t->mem, bits) == -EOVERFLOW;

	for (int k = 0; k < SG_MEM__COUNT; k++)
		if ((bits[k] || lost) && pids[k] > 0)
			report_mem(t, (enum sg_memwatch_target)k, pids[k],
				   bits[k], lost);
	if (responder <= 0 && t->mem_responder > 0) {
		sg_memwatch_forget(&t->mem, SG_MEM_RESPONDER);
		t->mem_responder = 0;
	}
}

void sg_tamper_process(struct sg_tamper *t)
{
	pid_t responder = sg_respond_responder(t->d->respond);
	struct sg_tracer tr;
	uint64_t ticks;

	if (read(t->timer_fd, &ticks, sizeof(ticks)) <= 0)
		return;
	look(t, "daemon", t->self, &t->seen_self, &tr);
	look(t, "responder", responder, &t->seen_responder, &tr);
	look_responder_stop(t, responder, &tr);
	look_memory(t, responder);
}

void sg_tamper_free(struct sg_tamper *t)
{
	if (!t)
		return;
	if (t->timer_fd >= 0)
		(void)close(t->timer_fd);
	sg_memwatch_close(&t->mem);
	free(t);
}
