/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * listen.c - the listener guard's scan: what is new since the last scan,
 * what remembered listeners became of, set-up and tear-down. Judging and
 * acting on new listeners is in listen_act.c. See listen.h.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/timerfd.h>
#include <time.h>

#include "clock.h"
#include "daemon.h"
#include "listen/listen.h"
#include "listen/listen_int.h"
#include "messages.h"
#include "log/sglog.h"

static int init_pins(struct sg_listen *l, const struct sg_baseline *b,
		     struct errlist *warns)
{
	const struct sg_listen_policy *lp = &l->policy->listen;

	l->pins = calloc(lp->nrules ? lp->nrules : 1, sizeof(*l->pins));
	if (!l->pins)
		return -ENOMEM;
	for (size_t i = 0; i < lp->nrules; i++) {
		int r;

		if (!lp->rules[i].exe)
			continue;
		r = sg_pin_init(&l->pins[i], lp->rules[i].exe, b, warns);
		if (r < 0)
			return r;
	}
	return 0;
}

int sg_listen_start(const struct sg_daemon *d, struct sg_listen **ret,
		    struct errlist *warns, struct errlist *errs)
{
	const struct sg_policy *p = d->policy;
	struct sg_listen *l = calloc(1, sizeof(*l));
	int r;

	if (!l)
		return -ENOMEM;
	*l = (struct sg_listen){ .policy = p, .proc_fd = -1, .timer_fd = -1,
				 .diag = { .fd = -1 }, .respond = d->respond };
	*ret = l;
	if (!p->listen.enabled)
		return 0;
	sg_ratelimit_init(&l->rl, p->ratelimit_interval_s, p->ratelimit_burst);
	l->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->proc_fd < 0) {
		r = -errno;
		(void)errlist_add(errs, "listener guard: /proc: %s",
				  strerror(-r));
		return r;
	}
	r = sg_sockdiag_open(&l->diag);
	if (r < 0) {
		(void)errlist_add(errs,
				  "listener guard: cannot open a "
				  "NETLINK_SOCK_DIAG socket: %s",
				  strerror(-r));
		return r;
	}
	l->timer_fd = timerfd_create(CLOCK_MONOTONIC,
				     TFD_CLOEXEC | TFD_NONBLOCK);
	if (l->timer_fd < 0)
		return -errno;
	r = init_pins(l, d->baseline, warns);
	if (r < 0)
		return r;
	l->enabled = true;
	return 0;
}

static int arm_timer(struct sg_listen *l)
{
	unsigned ms = l->policy->listen.scan_interval_ms;
	struct itimerspec its = {
		.it_interval = { (time_t)(ms / 1000),
				 (long)(ms % 1000) * 1000000 },
	};

	its.it_value = its.it_interval;
	return timerfd_settime(l->timer_fd, 0, &its, NULL) < 0 ? -errno : 0;
}

static void log_started(const struct sg_listen *l,
			const struct sg_listen_counters *before)
{
	struct sg_log_entry *e = sg_log_entry_new(LOG_NOTICE,
						  SG_MSGID_LISTEN_STARTED);
	uint64_t allowed = l->c.allowed - before->allowed;

	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE",
			 "listener guard on: %zu listener(s) at seal time, "
			 "%" PRIu64 " allowed, %" PRIu64
			 " not; scanning every %u ms",
			 l->cur.n, allowed, (uint64_t)l->cur.n - allowed,
			 l->policy->listen.scan_interval_ms);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "listen-start");
	(void)sg_log_add(e, "SEALGUARD_LISTENERS", "%zu", l->cur.n);
	(void)sg_log_add(e, "SEALGUARD_ALLOWED", "%" PRIu64, allowed);
	(void)sg_log_add(e, "SEALGUARD_SCAN_INTERVAL_MS", "%u",
			 l->policy->listen.scan_interval_ms);
	(void)sg_log_add(e, "SEALGUARD_MODE", "%s",
			 sg_mode_name(l->policy->mode));
	sg_log_submit(e);
}

int sg_listen_first_scan(struct sg_listen *l)
{
	struct sg_listen_counters before;
	int r, t;

	if (!l->enabled)
		return 0;
	before = l->c;
	r = sg_listen_scan(l, sg_now_ms(), true);
	if (r == 0)
		log_started(l, &before);
	/* a failed scan is logged and retried by the timer */
	t = arm_timer(l);
	return t < 0 ? t : r;
}

void sg_listen_process(struct sg_listen *l)
{
	uint64_t ticks;

	if (read(l->timer_fd, &ticks, sizeof(ticks)) <= 0)
		return;
	(void)sg_listen_scan(l, sg_now_ms(), false);
}

/* ------------------------------------------------------------ known */

static void known_drop_at(struct sg_listen *l, size_t i)
{
	free(l->known[i].pending);
	l->known[i].pending = NULL;
}

/*
 * A remembered listener that is still there: keep it, or, once a failed
 * one's retry time has come, forget it so that it is judged again now.
 * A kill whose owners did not exit in time is reported as failed.
 */
