/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_verifier.c - the daemon's verify passes (verifier.c) and the build
 * they run on (sg_baseline_build_here): the same result as the CLI's
 * threaded build, cancellation, passes on request on the worker thread,
 * the drift they count, requests that coalesce. Journal entries go to
 * stderr. A temporary tree; nothing is marked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <cmocka.h>

#include "baseline.h"
#include "log/sglog.h"
#include "unit_files.h"
#include "util.h"
#include "watch/verifier.h"

struct fixture {
	char root[64];
	struct sg_baseline *b;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	const char *roots[1];
	struct errlist errs = {};
	char sub[128];

	assert_non_null(fx);
	strcpy(fx->root, "/tmp/sg-verifier.XXXXXX");
	assert_non_null(mkdtemp(fx->root));
	snprintf(sub, sizeof(sub), "%s/sub", fx->root);
	assert_int_equal(mkdir(sub, 0755), 0);
	for (int i = 0; i < 20; i++) {
		char name[16];

		snprintf(name, sizeof(name), "f%d", i);
		ut_write_file(i % 2 ? sub : fx->root, name, name);
	}
	roots[0] = fx->root;
	assert_int_equal(sg_baseline_build(roots, 1, NULL, 0, 2, &fx->b, NULL,
					   &errs),
			 0);
	assert_int_equal(fx->b->n, 20);
	sg_log_set_target(SG_LOG_STDERR);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->root);
	assert_int_equal(system(cmd), 0);
	sg_baseline_free(fx->b);
	free(fx);
	return 0;
}

static char *text_of(const struct sg_baseline *b)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(sg_baseline_write_stream(b, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_build_here_same_bytes(void **state)
{
	struct fixture *fx = *state;
	struct sg_baseline *live = NULL;
	struct sg_build_stats st = {};
	struct errlist errs = {};
	_cleanup_free_ char *want = text_of(fx->b), *have = NULL;

	assert_int_equal(sg_baseline_build_here(fx->b, NULL, &live, &st, &errs),
			 0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(st.files, 20);
	assert_int_equal(st.errors, 0);
	have = text_of(live);
	assert_string_equal(want, have);
	sg_baseline_free(live);
}

static void test_build_here_cancelled(void **state)
{
	struct fixture *fx = *state;
	struct sg_baseline *live = (void *)&live; /* must stay untouched */
	struct errlist errs = {};
	atomic_bool cancel;

	atomic_init(&cancel, true);
	assert_int_equal(sg_baseline_build_here(fx->b, &cancel, &live, NULL,
						&errs),
			 -ECANCELED);
	assert_ptr_equal(live, (void *)&live);
	errlist_free(&errs);
}

/* Wait (up to 10 s) until the worker has finished `passes` passes. */
static struct sg_verify_counters wait_passes(struct sg_verifier *v,
					     uint64_t passes)
{
	struct sg_verify_counters c;

	for (int i = 0; i < 1000; i++) {
		sg_verifier_counters(v, &c);
		if (c.passes >= passes && !c.running)
			return c;
		(void)nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	fail_msg("no verify pass %" PRIu64 " within 10 s", passes);
	return c;
}

static void test_passes(void **state)
{
	struct fixture *fx = *state;
	struct sg_verifier *v = NULL;
	struct sg_verify_counters c;
	char path[128];

	assert_int_equal(sg_verifier_start(fx->b, -1, &v), 0);
	assert_true(sg_verifier_tid(v) > 0);
	assert_int_not_equal(sg_verifier_tid(v), gettid());
	sg_verifier_counters(v, &c);
	assert_int_equal(c.passes, 0); /* nothing runs unasked */
	assert_false(c.running);

	sg_verifier_request(v, "test");
	c = wait_passes(v, 1);
	assert_int_equal(c.failed, 0);
	assert_int_equal(c.drifted, 0);

	/* one changed (mode), one added, one removed */
	snprintf(path, sizeof(path), "%s/f0", fx->root);
	assert_int_equal(chmod(path, 0600), 0);
	ut_write_file(fx->root, "new", "new");
	snprintf(path, sizeof(path), "%s/sub/f1", fx->root);
	assert_int_equal(unlink(path), 0);
	sg_verifier_request(v, "test");
	c = wait_passes(v, 2);
	assert_int_equal(c.drifted, 3);

	/* requests while one runs or waits coalesce: not one pass each */
	for (int i = 0; i < 5; i++)
		sg_verifier_request(v, "test");
	c = wait_passes(v, 3);
	assert_true(c.passes >= 3 && c.passes <= 4);
	assert_int_equal(c.drifted, 3);

	/* a stop with a pass asked for is not held up by it */
	sg_verifier_request(v, "test");
	sg_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_here_same_bytes),
		cmocka_unit_test(test_build_here_cancelled),
		cmocka_unit_test(test_passes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
