/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * respond.h - what the daemon does about a violation beyond logging it
 * ([respond] in the policy, docs/respond.md).
 *
 * Per kind of event (write, exec, listen, change): kill the acting
 * process, freeze its cgroup, run the operator's hook; and, once, run the
 * reprovision program when the host has lived its lifetime or on the
 * first violation of a chosen kind. Actors are reached only through a
 * pidfd that pinned them. Killing is done here, at once (the daemon keeps
 * CAP_KILL), and so is the SIGSTOP that holds an actor until its cgroup
 * is frozen; the freeze and the programs go to the responder
 * (responder.h), which the sealed daemon never waits on. A violation by
 * a hook (or a program it started) gets no response at all.
 * In permissive mode nothing is done: each response is logged as "would".
 */
#ifndef SEALGUARD_RESPOND_H
#define SEALGUARD_RESPOND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "errlist.h"
#include "policy.h"
#include "respond/violation.h"

struct sg_respond_counters {
	uint64_t kills, freezes, hooks, failed, dropped, skipped;
};

struct sg_respond;
struct sg_baseline;

/*
 * Set up what the policy's [respond] asks for; *ret is NULL when it asks
 * for nothing. Call before any thread exists and before the capabilities
 * are dropped: it forks the responder. 0, or a negative errno with the
 * reasons in errs (the daemon must not start: a response it promised
 * could not be given).
 */
int sg_respond_start(struct sg_respond **ret, const struct sg_policy *p,
		    const struct sg_baseline *b, struct errlist *errs);

/*
 * A violation is answered in two parts. The actor part (kill, freeze)
 * answers every violation, while the actor is still blocked on us or
 * pinned by a pidfd: callers read the actor only if it is wanted. The
 * event part (hook, reprovision on a first violation) answers each
 * violation the journal records: the rate limit that holds back repeated
 * entries holds back their hooks too. Neither ever blocks; both do
 * nothing for a NULL r.
 */
bool sg_respond_wants_actor(const struct sg_respond *r, enum sg_kind kind);

/*
 * Is pid one of our hooks, or started by one? Ask while the actor is
 * blocked or pinned (a hook that exited cannot be told from anyone), and
 * set the violation's from_hook: a violation by a hook gets no response,
 * or a hook that trips the guard would run itself forever.
 */
bool sg_respond_from_hook(const struct sg_respond *r, pid_t pid);
bool sg_respond_wants_event(const struct sg_respond *r, enum sg_kind kind);
void sg_respond_actor(struct sg_respond *r, const struct sg_violation *v);
void sg_respond_event(struct sg_respond *r, const struct sg_violation *v);

/* The responder's pid (0: none, reaped, or a NULL r): the daemon watches
 * it for a tracer or a stop (watch/tamper.h). */
pid_t sg_respond_responder(const struct sg_respond *r);

/*
 * A tracer on the daemon or its responder (why: one line): the host
 * cannot be trusted any more, so it asks to be replaced when [respond]
 * has a reprovision program, whatever reprovision_on says (logged as
 * "would" in permissive mode). The tracer itself is killed by the watch.
 */
void sg_respond_tamper(struct sg_respond *r, const char *why);

/* The responder's socket for poll (-1: none); readable: call process. */
int sg_respond_fd(const struct sg_respond *r);
void sg_respond_process(struct sg_respond *r);

/* Once a second: the lifetime, reprovision retries, rate-limit windows. */
void sg_respond_tick(struct sg_respond *r, uint64_t now_ms);

/* "; responses: ..." for STATUS= (empty for a NULL r). */
void sg_respond_status(const struct sg_respond *r, char *buf, size_t size);

/* The counters since start (zeros for a NULL r): the heartbeat's. */
void sg_respond_counters(const struct sg_respond *r,
			 struct sg_respond_counters *ret);

void sg_respond_free(struct sg_respond *r);

#endif
