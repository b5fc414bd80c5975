/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * responder_tamper.c - the responder watches the daemon: a tracer on any
 * of its threads, or the daemon stopped (SIGSTOP, a ptrace-stop). A
 * stopped daemon cannot log, so the responder logs on its own, through a
 * journal socket of its own opened at start-up, and answers on its own:
 * it kills the tracer, wakes a daemon stopped by SIGSTOP, and runs the
 * reprovision program once (the daemon, stopped, cannot ask for it). The
 * daemon watches the responder the same way (watch/tamper.c).
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <syslog.h>

#include "clock.h"
#include "messages.h"
#include "policy.h"
#include "respond/responder_int.h"
#include "sys/tracer.h"
#include "util.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

int responder_journal_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", JOURNAL_SOCKET);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		(void)close(fd);
		return err;
	}
	return fd;
}

/* One entry, journald's native protocol (KEY=value lines; no value here
 * holds a newline), or a line on stderr when there is no journal. */
static void journal_send(const struct responder *rs, int priority,
			 const char *fields, const char *message)
{
	char buf[2048];
	int n = snprintf(buf, sizeof(buf),
			 "PRIORITY=%d\nSYSLOG_IDENTIFIER=sealguardd\n"
			 "MESSAGE_ID=%s\n%sMESSAGE=%s\n",
			 priority, SG_MSGID_TAMPER, fields, message);

	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = (int)sizeof(buf) - 1;
	if (rs->journal >= 0 && send(rs->journal, buf, (size_t)n,
				     MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return;
	fprintf(stderr, "sealguard-resp: %s\n", message);
}

/* The tracer's name, for the entry ("?" when it cannot be read). Its
 * comm, not its exe: /proc/PID/exe needs CAP_SYS_PTRACE, which we do not
 * keep (the daemon's own entries name the exe). */
static void tracer_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	snprintf(buf, size, "?");
	f = fopen(path, "re");
	if (f && fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		(void)fclose(f);
}

/* Kill the tracer (which detaches it), or wake a daemon stopped by a
 * signal; "would" in permissive mode. The result, in words. */
static const char *answer(const struct responder *rs,
			  const struct sg_tracer *t, char *buf, size_t size)
{
	pid_t target = t->tracer ? t->tracer : rs->daemon;
	int sig = t->tracer ? SIGKILL : SIGCONT;
	const char *what = t->tracer ? "kill the tracer" : "resume the daemon";

	if (rs->cfg->permissive)
		snprintf(buf, size, "would %s (permissive)", what);
	else if (kill(target, sig) < 0)
		snprintf(buf, size, "could not %s: %s", what, strerror(errno));
	else
		snprintf(buf, size, "%s: done", what);
	return buf;
}

/*
 * The host cannot be trusted any more: it asks to be replaced, once. The
 * daemon asks itself when it can; we do it only for a daemon that is
 * stopped, and only if it never asked (its reprovision requests pass
 * through us: handle_request sets reprovisioned).
 */
static bool should_reprovision(const struct responder *rs,
			       const struct sg_tracer *t)
{
	return rs->cfg->reprovision && !rs->cfg->permissive &&
	       !rs->reprovisioned && t->stopped &&
	       !jobs_running(rs, SG_RESP_REPROVISION);
}

static void reprovision(struct responder *rs)
{
	struct sg_resp_msg req = { .op = SG_RESP_REPROVISION,
				   .kind = SG_KIND__COUNT };
	struct sg_resp_buf b;

	rs->reprovisioned = true;
	sg_resp_buf_init(&b, &req);
	sg_resp_buf_add(&b, "SEALGUARD_EVENT=reprovision");
	sg_resp_buf_add(&b, "SEALGUARD_REASON=tamper");
	sg_resp_buf_add(&b, "SEALGUARD_MESSAGE=a tracer on sealguardd, or "
			    "sealguardd stopped (found by its responder)");
	job_start(rs, b.buf, b.len);
}

static void report(struct responder *rs, const struct sg_tracer *t)
{
	char fields[768], message[512], exe[256] = "", result[160];
	bool run = should_reprovision(rs, t);

	if (t->tracer)
		tracer_comm(t->tracer, exe, sizeof(exe));
	(void)answer(rs, t, result, sizeof(result));
	snprintf(fields, sizeof(fields),
		 "SEALGUARD_EVENT=tamper\nSEALGUARD_WATCHER=responder\n"
		 "SEALGUARD_TARGET=daemon\nSEALGUARD_PID=%d\nSEALGUARD_TID=%d\n"
		 "SEALGUARD_STATE=%c\nSEALGUARD_TRACER_PID=%d\n"
		 "SEALGUARD_TRACER_COMM=%s\nSEALGUARD_RESPONSE=%s\n",
		 (int)rs->daemon, (int)t->tid, t->state, (int)t->tracer, exe,
		 result);
	if (t->tracer)
		snprintf(message, sizeof(message),
			 "tamper: sealguardd (pid %d) is traced by pid %d (%s); "
			 "%s", (int)rs->daemon, (int)t->tracer, exe, result);
	else
		snprintf(message, sizeof(message),
			 "tamper: sealguardd (pid %d) is stopped (state %c); %s",
			 (int)rs->daemon, t->state, result);
	journal_send(rs, LOG_ALERT, fields, message);
	/* for the daemon's heartbeat, read when it runs again; value 1: we
	 * run the reprovision program (the daemon must not ask again) */
	responder_reply(rs, &(struct sg_resp_msg){ .op = SG_RESP_TAMPER,
						   .kind = SG_KIND__COUNT },
			SG_RESP_DONE, run, sg_now_ms(), message, "");
	if (run)
		reprovision(rs);
}

/*
 * The daemon's memory written through /proc/PID/mem (sys/memwatch.h):
 * the daemon sees it too, unless the write was the one that blinded it.
 * Logged here on our own socket; the daemon is told, and asks for the
 * host to be replaced (once, whoever saw it first). An open that only
 * reads is the daemon's to log.
 */
static void look_memory(struct responder *rs)
{
	char fields[512], message[256];
	unsigned bits[SG_MEM__COUNT];
	/* lost events may have been writes: counted as one, said as such */
	bool lost = sg_memwatch_read(&rs->mem, bits) == -EOVERFLOW;

	if (!lost && !(bits[SG_MEM_DAEMON] & SG_MEM_WRITTEN))
		return;
	snprintf(fields, sizeof(fields),
		 "SEALGUARD_EVENT=tamper\nSEALGUARD_WATCHER=responder\n"
		 "SEALGUARD_TARGET=daemon\nSEALGUARD_PID=%d\n"
		 "SEALGUARD_VIA=proc-mem\nSEALGUARD_ACCESS=%s\n"
		 "SEALGUARD_RESPONSE=none: the writer cannot be named\n",
		 (int)rs->daemon, lost ? "overflow" : "write");
	snprintf(message, sizeof(message),
		 "tamper: sealguardd (pid %d): %s /proc/%d/mem, by a process "
		 "that cannot be named", (int)rs->daemon,
		 lost ? "events were lost from the watch on" :
			"its memory was written through",
		 (int)rs->daemon);
	journal_send(rs, LOG_ALERT, fields, message);
	responder_reply(rs, &(struct sg_resp_msg){ .op = SG_RESP_TAMPER,
						   .kind = SG_KIND__COUNT },
			SG_RESP_DONE, 0, sg_now_ms(), message, "");
}

void responder_watch(struct responder *rs, uint64_t now_ms)
{
	char result[160];
	struct sg_tracer t;

	if (now_ms < rs->next_watch_ms)
		return;
	rs->next_watch_ms = now_ms + SG_RESP_WATCH_MS;
	look_memory(rs);
	if (sg_tracer_read(rs->proc_fd, rs->daemon, &t) < 0)
		return; /* the daemon is gone: our socket says so */
	/* logged once per tracer, and once per stop; a daemon stopped again
	 * before this look is woken again (answered without a second entry) */
	if (t.tracer && t.tracer != rs->seen_tracer)
		report(rs, &t);
	else if (!t.tracer && t.stopped && !rs->seen_stopped)
		report(rs, &t);
	else if (!t.tracer && t.stopped)
		(void)answer(rs, &t, result, sizeof(result));
	rs->seen_tracer = t.tracer;
	rs->seen_stopped = t.stopped && !t.tracer;
}

int responder_watch_timeout(const struct responder *rs, uint64_t now_ms)
{
	return now_ms >= rs->next_watch_ms ?
		       0 :
		       (int)(rs->next_watch_ms - now_ms);
}
