/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * heartbeat.c - the tether's heartbeat entry. See heartbeat.h.
 *
 * The seal state is read live from /proc/self/status at every beat (its
 * Seccomp, NoNewPrivs and Cap* lines), not remembered from start-up: the
 * beat reports what the kernel enforces on us now.
 */
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sys/stat.h>

#include "clock.h"
#include "hash.h"
#include "messages.h"
#include "policy.h"
#include "signature.h"
#include "statefile.h"
#include "log/heartbeat.h"
#include "log/sglog.h"

#define TAMPER_MAX 128

static struct {
	const struct sg_policy *policy;
	unsigned interval_s;
	uint64_t slack_ms; /* a beat is due this early: half a tick */
	int status_fd; /* /proc/self/status, opened before the seal */
	int selftest_fd; /* <state-dir>/selftest, likewise; -1: none */
	char selftest_result[24], selftest_at[24]; /* the last whole record */
	uint64_t next_ms, started_ms, seq;
	char policy_sha[SG_SHA256_HEX_LEN + 1];
	char baseline_sha[SG_SHA256_HEX_LEN + 1];
	char key_fpr[SG_SHA256_HEX_LEN + 1];
	char boot_id[40];
	char tamper[TAMPER_MAX];
} hb = { .status_fd = -1, .selftest_fd = -1, .slack_ms = 500 };

/* The seal as /proc/self/status shows it. */
struct seal_state {
	char seccomp[16];  /* "filter", "strict", "none" or "?" */
	char no_new_privs[4];
	char cap_eff[20], cap_prm[20], cap_bnd[20];
};

static int file_sha(const char *path, char *hex, struct errlist *warns)
{
	unsigned char sha[SG_SHA256_LEN];
	int fd, r;

	strcpy(hex, "?");
	/* O_NONBLOCK: a FIFO put in its place must not hang the start */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		r = -errno;
	else
		r = sg_sha256_fd(fd, sha, NULL);
	if (fd >= 0)
		(void)close(fd);
	if (r < 0)
		return errlist_add(warns, "heartbeat: cannot hash %s: %s", path,
				   strerror(-r));
	sg_hex_encode(sha, SG_SHA256_LEN, hex);
	return 0;
}

/* The kernel's boot id, as the journal's _BOOT_ID writes it (no dashes). */
static int read_boot_id(struct errlist *warns)
{
	char buf[64], *out = hb.boot_id;
	ssize_t n;
	int fd;

	strcpy(hb.boot_id, "?");
	fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errlist_add(warns, "heartbeat: no boot id: %s",
				   strerror(errno));
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return errlist_add(warns, "heartbeat: cannot read the boot id");
	for (ssize_t i = 0; i < n && out < hb.boot_id + 32; i++)
		if (isxdigit((unsigned char)buf[i]))
			*out++ = buf[i];
	*out = '\0';
	return 0;
}

static int key_fingerprint(const char *key, struct errlist *warns)
{
	struct errlist errs = { 0 };
	int r = 0;

	if (!key) {
		strcpy(hb.key_fpr, "none");
		return 0;
	}
	if (sg_key_fingerprint(key, hb.key_fpr, &errs) < 0) {
		strcpy(hb.key_fpr, "?");
		for (size_t i = 0; r >= 0 && i < errs.n; i++)
			r = errlist_add(warns, "heartbeat: %s", errs.msgs[i]);
	}
	errlist_free(&errs);
	return r;
}

/* The selftest's record: opened (created empty) now, read at each beat.
 * O_NONBLOCK and the type check: a FIFO put there must not hang a beat. */
static int open_selftest_record(const char *state_dir, struct errlist *warns)
{
	_cleanup_free_ char *path = NULL;
	struct stat st;
	int fd;

	strcpy(hb.selftest_result, "none");
	strcpy(hb.selftest_at, "0");
	if (!state_dir)
		return 0;
	if (asprintf(&path, "%s/%s", state_dir, SG_SELFTEST_RECORD) < 0)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		  0644);
	if (fd < 0)
		return errlist_add(warns, "heartbeat: %s: %s", path,
				   strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		(void)close(fd);
		return errlist_add(warns, "heartbeat: %s is not a regular file",
				   path);
	}
	hb.selftest_fd = fd;
	return 0;
}

/* The selftest's last verdict, if the record is whole now (a torn read,
 * the selftest rewriting it, keeps the one read before). */
