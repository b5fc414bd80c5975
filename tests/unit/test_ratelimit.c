/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_ratelimit.c - journal rate limiting (src/daemon/log/ratelimit.h): bursts,
 * window rollover, sweep, eviction, floods of distinct keys, saturation,
 * keys made by the caller with a label made only when a slot is taken.
 * The invariant checked everywhere: every suppressed entry is reported
 * exactly once, under the label it was counted for.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "log/ratelimit.h"
#include "util.h"

/* What the report callback saw. */
struct reports {
	size_t n;
	uint64_t total;
	char label[8][64];
	uint32_t count[8];
};

static void record(const char *label, uint32_t suppressed, void *userdata)
{
	struct reports *r = userdata;

	assert_non_null(label);
	assert_true(suppressed > 0); /* nothing suppressed: nothing to say */
	if (r->n < ARRAY_SIZE(r->label)) {
		snprintf(r->label[r->n], sizeof(r->label[r->n]), "%s", label);
		r->count[r->n] = suppressed;
	}
	r->n++;
	r->total += suppressed;
}

static struct sg_ratelimit *rl_new(unsigned interval_s, unsigned burst)
{
	struct sg_ratelimit *rl = malloc(sizeof(*rl));

	assert_non_null(rl);
	sg_ratelimit_init(rl, interval_s, burst);
	return rl;
}

static void rl_done(struct sg_ratelimit *rl)
{
	sg_ratelimit_free(rl);
	free(rl);
}

static struct sg_rl_slot *slot_of(struct sg_ratelimit *rl, const char *label)
{
	uint64_t key = sg_ratelimit_key(label);

	for (size_t i = 0; i < SG_RATELIMIT_SLOTS; i++)
		if (rl->slots[i].key == key)
			return &rl->slots[i];
	return NULL;
}

static size_t used_slots(const struct sg_ratelimit *rl)
{
	size_t n = 0;

	for (size_t i = 0; i < SG_RATELIMIT_SLOTS; i++)
		n += rl->slots[i].key != 0;
	return n;
}

static void test_key(void **state)
{
	(void)state;
	/* FNV-1a 64 reference values */
	assert_int_equal(sg_ratelimit_key("a"), 0xaf63dc4c8601ec8cULL);
	assert_int_equal(sg_ratelimit_key("foobar"), 0x85944171f73967e8ULL);
	/* the empty label hashes to the offset basis, never to 0 */
	assert_int_equal(sg_ratelimit_key(""), 0xcbf29ce484222325ULL);
	assert_int_not_equal(sg_ratelimit_key("deny write /usr/bin/ls"),
			     sg_ratelimit_key("deny write /usr/bin/lt"));
}

/* Counts the labels made for sg_ratelimit_allow_key. */
static char *make_label(void *userdata)
{
	int *made = userdata;

	(*made)++;
	return strdup("write deny write-intent /etc/passwd");
}

static void test_caller_key(void **state)
{
	struct sg_ratelimit *rl = rl_new(10, 2);
	struct reports rep = { 0 };
	const uint64_t inode[2] = { 0x801, 1234 };
	uint64_t key = sg_ratelimit_key_bytes(inode, sizeof(inode));
	int made = 0;
	(void)state;

	/* the bytes hash like the label of the same bytes */
	assert_int_equal(sg_ratelimit_key_bytes("foobar", 6),
			 sg_ratelimit_key("foobar"));
	assert_int_not_equal(key, 0);
	assert_true(sg_ratelimit_allow_key(rl, key, make_label, &made, 1000,
					   record, &rep));
	assert_true(sg_ratelimit_allow_key(rl, key, make_label, &made, 1001,
					   record, &rep));
	for (int i = 0; i < 5; i++)
		assert_false(sg_ratelimit_allow_key(rl, key, make_label, &made,
						    1002 + (uint64_t)i,
						    record, &rep));
	/* one label, made when the key took its slot; none for the rest */
	assert_int_equal(made, 1);
	sg_ratelimit_sweep(rl, 20000, record, &rep);
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.count[0], 5);
	assert_string_equal(rep.label[0], "write deny write-intent /etc/passwd");
	rl_done(rl);
}

static char *no_label(void *userdata)
{
	(void)userdata;
	return NULL;
}

