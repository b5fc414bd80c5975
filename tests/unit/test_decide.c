/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_decide.c - the decision rules (src/daemon/fan/decide.h), exhaustively:
 * every (intent, protected, writer, log bits, mode) for opens, every trust
 * for execs, and the baseline comparison with match = path and content
 * against a small baseline loaded from text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "baseline.h"
#include "fan/decide.h"
#include "hash.h"
#include "policy.h"
#include "util.h"

static const enum sg_intent all_intents[] = {
	SG_INTENT_READ,
	SG_INTENT_EXEC,
	SG_INTENT_WRITE,
	SG_INTENT_UNKNOWN,
	(enum sg_intent)17, /* out of range: must be treated as unknown */
};

static const enum sg_mode all_modes[] = { SG_MODE_ENFORCE,
					  SG_MODE_PERMISSIVE };

static struct sg_policy policy_with(enum sg_mode mode, unsigned log_allowed)
{
	return (struct sg_policy){
		.mode = mode,
		.log_allowed = log_allowed,
		.ratelimit_interval_s = 10,
		.ratelimit_burst = 5,
	};
}

/* The rules as the header and design state them, written independently. */
static struct sg_decision expect_open(enum sg_intent intent, bool prot,
				      bool writer, unsigned log,
				      enum sg_mode mode)
{
	struct sg_decision d = { .event = SG_EVENT_WRITE };

	if (intent == SG_INTENT_READ || intent == SG_INTENT_EXEC) {
		/* the exec's own open is a read */
		d.action = SG_ACTION_ALLOW;
		d.reason = SG_REASON_READ_ONLY;
		d.log = false;
	} else if (!prot) {
		d.action = SG_ACTION_ALLOW;
		d.reason = SG_REASON_UNPROTECTED;
		d.log = (log & SG_LOG_ALLOW_WRITE) != 0;
	} else if (writer) {
		d.action = SG_ACTION_ALLOW;
		d.reason = SG_REASON_MAINTENANCE;
		d.log = (log & SG_LOG_ALLOW_MAINTENANCE) != 0;
	} else {
		d.action = mode == SG_MODE_PERMISSIVE ? SG_ACTION_WOULD_DENY :
							SG_ACTION_DENY;
		d.reason = intent == SG_INTENT_WRITE ? SG_REASON_WRITE_INTENT :
						       SG_REASON_INTENT_UNKNOWN;
		d.log = true; /* denials are always logged */
	}
	return d;
}

static void check_decision(struct sg_decision got, struct sg_decision want,
			   const char *what)
{
	if (got.event != want.event || got.action != want.action ||
	    got.reason != want.reason || got.log != want.log)
		fail_msg("%s: got %s %s %s log=%d, want %s %s %s log=%d", what,
			 sg_event_name(got.event), sg_action_name(got.action),
			 sg_reason_name(got.reason), got.log,
			 sg_event_name(want.event), sg_action_name(want.action),
			 sg_reason_name(want.reason), want.log);
}

/* One case of the open table, decoded from a running index. */
struct open_case {
	enum sg_intent intent;
	bool prot, writer;
	unsigned log;
	enum sg_mode mode;
};

#define OPEN_CASES                                                             \
	(ARRAY_SIZE(all_intents) * 2 * 2 * (SG_LOG_ALLOW_ALL + 1) *            \
	 ARRAY_SIZE(all_modes))

static struct open_case open_case(size_t i)
{
	struct open_case c;

	c.mode = all_modes[i % ARRAY_SIZE(all_modes)];
	i /= ARRAY_SIZE(all_modes);
	c.log = (unsigned)(i % (SG_LOG_ALLOW_ALL + 1));
	i /= SG_LOG_ALLOW_ALL + 1;
	c.writer = i % 2;
	i /= 2;
	c.prot = i % 2;
	i /= 2;
	c.intent = all_intents[i];
	return c;
}

