/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procinfo.h - who is acting: a thread's process, program, name and uid,
 * read from /proc through a directory fd opened before sealing (procfs is
 * never marked, so reading it cannot wait on the guard).
 */
#ifndef SEALGUARD_PROCINFO_H
#define SEALGUARD_PROCINFO_H

#include <limits.h>
#include <sys/stat.h>
#include <sys/types.h>

struct sg_procinfo {
	pid_t pid;  /* thread group id; 0 if unknown */
	pid_t ppid;
	uid_t uid;  /* real uid; (uid_t)-1 if unknown */
	uid_t euid;
	char exe[PATH_MAX]; /* "?" if unknown */
	char comm[32];      /* "?" if unknown */
};

/* Read a small /proc file (name relative to procfd) into buf, NUL-
 * terminated. Returns its length or a negative errno. */
ssize_t sg_proc_read(int procfd, const char *name, char *buf, size_t size);

/* Fill what can be read; missing parts stay "unknown". 0 if the thread
 * was found, else a negative errno (the struct is still usable). */
int sg_procinfo_read(int procfd, pid_t tid, struct sg_procinfo *ret);

/* The parent and session of a process (/proc/<pid>/stat). 0 or a
 * negative errno. */
int sg_proc_stat(int procfd, pid_t pid, pid_t *ret_ppid, pid_t *ret_sid);

/* The pure halves of the two readers (the fuzzers' entry points): the
 * NUL-terminated text of /proc/<pid>/stat (0 or -EPROTO; the outputs are
 * written only on success), and of /proc/<pid>/status (Tgid, PPid, Uid:
 * what it finds overwrites p's fields, the rest is left alone). */
int sg_proc_stat_parse(const char *stat, pid_t *ret_ppid, pid_t *ret_sid);
void sg_proc_status_parse(const char *status, struct sg_procinfo *p);

/* stat() of the thread's executable (follows /proc/<tid>/exe). */
int sg_proc_exe_stat(int procfd, pid_t tid, struct stat *ret);

/* The path an open fd of ours refers to (readlink /proc/self/fd/N). */
int sg_fd_path(int procfd, int fd, char *buf, size_t size);

#endif
