/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * respond.c - the daemon's side of [respond] (see respond.h): kill at
 * once, hand freezes and programs to the responder, log every outcome,
 * and ask for the host to be replaced when the policy says so.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "baseline.h"
#include "messages.h"
#include "log/ratelimit.h"
#include "respond/respond.h"
#include "respond/responder.h"
#include "log/sglog.h"

/* Reprovision retries: 5 s, doubled each time, at most every 5 min. */
#define RETRY_FIRST_S 5
#define RETRY_MAX_S 300
#define MAX_FIELDS 24

struct sg_respond {
	const struct sg_policy *p;
	int proc_fd;
	int sock;        /* the responder; -1: none, or it died */
	pid_t responder; /* 0: none */
	char own_cgroup[PATH_MAX]; /* never to be frozen, nor any above it */
	uint32_t next_id;
	struct sg_ratelimit rl;
	struct sg_respond_counters c;

	/* apoptosis: the host asks to be replaced, once per run */
	bool replace_asked, replace_done, replace_running;
	uint64_t retry_at_ms, sent_ms;
	unsigned retry_s, attempts;
	char *replace_env[MAX_FIELDS];
	size_t nreplace_env;
};

/* A request being built: header, then NUL-terminated strings. */
struct request {
	char buf[SG_RESP_MSG_MAX];
	size_t len;
};

static bool permissive(const struct sg_respond *r)
{
	return r->p->mode == SG_MODE_PERMISSIVE;
}

/* ------------------------------------------------------------- logging */

