/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard_ns.c - marks on filesystems of other mount namespaces. See
 * guard_ns.h.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <sys/fanotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fan/guard_ns.h"
#include "log/sglog.h"
#include "messages.h"
#include "policy.h"
#include "respond/respond.h"
#include "respond/violation.h"
#include "sys/mntns.h"
#include "sys/procinfo.h"
#include "util.h"

/* Mount-namespace marks (Linux 6.14); older headers lack them. */
#ifndef FAN_MARK_MNTNS
#define FAN_MARK_MNTNS 0x00000110
#endif
#ifndef FAN_REPORT_MNT
#define FAN_REPORT_MNT 0x00004000
#endif
#ifndef FAN_MNT_ATTACH
#define FAN_MNT_ATTACH 0x01000000ULL
#endif

/* A filesystem marked here: in no mount table of ours. */
struct foreign_fs {
	dev_t dev;
	unsigned flags; /* SG_FS_* */
	ino_t ns;       /* the namespace it was found in */
	int pin;        /* fd of its mount's root: while it is held, the
			   superblock lives and its device number cannot be
			   handed to a new filesystem */
};

struct sg_guard_ns {
	struct sg_daemon *d;
	int fan_fd;    /* the guard's permission group (not ours) */
	uint64_t mask; /* its events */
	int notify_fd; /* mount notifications; -1: the kernel has none */
	ino_t own;     /* our own namespace */

	struct sg_mntns_proc *seen; /* namespaces found so far (watched, when
				       notify_fd), each with a process in it */
	size_t nseen;
	struct foreign_fs *fs;
	size_t nfs;
	dev_t *present; /* filesystems the scan under way found */
	size_t npresent;
	struct sg_guard_ns_counters c;
};

static bool dev_in(const dev_t *v, size_t n, dev_t dev)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == dev)
			return true;
	return false;
}

static int push_dev(dev_t **v, size_t *n, dev_t dev)
{
	dev_t *grown = realloc(*v, (*n + 1) * sizeof(**v));

	if (!grown)
		return -ENOMEM;
	grown[(*n)++] = dev;
	*v = grown;
	return 0;
}

unsigned sg_guard_ns_flags(const struct sg_guard_ns *ns, dev_t dev)
{
	if (!ns)
		return 0;
	for (size_t i = 0; i < ns->nfs; i++)
		if (ns->fs[i].dev == dev)
			return ns->fs[i].flags;
	return 0;
}

/*
 * The exec scope of one mount, by its point in its own namespace: the
 * same rule as the plan's (mounts.c plan_tree), written for one mount.
 * A mount at or below an exec path showing its filesystem's root is in
 * scope as a whole; one holding an exec path from above, in part (the
 * event's path decides: the name in the opener's namespace).
 */
static unsigned exec_flags(const struct sg_policy *p, const struct sg_mount *m)
{
	if (sg_fstype_is_pseudo(m->fstype) || m->noexec)
		return 0;
	if (sg_policy_checks_exec(p, m->point))
		return SG_FS_EXEC | (m->whole ? SG_FS_EXEC_WHOLE : 0);
	for (size_t i = 0; i < p->exec_paths.n; i++)
		if (path_is_under(p->exec_paths.paths[i], m->point))
			return SG_FS_EXEC;
	return 0;
}

/*
 * The test suite's safety net (--confine): besides the plan's rule (a
 * point below the confine directory, never the root filesystem), a
 * filesystem of another namespace is marked only if it is mounted
 * nowhere in ours: a new filesystem the test made there, never one of
 * the machine's that a namespace merely shows again.
 */
static bool may_mark(const struct sg_guard_ns *ns, const struct sg_mounts *ours,
		     const struct sg_mount *m)
{
	if (!ns->d->confine)
		return true;
	if (!sg_daemon_confined(ns->d, m->dev, m->point))
		return false;
	for (size_t i = 0; i < ours->n; i++)
		if (ours->v[i].dev == m->dev)
			return false;
	return true;
}

/*
 * Pin the filesystem mounted at m's point in pid's namespace and mark it through the pin: the object marked
 * is the one checked, whatever the name resolves to later. The pin's fd
 * or a negative errno.
 */
