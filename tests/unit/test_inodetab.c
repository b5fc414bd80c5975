/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_inodetab.c - (dev, ino) tables (src/daemon/fan/inodetab.h): put/get/has,
 * update in place, growth to 100k entries, the bounded cache, and
 * freshness by ctime and size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "fan/inodetab.h"
#include "util.h"

static struct stat mkst(uint64_t dev, uint64_t ino, time_t ctime_s,
			long ctime_ns, off_t size)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_dev = (dev_t)dev;
	st.st_ino = (ino_t)ino;
	st.st_ctim.tv_sec = ctime_s;
	st.st_ctim.tv_nsec = ctime_ns;
	st.st_size = size;
	st.st_mode = S_IFREG | 0755;
	return st;
}

static void test_empty(void **state)
{
	struct sg_inodetab t;
	struct stat st = mkst(1, 2, 3, 4, 5);
	(void)state;

	assert_int_equal(sg_inodetab_init(&t, 0, 0), 0);
	assert_int_equal(t.count, 0);
	assert_true(t.cap > 0);
	assert_null(sg_inodetab_get(&t, 1, 2));
	assert_false(sg_inodetab_has(&t, 0, 0));
	assert_null(sg_inodetab_get_fresh(&t, &st));
	sg_inodetab_free(&t);
	/* a freed (zeroed) table answers "no" and frees again safely */
	assert_null(sg_inodetab_get(&t, 1, 2));
	assert_false(sg_inodetab_has(&t, 1, 2));
	assert_null(sg_inodetab_get_fresh(&t, &st));
	sg_inodetab_free(&t);
}

static void test_put_get_has(void **state)
{
	struct sg_inodetab t;
	struct stat a = mkst(0x801, 12, 1700000000, 123456789, 4096);
	struct stat b = mkst(0x802, 12, 1700000000, 123456789, 4096);
	struct stat c = mkst(0x801, 13, 1, 2, 3);
	const struct sg_inode_entry *e;
	(void)state;

	assert_int_equal(sg_inodetab_init(&t, 16, 0), 0);
	assert_int_equal(sg_inodetab_put(&t, &a, 7, 9), 0);
	assert_int_equal(t.count, 1);
	e = sg_inodetab_get(&t, 0x801, 12);
	assert_non_null(e);
	assert_int_equal(e->dev, 0x801);
	assert_int_equal(e->ino, 12);
	assert_int_equal(e->value, 7);
	assert_int_equal(e->reason, 9);
	assert_ptr_equal(sg_inodetab_get_fresh(&t, &a), e);
	assert_true(e->used);
	assert_true(sg_inodetab_has(&t, 0x801, 12));
	/* same inode number on another filesystem is another file */
	assert_false(sg_inodetab_has(&t, 0x802, 12));
	assert_false(sg_inodetab_has(&t, 0x801, 13));
	assert_false(sg_inodetab_has(&t, 0x801, 11));
	assert_false(sg_inodetab_has(&t, 12, 0x801));

	assert_int_equal(sg_inodetab_put(&t, &b, 1, 2), 0);
	assert_int_equal(sg_inodetab_put(&t, &c, 3, 4), 0);
	assert_int_equal(t.count, 3);
	assert_int_equal(sg_inodetab_get(&t, 0x801, 12)->value, 7);
	assert_int_equal(sg_inodetab_get(&t, 0x802, 12)->value, 1);
	assert_int_equal(sg_inodetab_get(&t, 0x801, 13)->value, 3);
	sg_inodetab_free(&t);
}

/* (0, 0) and the extremes are ordinary keys. */
static void test_edge_keys(void **state)
{
	static const uint64_t keys[][2] = {
		{ 0, 0 }, { 0, 1 }, { 1, 0 }, { UINT32_MAX, UINT64_MAX },
		{ UINT32_MAX, 0 }, { 0, UINT64_MAX },
	};
	struct sg_inodetab t;
	(void)state;

	assert_int_equal(sg_inodetab_init(&t, 0, 0), 0);
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		struct stat st = mkst(keys[i][0], keys[i][1], 0, 0, 0);

		assert_false(sg_inodetab_has(&t, keys[i][0], keys[i][1]));
		assert_int_equal(sg_inodetab_put(&t, &st, (uint8_t)i, 0), 0);
	}
	assert_int_equal(t.count, ARRAY_SIZE(keys));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		const struct sg_inode_entry *e =
			sg_inodetab_get(&t, keys[i][0], keys[i][1]);

		assert_non_null(e);
		assert_int_equal(e->value, i);
	}
	sg_inodetab_free(&t);
}

