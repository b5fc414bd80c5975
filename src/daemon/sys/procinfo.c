/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * procinfo.c - reading /proc for the journal. See procinfo.h.
 */
#include <fcntl.h>
#include <stdio.h>

#include "procstat.h"
#include "sys/procinfo.h"
#include "util.h"

ssize_t sg_proc_read(int procfd, const char *name, char *buf, size_t size)
{
	ssize_t n;
	int fd = openat(procfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		n = -errno;
	(void)close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

void sg_proc_status_parse(const char *status, struct sg_procinfo *p)
{
	const char *line;
	unsigned ruid, euid;

	if ((line = strstr(status, "\nTgid:")))
		p->pid = (pid_t)atoi(line + 6);
	if ((line = strstr(status, "\nPPid:")))
		p->ppid = (pid_t)atoi(line + 6);
	if ((line = strstr(status, "\nUid:")) &&
	    sscanf(line + 5, "%u %u", &ruid, &euid) == 2) {
		p->uid = ruid;
		p->euid = euid;
	}
}

int sg_procinfo_read(int procfd, pid_t tid, struct sg_procinfo *ret)
{
	char name[64], status[2048];
	ssize_t n;

	*ret = (struct sg_procinfo){ .uid = (uid_t)-1, .euid = (uid_t)-1 };
	strcpy(ret->exe, "?");
	strcpy(ret->comm, "?");
	if (tid <= 0)
		return -ESRCH;

	snprintf(name, sizeof(name), "%d/status", (int)tid);
	n = sg_proc_read(procfd, name, status, sizeof(status));
	if (n < 0)
		return (int)n;
	sg_proc_status_parse(status, ret);

	snprintf(name, sizeof(name), "%d/comm", (int)tid);
	if (sg_proc_read(procfd, name, ret->comm, sizeof(ret->comm)) > 0)
		ret->comm[strcspn(ret->comm, "\n")] = '\0';

	snprintf(name, sizeof(name), "%d/exe", (int)tid);
	n = readlinkat(procfd, name, ret->exe, sizeof(ret->exe) - 1);
	if (n > 0)
		ret->exe[n] = '\0';
	else
		strcpy(ret->exe, "?");
	return 0;
}

int sg_proc_stat_parse(const char *stat, pid_t *ret_ppid, pid_t *ret_sid)
{
	struct sg_proc_stat f;
	int r = sg_proc_stat_fields(stat, &f);

	if (r < 0)
		return r;
	*ret_ppid = f.ppid;
	*ret_sid = f.sid;
	return 0;
}

int sg_proc_stat(int procfd, pid_t pid, pid_t *ret_ppid, pid_t *ret_sid)
{
	char name[64], stat[1024];
	ssize_t n;

	snprintf(name, sizeof(name), "%d/stat", (int)pid);
	n = sg_proc_read(procfd, name, stat, sizeof(stat));
	if (n < 0)
		return (int)n;
	return sg_proc_stat_parse(stat, ret_ppid, ret_sid);
}

int sg_proc_exe_stat(int procfd, pid_t tid, struct stat *ret)
{
	char name[64];

	if (tid <= 0)
		return -ESRCH;
	snprintf(name, sizeof(name), "%d/exe", (int)tid);
	if (fstatat(procfd, name, ret, 0) < 0)
		return -errno;
	return 0;
}

int sg_fd_path(int procfd, int fd, char *buf, size_t size)
{
	char name[64];
	ssize_t n;

	snprintf(name, sizeof(name), "self/fd/%d", fd);
	n = readlinkat(procfd, name, buf, size - 1);
	if (n < 0)
		return -errno;
	if ((size_t)n >= size - 1)
		return -ENAMETOOLONG;
	buf[n] = '\0';
	return 0;
}
