/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * intent.h - what a thread blocked on FAN_OPEN_PERM meant to do.
 *
 * The fanotify event does not say whether an open is for writing. With
 * FAN_REPORT_TID the blocked thread is known, and /proc/<tid>/syscall
 * shows the syscall it is blocked in with its register arguments, which
 * cannot change while it waits (design.md). Only syscalls whose flags live
 * in registers can be trusted: openat2 keeps them in user memory and
 * io_uring in a shared ring, so they are "unknown", and unknown fails
 * closed (treated as a write).
 */
#ifndef SEALGUARD_INTENT_H
#define SEALGUARD_INTENT_H

#include <stdbool.h>
#include <sys/types.h>

enum sg_intent {
	SG_INTENT_READ,    /* a read-only open */
	SG_INTENT_EXEC,    /* the kernel's own open for execve/execveat/uselib */
	SG_INTENT_WRITE,   /* write access, O_TRUNC, O_APPEND, O_CREAT, creat() */
	SG_INTENT_UNKNOWN, /* cannot be known: openat2, io_uring, other */
};

/* Why an intent is what it is, for the journal. */
struct sg_intent_info {
	enum sg_intent intent;
	long syscall_nr; /* -1 when not in a syscall or unreadable */
	unsigned long flags; /* the open flags when known */
};

/* Decision for open flags as given to open/openat/open_by_handle_at. */
enum sg_intent sg_intent_from_flags(unsigned long flags);

/*
 * Parse one /proc/<tid>/syscall line ("257 0x... 0x... ..."). Returns 0
 * and fills *ret; -EAGAIN for "running" (the event was queued before the
 * thread slept: read again); -EINVAL for anything unparsable.
 */
int sg_intent_parse(const char *line, struct sg_intent_info *ret);

struct sg_syscall_fds;

/*
 * Read and parse /proc/<tid>/syscall through the kept descriptors of
 * fds (fan/syscallfd.h). Retries "running" for a bounded time (at most
 * about 200 ms: yields, then short sleeps; see intent.c). On any failure *ret says SG_INTENT_UNKNOWN and the
 * return value is the negative errno (the caller fails closed). *retries,
 * if not NULL, is increased by the number of "running" reads.
 */
int sg_intent_read(struct sg_syscall_fds *fds, pid_t tid,
		   struct sg_intent_info *ret, unsigned long *retries);

/*
 * Could the opener read the file's bytes through this open as they are now
 * (load them as code)? A read-only or read-write open can; a write-only
 * one, one that truncates, creat() and the kernel's own open for an exec
 * (judged by its FAN_OPEN_EXEC_PERM) cannot. Unknown can: fail closed.
 */
bool sg_intent_may_read(const struct sg_intent_info *i);

/*
 * Could this open be the dynamic loader's, mapping the file as code? The
 * loaders a trusted program runs (glibc's and musl's ld.so, for
 * LD_PRELOAD, LD_AUDIT, LD_LIBRARY_PATH, dlopen and a program they are
 * handed) open every object read-only with O_CLOEXEC. A read without
 * O_CLOEXEC (cp, cat, sha256sum, tar, sealguard verify) is a plain read.
 * Unknown flags could be anything: fail closed.
 */
bool sg_intent_may_load(const struct sg_intent_info *i);

const char *sg_intent_name(enum sg_intent i);

#endif
