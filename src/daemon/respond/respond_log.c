/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * respond_log.c - the journal entries of [respond]: each response known
 * here (a refusal, a kill, a "would" in permissive mode), each reply of
 * the responder, and the host's request to be replaced. Response entries
 * share the rate limit of the daemon's other entries; reprovision
 * entries are never held back.
 */
#include <inttypes.h>
#include <signal.h>

#include "clock.h"
#include "messages.h"
#include "log/sglog.h"
#include "respond/respond_int.h"

static void report_suppressed(const char *label, uint32_t n, void *userdata)
{
	sg_log(LOG_NOTICE, SG_MSGID_SUPPRESSED,
	       "suppressed %" PRIu32 " more identical entries: %s", n, label);
}

void respond_log_sweep(struct sg_respond *r, uint64_t now_ms)
{
	sg_ratelimit_sweep(&r->rl, now_ms, report_suppressed, NULL);
}

/* One response entry: label is its rate-limit key. NULL if held back. */
static struct sg_log_entry *response_entry(struct sg_respond *r, int priority,
					   const char *label)
{
	if (!sg_ratelimit_allow(&r->rl, label, sg_now_ms(), report_suppressed,
				NULL))
		return NULL;
	return sg_log_entry_new(priority, SG_MSGID_RESPONSE);
}

static void add_common(struct sg_log_entry *e, const char *action,
		       enum sg_kind kind, const char *result, pid_t pid)
{
	(void)sg_log_add(e, "SEALGUARD_EVENT", "response");
	(void)sg_log_add(e, "SEALGUARD_RESPONSE", "%s", action);
	if (kind < SG_KIND__COUNT)
		(void)sg_log_add(e, "SEALGUARD_KIND", "%s", sg_kind_name(kind));
	(void)sg_log_add(e, "SEALGUARD_RESULT", "%s", result);
	if (pid > 0)
		(void)sg_log_add(e, "SEALGUARD_PID", "%d", (int)pid);
}

/* ---------------------------------------------------------- the daemon's */

void respond_log_actor(struct sg_respond *r, const struct sg_violation *v,
		       const char *action, const char *result, int err,
		       const char *why)
{
	const char *exe = v->actor ? v->actor->exe : "?";
	char label[PATH_MAX + 96];
	struct sg_log_entry *e;
	bool ok = streq(result, "done") || streq(result, "would");

	snprintf(label, sizeof(label), "response %s %s %s %s", action,
		 sg_kind_name(v->kind), result, exe);
	e = response_entry(r, ok ? LOG_WARNING : LOG_ERR, label);
	if (!e)
		return;
	if (streq(result, "would"))
		(void)sg_log_add(e, "MESSAGE", "would %s %s[%d] (permissive): %s",
				 action, exe, (int)v->pid, v->summary);
	else if (ok)
		(void)sg_log_add(e, "MESSAGE", "%s %s[%d]: %s",
				 streq(action, "kill") ? "killed" : "froze",
				 exe, (int)v->pid, v->summary);
	else
		(void)sg_log_add(e, "MESSAGE", "could not %s %s[%d]: %s (%s)",
				 action, exe, (int)v->pid,
				 why ? why : strerror(err), v->summary);
	add_common(e, action, v->kind, result, v->pid);
	(void)sg_log_add(e, "SEALGUARD_EXE", "%s", exe);
	if (v->path)
		(void)sg_log_add(e, "SEALGUARD_PATH", "%s", v->path);
	if (err)
		(void)sg_log_add(e, "SEALGUARD_ERROR", "%s", strerror(err));
	else if (why)
		(void)sg_log_add(e, "SEALGUARD_ERROR", "%s", why);
	sg_log_submit(e);
}