static bool known_still_there(struct sg_listen *l, struct sg_listen_known *k,
			      uint64_t now)
{
	if (k->state == KNOWN_PENDING && now >= k->until_ms) {
		k->pending->outcome = SG_LOUT_FAILED;
		k->pending->why = "still listening after its owners were "
				  "killed";
		sg_listen_log_case(l, k->pending, false, now);
		free(k->pending);
		k->pending = NULL;
		k->state = KNOWN_FAILED;
		k->until_ms = now + SG_LISTEN_RETRY_MS;
		return true;
	}
	return !(k->state == KNOWN_FAILED && now >= k->until_ms);
}

/* A remembered listener that is gone: a pending kill succeeded. */
static void known_gone(struct sg_listen *l, struct sg_listen_known *k,
		       uint64_t now)
{
	if (k->state != KNOWN_PENDING)
		return;
	k->pending->outcome = SG_LOUT_KILLED;
	sg_listen_log_case(l, k->pending, false, now);
}

/*
 * Merge the sorted dump with the sorted remembered listeners: keep those
 * still there, settle those that are gone, and collect every listener not
 * remembered (or forgotten just now) as a new case.
 */
static int merge_known(struct sg_listen *l, uint64_t now,
		       struct sg_caselist *cases)
{
	const struct sg_sockvec *cur = &l->cur;
	size_t j = 0, w = 0;
	int r = 0;

	for (size_t i = 0; i < l->nknown; i++) {
		struct sg_listen_known *k = &l->known[i];

		for (; j < cur->n && cur->v[j].cookie < k->cookie && r == 0; j++)
			r = sg_caselist_add(cases, &cur->v[j]);
		if (j < cur->n && cur->v[j].cookie == k->cookie) {
			bool keep = known_still_there(l, k, now);

			if (!keep && r == 0)
				r = sg_caselist_add(cases, &cur->v[j]);
			j++;
			if (!keep) {
				known_drop_at(l, i);
				continue;
			}
		} else {
			known_gone(l, k, now);
			known_drop_at(l, i);
			continue;
		}
		l->known[w++] = *k;
	}
	l->nknown = w;
	for (; j < cur->n && r == 0; j++)
		r = sg_caselist_add(cases, &cur->v[j]);
	return r;
}

/* ------------------------------------------------------------ scan */

static void report_scan_error(struct sg_listen *l, int r, uint64_t now)
{
	l->c.scan_errors++;
	if (!sg_ratelimit_allow(&l->rl, "listen scan-error", now,
				sg_listen_report_suppressed, NULL)) {
		l->c.suppressed++;
		return;
	}
	sg_log(LOG_ERR, SG_MSGID_LISTEN_SCAN_ERROR,
	       "listener scan failed: %s (retried at the next scan)",
	       strerror(-r));
}

int sg_listen_scan(struct sg_listen *l, uint64_t now_ms, bool startup)
{
	struct sg_caselist cases = { 0 };
	size_t before;
	int r;

	if (!l->enabled)
		return 0;
	r = sg_sockdiag_dump(&l->diag, SG_SOCK_ALL, &l->cur);
	if (r < 0) {
		report_scan_error(l, r, now_ms);
		return r;
	}
	l->c.scans++;
	sg_sockvec_sort(&l->cur);
	r = merge_known(l, now_ms, &cases);
	before = l->nknown;
	if (r == 0 && cases.n)
		r = sg_listen_handle(l, &cases, now_ms, startup);
	if (l->nknown != before)
		sg_listen_known_sort(l);
	sg_caselist_free(&cases);
	if (r < 0)
		report_scan_error(l, r, now_ms);
	return r;
}

void sg_listen_tick(struct sg_listen *l, uint64_t now_ms)
{
	if (l->enabled)
		sg_ratelimit_sweep(&l->rl, now_ms,
				   sg_listen_report_suppressed, NULL);
}

int sg_listen_fd(const struct sg_listen *l)
{
	return l->timer_fd;
}

void sg_listen_counters(const struct sg_listen *l,
			struct sg_listen_counters *ret)
{
	*ret = l ? l->c : (struct sg_listen_counters){ 0 };
}

void sg_listen_status(const struct sg_listen *l, char *buf, size_t size)
{
	const struct sg_listen_counters *c = &l->c;

	buf[0] = '\0';
	if (l->enabled)
		snprintf(buf, size,
			 "; listeners: %" PRIu64 " destroyed, %" PRIu64
			 " killed, %" PRIu64 " would-deny, %" PRIu64
			 " failed, %" PRIu64 " scans",
			 c->destroyed, c->killed, c->would_deny, c->failed,
			 c->scans);
}

void sg_listen_free(struct sg_listen *l)
{
	const struct sg_listen_policy *lp;

	if (!l)
		return;
	lp = l->policy ? &l->policy->listen : NULL;
	for (size_t i = 0; i < l->nknown; i++)
		known_drop_at(l, i);
	free(l->known);
	for (size_t i = 0; l->pins && lp && i < lp->nrules; i++)
		sg_pin_free(&l->pins[i]);
	free(l->pins);
	sg_sockvec_free(&l->cur);
	sg_sockvec_free(&l->verify);
	sg_ownervec_free(&l->owners);
	sg_sockdiag_close(&l->diag);
	if (l->proc_fd >= 0)
		(void)close(l->proc_fd);
	if (l->timer_fd >= 0)
		(void)close(l->timer_fd);
	sg_ratelimit_free(&l->rl);
	free(l);
}