/* 5 intents x protected x writer x 8 log masks x 2 modes = 320 cases. */
static void test_open_exhaustive(void **state)
{
	(void)state;
	assert_int_equal(OPEN_CASES, 320);
	for (size_t i = 0; i < OPEN_CASES; i++) {
		struct open_case c = open_case(i);
		struct sg_policy p = policy_with(c.mode, c.log);
		struct sg_decision d;
		char what[128];

		d = sg_decide_open(&p, c.intent, c.prot, c.writer);
		d = sg_decision_apply_mode(&p, d);
		snprintf(what, sizeof(what),
			 "intent %d protected %d writer %d log %u mode %d",
			 (int)c.intent, c.prot, c.writer, c.log, (int)c.mode);
		check_decision(d,
			       expect_open(c.intent, c.prot, c.writer, c.log,
					   c.mode),
			       what);
	}
}

/* The safety property on its own: a non-writer's write-ish open of a
 * protected file is never allowed in enforce mode, whatever is logged. */
static void test_open_protected_never_allowed(void **state)
{
	(void)state;
	for (unsigned log = 0; log <= SG_LOG_ALLOW_ALL; log++) {
		struct sg_policy p = policy_with(SG_MODE_ENFORCE, log);

		assert_int_equal(
			sg_decide_open(&p, SG_INTENT_WRITE, true, false).action,
			SG_ACTION_DENY);
		assert_int_equal(sg_decide_open(&p, SG_INTENT_UNKNOWN, true,
						false)
					 .action,
				 SG_ACTION_DENY);
		assert_int_equal(
			sg_decision_apply_mode(
				&p, sg_decide_open(&p, SG_INTENT_UNKNOWN, true,
						   false))
				.action,
			SG_ACTION_DENY);
	}
}

/* apply_mode touches only denials, only in permissive mode; idempotent. */
static void test_apply_mode(void **state)
{
	static const enum sg_action actions[] = {
		SG_ACTION_ALLOW, SG_ACTION_DENY, SG_ACTION_WOULD_DENY
	};
	const size_t n = ARRAY_SIZE(all_modes) * ARRAY_SIZE(actions) * 2 *
			 SG_REASON__COUNT * 2;
	(void)state;

	for (size_t i = 0; i < n; i++) {
		size_t k = i;
		enum sg_mode mode = all_modes[k % ARRAY_SIZE(all_modes)];
		struct sg_policy p = policy_with(mode, 0);
		struct sg_decision in, want, got;

		k /= ARRAY_SIZE(all_modes);
		in.action = actions[k % ARRAY_SIZE(actions)];
		k /= ARRAY_SIZE(actions);
		in.event = (enum sg_event_kind)(k % 2);
		k /= 2;
		in.reason = (enum sg_reason)(k % SG_REASON__COUNT);
		k /= SG_REASON__COUNT;
		in.log = k % 2;

		want = in;
		if (mode == SG_MODE_PERMISSIVE && in.action == SG_ACTION_DENY)
			want.action = SG_ACTION_WOULD_DENY;
		got = sg_decision_apply_mode(&p, in);
		check_decision(got, want, "apply_mode");
		check_decision(sg_decision_apply_mode(&p, got), want,
			       "apply_mode twice");
	}
}

/* ---- sg_decide_exec ---- */

static struct sg_decision expect_exec(enum sg_trust t, unsigned log,
				      enum sg_mode mode)
{
	struct sg_decision d = { .event = SG_EVENT_EXEC, .log = true };

	switch (t) {
	case SG_TRUST_OK:
		d.action = SG_ACTION_ALLOW;
		d.reason = SG_REASON_TRUSTED;
		d.log = (log & SG_LOG_ALLOW_EXEC) != 0;
		return d;
	case SG_TRUST_MISMATCH:
		d.reason = SG_REASON_HASH_MISMATCH;
		break;
	case SG_TRUST_UNKNOWN:
		d.reason = SG_REASON_NOT_IN_BASELINE;
		break;
	case SG_TRUST_CHANGED:
		d.reason = SG_REASON_CHANGED_WHILE_HASHED;
		break;
	default: /* NEED_HASH and anything else: never allowed */
		d.reason = SG_REASON_HASH_ERROR;
		break;
	}
	d.action = mode == SG_MODE_PERMISSIVE ? SG_ACTION_WOULD_DENY :
						SG_ACTION_DENY;
	return d;
}

