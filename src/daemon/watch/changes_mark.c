/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * changes_mark.c - which filesystems the change watcher marks (at start
 * and when the mounts change), and the paths its events' directory
 * handles stand for. See changes.h.
 */
#include <limits.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "daemon.h"
#include "errlist.h"
#include "log/sglog.h"
#include "messages.h"
#include "policy.h"
#include "watch/changes_int.h"

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

int sg_changes_watch_plan(struct sg_changes *c, struct errlist *errs)
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

void sg_changes_mounts_changed(struct sg_changes *c)
{
	struct errlist errs = { 0 };
	size_t before;

	if (!c)
		return;
	/* a mount over a path changes what it names */
	sg_changes_cache_clear(c);
	before = c->nfs;
	(void)sg_changes_watch_plan(c, &errs);
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

void sg_changes_cache_clear(struct sg_changes *c)
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

int sg_changes_place(struct sg_changes *c, const struct sg_change_dirent *d,
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

bool sg_changes_relevant(const struct sg_changes *c, const char *path)
{
	return sg_policy_protects(c->d->policy, path) ||
	       sg_daemon_is_self_path(c->d, path);
}
