/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procstat.c - /proc/<pid>/stat fields. See procstat.h.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "procstat.h"

int sg_proc_stat_fields(const char *stat, struct sg_proc_stat *ret)
{
	const char *after;
	int ppid, pgrp, sid;
	char state;
	unsigned long long start;

	/* comm may hold spaces and parentheses: the last ')' ends it. Then
	 * fields 3 to 22 (proc_pid_stat(5)): state ppid pgrp session tty_nr
	 * tpgid flags minflt cminflt majflt cmajflt utime stime cutime
	 * cstime priority nice num_threads itrealvalue starttime. */
	after = strrchr(stat, ')');
	if (!after ||
	    sscanf(after + 1,
		   " %c %d %d %d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d"
		   " %*d %*d %*d %*d %llu",
		   &state, &ppid, &pgrp, &sid, &start) != 5)
		return -EPROTO;
	*ret = (struct sg_proc_stat){ state, (pid_t)ppid, (pid_t)sid, start };
	return 0;
}
