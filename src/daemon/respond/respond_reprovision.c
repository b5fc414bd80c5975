/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * respond_reprovision.c - apoptosis: once the host has lived its
 * lifetime, or on the first violation of a kind reprovision_on names,
 * the host asks to be replaced, once per run; the reprovision program
 * is then run until it succeeds, retried later when it fails or never
 * answers.
 */
#include <inttypes.h>
#include <stdarg.h>

#include "clock.h"
#include "respond/respond_int.h"

/* Reprovision retries: 5 s, doubled each time, at most every 5 min. */
#define RETRY_FIRST_S 5
#define RETRY_MAX_S 300

void respond_free_replace_env(struct sg_respond *r)
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

static void send_replacement(struct sg_respond *r)
{
	struct sg_resp_buf q;
	int err;

	request_init(&q, SG_RESP_REPROVISION, ++r->next_id, SG_KIND__COUNT, 0);
	for (size_t i = 0; i < r->nreplace_env; i++)
		sg_resp_buf_add(&q, r->replace_env[i]);
	request_addf(&q, "SEALGUARD_REQUEST=%" PRIu32, r->next_id);
	request_addf(&q, "SEALGUARD_ATTEMPT=%u", ++r->attempts);
	err = -request_send(r, &q);
	if (!err) {
		r->replace_running = true;
		r->sent_ms = sg_now_ms();
		return;
	}
	r->c.dropped++;
	respond_log_replacement_unsent(r, request_error(err), err);
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

/* The first violation's fields, for the reprovision program. */
static void keep_trigger(struct sg_respond *r, const struct sg_violation *v)
{
	keep_field(r, "SEALGUARD_TRIGGER_KIND=%s", sg_kind_name(v->kind));
	keep_field(r, "SEALGUARD_TRIGGER_MESSAGE=%s", v->summary);
	if (v->path)
		keep_field(r, "SEALGUARD_TRIGGER_PATH=%s", v->path);
	if (v->pid > 0)
		keep_field(r, "SEALGUARD_TRIGGER_PID=%d", (int)v->pid);
	if (v->actor)
		keep_field(r, "SEALGUARD_TRIGGER_EXE=%s", v->actor->exe);
}

void respond_ask_replacement(struct sg_respond *r, const char *reason,
			     const char *why, const struct sg_violation *v)
{
	uint64_t uptime = sg_clock_s(CLOCK_BOOTTIME);

	if (r->replace_asked)
		return;
	r->replace_asked = true;
	respond_log_replacement_asked(r, reason, why, v, uptime);
	if (permissive(r))
		return;
	keep_field(r, "SEALGUARD_EVENT=reprovision");
	keep_field(r, "SEALGUARD_REASON=%s", reason);
	keep_field(r, "SEALGUARD_MESSAGE=%s", why);
	keep_field(r, "SEALGUARD_UPTIME=%" PRIu64, uptime);
	keep_field(r, "SEALGUARD_MODE=%s", sg_mode_name(r->p->mode));
	keep_field(r, "SEALGUARD_TIME_USEC=%" PRIu64, sg_realtime_us());
	if (v)
		keep_trigger(r, v);
	send_replacement(r);
}

void respond_replacement_answered(struct sg_respond *r,
				  const struct sg_resp_msg *m)
{
	r->replace_running = false;
	if (m->outcome == SG_RESP_DONE) {
		r->replace_done = true;
		respond_free_replace_env(r);
		return;
	}
	retry_replacement_later(r);
}

void respond_reprovision_tick(struct sg_respond *r, uint64_t now_ms)
{
	const struct sg_respond_policy *rp = &r->p->respond;
	char why[96];

	if (rp->lifetime_s && !r->replace_asked &&
	    sg_clock_s(CLOCK_BOOTTIME) >= rp->lifetime_s) {
		snprintf(why, sizeof(why), "its lifetime of %u s is over",
			 rp->lifetime_s);
		respond_ask_replacement(r, "lifetime", why, NULL);
	}
	/* an answer that never comes (the responder died, or lost it): the
	 * program had its timeout and more */
	if (r->replace_running &&
	    now_ms - r->sent_ms > (rp->hook_timeout_s + 10) * 1000ull) {
		r->replace_running = false;
		r->c.failed++;
		respond_log_replacement_unsent(r, "no answer from the responder",
					       ETIMEDOUT);
		retry_replacement_later(r);
	}
	if (r->replace_asked && !r->replace_done && !r->replace_running &&
	    r->nreplace_env && r->retry_at_ms && now_ms >= r->retry_at_ms)
		send_replacement(r);
}
