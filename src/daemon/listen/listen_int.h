/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * listen_int.h - what listen.c (the scan) and listen_act.c (judging and
 * acting) share; not part of the listener guard's interface (listen.h).
 */
#ifndef SEALGUARD_LISTEN_INT_H
#define SEALGUARD_LISTEN_INT_H

#include "listen/listen.h"

struct sg_listen_known; /* a listener judged earlier, by cookie */

struct sg_respond;

struct sg_listen {
	const struct sg_policy *policy;
	bool enabled;
	int proc_fd;
	int timer_fd;
	struct sg_sockdiag diag;
	struct sg_pin *pins; /* one per rule (pins[i] for rules[i]) */
	struct sg_listen_known *known; /* sorted by cookie */
	size_t nknown, known_cap;
	struct sg_sockvec cur, verify;
	struct sg_ownervec owners;
	struct sg_ratelimit rl;
	struct sg_listen_counters c;
	struct sg_respond *respond; /* [respond]; NULL: log only */
};

enum sg_known_state {
	KNOWN_ALLOWED,    /* allowed: nothing more to do while it lives */
	KNOWN_WOULD_DENY, /* logged once as would-deny */
	KNOWN_PENDING,    /* its owners were killed; awaiting their exit */
	KNOWN_FAILED,     /* could not be stopped; judged again at until_ms */
};

/* One new listener as it is judged and acted on. */
struct sg_lcase {
	struct sg_sock sock;
	enum sg_listen_reason reason;
	const struct sg_listen_rule *rule; /* the allowing rule */
	enum sg_listen_action action;
	enum sg_listen_outcome outcome;
	bool needs_owner;   /* only pinned rules match it */
	bool destroy_tried; /* SOCK_DESTROY was sent; destroy_err says how */
	int destroy_err;
	int error;       /* why it failed (negative errno) */
	const char *why; /* ... or in words, when an errno would mislead */
	size_t nowners, nkilled;
	bool owner_read;          /* owner is filled in */
	bool responded;           /* [respond] answered its owner */
	bool owner_is_hook;       /* ... a [respond] hook: no response */
	struct sg_procinfo owner; /* the first owner (pid 0: none found) */
};

struct sg_listen_known {
	uint64_t cookie;
	enum sg_known_state state;
	uint64_t until_ms;       /* PENDING: deadline; FAILED: retry time */
	struct sg_lcase *pending; /* PENDING: what to log once it is settled */
};

struct sg_caselist {
	struct sg_lcase **v; /* an entry handed elsewhere is set to NULL */
	size_t n, cap;
};

int sg_caselist_add(struct sg_caselist *cl, const struct sg_sock *s);
void sg_caselist_free(struct sg_caselist *cl);

/* Judge, act on, log and remember every case of a scan. 0 or -errno. */
int sg_listen_handle(struct sg_listen *l, struct sg_caselist *cases,
		     uint64_t now_ms, bool startup);

/* listen_known.c: remember a judged listener (unsorted until the scan
 * ends, when sg_listen_known_sort puts them back in cookie order). */
int sg_listen_remember(struct sg_listen *l, uint64_t cookie,
		       enum sg_known_state state, uint64_t until_ms,
		       struct sg_lcase *pending);
void sg_listen_known_sort(struct sg_listen *l);

/* One journal entry for c, rate-limited unless startup. */
void sg_listen_log_case(struct sg_listen *l, const struct sg_lcase *c,
			bool startup, uint64_t now_ms);

void sg_listen_report_suppressed(const char *label, uint32_t n,
				 void *userdata);

#endif