static void report_suppressed(const char *label, uint32_t n, void *userdata)
{
	sg_log(LOG_NOTICE, SG_MSGID_SUPPRESSED,
	       "suppressed %" PRIu32 " more identical entries: %s", n, label);
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

/* Kill and freeze outcomes known here (refusals, would, kill results). */
static void log_actor_response(struct sg_respond *r,
			       const struct sg_violation *v,
			       const char *action, const char *result,
			       int err, const char *why)
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

/* ------------------------------------------------------------ requests */

static void request_init(struct request *q, enum sg_resp_op op, uint32_t id,
			 enum sg_kind kind, pid_t pid)
{
	struct sg_resp_msg m = { .op = op, .id = id, .kind = kind,
				 .pid = pid };

	memcpy(q->buf, &m, sizeof(m));
	q->len = sizeof(m);
}

/* Append a string (cut to what fits: a request never fails to build). */
static void request_add(struct request *q, const char *s)
{
	size_t room = sizeof(q->buf) - q->len;
	size_t n = strnlen(s, room ? room - 1 : 0);

	if (!room)
		return;
	memcpy(q->buf + q->len, s, n);
	q->buf[q->len + n] = '\0';
	q->len += n + 1;
}

static void request_addf(struct request *q, const char *fmt, ...)
	_printf_(2, 3);

static void request_addf(struct request *q, const char *fmt, ...)
{
	char field[PATH_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(field, sizeof(field), fmt, ap);
	va_end(ap);
	request_add(q, field);
}

/* Hand a request over without waiting. 0, or -EAGAIN (the responder is
 * behind), -EPIPE (it is gone). */
static int request_send(struct sg_respond *r, const struct request *q)
{
	if (r->sock < 0)
		return -EPIPE;
	if (send(r->sock, q->buf, q->len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return 0;
}

/* ---------------------------------------------------------------- kill */

/*
 * Never ourselves, our responder, or init; and an actor only through the
 * pidfd that pinned it when its event was read: a bare pid may have been
 * reused since (even a blocked opener can be killed while it waits).
 */
static const char *kill_refusal(const struct sg_respond *r,
				const struct sg_violation *v)
{
	if (v->pid == 1)
		return "it is init";
	if (v->pid == getpid() || v->pid == r->responder)
		return "it is sealguardd itself";
	if (v->pid <= 0 || v->pidfd < 0)
		return "the process is gone";
	return NULL;
}

/* A response that cannot be given to this actor: counted, said why. */
static void refuse(struct sg_respond *r, const struct sg_violation *v,
		   const char *action, const char *why)
{
	r->c.failed++;
	log_actor_response(r, v, action, "refused", 0, why);
}

static void do_kill(struct sg_respond *r, const struct sg_violation *v)
{
	const char *why = kill_refusal(r, v);
	int err = 0;

	if (why) {
		refuse(r, v, "kill", why);
		return;
	}
	if (permissive(r)) {
		log_actor_response(r, v, "kill", "would", 0, NULL);
		return;
	}
	if (pidfd_send_signal(v->pidfd, SIGKILL, NULL, 0) < 0)
		err = errno;
	if (err)
		r->c.failed++;
	else
		r->c.kills++;
	log_actor_response(r, v, "kill", err ? "failed" : "done", err, NULL);
}

/* -------------------------------------------------------------- freeze */

/* "0::/path" of /proc/<pid>/cgroup into buf. 0 or a negative errno. */
static int read_cgroup(const struct sg_respond *r, pid_t pid, char *buf,
		       size_t size)
{
	char name[64], text[2 * PATH_MAX], *line;
	int found = 0;
	ssize_t n;

	snprintf(name, sizeof(name), "%d/cgroup", (int)pid);
	n = sg_proc_read(r->proc_fd, name, text, sizeof(text));
	if (n < 0)
		return (int)n;

	for (line = text; line && *line; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, "0::", 3) != 0)
			continue;
		if (found++) /* a newline in a cgroup's name: which is it? */
			return -EBADMSG;
		line += 3;
		snprintf(buf, size, "%.*s", (int)strcspn(line, "\n"), line);
	}
	return found ? 0 : -ENOENT; /* no cgroup v2 membership */
}

static void do_freeze(struct sg_respond *r, const struct sg_violation *v)
{
	const char *why = kill_refusal(r, v);
	char cgroup[PATH_MAX];
	struct request q;
	int err;

	if (why) {
		refuse(r, v, "freeze", why);
		return;
	}
	err = -read_cgroup(r, v->pid, cgroup, sizeof(cgroup));
	/* read through the pid: the pidfd proves it was still the actor */
	if (!err && pidfd_send_signal(v->pidfd, 0, NULL, 0) < 0)
		err = ESRCH;
	if (err) {
		r->c.failed++;
		log_actor_response(r, v, "freeze", "failed", 0,
				   err == EBADMSG ?
					   "its cgroup's name holds a newline" :
				   err == ESRCH ? "the process is gone" :
						  "cannot read its cgroup");
		return;
	}
	why = sg_cgroup_freeze_refusal(r->own_cgroup, cgroup);
	if (why) {
		refuse(r, v, "freeze", why);
		return;
	}
	if (permissive(r)) {
		log_actor_response(r, v, "freeze", "would", 0, NULL);
		return;
	}
	/*
	 * Stop it now: the freeze is the responder's, a moment later, and
	 * meanwhile a denied actor would run on past its failed call (and a
	 * listener's owner exit once its socket is destroyed). A blocked
	 * actor stops on its way back to user space, before one more
	 * instruction. Thawing it takes a SIGCONT too (docs/respond.md).
	 */
	(void)pidfd_send_signal(v->pidfd, SIGSTOP, NULL, 0);
	request_init(&q, SG_RESP_FREEZE, ++r->next_id, v->kind, v->pid);
	request_add(&q, cgroup);
	err = -request_send(r, &q);
	if (err) {
		r->c.dropped++;
		log_actor_response(r, v, "freeze", "dropped", err,
				   "the responder is not taking requests");
	}
	/* the responder's reply is logged when it comes */
}

/* ---------------------------------------------------------------- hook */

/* Hooks lead their own session, and are the responder's children. */
bool sg_respond_from_hook(const struct sg_respond *r, pid_t pid)
{
	pid_t ppid, sid, leader_ppid, leader_sid;

	if (!r || r->responder <= 0 || pid <= 0)
		return false;
	if (pid == r->responder)
		return true;
	if (sg_proc_stat(r->proc_fd, pid, &ppid, &sid) < 0 || sid <= 0)
		return false;
	if (ppid == r->responder)
		return true;
	return sg_proc_stat(r->proc_fd, sid, &leader_ppid, &leader_sid) == 0 &&
	       leader_ppid == r->responder;
}

/* The violation, as the hook's SEALGUARD_* variables. */
static void add_violation_fields(struct request *q,
				 const struct sg_violation *v)
{
	request_addf(q, "SEALGUARD_MESSAGE=%s", v->summary);
	if (v->path)
		request_addf(q, "SEALGUARD_PATH=%s", v->path);
	if (v->new_path)
		request_addf(q, "SEALGUARD_NEW_PATH=%s", v->new_path);
	if (v->detail)
		request_addf(q, "SEALGUARD_LOCAL=%s", v->detail);
	if (v->pid > 0)
		request_addf(q, "SEALGUARD_PID=%d", (int)v->pid);
	if (v->actor) {
		request_addf(q, "SEALGUARD_EXE=%s", v->actor->exe);
		request_addf(q, "SEALGUARD_COMM=%s", v->actor->comm);
		request_addf(q, "SEALGUARD_UID=%d", (int)v->actor->uid);
	}
}

static void log_hook_not_run(struct sg_respond *r, enum sg_kind kind,
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

static void run_hook(struct sg_respond *r, const struct sg_violation *v)
{
	const char *hook = r->p->respond.hook;
	unsigned acts = r->p->respond.actions[v->kind];
	struct request q;
	int err;

	if (permissive(r)) {
		log_hook_not_run(r, v->kind, hook, "would", NULL);
		return;
	}
	request_init(&q, SG_RESP_HOOK, ++r->next_id, v->kind, v->pid);
	request_addf(&q, "SEALGUARD_EVENT=%s", sg_kind_name(v->kind));
	request_addf(&q, "SEALGUARD_REQUEST=%" PRIu32, r->next_id);
	request_addf(&q, "SEALGUARD_MODE=%s", sg_mode_name(r->p->mode));
	request_addf(&q, "SEALGUARD_TIME_USEC=%" PRIu64, sg_realtime_us());
	request_addf(&q, "SEALGUARD_ACTIONS=%s%s%s",
		     acts & SG_RESPOND_KILL ? "kill, " : "",
		     acts & SG_RESPOND_FREEZE ? "freeze, " : "", "hook");
	add_violation_fields(&q, v);
	err = -request_send(r, &q);
	if (err) {
		r->c.dropped++;
		log_hook_not_run(r, v->kind, hook, "dropped",
				  err == EAGAIN ? "the responder is behind" :
						  "the responder is gone");
	}
}

/* ---------------------------------------------------------- apoptosis */

static void free_replace_env(struct sg_respond *r)
{
	for (size_t i = 0; i < r->nreplace_env; i++)
		free(r->replace_env[i]);
	r->nreplace_env = 0;
}

/* 5 s, then twice as long each time, at most RETRY_MAX_S. */
static void retry_replacement_later(struct sg_respond *r)
{
	r->retry_s = r->retry_s ? r->retry_s * 2 : RETRY_FIRST_S;
	if (r->retry_s > RETRY_MAX_S)
		r->retry_s = RETRY_MAX_S;
	r->retry_at_ms = sg_now_ms() + r->retry_s * 1000ull;
}

/* Never rate-limited: there are few, and they matter. */
static void log_replacement_unsent(struct sg_respond *r, const char *why,
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

static void send_replacement(struct sg_respond *r)
{
	struct request q;
	int err;

	request_init(&q, SG_RESP_REPROVISION, ++r->next_id, SG_KIND__COUNT, 0);
	for (size_t i = 0; i < r->nreplace_env; i++)
		request_add(&q, r->replace_env[i]);
	request_addf(&q, "SEALGUARD_REQUEST=%" PRIu32, r->next_id);
	request_addf(&q, "SEALGUARD_ATTEMPT=%u", ++r->attempts);
	err = -request_send(r, &q);
	if (!err) {
		r->replace_running = true;
		r->sent_ms = sg_now_ms();
		return;
	}
	r->c.dropped++;
	log_replacement_unsent(r, err == EAGAIN ? "the responder is behind" :
						  "the responder is gone",
			       err);
	retry_replacement_later(r);
}

static void keep_field(struct sg_respond *r, const char *fmt, ...)
	_printf_(2, 3);

static void keep_field(struct sg_respond *r, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (r->nreplace_env == MAX_FIELDS)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) >= 0)
		r->replace_env[r->nreplace_env++] = s;
	va_end(ap);
}

/*
 * The host asks to be replaced: said loudly in the journal (ALERT), once
 * per run, then the reprovision program is run until it succeeds.
 */
static void ask_replacement(struct sg_respond *r, const char *reason,
			    const char *why, const struct sg_violation *v)
{
	uint64_t uptime = sg_clock_s(CLOCK_BOOTTIME);
	struct sg_log_entry *e;

	if (r->replace_asked)
		return;
	r->replace_asked = true;
	e = sg_log_entry_new(permissive(r) ? LOG_NOTICE : LOG_ALERT,
			     SG_MSGID_REPROVISION);
	if (e) {
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
	if (permissive(r))
		return;
	keep_field(r, "SEALGUARD_EVENT=reprovision");
	keep_field(r, "SEALGUARD_REASON=%s", reason);
	keep_field(r, "SEALGUARD_MESSAGE=%s", why);
	keep_field(r, "SEALGUARD_UPTIME=%" PRIu64, uptime);
	keep_field(r, "SEALGUARD_MODE=%s", sg_mode_name(r->p->mode));
	keep_field(r, "SEALGUARD_TIME_USEC=%" PRIu64, sg_realtime_us());
	if (v) {
		keep_field(r, "SEALGUARD_TRIGGER_KIND=%s", sg_kind_name(v->kind));
		keep_field(r, "SEALGUARD_TRIGGER_MESSAGE=%s", v->summary);
		if (v->path)
			keep_field(r, "SEALGUARD_TRIGGER_PATH=%s", v->path);
		if (v->pid > 0)
			keep_field(r, "SEALGUARD_TRIGGER_PID=%d", (int)v->pid);
		if (v->actor)
			keep_field(r, "SEALGUARD_TRIGGER_EXE=%s", v->actor->exe);
	}
	send_replacement(r);
}

/* --------------------------------------------------------------- public */

bool sg_respond_wants_actor(const struct sg_respond *r, enum sg_kind kind)
{
	return r && (r->p->respond.actions[kind] &
		     (SG_RESPOND_KILL | SG_RESPOND_FREEZE));
}

bool sg_respond_wants_event(const struct sg_respond *r, enum sg_kind kind)
{
	return r && ((r->p->respond.actions[kind] & SG_RESPOND_HOOK) ||
		     (r->p->respond.reprovision_on & (1u << kind)));
}

void sg_respond_actor(struct sg_respond *r, const struct sg_violation *v)
{
	unsigned acts;

	if (!sg_respond_wants_actor(r, v->kind))
		return;
	acts = r->p->respond.actions[v->kind];
	if (v->from_hook) {
		r->c.skipped++;
		return; /* the violation itself is logged (and denied) */
	}
	/* a listener's owners are killed by the listener guard itself */
	if ((acts & SG_RESPOND_KILL) && v->kind != SG_KIND_LISTEN)
		do_kill(r, v);
	if (acts & SG_RESPOND_FREEZE)
		do_freeze(r, v);
}

void sg_respond_event(struct sg_respond *r, const struct sg_violation *v)
{
	char why[PATH_MAX + 64];

	if (!sg_respond_wants_event(r, v->kind))
		return;
	/* a hook's own violation would start another hook: a loop */
	if (v->from_hook) {
		r->c.skipped++;
		return;
	}
	if (r->p->respond.actions[v->kind] & SG_RESPOND_HOOK)
		run_hook(r, v);
	if (r->p->respond.reprovision_on & (1u << v->kind)) {
		snprintf(why, sizeof(why), "first %s violation: %s",
			 sg_kind_name(v->kind), v->summary);
		ask_replacement(r, "violation", why, v);
	}
}

/* ------------------------------------------------------------- replies */

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

static void count_reply(struct sg_respond *r, const struct sg_resp_msg *m)
{
	if (m->outcome == SG_RESP_DROPPED)
		r->c.dropped++;
	else if (m->outcome != SG_RESP_DONE)
		r->c.failed++;
	else if (m->op == SG_RESP_FREEZE)
		r->c.freezes++;
	else if (m->op == SG_RESP_HOOK)
		r->c.hooks++;
	/* a reprovision run's success is the status's "replacement requested" */
}

static const char *op_name(uint32_t op)
{
	return op == SG_RESP_FREEZE ? "freeze" :
	       op == SG_RESP_HOOK   ? "hook" :
				      "reprovision";
}

/* The reprovision program answered: done, or try again later. */
static void replacement_answered(struct sg_respond *r,
				 const struct sg_resp_msg *m)
{
	r->replace_running = false;
	if (m->outcome == SG_RESP_DONE) {
		r->replace_done = true;
		free_replace_env(r);
		return;
	}
	retry_replacement_later(r);
}

static void log_reply(struct sg_respond *r, const struct sg_resp_msg *m,
		      const char *subject, const char *detail)
{
	bool ok = m->outcome == SG_RESP_DONE;
	bool reprovision = m->op == SG_RESP_REPROVISION;
	const char *action = op_name(m->op);
	char what[PATH_MAX + 128], label[PATH_MAX + 96];
	struct sg_log_entry *e;

	describe_outcome(m, detail, what, sizeof(what));
	snprintf(label, sizeof(label), "response %s %s %s %s", action,
		 m->kind < SG_KIND__COUNT ? sg_kind_name(m->kind) : "-",
		 result_name(m->outcome), subject);
	if (reprovision) /* never held back: there are few, and they matter */
		e = sg_log_entry_new(ok ? LOG_ALERT : LOG_ERR,
				     SG_MSGID_REPROVISION);
	else
		e = response_entry(r, ok ? LOG_WARNING : LOG_ERR, label);
	if (!e)
		return;
	if (m->op == SG_RESP_FREEZE)
		(void)sg_log_add(e, "MESSAGE", "%s cgroup %s of pid %d (%s "
					       "violation)%s%s",
				 ok ? "froze" : "could not freeze", subject,
				 (int)m->pid, sg_kind_name(m->kind),
				 ok ? "" : ": ", ok ? "" : what);
	else if (reprovision)
		(void)sg_log_add(e, "MESSAGE", "reprovision program %s %s%s",
				 subject, what,
				 ok ? ": the replacement was requested" :
				      "; it will be run again");
	else
		(void)sg_log_add(e, "MESSAGE", "hook %s for a %s violation: %s "
					       "(%" PRIu32 " ms)",
				 subject, sg_kind_name(m->kind), what,
				 m->elapsed_ms);
	add_common(e, action, m->kind, result_name(m->outcome), m->pid);
	(void)sg_log_add(e, m->op == SG_RESP_FREEZE ? "SEALGUARD_CGROUP" :
						      "SEALGUARD_PROGRAM",
			 "%s", subject);
	(void)sg_log_add(e, "SEALGUARD_REQUEST", "%" PRIu32, m->id);
	(void)sg_log_add(e, "SEALGUARD_ELAPSED_MS", "%" PRIu32, m->elapsed_ms);
	if (m->outcome == SG_RESP_EXIT)
		(void)sg_log_add(e, "SEALGUARD_EXIT_STATUS", "%d", m->value);
	if (m->outcome == SG_RESP_SIGNAL)
		(void)sg_log_add(e, "SEALGUARD_SIGNAL", "%d", m->value);
	if (!ok)
		(void)sg_log_add(e, "SEALGUARD_ERROR", "%s", what);
	sg_log_submit(e);
}

static void responder_lost(struct sg_respond *r)
{
	sg_log(LOG_CRIT, SG_MSGID_RESPONDER_LOST,
	       "the responder (pid %d) is gone: freeze, hook and reprovision "
	       "responses are no longer possible until sealguardd restarts; "
	       "enforcement goes on", (int)r->responder);
	(void)close(r->sock);
	r->sock = -1;
}

void sg_respond_process(struct sg_respond *r)
{
	static char buf[SG_RESP_MSG_MAX];

	while (r && r->sock >= 0) {
		ssize_t n = recv(r->sock, buf, sizeof(buf), MSG_DONTWAIT);
		struct sg_resp_msg m;
		const char *subject, *detail;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			responder_lost(r);
			return;
		}
		if ((size_t)n < sizeof(m))
			continue;
		memcpy(&m, buf, sizeof(m));
		subject = sg_resp_string(buf, (size_t)n, 0);
		detail = sg_resp_string(buf, (size_t)n, 1);
		count_reply(r, &m);
		log_reply(r, &m, subject ? subject : "?", detail ? detail : "");
		if (m.op == SG_RESP_REPROVISION)
			replacement_answered(r, &m);
	}
}

void sg_respond_tick(struct sg_respond *r, uint64_t now_ms)
{
	const struct sg_respond_policy *rp;
	char why[96];

	if (!r)
		return;
	rp = &r->p->respond;
	sg_ratelimit_sweep(&r->rl, now_ms, report_suppressed, NULL);
	if (rp->lifetime_s && !r->replace_asked &&
	    sg_clock_s(CLOCK_BOOTTIME) >= rp->lifetime_s) {
		snprintf(why, sizeof(why), "its lifetime of %u s is over",
			 rp->lifetime_s);
		ask_replacement(r, "lifetime", why, NULL);
	}
	/* an answer that never comes (the responder died, or lost it): the
	 * program had its timeout and more */
	if (r->replace_running &&
	    now_ms - r->sent_ms > (rp->hook_timeout_s + 10) * 1000ull) {
		r->replace_running = false;
		r->c.failed++;
		log_replacement_unsent(r, "no answer from the responder",
				       ETIMEDOUT);
		retry_replacement_later(r);
	}
	if (r->replace_asked && !r->replace_done && !r->replace_running &&
	    r->nreplace_env && r->retry_at_ms && now_ms >= r->retry_at_ms)
		send_replacement(r);
}

int sg_respond_fd(const struct sg_respond *r)
{
	return r ? r->sock : -1;
}

void sg_respond_status(const struct sg_respond *r, char *buf, size_t size)
{
	buf[0] = '\0';
	if (!r)
		return;
	snprintf(buf, size,
		 "; responses: %" PRIu64 " killed, %" PRIu64 " frozen, %" PRIu64
		 " hooks run, %" PRIu64 " failed, %" PRIu64 " dropped%s",
		 r->c.kills, r->c.freezes, r->c.hooks, r->c.failed,
		 r->c.dropped,
		 r->replace_done	  ? "; replacement requested" :
		 r->replace_asked && !permissive(r) ? "; asking to be replaced" :
						  "");
}

/* ---------------------------------------------------------------- setup */

static bool uses(const struct sg_respond_policy *rp, unsigned action)
{
	for (unsigned k = 0; k < SG_KIND__COUNT; k++)
		if (rp->actions[k] & action)
			return true;
	return false;
}

static int start_responder(struct sg_respond *r, struct errlist *errs)
{
	const struct sg_respond_policy *rp = &r->p->respond;
	/* static: the forked responder keeps using it */
	static struct sg_responder_config cfg;
	uint32_t flags = 0;
	int fd;

	cfg = (struct sg_responder_config){ .hook = rp->hook,
					    .reprovision = rp->reprovision,
					    .timeout_s = rp->hook_timeout_s };
	fd = sg_responder_start(&cfg, &r->responder, &flags, errs);
	if (fd < 0)
		return fd;
	r->sock = fd;
	if (uses(rp, SG_RESPOND_FREEZE) && !(flags & SG_RESP_CAN_FREEZE)) {
		(void)errlist_add(errs, "[respond] freeze needs a cgroup v2 "
					"hierarchy, and none is mounted");
		return -EOPNOTSUPP;
	}
	return 0;
}

int sg_respond_init(struct sg_respond **ret, const struct sg_policy *p,
		    const struct sg_baseline *b, struct errlist *errs)
{
	const struct sg_respond_policy *rp = &p->respond;
	struct sg_respond *r;
	int err;

	*ret = NULL;
	if (!sg_policy_responds(p))
		return 0;
	err = sg_respond_check(p, b, errs);
	if (err)
		return err;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->p = p;
	r->sock = -1;
	sg_read_own_cgroup(r->own_cgroup, sizeof(r->own_cgroup));
	sg_ratelimit_init(&r->rl, p->ratelimit_interval_s, p->ratelimit_burst);
	r->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (r->proc_fd < 0) {
		err = -errno;
		(void)errlist_add(errs, "/proc: %s", strerror(-err));
	}
	if (!err && (rp->hook || rp->reprovision ||
		     uses(rp, SG_RESPOND_FREEZE)))
		err = start_responder(r, errs);
	if (err) {
		sg_respond_free(r);
		return err;
	}
	*ret = r;
	return 0;
}

void sg_respond_free(struct sg_respond *r)
{
	if (!r)
		return;
	/* closing the socket tells the responder to exit */
	if (r->sock >= 0)
		(void)close(r->sock);
	if (r->proc_fd >= 0)
		(void)close(r->proc_fd);
	free_replace_env(r);
	sg_ratelimit_free(&r->rl);
	free(r);
}