static void test_exec_exhaustive(void **state)
{
	static const enum sg_trust trusts[] = {
		SG_TRUST_NEED_HASH, SG_TRUST_OK, SG_TRUST_UNKNOWN,
		SG_TRUST_MISMATCH, SG_TRUST_CHANGED, (enum sg_trust)42,
	};
	(void)state;

	for (size_t t = 0; t < ARRAY_SIZE(trusts); t++)
		for (unsigned log = 0; log <= SG_LOG_ALLOW_ALL; log++)
			for (size_t m = 0; m < ARRAY_SIZE(all_modes); m++) {
				struct sg_policy p =
					policy_with(all_modes[m], log);
				struct sg_decision d =
					sg_decide_exec(&p, trusts[t]);
				char what[96];

				snprintf(what, sizeof(what),
					 "trust %d log %u mode %d",
					 (int)trusts[t], log,
					 (int)all_modes[m]);
				d = sg_decision_apply_mode(&p, d);
				check_decision(d,
					       expect_exec(trusts[t], log,
							   all_modes[m]),
					       what);
			}
}

static void test_exec_need_hash_never_allows(void **state)
{
	(void)state;
	for (unsigned log = 0; log <= SG_LOG_ALLOW_ALL; log++) {
		struct sg_policy p = policy_with(SG_MODE_ENFORCE, log);
		struct sg_decision d = sg_decide_exec(&p, SG_TRUST_NEED_HASH);

		assert_int_equal(d.action, SG_ACTION_DENY);
		assert_int_equal(d.event, SG_EVENT_EXEC);
		assert_true(d.log);
	}
}

/* ---- trust against a baseline ---- */

/* Hashes as lower-case hex, in path order below. */
#define H_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define H_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define H_C "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define H_D "00000000000000000000000000000000000000000000000000000000000000ff"
#define H_X "1111111111111111111111111111111111111111111111111111111111111111"
#define H_Y "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static const char baseline_text[] =
	"sealguard-baseline 2\n"
	"root /opt/app\n"
	"root /usr\n"
	"exclude /usr/local/var\n"
	"f " H_D " 4096 0755 0 0 - /opt/app/bin/run\n"
	"f " H_A " 10 0755 0 0 - /usr/bin/a\n"
	"f " H_B " 2000000 0755 0 0 - /usr/bin/b\n"
	"f " H_A " 10 0755 0 0 - /usr/bin/copy-of-a\n"
	"f " H_C " 0 0644 0 0 - /usr/bin/with\\x20space\n";

static struct sg_baseline *load_baseline(const char *text)
{
	struct errlist errs = { 0 };
	struct sg_baseline *b = NULL;
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	r = sg_baseline_load_stream(f, "test-baseline", &b, &errs);
	if (r < 0) {
		errlist_print(&errs, stderr, "baseline");
		fail_msg("sg_baseline_load_stream: %d", r);
	}
	(void)fclose(f);
	errlist_free(&errs);
	return b;
}

static int setup_baseline(void **state)
{
	*state = load_baseline(baseline_text);
	return 0;
}

static int teardown_baseline(void **state)
{
	sg_baseline_free(*state);
	return 0;
}

static void hash_of(const char *hex, unsigned char out[SG_SHA256_LEN])
{
	assert_int_equal(sg_hex_decode(hex, SG_SHA256_LEN, out), 0);
}

static void test_baseline_loaded(void **state)
{
	const struct sg_baseline *b = *state;

	assert_int_equal(b->n, 5);
	assert_int_equal(b->nroots, 2);
	assert_non_null(sg_baseline_find(b, "/usr/bin/with space"));
	assert_null(sg_baseline_find(b, "/usr/bin/with\\x20space"));
}

struct precheck_case {
	enum sg_exec_match match;
	const char *path;
	uint64_t size;
	enum sg_trust want;
};

