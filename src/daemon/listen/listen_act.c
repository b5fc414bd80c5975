/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * listen_act.c - judge the new listeners of a scan, stop the violations,
 * verify, and log what really happened. See listen.h for the order.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "listen/listen_int.h"
#include "messages.h"
#include "respond/respond.h"
#include "log/sglog.h"

int sg_caselist_add(struct sg_caselist *cl, const struct sg_sock *s)
{
	struct sg_lcase *c;

	if (cl->n == cl->cap) {
		size_t cap = cl->cap ? cl->cap * 2 : 16;
		struct sg_lcase **v = reallocarray(cl->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		cl->v = v;
		cl->cap = cap;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->sock = *s;
	c->owner.uid = (uid_t)s->uid; /* until an owner process is found */
	strcpy(c->owner.exe, "?");
	strcpy(c->owner.comm, "?");
	cl->v[cl->n++] = c;
	return 0;
}

void sg_caselist_free(struct sg_caselist *cl)
{
	for (size_t i = 0; i < cl->n; i++)
		free(cl->v[i]);
	free(cl->v);
	*cl = (struct sg_caselist){ 0 };
}

/* Processes read between two looks at what can be destroyed already. */
#define WALK_STEP 8

/* ------------------------------------------------------------ judging */

static bool violates(const struct sg_lcase *c)
{
	return !c->needs_owner && c->reason != SG_LREASON_ALLOWED;
}

static void judge(struct sg_listen *l, struct sg_lcase *c)
{
	const struct sg_listen_rule *rule = NULL;

	switch (sg_listen_match(&l->policy->listen, &c->sock, &rule)) {
	case SG_LISTEN_ALLOWED:
		c->reason = SG_LREASON_ALLOWED;
		c->rule = rule;
		return;
	case SG_LISTEN_NEEDS_OWNER:
		c->needs_owner = true;
		return;
	case SG_LISTEN_NOT_ALLOWED:
	default:
		c->reason = SG_LREASON_NOT_ALLOWED;
		c->action = sg_listen_action_for(l->policy, &c->sock);
		return;
	}
}

/* Destroy a violating TCP listener at once: the owner lookup can wait. */
static void destroy_now(struct sg_listen *l, struct sg_lcase *c)
{
	if (!violates(c) || c->sock.proto != IPPROTO_TCP ||
	    c->action == SG_LISTEN_LOG || c->destroy_tried)
		return;
	c->destroy_tried = true;
	c->destroy_err = sg_sockdiag_destroy(&l->diag, &c->sock);
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Who pid is, for the journal: read while it still runs. */
static void read_owner_pid(struct sg_listen *l, struct sg_lcase *c, pid_t pid)
{
	c->owner_read = true;
	/* now, while it lives: a killed hook could not be told later */
	c->owner_is_hook = sg_respond_from_hook(l->respond, pid);
	if (pid > 0 && sg_procinfo_read(l->proc_fd, pid, &c->owner) == 0)
		return;
	c->owner.pid = 0; /* none found: keep the socket's own uid */
	c->owner.uid = (uid_t)c->sock.uid;
	strcpy(c->owner.exe, "?");
	strcpy(c->owner.comm, "?");
}

/* The respond.h view of a violating listener; summary is filled in. */
static struct sg_violation listen_violation(const struct sg_lcase *c,
					    char *summary, size_t size,
					    char *local, size_t lsize)
{
	sg_sock_local(&c->sock, local, lsize);
	snprintf(summary, size, "%s listener %s (%s) of %s[%d] uid %d",
		 c->sock.proto == IPPROTO_TCP ? "tcp" : "udp", local,
		 sg_listen_reason_name(c->reason), c->owner.exe,
		 (int)c->owner.pid, (int)c->owner.uid);
	return (struct sg_violation){
		.kind = SG_KIND_LISTEN,
		.summary = summary,
		.detail = local,
		.actor = c->owner.pid > 0 ? &c->owner : NULL,
		.pid = c->owner.pid,
		.pidfd = -1,
		.from_hook = c->owner_is_hook,
	};
}

/* Freeze the first owner's cgroup, pinned by a pidfd that proves it still
 * holds the socket (kill is the listener guard's own action): called as
 * soon as the owner is known, before the socket is destroyed, since the
 * owner may exit the moment its accept() fails. */
static void respond_to_owner(struct sg_listen *l, struct sg_lcase *c)
{
	char summary[PATH_MAX + 160], local[80];
	struct sg_violation v;

	if (c->responded || c->owner.pid <= 0 ||
	    !sg_respond_wants_actor(l->respond, SG_KIND_LISTEN))
		return;
	c->responded = true;
	v = listen_violation(c, summary, sizeof(summary), local,
			     sizeof(local));
	v.pidfd = sg_owner_pin(l->proc_fd, c->owner.pid, c->sock.inode);
	sg_respond_actor(l->respond, &v);
	if (v.pidfd >= 0)
		(void)close(v.pidfd);
}

/*
 * Destroy the violating TCP listeners whose owner is known by now (reading
 * who it is first: it may exit as soon as its accept() fails), or all of
 * them once the walk has used its time.
 */
static void destroy_found(struct sg_listen *l, struct sg_caselist *cl,
			  bool all)
{
	for (size_t i = 0; i < cl->n; i++) {
		struct sg_lcase *c = cl->v[i];
		pid_t pid;

		if (c->destroy_tried || !violates(c))
			continue;
		pid = sg_owners_first(&l->owners, c->sock.inode);
		if (pid && !c->owner_read)
			read_owner_pid(l, c, pid);
		if (pid)
			respond_to_owner(l, c);
		if (pid || all)
			destroy_now(l, c);
	}
}

/*
 * Walk /proc newest process first, a few at a time. A violating TCP
 * listener is destroyed as soon as one owner of it is found: the owner
 * may exit the moment its accept() fails, and then nobody could say who
 * it was. One that no owner claims within SG_LISTEN_ATTRIBUTE_MS is
 * destroyed anyway: a walk of a large /proc takes tens of milliseconds.
 */
static int walk_owners(struct sg_listen *l, struct sg_caselist *cl,
		       const uint32_t *inodes, size_t n)
{
	uint64_t deadline = sg_now_us() + SG_LISTEN_ATTRIBUTE_MS * 1000;
	_cleanup_free_ pid_t *pids = NULL;
	size_t npids;
	int r;

	l->owners.n = 0;
	r = sg_proc_pids(l->proc_fd, &pids, &npids);
	for (size_t i = 0; r == 0 && i < npids; i += WALK_STEP) {
		size_t step = npids - i < WALK_STEP ? npids - i : WALK_STEP;

		r = sg_owners_scan(l->proc_fd, pids + i, step, inodes, n,
				   &l->owners);
		destroy_found(l, cl, sg_now_us() >= deadline);
	}
	sg_owners_sort(&l->owners);
	return r;
}

/* One walk of /proc for every listener whose owners matter. */
static int find_owners(struct sg_listen *l, struct sg_caselist *cl,
		       bool startup)
{
	_cleanup_free_ uint32_t *inodes = calloc(cl->n, sizeof(*inodes));
	size_t n = 0;

	l->owners.n = 0; /* never last scan's */
	if (!inodes)
		return -ENOMEM;
	for (size_t i = 0; i < cl->n; i++)
		if (startup || cl->v[i]->needs_owner || violates(cl->v[i]))
			inodes[n++] = cl->v[i]->sock.inode;
	if (n == 0)
		return 0;
	if (n > 1)
		qsort(inodes, n, sizeof(*inodes), u32_cmp);
	return walk_owners(l, cl, inodes, n);
}

/* Does some rule pinning an executable accept owner pid of c? */
static enum sg_listen_reason owner_reason(struct sg_listen *l,
					  const struct sg_lcase *c, pid_t pid,
					  const struct sg_listen_rule **ret_rule)
{
	const struct sg_listen_policy *lp = &l->policy->listen;
	enum sg_listen_reason best = SG_LREASON_EXE_MISMATCH;
	char name[32], exe[PATH_MAX];
	struct stat st;
	bool have_st;
	ssize_t n;

	snprintf(name, sizeof(name), "%d/exe", (int)pid);
	n = readlinkat(l->proc_fd, name, exe, sizeof(exe) - 1);
	if (n <= 0)
		return SG_LREASON_OWNER_UNKNOWN; /* exited, or a kernel thread */
	exe[n] = '\0';
	/* a stat through the magic link opens nothing: no fanotify event */
	have_st = fstatat(l->proc_fd, name, &st, 0) == 0;
	for (size_t i = 0; i < lp->nrules; i++) {
		enum sg_listen_reason r;

		if (!lp->rules[i].exe ||
		    !sg_listen_rule_matches(&lp->rules[i], &c->sock))
			continue;
		r = sg_pin_check(&l->pins[i], exe, have_st ? &st : NULL);
		if (r == SG_LREASON_ALLOWED) {
			*ret_rule = &lp->rules[i];
			return r;
		}
		if (r != SG_LREASON_EXE_MISMATCH)
			best = r; /* the right path, but not the right file */
	}
	return best;
}

/* Only pinned rules match: every owner must be a pinned program. */
static void judge_owners(struct sg_listen *l, struct sg_lcase *c)
{
	size_t n;
	const struct sg_owner *o = sg_owners_of(&l->owners, c->sock.inode, &n);
	const struct sg_listen_rule *rule = NULL;

	c->needs_owner = false;
	c->reason = n ? SG_LREASON_ALLOWED : SG_LREASON_OWNER_UNKNOWN;
	for (size_t i = 0; i < n && c->reason == SG_LREASON_ALLOWED; i++)
		c->reason = owner_reason(l, c, o[i].pid, &rule);
	if (c->reason == SG_LREASON_ALLOWED)
		c->rule = rule;
	else
		c->action = sg_listen_action_for(l->policy, &c->sock);
}

static void read_owner(struct sg_listen *l, struct sg_lcase *c)
{
	const struct sg_owner *o = sg_owners_of(&l->owners, c->sock.inode,
						&c->nowners);

	if (!c->owner_read)
		read_owner_pid(l, c, o ? o->pid : 0);
}

static void kill_owners(struct sg_listen *l, struct sg_lcase *c)
{
	size_t n;
	const struct sg_owner *o = sg_owners_of(&l->owners, c->sock.inode, &n);

	for (size_t i = 0; i < n; i++) {
		int r = sg_owner_kill(l->proc_fd, o[i].pid, c->sock.inode);

		if (r == 0)
			c->nkilled++;
		else
			c->error = r;
	}
}

/* ------------------------------------------------------------ settling */

/* Dump again every kind of socket we destroyed: is it really gone? */
static int verify(struct sg_listen *l, const struct sg_caselist *cl)
{
	unsigned kinds = 0;
	int r;

	for (size_t i = 0; i < cl->n; i++)
		if (cl->v[i]->destroy_tried)
			kinds |= sg_sock_kind(&cl->v[i]->sock);
	l->verify.n = 0;
	if (!kinds)
		return 0;
	r = sg_sockdiag_dump(&l->diag, kinds, &l->verify);
	sg_sockvec_sort(&l->verify);
	return r;
}

static int fail(struct sg_listen *l, struct sg_lcase *c, int err,
		const char *why, uint64_t until, uint64_t now)
{
	c->outcome = SG_LOUT_FAILED;
	if (err)
		c->error = err;
	c->why = why;
	sg_listen_log_case(l, c, false, now);
	return sg_listen_remember(l, c->sock.cookie, KNOWN_FAILED, until, NULL);
}

static int settle_tcp(struct sg_listen *l, struct sg_lcase *c, int verify_err,
		      uint64_t now)
{
	bool still = verify_err ||
		     sg_sockvec_find(&l->verify, c->sock.cookie) != NULL;

	if (!still) {
		if (c->destroy_err == 0)
			c->outcome = c->action == SG_LISTEN_KILL && c->nkilled ?
					     SG_LOUT_KILLED :
					     SG_LOUT_DESTROYED;
		else
			c->outcome = SG_LOUT_GONE; /* closed by its owner */
		sg_listen_log_case(l, c, false, now);
		return 0; /* not remembered: listening again is new again */
	}
	if (verify_err)
		return fail(l, c, verify_err, NULL, now, now);
	if (c->destroy_err == 0) /* listen()ed again at once: next scan */
		return fail(l, c, 0, "listening again right after SOCK_DESTROY",
			    now, now);
	return fail(l, c, c->destroy_err, NULL, now + SG_LISTEN_RETRY_MS, now);
}

/* UDP: only the owners' exit closes it; it is checked at later scans. */
static int settle_udp(struct sg_listen *l, struct sg_caselist *cl, size_t i,
		      uint64_t now)
{
	struct sg_lcase *c = cl->v[i];
	int r;

	if (c->action != SG_LISTEN_KILL || !c->nkilled)
		return fail(l, c, c->error,
			    c->nowners ? NULL : "no owner process found",
			    now + SG_LISTEN_RETRY_MS, now);
	r = sg_listen_remember(l, c->sock.cookie, KNOWN_PENDING,
			       now + SG_LISTEN_PENDING_MS, c);
	if (r == 0)
		cl->v[i] = NULL; /* the pending entry owns it now */
	return r;
}

static int settle(struct sg_listen *l, struct sg_caselist *cl, size_t i,
		  int verify_err, uint64_t now, bool startup)
{
	struct sg_lcase *c = cl->v[i];

	if (c->reason == SG_LREASON_ALLOWED) {
		c->outcome = SG_LOUT_ALLOW;
		sg_listen_log_case(l, c, startup, now);
		return sg_listen_remember(l, c->sock.cookie, KNOWN_ALLOWED, 0,
					  NULL);
	}
	if (c->action == SG_LISTEN_LOG) {
		c->outcome = SG_LOUT_WOULD_DENY;
		sg_listen_log_case(l, c, startup, now);
		return sg_listen_remember(l, c->sock.cookie, KNOWN_WOULD_DENY,
					  0, NULL);
	}
	if (c->sock.proto == IPPROTO_TCP)
		return settle_tcp(l, c, verify_err, now);
	return settle_udp(l, cl, i, now);
}

int sg_listen_handle(struct sg_listen *l, struct sg_caselist *cl,
		     uint64_t now, bool startup)
{
	int r, verify_err;

	/* Whatever fails on the way, every case is settled and logged: a
	 * destroyed socket must never go unreported. */
	l->c.judged += cl->n;
	for (size_t i = 0; i < cl->n; i++)
		judge(l, cl->v[i]);
	r = find_owners(l, cl, startup); /* destroys what violates, too */
	for (size_t i = 0; i < cl->n; i++) {
		struct sg_lcase *c = cl->v[i];

		if (c->needs_owner)
			judge_owners(l, c);
		if (startup || violates(c))
			read_owner(l, c); /* before its accept() fails */
		if (violates(c)) /* unless the walk did, before destroying */
			respond_to_owner(l, c);
		destroy_now(l, c);
		if (violates(c) && c->action == SG_LISTEN_KILL)
			kill_owners(l, c);
	}
	verify_err = verify(l, cl);
	for (size_t i = 0; i < cl->n; i++) {
		int k = settle(l, cl, i, verify_err, now, startup);

		if (r == 0)
			r = k;
	}
	return r;
}

/* ------------------------------------------------------------ logging */

void sg_listen_report_suppressed(const char *label, uint32_t n,
				 void *userdata)
{
	sg_log(LOG_NOTICE, SG_MSGID_SUPPRESSED,
	       "suppressed %" PRIu32 " more identical entries: %s", n, label);
}

static void count(struct sg_listen *l, enum sg_listen_outcome o)
{
	uint64_t *counters[] = {
		[SG_LOUT_ALLOW] = &l->c.allowed,
		[SG_LOUT_DESTROYED] = &l->c.destroyed,
		[SG_LOUT_KILLED] = &l->c.killed,
		[SG_LOUT_WOULD_DENY] = &l->c.would_deny,
		[SG_LOUT_FAILED] = &l->c.failed,
		[SG_LOUT_GONE] = &l->c.gone,
	};

	if ((size_t)o < ARRAY_SIZE(counters))
		(*counters[o])++;
}

static const struct {
	const char *msgid;
	int priority;
	const char *verb; /* for MESSAGE */
} outcomes[] = {
	[SG_LOUT_ALLOW] = { SG_MSGID_LISTEN_ALLOWED, LOG_INFO, "allowed" },
	[SG_LOUT_DESTROYED] = { SG_MSGID_LISTEN_DESTROYED, LOG_WARNING,
				"destroyed" },
	[SG_LOUT_KILLED] = { SG_MSGID_LISTEN_KILLED, LOG_WARNING,
			     "killed the owner of" },
	[SG_LOUT_WOULD_DENY] = { SG_MSGID_LISTEN_WOULD_DENY, LOG_NOTICE,
				 "would stop" },
	[SG_LOUT_FAILED] = { SG_MSGID_LISTEN_FAILED, LOG_ERR,
			     "could not stop" },
	[SG_LOUT_GONE] = { SG_MSGID_LISTEN_GONE, LOG_NOTICE,
			   "saw closing before it was stopped" },
};

static const char *proto_name(const struct sg_sock *s)
{
	return s->proto == IPPROTO_TCP ? "tcp" : "udp";
}

static void add_fields(struct sg_log_entry *e, const struct sg_listen *l,
		       const struct sg_lcase *c, const char *local)
{
	(void)sg_log_add(e, "SEALGUARD_EVENT", "listen");
	(void)sg_log_add(e, "SEALGUARD_ACTION", "%s",
			 sg_listen_outcome_name(c->outcome));
	(void)sg_log_add(e, "SEALGUARD_REASON", "%s",
			 sg_listen_reason_name(c->reason));
	(void)sg_log_add(e, "SEALGUARD_PROTO", "%s", proto_name(&c->sock));
	(void)sg_log_add(e, "SEALGUARD_FAMILY", "%s",
			 c->sock.family == AF_INET6 ? "ipv6" : "ipv4");
	(void)sg_log_add(e, "SEALGUARD_LOCAL", "%s", local);
	(void)sg_log_add(e, "SEALGUARD_PID", "%d", (int)c->owner.pid);
	(void)sg_log_add(e, "SEALGUARD_EXE", "%s", c->owner.exe);
	(void)sg_log_add(e, "SEALGUARD_COMM", "%s", c->owner.comm);
	(void)sg_log_add(e, "SEALGUARD_UID", "%d", (int)c->owner.uid);
	(void)sg_log_add(e, "SEALGUARD_OWNERS", "%zu", c->nowners);
	(void)sg_log_add(e, "SEALGUARD_INODE", "%" PRIu32, c->sock.inode);
	(void)sg_log_add(e, "SEALGUARD_MODE", "%s",
			 sg_mode_name(l->policy->mode));
	if (c->rule)
		(void)sg_log_add(e, "SEALGUARD_RULE_LINE", "%u", c->rule->line);
	if (c->outcome == SG_LOUT_KILLED)
		(void)sg_log_add(e, "SEALGUARD_KILLED", "%zu", c->nkilled);
	if (c->outcome == SG_LOUT_FAILED)
		(void)sg_log_add(e, "SEALGUARD_ERROR", "%s",
				 c->why ? c->why : strerror(-c->error));
}

static void write_entry(const struct sg_listen *l, const struct sg_lcase *c)
{
	struct sg_log_entry *e;
	char local[80];

	e = sg_log_entry_new(outcomes[c->outcome].priority,
			     outcomes[c->outcome].msgid);
	if (!e)
		return;
	sg_sock_local(&c->sock, local, sizeof(local));
	(void)sg_log_add(e, "MESSAGE", "%s %s listener %s (%s) of %s[%d] uid %d",
			 outcomes[c->outcome].verb, proto_name(&c->sock), local,
			 sg_listen_reason_name(c->reason), c->owner.exe,
			 (int)c->owner.pid, (int)c->owner.uid);
	add_fields(e, l, c, local);
	sg_log_submit(e);
}

void sg_listen_log_case(struct sg_listen *l, const struct sg_lcase *c,
			bool startup, uint64_t now)
{
	char label[160], local[80];

	count(l, c->outcome);
	if (c->outcome == SG_LOUT_ALLOW && !startup)
		return; /* allowed listeners are listed once, at the seal */
	if (!startup) {
		snprintf(label, sizeof(label), "listen %s %s %s %s",
			 sg_listen_outcome_name(c->outcome),
			 sg_listen_reason_name(c->reason),
			 proto_name(&c->sock),
			 sg_sock_local(&c->sock, local, sizeof(local)));
		if (!sg_ratelimit_allow(&l->rl, label, now,
					sg_listen_report_suppressed, NULL)) {
			l->c.suppressed++;
			return;
		}
	}
	write_entry(l, c);
	if (c->outcome != SG_LOUT_ALLOW &&
	    sg_respond_wants_event(l->respond, SG_KIND_LISTEN)) {
		char summary[PATH_MAX + 160], lbuf[80];
		struct sg_violation v = listen_violation(
			c, summary, sizeof(summary), lbuf, sizeof(lbuf));

		sg_respond_event(l->respond, &v);
	}
}
