/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_policy_keys.c - the policy's one key table (src/common/policy_keys.c),
 * read through its accessor in the private header: sorted for bsearch,
 * one print position per key, a default that is itself a valid value,
 * and every key the golden full.conf sets present.
 *
 * The fixture directory is found as in test_policy.c: $SG_TEST_DATA/policy,
 * else "tests/unit/policy" relative to the current directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../src/common/policy_int.h"

static const struct policy_key *table(size_t *ret_n)
{
	const struct policy_key *keys = policy_keys(ret_n);

	assert_non_null(keys);
	assert_true(*ret_n > 0);
	return keys;
}

static int key_cmp(const struct policy_key *a, const struct policy_key *b)
{
	int c = strcmp(a->section, b->section);

	return c ? c : strcmp(a->key, b->key);
}

/* Strictly sorted by (section, key): bsearch finds each, no name twice. */
static void test_sorted(void **state)
{
	size_t n;
	const struct policy_key *keys = table(&n);

	for (size_t i = 1; i < n; i++)
		if (key_cmp(&keys[i - 1], &keys[i]) >= 0)
			fail_msg("[%s] %s is not before [%s] %s",
				 keys[i - 1].section, keys[i - 1].key,
				 keys[i].section, keys[i].key);
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(policy_key_find(keys[i].section, keys[i].key),
				 &keys[i]);
		assert_int_equal(policy_key_index(&keys[i]), i);
		assert_true(policy_section_known(keys[i].section));
	}
	assert_null(policy_key_find("sealguard", "nosuchkey"));
	assert_false(policy_section_known("nosuchsection"));
}

/* Every key has a position in 1..n, no two the same: they cover 1..n. */
static void test_print_positions(void **state)
{
	size_t n;
	const struct policy_key *keys = table(&n);
	bool *taken = calloc(n + 1, sizeof(*taken));

	assert_non_null(taken);
	for (size_t i = 0; i < n; i++) {
		unsigned pos = keys[i].order;

		if (pos < 1 || pos > n)
			fail_msg("[%s] %s: print position %u not in 1..%zu",
				 keys[i].section, keys[i].key, pos, n);
		if (taken[pos])
			fail_msg("[%s] %s: print position %u used twice",
				 keys[i].section, keys[i].key, pos);
		taken[pos] = true;
	}
	for (unsigned pos = 1; pos <= n; pos++) {
		assert_true(taken[pos]);
		assert_non_null(policy_key_at(pos));
		assert_int_equal(policy_key_at(pos)->order, pos);
	}
	assert_null(policy_key_at(0));
	assert_null(policy_key_at((unsigned)n + 1));
	free(taken);
}

/* The printer writes a section header when the section changes: each
 * section's keys must be printed together, or it would print twice. */
static void test_sections_together(void **state)
{
	size_t n;
	const struct policy_key *prev = NULL, *k;

	(void)table(&n);
	for (unsigned pos = 1; (k = policy_key_at(pos)); pos++) {
		if (prev && !streq(prev->section, k->section))
			for (unsigned q = 1; q < pos; q++)
				if (streq(policy_key_at(q)->section,
					  k->section))
					fail_msg("[%s] printed in two places",
						 k->section);
		prev = k;
	}
}

static bool name_known(const struct policy_name *t, unsigned value)
{
	for (; t->name; t++)
		if (t->value == value)
			return true;
	return false;
}

/* A default is a value the key itself would accept. */
static void test_defaults(void **state)
{
	size_t n;
	const struct policy_key *keys = table(&n);

	for (size_t i = 0; i < n; i++) {
		const struct policy_key *k = &keys[i];

		if (k->kind == POLICY_ENUM || k->kind == POLICY_UDP_ACTION)
			assert_true(name_known(k->names, k->def));
		if (k->kind == POLICY_UINT)
			assert_true(k->def >= k->min && k->def <= k->max);
		if (k->kind == POLICY_SET || k->kind == POLICY_ACTIONS)
			assert_int_equal(k->def & ~policy_names_all(k->names),
					 0);
		if (k->defs)
			assert_true(k->kind == POLICY_PATH ||
				    k->kind == POLICY_LIST);
		if (k->literal || k->disjoint)
			assert_int_equal(k->kind, POLICY_LIST);
	}
}

static FILE *open_fixture(const char *name)
{
	const char *d = getenv("SG_TEST_DATA");
	char path[4096];
	FILE *f;

	if (d && *d)
		snprintf(path, sizeof(path), "%s/policy/%s", d, name);
	else
		snprintf(path, sizeof(path), "tests/unit/policy/%s", name);
	f = fopen(path, "re");
	if (!f)
		fail_msg("cannot open %s", path);
	return f;
}

/* Every "key = value" of the file, under its "[section]", is a known key;
 * returns how many there were. */
static size_t check_file_keys(const char *name)
{
	_cleanup_fclose_ FILE *f = open_fixture(name);
	char line[512], section[64] = "";
	size_t found = 0;

	while (fgets(line, sizeof(line), f)) {
		char key[64];

		if (sscanf(line, " [%63[^]]]", section) == 1)
			continue;
		if (sscanf(line, " %63[a-z_] =", key) != 1)
			continue; /* blank or comment */
		if (!policy_key_find(section, key))
			fail_msg("%s: [%s] %s is not in the key table", name,
				 section, key);
		found++;
	}
	return found;
}

static void test_full_conf_keys(void **state)
{
	assert_true(check_file_keys("full.conf") > 0);
	assert_true(check_file_keys("full.out") > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sorted),
		cmocka_unit_test(test_print_positions),
		cmocka_unit_test(test_sections_together),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_conf_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