/* A label that could not be made is reported as "?". */
static void test_caller_key_without_label(void **state)
{
	struct sg_ratelimit *rl = rl_new(10, 1);
	struct reports rep = { 0 };
	(void)state;

	assert_true(sg_ratelimit_allow_key(rl, 7, no_label, NULL, 1000, record,
					   &rep));
	assert_false(sg_ratelimit_allow_key(rl, 7, no_label, NULL, 1001,
					    record, &rep));
	sg_ratelimit_sweep(rl, 20000, record, &rep);
	assert_int_equal(rep.n, 1);
	assert_string_equal(rep.label[0], "?");
	rl_done(rl);
}

static void test_init(void **state)
{
	struct sg_ratelimit *rl = rl_new(10, 5);
	(void)state;

	assert_int_equal(rl->interval_ms, 10000);
	assert_int_equal(rl->burst, 5);
	assert_int_equal(used_slots(rl), 0);
	/* free on an empty table and twice is harmless */
	sg_ratelimit_free(rl);
	rl_done(rl);

	/* the largest documented interval does not overflow */
	rl = rl_new(3600, 10000);
	assert_int_equal(rl->interval_ms, 3600000);
	rl_done(rl);
}

static void test_burst_then_suppressed(void **state)
{
	struct sg_ratelimit *rl = rl_new(10, 5);
	struct reports rep = { 0 };
	(void)state;

	for (int i = 0; i < 5; i++)
		assert_true(sg_ratelimit_allow(rl, "deny write /usr/bin/ls",
					       1000 + (uint64_t)i, record,
					       &rep));
	for (int i = 0; i < 7; i++)
		assert_false(sg_ratelimit_allow(rl, "deny write /usr/bin/ls",
						2000 + (uint64_t)i, record,
						&rep));
	assert_int_equal(rep.n, 0);
	/* another key has its own budget */
	assert_true(sg_ratelimit_allow(rl, "deny exec /tmp/x", 2500, record,
				       &rep));
	assert_int_equal(rep.n, 0);
	rl_done(rl);
}

static void test_window_rollover(void **state)
{
	struct sg_ratelimit *rl = rl_new(10, 2);
	struct reports rep = { 0 };
	const char *l = "deny write /etc/passwd";
	(void)state;

	assert_true(sg_ratelimit_allow(rl, l, 5000, record, &rep));
	assert_true(sg_ratelimit_allow(rl, l, 5001, record, &rep));
	for (int i = 0; i < 3; i++)
		assert_false(sg_ratelimit_allow(rl, l, 6000, record, &rep));
	/* one millisecond before the end: still the same window */
	assert_false(sg_ratelimit_allow(rl, l, 14999, record, &rep));
	assert_int_equal(rep.n, 0);
	/* the window ends at start + interval: report 4, then allowed */
	assert_true(sg_ratelimit_allow(rl, l, 15000, record, &rep));
	assert_int_equal(rep.n, 1);
	assert_string_equal(rep.label[0], l);
	assert_int_equal(rep.count[0], 4);
	/* the new window has a full budget and nothing to report twice */
	assert_true(sg_ratelimit_allow(rl, l, 15001, record, &rep));
	assert_false(sg_ratelimit_allow(rl, l, 15002, record, &rep));
	assert_int_equal(rep.n, 1);
	assert_true(sg_ratelimit_allow(rl, l, 25000, record, &rep));
	assert_int_equal(rep.n, 2);
	assert_int_equal(rep.count[1], 1);
	/* a window that ended with nothing suppressed reports nothing */
	assert_true(sg_ratelimit_allow(rl, l, 40000, record, &rep));
	assert_int_equal(rep.n, 2);
	/* a NULL callback is allowed: the count is dropped, not crashed on */
	assert_true(sg_ratelimit_allow(rl, l, 40001, NULL, NULL));
	assert_false(sg_ratelimit_allow(rl, l, 40002, NULL, NULL));
	assert_true(sg_ratelimit_allow(rl, l, 60000, NULL, NULL));
	assert_int_equal(rep.n, 2);
	rl_done(rl);
}

