/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * violation.h - one violation, as the guards hand it to [respond]
 * (respond.h) and as respond's own files pass it on. A type of its own,
 * so that the files that act on a violation need nothing of the
 * interface that dispatches it.
 */
#ifndef SEALGUARD_VIOLATION_H
#define SEALGUARD_VIOLATION_H

#include <stdbool.h>
#include <sys/types.h>

#include "policy.h"
#include "sys/procinfo.h"

struct sg_violation {
	enum sg_kind kind;
	const char *summary;  /* the violation's MESSAGE, one line */
	const char *path;     /* NULL: none (listen) */
	const char *new_path; /* a rename's new name; NULL: none */
	const char *detail;   /* listen: the local address; else NULL */
	const struct sg_procinfo *actor; /* NULL: unknown or gone */
	pid_t pid;            /* the acting process; 0: unknown */
	int pidfd;            /* pins pid: kill and freeze only through it
				 (-1: the actor is gone, or was never pinned) */
	bool from_hook;       /* the actor is a hook (sg_respond_from_hook) */
};

#endif