static void test_precheck(void **state)
{
	static const struct precheck_case cases[] = {
		/* path: absent path or other size decides at once */
		{ SG_EXEC_MATCH_PATH, "/usr/bin/a", 10, SG_TRUST_NEED_HASH },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/a", 11, SG_TRUST_MISMATCH },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/a", 0, SG_TRUST_MISMATCH },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/b", 2000000,
		  SG_TRUST_NEED_HASH },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/b", 10, SG_TRUST_MISMATCH },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/with space", 0,
		  SG_TRUST_NEED_HASH },
		{ SG_EXEC_MATCH_PATH, "/opt/app/bin/run", 4096,
		  SG_TRUST_NEED_HASH },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/c", 10, SG_TRUST_UNKNOWN },
		{ SG_EXEC_MATCH_PATH, "/tmp/a", 10, SG_TRUST_UNKNOWN },
		{ SG_EXEC_MATCH_PATH, "/usr/bin", 10, SG_TRUST_UNKNOWN },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/a/", 10, SG_TRUST_UNKNOWN },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/A", 10, SG_TRUST_UNKNOWN },
		{ SG_EXEC_MATCH_PATH, "", 10, SG_TRUST_UNKNOWN },
		{ SG_EXEC_MATCH_PATH, NULL, 10, SG_TRUST_UNKNOWN },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/a", UINT64_MAX,
		  SG_TRUST_MISMATCH },
		/* content: only the hash can tell, wherever the file is */
		{ SG_EXEC_MATCH_CONTENT, "/usr/bin/a", 10, SG_TRUST_NEED_HASH },
		{ SG_EXEC_MATCH_CONTENT, "/usr/bin/a", 11, SG_TRUST_NEED_HASH },
		{ SG_EXEC_MATCH_CONTENT, "/tmp/a", 10, SG_TRUST_NEED_HASH },
		{ SG_EXEC_MATCH_CONTENT, NULL, 10, SG_TRUST_NEED_HASH },
	};
	const struct sg_baseline *b = *state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		enum sg_trust t = sg_trust_precheck(b, cases[i].match,
						    cases[i].path,
						    cases[i].size);

		if (t != cases[i].want)
			fail_msg("precheck #%zu (%s, %s, %llu): got %d want %d",
				 i, cases[i].match ? "content" : "path",
				 cases[i].path ? cases[i].path : "NULL",
				 (unsigned long long)cases[i].size, (int)t,
				 (int)cases[i].want);
	}
}

struct judge_case {
	enum sg_exec_match match;
	const char *path;
	const char *hex;
	enum sg_trust want;
};

static void test_judge(void **state)
{
	static const struct judge_case cases[] = {
		/* path: same path and same hash */
		{ SG_EXEC_MATCH_PATH, "/usr/bin/a", H_A, SG_TRUST_OK },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/copy-of-a", H_A, SG_TRUST_OK },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/b", H_B, SG_TRUST_OK },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/with space", H_C,
		  SG_TRUST_OK },
		{ SG_EXEC_MATCH_PATH, "/opt/app/bin/run", H_D, SG_TRUST_OK },
		/* another baseline file's content at this path: mismatch */
		{ SG_EXEC_MATCH_PATH, "/usr/bin/a", H_B, SG_TRUST_MISMATCH },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/b", H_A, SG_TRUST_MISMATCH },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/a", H_X, SG_TRUST_MISMATCH },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/a", H_Y, SG_TRUST_MISMATCH },
		/* a trusted hash under a new name: not trusted by path */
		{ SG_EXEC_MATCH_PATH, "/tmp/a", H_A, SG_TRUST_UNKNOWN },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/new", H_B, SG_TRUST_UNKNOWN },
		{ SG_EXEC_MATCH_PATH, "/usr/bin/with\\x20space", H_C,
		  SG_TRUST_UNKNOWN },
		{ SG_EXEC_MATCH_PATH, NULL, H_A, SG_TRUST_UNKNOWN },
		/* content: any path, hash present */
		{ SG_EXEC_MATCH_CONTENT, "/usr/bin/a", H_A, SG_TRUST_OK },
		{ SG_EXEC_MATCH_CONTENT, "/tmp/a", H_A, SG_TRUST_OK },
		{ SG_EXEC_MATCH_CONTENT, "/tmp/x", H_B, SG_TRUST_OK },
		{ SG_EXEC_MATCH_CONTENT, "/tmp/x", H_C, SG_TRUST_OK },
		{ SG_EXEC_MATCH_CONTENT, "/tmp/x", H_D, SG_TRUST_OK },
		{ SG_EXEC_MATCH_CONTENT, NULL, H_D, SG_TRUST_OK },
		/* the documented consequence of content matching */
		{ SG_EXEC_MATCH_CONTENT, "/usr/bin/a", H_B, SG_TRUST_OK },
		{ SG_EXEC_MATCH_CONTENT, "/usr/bin/a", H_X, SG_TRUST_UNKNOWN },
		{ SG_EXEC_MATCH_CONTENT, "/tmp/x", H_Y, SG_TRUST_UNKNOWN },
		{ SG_EXEC_MATCH_CONTENT, NULL, H_X, SG_TRUST_UNKNOWN },
	};
	const struct sg_baseline *b = *state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		unsigned char sha[SG_SHA256_LEN];
		enum sg_trust t;

		hash_of(cases[i].hex, sha);
		t = sg_trust_judge(b, cases[i].match, cases[i].path, sha);
		if (t != cases[i].want)
			fail_msg("judge #%zu (%s, %s): got %d want %d", i,
				 cases[i].match ? "content" : "path",
				 cases[i].path ? cases[i].path : "NULL", (int)t,
				 (int)cases[i].want);
	}
}