static void read_selftest(void)
{
	char rec[SG_SELFTEST_RECORD_SIZE + 1], v[24];
	ssize_t n;

	if (hb.selftest_fd < 0)
		return;
	n = pread(hb.selftest_fd, rec, SG_SELFTEST_RECORD_SIZE, 0);
	if (n <= 0)
		return;
	rec[n] = '\0';
	if (!sg_state_whole(rec) || !sg_state_get(rec, "result", v, sizeof(v)))
		return;
	snprintf(hb.selftest_result, sizeof(hb.selftest_result), "%s",
		 streq(v, "pass") || streq(v, "fail") || streq(v, "error") ?
			 v : "?");
	if (sg_state_get(rec, "at", v, sizeof(v)) &&
	    strspn(v, "0123456789") == strlen(v) && v[0])
		snprintf(hb.selftest_at, sizeof(hb.selftest_at), "%s", v);
}

int sg_heartbeat_init(const struct sg_policy *p, const char *state_dir,
		      struct errlist *warns)
{
	int r;

	hb.policy = p;
	hb.interval_s = p->tether.heartbeat_interval_s;
	if (!hb.interval_s)
		hb.interval_s = SG_DEFAULT_HEARTBEAT_S;
	hb.started_ms = sg_now_ms();
	hb.next_ms = 0; /* the first tick beats */
	strcpy(hb.tamper, "none");
	r = file_sha(p->file, hb.policy_sha, warns);
	if (r >= 0)
		r = file_sha(p->baseline, hb.baseline_sha, warns);
	if (r >= 0)
		r = key_fingerprint(p->baseline_key, warns);
	if (r >= 0)
		r = read_boot_id(warns);
	if (r >= 0)
		r = open_selftest_record(state_dir, warns);
	if (r < 0)
		return r;
	hb.status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (hb.status_fd < 0)
		return errlist_add(warns, "heartbeat: /proc/self/status: %s",
				   strerror(errno));
	return 0;
}

