/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * changes.c - the change watcher: a fanotify notification group on the
 * protected filesystems, its events turned into journal entries. See
 * changes.h; the parsing and merging are in changes_event.c.
 */
#include <inttypes.h>
#include <limits.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "clock.h"
#include "watch/changes.h"
#include "errlist.h"
#include "daemon.h"
#include "log/ratelimit.h"
#include "messages.h"
#include "respond/respond.h"
#include "policy.h"
#include "log/sglog.h"
#include "watch/verifier.h"

/*
 * What is watched. FAN_RENAME reports both names in one event (so
 * FAN_MOVED_FROM/TO would only repeat it); FAN_DELETE_SELF and
 * FAN_MOVE_SELF, accepted too, would repeat the parent directory's
 * FAN_DELETE/FAN_RENAME that a filesystem mark always sees, with a handle
 * already stale when read. FAN_ONDIR: directories as well as files.
 */
#define CHANGE_MASK                                                            \
	(FAN_CREATE | FAN_DELETE | FAN_RENAME | FAN_ATTRIB | FAN_MODIFY |      \
	 FAN_CLOSE_WRITE | FAN_ONDIR)
/* Small reads: each event of a live actor carries a pidfd until it is
 * handled, and a big buffer would hold hundreds of them at once. */
#define EVENT_BUF_SIZE (16 * 1024)
#define MAX_READS_PER_CALL 16
#define DIR_CACHE_SLOTS 512
/*
 * At most FLOOD_MAX change entries per FLOOD_WINDOW_MS, whatever their
 * paths: a flood of distinct names (each its own rate-limit key) must not
 * fill the journal. What is held back is counted, said in one entry, and
 * answered like a lost-events overflow: a verify pass reports the net
 * effect.
 */
#define FLOOD_MAX 1000
#define FLOOD_WINDOW_MS 10000

struct watched_fs {
	__kernel_fsid_t fsid;
	dev_t dev;
	int mount_fd; /* a directory of it, for open_by_handle_at */
};

/* A directory handle already turned into a path. */
struct dir_slot {
	__kernel_fsid_t fsid;
	int type;
	unsigned len; /* 0: free */
	unsigned char handle[MAX_HANDLE_SZ];
	char *path;
};

struct sg_changes {
	struct sg_daemon *d; /* policy, plan, /proc fd, writers, own files */
	int fan_fd;
	struct watched_fs *fs;
	size_t nfs;
	struct sg_verifier *verifier;
	struct sg_ratelimit rl;
	struct sg_change_batch batch;
	struct dir_slot cache[DIR_CACHE_SLOTS];
	struct sg_changes_counters c;
	uint64_t next_verify_ms;
	uint64_t flood_start_ms;
	uint32_t flood_logged;  /* entries written in this window */
	uint64_t flood_dropped; /* entries held back in this window */
	uint64_t losses;            /* entries held back, overflows */
	uint64_t losses_at_request; /* ... when a pass was last asked for */
};

/* ---------------------------------------------------------------- marks */

