/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verifier.c - verify passes on a worker thread. See verifier.h.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sys/fanotify.h>
#include <sys/stat.h>

#include "messages.h"
#include "log/sglog.h"
#include "watch/verifier.h"
#include "worker.h"

struct sg_verifier {
	const struct sg_baseline *baseline;
	int exec_cache_fd; /* the guard's group, or -1 */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	pid_t tid;
	bool started;
	/* under lock */
	bool stopping, requested, running;
	const char *why;
	struct sg_verify_counters c;
	/* read by the pass between files: a stop need not wait for it */
	atomic_bool cancel;
};

/* What one pass found, as sg_baseline_diff reports it. */
struct pass {
	uint64_t added, removed, changed, unreadable;
	uint64_t logged, unlogged;
	int exec_cache_fd;
	uint64_t uncached; /* kernel exec-cache marks dropped */
};

static const char *kind_name(enum sg_drift_kind kind, bool unreadable)
{
	if (unreadable)
		return "unreadable";
	return kind == SG_DRIFT_ADDED	? "added" :
	       kind == SG_DRIFT_REMOVED ? "removed" :
					  "changed";
}

/* "hash, size 7->2, mode 0644->0600" into buf: what changed, with the
 * old and new values. */
static void describe(unsigned what, const struct sg_bl_view *want,
		     const struct sg_bl_view *have, char *buf, size_t size)
{
	size_t n = 0;

#define PART(...)                                                              \
	do {                                                                   \
		if (n < size)                                                  \
			n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__); \
	} while (0)
	buf[0] = '\0';
	if (what & SG_DRIFT_HASH)
		PART("hash");
	if (what & SG_DRIFT_SIZE)
		PART("%ssize %" PRIu64 "->%" PRIu64, n ? ", " : "", want->size,
		     have->size);
	if (what & SG_DRIFT_MODE)
		PART("%smode %04o->%04o", n ? ", " : "", want->mode, have->mode);
	if (what & SG_DRIFT_UID)
		PART("%suid %u->%u", n ? ", " : "", want->uid, have->uid);
	if (what & SG_DRIFT_GID)
		PART("%sgid %u->%u", n ? ", " : "", want->gid, have->gid);
	if (what & SG_DRIFT_SETUID)
		PART("%snew setuid", n ? ", " : "");
	if (what & SG_DRIFT_SETGID)
		PART("%snew setgid", n ? ", " : "");
	if (what & SG_DRIFT_CAPS)
		PART("%scapabilities", n ? ", " : "");
	if (what & SG_DRIFT_XATTR)
		PART("%sxattrs", n ? ", " : "");
	if (what & SG_DRIFT_TARGET)
		PART("%starget", n ? ", " : "");
	if (what & SG_DRIFT_RDEV)
		PART("%sdevice numbers", n ? ", " : "");
#undef PART
}

/*
 * Door 5 (docs/hashrace.md): a trusted binary whose exec the kernel
 * caches (an ignore mark on its inode) keeps that mark through a write
 * by a shared mapping, which raises no modify event. A pass that finds
 * its content changed removes the mark, so its next exec is judged
 * again (and denied). By path: the mark is on the inode the path names
 * now, which is the one that runs. True if a mark was there.
 */
static bool drop_exec_cache(int fan_fd, const struct sg_bl_view *want,
			    unsigned what)
{
	if (fan_fd < 0 || want->type != SG_BL_FILE ||
	    !(what & (SG_DRIFT_HASH | SG_DRIFT_SIZE)))
		return false;
	return fanotify_mark(fan_fd, FAN_MARK_REMOVE | FAN_MARK_IGNORE,
			     FAN_OPEN_EXEC_PERM, AT_FDCWD, want->path) == 0;
}

