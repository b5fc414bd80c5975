/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_strpool.c - strings packed into chunks (include/strpool.h): copies
 * are equal and stay where they are while the pool grows, a string
 * longer than a chunk gets one of its own, 100,000 paths cost less than
 * their heap blocks would, and a freed pool can be used again (ASan
 * checks that nothing leaks or is read after the free).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "strpool.h"

static void test_copies_stay(void **state)
{
	struct sg_strpool p = { 0 };
	char *first, *copies[20000], name[64];
	(void)state;

	first = sg_strpool_dup(&p, "/usr/bin/ls");
	assert_non_null(first);
	assert_string_equal(first, "/usr/bin/ls");
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "/srv/tree/d%d/f%d", i / 100, i);
		copies[i] = sg_strpool_dup(&p, name);
		assert_non_null(copies[i]);
	}
	/* several chunks later, every copy is where it was, unchanged */
	assert_string_equal(first, "/usr/bin/ls");
	for (int i = 0; i < 20000; i++) {
		snprintf(name, sizeof(name), "/srv/tree/d%d/f%d", i / 100, i);
		assert_string_equal(copies[i], name);
	}
	assert_true(sg_strpool_bytes(&p) > 256 * 1024);
	sg_strpool_free(&p);
	assert_null(p.head);
	assert_int_equal(sg_strpool_bytes(&p), 0);
}

static void test_long_string(void **state)
{
	struct sg_strpool p = { 0 };
	size_t len = 600 * 1024;
	char *big = malloc(len + 1), *copy, *after;
	(void)state;

	assert_non_null(big);
	memset(big, 'x', len);
	big[len] = '\0';
	assert_non_null(sg_strpool_dup(&p, "/a"));
	copy = sg_strpool_dup(&p, big);
	assert_non_null(copy);
	assert_int_equal(strlen(copy), len);
	after = sg_strpool_dup(&p, "/b");
	assert_string_equal(after, "/b");
	assert_int_equal(memcmp(copy, big, len + 1), 0);
	assert_string_equal(sg_strpool_dup(&p, ""), "");
	free(big);
	sg_strpool_free(&p);
}

/* 100,000 paths of 30-odd bytes: the chunks hold them in less than
 * their length plus a malloc header each. */
static void test_dense(void **state)
{
	struct sg_strpool p = { 0 };
	size_t bytes = 0;
	char name[64];
	(void)state;

	for (int i = 0; i < 100000; i++) {
		snprintf(name, sizeof(name), "/tmp/sgtest.abcdef/d%d/f%d",
			 i / 100, i % 100);
		assert_non_null(sg_strpool_dup(&p, name));
		bytes += strlen(name) + 1;
	}
	assert_true(sg_strpool_bytes(&p) >= bytes);
	assert_true(sg_strpool_bytes(&p) < bytes + 100000 * 8);
	sg_strpool_free(&p);
	/* used again after the free */
	assert_string_equal(sg_strpool_dup(&p, "/again"), "/again");
	sg_strpool_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copies_stay),
		cmocka_unit_test(test_long_string),
		cmocka_unit_test(test_dense),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
