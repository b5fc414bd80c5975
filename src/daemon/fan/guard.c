/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard.c - set-up, marking and shut-down of the fanotify guard. The event
 * path is in guard_event.c.
 */
#include <inttypes.h>
#include <fcntl.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <time.h>

#include "clock.h"
#include "filekind.h"
#include "baseline.h"
#include "fan/blockdev.h"
#include "fan/guard_ns.h"
#include "fan/guard_int.h"
#include "fan/hasher.h"
#include "messages.h"
#include "policy.h"
#include "log/sglog.h"

/* Events on marked filesystems; both on every mark, see mounts.h. */
#define GUARD_MASK (FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM)
/* Bound on the exec verdict cache: its entries are 32 bytes. */
#define EXEC_CACHE_LIMIT 65536
/* Large files waiting for the hasher thread; beyond, the loop hashes. */
#define HASH_QUEUE_LEN 64

/*
 * Every inode under a protected path is protected under any name: a
 * hardlink elsewhere on the same filesystem is the same inode. Those the
 * baseline lists are marked so: a library or a script there can be
 * trusted at its open by one table look-up (it cannot be written without
 * its ctime moving), without a read of its header or its content. The
 * walk itself starts once the marks are placed (sg_guard_mark); the table
 * is sized here for the baseline's files and some made since, so that
 * the walk does not grow it (and leave freed tables in the heap).
 */
static int prepare_index(struct sg_guard *g)
{
	size_t n = g->d->baseline->n;

	return sg_protindex_init(&g->index, n + n / 16 + 256);
}

/* stat() each path; missing ones are reported (not fatal) in errs. */
static int resolve_paths(char *const *paths, size_t npaths, const char *what,
			 struct sg_inode_id **ret, size_t *ret_n,
			 struct errlist *errs)
{
	struct sg_inode_id *ids = calloc(npaths + 1, sizeof(*ids));
	size_t n = 0;

	if (!ids)
		return -ENOMEM;
	for (size_t i = 0; i < npaths; i++) {
		struct stat st;

		if (stat(paths[i], &st) < 0) {
			(void)errlist_add(errs, "%s %s: %s (ignored)", what,
					  paths[i], strerror(errno));
			continue;
		}
		ids[n++] = (struct sg_inode_id){ st.st_dev, st.st_ino };
	}
	*ret = ids;
	*ret_n = n;
	return 0;
}

static int resolve_inodes(const struct sg_pathlist *l, const char *what,
			  struct sg_inode_id **ret, size_t *ret_n,
			  struct errlist *errs)
{
	return resolve_paths(l->paths, l->n, what, ret, ret_n, errs);
}

/*
 * The default [exec] interpreter list: every executable the baseline
 * holds under an interpreter's name (filekind.h), by inode. Logged, so
 * that the operator sees which programs the rule covers.
 */
static int baseline_interpreters(struct sg_guard *g, struct errlist *errs)
{
	const struct sg_baseline *b = g->d->baseline;
	_cleanup_free_ char **found = calloc(b->n + 1, sizeof(*found));
	size_t n = 0;
	int r;

	if (!found)
		return -ENOMEM;
	for (size_t i = 0; i < b->n; i++) {
		const char *name = strrchr(b->entries[i].path, '/');

		if ((b->entries[i].mode & 0111) && name &&
		    sg_is_interpreter_name(name + 1))
			found[n++] = b->entries[i].path;
	}
	r = resolve_paths(found, n, "interpreter", &g->interpreters,
			  &g->ninterpreters, errs);
	for (size_t i = 0; r == 0 && i < n; i++)
		sg_log(LOG_INFO, SG_MSGID_STARTED,
		       "interpreter (from the baseline): %s", found[i]);
	return r;
}

static int resolve_interpreters(struct sg_guard *g, struct errlist *errs)
{
	const struct sg_policy *p = g->d->policy;

	if (p->interpreters.n)
		return resolve_inodes(&p->interpreters, "interpreter",
				      &g->interpreters, &g->ninterpreters,
				      errs);
	return baseline_interpreters(g, errs);
}

static int open_group(struct sg_guard *g)
{
	/*
	 * UNLIMITED_QUEUE: a permission event that overflows a bounded queue
	 * is allowed by the kernel, so a flood would open the guard.
	 * O_NONBLOCK on event fds: a FIFO must never block the listener.
	 * No O_NOATIME: on files of other users it needs CAP_FOWNER, which
	 * the sealed daemon does not keep.
	 */
	g->fan_fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC |
					  FAN_NONBLOCK | FAN_UNLIMITED_QUEUE |
					  FAN_UNLIMITED_MARKS | FAN_REPORT_TID,
				  O_RDONLY | O_LARGEFILE | O_CLOEXEC | O_NONBLOCK);
	if (g->fan_fd < 0)
		return -errno;
	g->d->exec_cache_fd = g->fan_fd; /* the verifier drops its marks */
	return 0;
}

