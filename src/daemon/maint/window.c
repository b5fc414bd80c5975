/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * window.c - the maintenance window. See window.h and maintenance.h.
 *
 * A request names its root by pid and start time; the window holds a
 * pidfd on it from the moment it opens, so the pid cannot be reused for
 * another process while the window trusts it, and its exit is seen
 * through poll. A tree is walked from the opener up through /proc/<pid>/
 * stat's parent field: a process that left the tree (a double fork, a
 * reparenting to init) is no longer covered, which is what "this one
 * command" means.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/pidfd.h>
#include <sys/stat.h>

#include "clock.h"
#include "daemon.h"
#include "maint/window.h"
#include "log/sglog.h"
#include "maintenance.h"
#include "messages.h"
#include "policy.h"
#include "procstat.h"
#include "statefile.h"
#include "sys/procinfo.h"
#include "util.h"

/* A tree deeper than this is not walked to its end (and not covered). */
#define TREE_DEPTH_MAX 4096
#define ID_MAX 40
#define COMMAND_MAX 512

struct sg_maint {
	const struct sg_daemon *d;
	int rec_fd;
	bool open;
	char id[ID_MAX];
	pid_t root;
	int root_fd;
	unsigned seconds;
	uint64_t opened_ms, deadline_ms;
	uint64_t used[3]; /* by enum sg_maint_use */
};

/* ---------------------------------------------------------------- record */

static void answer(struct sg_maint *m, const char *id, const char *what,
		   const char *why)
{
	char body[SG_MAINT_RECORD_SIZE];

	snprintf(body, sizeof(body), "answer=%s\nid=%s\nwhy=%s\n", what, id,
		 why);
	/* the CLI waits for this answer; a failed write leaves it to its
	 * own timeout, and the journal entry says what happened */
	(void)sg_record_write(m->rec_fd, SG_MAINT_RECORD_SIZE,
			      sg_realtime_us(), body);
}

/* The request as written, if whole: 0, or -EAGAIN for a torn or empty
 * record. */
static int read_request(const struct sg_maint *m, char *rec, size_t size)
{
	ssize_t n = pread(m->rec_fd, rec, size - 1, 0);

	if (n <= 0)
		return -EAGAIN;
	rec[n] = '\0';
	return sg_state_whole(rec) ? 0 : -EAGAIN;
}

/* An id is the CLI's: letters, digits, '.', '-' and '_' only, so that it
 * can go into the record and the journal as it is. */
static bool valid_id(const char *id)
{
	return id[0] && strspn(id, "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") ==
				strlen(id);
}

static bool parse_ull(const char *s, unsigned long long *ret)
{
	char *end;

	if (!s[0] || strspn(s, "0123456789") != strlen(s))
		return false;
	errno = 0;
	*ret = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0';
}

/* ---------------------------------------------------------------- log */

static void log_refused(const char *id, const char *why)
{
	struct sg_log_entry *e =
		sg_log_entry_new(LOG_WARNING, SG_MSGID_MAINTENANCE_REFUSED);

	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE", "maintenance window %s refused: %s",
			 id, why);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "maintenance");
	(void)sg_log_add(e, "SEALGUARD_ACTION", "refuse");
	(void)sg_log_add(e, "SEALGUARD_MAINTENANCE_ID", "%s", id);
	(void)sg_log_add(e, "SEALGUARD_REASON", "%s", why);
	sg_log_submit(e);
}

static void refuse(struct sg_maint *m, const char *id, const char *why)
{
	log_refused(id, why);
	answer(m, id, "refused", why);
}

/* The root's command line, NULs made spaces, for the journal. */
static void read_command(const struct sg_maint *m, pid_t pid, char *buf,
			 size_t size)
{
	char name[32];
	ssize_t n;

	snprintf(name, sizeof(name), "%d/cmdline", (int)pid);
	n = sg_proc_read(m->d->proc_fd, name, buf, size);
	if (n <= 0) {
		snprintf(buf, size, "?");
		return;
	}
	for (ssize_t i = 0; i < n - 1; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
}

static void log_opened(const struct sg_maint *m)
{
	struct sg_log_entry *e =
		sg_log_entry_new(LOG_WARNING, SG_MSGID_MAINTENANCE_OPEN);
	char command[COMMAND_MAX];
	struct sg_procinfo pi;

	if (!e)
		return;
	(void)sg_procinfo_read(m->d->proc_fd, m->root, &pi);
	read_command(m, m->root, command, sizeof(command));
	(void)sg_log_add(e, "MESSAGE",
			 "maintenance window %s opened for %s[%d] (%s), at "
			 "most %u s: what its command tree would be denied is "
			 "allowed and logged",
			 m->id, pi.exe, (int)m->root, command, m->seconds);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "maintenance");
	(void)sg_log_add(e, "SEALGUARD_ACTION", "open");
	(void)sg_log_add(e, "SEALGUARD_MAINTENANCE_ID", "%s", m->id);
	(void)sg_log_add(e, "SEALGUARD_PID", "%d", (int)m->root);
	(void)sg_log_add(e, "SEALGUARD_EXE", "%s", pi.exe);
	(void)sg_log_add(e, "SEALGUARD_UID", "%d", (int)pi.uid);
	(void)sg_log_add(e, "SEALGUARD_COMMAND", "%s", command);
	(void)sg_log_add(e, "SEALGUARD_SECONDS", "%u", m->seconds);
	sg_log_submit(e);
}

