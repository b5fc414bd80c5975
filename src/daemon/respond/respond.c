/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * respond.c - the daemon's side of [respond] (see respond.h): the
 * interface, the responder's replies, and the setup. What is done about
 * a violation is respond_act.c; asking for the host to be replaced,
 * respond_reprovision.c; the requests they send, respond_request.c; the
 * journal, respond_log.c.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "baseline.h"
#include "clock.h"
#include "messages.h"
#include "log/heartbeat.h"
#include "log/sglog.h"
#include "respond/respond_int.h"

/* ----------------------------------------------------------- violations */

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
		respond_kill(r, v);
	if (acts & SG_RESPOND_FREEZE)
		respond_freeze(r, v);
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
		respond_hook(r, v);
	if (r->p->respond.reprovision_on & (1u << v->kind)) {
		snprintf(why, sizeof(why), "first %s violation: %s",
			 sg_kind_name(v->kind), v->summary);
		respond_ask_replacement(r, "violation", why, v);
	}
}

/* ------------------------------------------------------------- replies */

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

/*
 * Its socket closes as the responder exits, a moment before it can be
 * reaped: this long is waited for that moment, no longer (a responder
 * whose socket was closed under it and that runs on is not waited for).
 */
#define RESPONDER_REAP_MS 200

/* How the responder ended, reaped through its pidfd: si_code CLD_EXITED
 * or CLD_KILLED/CLD_DUMPED with si_status; false: not reaped. */
static bool reap_responder(const struct sg_respond *r, siginfo_t *si)
{
	struct pollfd pfd = { .fd = r->responder_pidfd, .events = POLLIN };

	memset(si, 0, sizeof(*si));
	if (r->responder_pidfd < 0 || poll(&pfd, 1, RESPONDER_REAP_MS) <= 0)
		return false;
	if (waitid((idtype_t)P_PIDFD, (id_t)r->responder_pidfd, si,
		   WEXITED | WNOHANG) < 0)
		return false;
	return si->si_pid != 0;
}

static void add_responder_end(struct sg_log_entry *e, bool reaped,
			      const siginfo_t *si, char *end, size_t size)
{
	if (!reaped) {
		snprintf(end, size, "it could not be reaped");
		(void)sg_log_add(e, "SEALGUARD_RESULT", "unknown");
	} else if (si->si_code == CLD_EXITED) {
		snprintf(end, size, "it exited with status %d", si->si_status);
		(void)sg_log_add(e, "SEALGUARD_RESULT", "exit");
		(void)sg_log_add(e, "SEALGUARD_EXIT_STATUS", "%d",
				 si->si_status);
	} else {
		snprintf(end, size, "it was killed by signal %d (SIG%s)",
			 si->si_status, sigabbrev_np(si->si_status) ?: "?");
		(void)sg_log_add(e, "SEALGUARD_RESULT", "signal");
		(void)sg_log_add(e, "SEALGUARD_SIGNAL", "%d", si->si_status);
	}
}

/*
 * Nobody but the daemon ends the responder (it exits when the daemon
 * closes its socket): a loss while the daemon runs is a kill, a crash or
 * an attack on the guard, and it silences every freeze, hook and
 * reprovision answer. So it is logged with how it ended and, like a
 * tracer, carried off the host by the heartbeat (SEALGUARD_TAMPER):
 * the one answer left, since a sealed daemon cannot start another.
 */