/* st_dev is kept in 32 bits (stat(2) never gives more): a wider one is
 * refused, never truncated into another device's inode. */
static void test_wide_dev_refused(void **state)
{
	struct sg_inodetab t;
	struct stat narrow = mkst(1, 5, 0, 0, 0);
	struct stat wide = mkst(1 + (UINT64_C(1) << 32), 5, 0, 0, 0);
	(void)state;

	assert_int_equal(sg_inodetab_init(&t, 0, 0), 0);
	assert_int_equal(sg_inodetab_put(&t, &wide, 1, 0), -EOVERFLOW);
	assert_int_equal(t.count, 0);
	assert_int_equal(sg_inodetab_put(&t, &narrow, 2, 0), 0);
	assert_false(sg_inodetab_has(&t, 1 + (UINT64_C(1) << 32), 5));
	assert_null(sg_inodetab_get_fresh(&t, &wide));
	assert_int_equal(sg_inodetab_get(&t, 1, 5)->value, 2);
	sg_inodetab_free(&t);
}

static void test_update_in_place(void **state)
{
	struct sg_inodetab t;
	struct stat st = mkst(5, 77, 100, 0, 10);
	const struct sg_inode_entry *e;
	(void)state;

	assert_int_equal(sg_inodetab_init(&t, 4, 0), 0);
	assert_int_equal(sg_inodetab_put(&t, &st, 1, 1), 0);
	st.st_ctim.tv_sec = 200;
	st.st_size = 20;
	for (int i = 0; i < 1000; i++)
		assert_int_equal(sg_inodetab_put(&t, &st, (uint8_t)i,
						 (uint8_t)(i + 1)),
				 0);
	assert_int_equal(t.count, 1);
	e = sg_inodetab_get(&t, 5, 77);
	assert_non_null(e);
	assert_int_equal(e->value, (uint8_t)999);
	assert_int_equal(e->reason, (uint8_t)1000);
	/* the stamp is the last put's: the first ctime and size are stale */
	assert_ptr_equal(sg_inodetab_get_fresh(&t, &st), e);
	st.st_ctim.tv_sec = 100;
	st.st_size = 10;
	assert_null(sg_inodetab_get_fresh(&t, &st));
	sg_inodetab_free(&t);
}

/* An uninitialised (zeroed) table grows on first put. */
static void test_zeroed_table(void **state)
{
	struct sg_inodetab t = { 0 };
	struct stat st = mkst(1, 1, 0, 0, 0);
	(void)state;

	assert_int_equal(sg_inodetab_put(&t, &st, 4, 0), 0);
	assert_true(sg_inodetab_has(&t, 1, 1));
	sg_inodetab_free(&t);
}

/*
 * 100k entries from a few filesystems with sequential inode numbers (the
 * shape of a real walk): every one is found with its value, none that
 * was not put is, and the load stays at most 7/10.
 */
static void test_growth_100k(void **state)
{
	enum { N = 100000 };
	struct sg_inodetab t;
	(void)state;

	assert_int_equal(sg_inodetab_init(&t, 16, 0), 0);
	for (uint64_t i = 0; i < N; i++) {
		struct stat st = mkst(0x800 + i % 4, 2 + i / 4, (time_t)i,
				      (long)(i % 1000000000), (off_t)i);

		assert_int_equal(sg_inodetab_put(&t, &st, (uint8_t)(i * 7),
						 (uint8_t)(i % 3)),
				 0);
		assert_true(t.count * 10 <= t.cap * 7);
	}
	assert_int_equal(t.count, N);
	/* grown by half each time: never more than twice what N needs */
	assert_true(t.cap <= 2 * (N * 10 / 7 + 10));
	for (uint64_t i = 0; i < N; i++) {
		struct stat st = mkst(0x800 + i % 4, 2 + i / 4, (time_t)i,
				      (long)(i % 1000000000), (off_t)i);
		const struct sg_inode_entry *e =
			sg_inodetab_get(&t, 0x800 + i % 4, 2 + i / 4);

		if (!e)
			fail_msg("entry %llu lost", (unsigned long long)i);
		assert_int_equal(e->value, (uint8_t)(i * 7));
		assert_int_equal(e->reason, (uint8_t)(i % 3));
		assert_ptr_equal(sg_inodetab_get_fresh(&t, &st), e);
	}
	for (uint64_t i = 0; i < 1000; i++) {
		assert_false(sg_inodetab_has(&t, 0x804, 2 + i));
		assert_false(sg_inodetab_has(&t, 0x800, 2 + N + i));
	}
	sg_inodetab_free(&t);
}

