/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * syscallfd.h - /proc/<tid>/syscall descriptors of busy threads, kept
 * open and re-read with pread.
 *
 * Every open of a protected file costs the opener's syscall line
 * (fan/intent.h). Opening the file anew is a path walk through /proc
 * each time; a thread that opens many files (a build, a backup, the
 * benchmark's loop) asks again and again. A kept descriptor is re-read
 * from offset 0, which makes the kernel generate the line afresh.
 *
 * A kept descriptor can never describe another thread: it holds the
 * thread's struct pid, not its number. Once that thread is gone, a read
 * fails with ESRCH even when the number was given to a new thread, and
 * the slot is opened again for the new one. The kernel's access check
 * (ptrace_may_access) runs at every read, not at the open.
 *
 * The table is small and direct-mapped by tid; a slot not used between
 * two sweeps (the loop's tick, one a second) is closed, so an idle
 * daemon holds none of them.
 */
#ifndef SEALGUARD_SYSCALLFD_H
#define SEALGUARD_SYSCALLFD_H

#include <stdbool.h>
#include <sys/types.h>

#define SG_SYSCALL_FDS 16

struct sg_syscall_fd {
	pid_t tid; /* 0: free */
	int fd;
	bool used; /* read since the last sweep */
};

struct sg_syscall_fds {
	int procfd; /* /proc, not owned */
	struct sg_syscall_fd slot[SG_SYSCALL_FDS];
};

void sg_syscall_fds_init(struct sg_syscall_fds *c, int procfd);

/*
 * The current /proc/<tid>/syscall line of tid into buf (NUL-terminated).
 * Returns its length, or a negative errno (-ESRCH: no such thread).
 */
ssize_t sg_syscall_fds_read(struct sg_syscall_fds *c, pid_t tid, char *buf,
			    size_t size);

/* Close every slot not read since the previous sweep. */
void sg_syscall_fds_sweep(struct sg_syscall_fds *c);

/* Close them all. */
void sg_syscall_fds_close(struct sg_syscall_fds *c);

#endif