static int prepare(struct sg_guard *g, struct errlist *errs)
{
	struct sg_daemon *d = g->d;
	const struct sg_policy *p = d->policy;
	int r;

	sg_ratelimit_init(&g->rl, p->ratelimit_interval_s, p->ratelimit_burst);
	g->mountinfo_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (g->mountinfo_fd < 0)
		return -errno;
	r = prepare_index(g);
	if (r < 0)
		return r;
	r = sg_inodetab_init(&g->exec_cache, 1024, EXEC_CACHE_LIMIT);
	if (r < 0)
		return r;
	r = sg_inodetab_init(&g->file_kinds, 1024, EXEC_CACHE_LIMIT);
	if (r < 0)
		return r;
	r = resolve_inodes(&p->loaders, "loader", &g->loaders, &g->nloaders,
			   errs);
	if (r < 0)
		return r;
	r = resolve_interpreters(g, errs);
	if (r < 0)
		return r;
	r = resolve_inodes(&p->inspectors, "inspector", &g->inspectors,
			   &g->ninspectors, errs);
	if (r < 0)
		return r;
	r = resolve_inodes(&p->writers, "writer", &d->writers, &d->nwriters,
			   errs);
	if (r < 0)
		return r;
	r = sg_guard_protect_self(g, errs);
	if (r < 0)
		return r;
	r = sg_hasher_start(HASH_QUEUE_LEN, &g->hasher);
	if (r < 0)
		return r;
	sg_daemon_add_helper_tid(d, sg_hasher_tid(g->hasher));
	r = open_group(g);
	if (r < 0)
		return r;
	return sg_guard_ns_start(d, g->fan_fd, GUARD_MASK, &g->ns);
}

/* The test suite's safety net: never mark what the test did not create. */
static int check_confined(const struct sg_guard *g,
			  const struct sg_mark_target *t, struct errlist *errs)
{
	if (sg_daemon_confined(g->d, t->dev, t->point))
		return 0;
	{
		(void)errlist_add(errs,
				  "refusing to mark %s: not a filesystem "
				  "mounted below --confine %s",
				  t->point, g->d->confine);
		return -EPERM;
	}
	return 0;
}

static int mark_target(struct sg_guard *g, const struct sg_mark_target *t)
{
	if (fanotify_mark(g->fan_fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
			  GUARD_MASK, AT_FDCWD, t->point) < 0)
		return -errno;
	return 0;
}

static int plan_now(struct sg_guard *g, struct sg_mark_plan *ret)
{
	struct sg_mounts m = { 0 };
	int r = sg_mounts_read_fd(g->mountinfo_fd, &m);

	if (r < 0)
		return r;
	r = sg_mark_plan_build(g->d->policy, &m, ret);
	if (r >= 0) {
		r = sg_guard_plan_self(g, &m, ret);
		if (r < 0)
			sg_mark_plan_free(ret);
	}
	if (r < 0) {
		sg_mounts_free(&m);
		return r;
	}
	/* kept: the names of events' files are found in it (guard_path.c) */
	sg_mounts_free(&g->mounts);
	g->mounts = m;
	g->mounts_missed = -1;
	return r;
}

int sg_guard_mark(struct sg_guard *g, struct errlist *errs)
{
	struct sg_mark_plan plan = { 0 };
	int r;

	r = plan_now(g, &plan);
	if (r < 0)
		return r;
	for (size_t i = 0; i < plan.n; i++) {
		r = check_confined(g, &plan.v[i], errs);
		if (r < 0)
			goto fail;
	}
	if (plan.n == 0) {
		(void)errlist_add(errs, "nothing to mark: no protected path "
					"or exec path is on a filesystem");
		r = -ENOENT;
		goto fail;
	}
	for (size_t i = 0; i < plan.n; i++) {
		r = mark_target(g, &plan.v[i]);
		if (r < 0) {
			(void)errlist_add(errs, "cannot mark %s: %s",
					  plan.v[i].point, strerror(-r));
			goto fail;
		}
	}
	g->d->plan = plan;
	/* the filesystems other namespaces already hold (door 3) */
	sg_guard_ns_rescan(g->ns);
	r = sg_blockguard_update(g->blockdev, &g->d->plan, errs);
	if (r < 0)
		return r;
	/* with the marks in place: no file made from now on escapes it */
	return sg_protindex_start(&g->index, g->d->policy, g->d->baseline,
				  errs);
fail:
	sg_mark_plan_free(&plan);
	return r;
}

