/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filekind.c - the kind of a file from its first bytes. See filekind.h.
 */
#include <elf.h>
#include <stdint.h>
#include <string.h>

#include "filekind.h"

static unsigned elf_type(const unsigned char *h)
{
	if (h[EI_DATA] == ELFDATA2LSB)
		return (unsigned)h[16] | (unsigned)h[17] << 8;
	if (h[EI_DATA] == ELFDATA2MSB)
		return (unsigned)h[16] << 8 | (unsigned)h[17];
	return ET_NONE;
}

enum sg_file_kind sg_file_kind_of(const void *head, size_t n)
{
	const unsigned char *h = head;
	unsigned type;

	if (n >= 2 && h[0] == '#' && h[1] == '!')
		return SG_FILE_SCRIPT;
	if (n < SELFMAG || memcmp(h, ELFMAG, SELFMAG) != 0)
		return SG_FILE_OTHER;
	if (n < SG_FILEKIND_HEAD_LEN)
		return SG_FILE_ELF_OTHER;
	type = elf_type(h);
	return type == ET_EXEC || type == ET_DYN ? SG_FILE_ELF_LOADABLE :
						   SG_FILE_ELF_OTHER;
}

const char *sg_file_kind_name(enum sg_file_kind k)
{
	switch (k) {
	case SG_FILE_ELF_LOADABLE:
		return "elf-loadable";
	case SG_FILE_ELF_OTHER:
		return "elf-other";
	case SG_FILE_SCRIPT:
		return "script";
	case SG_FILE_OTHER:
	default:
		return "other";
	}
}

/* A name, then nothing or a version: digits and dots, starting with a
 * digit. */
static bool versioned(const char *name, const char *stem)
{
	size_t n = strlen(stem);

	if (strncmp(name, stem, n) != 0)
		return false;
	name += n;
	if (!*name)
		return true;
	if (*name < '0' || *name > '9')
		return false;
	return strspn(name, "0123456789.") == strlen(name);
}

enum sg_interp_family sg_interpreter_family(const char *name)
{
	static const char *const shells[] = {
		"sh", "bash", "dash", "ash", "ksh", "ksh93", "mksh", "pdksh",
		"zsh", "yash", "posh", "busybox", "csh", "tcsh", "fish",
	};

	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (strcmp(name, shells[i]) == 0)
			return SG_INTERP_SHELL;
	if (versioned(name, "python"))
		return SG_INTERP_PYTHON;
	if (versioned(name, "perl"))
		return SG_INTERP_PERL;
	return SG_INTERP_OTHER;
}

bool sg_is_interpreter_name(const char *name)
{
	return sg_interpreter_family(name) != SG_INTERP_OTHER;
}

bool sg_is_script_name(const char *name)
{
	static const char *const suffixes[] = {
		".sh", ".bash", ".zsh", ".ksh", ".py", ".pyc", ".pyo", ".pyw",
		".pl", ".pm", ".pmc", ".rb", ".php", ".lua", ".tcl", ".js",
		".mjs", ".cjs",
	};
	const char *dot = strrchr(name, '.');

	if (!dot || strchr(dot, '/'))
		return false;
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (strcmp(dot, suffixes[i]) == 0)
			return true;
	return false;
}
