/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * roseal.c - read-only seals and the mount watch. See roseal.h.
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
#include <sys/sysmacros.h>

#include "clock.h"
#include "errlist.h"
#include "daemon.h"
#include "messages.h"
#include "policy.h"
#include "respond/respond.h"
#include "watch/roseal.h"
#include "log/sglog.h"

/* ---------------------------------------------------------------- pure */

/* Where path (on mount m) is within m's filesystem, into buf. */
static int in_fs_path(const struct sg_mount *m, const char *path, char *buf,
		      size_t size)
{
	const char *rest = streq(m->point, "/") ? path :
						  path + strlen(m->point);
	int n;

	if (!*rest || streq(rest, "/"))
		n = snprintf(buf, size, "%s", m->root);
	else
		n = snprintf(buf, size, "%s%s", streq(m->root, "/") ? "" :
								     m->root,
			     rest);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int sg_fsrefs_build(const struct sg_mounts *m, const char *const *roots,
		    size_t nroots, struct sg_fsref **ret, size_t *ret_n)
{
	struct sg_fsref *refs = calloc(nroots ? nroots : 1, sizeof(*refs));
	size_t n = 0;

	if (!refs)
		return -ENOMEM;
	for (size_t i = 0; i < nroots; i++) {
		const struct sg_mount *mt = sg_mounts_containing(m, roots[i]);
		char inpath[PATH_MAX];

		if (!mt || in_fs_path(mt, roots[i], inpath, sizeof(inpath)) < 0)
			continue;
		refs[n].inpath = strdup(inpath);
		if (!refs[n].inpath) {
			sg_fsrefs_free(refs, n);
			return -ENOMEM;
		}
		refs[n++].dev = mt->dev;
	}
	*ret = refs;
	*ret_n = n;
	return 0;
}

void sg_fsrefs_free(struct sg_fsref *refs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(refs[i].inpath);
	free(refs);
}

bool sg_mount_relevant(const struct sg_mount *m, const char *const *roots,
		       size_t nroots, const struct sg_fsref *refs,
		       size_t nrefs)
{
	for (size_t i = 0; i < nroots; i++)
		if (path_is_under(m->point, roots[i]) ||
		    path_is_under(roots[i], m->point))
			return true;
	for (size_t i = 0; i < nrefs; i++)
		if (m->dev == refs[i].dev &&
		    (path_is_under(m->root, refs[i].inpath) ||
		     path_is_under(refs[i].inpath, m->root)))
			return true;
	return false;
}

const char *sg_mount_change_name(enum sg_mount_change kind)
{
	static const char *const names[] = {
		[SG_MOUNT_ADDED] = "mount",
		[SG_MOUNT_REMOVED] = "unmount",
		[SG_MOUNT_RW] = "remount-rw",
		[SG_MOUNT_RO] = "remount-ro",
	};
	return names[kind];
}

static int by_id(const void *a, const void *b)
{
	int x = (*(const struct sg_mount *const *)a)->id;
	int y = (*(const struct sg_mount *const *)b)->id;

	return (x > y) - (x < y);
}

static const struct sg_mount **sorted_by_id(const struct sg_mounts *m)
{
	const struct sg_mount **v = calloc(m->n ? m->n : 1, sizeof(*v));

	if (!v)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		v[i] = &m->v[i];
	qsort(v, m->n, sizeof(*v), by_id);
	return v;
}

static bool writable(const struct sg_mount *m)
{
	return !m->ro && !m->sb_ro;
}

static bool same_mount(const struct sg_mount *a, const struct sg_mount *b)
{
	return a->dev == b->dev && streq(a->point, b->point) &&
	       streq(a->root, b->root);
}

static void diff_pair(const struct sg_mount *a, const struct sg_mount *b,
		      sg_mount_diff_cb cb, void *userdata)
{
	if (!same_mount(a, b)) {
		cb(SG_MOUNT_REMOVED, a, NULL, userdata);
		cb(SG_MOUNT_ADDED, NULL, b, userdata);
	} else if (writable(a) != writable(b)) {
		cb(writable(b) ? SG_MOUNT_RW : SG_MOUNT_RO, a, b, userdata);
	}
}

int sg_mounts_diff(const struct sg_mounts *old, const struct sg_mounts *cur,
		   sg_mount_diff_cb cb, void *userdata)
{
	_cleanup_free_ const struct sg_mount **a = sorted_by_id(old);
	_cleanup_free_ const struct sg_mount **b = sorted_by_id(cur);
	size_t i = 0, j = 0;

	if (!a || !b)
		return -ENOMEM;
	while (i < old->n || j < cur->n) {
		if (j == cur->n || (i < old->n && a[i]->id < b[j]->id))
			cb(SG_MOUNT_REMOVED, a[i++], NULL, userdata);
		else if (i == old->n || b[j]->id < a[i]->id)
			cb(SG_MOUNT_ADDED, NULL, b[j++], userdata);
		else
			diff_pair(a[i++], b[j++], cb, userdata);
	}
	return 0;
}

/* ---------------------------------------------------------------- mounts */

static const struct sg_mount *find_id(const struct sg_mounts *m, int id)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].id == id)
			return &m->v[i];
	return NULL;
}