/* A big hint: no growth needed, and still all findable. */
static void test_hint(void **state)
{
	struct sg_inodetab t;
	size_t cap;
	(void)state;

	assert_int_equal(sg_inodetab_init(&t, 5000, 0), 0);
	assert_true(t.cap * 7 >= 5000 * 10);
	assert_true(t.cap < 5000 * 2); /* not rounded up to a power of two */
	cap = t.cap;
	for (uint64_t i = 0; i < 5000; i++) {
		struct stat st = mkst(1, i * 4096, 0, 0, 0);

		assert_int_equal(sg_inodetab_put(&t, &st, 1, 0), 0);
	}
	assert_int_equal(t.cap, cap);
	for (uint64_t i = 0; i < 5000; i++)
		assert_true(sg_inodetab_has(&t, 1, i * 4096));
	sg_inodetab_free(&t);
}

/*
 * A bounded cache: it never holds more than `limit` entries and never
 * grows without bound; the entry just put is always there; once the
 * cache is cleared, old entries are gone (a cache may forget, but must
 * never answer with an entry for another inode).
 */
static void check_bounded(size_t hint, size_t limit)
{
	struct sg_inodetab t;
	size_t max_cap, init_cap;

	assert_int_equal(sg_inodetab_init(&t, hint, limit), 0);
	max_cap = init_cap = t.cap;
	for (uint64_t i = 0; i < 20 * limit + 1000; i++) {
		struct stat st = mkst(9, 1000 + i, (time_t)i, 0, (off_t)i);
		const struct sg_inode_entry *e;

		assert_int_equal(sg_inodetab_put(&t, &st, (uint8_t)i, 0), 0);
		e = sg_inodetab_get_fresh(&t, &st);
		assert_non_null(e);
		assert_int_equal(e->value, (uint8_t)i);
		if (t.count > limit)
			fail_msg("hint %zu limit %zu: %zu entries after %llu "
				 "puts",
				 hint, limit, t.count,
				 (unsigned long long)i + 1);
		if (t.cap > max_cap)
			max_cap = t.cap;
	}
	/* the hinted size, or room for limit entries at load 7/10 grown by
	 * half at a time: never more */
	if (max_cap > 4 * (limit > 32 ? limit : 32))
		assert_int_equal(max_cap, init_cap);
	/* whatever it still has is right */
	for (uint64_t i = 0; i < 20 * limit + 1000; i++) {
		const struct sg_inode_entry *e;

		e = sg_inodetab_get(&t, 9, 1000 + i);

		if (e) {
			assert_int_equal(e->ino, 1000 + i);
			assert_int_equal(e->value, (uint8_t)i);
		}
	}
	sg_inodetab_free(&t);
}

static void test_bounded_round_limits(void **state)
{
	(void)state;
	check_bounded(16, 64);
	check_bounded(1024, 65536 / 16); /* the daemon's shape, smaller */
}

static void test_bounded_other_limits(void **state)
{
	(void)state;
	check_bounded(16, 100);
	check_bounded(0, 5);
	check_bounded(1000, 300);
	check_bounded(16, 1);
}

/* Updating an entry of a full cache must not cost the other entries. */
static void test_bounded_update_keeps_entries(void **state)
{
	struct sg_inodetab t;
	struct stat st;
	size_t before;
	(void)state;

	assert_int_equal(sg_inodetab_init(&t, 16, 64), 0);
	for (uint64_t i = 0; t.count < 64 && i < 10000; i++) {
		st = mkst(3, i, 0, 0, 0);
		assert_int_equal(sg_inodetab_put(&t, &st, 1, 0), 0);
	}
	before = t.count;
	assert_true(before > 1);
	st = mkst(3, 0, 5, 0, 0);
	assert_true(sg_inodetab_has(&t, 3, 0));
	assert_int_equal(sg_inodetab_put(&t, &st, 2, 0), 0);
	assert_int_equal(t.count, before);
	assert_true(sg_inodetab_has(&t, 3, 1));
	sg_inodetab_free(&t);
}