static void responder_lost(struct sg_respond *r)
{
	struct sg_log_entry *e = sg_log_entry_new(LOG_CRIT,
						  SG_MSGID_RESPONDER_LOST);
	char end[64], why[128];
	siginfo_t si;
	bool reaped = reap_responder(r, &si);

	if (e) {
		add_responder_end(e, reaped, &si, end, sizeof(end));
		(void)sg_log_add(e, "MESSAGE",
				 "the responder (pid %d) is gone, %s: freeze, "
				 "hook and reprovision responses are no longer "
				 "possible until sealguardd restarts; "
				 "enforcement goes on", (int)r->responder, end);
		(void)sg_log_add(e, "SEALGUARD_EVENT", "responder-lost");
		(void)sg_log_add(e, "SEALGUARD_PID", "%d", (int)r->responder);
	} else {
		snprintf(end, sizeof(end), "%s", reaped ? "reaped" : "not reaped");
	}
	sg_log_submit(e);
	snprintf(why, sizeof(why), "sealguardd's responder (pid %d) is gone: %s",
		 (int)r->responder, end);
	sg_heartbeat_set_tamper(why);
	(void)close(r->sock);
	r->sock = -1;
	/* reaped, its pid may be anyone's: not ours to watch or spare.
	 * Not reaped (its socket closed under it and it runs on, or it took
	 * longer than RESPONDER_REAP_MS to exit): it stays our child, its pid
	 * reserved, and is not looked at again. */
	if (reaped) {
		r->responder = 0;
		(void)close(r->responder_pidfd);
		r->responder_pidfd = -1;
	}
}

/* The responder found a tracer on us, or us stopped, and logged it;
 * value 1: it runs the reprovision program (we were stopped), which we
 * never ask again; 0: we ask, as for a tracer we found ourselves. */
static void tamper_reported(struct sg_respond *r, const struct sg_resp_msg *m,
			    const char *what)
{
	what = what ? what : "tamper (found by the responder)";
	sg_heartbeat_set_tamper(what);
	if (m->value == 0) {
		sg_respond_tamper(r, what);
	} else if (!r->replace_asked) {
		r->replace_asked = true;
		r->replace_running = true;
		r->sent_ms = sg_now_ms();
	}
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
		if (m.op == SG_RESP_TAMPER) {
			tamper_reported(r, &m, subject);
			continue;
		}
		count_reply(r, &m);
		respond_log_reply(r, &m, subject ? subject : "?",
				  detail ? detail : "");
		if (m.op == SG_RESP_REPROVISION)
			respond_replacement_answered(r, &m);
	}
}

/* -------------------------------------------------------------- upkeep */

void sg_respond_tick(struct sg_respond *r, uint64_t now_ms)
{
	if (!r)
		return;
	respond_log_sweep(r, now_ms);
	respond_reprovision_tick(r, now_ms);
}

pid_t sg_respond_responder(const struct sg_respond *r)
{
	return r ? r->responder : 0;
}

void sg_respond_tamper(struct sg_respond *r, const char *why)
{
	if (r && r->p->respond.reprovision)
		respond_ask_replacement(r, "tamper", why, NULL);
}

int sg_respond_fd(const struct sg_respond *r)
{
	return r ? r->sock : -1;
}

void sg_respond_counters(const struct sg_respond *r,
			 struct sg_respond_counters *ret)
{
	*ret = r ? r->c : (struct sg_respond_counters){ 0 };
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
					    .timeout_s = rp->hook_timeout_s,
					    .permissive = permissive(r) };
	fd = sg_responder_start(&cfg, &r->responder, &flags, errs);
	if (fd < 0)
		return fd;
	r->sock = fd;
	/* our own unreaped child: it cannot be another process */
	r->responder_pidfd = (int)pidfd_open(r->responder, 0);
	if (uses(rp, SG_RESPOND_FREEZE) && !(flags & SG_RESP_CAN_FREEZE)) {
		(void)errlist_add(errs, "[respond] freeze needs a cgroup v2 "
					"hierarchy, and none is mounted");
		return -EOPNOTSUPP;
	}
	return 0;
}

int sg_respond_start(struct sg_respond **ret, const struct sg_policy *p,
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
	r->responder_pidfd = -1;
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
	if (r->responder_pidfd >= 0)
		(void)close(r->responder_pidfd);
	if (r->proc_fd >= 0)
		(void)close(r->proc_fd);
	respond_free_replace_env(r);
	sg_ratelimit_free(&r->rl);
	free(r);
}
