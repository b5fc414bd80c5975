/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * responder.h - the privilege-separated helper that does what the sealed
 * daemon may not: run the operator's hook programs and freeze cgroups.
 *
 * The daemon forks it before it drops its capabilities and loads its
 * seccomp filter (which allows neither fork, exec, nor a write-open). The
 * two talk over a SOCK_SEQPACKET socket pair (responder_wire.h). The
 * daemon never waits on the responder: it sends without blocking, reads
 * replies from its poll loop, and a request the responder cannot take is
 * answered "dropped". The responder keeps one capability
 * (CAP_DAC_OVERRIDE, for cgroups delegated to a user), sets no_new_privs
 * and locks the securebits, so every hook runs as root without
 * capabilities and cannot gain any. It dies with the daemon.
 */
#ifndef SEALGUARD_RESPONDER_H
#define SEALGUARD_RESPONDER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "errlist.h"
#include "respond/responder_wire.h"

struct sg_responder_config {
	const char *hook;        /* NULL: none */
	const char *reprovision; /* NULL: none */
	unsigned timeout_s;
	bool permissive;         /* tamper answers are only logged as "would" */
};

/* responder.c: the daemon's side of the start-up. */

/*
 * Fork the responder (call before any thread exists, and before the
 * capabilities are dropped: it keeps what it needs). Waits until it
 * reports ready. Returns the daemon's end of the socket pair and the
 * responder's pid in *ret_pid, its HELLO flags in *ret_flags; or a
 * negative errno with the reason in errs.
 */
int sg_responder_start(const struct sg_responder_config *cfg, pid_t *ret_pid,
		       uint32_t *ret_flags, struct errlist *errs);

/* responder_cgroup.c: the cgroup rules both sides apply. */

/*
 * Why cg (a cgroup v2 path, as /proc/PID/cgroup gives it) must not be
 * frozen by a guard whose own cgroup is own, or NULL: not an absolute
 * path without "." or ".." components; the root (it cannot be frozen);
 * own or any cgroup above it (that would freeze the guard, and every
 * process waiting on a permission event with it). The daemon asks before
 * it stops the actor; the responder asks again before it writes.
 */
const char *sg_cgroup_freeze_refusal(const char *own, const char *cg);

/* Our own cgroup v2 path into buf ("/" if none is found). */
void sg_read_own_cgroup(char *buf, size_t size);

#endif
