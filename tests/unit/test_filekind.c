/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_filekind.c - the kind of a file from its first bytes
 * (include/filekind.h): only ET_EXEC and ET_DYN, in either byte order, are
 * what the loader maps; and the names the default [exec] interpreter list
 * takes from the baseline. Real files too: this test binary itself (a PIE,
 * ET_DYN), the C library, and a text file.
 */
#include <elf.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "filekind.h"

/* An ELF header of class 64 in byte order data with e_type type. */
static void header(unsigned char *h, unsigned char data, unsigned type)
{
	memset(h, 0, SG_FILEKIND_HEAD_LEN);
	memcpy(h, ELFMAG, SELFMAG);
	h[EI_CLASS] = ELFCLASS64;
	h[EI_DATA] = data;
	h[EI_VERSION] = EV_CURRENT;
	if (data == ELFDATA2MSB) {
		h[16] = (unsigned char)(type >> 8);
		h[17] = (unsigned char)type;
	} else {
		h[16] = (unsigned char)type;
		h[17] = (unsigned char)(type >> 8);
	}
}

struct kind_case {
	unsigned char data;
	unsigned type;
	enum sg_file_kind want;
};

static void test_types(void **state)
{
	static const struct kind_case cases[] = {
		{ ELFDATA2LSB, ET_EXEC, SG_FILE_ELF_LOADABLE },
		{ ELFDATA2LSB, ET_DYN, SG_FILE_ELF_LOADABLE },
		{ ELFDATA2MSB, ET_EXEC, SG_FILE_ELF_LOADABLE },
		{ ELFDATA2MSB, ET_DYN, SG_FILE_ELF_LOADABLE },
		{ ELFDATA2LSB, ET_REL, SG_FILE_ELF_OTHER },
		{ ELFDATA2LSB, ET_CORE, SG_FILE_ELF_OTHER },
		{ ELFDATA2LSB, ET_NONE, SG_FILE_ELF_OTHER },
		{ ELFDATA2MSB, ET_REL, SG_FILE_ELF_OTHER },
		/* ET_DYN read in the wrong byte order is 0x0300: not loadable */
		{ ELFDATA2LSB, ET_DYN << 8, SG_FILE_ELF_OTHER },
		/* no byte order: the loader refuses it */
		{ ELFDATANONE, ET_DYN, SG_FILE_ELF_OTHER },
		{ 7, ET_EXEC, SG_FILE_ELF_OTHER },
	};
	unsigned char h[SG_FILEKIND_HEAD_LEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		header(h, cases[i].data, cases[i].type);
		/* a byte order 7 is written as LSB by header() */
		if (cases[i].data == 7)
			h[EI_DATA] = 7;
		if (sg_file_kind_of(h, sizeof(h)) != cases[i].want)
			fail_msg("case %zu: data %u type %#x: got %s", i,
				 cases[i].data, cases[i].type,
				 sg_file_kind_name(sg_file_kind_of(h, sizeof(h))));
	}
}

/* Short reads: no magic is OTHER; magic without e_type is ELF_OTHER. */
static void test_short(void **state)
{
	unsigned char h[SG_FILEKIND_HEAD_LEN];

	(void)state;
	header(h, ELFDATA2LSB, ET_DYN);
	assert_int_equal(sg_file_kind_of(h, 0), SG_FILE_OTHER);
	assert_int_equal(sg_file_kind_of(h, 3), SG_FILE_OTHER);
	assert_int_equal(sg_file_kind_of(h, 4), SG_FILE_ELF_OTHER);
	assert_int_equal(sg_file_kind_of(h, SG_FILEKIND_HEAD_LEN - 1),
			 SG_FILE_ELF_OTHER);
	assert_int_equal(sg_file_kind_of(h, SG_FILEKIND_HEAD_LEN),
			 SG_FILE_ELF_LOADABLE);
	/* longer than needed is fine */
	unsigned char big[64] = { 0 };
	memcpy(big, h, sizeof(h));
	assert_int_equal(sg_file_kind_of(big, sizeof(big)),
			 SG_FILE_ELF_LOADABLE);
}

