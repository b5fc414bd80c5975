/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * listen_match.c - which [listen] rule allows a socket. No system call:
 * unit-tested on its own. See listen.h.
 */
#include <netinet/in.h>
#include <sys/socket.h>

#include "listen/listen.h"
#include "util.h"

static bool addr_matches(const struct sg_listen_rule *r,
			 const struct sg_sock *s)
{
	switch (r->addr_kind) {
	case SG_LISTEN_ADDR_ANY:
		return true;
	case SG_LISTEN_ADDR_LOOPBACK:
		return sg_listen_addr_is_loopback(s->family, s->addr);
	case SG_LISTEN_ADDR_EXACT:
	default:
		/* the rule's one family was checked by the caller */
		return memcmp(r->addr, s->addr,
			      s->family == AF_INET ? 4 : 16) == 0;
	}
}

bool sg_listen_rule_matches(const struct sg_listen_rule *r,
			    const struct sg_sock *s)
{
	unsigned family = s->family == AF_INET	? SG_LISTEN_IPV4 :
			  s->family == AF_INET6 ? SG_LISTEN_IPV6 :
						  0;
	enum sg_listen_proto proto = s->proto == IPPROTO_TCP ? SG_LISTEN_TCP :
							       SG_LISTEN_UDP;

	if (s->proto != IPPROTO_TCP && s->proto != IPPROTO_UDP)
		return false;
	return r->proto == proto && (r->families & family) &&
	       r->port_min <= s->port && s->port <= r->port_max &&
	       addr_matches(r, s);
}

enum sg_listen_verdict sg_listen_match(const struct sg_listen_policy *lp,
				       const struct sg_sock *s,
				       const struct sg_listen_rule **ret_rule)
{
	enum sg_listen_verdict v = SG_LISTEN_NOT_ALLOWED;

	for (size_t i = 0; i < lp->nrules; i++) {
		const struct sg_listen_rule *r = &lp->rules[i];

		if (!sg_listen_rule_matches(r, s))
			continue;
		if (!r->exe) {
			if (ret_rule)
				*ret_rule = r;
			return SG_LISTEN_ALLOWED;
		}
		v = SG_LISTEN_NEEDS_OWNER;
	}
	return v;
}

enum sg_listen_action sg_listen_action_for(const struct sg_policy *p,
					   const struct sg_sock *s)
{
	if (p->mode == SG_MODE_PERMISSIVE)
		return SG_LISTEN_LOG;
	/* [respond] listen = kill: the owners die, whatever [listen] says */
	if (p->respond.actions[SG_KIND_LISTEN] & SG_RESPOND_KILL)
		return SG_LISTEN_KILL;
	return s->proto == IPPROTO_TCP ? p->listen.tcp_action :
					 p->listen.udp_action;
}

const char *sg_listen_outcome_name(enum sg_listen_outcome o)
{
	static const char *const names[] = {
		[SG_LOUT_ALLOW] = "allow",
		[SG_LOUT_DESTROYED] = "destroyed",
		[SG_LOUT_KILLED] = "killed",
		[SG_LOUT_WOULD_DENY] = "would-deny",
		[SG_LOUT_FAILED] = "failed",
		[SG_LOUT_GONE] = "gone",
	};
	return (size_t)o < ARRAY_SIZE(names) ? names[o] : "?";
}

const char *sg_listen_reason_name(enum sg_listen_reason r)
{
	static const char *const names[] = {
		[SG_LREASON_ALLOWED] = "allowed",
		[SG_LREASON_NOT_ALLOWED] = "not-allowed",
		[SG_LREASON_EXE_MISMATCH] = "exe-mismatch",
		[SG_LREASON_EXE_CHANGED] = "exe-changed",
		[SG_LREASON_EXE_UNVERIFIED] = "exe-unverified",
		[SG_LREASON_OWNER_UNKNOWN] = "owner-unknown",
	};
	return (size_t)r < ARRAY_SIZE(names) ? names[r] : "?";
}