static void test_get_fresh(void **state)
{
	struct sg_inodetab t;
	struct stat st = mkst(8, 42, 1700000000, 500, 1234), probe;
	(void)state;

	assert_int_equal(sg_inodetab_init(&t, 0, 1024), 0);
	assert_int_equal(sg_inodetab_put(&t, &st, 1, 0), 0);
	assert_non_null(sg_inodetab_get_fresh(&t, &st));

	/* mtime, atime, mode, owner do not matter: ctime moves with them */
	probe = st;
	probe.st_mtim.tv_sec = 5;
	probe.st_atim.tv_sec = 6;
	probe.st_mode = S_IFREG | 04755;
	probe.st_uid = 1000;
	assert_non_null(sg_inodetab_get_fresh(&t, &probe));

	probe = st;
	probe.st_ctim.tv_nsec++;
	assert_null(sg_inodetab_get_fresh(&t, &probe));
	probe = st;
	probe.st_ctim.tv_sec--;
	assert_null(sg_inodetab_get_fresh(&t, &probe));
	/* one second later, same nanoseconds */
	probe = st;
	probe.st_ctim.tv_sec++;
	probe.st_ctim.tv_nsec = 500;
	assert_null(sg_inodetab_get_fresh(&t, &probe));
	probe = st;
	probe.st_size++;
	assert_null(sg_inodetab_get_fresh(&t, &probe));
	probe = st;
	probe.st_size = 0;
	assert_null(sg_inodetab_get_fresh(&t, &probe));
	/* another inode or filesystem with the same times */
	probe = st;
	probe.st_ino++;
	assert_null(sg_inodetab_get_fresh(&t, &probe));
	probe = st;
	probe.st_dev++;
	assert_null(sg_inodetab_get_fresh(&t, &probe));

	/* the stale entry is still there for get(), and a put refreshes it */
	probe = st;
	probe.st_size = 99;
	probe.st_ctim.tv_sec += 10;
	assert_non_null(sg_inodetab_get(&t, 8, 42));
	assert_int_equal(sg_inodetab_put(&t, &probe, 2, 0), 0);
	assert_null(sg_inodetab_get_fresh(&t, &st));
	assert_int_equal(sg_inodetab_get_fresh(&t, &probe)->value, 2);
	sg_inodetab_free(&t);
}

/*
 * The stamp is keyed per table: the same ctime and size give two tables
 * different stamps (equal with odds of 2^-64), so no stamp can be worked
 * out from outside. Each entry is 24 bytes (the protected-inode table's
 * size at 100k files, #14).
 */
static void test_stamp_keyed(void **state)
{
	struct sg_inodetab a, b;
	struct stat st = mkst(3, 4, 1700000000, 5, 6);
	(void)state;

	assert_int_equal(sizeof(struct sg_inode_entry), 24);
	assert_int_equal(sg_inodetab_init(&a, 4, 0), 0);
	assert_int_equal(sg_inodetab_init(&b, 4, 0), 0);
	assert_int_equal(sg_inodetab_put(&a, &st, 1, 0), 0);
	assert_int_equal(sg_inodetab_put(&b, &st, 1, 0), 0);
	assert_true(a.key[0] != b.key[0] || a.key[1] != b.key[1]);
	assert_true(sg_inodetab_get(&a, 3, 4)->stamp !=
		    sg_inodetab_get(&b, 3, 4)->stamp);
	sg_inodetab_free(&a);
	sg_inodetab_free(&b);
}

/* A real file: after a write, the cached verdict is no longer fresh. */
static void test_get_fresh_real_file(void **state)
{
	char path[] = "/tmp/sg-inodetab-XXXXXX";
	struct sg_inodetab t;
	struct stat st, st2;
	int fd = mkstemp(path);
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(sg_inodetab_init(&t, 0, 0), 0);
	assert_int_equal(sg_inodetab_put(&t, &st, 1, 0), 0);
	assert_int_equal(fstat(fd, &st2), 0);
	assert_non_null(sg_inodetab_get_fresh(&t, &st2));
	assert_int_equal(write(fd, "d", 1), 1);
	assert_int_equal(fstat(fd, &st2), 0);
	assert_null(sg_inodetab_get_fresh(&t, &st2));
	assert_true(sg_inodetab_has(&t, st2.st_dev, st2.st_ino));
	(void)close(fd);
	assert_int_equal(unlink(path), 0);
	sg_inodetab_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_put_get_has),
		cmocka_unit_test(test_edge_keys),
		cmocka_unit_test(test_update_in_place),
		cmocka_unit_test(test_zeroed_table),
		cmocka_unit_test(test_growth_100k),
		cmocka_unit_test(test_hint),
		cmocka_unit_test(test_bounded_round_limits),
		cmocka_unit_test(test_bounded_other_limits),
		cmocka_unit_test(test_bounded_update_keeps_entries),
		cmocka_unit_test(test_get_fresh),
		cmocka_unit_test(test_wide_dev_refused),
		cmocka_unit_test(test_get_fresh_real_file),
		cmocka_unit_test(test_stamp_keyed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
