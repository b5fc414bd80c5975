/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * respond_int.h - what the daemon's side of [respond] shares among its
 * files: respond.c (the interface, requests, replies, setup),
 * respond_act.c (kill, freeze, hook), respond_reprovision.c (apoptosis)
 * and respond_log.c (the journal entries). Not part of the interface
 * (respond.h), nor of the wire contract with the responder (responder.h).
 */
#ifndef SEALGUARD_RESPOND_INT_H
#define SEALGUARD_RESPOND_INT_H

#include <limits.h>

#include "log/ratelimit.h"
#include "respond/respond.h"
#include "respond/responder.h"
#include "util.h"

/* The reprovision program's environment: at most this many fields. */
#define MAX_FIELDS 24

struct sg_respond {
	const struct sg_policy *p;
	int proc_fd;
	int sock;        /* the responder; -1: none, or it died */
	pid_t responder; /* 0: none */
	int responder_pidfd; /* to reap it when it is gone; -1: none */
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

static inline bool permissive(const struct sg_respond *r)
{
	return r->p->mode == SG_MODE_PERMISSIVE;
}

/* respond.c: requests to the responder. */

/* Start a request: its header. */
void request_init(struct sg_resp_buf *q, enum sg_resp_op op, uint32_t id,
		  enum sg_kind kind, pid_t pid);
/* Append a formatted string (cut to what fits). */
void request_addf(struct sg_resp_buf *q, const char *fmt, ...)
	_printf_(2, 3);
/* Hand a request over without waiting. 0, or -EAGAIN (the responder is
 * behind), -EPIPE (it is gone). */
int request_send(struct sg_respond *r, const struct sg_resp_buf *q);
/* Why request_send failed with the errno err, in words. */
const char *request_error(int err);

/* respond_act.c: the actor part, and the hook. */
void respond_kill(struct sg_respond *r, const struct sg_violation *v);
void respond_freeze(struct sg_respond *r, const struct sg_violation *v);
void respond_hook(struct sg_respond *r, const struct sg_violation *v);

/* respond_reprovision.c: the host asks to be replaced. */
/* Once per run: log it, then run the reprovision program until it
 * succeeds. reason: "lifetime" or "violation" (v, the first one). */
void respond_ask_replacement(struct sg_respond *r, const char *reason,
			     const char *why, const struct sg_violation *v);
/* The reprovision program's reply m: done, or run it again later. */
void respond_replacement_answered(struct sg_respond *r,
				  const struct sg_resp_msg *m);
/* Once a second: the lifetime, a lost answer, the retries. */
void respond_reprovision_tick(struct sg_respond *r, uint64_t now_ms);
void respond_free_replace_env(struct sg_respond *r);

/* respond_log.c: the journal entries of responses. */
/* Report the entries the rate limit held back whose window is over. */
void respond_log_sweep(struct sg_respond *r, uint64_t now_ms);
/* Kill and freeze outcomes known here (refusals, would, kill results). */
void respond_log_actor(struct sg_respond *r, const struct sg_violation *v,
		       const char *action, const char *result, int err,
		       const char *why);
/* A hook that was not run: result "would" (permissive) or "dropped". */
void respond_log_hook_not_run(struct sg_respond *r, enum sg_kind kind,
			      const char *program, const char *result,
			      const char *why);
/* The host asks to be replaced (ALERT; NOTICE when permissive). */
void respond_log_replacement_asked(struct sg_respond *r, const char *reason,
				   const char *why,
				   const struct sg_violation *v,
				   uint64_t uptime);
/* The reprovision request could not be handed over. */
void respond_log_replacement_unsent(struct sg_respond *r, const char *why,
				    int err);
/* A reply of the responder: subject and detail are its strings. */
void respond_log_reply(struct sg_respond *r, const struct sg_resp_msg *m,
		       const char *subject, const char *detail);

#endif
