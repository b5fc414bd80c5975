/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * selfseal.h - the self-seal: the daemon gives away every power it does not need before it
 * answers its first event: capabilities (libcap), no_new_privs, and a
 * seccomp allowlist (libseccomp) whose every entry is in one table in
 * selfseal.c, documented in docs/seal.md. (The read-only mounts of the
 * protected paths are watch/rdonly; the fanotify marks are fan/guard.)
 */
#ifndef SEALGUARD_SELFSEAL_H
#define SEALGUARD_SELFSEAL_H

#include <stdbool.h>

#include "errlist.h"

/* What to do with a syscall outside the allowlist. */
enum sg_seccomp_action {
	SG_SECCOMP_KILL, /* kill the whole process (production) */
	SG_SECCOMP_TRAP, /* SIGSYS: the handler names the syscall, then dies */
	SG_SECCOMP_OFF,  /* no filter at all, only no_new_privs: for a memory
			    checker (valgrind makes syscalls of its own that
			    no allowlist of ours can foresee); logged at crit
			    and shown by the status record and the heartbeat */
};

/*
 * Keep exactly the capabilities the running daemon needs (the table in
 * seal.c says why each one) in the effective, permitted and bounding sets;
 * clear inheritable and ambient; lock the securebits so that nothing can
 * regain them. 0 or a negative errno (with a message in errs).
 */
int sg_selfseal_capabilities(struct errlist *errs);

/*
 * Set no_new_privs and load the seccomp allowlist for every thread of the
 * process (TSYNC); SG_SECCOMP_OFF sets no_new_privs only. 0 or a negative
 * errno (with a message in errs).
 */
int sg_selfseal_seccomp(enum sg_seccomp_action action, struct errlist *errs);

/* Number of syscalls in the allowlist (for the start-up entry). */
unsigned sg_selfseal_syscall_count(void);

/* Print the allowlist, one "name  why" line each (sealguardd --list-syscalls). */
void sg_selfseal_print_syscalls(FILE *out);

/* Print the kept capabilities, one "name  why" line each. */
void sg_selfseal_print_capabilities(FILE *out);

#endif