void respond_log_hook_not_run(struct sg_respond *r, enum sg_kind kind,
			      const char *program, const char *result,
			      const char *why)
{
	char label[PATH_MAX + 64];
	struct sg_log_entry *e;

	snprintf(label, sizeof(label), "response hook %s %s",
		 sg_kind_name(kind), result);
	e = response_entry(r, streq(result, "would") ? LOG_NOTICE : LOG_ERR,
			   label);
	if (!e)
		return;
	if (streq(result, "would"))
		(void)sg_log_add(e, "MESSAGE", "would run %s for a %s violation "
					       "(permissive)",
				 program, sg_kind_name(kind));
	else
		(void)sg_log_add(e, "MESSAGE", "did not run %s for a %s "
					       "violation: %s",
				 program, sg_kind_name(kind), why);
	add_common(e, "hook", kind, result, 0);
	(void)sg_log_add(e, "SEALGUARD_PROGRAM", "%s", program);
	sg_log_submit(e);
}

void respond_log_replacement_asked(struct sg_respond *r, const char *reason,
				   const char *why,
				   const struct sg_violation *v,
				   uint64_t uptime)
{
	struct sg_log_entry *e;

	e = sg_log_entry_new(permissive(r) ? LOG_NOTICE : LOG_ALERT,
			     SG_MSGID_REPROVISION);
	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE", "%s: %s",
			 permissive(r) ? "would ask for this host to be "
					 "replaced (permissive)" :
					 "this host asks to be replaced",
			 why);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "reprovision");
	(void)sg_log_add(e, "SEALGUARD_REASON", "%s", reason);
	(void)sg_log_add(e, "SEALGUARD_RESULT", "%s",
			 permissive(r) ? "would" : "asked");
	(void)sg_log_add(e, "SEALGUARD_UPTIME", "%" PRIu64, uptime);
	(void)sg_log_add(e, "SEALGUARD_PROGRAM", "%s",
			 r->p->respond.reprovision);
	if (v)
		(void)sg_log_add(e, "SEALGUARD_KIND", "%s",
				 sg_kind_name(v->kind));
	sg_log_submit(e);
}

/* Never rate-limited: there are few, and they matter. */
void respond_log_replacement_unsent(struct sg_respond *r, const char *why,
				    int err)
{
	struct sg_log_entry *e = sg_log_entry_new(LOG_ERR, SG_MSGID_REPROVISION);

	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE", "could not run the reprovision program "
				       "%s: %s; it will be run again",
			 r->p->respond.reprovision, why);
	add_common(e, "reprovision", SG_KIND__COUNT, "dropped", 0);
	(void)sg_log_add(e, "SEALGUARD_PROGRAM", "%s", r->p->respond.reprovision);
	(void)sg_log_add(e, "SEALGUARD_ERROR", "%s", strerror(err));
	sg_log_submit(e);
}

/* --------------------------------------------------------- the replies */

static const char *result_name(enum sg_resp_outcome o)
{
	static const char *const names[] = {
		[SG_RESP_DONE] = "done",       [SG_RESP_ERRNO] = "failed",
		[SG_RESP_EXIT] = "exit",       [SG_RESP_SIGNAL] = "signal",
		[SG_RESP_TIMEOUT] = "timeout", [SG_RESP_DROPPED] = "dropped",
		[SG_RESP_REFUSED] = "refused",
	};

	return o < ARRAY_SIZE(names) ? names[o] : "unknown";
}

/* "exited 3", "killed by SIGSEGV", "timed out after 30 s: killed". */
static void describe_outcome(const struct sg_resp_msg *m, const char *detail,
			     char *buf, size_t size)
{
	switch (m->outcome) {
	case SG_RESP_DONE:
		snprintf(buf, size, "%s", m->op == SG_RESP_FREEZE ? "frozen" :
								    "exited 0");
		break;
	case SG_RESP_EXIT:
		snprintf(buf, size, "exited %d", m->value);
		break;
	case SG_RESP_SIGNAL:
		snprintf(buf, size, "killed by signal %d (%s)", m->value,
			 sigabbrev_np(m->value) ? sigabbrev_np(m->value) : "?");
		break;
	case SG_RESP_TIMEOUT:
		snprintf(buf, size, "still running after %d s: killed",
			 m->value);
		break;
	case SG_RESP_ERRNO:
		snprintf(buf, size, "%s%s%s", *detail ? detail : "",
			 *detail ? ": " : "", strerror(m->value));
		break;
	default:
		snprintf(buf, size, "%s", *detail ? detail : result_name(m->outcome));
	}
}