static void test_not_elf(void **state)
{
	static const char *const texts[] = {
		"# !/bin/sh\n", "!#/bin/sh\n", "#", "\177EL",
		"\177elf and more bytes here",
		"ELF\177 is not the magic either",
		"\177ELG\2\1\1\0\0\0\0\0\0\0\0\0\3\0",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_int_equal(sg_file_kind_of(texts[i], strlen(texts[i])),
				 SG_FILE_OTHER);
}

/* "#!" and nothing else makes a script: the kernel's own test. */
static void test_script(void **state)
{
	static const char *const texts[] = {
		"#!/bin/sh\necho hi\n", "#!", "#! /usr/bin/env python3\n",
		"#!\177ELF",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		assert_int_equal(sg_file_kind_of(texts[i], strlen(texts[i])),
				 SG_FILE_SCRIPT);
	assert_string_equal(sg_file_kind_name(SG_FILE_SCRIPT), "script");
}

static void test_script_names(void **state)
{
	static const char *const yes[] = {
		"x.sh", "/tmp/evil.py", "a.b.pyc", "/usr/lib/x/mod.pm", ".sh",
		"/srv/app.rb", "index.php", "init.lua", "m.mjs", "w.tcl",
	};
	static const char *const no[] = {
		"x", "/tmp/evil", "data.txt", "list", "x.sh.bak", "x.SH",
		"/tmp/dir.py/file", "x.", "x.shx", "libc.so.6", "", "x.p",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!sg_is_script_name(yes[i]))
			fail_msg("'%s' should be a script name", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (sg_is_script_name(no[i]))
			fail_msg("'%s' should not be a script name", no[i]);
}

static enum sg_file_kind kind_of_file(const char *path)
{
	unsigned char h[SG_FILEKIND_HEAD_LEN];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		fail_msg("cannot open %s", path);
	n = pread(fd, h, sizeof(h), 0);
	close(fd);
	assert_true(n >= 0);
	return sg_file_kind_of(h, (size_t)n);
}

static void test_real_files(void **state)
{
	(void)state;
	assert_int_equal(kind_of_file("/proc/self/exe"), SG_FILE_ELF_LOADABLE);
	assert_int_equal(kind_of_file("/bin/true"), SG_FILE_ELF_LOADABLE);
	assert_int_equal(kind_of_file("/proc/self/status"), SG_FILE_OTHER);
	assert_int_equal(kind_of_file("/dev/null"), SG_FILE_OTHER);
}

static void test_interpreter_names(void **state)
{
	static const char *const yes[] = {
		"sh", "bash", "dash", "zsh", "ksh93", "mksh", "busybox",
		"python", "python3", "python3.11", "python2.7", "perl",
		"perl5.36.0",
	};
	static const char *const no[] = {
		"python3-config", "python3.11-config", "pythonx", "python3a",
		"perldoc", "perl-x", "perlbug", "shx", "bashbug", "ssh", "",
		"Python3", "PERL", "env", "true", "python.", "ld.so",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!sg_is_interpreter_name(yes[i]))
			fail_msg("'%s' should be an interpreter", yes[i]);
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (sg_is_interpreter_name(no[i]))
			fail_msg("'%s' should not be an interpreter", no[i]);
}

static void test_interpreter_families(void **state)
{
	(void)state;
	assert_int_equal(sg_interpreter_family("dash"), SG_INTERP_SHELL);
	assert_int_equal(sg_interpreter_family("bash"), SG_INTERP_SHELL);
	assert_int_equal(sg_interpreter_family("busybox"), SG_INTERP_SHELL);
	assert_int_equal(sg_interpreter_family("python3.11"), SG_INTERP_PYTHON);
	assert_int_equal(sg_interpreter_family("python"), SG_INTERP_PYTHON);
	assert_int_equal(sg_interpreter_family("perl5.36.0"), SG_INTERP_PERL);
	assert_int_equal(sg_interpreter_family("ruby3.1"), SG_INTERP_OTHER);
	assert_int_equal(sg_interpreter_family("node"), SG_INTERP_OTHER);
	assert_int_equal(sg_interpreter_family("python3-config"), SG_INTERP_OTHER);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sg_file_kind_name(SG_FILE_OTHER), "other");
	assert_string_equal(sg_file_kind_name(SG_FILE_ELF_OTHER), "elf-other");
	assert_string_equal(sg_file_kind_name(SG_FILE_ELF_LOADABLE),
			    "elf-loadable");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_short),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_script),
		cmocka_unit_test(test_script_names),
		cmocka_unit_test(test_real_files),
		cmocka_unit_test(test_interpreter_names),
		cmocka_unit_test(test_interpreter_families),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