static void test_sweep(void **state)
{
	struct sg_ratelimit *rl = rl_new(10, 1);
	struct reports rep = { 0 };
	(void)state;

	assert_true(sg_ratelimit_allow(rl, "a", 0, record, &rep));
	assert_false(sg_ratelimit_allow(rl, "a", 1, record, &rep));
	assert_false(sg_ratelimit_allow(rl, "a", 2, record, &rep));
	assert_true(sg_ratelimit_allow(rl, "b", 5000, record, &rep));
	assert_false(sg_ratelimit_allow(rl, "b", 5001, record, &rep));
	assert_true(sg_ratelimit_allow(rl, "c", 5000, record, &rep));
	assert_int_equal(used_slots(rl), 3);

	/* nothing has ended yet */
	sg_ratelimit_sweep(rl, 9999, record, &rep);
	assert_int_equal(rep.n, 0);
	assert_int_equal(used_slots(rl), 3);

	/* "a" ended: reported once and cleared; "b", "c" kept */
	sg_ratelimit_sweep(rl, 10000, record, &rep);
	assert_int_equal(rep.n, 1);
	assert_string_equal(rep.label[0], "a");
	assert_int_equal(rep.count[0], 2);
	assert_null(slot_of(rl, "a"));
	assert_non_null(slot_of(rl, "b"));
	assert_int_equal(used_slots(rl), 2);
	sg_ratelimit_sweep(rl, 10000, record, &rep);
	assert_int_equal(rep.n, 1);

	/* "a" again: a fresh window with a full budget */
	assert_true(sg_ratelimit_allow(rl, "a", 10001, record, &rep));
	assert_int_equal(rep.n, 1);

	/* "b" ended with 1 suppressed, "c" with none: one report */
	sg_ratelimit_sweep(rl, 15000, record, &rep);
	assert_int_equal(rep.n, 2);
	assert_string_equal(rep.label[1], "b");
	assert_int_equal(rep.count[1], 1);
	assert_null(slot_of(rl, "b"));
	assert_null(slot_of(rl, "c"));
	assert_non_null(slot_of(rl, "a"));

	/* after the sweep the suppressed counts are gone for good */
	sg_ratelimit_sweep(rl, UINT64_MAX / 2, record, &rep);
	assert_int_equal(rep.n, 2);
	assert_int_equal(used_slots(rl), 0);
	/* a sweep with no callback clears too */
	assert_true(sg_ratelimit_allow(rl, "d", 0, record, &rep));
	assert_false(sg_ratelimit_allow(rl, "d", 0, record, &rep));
	sg_ratelimit_sweep(rl, 20000, NULL, NULL);
	assert_int_equal(used_slots(rl), 0);
	rl_done(rl);
}

/* n labels whose keys start probing at the same slot. */
static void colliding_labels(char labels[][32], size_t n)
{
	size_t found = 0;
	uint64_t want = 0;

	for (unsigned i = 0; found < n; i++) {
		char l[32];
		uint64_t home;

		assert_true(i < 10000000);
		snprintf(l, sizeof(l), "deny exec /tmp/x%u", i);
		home = sg_ratelimit_key(l) % SG_RATELIMIT_SLOTS;
		if (found == 0)
			want = home;
		if (home != want)
			continue;
		memcpy(labels[found++], l, sizeof(l));
	}
}

/*
 * A ninth key in a full probe window evicts the slot with the oldest
 * window, wherever it sits in the window, and reports its count under
 * its own label.
 */
