/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * respond_act.c - what is done about one violation: kill the actor at
 * once, stop it and have the responder freeze its cgroup, have the
 * responder run the hook; and telling a hook's own violations apart.
 */
#include <inttypes.h>
#include <signal.h>
#include <sys/pidfd.h>

#include "clock.h"
#include "respond/respond_int.h"

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
	respond_log_actor(r, v, action, "refused", 0, why);
}

/* Refused (why is not NULL), or only logged as "would" (permissive):
 * true, and the action is not taken. */
static bool not_taken(struct sg_respond *r, const struct sg_violation *v,
		      const char *action, const char *why)
{
	if (why) {
		refuse(r, v, action, why);
		return true;
	}
	if (permissive(r)) {
		respond_log_actor(r, v, action, "would", 0, NULL);
		return true;
	}
	return false;
}

void respond_kill(struct sg_respond *r, const struct sg_violation *v)
{
	int err = 0;

	if (not_taken(r, v, "kill", kill_refusal(r, v)))
		return;
	if (pidfd_send_signal(v->pidfd, SIGKILL, NULL, 0) < 0)
		err = errno;
	if (err)
		r->c.failed++;
	else
		r->c.kills++;
	respond_log_actor(r, v, "kill", err ? "failed" : "done", err, NULL);
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

/* The actor's cgroup into buf, read while the pidfd proves it is still
 * the actor; or false, and the failure is counted and logged. */
static bool actor_cgroup(struct sg_respond *r, const struct sg_violation *v,
			 char *buf, size_t size)
{
	int err = -read_cgroup(r, v->pid, buf, size);

	/* read through the pid: the pidfd proves it was still the actor */
	if (!err && pidfd_send_signal(v->pidfd, 0, NULL, 0) < 0)
		err = ESRCH;
	if (!err)
		return true;
	r->c.failed++;
	respond_log_actor(r, v, "freeze", "failed", 0,
			  err == EBADMSG ? "its cgroup's name holds a newline" :
			  err == ESRCH   ? "the process is gone" :
					   "cannot read its cgroup");
	return false;
}

void respond_freeze(struct sg_respond *r, const struct sg_violation *v)
{
	const char *why = kill_refusal(r, v);
	char cgroup[PATH_MAX];
	struct sg_resp_buf q;
	int err;

	if (why) {
		refuse(r, v, "freeze", why);
		return;
	}
	if (!actor_cgroup(r, v, cgroup, sizeof(cgroup)))
		return;
	if (not_taken(r, v, "freeze",
		      sg_cgroup_freeze_refusal(r->own_cgroup, cgroup)))
		return;
	/*
	 * Stop it now: the freeze is the responder's, a moment later, and
	 * meanwhile a denied actor would run on past its failed call (and a
	 * listener's owner exit once its socket is destroyed). A blocked
	 * actor stops on its way back to user space, before one more
	 * instruction. Thawing it takes a SIGCONT too (docs/respond.md).
	 */
	(void)pidfd_send_signal(v->pidfd, SIGSTOP, NULL, 0);
	request_init(&q, SG_RESP_FREEZE, ++r->next_id, v->kind, v->pid);
	sg_resp_buf_add(&q, cgroup);
	err = -request_send(r, &q);
	if (err) {
		r->c.dropped++;
		respond_log_actor(r, v, "freeze", "dropped", err,
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
static void add_violation_fields(struct sg_resp_buf *q,
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

void respond_hook(struct sg_respond *r, const struct sg_violation *v)
{
	const char *hook = r->p->respond.hook;
	unsigned acts = r->p->respond.actions[v->kind];
	struct sg_resp_buf q;
	int err;

	if (permissive(r)) {
		respond_log_hook_not_run(r, v->kind, hook, "would", NULL);
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
		respond_log_hook_not_run(r, v->kind, hook, "dropped",
					 request_error(err));
	}
}
