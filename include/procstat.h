/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procstat.h - the fields of /proc/<pid>/stat that sealguard reads: the
 * parent and session of a process, and its start time, which with the pid
 * names one process for good (a pid is reused, a pid and a start time are
 * not within one boot).
 */
#ifndef SEALGUARD_PROCSTAT_H
#define SEALGUARD_PROCSTAT_H

#include <sys/types.h>

struct sg_proc_stat {
	char state;
	pid_t ppid;
	pid_t sid;
	unsigned long long start; /* clock ticks after boot (field 22) */
};

/* Parse the text of /proc/<pid>/stat. 0 or -EPROTO. */
int sg_proc_stat_fields(const char *stat, struct sg_proc_stat *ret);

#endif
