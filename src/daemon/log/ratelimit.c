/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ratelimit.c - per-key journal rate limiting. See ratelimit.h.
 */
#include "log/ratelimit.h"
#include "util.h"

/* How many neighbouring slots a key may use before one is evicted. */
#define PROBE 8

void sg_ratelimit_init(struct sg_ratelimit *rl, unsigned interval_s,
		       unsigned burst)
{
	memset(rl, 0, sizeof(*rl));
	rl->interval_ms = (uint64_t)interval_s * 1000;
	rl->burst = burst;
}

void sg_ratelimit_free(struct sg_ratelimit *rl)
{
	for (size_t i = 0; i < SG_RATELIMIT_SLOTS; i++) {
		free(rl->slots[i].label);
		rl->slots[i].label = NULL;
	}
}

uint64_t sg_ratelimit_key_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h ? h : 1; /* 0 marks a free slot */
}

uint64_t sg_ratelimit_key(const char *label)
{
	return sg_ratelimit_key_bytes(label, strlen(label));
}

static void flush_slot(struct sg_rl_slot *s, sg_rl_report_cb cb, void *ud)
{
	if (s->suppressed && cb)
		cb(s->label ? s->label : "?", s->suppressed, ud);
	s->count = 0;
	s->suppressed = 0;
}

static void clear_slot(struct sg_rl_slot *s)
{
	free(s->label);
	memset(s, 0, sizeof(*s));
}

/* The slot of key, a free one, or the oldest of the probe window. */
static struct sg_rl_slot *pick_slot(struct sg_ratelimit *rl, uint64_t key)
{
	struct sg_rl_slot *oldest = NULL, *free_slot = NULL;

	for (size_t i = 0; i < PROBE; i++) {
		struct sg_rl_slot *s =
			&rl->slots[(key + i) % SG_RATELIMIT_SLOTS];

		if (s->key == key)
			return s;
		if (!s->key && !free_slot)
			free_slot = s;
		if (!oldest || s->window_start_ms < oldest->window_start_ms)
			oldest = s;
	}
	return free_slot ? free_slot : oldest;
}

bool sg_ratelimit_allow_key(struct sg_ratelimit *rl, uint64_t key,
			    sg_rl_label_cb label_cb, void *label_userdata,
			    uint64_t now_ms, sg_rl_report_cb cb,
			    void *userdata)
{
	struct sg_rl_slot *s = pick_slot(rl, key);

	if (s->key != key) {
		if (s->key) {
			flush_slot(s, cb, userdata);
			clear_slot(s);
		}
		s->key = key;
		s->label = label_cb(label_userdata); /* NULL shows as "?" */
		s->window_start_ms = now_ms;
	} else if (now_ms - s->window_start_ms >= rl->interval_ms) {
		flush_slot(s, cb, userdata);
		s->window_start_ms = now_ms;
	}
	if (s->count < UINT32_MAX)
		s->count++;
	if (s->count <= rl->burst)
		return true;
	if (s->suppressed < UINT32_MAX)
		s->suppressed++;
	return false;
}

static char *copy_label(void *label)
{
	return strdup(label);
}

bool sg_ratelimit_allow(struct sg_ratelimit *rl, const char *label,
			uint64_t now_ms, sg_rl_report_cb cb, void *userdata)
{
	return sg_ratelimit_allow_key(rl, sg_ratelimit_key(label), copy_label,
				      (void *)label, now_ms, cb, userdata);
}

void sg_ratelimit_sweep(struct sg_ratelimit *rl, uint64_t now_ms,
			sg_rl_report_cb cb, void *userdata)
{
	for (size_t i = 0; i < SG_RATELIMIT_SLOTS; i++) {
		struct sg_rl_slot *s = &rl->slots[i];

		if (!s->key || now_ms - s->window_start_ms < rl->interval_ms)
			continue;
		flush_slot(s, cb, userdata);
		clear_slot(s);
	}
}
