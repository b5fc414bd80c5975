/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_status.c - `sealguard status`: is the guard running, and as what?
 * Reads the record the daemon rewrites (statefile.h); the daemon itself
 * answers no requests, so the CLI needs no way into it.
 */
#include <time.h>

#include "cli.h"
#include "json.h"
#include "statefile.h"


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

/* The record's counters: numbers in JSON. */
static bool is_counter(const char *key)
{
	static const char *const counters[] = {
		"events", "denied_write", "denied_exec", "would_deny", "suppressed",
	};

	for (size_t i = 0; i < ARRAY_SIZE(counters); i++)
		if (streq(key, counters[i]))
			return true;
	return false;
}

/* Every field of the record, under the record's own names. */
static void print_json(const char *rec, const char *state, bool alive,
		       const char *error)
{
	struct sg_json j;
	char v[1024];

	sg_json_start(&j, stdout);
	sg_json_open(&j, NULL, '{');
	sg_json_bool(&j, "running", alive);
	sg_json_str(&j, "state", alive ? "running" :
				 streq(state, "stopped") ? "stopped" :
				 rec ? "unclean" : "absent");
	if (error)
		sg_json_str(&j, "error", error);
	if (rec && sg_state_get(rec, "pid", v, sizeof(v)))
		sg_json_int(&j, "pid", atoi(v));
	if (rec && sg_state_get(rec, "started", v, sizeof(v))) {
		long long started = atoll(v);

		sg_json_int(&j, "started", started);
		if (alive)
			sg_json_int(&j, "uptime_s", (long long)time(NULL) - started);
	}
	for (size_t i = 0; rec && i < ARRAY_SIZE(shown); i++) {
		const char *key = shown[i][0];

		if (!sg_state_get(rec, key, v, sizeof(v)))
			continue;
		if (is_counter(key))
			sg_json_uint(&j, key, strtoull(v, NULL, 10));
		else
			sg_json_str(&j, key, v);
	}
	sg_json_close(&j, '}');
}

static void print_text(const char *rec, const char *state, const char *pid,
		       bool alive)
{
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
}

/*
 * No record is a daemon that is not running (3); a record we may not
 * read says nothing either way: an error (2), not "not running".
 */
static int no_record(const char *path, int r, bool json)
{
	char why[512];

	snprintf(why, sizeof(why), "%s: %s", path, strerror(-r));
	if (r != -ENOENT) {
		cli_error("cannot read the status: %s", why);
		if (json)
			print_json(NULL, "?", false, why);
		return SG_EXIT_ERROR;
	}
	if (json)
		print_json(NULL, "absent", false, why);
	else
		printf("sealguardd: not running (%s)\n", why);
	return SG_EXIT_NOT_RUNNING;
}

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
	r = cli_read_status(o.state_dir, rec, sizeof(rec));
	if (r < 0)
		return no_record(path, r, o.json);
	(void)sg_state_get(rec, "state", state, sizeof(state));
	(void)sg_state_get(rec, "pid", pid, sizeof(pid));
	alive = cli_daemon_running(rec, NULL);
	if (o.json)
		print_json(rec, state, alive, NULL);
	else
		print_text(rec, state, pid, alive);
	return alive ? SG_EXIT_OK : SG_EXIT_NOT_RUNNING;
}