static void log_closed(const struct sg_maint *m, const char *why)
{
	struct sg_log_entry *e =
		sg_log_entry_new(LOG_WARNING, SG_MSGID_MAINTENANCE_CLOSED);
	uint64_t ms = sg_now_ms() - m->opened_ms;

	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE",
			 "maintenance window %s closed (%s) after %" PRIu64
			 ".%03" PRIu64 " s: allowed %" PRIu64 " writes, %" PRIu64
			 " execs, %" PRIu64 " changes",
			 m->id, why, ms / 1000, ms % 1000,
			 m->used[SG_MAINT_WRITE], m->used[SG_MAINT_EXEC],
			 m->used[SG_MAINT_CHANGE]);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "maintenance");
	(void)sg_log_add(e, "SEALGUARD_ACTION", "close");
	(void)sg_log_add(e, "SEALGUARD_MAINTENANCE_ID", "%s", m->id);
	(void)sg_log_add(e, "SEALGUARD_PID", "%d", (int)m->root);
	(void)sg_log_add(e, "SEALGUARD_REASON", "%s", why);
	(void)sg_log_add(e, "SEALGUARD_DURATION_MS", "%" PRIu64, ms);
	(void)sg_log_add(e, "SEALGUARD_WRITES", "%" PRIu64,
			 m->used[SG_MAINT_WRITE]);
	(void)sg_log_add(e, "SEALGUARD_EXECS", "%" PRIu64,
			 m->used[SG_MAINT_EXEC]);
	(void)sg_log_add(e, "SEALGUARD_CHANGES", "%" PRIu64,
			 m->used[SG_MAINT_CHANGE]);
	sg_log_submit(e);
}

/* ---------------------------------------------------------------- window */

static void close_window(struct sg_maint *m, const char *why)
{
	if (!m->open)
		return;
	log_closed(m, why);
	answer(m, m->id, "closed", why);
	(void)close(m->root_fd);
	m->root_fd = -1;
	m->open = false;
}

/* Is pid the daemon or one of its ancestors? A window rooted there would
 * cover every process on the host. */
static bool covers_the_daemon(const struct sg_maint *m, pid_t pid)
{
	pid_t p = m->d->self_pid, sid;

	for (int i = 0; i < TREE_DEPTH_MAX && p > 0; i++) {
		if (p == pid)
			return true;
		if (sg_proc_stat(m->d->proc_fd, p, &p, &sid) < 0)
			return true; /* cannot tell: refuse */
	}
	return false;
}

/* Check what an open request names; on success the root is pinned in
 * *pidfd. NULL, or why it is refused. */
static const char *check_root(const struct sg_maint *m, pid_t pid,
			      unsigned long long start, int *pidfd)
{
	char name[32], stat[1024];
	struct sg_proc_stat f;

	if (pid <= 1)
		return "the root must be a process of its own, not pid 0 or 1";
	if (covers_the_daemon(m, pid))
		return "the root is the daemon or one of its ancestors";
	*pidfd = (int)pidfd_open(pid, 0);
	if (*pidfd < 0)
		return "the root process does not exist";
	/* read after the pin: the pid cannot be reused from here on */
	snprintf(name, sizeof(name), "%d/stat", (int)pid);
	if (sg_proc_read(m->d->proc_fd, name, stat, sizeof(stat)) <= 0 ||
	    sg_proc_stat_fields(stat, &f) < 0 || f.start != start) {
		(void)close(*pidfd);
		*pidfd = -1;
		return "the root process is not the one that asked (its start time differs)";
	}
	return NULL;
}

/* What an open request asks for; NULL, or why it is refused. */
static const char *parse_open(const struct sg_maint *m, const char *rec,
			      unsigned long long *pid,
			      unsigned long long *start,
			      unsigned long long *seconds)
{
	char v[32];

	if (m->d->policy->baseline_key)
		return "the baseline is signed: a fleet host is replaced, not "
		       "maintained";
	if (m->open)
		return "another window is open";
	if (!sg_state_get(rec, "pid", v, sizeof(v)) || !parse_ull(v, pid) ||
	    *pid > INT_MAX || !sg_state_get(rec, "start", v, sizeof(v)) ||
	    !parse_ull(v, start) ||
	    !sg_state_get(rec, "seconds", v, sizeof(v)) ||
	    !parse_ull(v, seconds))
		return "the request lacks pid, start or seconds";
	if (*seconds < 1 || *seconds > SG_MAINT_MAX_SECONDS)
		return "seconds is out of range (1..3600)";
	return NULL;
}