static const char *op_name(uint32_t op)
{
	return op == SG_RESP_FREEZE ? "freeze" :
	       op == SG_RESP_HOOK   ? "hook" :
				      "reprovision";
}

/* The reply's MESSAGE; what: its outcome in words. */
static void add_reply_message(struct sg_log_entry *e,
			      const struct sg_resp_msg *m, const char *subject,
			      const char *what)
{
	bool ok = m->outcome == SG_RESP_DONE;

	if (m->op == SG_RESP_FREEZE)
		(void)sg_log_add(e, "MESSAGE", "%s cgroup %s of pid %d (%s "
					       "violation)%s%s",
				 ok ? "froze" : "could not freeze", subject,
				 (int)m->pid, sg_kind_name(m->kind),
				 ok ? "" : ": ", ok ? "" : what);
	else if (m->op == SG_RESP_REPROVISION)
		(void)sg_log_add(e, "MESSAGE", "reprovision program %s %s%s",
				 subject, what,
				 ok ? ": the replacement was requested" :
				      "; it will be run again");
	else
		(void)sg_log_add(e, "MESSAGE", "hook %s for a %s violation: %s "
					       "(%" PRIu32 " ms)",
				 subject, sg_kind_name(m->kind), what,
				 m->elapsed_ms);
}

/* A reprovision reply's entry is never held back: there are few, and
 * they matter. */
static struct sg_log_entry *reply_entry(struct sg_respond *r,
					const struct sg_resp_msg *m,
					const char *subject)
{
	bool ok = m->outcome == SG_RESP_DONE;
	char label[PATH_MAX + 96];

	if (m->op == SG_RESP_REPROVISION)
		return sg_log_entry_new(ok ? LOG_ALERT : LOG_ERR,
					SG_MSGID_REPROVISION);
	snprintf(label, sizeof(label), "response %s %s %s %s", op_name(m->op),
		 m->kind < SG_KIND__COUNT ? sg_kind_name(m->kind) : "-",
		 result_name(m->outcome), subject);
	return response_entry(r, ok ? LOG_WARNING : LOG_ERR, label);
}

void respond_log_reply(struct sg_respond *r, const struct sg_resp_msg *m,
		       const char *subject, const char *detail)
{
	struct sg_log_entry *e = reply_entry(r, m, subject);
	char what[PATH_MAX + 128];

	if (!e)
		return;
	describe_outcome(m, detail, what, sizeof(what));
	add_reply_message(e, m, subject, what);
	add_common(e, op_name(m->op), m->kind, result_name(m->outcome), m->pid);
	(void)sg_log_add(e, m->op == SG_RESP_FREEZE ? "SEALGUARD_CGROUP" :
						      "SEALGUARD_PROGRAM",
			 "%s", subject);
	(void)sg_log_add(e, "SEALGUARD_REQUEST", "%" PRIu32, m->id);
	(void)sg_log_add(e, "SEALGUARD_ELAPSED_MS", "%" PRIu32, m->elapsed_ms);
	if (m->outcome == SG_RESP_EXIT)
		(void)sg_log_add(e, "SEALGUARD_EXIT_STATUS", "%d", m->value);
	if (m->outcome == SG_RESP_SIGNAL)
		(void)sg_log_add(e, "SEALGUARD_SIGNAL", "%d", m->value);
	if (m->outcome != SG_RESP_DONE)
		(void)sg_log_add(e, "SEALGUARD_ERROR", "%s", what);
	sg_log_submit(e);
}