static void test_eviction_reports_oldest(void **state)
{
	enum { N = 9 };
	static const uint64_t start[N - 1] = { 300, 200, 100, 50,
					       400, 500, 600, 700 };
	char labels[N][32];
	struct sg_ratelimit *rl = rl_new(3600, 1);
	struct reports rep = { 0 };
	(void)state;

	colliding_labels(labels, N);
	for (size_t i = 0; i < N - 1; i++) {
		assert_true(sg_ratelimit_allow(rl, labels[i], start[i], record,
					       &rep));
		for (size_t k = 0; k <= i; k++) /* i + 1 suppressed */
			assert_false(sg_ratelimit_allow(rl, labels[i],
							start[i], record,
							&rep));
	}
	assert_int_equal(rep.n, 0);
	assert_int_equal(used_slots(rl), N - 1);

	/* labels[3] (start 50) is the oldest: evicted, 4 suppressed */
	assert_true(sg_ratelimit_allow(rl, labels[8], 1000, record, &rep));
	assert_int_equal(rep.n, 1);
	assert_string_equal(rep.label[0], labels[3]);
	assert_int_equal(rep.count[0], 4);
	assert_null(slot_of(rl, labels[3]));
	assert_non_null(slot_of(rl, labels[8]));
	assert_int_equal(used_slots(rl), N - 1);

	/* the evicted key comes back: it evicts labels[2] (start 100, 3) */
	assert_true(sg_ratelimit_allow(rl, labels[3], 1001, record, &rep));
	assert_int_equal(rep.n, 2);
	assert_string_equal(rep.label[1], labels[2]);
	assert_int_equal(rep.count[1], 3);

	/* every key still in the table is found again, not re-inserted */
	for (size_t i = 0; i < N; i++) {
		if (i == 2)
			continue;
		assert_false(sg_ratelimit_allow(rl, labels[i], 1002, record,
						&rep));
	}
	assert_int_equal(rep.n, 2);
	assert_int_equal(used_slots(rl), N - 1);
	rl_done(rl);
}

/*
 * A key whose probe window has a free slot before its own slot (freed by
 * a sweep) is still found in its own slot, not duplicated.
 */
static void test_hole_before_key(void **state)
{
	char labels[3][32];
	struct sg_ratelimit *rl = rl_new(10, 1);
	struct reports rep = { 0 };
	(void)state;

	colliding_labels(labels, 3);
	assert_true(sg_ratelimit_allow(rl, labels[0], 0, record, &rep));
	assert_true(sg_ratelimit_allow(rl, labels[1], 20000, record, &rep));
	assert_false(sg_ratelimit_allow(rl, labels[1], 20001, record, &rep));
	sg_ratelimit_sweep(rl, 20000, record, &rep); /* frees labels[0] */
	assert_null(slot_of(rl, labels[0]));
	assert_false(sg_ratelimit_allow(rl, labels[1], 20002, record, &rep));
	assert_int_equal(used_slots(rl), 1);
	sg_ratelimit_sweep(rl, 30001, record, &rep);
	assert_int_equal(rep.n, 1);
	assert_string_equal(rep.label[0], labels[1]);
	assert_int_equal(rep.count[0], 2);
	rl_done(rl);
}

/* ---- floods ---- */

struct tally {
	uint32_t *per_label; /* reported per label index */
	uint64_t total;
	size_t reports;
	size_t nlabels;
};

static void tally(const char *label, uint32_t suppressed, void *userdata)
{
	struct tally *t = userdata;
	unsigned idx;

	assert_true(suppressed > 0);
	assert_int_equal(sscanf(label, "deny write /f/%u", &idx), 1);
	assert_true(idx < t->nlabels);
	t->per_label[idx] += suppressed;
	t->total += suppressed;
	t->reports++;
}

/*
 * Far more distinct keys than slots, interleaved, at random times: the
 * table never grows past its slots, every key's first entry is allowed,
 * and after a final sweep every suppressed entry has been reported
 * exactly once under its own label. ASan checks the labels.
 */
static void test_flood_distinct_keys(void **state)
{
	enum { LABELS = 5000, CALLS = 200000 };
	struct sg_ratelimit *rl = rl_new(2, 3);
	uint32_t *suppressed = calloc(LABELS, sizeof(*suppressed));
	struct tally t = { .per_label = calloc(LABELS, sizeof(uint32_t)),
			   .nlabels = LABELS };
	uint64_t now = 1, total = 0, seed = 42;
	(void)state;

	assert_non_null(suppressed);
	assert_non_null(t.per_label);
	for (unsigned i = 0; i < CALLS; i++) {
		char label[48];
		unsigned idx;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		/* a few hot keys and a long tail */
		idx = (seed >> 33) % 8 == 0 ? (unsigned)(seed >> 40) % 4 :
					      (unsigned)(seed >> 40) % LABELS;
		now += (seed >> 20) % 3;
		snprintf(label, sizeof(label), "deny write /f/%u", idx);
		if (!sg_ratelimit_allow(rl, label, now, tally, &t)) {
			suppressed[idx]++;
			total++;
		}
		assert_true(used_slots(rl) <= SG_RATELIMIT_SLOTS);
	}
	assert_true(total > 0);
	sg_ratelimit_sweep(rl, now + 2000, tally, &t);
	assert_int_equal(used_slots(rl), 0);
	assert_int_equal(t.total, total);
	for (unsigned i = 0; i < LABELS; i++)
		if (t.per_label[i] != suppressed[i])
			fail_msg("label %u: %u suppressed, %u reported", i,
				 suppressed[i], t.per_label[i]);
	free(suppressed);
	free(t.per_label);
	rl_done(rl);
}

