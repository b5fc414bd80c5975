/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rdonly.c - read-only mounts of protected paths: made, adopted, held
 * and lifted. See rdonly.h; the mount watch is in rdonly_watch.c, the
 * table helpers in mountdiff.c.
 *
 * Everything here runs on the event loop: open_tree, mount_setattr,
 * move_mount, umount2 and O_PATH opens look paths up but open no file,
 * so none of them raises a permission event the loop would have to
 * answer itself.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "daemon.h"
#include "errlist.h"
#include "log/sglog.h"
#include "messages.h"
#include "policy.h"
#include "watch/rdonly_int.h"

/* ---------------------------------------------------------------- mounts */

const struct sg_mount *rdonly_find_id(const struct sg_mounts *m, int id)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].id == id)
			return &m->v[i];
	return NULL;
}

bool rdonly_in_tree(const struct sg_mounts *t, const struct sg_mount *m,
		    int top)
{
	for (size_t steps = 0; m && steps <= t->n; steps++) {
		if (m->id == top)
			return true;
		if (m->parent == m->id)
			return false;
		m = rdonly_find_id(t, m->parent);
	}
	return false;
}

/*
 * A mount of a path onto itself ("mount --bind P P"): same filesystem as
 * the mount it sits on, showing the very directory it covers. Only such a
 * mount is adopted as a seal (and lifted on a stop): lifting a read-only
 * filesystem of its own (a /usr partition) would empty the path.
 */
static bool is_self_bind(const struct sg_mounts *t, const struct sg_mount *m)
{
	const struct sg_mount *below = rdonly_find_id(t, m->parent);
	char inpath[PATH_MAX];

	return below && below != m && below->dev == m->dev &&
	       sg_mount_in_fs_path(below, m->point, inpath,
				   sizeof(inpath)) == 0 &&
	       streq(inpath, m->root);
}

int rdonly_mount_id(int fd)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0)
		return -errno;
	if (!(sx.stx_mask & STATX_MNT_ID) || sx.stx_mnt_id > INT_MAX)
		return -EOPNOTSUPP;
	return (int)sx.stx_mnt_id;
}

int rdonly_set_ro(int fd, bool recursive)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
			  &attr, sizeof(attr)) < 0)
		return -errno;
	return 0;
}

