/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filekind.h - what the first bytes of a file say it is, as far as running
 * it goes: an ELF object the loader can map (an executable or a shared
 * object), or anything else. A pure function of the bytes, so that the
 * daemon can pread them from an event's descriptor and the tests can feed
 * it any header.
 */
#ifndef SEALGUARD_FILEKIND_H
#define SEALGUARD_FILEKIND_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes needed to tell the kind: e_ident (16) and e_type (2). */
#define SG_FILEKIND_HEAD_LEN 18

enum sg_file_kind {
	SG_FILE_OTHER,       /* not ELF nor "#!" (text, data, short) */
	SG_FILE_ELF_OTHER,   /* ELF the loader does not run: ET_REL, ET_CORE */
	SG_FILE_ELF_LOADABLE, /* ET_EXEC or ET_DYN (PIE programs, libraries,
				 the loader itself) */
	SG_FILE_SCRIPT       /* starts with "#!" */
};

/*
 * The kind of a file whose first n bytes are head. The ELF type is read
 * in the byte order e_ident[EI_DATA] names; a header too short to hold
 * e_type, or with a byte order that is neither, is ELF_OTHER when the
 * magic is there (a loader would refuse it too) and OTHER otherwise.
 */
enum sg_file_kind sg_file_kind_of(const void *head, size_t n);

const char *sg_file_kind_name(enum sg_file_kind k);

/*
 * Is name (a file name, no directory) that of an interpreter the default
 * [exec] interpreter list takes from the baseline: a shell (sh, bash,
 * dash, ash, ksh, ksh93, mksh, pdksh, zsh, yash, posh, busybox, csh,
 * tcsh, fish), or python or perl with an optional version made of digits
 * and dots (python3, python3.11, perl5.36.0)? "python3-config" and
 * "perldoc" are not.
 */
bool sg_is_interpreter_name(const char *name);

/* The interpreters whose command lines sealguard reads, by the name of
 * their program (sys/scriptarg.h); anything else is OTHER. */
enum sg_interp_family {
	SG_INTERP_OTHER,
	SG_INTERP_SHELL,  /* the shells of sg_is_interpreter_name */
	SG_INTERP_PYTHON, /* python, python3, python3.11 */
	SG_INTERP_PERL,   /* perl, perl5.36.0 */
};
enum sg_interp_family sg_interpreter_family(const char *name);

/*
 * Does name (a path or a file name) end in a suffix interpreters load as
 * source or compiled code: .sh .bash .zsh .ksh .py .pyc .pyo .pyw .pl
 * .pm .pmc .rb .php .lua .tcl .js .mjs .cjs? A data file an interpreter
 * reads (a shell's "< list", a config) rarely does; see docs/policy.md.
 */
bool sg_is_script_name(const char *name);

#endif