static bool fsid_eq(const __kernel_fsid_t *a, const __kernel_fsid_t *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static const struct watched_fs *find_fsid(const struct sg_changes *c,
					  const __kernel_fsid_t *fsid)
{
	for (size_t i = 0; i < c->nfs; i++)
		if (fsid_eq(&c->fs[i].fsid, fsid))
			return &c->fs[i];
	return NULL;
}

static bool dev_watched(const struct sg_changes *c, dev_t dev)
{
	for (size_t i = 0; i < c->nfs; i++)
		if (c->fs[i].dev == dev)
			return true;
	return false;
}

/* The guard's --confine rule, for targets it planned but did not mark. */
static bool confined(const struct sg_daemon *d, const struct sg_mark_target *t)
{
	return sg_daemon_confined(d, t->dev, t->point);
}

/*
 * Mark t's filesystem, keeping a directory of it open: event handles are
 * resolved against it. It is a real open (open_by_handle_at refuses an
 * O_PATH fd) of a directory: the guard does not mark directories for
 * permission events, so it cannot wait on the guard. 0 or -errno.
 */
static int watch_fs(struct sg_changes *c, const struct sg_mark_target *t)
{
	_cleanup_close_ int fd = -1;
	struct watched_fs *grown;
	__kernel_fsid_t fsid;
	struct statfs sf;

	fd = open(t->point, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstatfs(fd, &sf) < 0)
		return -errno;
	memcpy(&fsid, &sf.f_fsid, sizeof(fsid));
	if (find_fsid(c, &fsid))
		return 0;
	/* EXDEV: no unique fsid; EOPNOTSUPP: no file handles (some FUSE) */
	if (fanotify_mark(c->fan_fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
			  CHANGE_MASK, fd, NULL) < 0)
		return -errno;
	grown = reallocarray(c->fs, c->nfs + 1, sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	c->fs = grown;
	c->fs[c->nfs++] = (struct watched_fs){ fsid, t->dev, TAKE_FD(fd) };
	c->c.watched++;
	return 0;
}

/* Watch every filesystem of the guard's plan that holds a protected
 * path and is not watched yet; one message in errs per failure. */
static int watch_plan(struct sg_changes *c, struct errlist *errs)
{
	const struct sg_mark_plan *plan = &c->d->plan;

	for (size_t i = 0; i < plan->n; i++) {
		const struct sg_mark_target *t = &plan->v[i];
		int r;

		if (!(t->flags & SG_FS_PROTECT) || dev_watched(c, t->dev) ||
		    !confined(c->d, t))
			continue;
		r = watch_fs(c, t);
		if (r == -ENOMEM)
			return r;
		if (r < 0 && errlist_add(errs,
					 "changes on %s cannot be watched: %s",
					 t->point, strerror(-r)) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---------------------------------------------------------------- paths */

static struct dir_slot *cache_slot(struct sg_changes *c,
				   const struct sg_change_dirent *d)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *p = (const unsigned char *)d->fsid;

	for (size_t i = 0; i < sizeof(*d->fsid); i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	for (unsigned i = 0; i < d->handle->handle_bytes; i++)
		h = (h ^ d->handle->f_handle[i]) * 0x100000001b3ULL;
	return &c->cache[h % DIR_CACHE_SLOTS];
}

static bool slot_matches(const struct dir_slot *s,
			 const struct sg_change_dirent *d)
{
	return s->len && s->len == d->handle->handle_bytes &&
	       s->type == d->handle->handle_type &&
	       fsid_eq(&s->fsid, d->fsid) &&
	       memcmp(s->handle, d->handle->f_handle, s->len) == 0;
}

static void slot_store(struct dir_slot *s, const struct sg_change_dirent *d,
		       const char *path)
{
	char *copy = strdup(path);

	if (!copy)
		return; /* not cached: resolved again next time */
	free(s->path);
	s->path = copy;
	s->fsid = *d->fsid;
	s->type = d->handle->handle_type;
	s->len = d->handle->handle_bytes;
	memcpy(s->handle, d->handle->f_handle, s->len);
}

/* A directory was moved (its paths and its subtree's changed) or events
 * were lost: forget every cached path. */
static void cache_clear(struct sg_changes *c)
{
	for (size_t i = 0; i < DIR_CACHE_SLOTS; i++) {
		free(c->cache[i].path);
		c->cache[i].path = NULL;
		c->cache[i].len = 0;
	}
}

/*
 * The path of directory handle d, into buf. O_PATH: no permission event,
 * no read of the directory. A directory removed since is still open by
 * handle while cached by the kernel: d_path then ends in " (deleted)".
 */
static int open_dir_path(struct sg_changes *c, const struct sg_change_dirent *d,
			 char *buf, size_t size)
{
	const struct watched_fs *w = find_fsid(c, d->fsid);
	_cleanup_close_ int fd = -1;
	struct stat st;
	size_t n;
	int r;

	if (!w)
		return -ENODEV;
	fd = open_by_handle_at(w->mount_fd, (struct file_handle *)d->handle,
			       O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno; /* ESTALE: the directory is gone */
	r = sg_fd_path(c->d->proc_fd, fd, buf, size);
	if (r < 0)
		return r;
	n = strlen(buf);
	if (fstat(fd, &st) == 0 && st.st_nlink == 0 && n > 10 &&
	    streq(buf + n - 10, " (deleted)"))
		buf[n - 10] = '\0';
	return 0;
}

/* The full path of an event's entry ("dir/name") into buf. 0 or -errno. */
static int place(struct sg_changes *c, const struct sg_change_dirent *d,
		 char *buf, size_t size)
{
	struct dir_slot *s = cache_slot(c, d);
	char dir[PATH_MAX];
	int r;

	if (!slot_matches(s, d)) {
		r = open_dir_path(c, d, dir, sizeof(dir));
		if (r < 0)
			return r;
		slot_store(s, d, dir);
		return sg_change_join(dir, d->name, buf, size);
	}
	return sg_change_join(s->path, d->name, buf, size);
}

static bool relevant(const struct sg_changes *c, const char *path)
{
	return sg_policy_protects(c->d->policy, path) ||
	       sg_daemon_is_self_path(c->d, path);
}

/* ---------------------------------------------------------------- logging */

static void report_suppressed(const char *label, uint32_t n, void *userdata)
{
	sg_log(LOG_NOTICE, SG_MSGID_SUPPRESSED,
	       "suppressed %" PRIu32 " more identical entries: %s", n, label);
}

static void log_actor(struct sg_log_entry *e, const struct sg_change *ch)
{
	const struct sg_procinfo *pi = ch->actor;

	(void)sg_log_add(e, "SEALGUARD_PID", "%d", (int)ch->pid);
	if (!pi)
		return;
	(void)sg_log_add(e, "SEALGUARD_PPID", "%d", (int)pi->ppid);
	if (!streq(pi->exe, "?")) /* unreadable once the actor is exiting */
		(void)sg_log_add(e, "SEALGUARD_EXE", "%s", pi->exe);
	(void)sg_log_add(e, "SEALGUARD_COMM", "%s", pi->comm);
	(void)sg_log_add(e, "SEALGUARD_UID", "%d", (int)pi->uid);
	(void)sg_log_add(e, "SEALGUARD_EUID", "%d", (int)pi->euid);
	if (ch->writer)
		(void)sg_log_add(e, "SEALGUARD_REASON", "maintenance-writer");
}

/* "changed: create /usr/x by /bin/sh[12] uid 0": MESSAGE, and the
 * summary a response carries. */
static void format_change(const struct sg_change *ch, char *buf, size_t size)
{
	char kinds[96], by[PATH_MAX + 64], count[32] = "";

	sg_change_kinds_format(ch->kinds, kinds, sizeof(kinds));
	if (ch->actor && !streq(ch->actor->exe, "?"))
		snprintf(by, sizeof(by), "%s[%d] uid %d", ch->actor->exe,
			 (int)ch->pid, (int)ch->actor->uid);
	else if (ch->actor)
		snprintf(by, sizeof(by), "%s[%d] uid %d (exiting)",
			 ch->actor->comm, (int)ch->pid, (int)ch->actor->uid);
	else
		snprintf(by, sizeof(by), "pid %d (exited)", (int)ch->pid);
	if (ch->count > 1)
		snprintf(count, sizeof(count), " (%" PRIu32 " events)",
			 ch->count);
	snprintf(buf, size, "changed: %s %s%s%s by %s%s", kinds, ch->path,
		 ch->new_path ? " -> " : "", ch->new_path ? ch->new_path : "",
		 by, count);
}

/* The respond.h view of a change; pidfd >= 0 pins a live actor. */
static struct sg_violation change_violation(const struct sg_change *ch,
					    int pidfd, char *summary,
					    size_t size)
{
	format_change(ch, summary, size);
	return (struct sg_violation){
		.kind = SG_KIND_CHANGE,
		.summary = summary,
		.path = ch->path,
		.new_path = ch->new_path,
		.actor = ch->actor,
		.pid = ch->pid,
		.pidfd = pidfd,
		.from_hook = ch->from_hook,
	};
}

static void log_change(const struct sg_change *ch)
{
	struct sg_log_entry *e;
	char message[2 * PATH_MAX + 256];

	e = sg_log_entry_new(ch->writer ? LOG_NOTICE : LOG_WARNING,
			     SG_MSGID_CHANGE);
	if (!e)
		return;
	format_change(ch, message, sizeof(message));
	(void)sg_log_add(e, "MESSAGE", "%s", message);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "change");
	for (unsigned i = 0; i < SG_CHANGE_KINDS; i++)
		if (ch->kinds & (1u << i))
			(void)sg_log_add(e, "SEALGUARD_CHANGE", "%s",
					 sg_change_kind_name(i));
	(void)sg_log_add(e, "SEALGUARD_PATH", "%s", ch->path);
	if (ch->new_path)
		(void)sg_log_add(e, "SEALGUARD_NEW_PATH", "%s", ch->new_path);
	(void)sg_log_add(e, "SEALGUARD_OBJECT", "%s", ch->dir ? "dir" : "file");
	(void)sg_log_add(e, "SEALGUARD_COUNT", "%" PRIu32, ch->count);
	log_actor(e, ch);
	sg_log_submit(e);
}

static bool may_log(struct sg_changes *c, const char *label)
{
	if (sg_ratelimit_allow(&c->rl, label, sg_now_ms(), report_suppressed,
			       NULL))
		return true;
	c->c.suppressed++;
	return false;
}

/* Is there room left in this flood window? Counts the entry either way. */
static bool flood_allow(struct sg_changes *c)
{
	if (c->flood_logged < FLOOD_MAX) {
		c->flood_logged++;
		return true;
	}
	c->flood_dropped++;
	c->c.suppressed++;
	c->losses++;
	return false;
}

/* Report the merged entries of this wake-up. */
static void flush(struct sg_changes *c)
{
	for (size_t i = 0; i < c->batch.n; i++) {
		const struct sg_change *ch = &c->batch.v[i];
		char label[2 * PATH_MAX + 128], kinds[96];


		snprintf(label, sizeof(label), "change %s %s%s%s",
			 sg_change_kinds_format(ch->kinds, kinds, sizeof(kinds)),
			 ch->path, ch->new_path ? " -> " : "",
			 ch->new_path ? ch->new_path : "");
		/* the per-path limit first: a path it holds back must not
		 * use up the flood budget of every other path */
		if (!may_log(c, label) || !flood_allow(c))
			continue;
		log_change(ch);
		c->c.reported++;
		if (!ch->writer &&
		    sg_respond_wants_event(c->d->respond, SG_KIND_CHANGE)) {
			char summary[2 * PATH_MAX + 256];
			struct sg_violation v = change_violation(
				ch, -1, summary, sizeof(summary));

			sg_respond_event(c->d->respond, &v);
		}
	}
	sg_change_batch_clear(&c->batch);
}

/* ---------------------------------------------------------------- events */

static bool exe_is_writer(const struct sg_changes *c, pid_t pid)
{
	const struct sg_daemon *d = c->d;
	struct stat st;

	if (d->nwriters == 0 || sg_proc_exe_stat(d->proc_fd, pid, &st) < 0)
		return false;
	for (size_t i = 0; i < d->nwriters; i++)
		if (d->writers[i].dev == st.st_dev &&
		    d->writers[i].ino == st.st_ino)
			return true;
	return false;
}

/*
 * Who acted, read from /proc while the pidfd says the actor still lives.
 * The kernel hands a pidfd only for an actor alive when the event is
 * read; checking it again after the read proves the pid was not reused
 * in between. An actor that has exited is named by its pid alone.
 */
static void read_actor(struct sg_changes *c, struct sg_change *e, int pidfd)
{
	struct sg_procinfo *pi = malloc(sizeof(*pi));
	bool writer, from_hook;

	if (!pi)
		return;
	if (sg_procinfo_read(c->d->proc_fd, e->pid, pi) < 0) {
		free(pi);
		return;
	}
	writer = exe_is_writer(c, e->pid);
	from_hook = sg_respond_from_hook(c->d->respond, e->pid);
	if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0) {
		free(pi);
		return;
	}
	e->actor = pi;
	e->writer = writer;
	e->from_hook = from_hook;
	/* a maintenance writer's changes are expected: no response */
	if (!writer && sg_respond_wants_actor(c->d->respond, SG_KIND_CHANGE)) {
		char summary[2 * PATH_MAX + 256];
		struct sg_violation v = change_violation(e, pidfd, summary,
							 sizeof(summary));

		sg_respond_actor(c->d->respond, &v);
	}
}

static void add_change(struct sg_changes *c, struct sg_change *ch, int pidfd)
{
	struct sg_change *e = sg_change_batch_add(&c->batch, ch);

	if (!e) {
		flush(c);
		e = sg_change_batch_add(&c->batch, ch);
	}
	if (e && !e->actor && pidfd >= 0)
		read_actor(c, e, pidfd);
}

/*
 * Changes were lost (what says how): log it, and answer with a verify
 * pass, which reports every file that now differs from the baseline.
 */
static void report_loss(struct sg_changes *c, const char *what)
{
	bool verify = c->verifier &&
		      c->d->policy->changes.overflow == SG_OVERFLOW_VERIFY;
	struct sg_log_entry *e;
	char label[128];

	/* one pass asked for after the last loss covers it */
	if (verify && c->losses != c->losses_at_request) {
		sg_verifier_request(c->verifier, "overflow");
		c->losses_at_request = c->losses;
	}
	snprintf(label, sizeof(label), "change loss %s", what);
	if (!may_log(c, label))
		return;
	e = sg_log_entry_new(LOG_ERR, SG_MSGID_CHANGES_OVERFLOW);
	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE", "%s: changes were not reported; %s",
			 what,
			 verify ? "a verify pass will report every file that "
				  "differs from the baseline" :
				  "run 'sealguard verify'");
	(void)sg_log_add(e, "SEALGUARD_EVENT", "overflow");
	(void)sg_log_add(e, "SEALGUARD_ACTION", "%s", verify ? "verify" : "log");
	sg_log_submit(e);
}

static void on_overflow(struct sg_changes *c)
{
	c->c.overflows++;
	c->losses++;
	cache_clear(c); /* lost events may have been renames */
	flush(c);       /* what was read before the loss comes first */
	report_loss(c, "change notification queue overflowed");
}

/* Once a flood window ends: say how many entries it held back. */
static void flood_tick(struct sg_changes *c, uint64_t now_ms)
{
	char what[96];

	if (now_ms - c->flood_start_ms < FLOOD_WINDOW_MS)
		return;
	if (c->flood_dropped) {
		snprintf(what, sizeof(what),
			 "change flood: %" PRIu64 " entries held back",
			 c->flood_dropped);
		report_loss(c, what);
	}
	c->flood_start_ms = now_ms;
	c->flood_logged = 0;
	c->flood_dropped = 0;
}

static char *dup_or_unknown(bool known, const char *path)
{
	return strdup(known ? path : "?");
}

static void handle_event(struct sg_changes *c, const struct sg_change_event *ev)
{
	char from[PATH_MAX], to[PATH_MAX];
	bool have_from, have_to;
	struct sg_change ch;

	if (ev->mask & FAN_Q_OVERFLOW) {
		on_overflow(c);
		return;
	}
	if (!sg_change_kinds(ev->mask) || !ev->has_from)
		return;
	have_from = place(c, &ev->from, from, sizeof(from)) == 0;
	have_to = ev->has_to && place(c, &ev->to, to, sizeof(to)) == 0;
	/* the old names were right for this event, not for later ones */
	if (ev->mask & FAN_RENAME && ev->mask & FAN_ONDIR)
		cache_clear(c);
	if (!have_from && !have_to) {
		c->c.unresolved++;
		return;
	}
	if (!(have_from && relevant(c, from)) && !(have_to && relevant(c, to)))
		return;
	ch = (struct sg_change){
		.kinds = sg_change_kinds(ev->mask),
		.dir = ev->mask & FAN_ONDIR,
		.pid = ev->pid,
		.path = dup_or_unknown(have_from, from),
		.new_path = ev->has_to ? dup_or_unknown(have_to, to) : NULL,
		.count = 1,
	};
	if (!ch.path || (ev->has_to && !ch.new_path)) {
		free(ch.path);
		free(ch.new_path);
		return;
	}
	add_change(c, &ch, ev->pidfd);
}

void sg_changes_process(struct sg_changes *c)
{
	static char buf[EVENT_BUF_SIZE]
		__attribute__((aligned(__alignof__(struct fanotify_event_metadata))));

	for (unsigned reads = 0; c && reads < MAX_READS_PER_CALL; reads++) {
		ssize_t len = read(c->fan_fd, buf, sizeof(buf));

		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			break; /* EAGAIN: drained */
		for (size_t off = 0; off < (size_t)len;) {
			struct sg_change_event ev;

			if (sg_change_event_parse(buf + off, (size_t)len - off,
						  &ev) == 0) {
				c->c.events++;
				handle_event(c, &ev);
			}
			if (ev.pidfd >= 0)
				(void)close(ev.pidfd);
			if (!ev.len)
				break;
			off += ev.len;
		}
		if ((size_t)len < sizeof(buf) / 2)
			break; /* drained when read: let poll() tell */
	}
	if (c)
		flush(c);
}

/* ---------------------------------------------------------------- life */

int sg_changes_start(struct sg_daemon *d, struct sg_changes **ret,
		     struct errlist *errs)
{
	const struct sg_policy *p = d->policy;
	struct sg_changes *c;
	int r;

	if (!p->changes.enabled) {
		*ret = NULL;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->d = d;
	c->fan_fd = -1;
	sg_ratelimit_init(&c->rl, p->ratelimit_interval_s, p->ratelimit_burst);
	c->fan_fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK |
					  FAN_REPORT_DFID_NAME | FAN_REPORT_PIDFD,
				  O_RDONLY | O_CLOEXEC | O_LARGEFILE);
	if (c->fan_fd < 0) {
		r = -errno;
		(void)errlist_add(errs, "cannot make the change notification "
					"group: %s", strerror(-r));
		goto fail;
	}
	r = watch_plan(c, errs);
	if (r >= 0 && c->nfs == 0) {
		(void)errlist_add(errs, "no protected filesystem can be "
					"watched for changes");
		r = -EOPNOTSUPP;
	}
	if (r >= 0 && (p->changes.overflow == SG_OVERFLOW_VERIFY ||
		       p->changes.verify_interval_s))
		r = sg_verifier_start(d->baseline, &c->verifier);
	if (r < 0)
		goto fail;
	if (c->verifier) /* its opens of protected files must pass at once */
		sg_daemon_add_helper_tid(d, sg_verifier_tid(c->verifier));
	c->flood_start_ms = sg_now_ms();
	if (p->changes.verify_interval_s)
		c->next_verify_ms = sg_now_ms() +
				    (uint64_t)p->changes.verify_interval_s * 1000;
	*ret = c;
	return 0;
fail:
	sg_changes_free(c);
	return r;
}

int sg_changes_fd(const struct sg_changes *c)
{
	return c ? c->fan_fd : -1;
}

void sg_changes_mounts_changed(struct sg_changes *c)
{
	struct errlist errs = { 0 };
	size_t before;

	if (!c)
		return;
	cache_clear(c); /* a mount over a path changes what it names */
	before = c->nfs;
	(void)watch_plan(c, &errs);
	for (size_t i = before; i < c->nfs; i++)
		for (size_t j = 0; j < c->d->plan.n; j++)
			if (c->d->plan.v[j].dev == c->fs[i].dev)
				sg_log(LOG_NOTICE, SG_MSGID_MOUNTS_CHANGED,
				       "watching changes on the new filesystem "
				       "at %s", c->d->plan.v[j].point);
	for (size_t i = 0; i < errs.n; i++)
		sg_log(LOG_ERR, SG_MSGID_MOUNTS_CHANGED, "%s", errs.msgs[i]);
	errlist_free(&errs);
}

void sg_changes_tick(struct sg_changes *c, uint64_t now_ms)
{
	uint64_t every;

	if (!c)
		return;
	sg_ratelimit_sweep(&c->rl, now_ms, report_suppressed, NULL);
	flood_tick(c, now_ms);
	every = (uint64_t)c->d->policy->changes.verify_interval_s * 1000;
	if (!every || !c->verifier || now_ms < c->next_verify_ms)
		return;
	sg_verifier_request(c->verifier, "interval");
	c->next_verify_ms = now_ms + every;
}

void sg_changes_counters(const struct sg_changes *c,
			 struct sg_changes_counters *ret)
{
	*ret = c->c;
}

void sg_changes_status(struct sg_changes *c, char *buf, size_t size)
{
	struct sg_verify_counters v = { 0 };

	buf[0] = '\0';
	if (!c)
		return;
	if (c->verifier)
		sg_verifier_counters(c->verifier, &v);
	snprintf(buf, size,
		 "; changes: %" PRIu64 " reported, %" PRIu64
		 " suppressed, %" PRIu64 " overflows, %" PRIu64
		 " verify passes (%" PRIu64 " drifted)%s",
		 c->c.reported, c->c.suppressed, c->c.overflows, v.passes,
		 v.drifted, v.running ? ", verifying" : "");
}

void sg_changes_free(struct sg_changes *c)
{
	if (!c)
		return;
	sg_verifier_free(c->verifier);
	if (c->fan_fd >= 0)
		(void)close(c->fan_fd);
	for (size_t i = 0; i < c->nfs; i++)
		(void)close(c->fs[i].mount_fd);
	free(c->fs);
	cache_clear(c);
	sg_change_batch_clear(&c->batch);
	sg_ratelimit_free(&c->rl);
	free(c);
}