/* A hash one bit away from a baseline hash is not in the baseline. */
static void test_judge_one_bit_off(void **state)
{
	static const char *const hexes[] = { H_A, H_B, H_C, H_D };
	static const char *const paths[] = { "/usr/bin/a", "/usr/bin/b",
					     "/usr/bin/with space",
					     "/opt/app/bin/run" };
	const struct sg_baseline *b = *state;

	for (size_t h = 0; h < ARRAY_SIZE(hexes); h++)
		for (size_t bit = 0; bit < SG_SHA256_LEN * 8; bit++) {
			unsigned char sha[SG_SHA256_LEN];

			hash_of(hexes[h], sha);
			sha[bit / 8] ^= (unsigned char)(1u << (bit % 8));
			assert_int_equal(sg_trust_judge(b,
							SG_EXEC_MATCH_CONTENT,
							"/tmp/x", sha),
					 SG_TRUST_UNKNOWN);
			assert_int_equal(sg_trust_judge(b, SG_EXEC_MATCH_PATH,
							paths[h], sha),
					 SG_TRUST_MISMATCH);
		}
}

/* A baseline with roots and no files trusts nothing. */
static void test_trust_empty_baseline(void **state)
{
	struct sg_baseline *b =
		load_baseline("sealguard-baseline 2\nroot /usr\n");
	unsigned char sha[SG_SHA256_LEN];
	(void)state;

	assert_int_equal(b->n, 0);
	hash_of(H_A, sha);
	assert_int_equal(sg_trust_precheck(b, SG_EXEC_MATCH_PATH, "/usr/bin/a",
					   10),
			 SG_TRUST_UNKNOWN);
	assert_int_equal(sg_trust_precheck(b, SG_EXEC_MATCH_CONTENT,
					   "/usr/bin/a", 10),
			 SG_TRUST_NEED_HASH);
	assert_int_equal(sg_trust_judge(b, SG_EXEC_MATCH_PATH, "/usr/bin/a",
					sha),
			 SG_TRUST_UNKNOWN);
	assert_int_equal(sg_trust_judge(b, SG_EXEC_MATCH_CONTENT, "/usr/bin/a",
					sha),
			 SG_TRUST_UNKNOWN);
	memset(sha, 0, sizeof(sha));
	assert_int_equal(sg_trust_judge(b, SG_EXEC_MATCH_CONTENT, "/usr/bin/a",
					sha),
			 SG_TRUST_UNKNOWN);
	sg_baseline_free(b);
}

/*
 * A bigger baseline, so the path and hash look-ups are real binary
 * searches: every entry is found by path and by hash, and hashes in
 * between are not.
 */