/* Is m at or below the mount with id top (following parents)? */
static bool in_tree(const struct sg_mounts *t, const struct sg_mount *m,
		    int top)
{
	for (size_t steps = 0; m && steps <= t->n; steps++) {
		if (m->id == top)
			return true;
		if (m->parent == m->id)
			return false;
		m = find_id(t, m->parent);
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
	const struct sg_mount *below = find_id(t, m->parent);
	char inpath[PATH_MAX];

	return below && below != m && below->dev == m->dev &&
	       in_fs_path(below, m->point, inpath, sizeof(inpath)) == 0 &&
	       streq(inpath, m->root);
}

static int mount_id_of(int fd)
{
	struct statx sx;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &sx) < 0)
		return -errno;
	if (!(sx.stx_mask & STATX_MNT_ID) || sx.stx_mnt_id > INT_MAX)
		return -EOPNOTSUPP;
	return (int)sx.stx_mnt_id;
}

static int set_ro(int fd, bool recursive)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };

	if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0),
			  &attr, sizeof(attr)) < 0)
		return -errno;
	return 0;
}

/* A read-only clone of the tree at path (submounts included), attached
 * on path itself: read-only before anyone can reach it. */
static int clone_ro(struct sg_seal *s)
{
	_cleanup_close_ int fd = -1;
	int r;

	fd = open_tree(AT_FDCWD, s->path,
		       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (fd < 0)
		return -errno;
	r = set_ro(fd, true);
	if (r < 0)
		return r;
	if (move_mount(fd, "", AT_FDCWD, s->path, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	r = mount_id_of(fd);
	if (r < 0)
		return r;
	s->mnt_id = r;
	s->fd = TAKE_FD(fd);
	s->fresh = true;
	return 0;
}

/* Hold a seal a previous run left at path (mount id). */
static int adopt(struct sg_seal *s, int id)
{
	_cleanup_close_ int fd = open(s->path, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	int r;

	if (fd < 0)
		return -errno;
	r = mount_id_of(fd);
	if (r < 0)
		return r;
	if (r != id)
		return -ESTALE; /* the table changed under us */
	s->mnt_id = id;
	s->fd = TAKE_FD(fd);
	s->fresh = true;
	return 0;
}

/* The read-only mounts now below seal s: kept read-only too. */
static int learn_sub(struct sg_seal *s, const struct sg_mounts *t)
{
	free(s->sub);
	s->sub = NULL;
	s->nsub = 0;
	s->fresh = false;
	for (size_t i = 0; i < t->n; i++) {
		const struct sg_mount *m = &t->v[i];
		int *grown;

		if (m->id == s->mnt_id || !m->ro || !in_tree(t, m, s->mnt_id))
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

static void report_suppressed(const char *label, uint32_t n, void *userdata)
{
	sg_log(LOG_NOTICE, SG_MSGID_SUPPRESSED,
	       "suppressed %" PRIu32 " more identical entries: %s", n, label);
}

static void log_seal(const struct sg_seal *s, int priority, const char *msgid,
		     const char *action, const char *fmt, ...) _printf_(5, 6);

static void log_seal(const struct sg_seal *s, int priority, const char *msgid,
		     const char *action, const char *fmt, ...)
{
	struct sg_log_entry *e = sg_log_entry_new(priority, msgid);
	va_list ap;
	int r;

	if (!e)
		return;
	va_start(ap, fmt);
	r = sg_log_addv(e, "MESSAGE", fmt, ap);
	va_end(ap);
	if (r < 0)
		(void)sg_log_add(e, "MESSAGE", "%s", s->path);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "seal");
	(void)sg_log_add(e, "SEALGUARD_ACTION", "%s", action);
	(void)sg_log_add(e, "SEALGUARD_PATH", "%s", s->path);
	if (s->fd >= 0)
		(void)sg_log_add(e, "SEALGUARD_MOUNT_ID", "%d", s->mnt_id);
	sg_log_submit(e);
}

static bool expected(const struct sg_roseal *rs, const struct sg_mount *m)
{
	for (size_t i = 0; i < rs->nexpect; i++)
		if (m->id == rs->expect[i] ||
		    (rs->cur && in_tree(rs->cur, m, rs->expect[i])))
			return true;
	return false;
}

/* A mount change is a change event: its hook, and reprovisioning (no
 * actor: mountinfo names none). */
static void respond_to_mount(struct sg_roseal *rs, const char *name,
			     const struct sg_mount *m)
{
	char summary[PATH_MAX + 64];
	struct sg_violation v = { .kind = SG_KIND_CHANGE, .summary = summary,
				  .path = m->point, .pidfd = -1 };

	snprintf(summary, sizeof(summary), "mount changed: %s %s", name,
		 m->point);
	sg_respond_event(rs->d->respond, &v);
}

static void on_mount_change(enum sg_mount_change kind, const struct sg_mount *a,
			    const struct sg_mount *b, void *userdata)
{
	struct sg_roseal *rs = userdata;
	const struct sg_mount *m = b ? b : a;
	const char *name = sg_mount_change_name(kind);
	struct sg_log_entry *e;
	char label[PATH_MAX + 32];

	if ((kind == SG_MOUNT_ADDED || kind == SG_MOUNT_RO) && expected(rs, m))
		return; /* our own restore */
	if (!sg_mount_relevant(m, rs->roots, rs->nroots, rs->refs, rs->nrefs))
		return;
	snprintf(label, sizeof(label), "mount %s %s", name, m->point);
	if (!sg_ratelimit_allow(&rs->rl, label, sg_now_ms(), report_suppressed,
				NULL))
		return;
	e = sg_log_entry_new(kind == SG_MOUNT_RO ? LOG_NOTICE : LOG_WARNING,
			     SG_MSGID_MOUNT_CHANGE);
	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE", "mount changed: %s %s (%s %s, %s)",
			 name, m->point, m->fstype, m->source, m->root);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "change");
	(void)sg_log_add(e, "SEALGUARD_CHANGE", "%s", name);
	(void)sg_log_add(e, "SEALGUARD_OBJECT", "mount");
	(void)sg_log_add(e, "SEALGUARD_PATH", "%s", m->point);
	(void)sg_log_add(e, "SEALGUARD_FSTYPE", "%s", m->fstype);
	(void)sg_log_add(e, "SEALGUARD_SOURCE", "%s", m->source);
	(void)sg_log_add(e, "SEALGUARD_MOUNT_ROOT", "%s", m->root);
	(void)sg_log_add(e, "SEALGUARD_MOUNT_ID", "%d", m->id);
	sg_log_submit(e);
	rs->reported++;
	if (kind != SG_MOUNT_RO) /* read-only again: nothing to answer */
		respond_to_mount(rs, name, m);
}

/* ---------------------------------------------------------------- seals */

static int expect_id(struct sg_roseal *rs, int id)
{
	int *grown = reallocarray(rs->expect, rs->nexpect + 1, sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	rs->expect = grown;
	rs->expect[rs->nexpect++] = id;
	return 0;
}

static bool reseal(const struct sg_roseal *rs)
{
	return rs->d->policy->reseal;
}

/* Report a broken seal once, restore it if the policy says so. */
static void restore(struct sg_roseal *rs, struct sg_seal *s, bool gone)
{
	const char *why = gone ? "it was unmounted" :
				 "it was remounted read-write";
	int r;

	if (!reseal(rs)) {
		if (s->state != SG_SEAL_BROKEN)
			log_seal(s, LOG_WARNING, SG_MSGID_RESEALED, "broken",
				 "the read-only seal of %s is broken (%s); not "
				 "restored: reseal = no", s->path, why);
		s->state = SG_SEAL_BROKEN;
		return;
	}
	if (gone) {
		if (s->fd >= 0)
			(void)close(s->fd);
		s->fd = -1;
		r = clone_ro(s);
	} else {
		r = set_ro(s->fd, false);
	}
	if (r >= 0)
		r = expect_id(rs, s->mnt_id);
	if (r < 0) {
		rs->failed++;
		if (s->state != SG_SEAL_BROKEN)
			log_seal(s, LOG_ERR, SG_MSGID_RESEALED, "restore-failed",
				 "cannot restore the read-only seal of %s: %s",
				 s->path, strerror(-r));
		s->state = SG_SEAL_BROKEN;
		return;
	}
	rs->restored++;
	s->state = SG_SEAL_OK;
	log_seal(s, LOG_WARNING, SG_MSGID_RESEALED, "restore",
		 "restored the read-only seal of %s (%s)", s->path, why);
}

/* A read-only mount below a seal made writable: read-only again. */
static void restore_sub(struct sg_roseal *rs, const struct sg_seal *s,
			const struct sg_mount *m)
{
	_cleanup_close_ int fd = open(m->point, O_PATH | O_CLOEXEC | O_NOFOLLOW);

	if (!reseal(rs) || fd < 0 || mount_id_of(fd) != m->id)
		return; /* covered by another mount: reported as such */
	if (set_ro(fd, false) < 0 || expect_id(rs, m->id) < 0) {
		rs->failed++;
		sg_log(LOG_ERR, SG_MSGID_RESEALED,
		       "cannot make %s (below the seal of %s) read-only again",
		       m->point, s->path);
		return;
	}
	rs->restored++;
	sg_log(LOG_WARNING, SG_MSGID_RESEALED,
	       "made %s (below the seal of %s) read-only again", m->point,
	       s->path);
}

static void check_seal(struct sg_roseal *rs, struct sg_seal *s)
{
	const struct sg_mount *top = s->fd >= 0 ? find_id(&rs->snap, s->mnt_id) :
						  NULL;

	if (s->fresh && top)
		(void)learn_sub(s, &rs->snap);
	if (!top || !streq(top->point, s->path)) {
		restore(rs, s, true);
		return;
	}
	if (!top->ro) {
		restore(rs, s, false);
		return;
	}
	s->state = SG_SEAL_OK;
	for (size_t i = 0; i < s->nsub; i++) {
		const struct sg_mount *m = find_id(&rs->snap, s->sub[i]);

		if (m && !m->ro)
			restore_sub(rs, s, m);
	}
}

void sg_roseal_mounts_changed(struct sg_roseal *rs)
{
	struct sg_mounts cur = { 0 };

	if (!rs->active || sg_mounts_read_fd(rs->mountinfo_fd, &cur) < 0)
		return; /* keep the old table; the next change retries */
	if (rs->report) {
		rs->cur = &cur;
		(void)sg_mounts_diff(&rs->snap, &cur, on_mount_change, rs);
		rs->cur = NULL;
	}
	free(rs->expect);
	rs->expect = NULL;
	rs->nexpect = 0;
	sg_mounts_free(&rs->snap);
	rs->snap = cur;
	for (size_t i = 0; i < rs->nseals; i++)
		check_seal(rs, &rs->seals[i]);
}

/* ---------------------------------------------------------------- start */

/* The test suite's safety net, as the guard's: seal nothing it did not
 * create, never a path of the root filesystem. */
static int check_confined(const struct sg_roseal *rs, const char *path,
			  struct errlist *errs)
{
	const struct sg_daemon *d = rs->d;
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

static int seal_one(struct sg_roseal *rs, const char *path,
		    struct errlist *errs)
{
	const struct sg_mount *top = sg_mounts_containing(&rs->snap, path);
	struct sg_seal *grown, s = { .fd = -1 };
	bool adopted;
	int r;

	r = check_confined(rs, path, errs);
	if (r < 0)
		return r;
	s.path = strdup(path);
	if (!s.path)
		return -ENOMEM;
	adopted = top && streq(top->point, path) && top->ro &&
		  is_self_bind(&rs->snap, top);
	r = adopted ? adopt(&s, top->id) : clone_ro(&s);
	grown = r < 0 ? NULL :
			reallocarray(rs->seals, rs->nseals + 1, sizeof(*grown));
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
	rs->seals = grown;
	rs->seals[rs->nseals++] = s;
	log_seal(&s, LOG_NOTICE, SG_MSGID_SEALED, adopted ? "adopt" : "seal",
		 "sealed %s read-only (%s)", path,
		 adopted ? "kept the read-only bind mount already there" :
			   "a read-only bind mount of itself");
	return 0;
}

static int collect_roots(struct sg_roseal *rs)
{
	const struct sg_policy *p = rs->d->policy;
	size_t n = p->protect.n + rs->d->nself_paths;

	rs->roots = calloc(n ? n : 1, sizeof(*rs->roots));
	if (!rs->roots)
		return -ENOMEM;
	for (size_t i = 0; i < p->protect.n; i++)
		rs->roots[rs->nroots++] = p->protect.paths[i];
	for (size_t i = 0; i < rs->d->nself_paths; i++)
		rs->roots[rs->nroots++] = rs->d->self_paths[i];
	return 0;
}

int sg_roseal_start(struct sg_roseal *rs, const struct sg_daemon *d,
		    struct errlist *errs)
{
	const struct sg_policy *p = d->policy;
	int r;

	*rs = (struct sg_roseal){ .d = d, .mountinfo_fd = -1,
				  .report = p->changes.enabled };
	rs->active = rs->report || p->seals.n;
	sg_ratelimit_init(&rs->rl, p->ratelimit_interval_s, p->ratelimit_burst);
	if (!rs->active)
		return 0;
	r = collect_roots(rs);
	if (r < 0)
		return r;
	rs->mountinfo_fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	if (rs->mountinfo_fd < 0)
		return -errno;
	r = sg_mounts_read_fd(rs->mountinfo_fd, &rs->snap);
	for (size_t i = 0; r >= 0 && i < p->seals.n; i++)
		r = seal_one(rs, p->seals.paths[i], errs);
	if (r >= 0 && p->seals.n) { /* the table with the seals in it */
		sg_mounts_free(&rs->snap);
		r = sg_mounts_read_fd(rs->mountinfo_fd, &rs->snap);
	}
	for (size_t i = 0; r >= 0 && i < rs->nseals; i++)
		r = learn_sub(&rs->seals[i], &rs->snap);
	if (r >= 0)
		r = sg_fsrefs_build(&rs->snap, rs->roots, rs->nroots,
				    &rs->refs, &rs->nrefs);
	return r;
}

/* ---------------------------------------------------------------- end */

void sg_roseal_status(const struct sg_roseal *rs, char *buf, size_t size)
{
	size_t held = 0;

	buf[0] = '\0';
	if (!rs->active)
		return;
	for (size_t i = 0; i < rs->nseals; i++)
		held += rs->seals[i].fd >= 0 && rs->seals[i].state == SG_SEAL_OK;
	snprintf(buf, size,
		 "; seals: %zu of %zu held, %" PRIu64 " restored, %" PRIu64
		 " mount changes",
		 held, rs->nseals, rs->restored, rs->reported);
}

void sg_roseal_unseal(struct sg_roseal *rs)
{
	for (size_t i = 0; i < rs->nseals; i++) {
		struct sg_seal *s = &rs->seals[i];
		char fdpath[64];

		if (s->fd < 0 || !find_id(&rs->snap, s->mnt_id))
			continue; /* gone already (reseal = no) */
		/* the held mount itself, whatever was mounted over it */
		snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%d", s->fd);
		if (umount2(fdpath, MNT_DETACH) < 0)
			sg_log(LOG_ERR, SG_MSGID_SEALED,
			       "cannot lift the read-only seal of %s: %s",
			       s->path, strerror(errno));
		else
			log_seal(s, LOG_NOTICE, SG_MSGID_SEALED, "unseal",
				 "lifted the read-only seal of %s (clean stop)",
				 s->path);
		(void)close(s->fd);
		s->fd = -1;
	}
}

void sg_roseal_free(struct sg_roseal *rs)
{
	for (size_t i = 0; i < rs->nseals; i++) {
		if (rs->seals[i].fd >= 0)
			(void)close(rs->seals[i].fd);
		free(rs->seals[i].path);
		free(rs->seals[i].sub);
	}
	free(rs->seals);
	if (rs->mountinfo_fd >= 0)
		(void)close(rs->mountinfo_fd);
	sg_fsrefs_free(rs->refs, rs->nrefs);
	sg_mounts_free(&rs->snap);
	free(rs->roots);
	free(rs->expect);
	sg_ratelimit_free(&rs->rl);
	*rs = (struct sg_roseal){ .mountinfo_fd = -1 };
}