static void open_window(struct sg_maint *m, const char *id, const char *rec)
{
	unsigned long long pid, start, seconds;
	const char *why;
	int pidfd = -1;

	why = parse_open(m, rec, &pid, &start, &seconds);
	if (!why)
		why = check_root(m, (pid_t)pid, start, &pidfd);
	if (why) {
		refuse(m, id, why);
		return;
	}
	snprintf(m->id, sizeof(m->id), "%s", id);
	m->root = (pid_t)pid;
	m->root_fd = pidfd;
	m->seconds = (unsigned)seconds;
	m->opened_ms = sg_now_ms();
	m->deadline_ms = m->opened_ms + seconds * 1000;
	memset(m->used, 0, sizeof(m->used));
	m->open = true;
	log_opened(m);
	answer(m, id, "open", "");
}

void sg_maint_request(struct sg_maint *m)
{
	char rec[SG_MAINT_RECORD_SIZE + 1], req[16], id[ID_MAX];

	if (!m) {
		/* without a state directory, or its record could not be
		 * opened at start (a warning said why then) */
		sg_log(LOG_NOTICE, NULL, "SIGUSR1 ignored: no maintenance "
					 "record, no maintenance window");
		return;
	}
	if (read_request(m, rec, sizeof(rec)) < 0 ||
	    !sg_state_get(rec, "request", req, sizeof(req)) ||
	    !sg_state_get(rec, "id", id, sizeof(id)) || !valid_id(id)) {
		log_refused("?", "SIGUSR1 without a whole maintenance request");
		return;
	}
	if (streq(req, "open"))
		open_window(m, id, rec);
	else if (streq(req, "close") && m->open && streq(id, m->id))
		close_window(m, "closed by its command");
	else if (streq(req, "close"))
		refuse(m, id, "no such window is open");
	else
		refuse(m, id, "unknown request");
}

/* Has the window outlived its root or its bound? Then close it. */
static bool still_open(struct sg_maint *m)
{
	struct pollfd p = { .fd = m->root_fd, .events = POLLIN };

	if (!m->open)
		return false;
	if (poll(&p, 1, 0) > 0)
		close_window(m, "its command ended");
	else if (sg_now_ms() >= m->deadline_ms)
		close_window(m, "its time ran out");
	return m->open;
}

bool sg_maint_covers(struct sg_maint *m, pid_t tid, enum sg_maint_use use)
{
	pid_t p = tid, sid;

	if (!m || !still_open(m))
		return false;
	for (int i = 0; i < TREE_DEPTH_MAX && p > 1; i++) {
		if (p == m->root) {
			m->used[use]++;
			return true;
		}
		if (sg_proc_stat(m->d->proc_fd, p, &p, &sid) < 0)
			return false;
	}
	return false;
}

bool sg_maint_is_open(const struct sg_maint *m)
{
	return m && m->open;
}

const char *sg_maint_id(const struct sg_maint *m)
{
	return m && m->open ? m->id : "";
}

void sg_maint_status(const struct sg_maint *m, char *buf, size_t size)
{
	uint64_t now = sg_now_ms();

	if (!m || !m->open) {
		snprintf(buf, size, "%s", "");
		return;
	}
	snprintf(buf, size, "; maintenance window %s open (%" PRIu64 " s left)",
		 m->id, m->deadline_ms > now ? (m->deadline_ms - now) / 1000 : 0);
}

int sg_maint_fd(const struct sg_maint *m)
{
	return m && m->open ? m->root_fd : -1;
}

void sg_maint_process(struct sg_maint *m)
{
	if (m)
		(void)still_open(m);
}

void sg_maint_tick(struct sg_maint *m, uint64_t now_ms)
{
	if (m && m->open && now_ms >= m->deadline_ms)
		close_window(m, "its time ran out");
}

/* ---------------------------------------------------------------- life */

/* The record: a regular file of root's, rewritten in place. */
static int open_record(const char *path, struct errlist *errs)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
		      0600);

	if (fd < 0)
		return errlist_add(errs, "maintenance: %s: %s", path,
				   strerror(errno));
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 0077)) {
		(void)close(fd);
		errno = EPERM;
		return errlist_add(errs, "maintenance: %s is not a regular "
				   "file of root's, mode 0600", path);
	}
	return fd;
}

int sg_maint_open(struct sg_maint **ret, const struct sg_daemon *d,
		  const char *state_dir, struct errlist *errs)
{
	_cleanup_free_ char *path = NULL;
	struct sg_maint *m;
	int fd;

	*ret = NULL;
	if (!state_dir)
		return 0;
	if (asprintf(&path, "%s/%s", state_dir, SG_MAINT_RECORD) < 0)
		return -ENOMEM;
	fd = open_record(path, errs);
	if (fd < 0)
		return fd;
	m = calloc(1, sizeof(*m));
	if (!m) {
		(void)close(fd);
		return -ENOMEM;
	}
	*m = (struct sg_maint){ .d = d, .rec_fd = fd, .root_fd = -1 };
	/* a request left from before this start is not acted on */
	answer(m, "none", "idle", "");
	*ret = m;
	return 0;
}

void sg_maint_free(struct sg_maint *m)
{
	if (!m)
		return;
	close_window(m, "the daemon stopped");
	(void)close(m->rec_fd);
	free(m);
}