static void test_trust_many_entries(void **state)
{
	enum { N = 600 };
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	struct sg_baseline *b;
	(void)state;

	assert_non_null(out);
	fputs("sealguard-baseline 2\nroot /usr\n", out);
	for (unsigned i = 0; i < N; i++) {
		unsigned char sha[SG_SHA256_LEN];
		char hex[SG_SHA256_HEX_LEN + 1];

		/* even bytes only, so "odd" neighbours are absent */
		memset(sha, 0, sizeof(sha));
		sha[0] = (unsigned char)((i * 37u % N) * 2 / 256 * 2);
		sha[1] = (unsigned char)((i * 37u % N) * 2 % 256);
		sha[31] = (unsigned char)(i % 2 * 2);
		sg_hex_encode(sha, sizeof(sha), hex);
		fprintf(out, "f %s %u 0755 0 0 - /usr/bin/p%05u\n", hex, i, i);
	}
	assert_int_equal(fclose(out), 0);
	b = load_baseline(text);
	free(text);
	assert_int_equal(b->n, N);

	for (unsigned i = 0; i < N; i++) {
		unsigned char sha[SG_SHA256_LEN];
		char path[32];

		snprintf(path, sizeof(path), "/usr/bin/p%05u", i);
		memset(sha, 0, sizeof(sha));
		sha[0] = (unsigned char)((i * 37u % N) * 2 / 256 * 2);
		sha[1] = (unsigned char)((i * 37u % N) * 2 % 256);
		sha[31] = (unsigned char)(i % 2 * 2);
		assert_int_equal(sg_trust_precheck(b, SG_EXEC_MATCH_PATH, path,
						   i),
				 SG_TRUST_NEED_HASH);
		assert_int_equal(sg_trust_precheck(b, SG_EXEC_MATCH_PATH, path,
						   i + 1),
				 SG_TRUST_MISMATCH);
		assert_int_equal(sg_trust_judge(b, SG_EXEC_MATCH_PATH, path,
						sha),
				 SG_TRUST_OK);
		assert_int_equal(sg_trust_judge(b, SG_EXEC_MATCH_CONTENT,
						"/tmp/x", sha),
				 SG_TRUST_OK);
		sha[31] |= 1; /* odd: in no entry */
		assert_int_equal(sg_trust_judge(b, SG_EXEC_MATCH_CONTENT,
						"/tmp/x", sha),
				 SG_TRUST_UNKNOWN);
		assert_int_equal(sg_trust_judge(b, SG_EXEC_MATCH_PATH, path,
						sha),
				 SG_TRUST_MISMATCH);
	}
	sg_baseline_free(b);
}

/* Precheck then judge, as the guard chains them, end to end. */
static void test_trust_chain_to_exec(void **state)
{
	const struct sg_baseline *b = *state;
	struct sg_policy p = policy_with(SG_MODE_ENFORCE, 0);
	unsigned char sha[SG_SHA256_LEN];
	enum sg_trust t;

	/* trusted binary */
	t = sg_trust_precheck(b, SG_EXEC_MATCH_PATH, "/usr/bin/b", 2000000);
	assert_int_equal(t, SG_TRUST_NEED_HASH);
	hash_of(H_B, sha);
	t = sg_trust_judge(b, SG_EXEC_MATCH_PATH, "/usr/bin/b", sha);
	assert_int_equal(sg_decide_exec(&p, t).action, SG_ACTION_ALLOW);
	/* a copy in /tmp: path mode denies, content mode allows */
	t = sg_trust_precheck(b, SG_EXEC_MATCH_PATH, "/tmp/b", 2000000);
	assert_int_equal(sg_decide_exec(&p, t).action, SG_ACTION_DENY);
	assert_int_equal(sg_decide_exec(&p, t).reason,
			 SG_REASON_NOT_IN_BASELINE);
	assert_int_equal(sg_trust_precheck(b, SG_EXEC_MATCH_CONTENT, "/tmp/b",
					   2000000),
			 SG_TRUST_NEED_HASH);
	t = sg_trust_judge(b, SG_EXEC_MATCH_CONTENT, "/tmp/b", sha);
	assert_int_equal(sg_decide_exec(&p, t).action, SG_ACTION_ALLOW);
	/* a trusted name with a changed hash */
	hash_of(H_X, sha);
	t = sg_trust_judge(b, SG_EXEC_MATCH_PATH, "/usr/bin/b", sha);
	assert_int_equal(sg_decide_exec(&p, t).action, SG_ACTION_DENY);
	assert_int_equal(sg_decide_exec(&p, t).reason,
			 SG_REASON_HASH_MISMATCH);
}

/* An inspector's read of an untrusted ELF: allowed, always logged, and
 * still a denial-free exec event in permissive mode too. */