static int mark_foreign(struct sg_guard_ns *ns, pid_t pid,
			const struct sg_mount *m)
{
	char path[PATH_MAX];
	struct stat st;
	int fd, r;

	if (snprintf(path, sizeof(path), "%d/root%s", (int)pid, m->point) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	/* a directory open, before the mark: no event; not O_PATH, which
	 * fanotify_mark does not take as the object to mark */
	fd = openat(ns->d->proc_fd, path,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_dev != m->dev) {
		r = -ESTALE; /* something else is mounted there by now */
		goto fail;
	}
	if (fanotify_mark(ns->fan_fd, FAN_MARK_ADD | FAN_MARK_FILESYSTEM,
			  ns->mask, fd, NULL) < 0) {
		r = -errno;
		goto fail;
	}
	return fd;
fail:
	(void)close(fd);
	return r;
}

static void log_marked(const struct sg_guard_ns *ns, ino_t nsino,
		       const struct sg_mount *m, int r)
{
	struct sg_log_entry *e = sg_log_entry_new(r < 0 ? LOG_ERR : LOG_NOTICE,
						  SG_MSGID_MNTNS_MARKED);

	(void)ns;
	if (!e)
		return;
	if (r < 0)
		(void)sg_log_add(e, "MESSAGE",
				 "cannot mark filesystem %s at %s in mount "
				 "namespace mnt:[%ju]: %s",
				 m->fstype, m->point, (uintmax_t)nsino,
				 strerror(-r));
	else
		(void)sg_log_add(e, "MESSAGE",
				 "marked filesystem %s at %s in mount "
				 "namespace mnt:[%ju]",
				 m->fstype, m->point, (uintmax_t)nsino);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "mntns-mark");
	(void)sg_log_add(e, "SEALGUARD_PATH", "%s", m->point);
	(void)sg_log_add(e, "SEALGUARD_MNTNS", "%ju", (uintmax_t)nsino);
	(void)sg_log_add(e, "SEALGUARD_DEVICE", "%u:%u", major(m->dev),
			 minor(m->dev));
	sg_log_submit(e);
}

/* A program found running from a filesystem that was not marked when it
 * started: it slipped through the window. Reported, and answered as an
 * exec violation. */
static void report_slipped(struct sg_guard_ns *ns, pid_t pid, ino_t nsino,
			   const struct sg_mount *m)
{
	struct sg_respond *resp = ns->d->respond;
	char summary[PATH_MAX + 256];
	struct sg_procinfo pi;
	struct sg_log_entry *e;
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);

	ns->c.slipped++;
	(void)sg_procinfo_read(ns->d->proc_fd, pid, &pi);
	snprintf(summary, sizeof(summary),
		 "exec from an unmarked filesystem: pid %d (%s) runs %s from "
		 "%s at %s in mount namespace mnt:[%ju]",
		 (int)pid, pi.comm, pi.exe, m->fstype, m->point,
		 (uintmax_t)nsino);
	struct sg_violation v = {
		.kind = SG_KIND_EXEC, .summary = summary, .path = pi.exe,
		.actor = &pi, .pid = pid, .pidfd = pidfd,
		.from_hook = sg_respond_from_hook(resp, pid),
	};
	if (pidfd >= 0 && sg_respond_wants_actor(resp, SG_KIND_EXEC))
		sg_respond_actor(resp, &v);
	e = sg_log_entry_new(LOG_ALERT, SG_MSGID_MNTNS_EXEC);
	if (e) {
		(void)sg_log_add(e, "MESSAGE", "%s", summary);
		(void)sg_log_add(e, "SEALGUARD_EVENT", "exec");
		(void)sg_log_add(e, "SEALGUARD_ACTION", "detected");
		(void)sg_log_add(e, "SEALGUARD_REASON", "unmarked-filesystem");
		(void)sg_log_add(e, "SEALGUARD_PATH", "%s", pi.exe);
		(void)sg_log_add(e, "SEALGUARD_PID", "%d", (int)pid);
		(void)sg_log_add(e, "SEALGUARD_COMM", "%s", pi.comm);
		(void)sg_log_add(e, "SEALGUARD_MNTNS", "%ju", (uintmax_t)nsino);
		sg_log_submit(e);
	}
	if (sg_respond_wants_event(resp, SG_KIND_EXEC))
		sg_respond_event(resp, &v);
	if (pidfd >= 0)
		(void)close(pidfd);
}

/* Every process of nsino whose program lies on dev. */
static void find_slipped(struct sg_guard_ns *ns, const struct sg_mntns_scan *s,
			 ino_t nsino, const struct sg_mount *m)
{
	for (size_t i = 0; i < s->n; i++) {
		struct stat st;

		if (s->v[i].ns != nsino ||
		    sg_proc_exe_stat(ns->d->proc_fd, s->v[i].pid, &st) < 0 ||
		    st.st_dev != m->dev)
			continue;
		report_slipped(ns, s->v[i].pid, nsino, m);
	}
}

