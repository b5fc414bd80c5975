/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * memwatch.h - a tripwire on /proc/PID/mem of the daemon and of its
 * responder: the daemon watches both, the responder watches the daemon. Root can write a process's memory without attaching to it
 * (no TracerPid for the tracer watch to see): through /proc/PID/mem, or
 * with process_vm_writev(2). The first goes through the VFS, so an
 * inotify watch on the file sees its open and its writes.
 *
 * What it cannot see, and why (the limits the README states): every
 * mount of procfs is its own superblock (Linux >= 5.8), so a proc
 * mounted afresh elsewhere has another /proc/PID/mem inode, with no
 * watch on it; and process_vm_writev is no file operation at all. Only
 * the kernel shuts those: Yama's ptrace_scope = 3 ([harden]), or
 * proc_mem.force_override=never for writes to read-only pages.
 *
 * Each thread's /proc/PID/task/TID/mem is another inode that writes the
 * same memory: every one of them is watched, for the threads that exist
 * when the watch is added. The daemon's threads all start before its
 * watch (the journal writer, the hasher, the index walker, the verifier);
 * the responder watches the daemon from before the daemon has threads,
 * so it sees PID/mem and the main thread's task file only.
 *
 * The dentries under /proc/PID are dropped as soon as nobody holds them,
 * and a new lookup makes a new inode: each watched file is kept open, so
 * that every opener through this /proc finds the watched inode.
 */
#ifndef SEALGUARD_MEMWATCH_H
#define SEALGUARD_MEMWATCH_H

#include <stdint.h>
#include <sys/types.h>

enum sg_memwatch_target { SG_MEM_DAEMON, SG_MEM_RESPONDER, SG_MEM__COUNT };

/* What was done to a target's memory file since the last read. */
#define SG_MEM_OPENED 1u
#define SG_MEM_READ 2u
#define SG_MEM_WRITTEN 4u

/* PID/mem and the task files of up to this many threads, in all. */
#define SG_MEMWATCH_MAX 48

struct sg_memwatch_file {
	int keep; /* the watched file, held open; -1: none */
	int wd;   /* -1: not watched (or forgotten) */
	enum sg_memwatch_target target;
};

struct sg_memwatch {
	int inotify;
	unsigned n;
	struct sg_memwatch_file files[SG_MEMWATCH_MAX];
};

/* An inotify instance with no watch yet. Before the seal
 * (inotify_init1). 0 or a negative errno; on failure nothing is open. */
int sg_memwatch_open(struct sg_memwatch *w);
/*
 * Watch pid's memory files (proc_fd: /proc) as target: PID/mem and
 * PID/task/TID/mem of each of its threads. Before the seal
 * (inotify_add_watch), and while the opener may still open them (the
 * daemon keeps CAP_SYS_PTRACE; the responder adds its watch before it
 * drops its capabilities). 0 or the first negative errno (-EPERM: the
 * kernel refuses the open, as Yama's ptrace_scope = 3 does; -ENOSPC:
 * more threads than SG_MEMWATCH_MAX); what could be watched is.
 */
int sg_memwatch_add(struct sg_memwatch *w, int proc_fd,
		    enum sg_memwatch_target t, pid_t pid);
/* Drain the events: SG_MEM_* bits per target into ret. Never blocks.
 * 0, or a negative errno (-EOVERFLOW: the queue overflowed and events
 * were lost; ret holds those that were not, the caller decides). */
int sg_memwatch_read(struct sg_memwatch *w, unsigned ret[SG_MEM__COUNT]);
/* The responder is gone: stop watching its file (its pid may be reused). */
void sg_memwatch_forget(struct sg_memwatch *w, enum sg_memwatch_target t);
void sg_memwatch_close(struct sg_memwatch *w);

#endif