void sg_guard_mounts_changed(struct sg_guard *g)
{
	struct sg_mark_plan plan = { 0 };
	struct errlist errs = { 0 };

	if (plan_now(g, &plan) < 0)
		return; /* keep the marks we have; mountinfo is retried later */
	for (size_t i = 0; i < plan.n; i++) {
		const struct sg_mark_target *t = &plan.v[i];
		int r;

		if (sg_mark_plan_flags(&g->d->plan, t->dev) == t->flags)
			continue;
		if (check_confined(g, t, &errs) < 0)
			continue;
		r = mark_target(g, t);
		g->c.mount_changes++;
		if (r < 0)
			sg_log(LOG_ERR, SG_MSGID_MOUNTS_CHANGED,
			       "cannot mark new filesystem at %s: %s", t->point,
			       strerror(-r));
		else
			sg_log(LOG_NOTICE, SG_MSGID_MOUNTS_CHANGED,
			       "marked new filesystem at %s (%s%s)", t->point,
			       t->flags & SG_FS_PROTECT ? "protect " : "",
			       t->flags & SG_FS_EXEC ? "exec" : "");
	}
	sg_mark_plan_free(&g->d->plan);
	g->d->plan = plan;
	(void)sg_blockguard_update(g->blockdev, &g->d->plan, &errs);
	sg_guard_ns_rescan(g->ns);
	for (size_t i = 0; i < errs.n; i++)
		sg_log(LOG_WARNING, SG_MSGID_MOUNTS_CHANGED, "%s", errs.msgs[i]);
	errlist_free(&errs);
}

int sg_guard_start(struct sg_daemon *d, struct sg_guard **ret,
		   struct errlist *errs)
{
	struct sg_guard *g = calloc(1, sizeof(*g));
	int r;

	if (!g)
		return -ENOMEM;
	g->d = d;
	g->fan_fd = g->mountinfo_fd = -1;
	g->mounts_missed = -1;
	sg_syscall_fds_init(&g->syscall_fds, d->proc_fd);
	*ret = g;
	r = prepare(g, errs);
	if (r < 0)
		return r;
	return sg_blockguard_start(d, g->fan_fd, &g->blockdev, errs);
}

const struct sg_counters *sg_guard_counters(const struct sg_guard *g)
{
	return &g->c;
}

void sg_guard_status(const struct sg_guard *g, char *buf, size_t size)
{
	const struct sg_counters *c = &g->c;

	snprintf(buf, size,
		 "%s: %" PRIu64 " events, %" PRIu64 " write denials, %" PRIu64
		 " exec denials, %" PRIu64 " would-deny, %" PRIu64
		 " files hashed, %" PRIu64 " execs cached in the kernel",
		 sg_mode_name(g->d->policy->mode), c->events, c->denied_write,
		 c->denied_exec, c->would_deny, c->hashes, c->ignore_marks);
}

void sg_guard_free(struct sg_guard *g)
{
	if (!g)
		return;
	if (g->fan_fd >= 0)
		(void)close(g->fan_fd);
	if (g->mountinfo_fd >= 0)
		(void)close(g->mountinfo_fd);
	sg_hasher_free(g->hasher);
	g->hasher = NULL;
	sg_mounts_free(&g->mounts);
	sg_blockguard_free(g->blockdev);
	sg_guard_ns_free(g->ns);
	sg_protindex_free(&g->index);
	sg_guard_unpark_all(g);
	sg_inodetab_free(&g->exec_cache);
	sg_inodetab_free(&g->file_kinds);
	free(g->loaders);
	g->loaders = NULL;
	free(g->interpreters);
	free(g->inspectors);
	sg_ratelimit_free(&g->rl);
	sg_syscall_fds_close(&g->syscall_fds);
	free(g);
}

int sg_guard_fd(const struct sg_guard *g)
{
	return g ? g->fan_fd : -1;
}

int sg_guard_mounts_fd(const struct sg_guard *g)
{
	return g->mountinfo_fd;
}

int sg_guard_mntns_fd(const struct sg_guard *g)
{
	return sg_guard_ns_fd(g->ns);
}

void sg_guard_mntns_process(struct sg_guard *g)
{
	sg_guard_ns_process(g->ns);
}

int sg_guard_hash_fd(const struct sg_guard *g)
{
	return g->hasher ? sg_hasher_fd(g->hasher) : -1;
}
