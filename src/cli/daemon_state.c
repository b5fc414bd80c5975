/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon_state.c - is sealguardd running? The record the daemon rewrites
 * in its state directory (statefile.h), read whole, and its pid checked
 * against /proc. Shared by `status` and `selftest`.
 */
#include <fcntl.h>
#include <signal.h>

#include "cli.h"
#include "statefile.h"

int cli_read_status(const char *state_dir, char *buf, size_t size)
{
	_cleanup_free_ char *path = NULL;

	if (asprintf(&path, "%s/status",
		     state_dir ? state_dir : SG_DEFAULT_STATE_DIR) < 0)
		return -ENOMEM;
	/* again if the daemon was rewriting it */
	for (int tries = 0; tries < 20; tries++) {
		ssize_t n;
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

		if (fd < 0)
			return -errno;
		n = pread(fd, buf, size - 1, 0);
		(void)close(fd);
		if (n < 0)
			return -errno;
		buf[n] = '\0';
		if (sg_state_whole(buf))
			return 0;
		(void)usleep(5000);
	}
	return -EAGAIN;
}

bool cli_daemon_alive(pid_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (pid <= 0 || kill(pid, 0) < 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	(void)fclose(f);
	return strncmp(comm, "sealguardd", 10) == 0;
}

bool cli_daemon_running(const char *rec, pid_t *ret_pid)
{
	char state[32] = "", pid[32] = "0";
	pid_t p;

	(void)sg_state_get(rec, "state", state, sizeof(state));
	(void)sg_state_get(rec, "pid", pid, sizeof(pid));
	p = (pid_t)atoi(pid);
	if (!streq(state, "running") || !cli_daemon_alive(p))
		return false;
	if (ret_pid)
		*ret_pid = p;
	return true;
}