/* The value of "Key:\t..." in text, without the tab, into out. */
static void status_field(const char *text, const char *key, char *out,
			 size_t size)
{
	size_t klen = strlen(key);
	const char *s;

	snprintf(out, size, "?");
	for (s = text; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
		if (strncmp(s, key, klen) == 0 && s[klen] == ':') {
			s += klen + 1;
			s += strspn(s, " \t");
			snprintf(out, size, "%.*s", (int)strcspn(s, "\n"), s);
			return;
		}
}

static void read_seal_state(struct seal_state *st)
{
	static const char *const modes[] = { "none", "strict", "filter" };
	char text[4096], mode[8];
	ssize_t n = -1;

	if (hb.status_fd >= 0)
		n = pread(hb.status_fd, text, sizeof(text) - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	status_field(text, "Seccomp", mode, sizeof(mode));
	snprintf(st->seccomp, sizeof(st->seccomp), "%s",
		 mode[0] >= '0' && mode[0] <= '2' && !mode[1] ?
			 modes[mode[0] - '0'] : "?");
	status_field(text, "NoNewPrivs", mode, sizeof(mode));
	snprintf(st->no_new_privs, sizeof(st->no_new_privs), "%s",
		 streq(mode, "1") ? "yes" : streq(mode, "0") ? "no" : "?");
	status_field(text, "CapEff", st->cap_eff, sizeof(st->cap_eff));
	status_field(text, "CapPrm", st->cap_prm, sizeof(st->cap_prm));
	status_field(text, "CapBnd", st->cap_bnd, sizeof(st->cap_bnd));
}

static void add_counts(struct sg_log_entry *e,
		       const struct sg_heartbeat_counts *c)
{
	(void)sg_log_add(e, "SEALGUARD_EVENTS", "%" PRIu64, c->events);
	(void)sg_log_add(e, "SEALGUARD_DENIED_WRITE", "%" PRIu64,
			 c->denied_write);
	(void)sg_log_add(e, "SEALGUARD_DENIED_EXEC", "%" PRIu64,
			 c->denied_exec);
	(void)sg_log_add(e, "SEALGUARD_DENIED_LISTEN", "%" PRIu64,
			 c->listen_denied);
	(void)sg_log_add(e, "SEALGUARD_WOULD_DENY", "%" PRIu64,
			 c->would_deny + c->listen_would_deny);
	(void)sg_log_add(e, "SEALGUARD_CHANGES", "%" PRIu64, c->changes);
	(void)sg_log_add(e, "SEALGUARD_RESPONSES", "%" PRIu64, c->responses);
	(void)sg_log_add(e, "SEALGUARD_LOG_LOST", "%" PRIu64, c->log_lost);
}

static void add_identity(struct sg_log_entry *e)
{
	const struct sg_policy *p = hb.policy;

	(void)sg_log_add(e, "SEALGUARD_MODE", "%s", sg_mode_name(p->mode));
	(void)sg_log_add(e, "SEALGUARD_POLICY", "%s", p->file);
	(void)sg_log_add(e, "SEALGUARD_POLICY_SHA256", "%s", hb.policy_sha);
	(void)sg_log_add(e, "SEALGUARD_BASELINE", "%s", p->baseline);
	(void)sg_log_add(e, "SEALGUARD_BASELINE_SHA256", "%s",
			 hb.baseline_sha);
	(void)sg_log_add(e, "SEALGUARD_BASELINE_KEY", "%s", hb.key_fpr);
	(void)sg_log_add(e, "SEALGUARD_BOOT_ID", "%s", hb.boot_id);
}

static void beat(uint64_t now_ms, const struct sg_heartbeat_counts *c)
{
	uint64_t denials = c->denied_write + c->denied_exec + c->listen_denied;
	struct seal_state st;
	struct sg_log_entry *e;

	read_seal_state(&st);
	e = sg_log_entry_new(LOG_INFO, SG_MSGID_HEARTBEAT);
	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE",
			 "heartbeat %" PRIu64 ": %s mode, seccomp %s, %" PRIu64
			 " denials, %" PRIu64 " changes, tamper %s",
			 hb.seq, sg_mode_name(hb.policy->mode), st.seccomp,
			 denials, c->changes, hb.tamper);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "heartbeat");
	(void)sg_log_add(e, "SEALGUARD_HEARTBEAT_SEQ", "%" PRIu64, hb.seq);
	(void)sg_log_add(e, "SEALGUARD_HEARTBEAT_INTERVAL", "%u",
			 hb.interval_s);
	add_identity(e);
	add_counts(e, c);
	(void)sg_log_add(e, "SEALGUARD_SECCOMP", "%s", st.seccomp);
	(void)sg_log_add(e, "SEALGUARD_NO_NEW_PRIVS", "%s", st.no_new_privs);
	(void)sg_log_add(e, "SEALGUARD_CAP_EFFECTIVE", "%s", st.cap_eff);
	(void)sg_log_add(e, "SEALGUARD_CAP_PERMITTED", "%s", st.cap_prm);
	(void)sg_log_add(e, "SEALGUARD_CAP_BOUNDING", "%s", st.cap_bnd);
	(void)sg_log_add(e, "SEALGUARD_SEALS", "%s",
			 c->seals && *c->seals ? c->seals : "none");
	(void)sg_log_add(e, "SEALGUARD_TAMPER", "%s", hb.tamper);
	(void)sg_log_add(e, "SEALGUARD_MAINTENANCE", "%s",
			 c->maintenance && *c->maintenance ? c->maintenance :
							     "none");
	read_selftest();
	(void)sg_log_add(e, "SEALGUARD_SELFTEST_RESULT", "%s",
			 hb.selftest_result);
	(void)sg_log_add(e, "SEALGUARD_SELFTEST_AT", "%s", hb.selftest_at);
	(void)sg_log_add(e, "SEALGUARD_UPTIME", "%" PRIu64,
			 sg_clock_s(CLOCK_BOOTTIME));
	(void)sg_log_add(e, "SEALGUARD_DAEMON_UPTIME", "%" PRIu64,
			 (now_ms - hb.started_ms) / 1000);
	sg_log_submit(e);
	hb.seq++;
}

void sg_heartbeat_tick(uint64_t now_ms, const struct sg_heartbeat_counts *c)
{
	if (!hb.policy || now_ms < hb.next_ms)
		return;
	beat(now_ms, c);
	/* from now, not from the missed slot: a stopped loop sends one beat
	 * when it resumes, not a burst that would hide the gap. Half a tick
	 * early, so a tick read a little sooner after its firing than this
	 * one still beats; not more, or with a tick faster than a second
	 * every tick would beat. */
	hb.next_ms = now_ms + (uint64_t)hb.interval_s * 1000 - hb.slack_ms;
}

void sg_heartbeat_set_tick(uint64_t tick_usec)
{
	hb.slack_ms = tick_usec / 2000;
}

void sg_heartbeat_set_tamper(const char *what)
{
	snprintf(hb.tamper, sizeof(hb.tamper), "%s",
		 what && *what ? what : "none");
}

void sg_heartbeat_close(void)
{
	if (hb.status_fd >= 0)
		(void)close(hb.status_fd);
	hb.status_fd = -1;
	if (hb.selftest_fd >= 0)
		(void)close(hb.selftest_fd);
	hb.selftest_fd = -1;
	hb.policy = NULL;
}
