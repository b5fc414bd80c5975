/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * selftest_report.c - where the verdict of `sealguard selftest` goes: the
 * text or JSON on stdout, its own journal entry (SG_MSGID_SELFTEST), and
 * the record in the state directory that the daemon's heartbeat reads
 * (statefile.h). See selftest.h.
 */
#include <fcntl.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include "clock.h"
#include "cli.h"
#include "messages.h"
#include "selftest.h"
#include "statefile.h"

static const char *const status_names[] = {
	[ST_ENFORCED] = "enforced",	  [ST_SEALED] = "sealed",
	[ST_UNLOGGED] = "not-logged",	  [ST_LET_THROUGH] = "let-through",
	[ST_SKIPPED] = "skipped",	  [ST_ERROR] = "error",
};

const char *st_status_name(enum st_status s)
{
	return status_names[s];
}

const char *st_errno_name(int e)
{
	const char *n = e ? strerrorname_np(e) : NULL;

	return n ? n : e ? "?" : "none";
}

const char *st_result_name(int code)
{
	return code == SG_EXIT_OK ? "pass" : code == SG_EXIT_PROBLEMS ? "fail" : "error";
}


/* A JSON string of free text (a message that may quote a path): control
 * characters as \u00XX, bytes above 0x7e as the text \xHH, so any bytes
 * make valid JSON. */
static void json_text(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else if (c > 0x7f)
			printf("\\\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* A path as JSON: escaped as in the baseline first (\xHH for bytes
 * outside 0x21..0x7e and for '\\' itself), so it reads back unambiguously. */
static void json_path(const char *path)
{
	_cleanup_free_ char *esc = sg_path_escape(path);

	json_text(esc ? esc : "?");
}

void st_print_json(const struct st_run *run)
{
	printf("{\"result\":\"%s\",\"exit\":%d,", st_result_name(run->exit), run->exit);
	if (run->daemon_pid > 0) {
		printf("\"daemon\":{\"pid\":%d,\"mode\":", (int)run->daemon_pid);
		json_text(run->mode);
		printf("},");
	} else
		printf("\"daemon\":null,");
	if (run->error[0]) {
		printf("\"error\":");
		json_text(run->error);
		printf(",");
	}
	printf("\"checks\":[");
	for (size_t i = 0; !run->error[0] && i < CHECK__COUNT; i++) {
		const struct st_check *c = &run->checks[i];

		printf("%s{\"check\":\"%s\",\"status\":\"%s\",\"target\":",
		       i ? "," : "", c->name, st_status_name(c->status));
		json_path(c->target);
		printf(",\"errno\":\"%s\",\"killed\":%s,\"journal\":",
		       c->ans.done && c->ans.refused && !c->ans.killed ?
			       st_errno_name(c->ans.err) : "none",
		       c->ans.killed ? "true" : "false");
		if (c->found)
			printf("\"%s\"", c->found);
		else
			printf("null");
		printf(",\"detail\":");
		json_text(c->detail);
		printf("}");
	}
	printf("]}\n");
}

void st_print_text(const struct st_run *run)
{
	if (run->error[0]) {
		cli_error("selftest: %s", run->error);
		return;
	}
	for (size_t i = 0; i < CHECK__COUNT; i++) {
		const struct st_check *c = &run->checks[i];
		_cleanup_free_ char *t = sg_path_escape(c->target);

		printf("%-7s %-12s %s%s%s\n", c->name, st_status_name(c->status),
		       t && *t ? t : "", t && *t ? ": " : "", c->detail);
	}
	printf("selftest: %s\n", st_result_name(run->exit));
}

/* The verdict's own journal entry: one field per check. */
/* The status of check i, or "none" when the run stopped before it. */
static const char *check_status(const struct st_run *run, size_t i)
{
	return run->error[0] ? "none" : st_status_name(run->checks[i].status);
}

static bool check_failed(const struct st_check *c)
{
	return c->status == ST_LET_THROUGH || c->status == ST_UNLOGGED ||
	       c->status == ST_ERROR;
}

void st_log_result(const struct st_run *run)
{
	const struct st_check *c = run->checks;
	char summary[256] = "", failed[64] = "";
	int r;

	for (size_t i = 0; !run->error[0] && i < CHECK__COUNT; i++) {
		size_t n = strlen(summary), f = strlen(failed);

		snprintf(summary + n, sizeof(summary) - n, "%s%s %s", i ? ", " : "",
			 c[i].name, check_status(run, i));
		if (check_failed(&c[i]))
			snprintf(failed + f, sizeof(failed) - f, "%s%s",
				 f ? "," : "", c[i].name);
	}
	/* the probes' pids name the daemon's entries for them: a collector
	 * can tell the selftest's hourly denials from an intruder's */
	r = sd_journal_send(
		"MESSAGE=sealguard selftest: %s: %s", st_result_name(run->exit),
		run->error[0] ? run->error : summary,
		"MESSAGE_ID=" SG_MSGID_SELFTEST,
		"PRIORITY=%d", run->exit == SG_EXIT_OK ? LOG_INFO : LOG_ERR,
		"SEALGUARD_EVENT=selftest",
		"SEALGUARD_SELFTEST_RESULT=%s", st_result_name(run->exit),
		"SEALGUARD_SELFTEST_WRITE=%s", check_status(run, CHECK_WRITE),
		"SEALGUARD_SELFTEST_EXEC=%s", check_status(run, CHECK_EXEC),
		"SEALGUARD_SELFTEST_LISTEN=%s", check_status(run, CHECK_LISTEN),
		"SEALGUARD_SELFTEST_PIDS=%d,%d,%d", (int)c[CHECK_WRITE].pid,
		(int)c[CHECK_EXEC].pid, (int)c[CHECK_LISTEN].pid,
		"SEALGUARD_SELFTEST_FAILED=%s", failed,
		"SEALGUARD_SELFTEST_ERROR=%s", run->error,
		"SEALGUARD_DAEMON_PID=%d", (int)run->daemon_pid,
		NULL);
	if (r < 0)
		cli_error("selftest: cannot log the result to the journal: %s",
			  strerror(-r));
}

/* The verdict where the daemon's heartbeat reads it (statefile.h): one
 * pwrite of a fixed-size record into the file the daemon holds open, so
 * it never sees a half-written one that looks whole. */
void st_save_result(const char *state_dir, const struct st_run *run)
{
	const char *dir = state_dir ? state_dir : SG_DEFAULT_STATE_DIR;
	char path[PATH_MAX], body[SG_SELFTEST_RECORD_SIZE];
	uint64_t seq = sg_realtime_us();
	_cleanup_close_ int fd = -1;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, SG_SELFTEST_RECORD);
	snprintf(body, sizeof(body),
		 "result=%s\nat=%" PRIu64 "\nwrite=%s\nexec=%s\nlisten=%s\n",
		 st_result_name(run->exit), seq / 1000000,
		 check_status(run, CHECK_WRITE), check_status(run, CHECK_EXEC),
		 check_status(run, CHECK_LISTEN));
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
	if (fd < 0) {
		/* no state directory: no daemon ever ran to read it */
		if (errno != ENOENT)
			cli_error("selftest: %s: %m", path);
		return;
	}
	r = sg_record_write(fd, SG_SELFTEST_RECORD_SIZE, seq, body);
	if (r < 0)
		cli_error("selftest: cannot write %s: %s", path, strerror(-r));
}
