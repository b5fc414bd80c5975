/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_protindex.c - the protected-inode index (src/daemon/fan/protindex.h)
 * on a real tree in a temporary directory: the walker thread records
 * every regular file under the protected paths by inode, less the
 * excludes, marks those the baseline lists at their size, and says when
 * it is done through its eventfd; a protected path that is gone is an
 * error at start; the table is not handed out before the walk is joined;
 * puts are refused once the walk started; a stop after the end keeps the
 * result.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "baseline.h"
#include "errlist.h"
#include "fan/protindex.h"
#include "policy.h"
#include "unit_files.h"
#include "util.h"

struct tree {
	char root[64];
	char prot[128], skip[128];
};

static void make_tree(struct tree *t)
{
	strcpy(t->root, "/tmp/sg-protindex-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	snprintf(t->prot, sizeof(t->prot), "%s/prot", t->root);
	snprintf(t->skip, sizeof(t->skip), "%s/prot/skip", t->root);
	assert_int_equal(mkdir(t->prot, 0755), 0);
	assert_int_equal(mkdir(t->skip, 0755), 0);
	ut_write_file(t->prot, "a", "alpha\n");
	ut_write_file(t->prot, "b", "beta\n");
	ut_write_file(t->skip, "c", "excluded\n");
	ut_write_file(t->root, "outside", "not protected\n");
}

static void remove_tree(const struct tree *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
	assert_int_equal(system(cmd), 0);
}

static struct sg_policy *policy_for(const char *prot, const char *skip)
{
	char text[512];
	struct sg_policy *p = NULL;
	struct errlist errs = { 0 };
	FILE *f;

	snprintf(text, sizeof(text),
		 "[sealguard]\nmode = enforce\nbaseline = /nonexistent\n"
		 "[protect]\npath = %s\nexclude = %s\n",
		 prot, skip);
	f = fmemopen(text, strlen(text), "r");
	assert_non_null(f);
	if (sg_policy_load_stream(f, "test.conf", &p, &errs) < 0)
		fail_msg("policy: %s", errs.n ? errs.msgs[0] : "?");
	fclose(f);
	errlist_free(&errs);
	return p;
}

static struct sg_baseline *baseline_of(const char *prot)
{
	const char *roots[] = { prot };
	struct sg_baseline *b = NULL;
	struct errlist errs = { 0 };

	assert_int_equal(sg_baseline_build(roots, 1, NULL, 0, 1, &b, NULL,
					   &errs),
			 0);
	errlist_free(&errs);
	return b;
}

static const struct sg_inode_entry *entry_of(const struct sg_inodetab *t,
					     const char *dir, const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(lstat(path, &st), 0);
	return sg_inodetab_get(t, st.st_dev, st.st_ino);
}

/* Wait for the walk's eventfd, as the event loop does. */
static void wait_done(const struct sg_protindex *x)
{
	struct pollfd pfd = { sg_protindex_fd(x), POLLIN, 0 };

	assert_true(pfd.fd >= 0);
	assert_int_equal(poll(&pfd, 1, 10000), 1);
}

/* Each test's tree, policy (prot protected, skip excluded), baseline
 * (built before the test changes anything) and an initialised index. */
struct fixture {
	struct tree t;
	struct sg_policy *p;
	struct sg_baseline *b;
	struct sg_protindex x;
	struct errlist errs;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	make_tree(&f->t);
	f->p = policy_for(f->t.prot, f->t.skip);
	f->b = baseline_of(f->t.prot);
	assert_int_equal(sg_protindex_init(&f->x, 4), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sg_protindex_free(&f->x);
	sg_baseline_free(f->b);
	sg_policy_free(f->p);
	errlist_free(&f->errs);
	remove_tree(&f->t);
	free(f);
	return 0;
}

/* Start the walk and join it once its eventfd says it ended. */
static void walk_to_end(struct fixture *f)
{
	assert_int_equal(sg_protindex_start(&f->x, f->p, f->b, &f->errs), 0);
	wait_done(&f->x);
	assert_true(sg_protindex_settle(&f->x, false));
}

static void test_walk(void **state)
{
	struct fixture *f = *state;
	struct sg_protindex *x = &f->x;
	const struct sg_inodetab *tab;
	const char *where;
	struct stat st;

	/* b is listed at another size now: protected, not IN_BASELINE */
	ut_write_file(f->t.prot, "b", "beta, grown since the baseline\n");
	/* a put before the walk (the daemon's own files) */
	assert_int_equal(stat(f->t.root, &st), 0);
	assert_int_equal(sg_protindex_put(x, &st, SG_PROT_FILE), 0);
	assert_null(sg_protindex_table(x));
	assert_int_equal(sg_protindex_fd(x), -1);
	assert_int_equal(sg_protindex_start(x, f->p, f->b, &f->errs), 0);
	assert_int_equal(sg_protindex_put(x, &st, SG_PROT_FILE), -EBUSY);
	wait_done(x);
	/* until it is joined, the table is the walker's */
	assert_null(sg_protindex_table(x));
	assert_true(sg_protindex_settle(x, false));
	assert_int_equal(sg_protindex_fd(x), -1);
	tab = sg_protindex_table(x);
	assert_non_null(tab);
	assert_int_equal(sg_protindex_error(x, &where), 0);
	assert_null(where);
	/* a, b and the root put before */
	assert_int_equal(sg_protindex_count(x), 3);
	assert_int_equal(entry_of(tab, f->t.prot, "a")->value,
			 SG_PROT_FILE | SG_PROT_IN_BASELINE);
	assert_int_equal(entry_of(tab, f->t.prot, "b")->value, SG_PROT_FILE);
	assert_null(entry_of(tab, f->t.skip, "c"));
	assert_null(entry_of(tab, f->t.root, "outside"));
	/* settled stays settled; a stop after the end changes nothing */
	assert_true(sg_protindex_settle(x, false));
	sg_protindex_stop(x);
	assert_non_null(sg_protindex_table(x));
}

static void test_missing_root(void **state)
{
	struct fixture *f = *state;
	char gone[160], gone_skip[176];

	snprintf(gone, sizeof(gone), "%s/gone", f->t.root);
	snprintf(gone_skip, sizeof(gone_skip), "%s/skip", gone);
	sg_policy_free(f->p);
	f->p = policy_for(gone, gone_skip);
	assert_int_equal(sg_protindex_start(&f->x, f->p, f->b, &f->errs),
			 -ENOENT);
	assert_int_equal(f->errs.n, 1);
	assert_non_null(strstr(f->errs.msgs[0], gone));
	/* nothing started: no walk to wait for, nothing handed out */
	assert_int_equal(sg_protindex_fd(&f->x), -1);
	assert_false(sg_protindex_settle(&f->x, false));
	assert_null(sg_protindex_table(&f->x));
}

/* A stop while the walk runs: joined (a walk of a few files ends within
 * the wait), settled, and either complete or cancelled, never half. */
static void test_stop(void **state)
{
	struct fixture *f = *state;
	const char *where;
	int err;

	assert_int_equal(sg_protindex_start(&f->x, f->p, f->b, &f->errs), 0);
	sg_protindex_stop(&f->x);
	assert_true(sg_protindex_settle(&f->x, false));
	err = sg_protindex_error(&f->x, &where);
	if (err == 0)
		assert_int_equal(sg_protindex_count(&f->x), 2);
	else
		assert_int_equal(err, -ECANCELED);
	assert_true((err == 0) == (sg_protindex_table(&f->x) != NULL));
}

/*
 * A tree deeper than the walker's bound (root can make one: fanotify
 * cannot deny mkdir) fails the walk, where it would have overflowed the
 * walker's stack: an error, and no table (every file then counts as
 * protected).
 */
static void test_too_deep(void **state)
{
	struct fixture *f = *state;
	const char *where;
	int fd = open(f->t.prot, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	for (int i = 0; i < 4200; i++) {
		int sub;

		assert_int_equal(mkdirat(fd, "d", 0755), 0);
		sub = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(sub >= 0);
		assert_int_equal(close(fd), 0);
		fd = sub;
	}
	assert_int_equal(close(fd), 0);
	walk_to_end(f);
	assert_int_equal(sg_protindex_error(&f->x, &where), -ENAMETOOLONG);
	assert_non_null(where);
	assert_null(sg_protindex_table(&f->x));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_root, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_deep, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