int rdonly_clone(struct rdonly_mount *s)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = open_tree(AT_FDCWD, s->path,
		       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0)
		return -errno;
	r = rdonly_set_ro(fd, true);
	if (r < 0)
		return r;
	if (move_mount(fd, "", AT_FDCWD, s->path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	r = rdonly_mount_id(fd);
	if (r < 0)
		return r;
	s->mnt_id = r;
	s->fd = TAKE_FD(fd);
	s->fresh = true;
	return 0;
}

/* Hold a seal a previous run left at path (mount id). */
static int adopt(struct rdonly_mount *s, int id)
{
	_cleanup_close_ int fd = open(s->path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	int r;

	if (fd < 0)
		return -errno;
	r = rdonly_mount_id(fd);
	if (r < 0)
		return r;
	if (r != id)
		return -ESTALE; /* the table changed under us */
	s->mnt_id = id;
	s->fd = TAKE_FD(fd);
	s->fresh = true;
	return 0;
}

int rdonly_learn_sub(struct rdonly_mount *s, const struct sg_mounts *t)
{
	free(s->sub);
	s->sub = NULL;
	s->nsub = 0;
	s->fresh = false;
	for (size_t i = 0; i < t->n; i++) {
		const struct sg_mount *m = &t->v[i];
		int *grown;

		if (m->id == s->mnt_id || !m->ro ||
		    !rdonly_in_tree(t, m, s->mnt_id))
			continue;
		grown = reallocarray(s->sub, s->nsub + 1, sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		s->sub = grown;
		s->sub[s->nsub++] = m->id;
	}
	return 0;
}

/* ---------------------------------------------------------------- logging */

void rdonly_log(const struct rdonly_mount *s, int priority, const char *msgid,
		const char *action, const char *fmt, ...)
{
	struct sg_log_entry *e;
	va_list ap;

	va_start(ap, fmt);
	e = sg_log_entry_newv(priority, msgid, s->path, fmt, ap);
	va_end(ap);
	if (!e)
		return;
	(void)sg_log_add(e, "SEALGUARD_EVENT", "seal");
	(void)sg_log_add(e, "SEALGUARD_ACTION", "%s", action);
	(void)sg_log_add(e, "SEALGUARD_PATH", "%s", s->path);
	if (s->fd >= 0)
		(void)sg_log_add(e, "SEALGUARD_MOUNT_ID", "%d", s->mnt_id);
	sg_log_submit(e);
}

/* ---------------------------------------------------------------- start */

/* The test suite's safety net, as the guard's: seal nothing it did not
 * create, never a path of the root filesystem. */
static int check_confined(const struct sg_rdonly *ro, const char *path,
			  struct errlist *errs)
{
	const struct sg_daemon *d = ro->d;
	struct stat st;

	if (!d->confine)
		return 0;
	if (!path_is_under(path, d->confine) || stat(path, &st) < 0 ||
	    st.st_dev == d->root_dev) {
		(void)errlist_add(errs, "refusing to seal %s: not below "
					"--confine %s on a filesystem of its own",
				  path, d->confine);
		return -EPERM;
	}
	return 0;
}

static int seal_one(struct sg_rdonly *ro, const char *path,
		    struct errlist *errs)
{
	const struct sg_mount *top = sg_mounts_containing(&ro->snap, path);
	struct rdonly_mount *grown, s = { .fd = -1 };
	bool adopted;
	int r;

	r = check_confined(ro, path, errs);
	if (r < 0)
		return r;
	s.path = strdup(path);
	if (!s.path)
		return -ENOMEM;
	adopted = top && streq(top->point, path) && top->ro &&
		  is_self_bind(&ro->snap, top);
	r = adopted ? adopt(&s, top->id) : rdonly_clone(&s);
	grown = r < 0 ? NULL :
			reallocarray(ro->mounts, ro->nmounts + 1,
				     sizeof(*grown));
	if (!grown) {
		if (r >= 0)
			r = -ENOMEM;
		(void)errlist_add(errs, "cannot seal %s read-only: %s", path,
				  strerror(-r));
		if (s.fd >= 0)
			(void)close(s.fd);
		free(s.path);
		return r;
	}
	ro->mounts = grown;
	ro->mounts[ro->nmounts++] = s;
	rdonly_log(&s, LOG_NOTICE, SG_MSGID_SEALED, adopted ? "adopt" : "seal",
		 "sealed %s read-only (%s)", path,
		 adopted ? "kept the read-only bind mount already there" :
			   "a read-only bind mount of itself");
	return 0;
}

static int collect_roots(struct sg_rdonly *ro)
{
	const struct sg_policy *p = ro->d->policy;
	size_t n = p->protect.n + ro->d->nself_paths;

	ro->roots = calloc(n ? n : 1, sizeof(*ro->roots));
	if (!ro->roots)
		return -ENOMEM;
	for (size_t i = 0; i < p->protect.n; i++)
		ro->roots[ro->nroots++] = p->protect.paths[i];
	for (size_t i = 0; i < ro->d->nself_paths; i++)
		ro->roots[ro->nroots++] = ro->d->self_paths[i];
	return 0;
}

/* Make or adopt the read-only mounts; learn the table they are in. */
static int first_table(struct sg_rdonly *ro, struct errlist *errs)
{
	const struct sg_policy *p = ro->d->policy;
	int r;

	r = collect_roots(ro);
	if (r < 0)
		return r;
	ro->mountinfo_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (ro->mountinfo_fd < 0)
		return -errno;
	r = sg_mounts_read_fd(ro->mountinfo_fd, &ro->snap);
	for (size_t i = 0; r >= 0 && i < p->seals.n; i++)
		r = seal_one(ro, p->seals.paths[i], errs);
	if (r >= 0 && p->seals.n) { /* the table with the seals in it */
		sg_mounts_free(&ro->snap);
		r = sg_mounts_read_fd(ro->mountinfo_fd, &ro->snap);
	}
	for (size_t i = 0; r >= 0 && i < ro->nmounts; i++)
		r = rdonly_learn_sub(&ro->mounts[i], &ro->snap);
	if (r >= 0)
		r = sg_fsrefs_build(&ro->snap, ro->roots, ro->nroots,
				    &ro->refs, &ro->nrefs);
	return r;
}

int sg_rdonly_start(const struct sg_daemon *d, struct sg_rdonly **ret,
		    struct errlist *errs)
{
	const struct sg_policy *p = d->policy;
	struct sg_rdonly *ro;
	int r;

	/* no read-only mounts to keep, no mount changes to report */
	if (!p->changes.enabled && !p->seals.n) {
		*ret = NULL;
		return 0;
	}
	ro = calloc(1, sizeof(*ro));
	if (!ro)
		return -ENOMEM;
	*ro = (struct sg_rdonly){ .d = d, .mountinfo_fd = -1,
				  .report = p->changes.enabled };
	sg_ratelimit_init(&ro->rl, p->ratelimit_interval_s, p->ratelimit_burst);
	r = first_table(ro, errs);
	if (r < 0) {
		sg_rdonly_free(ro);
		return r;
	}
	*ret = ro;
	return 0;
}

/* ---------------------------------------------------------------- end */

void sg_rdonly_status(const struct sg_rdonly *ro, char *buf, size_t size)
{
	size_t held = 0;

	buf[0] = '\0';
	if (!ro)
		return;
	for (size_t i = 0; i < ro->nmounts; i++)
		held += ro->mounts[i].fd >= 0 &&
			ro->mounts[i].state == RDONLY_OK;
	snprintf(buf, size,
		 "; seals: %zu of %zu held, %" PRIu64 " restored, %" PRIu64
		 " mount changes",
		 held, ro->nmounts, ro->restored, ro->reported);
}

void sg_rdonly_unseal(struct sg_rdonly *ro)
{
	for (size_t i = 0; ro && i < ro->nmounts; i++) {
		struct rdonly_mount *s = &ro->mounts[i];
		char fdpath[64];

		if (s->fd < 0 || !rdonly_find_id(&ro->snap, s->mnt_id))
			continue; /* gone already (reseal = no) */
		/* the held mount itself, whatever was mounted over it */
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", s->fd);
		if (umount2(fdpath, MNT_DETACH) < 0)
			sg_log(LOG_ERR, SG_MSGID_SEALED,
			       "cannot lift the read-only seal of %s: %s",
			       s->path, strerror(errno));
		else
			rdonly_log(s, LOG_NOTICE, SG_MSGID_SEALED, "unseal",
				 "lifted the read-only seal of %s (clean stop)",
				 s->path);
		(void)close(s->fd);
		s->fd = -1;
	}
}

void sg_rdonly_free(struct sg_rdonly *ro)
{
	if (!ro)
		return;
	for (size_t i = 0; i < ro->nmounts; i++) {
		if (ro->mounts[i].fd >= 0)
			(void)close(ro->mounts[i].fd);
		free(ro->mounts[i].path);
		free(ro->mounts[i].sub);
	}
	free(ro->mounts);
	if (ro->mountinfo_fd >= 0)
		(void)close(ro->mountinfo_fd);
	sg_fsrefs_free(ro->refs, ro->nrefs);
	sg_mounts_free(&ro->snap);
	free(ro->roots);
	free(ro->expect);
	sg_ratelimit_free(&ro->rl);
	free(ro);
}