static void log_drift(enum sg_drift_kind kind, unsigned what, bool unreadable,
		      bool uncached, const struct sg_bl_view *want,
		      const struct sg_bl_view *have)
{
	const struct sg_bl_view *v = have ? have : want;
	const char *path = v->path, *type = sg_bl_type_name(v->type);
	const char *name = kind_name(kind, unreadable);
	struct sg_log_entry *e = sg_log_entry_new(LOG_WARNING, SG_MSGID_DRIFT);
	char details[160] = "";

	if (!e)
		return;
	if (kind == SG_DRIFT_CHANGED)
		describe(what, want, have, details, sizeof(details));
	else if (kind == SG_DRIFT_ADDED && what)
		describe(what, NULL, have, details, sizeof(details));
	(void)sg_log_add(e, "MESSAGE", "drift from the baseline: %s %s %s%s%s%s",
			 name, type, path, *details ? " (" : "", details,
			 *details ? ")" : "");
	(void)sg_log_add(e, "SEALGUARD_EVENT", "drift");
	(void)sg_log_add(e, "SEALGUARD_CHANGE", "%s", name);
	(void)sg_log_add(e, "SEALGUARD_TYPE", "%s", type);
	(void)sg_log_add(e, "SEALGUARD_PATH", "%s", path);
	for (unsigned bit = 1; bit <= SG_DRIFT_LAST; bit <<= 1)
		if (what & bit)
			(void)sg_log_add(e, "SEALGUARD_DRIFT", "%s",
					 sg_drift_name(bit));
	if (uncached)
		(void)sg_log_add(e, "SEALGUARD_EXEC_CACHE", "dropped");
	sg_log_submit(e);
}

/*
 * sg_baseline_diff's callback. A file the pass could not read is missing
 * from the live state and would show as removed: if it is still there,
 * it is reported as unreadable instead (lstat opens nothing).
 */
static void on_drift(enum sg_drift_kind kind, unsigned what,
		     const struct sg_bl_view *want,
		     const struct sg_bl_view *have, void *userdata)
{
	struct pass *ps = userdata;
	bool uncached = false;
	struct stat st;
	bool unreadable = kind == SG_DRIFT_REMOVED &&
			  lstat(want->path, &st) == 0 &&
			  (want->type == SG_BL_FILE ? S_ISREG(st.st_mode) :
			   want->type == SG_BL_DIR ? S_ISDIR(st.st_mode) :
						     false);

	if (unreadable)
		ps->unreadable++;
	else if (kind == SG_DRIFT_ADDED)
		ps->added++;
	else if (kind == SG_DRIFT_REMOVED)
		ps->removed++;
	else
		ps->changed++;
	if (kind == SG_DRIFT_CHANGED) {
		uncached = drop_exec_cache(ps->exec_cache_fd, want, what);
		ps->uncached += uncached;
	}
	if (ps->logged >= SG_VERIFY_MAX_ENTRIES) {
		ps->unlogged++;
		return;
	}
	ps->logged++;
	log_drift(kind, what, unreadable, uncached, want, have);
}

static void log_summary(const char *why, const struct pass *ps,
			const struct sg_build_stats *st)
{
	uint64_t drifted = ps->added + ps->removed + ps->changed +
			   ps->unreadable;
	struct sg_log_entry *e = sg_log_entry_new(
		drifted ? LOG_WARNING : LOG_NOTICE, SG_MSGID_VERIFY_DONE);

	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE",
			 "verify pass (%s): %" PRIu64 " drifted (%" PRIu64
			 " added, %" PRIu64 " removed, %" PRIu64
			 " changed, %" PRIu64 " unreadable) of %" PRIu64
			 " files in %.2f s%s",
			 why, drifted, ps->added, ps->removed, ps->changed,
			 ps->unreadable, st->files, st->seconds,
			 ps->unlogged ? "; only the first drifts are logged" :
					"");
	(void)sg_log_add(e, "SEALGUARD_EVENT", "verify");
	(void)sg_log_add(e, "SEALGUARD_WHY", "%s", why);
	(void)sg_log_add(e, "SEALGUARD_FILES", "%" PRIu64, st->files);
	(void)sg_log_add(e, "SEALGUARD_DRIFTED", "%" PRIu64, drifted);
	(void)sg_log_add(e, "SEALGUARD_ADDED", "%" PRIu64, ps->added);
	(void)sg_log_add(e, "SEALGUARD_REMOVED", "%" PRIu64, ps->removed);
	(void)sg_log_add(e, "SEALGUARD_CHANGED", "%" PRIu64, ps->changed);
	(void)sg_log_add(e, "SEALGUARD_EXEC_CACHE_DROPPED", "%" PRIu64,
			 ps->uncached);
	(void)sg_log_add(e, "SEALGUARD_UNREADABLE", "%" PRIu64,
			 ps->unreadable);
	(void)sg_log_add(e, "SEALGUARD_UNLOGGED", "%" PRIu64, ps->unlogged);
	sg_log_submit(e);
}

