/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tracer.h - is a process traced or stopped? The daemon and its
 * responder ask it of each other (a debugger on either is door 7 of the
 * threat model, docs/seal.md).
 */
#ifndef SEALGUARD_TRACER_H
#define SEALGUARD_TRACER_H

#include <stdbool.h>
#include <sys/types.h>

struct sg_tracer {
	pid_t tracer;  /* the TracerPid of one of the threads; 0: none */
	pid_t tid;     /* the thread it traces (or the first stopped one) */
	char state;    /* that thread's State letter; 't' or 'T': stopped */
	bool stopped;  /* some thread is stopped (job control or ptrace) */
};

/*
 * Read every thread of pid (proc_fd/PID/task/TID/status: a tracer can
 * attach one thread only, and TracerPid is per thread). Only reads,
 * through openat and getdents64: safe after the self-seal. 0, or a
 * negative errno (-ESRCH: pid is gone).
 */
int sg_tracer_read(int proc_fd, pid_t pid, struct sg_tracer *ret);

/* The pure half (the fuzzer's entry point): a thread's State letter and
 * TracerPid from the NUL-terminated text of its status file. 0, or
 * -EPROTO when either line is missing (outputs then untouched). */
int sg_tracer_status_parse(const char *text, char *ret_state,
			   pid_t *ret_tracer);

#endif
