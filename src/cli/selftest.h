/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * selftest.h - `sealguard selftest`: prove that the running daemon
 * enforces, by trying what it must refuse and reading what it logged.
 *
 *   selftest_probe.c    the three attempts, each in a child process (a
 *                       [respond] kill or [listen] action = kill ends the
 *                       child, never the selftest)
 *   selftest_journal.c  the daemon's entry for each attempt, by MESSAGE_ID
 *                       and a marker no other entry carries
 *   selftest_report.c   the verdict: text or JSON, its own journal entry,
 *                       the record the daemon's heartbeat reads
 *   cmd_selftest.c      the command: options, what is checked, the verdict
 */
#ifndef SEALGUARD_SELFTEST_H
#define SEALGUARD_SELFTEST_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy.h"

/* Where the package puts the canary; a directory whose execs are checked
 * and that root may write (the shipped policy checks /var/tmp). */
#define SG_DEFAULT_CANARY "/usr/lib/sealguard/canary"
#define SG_DEFAULT_EXEC_DIR "/var/tmp"

/* What the kernel answered an attempt: filled in by a probe. */
struct st_answer {
	bool done;      /* the attempt was made and its answer is known */
	bool refused;   /* the kernel refused it (err says how) */
	bool killed;    /* the attempt's process was killed before it returned */
	int err;        /* errno of a refused call; 0 if it succeeded */
	char why[256];  /* !done: why the attempt could not be made */
};

/* One check and its verdict. */
enum st_status {
	ST_ENFORCED,    /* refused as sealguard refuses, and logged */
	ST_SEALED,      /* write: EROFS from a read-only seal (not logged) */
	ST_UNLOGGED,    /* refused, but no journal entry of the daemon's */
	ST_LET_THROUGH, /* the kernel let it happen */
	ST_SKIPPED,     /* not tried (the policy does not ask for it, or a
			   [respond] action would punish the selftest) */
	ST_ERROR,       /* could not be tried */
};

struct st_check {
	const char *name;       /* "write", "exec", "listen" */
	enum st_status status;
	char target[PATH_MAX];  /* the canary, the dropped file, 127.0.0.1:PORT */
	struct st_answer ans;
	pid_t pid;              /* the probe's process (the journal marker) */
	uint64_t inode;         /* listen: the socket's inode (the marker) */
	const char *deny_id;    /* the MESSAGE_ID enforcement writes */
	const char *would_id;   /* ... and permissive mode */
	const char *found;      /* which of the two the journal holds, or NULL */
	char detail[512];
};

/* The checks of one run, in this order. */
enum { CHECK_WRITE, CHECK_EXEC, CHECK_LISTEN, CHECK__COUNT };

/* What the run found, for the output and the journal entry. */
struct st_run {
	struct st_check checks[CHECK__COUNT];
	pid_t daemon_pid;
	char mode[32];
	char error[PATH_MAX + 128]; /* set: the run stopped before the checks */
	int exit;                   /* SG_EXIT_* */
};

/* Where the probes work. */
struct st_config {
	const struct sg_policy *policy;
	const char *canary;   /* realpath of the canary file */
	const char *exec_dir; /* realpath of the directory for the dropped file */
	const char *self_exe; /* the bytes to copy: a trusted binary */
	unsigned timeout_ms;  /* for one attempt's answer */
};

/*
 * selftest_probe.c. Each fills c->target, c->pid, c->ans (and c->inode):
 * write-open the canary (O_WRONLY, no O_TRUNC, nothing written); exec a
 * copy of cfg->self_exe with a marker appended, in a new directory under
 * cfg->exec_dir (removed afterwards); bind and listen on 127.0.0.1 at a
 * port no [listen] rule allows and wait for the listener guard to
 * destroy it. c->ans.done false means the attempt was not made.
 */
void st_probe_write(const struct st_config *cfg, struct st_check *c);
void st_probe_exec(const struct st_config *cfg, struct st_check *c);
void st_probe_listen(const struct st_config *cfg, struct st_check *c);

/* True if some [listen] rule could allow a TCP listener on 127.0.0.1:port
 * (any program: a rule naming one is counted as allowing). */
bool st_listen_port_allowed(const struct sg_policy *p, uint16_t port);

struct st_journal;

/* selftest_journal.c: open the local journal, or the one in dir. */
int st_journal_open(const char *dir, struct st_journal **ret);
void st_journal_close(struct st_journal *j);

/*
 * Wait until the journal holds, for each check whose attempt was made,
 * an entry since since_us with its deny_id or would_id and its marker
 * (SEALGUARD_PID and SEALGUARD_PATH, or SEALGUARD_INODE and
 * SEALGUARD_LOCAL), or until timeout_ms. Sets each check's found.
 * 0 or a negative errno (the journal could not be read).
 */
int st_journal_find(struct st_journal *j, uint64_t since_us,
		    struct st_check *checks, size_t n, unsigned timeout_ms);

/* selftest_report.c */
const char *st_status_name(enum st_status s); /* "enforced", "let-through", ... */
const char *st_errno_name(int e);             /* "EPERM"; "none" for 0 */
const char *st_result_name(int exit_code);    /* "pass", "fail", "error" */
void st_print_text(const struct st_run *run);
/* One JSON object on stdout; paths escaped as in the baseline. */
void st_print_json(const struct st_run *run);
/* The verdict's own journal entry (SG_MSGID_SELFTEST). */
void st_log_result(const struct st_run *run);
/* The record in state_dir (NULL: the default) the heartbeat reads. */
void st_save_result(const char *state_dir, const struct st_run *run);

#endif
