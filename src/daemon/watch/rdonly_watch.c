/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rdonly_watch.c - the mount watch: each change of the mount table under
 * or over a protected path reported ([changes]), and the read-only
 * mounts restored when remounted read-write or unmounted (reseal). See
 * rdonly.h.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>

#include "clock.h"
#include "daemon.h"
#include "log/sglog.h"
#include "messages.h"
#include "policy.h"
#include "respond/respond.h"
#include "watch/rdonly_int.h"

/* ---------------------------------------------------------------- logging */

static void report_suppressed(const char *label, uint32_t n, void *userdata)
{
	sg_log(LOG_NOTICE, SG_MSGID_SUPPRESSED,
	       "suppressed %" PRIu32 " more identical entries: %s", n, label);
}

static bool expected(const struct sg_rdonly *ro, const struct sg_mount *m)
{
	for (size_t i = 0; i < ro->nexpect; i++)
		if (m->id == ro->expect[i] ||
		    (ro->cur && rdonly_in_tree(ro->cur, m, ro->expect[i])))
			return true;
	return false;
}

/* A mount change is a change event: its hook, and reprovisioning (no
 * actor: mountinfo names none). */
static void respond_to_mount(struct sg_rdonly *ro, const char *name,
			     const struct sg_mount *m)
{
	char summary[PATH_MAX + 64];
	struct sg_violation v = { .kind = SG_KIND_CHANGE, .summary = summary,
				  .path = m->point, .pidfd = -1 };

	snprintf(summary, sizeof(summary), "mount changed: %s %s", name,
		 m->point);
	sg_respond_event(ro->d->respond, &v);
}

static void on_mount_change(enum sg_mount_change kind, const struct sg_mount *a,
			    const struct sg_mount *b, void *userdata)
{
	struct sg_rdonly *ro = userdata;
	const struct sg_mount *m = b ? b : a;
	const char *name = sg_mount_change_name(kind);
	struct sg_log_entry *e;
	char label[PATH_MAX + 32];

	if ((kind == SG_MOUNT_ADDED || kind == SG_MOUNT_RO) && expected(ro, m))
		return; /* our own restore */
	if (!sg_mount_relevant(m, ro->roots, ro->nroots, ro->refs, ro->nrefs))
		return;
	snprintf(label, sizeof(label), "mount %s %s", name, m->point);
	if (!sg_ratelimit_allow(&ro->rl, label, sg_now_ms(), report_suppressed,
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
	ro->reported++;
	if (kind != SG_MOUNT_RO) /* read-only again: nothing to answer */
		respond_to_mount(ro, name, m);
}

/* ---------------------------------------------------------------- restore */

static int expect_id(struct sg_rdonly *ro, int id)
{
	int *grown = reallocarray(ro->expect, ro->nexpect + 1, sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	ro->expect = grown;
	ro->expect[ro->nexpect++] = id;
	return 0;
}

static bool reseal(const struct sg_rdonly *ro)
{
	return ro->d->policy->reseal;
}

/* Report a broken seal once, restore it if the policy says so. */
static void restore(struct sg_rdonly *ro, struct rdonly_mount *s, bool gone)
{
	const char *why = gone ? "it was unmounted" :
				 "it was remounted read-write";
	int r;

	if (!reseal(ro)) {
		if (s->state != RDONLY_BROKEN)
			rdonly_log(s, LOG_WARNING, SG_MSGID_RESEALED, "broken",
				 "the read-only seal of %s is broken (%s); not "
				 "restored: reseal = no", s->path, why);
		s->state = RDONLY_BROKEN;
		return;
	}
	if (gone) {
		if (s->fd >= 0)
			(void)close(s->fd);
		s->fd = -1;
		r = rdonly_clone(s);
	} else {
		r = rdonly_set_ro(s->fd, false);
	}
	if (r >= 0)
		r = expect_id(ro, s->mnt_id);
	if (r < 0) {
		ro->failed++;
		if (s->state != RDONLY_BROKEN)
			rdonly_log(s, LOG_ERR, SG_MSGID_RESEALED, "restore-failed",
				 "cannot restore the read-only seal of %s: %s",
				 s->path, strerror(-r));
		s->state = RDONLY_BROKEN;
		return;
	}
	ro->restored++;
	s->state = RDONLY_OK;
	rdonly_log(s, LOG_WARNING, SG_MSGID_RESEALED, "restore",
		 "restored the read-only seal of %s (%s)", s->path, why);
}

/* A read-only mount below a seal made writable: read-only again. */
static void restore_sub(struct sg_rdonly *ro, const struct rdonly_mount *s,
			const struct sg_mount *m)
{
	_cleanup_close_ int fd = open(m->point, O_PATH | O_CLOEXEC | O_NOFOLLOW);

	if (!reseal(ro) || fd < 0 || rdonly_mount_id(fd) != m->id)
		return; /* covered by another mount: reported as such */
	if (rdonly_set_ro(fd, false) < 0 || expect_id(ro, m->id) < 0) {
		ro->failed++;
		sg_log(LOG_ERR, SG_MSGID_RESEALED,
		       "cannot make %s (below the seal of %s) read-only again",
		       m->point, s->path);
		return;
	}
	ro->restored++;
	sg_log(LOG_WARNING, SG_MSGID_RESEALED,
	       "made %s (below the seal of %s) read-only again", m->point,
	       s->path);
}

static void check_seal(struct sg_rdonly *ro, struct rdonly_mount *s)
{
	const struct sg_mount *top =
		s->fd >= 0 ? rdonly_find_id(&ro->snap, s->mnt_id) : NULL;

	if (s->fresh && top)
		(void)rdonly_learn_sub(s, &ro->snap);
	if (!top || !streq(top->point, s->path)) {
		restore(ro, s, true);
		return;
	}
	if (!top->ro) {
		restore(ro, s, false);
		return;
	}
	s->state = RDONLY_OK;
	for (size_t i = 0; i < s->nsub; i++) {
		const struct sg_mount *m = rdonly_find_id(&ro->snap, s->sub[i]);

		if (m && !m->ro)
			restore_sub(ro, s, m);
	}
}

void sg_rdonly_mounts_changed(struct sg_rdonly *ro)
{
	struct sg_mounts cur = { 0 };

	if (!ro || sg_mounts_read_fd(ro->mountinfo_fd, &cur) < 0)
		return; /* keep the old table; the next change retries */
	if (ro->report) {
		ro->cur = &cur;
		(void)sg_mounts_diff(&ro->snap, &cur, on_mount_change, ro);
		ro->cur = NULL;
	}
	free(ro->expect);
	ro->expect = NULL;
	ro->nexpect = 0;
	sg_mounts_free(&ro->snap);
	ro->snap = cur;
	for (size_t i = 0; i < ro->nmounts; i++)
		check_seal(ro, &ro->mounts[i]);
}
