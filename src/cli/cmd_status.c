/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_status.c - `sealguard status`: is the guard running, and as what?
 * Reads the record the daemon rewrites (statefile.h); the daemon itself
 * answers no requests, so the CLI needs no way into it.
 */
#include <time.h>

#include "cli.h"
#include "statefile.h"

/* Exit status as for an LSB init script: 3 = not running. */
#define SG_EXIT_NOT_RUNNING 3

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
	const char *dir;
	char rec[SG_STATE_RECORD_SIZE + 1], state[32] = "?", pid[32] = "0";
	struct cli_opts o;
	bool alive;
	int r;

	r = cli_parse_opts(argc, argv, "s", "status", &o);
	if (r != SG_EXIT_OK)
		return r < 0 ? SG_EXIT_OK : r;
	dir = o.state_dir ? o.state_dir : SG_DEFAULT_STATE_DIR;
	r = cli_read_status(dir, rec, sizeof(rec));
	if (r < 0) {
		printf("sealguardd: not running (%s/status: %s)\n", dir,
		       strerror(-r));
		return SG_EXIT_NOT_RUNNING;
	}
	(void)sg_state_get(rec, "state", state, sizeof(state));
	(void)sg_state_get(rec, "pid", pid, sizeof(pid));
	alive = cli_daemon_running(rec, NULL);
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