static int remember_fs(struct sg_guard_ns *ns, dev_t dev, unsigned flags,
		       ino_t nsino, int pin)
{
	struct foreign_fs *grown = realloc(ns->fs, (ns->nfs + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	grown[ns->nfs++] = (struct foreign_fs){ dev, flags, nsino, pin };
	ns->fs = grown;
	return 0;
}

/* One mount of another namespace: mark its filesystem if it is new to
 * us and in exec scope there. */
static void consider_mount(struct sg_guard_ns *ns, const struct sg_mounts *ours,
			   const struct sg_mntns_scan *s, pid_t pid,
			   ino_t nsino, const struct sg_mount *m)
{
	unsigned flags = exec_flags(ns->d->policy, m);
	int r;

	if (flags && !dev_in(ns->present, ns->npresent, m->dev))
		(void)push_dev(&ns->present, &ns->npresent, m->dev);
	if (!flags || sg_mark_plan_flags(&ns->d->plan, m->dev) ||
	    sg_guard_ns_flags(ns, m->dev))
		return;
	if (!may_mark(ns, ours, m)) {
		ns->c.refused++; /* judged again on each scan: no cache that
				    a reused device number could fool */
		return;
	}
	r = mark_foreign(ns, pid, m);
	if (r >= 0 && remember_fs(ns, m->dev, flags, nsino, r) < 0) {
		(void)close(r);
		r = -ENOMEM; /* marked, but unknown to the event path: the
				next scan marks it again */
	}
	log_marked(ns, nsino, m, r);
	if (r < 0) {
		ns->c.refused++;
		return;
	}
	ns->c.marked++;
	find_slipped(ns, s, nsino, m);
}

/* Watch a namespace found for the first time for new mounts. */
static void watch_namespace(struct sg_guard_ns *ns, pid_t pid)
{
	char path[64];

	if (ns->notify_fd < 0)
		return;
	snprintf(path, sizeof(path), "%d/ns/mnt", (int)pid);
	(void)fanotify_mark(ns->notify_fd, FAN_MARK_ADD | FAN_MARK_MNTNS,
			    FAN_MNT_ATTACH, ns->d->proc_fd, path);
}

static const struct sg_mntns_proc *seen(const struct sg_guard_ns *ns,
					ino_t nsino)
{
	for (size_t i = 0; i < ns->nseen; i++)
		if (ns->seen[i].ns == nsino)
			return &ns->seen[i];
	return NULL;
}

static int add_seen(struct sg_guard_ns *ns, ino_t nsino, pid_t pid)
{
	struct sg_mntns_proc *grown =
		realloc(ns->seen, (ns->nseen + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	grown[ns->nseen++] = (struct sg_mntns_proc){ pid, nsino };
	ns->seen = grown;
	if (nsino != ns->own)
		ns->c.namespaces++;
	watch_namespace(ns, pid);
	return 0;
}

static void scan_namespace(struct sg_guard_ns *ns, const struct sg_mounts *ours,
			   const struct sg_mntns_scan *s, pid_t pid,
			   ino_t nsino)
{
	struct sg_mounts m = { 0 };

	if (sg_mntns_mounts(ns->d->proc_fd, pid, &m) < 0)
		return; /* it exited; another process may show it next time */
	for (size_t i = 0; i < m.n; i++)
		consider_mount(ns, ours, s, pid, nsino, &m.v[i]);
	sg_mounts_free(&m);
}

/* Did an earlier process of this scan already stand for its namespace? */
static bool first_of_namespace(const struct sg_mntns_scan *s, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (s->v[j].ns == s->v[i].ns)
			return false;
	return true;
}

/*
 * Forget (and unpin) the filesystems no namespace shows any more. Only
 * after the pin is closed can the superblock go and its anonymous device
 * number (a tmpfs's) be handed to a new one: a stale entry can never
 * pass a new filesystem off as marked.
 */
static void forget_gone(struct sg_guard_ns *ns)
{
	size_t k = 0;

	for (size_t i = 0; i < ns->nfs; i++) {
		if (dev_in(ns->present, ns->npresent, ns->fs[i].dev))
			ns->fs[k++] = ns->fs[i];
		else
			(void)close(ns->fs[i].pin);
	}
	ns->nfs = k;
}

/*
 * Namespace inodes are reused at once (a namespace that died hands its
 * number to the next one made): a namespace is known only while the
 * process it was found through still lives in it.
 */
static bool known(const struct sg_guard_ns *ns, ino_t nsino)
{
	const struct sg_mntns_proc *p = seen(ns, nsino);
	ino_t now;

	return p && sg_mntns_of(ns->d->proc_fd, p->pid, &now) == 0 &&
	       now == nsino;
}

/* A namespace's old entry, before its number is seen again. */
static void forget_seen(struct sg_guard_ns *ns, ino_t nsino)
{
	size_t k = 0;

	for (size_t i = 0; i < ns->nseen; i++)
		if (ns->seen[i].ns != nsino)
			ns->seen[k++] = ns->seen[i];
	ns->nseen = k;
}

/* Namespace inodes are reused too: keep only those still lived in, so
 * that a new namespace under an old number is watched again. */
static void forget_dead_namespaces(struct sg_guard_ns *ns,
				   const struct sg_mntns_scan *s)
{
	size_t k = 0;

	for (size_t i = 0; i < ns->nseen; i++)
		for (size_t j = 0; j < s->n; j++)
			if (s->v[j].ns == ns->seen[i].ns) {
				ns->seen[k++] = ns->seen[i];
				break;
			}
	ns->nseen = k;
}

void sg_guard_ns_rescan(struct sg_guard_ns *ns)
{
	struct sg_mntns_scan s = { 0 };
	struct sg_mounts ours = { 0 };

	if (!ns || sg_mntns_scan(ns->d->proc_fd, &s) < 0)
		return;
	ns->c.scans++;
	if (sg_mntns_mounts(ns->d->proc_fd, ns->d->self_pid, &ours) < 0)
		goto out;
	for (size_t i = 0; i < s.n; i++) {
		if (s.v[i].ns == ns->own || !first_of_namespace(&s, i))
			continue;
		if (!known(ns, s.v[i].ns)) {
			forget_seen(ns, s.v[i].ns);
			if (add_seen(ns, s.v[i].ns, s.v[i].pid) < 0)
				break;
		}
		scan_namespace(ns, &ours, &s, s.v[i].pid, s.v[i].ns);
	}
	forget_gone(ns);
	ns->npresent = 0;
	forget_dead_namespaces(ns, &s);
	sg_mounts_free(&ours);
out:
	sg_mntns_scan_free(&s);
}

void sg_guard_ns_check_actor(struct sg_guard_ns *ns, pid_t tid)
{
	ino_t nsino;

	if (!ns || sg_mntns_of(ns->d->proc_fd, tid, &nsino) < 0 ||
	    nsino == ns->own || known(ns, nsino))
		return;
	ns->c.sync_scans++;
	sg_guard_ns_rescan(ns);
}

int sg_guard_ns_fd(const struct sg_guard_ns *ns)
{
	return ns ? ns->notify_fd : -1;
}

void sg_guard_ns_process(struct sg_guard_ns *ns)
{
	char buf[4096] __attribute__((aligned(8)));
	bool any = false;
	ssize_t n;

	/* the events only say "something was mounted": drain, scan once */
	while ((n = read(ns->notify_fd, buf, sizeof(buf))) > 0)
		any = true;
	if (any)
		sg_guard_ns_rescan(ns);
}

const struct sg_guard_ns_counters *
sg_guard_ns_counters(const struct sg_guard_ns *ns)
{
	static const struct sg_guard_ns_counters none;

	return ns ? &ns->c : &none;
}

int sg_guard_ns_start(struct sg_daemon *d, int fan_fd, uint64_t mask,
		      struct sg_guard_ns **ret)
{
	struct sg_guard_ns *ns = calloc(1, sizeof(*ns));
	int r;

	if (!ns)
		return -ENOMEM;
	ns->d = d;
	ns->fan_fd = fan_fd;
	ns->mask = mask;
	r = sg_mntns_of(d->proc_fd, d->self_pid, &ns->own);
	if (r < 0) {
		free(ns);
		return r;
	}
	/* EINVAL: a kernel before 6.14; namespaces are then found by the
	 * scan alone */
	ns->notify_fd = fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_MNT |
					      FAN_CLOEXEC | FAN_NONBLOCK,
				      0);
	*ret = ns;
	return 0;
}

void sg_guard_ns_free(struct sg_guard_ns *ns)
{
	if (!ns)
		return;
	if (ns->notify_fd >= 0)
		(void)close(ns->notify_fd);
	free(ns->seen);
	for (size_t i = 0; i < ns->nfs; i++)
		(void)close(ns->fs[i].pin);
	free(ns->fs);
	free(ns->present);
	free(ns);
}