/* A new key is always written at least once, even in a full table. */
static void test_new_key_always_allowed(void **state)
{
	struct sg_ratelimit *rl = rl_new(3600, 1);
	struct tally t = { .per_label = calloc(100000, sizeof(uint32_t)),
			   .nlabels = 100000 };
	(void)state;

	assert_non_null(t.per_label);
	for (unsigned i = 0; i < 100000; i++) {
		char label[48];

		snprintf(label, sizeof(label), "deny write /f/%u", i);
		assert_true(sg_ratelimit_allow(rl, label, 7, tally, &t));
	}
	assert_int_equal(t.total, 0);
	assert_true(used_slots(rl) <= SG_RATELIMIT_SLOTS);
	free(t.per_label);
	rl_done(rl);
}

/* ---- saturation ---- */

static void test_counts_saturate(void **state)
{
	struct sg_ratelimit *rl = rl_new(10, 5);
	struct reports rep = { 0 };
	struct sg_rl_slot *s;
	(void)state;

	assert_true(sg_ratelimit_allow(rl, "hot", 0, record, &rep));
	s = slot_of(rl, "hot");
	assert_non_null(s);
	/* as if four billion entries had been seen in this window */
	s->count = UINT32_MAX - 1;
	s->suppressed = UINT32_MAX - 2;
	for (int i = 0; i < 5; i++)
		assert_false(sg_ratelimit_allow(rl, "hot", 1, record, &rep));
	assert_int_equal(s->count, UINT32_MAX);
	assert_int_equal(s->suppressed, UINT32_MAX);
	assert_int_equal(rep.n, 0);
	/* reported once, at the saturated value */
	assert_true(sg_ratelimit_allow(rl, "hot", 10000, record, &rep));
	assert_int_equal(rep.n, 1);
	assert_int_equal(rep.count[0], UINT32_MAX);
	assert_int_equal(s->count, 1);
	assert_int_equal(s->suppressed, 0);

	/* a burst as large as the counter: count saturates, still allowed */
	rl->burst = UINT32_MAX;
	s->count = UINT32_MAX - 1;
	assert_true(sg_ratelimit_allow(rl, "hot", 10001, record, &rep));
	assert_true(sg_ratelimit_allow(rl, "hot", 10002, record, &rep));
	assert_int_equal(s->count, UINT32_MAX);
	assert_int_equal(s->suppressed, 0);
	rl_done(rl);
}

/* A clock that goes backwards must not suppress forever or crash. */
static void test_clock_backwards(void **state)
{
	struct sg_ratelimit *rl = rl_new(10, 1);
	struct reports rep = { 0 };
	(void)state;

	assert_true(sg_ratelimit_allow(rl, "k", 50000, record, &rep));
	assert_false(sg_ratelimit_allow(rl, "k", 50001, record, &rep));
	/* earlier than the window start: whatever happens, no lost count */
	(void)sg_ratelimit_allow(rl, "k", 1000, record, &rep);
	sg_ratelimit_sweep(rl, UINT64_MAX / 2, record, &rep);
	assert_true(rep.total >= 1);
	rl_done(rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key),
		cmocka_unit_test(test_caller_key),
		cmocka_unit_test(test_caller_key_without_label),
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_burst_then_suppressed),
		cmocka_unit_test(test_window_rollover),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_eviction_reports_oldest),
		cmocka_unit_test(test_hole_before_key),
		cmocka_unit_test(test_flood_distinct_keys),
		cmocka_unit_test(test_new_key_always_allowed),
		cmocka_unit_test(test_counts_saturate),
		cmocka_unit_test(test_clock_backwards),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
