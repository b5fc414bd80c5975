/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard_path.c - the path an event's file is judged and logged by: its
 * name through the mounts the policy is written against, whatever mount
 * the opener came through (issue #12, door 6: a new name created through
 * `mount --bind /etc /tmp/alias` is judged as a name in /etc).
 *
 * Only files the inode tables do not answer for get here (a name not
 * seen at seal time, an exec not cached): the common allow never pays
 * for it. The cost is one statx (the descriptor's mount id) and a walk of
 * the cached mount table; a mount id the table does not know (a mount
 * made since it was read, or one in another mount namespace) costs a
 * re-read of our mountinfo, then the opener's. When no name can be
 * found the caller is told so and fails closed (protected, in exec
 * scope), and the raw path stays in ev->path for the journal.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fan/guard_int.h"
#include "fan/guard_path.h"
#include "fan/guard_ns.h"
#include "daemon.h"
#include "policy.h"
#include "sys/canonpath.h"

int sg_guard_mount_id(int fd, int *ret)
{
	struct statx stx;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_MNT_ID,
		  &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return -EOPNOTSUPP;
	*ret = (int)stx.stx_mnt_id;
	return 0;
}

static struct timespec timespec_of(const struct statx_timestamp *t)
{
	return (struct timespec){ t->tv_sec, t->tv_nsec };
}

int sg_guard_stat_event(struct sg_event *ev)
{
	struct statx stx;
	struct stat *st = &ev->st;

	/* AT_STATX_SYNC_AS_STAT: the same freshness as fstat(2), whose
	 * kernel side (vfs_getattr, STATX_BASIC_STATS) this is; the fields
	 * are the ones fstat would copy whatever stx_mask says, so nothing
	 * is judged differently (trust rests on ctime and size) */
	if (statx(ev->fd, "", AT_EMPTY_PATH | AT_STATX_SYNC_AS_STAT,
		  STATX_BASIC_STATS | STATX_MNT_ID, &stx) < 0)
		return -errno;
	*st = (struct stat){
		.st_dev = makedev(stx.stx_dev_major, stx.stx_dev_minor),
		.st_ino = stx.stx_ino,
		.st_mode = stx.stx_mode,
		.st_nlink = stx.stx_nlink,
		.st_uid = stx.stx_uid,
		.st_gid = stx.stx_gid,
		.st_rdev = makedev(stx.stx_rdev_major, stx.stx_rdev_minor),
		.st_size = (off_t)stx.stx_size,
		.st_blksize = (blksize_t)stx.stx_blksize,
		.st_blocks = (blkcnt_t)stx.stx_blocks,
		.st_atim = timespec_of(&stx.stx_atime),
		.st_mtim = timespec_of(&stx.stx_mtime),
		.st_ctim = timespec_of(&stx.stx_ctime),
	};
	ev->mnt_id = (stx.stx_mask & STATX_MNT_ID) ? (int)stx.stx_mnt_id : -1;
	return 0;
}

/* Our mount table again, once per unknown id until the mounts change
 * (sg_guard_mounts_changed resets it): a flood of opens through a mount
 * we cannot see must not make every event re-read mountinfo. */
static const struct sg_mount *refreshed_mount(struct sg_guard *g, int id)
{
	struct sg_mounts m = { 0 };

	if (g->mounts_missed == id || sg_mounts_read_fd(g->mountinfo_fd, &m) < 0)
		return NULL;
	sg_mounts_free(&g->mounts);
	g->mounts = m;
	g->mounts_missed = id;
	return sg_mounts_by_id(&g->mounts, id);
}

/* A mount of another namespace: the opener's own table names it. */
static int opener_mounts(struct sg_guard *g, pid_t tid, struct sg_mounts *ret)
{
	char name[64];
	int fd, r;

	snprintf(name, sizeof(name), "%d/mountinfo", (int)tid);
	fd = openat(g->d->proc_fd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = sg_mounts_read_fd(fd, ret);
	(void)close(fd);
	return r;
}

static bool protects(const struct sg_guard *g, const char *path)
{
	return sg_policy_protects(g->d->policy, path) ||
	       sg_daemon_is_self_path(g->d, path);
}

static bool in_exec_scope(const struct sg_guard *g, const char *path)
{
	return sg_policy_checks_exec(g->d->policy, path);
}

/* The first of inner's names through our mounts that wanted() takes. */
static int first_name(struct sg_guard *g, const struct sg_mount *like,
		      const char *inner,
		      bool (*wanted)(const struct sg_guard *, const char *),
		      char *buf, size_t size)
{
	char name[PATH_MAX];
	size_t cursor = 0;

	while (sg_mounts_next_name(&g->mounts, like, inner, &cursor, name,
				   sizeof(name)) == 1) {
		if (!wanted(g, name))
			continue;
		if (strlen(name) >= size)
			return -ENAMETOOLONG;
		memcpy(buf, name, strlen(name) + 1);
		return 0;
	}
	return -ENOENT;
}

/*
 * Of inner's names through our mounts, the one the policy cares about
 * most: a protected one, else one in exec scope, else the canonical one
 * (sg_mounts_canon_name). Any name will do for "is it protected": the
 * policy may be written against a bind mount of a subtree as well as the
 * filesystem's main mount. -ENOENT: no mount here shows it.
 */
static int pick_name(struct sg_guard *g, const struct sg_mount *like,
		     const char *inner, char *buf, size_t size)
{
	if (first_name(g, like, inner, protects, buf, size) == 0 ||
	    first_name(g, like, inner, in_exec_scope, buf, size) == 0)
		return 0;
	return sg_mounts_canon_name(&g->mounts, like, inner, buf, size);
}

/* A mount of ours of the filesystem like's entry names, or NULL. */
static const struct sg_mount *ours_like(const struct sg_guard *g,
					const struct sg_mount *like)
{
	for (size_t i = 0; i < g->mounts.n; i++)
		if (g->mounts.v[i].dev == like->dev &&
		    streq(g->mounts.v[i].fstype, like->fstype))
			return &g->mounts.v[i];
	return NULL;
}

/*
 * The path inside its filesystem of raw, a name seen through mount id,
 * into inner (PATH_MAX); *ret_like: one of our mounts of that filesystem
 * (it stays valid until the table is next replaced, after this event).
 */
static int inner_of(struct sg_guard *g, pid_t tid, int id, const char *raw,
		    char *inner, const struct sg_mount **ret_like)
{
	const struct sg_mount *mnt = sg_mounts_by_id(&g->mounts, id), *like;
	struct sg_mounts theirs = { 0 };
	int r;

	if (!mnt)
		mnt = refreshed_mount(g, id);
	if (mnt) {
		r = sg_mount_inner_path(mnt, raw, inner, PATH_MAX);
		if (r == 0)
			*ret_like = mnt;
		return r;
	}
	r = opener_mounts(g, tid, &theirs);
	if (r < 0)
		return r;
	mnt = sg_mounts_by_id(&theirs, id);
	like = mnt ? ours_like(g, mnt) : NULL;
	r = like ? sg_mount_inner_path(mnt, raw, inner, PATH_MAX) : -ENOENT;
	if (r == 0)
		*ret_like = like;
	sg_mounts_free(&theirs);
	return r;
}

int sg_guard_read_path(struct sg_guard *g, struct sg_event *ev)
{
	const struct sg_mount *like = NULL;
	char inner[PATH_MAX], name[PATH_MAX];
	int id = -1, r;

	r = sg_fd_path(g->d->proc_fd, ev->fd, ev->path, sizeof(ev->path));
	if (r < 0) {
		ev->path[0] = '\0';
		return r;
	}
	/* from here on a failure keeps the raw path for the journal */
	id = ev->mnt_id;
	r = id >= 0 ? 0 : sg_guard_mount_id(ev->fd, &id);
	if (r == 0)
		r = inner_of(g, ev->tid, id, ev->path, inner, &like);
	/* a filesystem of another namespace that none of ours shows (door
	 * 3, fan/guard_ns.h): the kernel's name for it is the one in the
	 * opener's namespace, which is what the policy is judged by there */
	if (r == -ENOENT && sg_guard_ns_flags(g->ns, ev->st.st_dev))
		return 0;
	if (r == 0)
		r = pick_name(g, like, inner, name, sizeof(name));
	if (r < 0)
		return r; /* judged as protected and in scope; logged by
			     sg_guard_log_decision as SEALGUARD_PATH_SEEN */
	memcpy(ev->path, name, strlen(name) + 1);
	return 0;
}

bool sg_guard_seen_path(struct sg_guard *g, struct sg_event *ev, char *buf,
			size_t size)
{
	const char *judged = sg_event_path(g, ev);

	return sg_fd_path(g->d->proc_fd, ev->fd, buf, size) == 0 &&
	       (!judged || !streq(judged, buf));
}
