/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_status.c - `sealguard status`: is the guard running, and as what?
 * Reads the record the daemon rewrites (statefile.h); the daemon itself
 * answers no requests, so the CLI needs no way into it.
 */
#include <fcntl.h>
#include <signal.h>
#include <time.h>

#include "cli.h"
#include "statefile.h"

/* Exit status as for an LSB init script: 3 = not running. */
#define SG_EXIT_NOT_RUNNING 3

/* Read a whole record, again if the daemon was rewriting it. */
static int read_record(const char *path, char *buf, size_t size)
{
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

/* Is pid alive and a sealguardd (not a reused pid)? */
static bool daemon_alive(pid_t pid)
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

static void print_field(const char *rec, const char *key, const char *label)
{
	char v[1024];

	if (sg_state_get(rec, key, v, sizeof(v)))
		printf("%-16s %s\n", label, v);
}

static void print_uptime(const char *rec)
{
	char v[32];
	long long started, up;

	if (!sg_state_get(rec, "started", v, sizeof(v)))
		return;
	started = atoll(v);
	up = (long long)time(NULL) - started;
	printf("%-16s %lldd %02lld:%02lld:%02lld\n", "uptime", up / 86400,
	       up / 3600 % 24, up / 60 % 60, up % 60);
}

static const char *const shown[][2] = {
	{ "mode", "mode" },
	{ "policy", "policy" },
	{ "policy_sha256", "  sha256" },
	{ "baseline", "baseline" },
	{ "baseline_sha256", "  sha256" },
	{ "baseline_key", "  signed by" },
	{ "capabilities", "capabilities" },
	{ "seccomp", "seccomp" },
	{ "no_new_privs", "no_new_privs" },
	{ "events", "events" },
	{ "denied_write", "write denials" },
	{ "denied_exec", "exec denials" },
	{ "would_deny", "would-deny" },
	{ "suppressed", "log suppressed" },
	{ "summary", "status" },
};

int cmd_status(int argc, char **argv)
{
	_cleanup_free_ char *path = NULL;
	char rec[SG_STATE_RECORD_SIZE + 1], state[32] = "?", pid[32] = "0";
	struct cli_opts o;
	bool alive;
	int r;

	r = cli_parse_opts(argc, argv, "sJ", "status", &o);
	if (r != SG_EXIT_OK)
		return r < 0 ? SG_EXIT_OK : r;
	if (asprintf(&path, "%s/status",
		     o.state_dir ? o.state_dir : SG_DEFAULT_STATE_DIR) < 0)
		return SG_EXIT_ERROR;
	r = read_record(path, rec, sizeof(rec));
	if (r < 0) {
		printf("sealguardd: not running (%s: %s)\n", path, strerror(-r));
		return SG_EXIT_NOT_RUNNING;
	}
	(void)sg_state_get(rec, "state", state, sizeof(state));
	(void)sg_state_get(rec, "pid", pid, sizeof(pid));
	alive = streq(state, "running") && daemon_alive((pid_t)atoi(pid));
	if (alive)
		printf("sealguardd: running, pid %s\n", pid);
	else if (streq(state, "stopped"))
		printf("sealguardd: not running (stopped cleanly, pid %s)\n", pid);
	else
		printf("sealguardd: not running (pid %s ended uncleanly)\n", pid);
	if (alive)
		print_uptime(rec);
	for (size_t i = 0; i < ARRAY_SIZE(shown); i++)
		print_field(rec, shown[i][0], shown[i][1]);
	return alive ? SG_EXIT_OK : SG_EXIT_NOT_RUNNING;
}