static void test_inspected(void **state)
{
	struct sg_policy p = policy_with(SG_MODE_ENFORCE, 0);
	struct sg_decision d = sg_decide_inspected();

	(void)state;
	assert_int_equal(d.event, SG_EVENT_EXEC);
	assert_int_equal(d.action, SG_ACTION_ALLOW);
	assert_int_equal(d.reason, SG_REASON_INSPECTOR);
	assert_true(d.log);
	assert_string_equal(sg_reason_name(d.reason), "inspector");
	p.mode = SG_MODE_PERMISSIVE;
	assert_int_equal(sg_decision_apply_mode(&p, d).action, SG_ACTION_ALLOW);
}

/* ---- names ---- */

/* Door 5: every field a write, a truncation or a swap moves counts. */
static void test_stat_changed(void **state)
{
	struct stat a = { .st_dev = 1, .st_ino = 2, .st_size = 100,
			  .st_mtim = { 10, 5 }, .st_ctim = { 10, 5 } };
	struct stat b;
	(void)state;

	b = a;
	assert_false(sg_stat_changed(&a, &b));
	b = a;
	b.st_mtim.tv_nsec++;
	assert_true(sg_stat_changed(&a, &b));
	b = a;
	b.st_ctim.tv_sec++;
	assert_true(sg_stat_changed(&a, &b));
	b = a;
	b.st_size = 99;
	assert_true(sg_stat_changed(&a, &b));
	b = a;
	b.st_ino = 3;
	assert_true(sg_stat_changed(&a, &b));
	b = a;
	b.st_dev = 4;
	assert_true(sg_stat_changed(&a, &b));
	b = a;
	b.st_atim.tv_sec = 99; /* a read is not a change */
	assert_false(sg_stat_changed(&a, &b));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sg_event_name(SG_EVENT_WRITE), "write");
	assert_string_equal(sg_event_name(SG_EVENT_EXEC), "exec");
	assert_string_equal(sg_action_name(SG_ACTION_ALLOW), "allow");
	assert_string_equal(sg_action_name(SG_ACTION_DENY), "deny");
	assert_string_equal(sg_action_name(SG_ACTION_WOULD_DENY),
			    "would-deny");
	assert_string_equal(sg_action_name((enum sg_action)3), "?");
	assert_string_equal(sg_action_name((enum sg_action)-1), "?");
	assert_string_equal(sg_reason_name(SG_REASON_READ_ONLY), "read-only");
	assert_string_equal(sg_reason_name(SG_REASON_HASH_ERROR),
			    "hash-error");
	assert_string_equal(sg_reason_name(SG_REASON_CHANGED_WHILE_HASHED),
			    "changed-while-hashed");
	assert_string_equal(sg_reason_name(SG_REASON__COUNT), "?");
	assert_string_equal(sg_reason_name((enum sg_reason)-1), "?");

	/* every reason has its own name, none missing */
	for (int i = 0; i < SG_REASON__COUNT; i++) {
		const char *n = sg_reason_name((enum sg_reason)i);

		assert_non_null(n);
		if (streq(n, "?") || !*n)
			fail_msg("reason %d has no name", i);
		for (int j = 0; j < i; j++)
			if (streq(n, sg_reason_name((enum sg_reason)j)))
				fail_msg("reasons %d and %d share '%s'", i, j,
					 n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_exhaustive),
		cmocka_unit_test(test_open_protected_never_allowed),
		cmocka_unit_test(test_apply_mode),
		cmocka_unit_test(test_exec_exhaustive),
		cmocka_unit_test(test_exec_need_hash_never_allows),
		cmocka_unit_test(test_inspected),
		cmocka_unit_test_setup_teardown(test_baseline_loaded,
						setup_baseline,
						teardown_baseline),
		cmocka_unit_test_setup_teardown(test_precheck, setup_baseline,
						teardown_baseline),
		cmocka_unit_test_setup_teardown(test_judge, setup_baseline,
						teardown_baseline),
		cmocka_unit_test_setup_teardown(test_judge_one_bit_off,
						setup_baseline,
						teardown_baseline),
		cmocka_unit_test(test_trust_empty_baseline),
		cmocka_unit_test(test_trust_many_entries),
		cmocka_unit_test_setup_teardown(test_trust_chain_to_exec,
						setup_baseline,
						teardown_baseline),
		cmocka_unit_test(test_stat_changed),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
