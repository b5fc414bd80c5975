/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unit_files.h - making the files of a unit test's temporary tree.
 * Include after <cmocka.h>: a failure fails the test there.
 */
#ifndef SEALGUARD_UNIT_FILES_H
#define SEALGUARD_UNIT_FILES_H

#include <stdio.h>

/* dir/name, holding text. */
static inline void ut_write_file(const char *dir, const char *name,
				 const char *text)
{
	char path[256];
	FILE *f;

	assert_true((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) <
		    sizeof(path));
	f = fopen(path, "we");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

#endif