/* One pass: rebuild, diff, log. Returns the drifted count or -errno. */
static int64_t run_pass(struct sg_verifier *v, const char *why)
{
	struct sg_baseline *live = NULL;
	struct sg_build_stats st = {};
	struct errlist errs = {};
	struct pass ps = { .exec_cache_fd = v->exec_cache_fd };
	int r;

	r = sg_baseline_build_here(v->baseline, &v->cancel, &live, &st, &errs);
	errlist_free(&errs); /* each unreadable file is found again below */
	if (r < 0) {
		if (r != -ECANCELED)
			sg_log(LOG_ERR, SG_MSGID_VERIFY_DONE,
			       "verify pass (%s) failed: %s", why,
			       strerror(-r));
		return r;
	}
	(void)sg_baseline_diff(v->baseline, live, on_drift, &ps);
	sg_baseline_free(live);
	log_summary(why, &ps, &st);
	return (int64_t)(ps.added + ps.removed + ps.changed + ps.unreadable);
}

static void *worker_main(void *arg)
{
	struct sg_verifier *v = arg;

	pthread_mutex_lock(&v->lock);
	for (;;) {
		const char *why;
		int64_t r;

		while (!v->requested && !v->stopping)
			pthread_cond_wait(&v->wake, &v->lock);
		if (v->stopping)
			break;
		why = v->why;
		v->requested = false;
		v->running = true;
		pthread_mutex_unlock(&v->lock);
		r = run_pass(v, why);
		pthread_mutex_lock(&v->lock);
		v->running = false;
		v->c.passes++;
		if (r < 0)
			v->c.failed++;
		else
			v->c.drifted = (uint64_t)r;
	}
	pthread_mutex_unlock(&v->lock);
	return NULL;
}

int sg_verifier_start(const struct sg_baseline *b, int exec_cache_fd,
		      struct sg_verifier **ret)
{
	struct sg_verifier *v = calloc(1, sizeof(*v));
	int r;

	if (!v)
		return -ENOMEM;
	v->baseline = b;
	v->exec_cache_fd = exec_cache_fd;
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->wake, NULL);
	atomic_init(&v->cancel, false);
	/* the guard must know the tid before the first pass opens a file */
	r = sg_worker_start(worker_main, v, &v->thread, &v->tid);
	if (r < 0) {
		sg_verifier_free(v);
		return r;
	}
	v->started = true;
	*ret = v;
	return 0;
}

pid_t sg_verifier_tid(const struct sg_verifier *v)
{
	return v->tid;
}

void sg_verifier_request(struct sg_verifier *v, const char *why)
{
	pthread_mutex_lock(&v->lock);
	v->requested = true;
	v->why = why;
	pthread_cond_signal(&v->wake);
	pthread_mutex_unlock(&v->lock);
}

void sg_verifier_counters(struct sg_verifier *v, struct sg_verify_counters *ret)
{
	pthread_mutex_lock(&v->lock);
	*ret = v->c;
	ret->running = v->running || v->requested;
	pthread_mutex_unlock(&v->lock);
}

void sg_verifier_free(struct sg_verifier *v)
{
	if (!v)
		return;
	if (v->started) {
		atomic_store(&v->cancel, true);
		pthread_mutex_lock(&v->lock);
		v->stopping = true;
		pthread_cond_signal(&v->wake);
		pthread_mutex_unlock(&v->lock);
		(void)pthread_join(v->thread, NULL);
	}
	pthread_mutex_destroy(&v->lock);
	pthread_cond_destroy(&v->wake);
	free(v);
}
