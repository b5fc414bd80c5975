/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard_event.c - the permission-event path: read, decide, answer, and
 * only then log. See guard.h.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sys/fanotify.h>
#include <sys/pidfd.h>
#include <sys/stat.h>

#include "clock.h"
#include "baseline.h"
#include "fan/blockdev.h"
#include "fan/decide.h"
#include "fan/fanread.h"
#include "filekind.h"
#include "fan/guard_int.h"
#include "fan/guard_path.h"
#include "fan/guard_ns.h"
#include "hash.h"
#include "fan/hasher.h"
#include "messages.h"
#include "policy.h"
#include "sys/canonpath.h"
#include "sys/procinfo.h"
#include "sys/scriptarg.h"
#include "respond/respond.h"
#include "log/sglog.h"
#include "maint/window.h"

#ifndef PIDFD_THREAD /* Linux 6.9; Debian 12's headers predate it */
#define PIDFD_THREAD O_EXCL
#endif

/* Enough for a few hundred events per read. */
#define EVENT_BUF_SIZE (64 * 1024)
#define SG_MAX_READS_PER_CALL 64
/* Files up to this size are hashed in the loop (about 0.15 ms here);
 * larger ones by the hasher thread, so other opens are not held up. */
#define SG_INLINE_HASH_MAX (256 * 1024)

static bool inode_in(const struct sg_inode_id *ids, size_t n,
		     const struct stat *st)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i].dev == st->st_dev && ids[i].ino == st->st_ino)
			return true;
	return false;
}

static bool exe_in(struct sg_guard *g, pid_t tid, const struct sg_inode_id *ids,
		   size_t n)
{
	struct stat st;

	if (n == 0 || sg_proc_exe_stat(g->d->proc_fd, tid, &st) < 0)
		return false;
	return inode_in(ids, n, &st);
}

enum sg_protection {
	SG_PROTECTION_NONE,
	SG_PROTECTION_YES,
	SG_PROTECTION_PENDING, /* not by name; the index is still walking */
};

/*
 * The protected-inode index's answer. While the walk runs there is none
 * yet; once it failed there never is, and every inode counts as
 * protected (fail closed: the index's error was logged at LOG_CRIT).
 */
static enum sg_protection protection_by_inode(const struct sg_guard *g,
					      const struct sg_event *ev)
{
	const struct sg_inodetab *t = sg_protindex_table(&g->index);

	if (t)
		return sg_inodetab_has(t, ev->st.st_dev, ev->st.st_ino) ?
			       SG_PROTECTION_YES :
			       SG_PROTECTION_NONE;
	return g->index.state == SG_PROTINDEX_SETTLED ? SG_PROTECTION_YES :
							SG_PROTECTION_PENDING;
}

/* Filesystems are planned by st_dev; btrfs subvolumes and the like have
 * their own st_dev, so fall back to the path there. */
static unsigned fs_flags_of(struct sg_guard *g, struct sg_event *ev)
{
	unsigned flags = sg_mark_plan_flags(&g->d->plan, ev->st.st_dev);
	const char *path;

	if (flags)
		return flags;
	flags = sg_guard_ns_flags(g->ns, ev->st.st_dev);
	if (flags)
		return flags; /* a filesystem of another namespace only */
	path = sg_event_path(g, ev);
	if (!path)
		return SG_FS_PROTECT | SG_FS_EXEC; /* know nothing: check all */
	if (sg_policy_protects(g->d->policy, path) ||
	    sg_daemon_is_self_path(g->d, path) ||
	    protection_by_inode(g, ev) != SG_PROTECTION_NONE)
		flags |= SG_FS_PROTECT;
	if (sg_policy_checks_exec(g->d->policy, path))
		flags |= SG_FS_EXEC;
	return flags;
}

/* Is the file protected, by name or by inode? */
static enum sg_protection protection_of(struct sg_guard *g,
					struct sg_event *ev)
{
	enum sg_protection by_inode = protection_by_inode(g, ev);
	const char *path;

	if (by_inode == SG_PROTECTION_YES)
		return by_inode;
	path = sg_event_path(g, ev);
	/* a path we cannot read is treated as protected: fail closed */
	if (!path || sg_policy_protects(g->d->policy, path) ||
	    sg_daemon_is_self_path(g->d, path))
		return SG_PROTECTION_YES;
	return by_inode;
}

static bool exec_in_scope(struct sg_guard *g, struct sg_event *ev)
{
	const char *path;

	if (!(ev->fs_flags & SG_FS_EXEC))
		return false;
	if (ev->fs_flags & SG_FS_EXEC_WHOLE ||
	    g->d->policy->exec_scope == SG_EXEC_SCOPE_LOCAL)
		return true;
	path = sg_event_path(g, ev);
	return !path || sg_policy_checks_exec(g->d->policy, path);
}

/* Would an allowed exec of this event be cached in the kernel? The
 * same test as cache_exec_in_kernel's, known before the verdict. */
static bool wants_kernel_cache(const struct sg_guard *g,
			       const struct sg_event *ev)
{
	return (ev->mask & FAN_OPEN_EXEC_PERM) &&
	       !(g->d->policy->log_allowed & SG_LOG_ALLOW_EXEC);
}

static bool add_ignore_mark(struct sg_guard *g, const struct sg_event *ev)
{
	if (fanotify_mark(g->fan_fd,
			  FAN_MARK_ADD | FAN_MARK_IGNORE | FAN_MARK_EVICTABLE,
			  FAN_OPEN_EXEC_PERM, ev->fd, NULL) < 0)
		return false;
	g->c.ignore_marks++;
	return true;
}

/* ENOENT: a write since it was placed already cleared it. */
static void remove_ignore_mark(struct sg_guard *g, const struct sg_event *ev)
{
	if (fanotify_mark(g->fan_fd, FAN_MARK_REMOVE | FAN_MARK_IGNORE,
			  FAN_OPEN_EXEC_PERM, ev->fd, NULL) == 0 ||
	    errno == ENOENT)
		g->c.ignore_marks--;
}

/*
 * Door 5 (docs/hashrace.md): a trusted hash is only worth something if
 * the file did not change while it was read. The ignore mark goes on
 * first, then the file is looked at again: a write before the mark shows
 * in this fstat (mtime, ctime, size), a write after it clears the mark
 * in the kernel (FS_MODIFY, the mark has no FAN_MARK_IGNORED_SURV_MODIFY).
 * The kernel exports no change cookie to user space here (statx has no
 * STATX_CHANGE_COOKIE on 6.18), so the timestamps are what there is;
 * 6.13+ multigrain timestamps make a write after an fstat move them.
 */
static enum sg_trust settle_hashed(struct sg_guard *g, struct sg_event *ev,
				   enum sg_trust t)
{
	struct stat now;

	if (t != SG_TRUST_OK)
		return t;
	if (wants_kernel_cache(g, ev))
		ev->marked = add_ignore_mark(g, ev);
	if (fstat(ev->fd, &now) == 0 && !sg_stat_changed(&ev->st, &now))
		return t;
	if (ev->marked)
		remove_ignore_mark(g, ev);
	ev->marked = false;
	return SG_TRUST_CHANGED;
}

static enum sg_trust trust_from_hash(struct sg_guard *g, struct sg_event *ev,
				     int r, const unsigned char *sha,
				     uint64_t size)
{
	g->c.hashes++;
	if (r < 0)
		return SG_TRUST_NEED_HASH; /* decided as hash-error */
	if (size != (uint64_t)ev->st.st_size)
		return SG_TRUST_CHANGED; /* changed while we read it */
	return settle_hashed(g, ev,
			     sg_trust_judge(g->d->baseline,
					    g->d->policy->exec_match,
					    sg_event_path(g, ev), sha));
}

static enum sg_trust hash_inline(struct sg_guard *g, struct sg_event *ev)
{
	unsigned char sha[SG_SHA256_LEN];
	uint64_t size = 0;
	int r = sg_sha256_fd(ev->fd, sha, &size);

	return trust_from_hash(g, ev, r, sha, size);
}

/*
 * Verdicts are cached by inode: a hardlink of a trusted file is the
 * trusted file. With match=path, "not in the baseline" belongs to the
 * name, not the inode, and is cheap to find again: caching it would let an
 * exec through a stray hardlink deny the real one.
 */
static void cache_trust(struct sg_guard *g, const struct sg_event *ev,
			enum sg_trust t)
{
	if (t == SG_TRUST_OK || t == SG_TRUST_MISMATCH ||
	    (t == SG_TRUST_UNKNOWN &&
	     g->d->policy->exec_match == SG_EXEC_MATCH_CONTENT))
		(void)sg_inodetab_put(&g->exec_cache, &ev->st, (uint8_t)t, 0);
}

/*
 * Is this file trusted for exec? Cached by inode, ctime and size. A large
 * file that must be hashed is left to the hasher thread (ev->defer): the
 * caller hands the event over and its verdict comes later.
 */
static enum sg_trust judge_trust(struct sg_guard *g, struct sg_event *ev)
{
	const struct sg_inode_entry *cached;
	enum sg_trust t;

	cached = sg_inodetab_get_fresh(&g->exec_cache, &ev->st);
	if (cached) {
		g->c.exec_cache_hits++;
		return (enum sg_trust)cached->value;
	}
	if (!S_ISREG(ev->st.st_mode))
		return SG_TRUST_UNKNOWN;
	t = sg_trust_precheck(g->d->baseline, g->d->policy->exec_match,
			      sg_event_path(g, ev), (uint64_t)ev->st.st_size);
	if (t == SG_TRUST_NEED_HASH) {
		if (ev->st.st_size > SG_INLINE_HASH_MAX && g->hasher) {
			ev->defer = true;
			return t;
		}
		t = hash_inline(g, ev);
	}
	cache_trust(g, ev, t);
	return t;
}

/*
 * The decision for a file whose trust is known. An open judged as an
 * exec that is refused learns here, and only here, who opened it: an
 * [exec] inspector reading an ELF object is let through (and logged),
 * and the dynamic loader run directly is named as such. The /proc read
 * is paid by refusals alone.
 */
static struct sg_decision trust_decision(struct sg_guard *g,
					 struct sg_event *ev, enum sg_trust t)
{
	struct sg_decision d = sg_decide_exec(g->d->policy, t);

	if (d.action == SG_ACTION_ALLOW || ev->via != SG_VIA_LIBRARY)
		return d;
	if (exe_in(g, ev->tid, g->inspectors, g->ninspectors))
		return sg_decide_inspected();
	if (exe_in(g, ev->tid, g->loaders, g->nloaders))
		ev->via = SG_VIA_LOADER;
	return d;
}

static struct sg_decision exec_decision(struct sg_guard *g, struct sg_event *ev,
					enum sg_trust t)
{
	return sg_decision_apply_mode(g->d->policy, trust_decision(g, ev, t));
}

static struct sg_decision judge_exec(struct sg_guard *g, struct sg_event *ev)
{
	enum sg_trust t;

	if (!exec_in_scope(g, ev))
		return (struct sg_decision){ SG_EVENT_EXEC, SG_ACTION_ALLOW,
					     SG_REASON_OUT_OF_SCOPE, false };
	t = judge_trust(g, ev);
	if (ev->defer) /* decided when the hash is done (hash_done) */
		return sg_decide_exec(g->d->policy, t);
	return trust_decision(g, ev, t);
}

static bool known_trusted(struct sg_guard *g, const struct stat *st)
{
	const struct sg_inode_entry *e = sg_inodetab_get_fresh(&g->exec_cache,
							       st);

	return e && e->value == SG_TRUST_OK;
}

/* A file under a protected path, listed in the baseline, unchanged since
 * the seal (protindex.h). While the index is walking, no file is known
 * so: it is judged by its content instead (not waited for, as that is
 * correct, and what the walk would save). */
static bool sealed_baseline_file(struct sg_guard *g, const struct stat *st)
{
	const struct sg_inodetab *t = sg_protindex_table(&g->index);
	const struct sg_inode_entry *e = t ? sg_inodetab_get_fresh(t, st) :
					     NULL;

	return e && (e->value & SG_PROT_IN_BASELINE);
}

/*
 * What the file is, from its first bytes (filekind.h). Cached by inode,
 * ctime and size (a write that makes the file ELF moves ctime), which
 * saves a pread on every later open of the same data file.
 */
static enum sg_file_kind file_kind(struct sg_guard *g, struct sg_event *ev)
{
	const struct sg_inode_entry *e =
		sg_inodetab_get_fresh(&g->file_kinds, &ev->st);
	unsigned char head[SG_FILEKIND_HEAD_LEN];
	enum sg_file_kind k;
	ssize_t n;

	if (e)
		return (enum sg_file_kind)e->value;
	n = pread(ev->fd, head, sizeof(head), 0);
	k = sg_file_kind_of(head, n > 0 ? (size_t)n : 0);
	(void)sg_inodetab_put(&g->file_kinds, &ev->st, (uint8_t)k, 0);
	return k;
}

/*
 * Read the blocked thread's intent. Unknown (unreadable, openat2,
 * io_uring, ...) stays SG_INTENT_UNKNOWN: the caller fails closed.
 */
static enum sg_intent read_intent(struct sg_guard *g, struct sg_event *ev)
{
	if (sg_intent_read(&g->syscall_fds, ev->tid, &ev->intent,
			   &g->c.intent_retries) < 0 ||
	    ev->intent.intent == SG_INTENT_UNKNOWN)
		g->c.intent_unknown++;
	return ev->intent.intent;
}

/*
 * Can this open take the file in as code (intent.h)? An ELF object only
 * through the loader's read (O_CLOEXEC): a plain read of it is a copy or
 * a checksum. An interpreter's file through any read: shells open their
 * scripts without O_CLOEXEC. The intent is read only here, for files
 * about to be judged as code, unless the protected path already read it.
 */
static bool opens_as_code(struct sg_guard *g, struct sg_event *ev)
{
	if (ev->intent.syscall_nr < 0)
		(void)read_intent(g, ev);
	if (ev->via == SG_VIA_LIBRARY)
		return sg_intent_may_load(&ev->intent);
	return sg_intent_may_read(&ev->intent);
}

/*
 * Which of an interpreter's reads take the file in as code: a script by
 * its "#!" or its name (filekind.h), or the script it was handed on its
 * command line (sys/scriptarg.h: "sh /tmp/x"). Anything else is data it
 * reads (a script's arguments, a shell's "< list", a config): there a
 * file guard cannot tell code from data, and docs/policy.md says what is
 * left open. A command line that cannot be read fails closed.
 */
static bool interpreter_reads_code(struct sg_guard *g, struct sg_event *ev,
				   enum sg_file_kind kind)
{
	const char *path, *name;

	if (kind == SG_FILE_SCRIPT)
		return true;
	path = sg_event_path(g, ev);
	if (!path || sg_is_script_name(path))
		return true;
	name = strrchr(path, '/');
	return sg_proc_script_arg_is(g->d->proc_fd, ev->tid,
				     name ? name + 1 : path) != 0;
}

/*
 * Code that runs without an exec of its own, opened for reading on an
 * exec-checked filesystem:
 *  - an ELF object the loader can map (a library by LD_PRELOAD,
 *    /etc/ld.so.preload, dlopen or --preload; a program by the loader run
 *    directly), whoever opens it the way the loader does (O_CLOEXEC);
 *  - a script or module an [exec] interpreter opens.
 * Such an open is judged as an exec of the file. Cheapest tests first, so
 * that a trusted or a data file costs table look-ups: the verdict cache,
 * the sealed baseline files, the file's kind (one pread, then cached);
 * only an untrusted file that is not ELF costs the opener's /proc/<tid>/exe
 * (is it an interpreter?) and, for an interpreter, its arguments; only a
 * file judged as code is hashed.
 */
static bool judge_code_open(struct sg_guard *g, struct sg_event *ev,
			    struct sg_decision *ret)
{
	enum sg_file_kind kind;

	if (!S_ISREG(ev->st.st_mode) || !(ev->fs_flags & SG_FS_EXEC))
		return false;
	if (known_trusted(g, &ev->st) || sealed_baseline_file(g, &ev->st))
		return false;
	kind = file_kind(g, ev);
	if (kind == SG_FILE_ELF_LOADABLE)
		ev->via = SG_VIA_LIBRARY;
	else if (exe_in(g, ev->tid, g->interpreters, g->ninterpreters) &&
		 interpreter_reads_code(g, ev, kind))
		ev->via = SG_VIA_INTERPRETER;
	else
		return false;
	if (!opens_as_code(g, ev)) {
		ev->via = SG_VIA_NONE;
		return false;
	}
	*ret = judge_exec(g, ev);
	if (ret->reason == SG_REASON_OUT_OF_SCOPE)
		ev->via = SG_VIA_NONE; /* not an exec-checked path after all */
	return true;
}

/*
 * An open on a filesystem holding protected paths. Whether the file is
 * protected is learnt first (an inode lookup, a readlink for files not
 * seen at seal time), because only then does the intent matter: the
 * costlier /proc read is spent on protected files alone, unless the
 * policy logs unprotected writes too.
 */
static bool judge_protected_open(struct sg_guard *g, struct sg_event *ev,
				 struct sg_decision *ret)
{
	enum sg_protection p = protection_of(g, ev);
	bool logs_writes = g->d->policy->log_allowed & SG_LOG_ALLOW_WRITE;
	enum sg_intent intent;
	bool prot, writer;

	if (p == SG_PROTECTION_NONE && !logs_writes)
		return false;
	intent = read_intent(g, ev);
	if (intent == SG_INTENT_READ)
		return false; /* the loader check may still apply */
	if (p == SG_PROTECTION_PENDING) {
		/* a write under an unprotected name: only the index can
		 * say whether it is a protected file's other name */
		ev->park = true;
		*ret = (struct sg_decision){ SG_EVENT_WRITE, SG_ACTION_DENY,
					     SG_REASON_WRITE_INTENT, true };
		return true;
	}
	prot = p == SG_PROTECTION_YES;
	if (!prot && !logs_writes)
		return false;
	writer = prot && intent != SG_INTENT_EXEC &&
		 exe_in(g, ev->tid, g->d->writers, g->d->nwriters);
	*ret = sg_decide_open(g->d->policy, intent, prot, writer);
	return true;
}

/* The backing file of a loop device under a marked filesystem
 * (fan/blockdev.h): writing it rewrites protected files below the page
 * cache, so it is protected whoever writes. */
static struct sg_decision judge_device_open(struct sg_guard *g,
					    struct sg_event *ev)
{
	return sg_decide_open(g->d->policy, read_intent(g, ev), true, false);
}

static struct sg_decision judge_open(struct sg_guard *g, struct sg_event *ev)
{
	struct sg_decision d;

	if (sg_blockguard_covers(g->blockdev, &ev->st))
		return judge_device_open(g, ev);
	if (ev->fs_flags & SG_FS_PROTECT && judge_protected_open(g, ev, &d))
		return d;
	if (judge_code_open(g, ev, &d))
		return d;
	return sg_decide_open(g->d->policy, SG_INTENT_READ, false, false);
}

/*
 * Door 3 (fan/guard_ns.h): an opener in a mount namespace not known yet
 * gets it scanned before its event is answered. The event's file came
 * through one of the opener's mounts: one of our table's (known from the
 * statx that gave ev->st; no /proc look-up) means the opener shares our
 * namespace, the common case.
 */
static void check_namespace(struct sg_guard *g, struct sg_event *ev)
{
	if (ev->mnt_id >= 0 && sg_mounts_by_id(&g->mounts, ev->mnt_id))
		return;
	sg_guard_ns_check_actor(g->ns, ev->tid);
}

static struct sg_decision decide(struct sg_guard *g, struct sg_event *ev)
{
	static const struct sg_decision allow_ours = {
		SG_EVENT_WRITE, SG_ACTION_ALLOW, SG_REASON_READ_ONLY, false
	};
	struct sg_decision d;

	if (sg_daemon_is_ours(g->d, ev->tid))
		return allow_ours;
	if (sg_guard_stat_event(ev) < 0) {
		/* cannot happen for a valid event fd; never guess "allow" */
		d = (struct sg_decision){ (ev->mask & FAN_OPEN_EXEC_PERM) ?
						  SG_EVENT_EXEC :
						  SG_EVENT_WRITE,
					  SG_ACTION_DENY, SG_REASON_HASH_ERROR,
					  true };
		return sg_decision_apply_mode(g->d->policy, d);
	}
	check_namespace(g, ev);
	ev->fs_flags = fs_flags_of(g, ev);
	d = (ev->mask & FAN_OPEN_EXEC_PERM) ? judge_exec(g, ev) :
					      judge_open(g, ev);
	return sg_decision_apply_mode(g->d->policy, d);
}

static void respond(struct sg_guard *g, int fd, bool deny)
{
	struct fanotify_response resp = { .fd = fd,
					   .response = deny ? FAN_DENY :
							      FAN_ALLOW };
	ssize_t n;

	do
		n = write(g->fan_fd, &resp, sizeof(resp));
	while (n < 0 && errno == EINTR);
	/* a failure here means the kernel already dropped the event (its
	 * opener died); there is nobody left to answer */
}

/* Cache a trusted exec in the kernel: no event until the file changes.
 * A hashed one already has its mark (settle_hashed): adding it again
 * here would undo a write's clearing of it since. */
static void cache_exec_in_kernel(struct sg_guard *g, struct sg_event *ev,
				 const struct sg_decision *d)
{
	if (!(ev->mask & FAN_OPEN_EXEC_PERM) || d->action != SG_ACTION_ALLOW ||
	    (d->reason != SG_REASON_TRUSTED &&
	     d->reason != SG_REASON_OUT_OF_SCOPE) || d->log || ev->marked)
		return;
	(void)add_ignore_mark(g, ev);
}

static void count(struct sg_guard *g, const struct sg_decision *d)
{
	g->c.events++;
	if (d->action == SG_ACTION_ALLOW)
		g->c.allowed++;
	else if (d->action == SG_ACTION_WOULD_DENY)
		g->c.would_deny++;
	else if (d->event == SG_EVENT_EXEC)
		g->c.denied_exec++;
	else
		g->c.denied_write++;
}

/*
 * Pin the blocked thread with a pidfd as soon as the event is read, for a
 * violation (or an exec waiting on the hasher) that [respond] answers with
 * kill or freeze. A blocked opener can still be killed, and reaped, while
 * its event waits for an answer (for minutes, on a big file's hash): its
 * pid could then be reused, and only a pidfd taken now proves who it was.
 */
static void pin_actor(struct sg_guard *g, struct sg_event *ev,
		      const struct sg_decision *d)
{
	enum sg_kind kind = ev->defer || d->event == SG_EVENT_EXEC ?
				    SG_KIND_EXEC :
				    SG_KIND_WRITE;

	if ((!ev->defer && d->action == SG_ACTION_ALLOW) ||
	    !sg_respond_wants_actor(g->d->respond, kind))
		return;
	ev->actor_fd = (int)pidfd_open(ev->tid, PIDFD_THREAD);
	if (ev->actor_fd < 0 && errno == EINVAL) /* before Linux 6.9 */
		ev->actor_fd = (int)pidfd_open(ev->tid, 0);
}

/* The respond.h view of a denied (or would-be denied) event. */
static struct sg_violation violation_of(struct sg_guard *g, struct sg_event *ev,
					const struct sg_decision *d,
					const struct sg_procinfo *pi,
					char *summary, size_t size)
{
	sg_guard_format_decision(g, ev, d, pi, summary, size);
	return (struct sg_violation){
		.kind = d->event == SG_EVENT_EXEC ? SG_KIND_EXEC : SG_KIND_WRITE,
		.summary = summary,
		.path = sg_event_path(g, ev),
		.actor = pi->pid > 0 ? pi : NULL,
		.pid = pi->pid > 0 ? pi->pid : ev->tid,
		.pidfd = ev->actor_fd,
		.from_hook = sg_respond_from_hook(g->d->respond, pi->pid),
	};
}

/*
 * A maintenance window (maint/window.h) turns what its command tree would
 * be denied into a logged allow, whatever the reason, mode included. Only
 * the deny path asks, so an allowed open never walks the process tree.
 */
static struct sg_decision with_maintenance(struct sg_guard *g,
					   const struct sg_event *ev,
					   const struct sg_decision *d)
{
	if (d->action == SG_ACTION_ALLOW ||
	    !sg_maint_covers(g->d->maint, ev->tid,
			     d->event == SG_EVENT_EXEC ? SG_MAINT_EXEC :
							 SG_MAINT_WRITE))
		return *d;
	return (struct sg_decision){ d->event, SG_ACTION_ALLOW,
				     SG_REASON_MAINTENANCE_WINDOW, true };
}

/*
 * Answer and account for a decided event, then close its descriptor.
 * Who acted is read while the actor is still blocked on us: once
 * answered, a denied process may exit before /proc is read. Only entries
 * that will be written, and violations that get a response, pay for it
 * (the rate limit is checked first), and nothing here can block: /proc
 * is not marked. A kill is sent before the answer, through the pidfd
 * pinned when the event was read: the actor never runs another
 * instruction (its open fails with the kill, not EPERM).
 */
static void finish_event(struct sg_guard *g, struct sg_event *ev,
			 const struct sg_decision *decided)
{
	const struct sg_decision window = with_maintenance(g, ev, decided);
	const struct sg_decision *d = &window;
	enum sg_kind kind = d->event == SG_EVENT_EXEC ? SG_KIND_EXEC :
							SG_KIND_WRITE;
	bool violation = d->action != SG_ACTION_ALLOW;
	bool logged = sg_guard_should_log(g, ev, d);
	bool act = violation && sg_respond_wants_actor(g->d->respond, kind);
	bool hook = violation && logged &&
		    sg_respond_wants_event(g->d->respond, kind);
	char summary[PATH_MAX * 2 + 128];
	struct sg_violation v;
	struct sg_procinfo pi;

	if (logged || act)
		(void)sg_procinfo_read(g->d->proc_fd, ev->tid, &pi);
	if (act || hook)
		v = violation_of(g, ev, d, &pi, summary, sizeof(summary));
	if (act)
		sg_respond_actor(g->d->respond, &v);
	respond(g, ev->fd, d->action == SG_ACTION_DENY);
	count(g, d);
	cache_exec_in_kernel(g, ev, d);
	if (logged)
		sg_guard_log_decision(g, ev, d, &pi);
	if (hook)
		sg_respond_event(g->d->respond, &v);
	if (ev->actor_fd >= 0)
		(void)close(ev->actor_fd);
	(void)close(ev->fd);
}

/* Hand a large file to the hasher; its opener keeps waiting. */
static int defer_event(struct sg_guard *g, const struct sg_event *ev)
{
	struct sg_event *copy = malloc(sizeof(*copy));
	int r;

	if (!copy)
		return -ENOMEM;
	*copy = *ev;
	r = sg_hasher_submit(g->hasher, copy->fd, copy);
	if (r < 0)
		free(copy);
	return r;
}

static void hash_done(void *cookie, int r, const unsigned char *sha,
		      uint64_t size, void *userdata)
{
	struct sg_guard *g = userdata;
	struct sg_event *ev = cookie;
	enum sg_trust t = trust_from_hash(g, ev, r, sha, size);
	struct sg_decision d;

	cache_trust(g, ev, t);
	d = exec_decision(g, ev, t);
	finish_event(g, ev, &d);
	free(ev);
}

void sg_guard_hashes_done(struct sg_guard *g)
{
	if (g->hasher)
		sg_hasher_collect(g->hasher, hash_done, g);
}

/* At most this many opens wait for the index at once; one more, and the
 * loop waits for the walk itself rather than guess. */
#define MAX_PARKED 4096

/* Keep a copy of ev until the index is settled; its opener waits. */
static int park_event(struct sg_guard *g, const struct sg_event *ev)
{
	struct sg_event *copy;

	if (g->nparked == g->parked_cap) {
		size_t cap = g->parked_cap ? 2 * g->parked_cap : 16;
		struct sg_event **grown;

		if (cap > MAX_PARKED)
			return -ENOSPC;
		grown = realloc(g->parked, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		g->parked = grown;
		g->parked_cap = cap;
	}
	copy = malloc(sizeof(*copy));
	if (!copy)
		return -ENOMEM;
	*copy = *ev;
	g->parked[g->nparked++] = copy;
	g->index_waited++;
	return 0;
}

static void index_settled(struct sg_guard *g);

/* The rest of a decided event: it waits for the index or a hash, or is
 * answered now. */
static void conclude(struct sg_guard *g, struct sg_event *ev,
		     struct sg_decision d)
{
	if (ev->park) {
		if (park_event(g, ev) == 0)
			return;
		/* no room to wait: the loop waits for the walk */
		(void)sg_protindex_settle(&g->index, true);
		index_settled(g);
		ev->park = false;
		d = decide(g, ev);
	}
	pin_actor(g, ev, &d);
	if (ev->defer) {
		if (defer_event(g, ev) == 0)
			return;
		/* the hasher is full: hash here rather than guess */
		enum sg_trust t = hash_inline(g, ev);

		cache_trust(g, ev, t);
		d = exec_decision(g, ev, t);
	}
	finish_event(g, ev, &d);
}

/* Once the index is settled: say so, and decide the opens that waited
 * for it, in the order they came. */
static void index_settled(struct sg_guard *g)
{
	if (g->index_reported)
		return;
	g->index_reported = true;
	sg_guard_log_index(g);
	for (size_t i = 0; i < g->nparked; i++) {
		struct sg_event *ev = g->parked[i];

		ev->park = false;
		conclude(g, ev, decide(g, ev));
		free(ev);
	}
	free(g->parked);
	g->parked = NULL;
	g->nparked = g->parked_cap = 0;
}

int sg_guard_index_fd(const struct sg_guard *g)
{
	return sg_protindex_fd(&g->index);
}

void sg_guard_index_done(struct sg_guard *g)
{
	if (sg_protindex_settle(&g->index, false))
		index_settled(g);
}

void sg_guard_unpark_all(struct sg_guard *g)
{
	for (size_t i = 0; i < g->nparked; i++) {
		if (g->parked[i]->actor_fd >= 0)
			(void)close(g->parked[i]->actor_fd);
		(void)close(g->parked[i]->fd);
		free(g->parked[i]);
	}
	free(g->parked);
	g->parked = NULL;
	g->nparked = g->parked_cap = 0;
}

static void handle_event(struct sg_guard *g,
			 const struct fanotify_event_metadata *m)
{
	struct sg_event ev = { .fd = m->fd, .tid = m->pid, .mask = m->mask,
			       .intent = { SG_INTENT_UNKNOWN, -1, 0 },
			       .mnt_id = -1, .actor_fd = -1,
			       .path_err = 1 };
	struct sg_decision d;

	if (m->fd < 0)
		return; /* FAN_NOFD: a queue overflow, never a permission */
	if (!(m->mask & (FAN_OPEN_PERM | FAN_OPEN_EXEC_PERM))) {
		(void)close(m->fd);
		return;
	}
	d = decide(g, &ev);
	conclude(g, &ev, d);
}

static void on_event(const struct fanotify_event_metadata *m, void *userdata)
{
	handle_event(userdata, m);
}

/*
 * Which failed reads of the permission group end the loop. Any other
 * error is one event the kernel could not hand over: fanotify_read()
 * makes the event's fd in copy_event_to_user() (create_fd), and when that
 * fails (the daemon is out of descriptors, EMFILE; the system, ENFILE;
 * memory, ENOMEM; an LSM refused the open) it answers a permission event
 * FAN_DENY itself, dequeues it, and returns the error if it was the first
 * event of the read (fs/notify/fanotify/fanotify_user.c: "if (ret <= 0)
 * finish_permission_event(..., FAN_DENY, ...)"; Linux 6.12+ without
 * FAN_REPORT_FD_ERROR, and before). The events behind it are still queued.
 * Returning such an error ended the loop: the daemon exited and the group
 * closed, which the kernel answers "allow" for every later open: a fail-open
 * door any descriptor exhaustion opened. EFAULT and EINVAL mean our buffer
 * is wrong, EBADF the group is: those are fatal.
 */
static bool read_error_is_fatal(int err)
{
	return err == EFAULT || err == EINVAL || err == EBADF;
}

int sg_guard_process(struct sg_guard *g)
{
	static char buf[EVENT_BUF_SIZE]
		__attribute__((aligned(__alignof__(struct fanotify_event_metadata))));

	/* Bounded, so that a flood of events cannot starve the signals, the
	 * hasher's verdicts and the watchdog ping: poll() comes back at once
	 * while events remain. */
	for (unsigned reads = 0; reads < SG_MAX_READS_PER_CALL; reads++) {
		ssize_t len = read(g->fan_fd, buf, sizeof(buf));

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0 && (errno == EAGAIN || read_error_is_fatal(errno)))
			return errno == EAGAIN ? 0 : -errno;
		if (len < 0) {
			/* one event gone, denied by the kernel: say so and
			 * read on (the read consumed it: no spin) */
			sg_guard_log_undelivered(g, errno);
			continue;
		}
		if (sg_fan_events_each(buf, (size_t)len, on_event, g) < 0)
			return -EPROTO;
		/* A read that did not fill the buffer drained the queue when
		 * it was made: let poll() say when more comes, rather than
		 * paying a read that finds nothing (one syscall an event
		 * when openers come one at a time). */
		if ((size_t)len < sizeof(buf) / 2)
			return 0;
	}
	return 0;
}

void sg_guard_shutdown(struct sg_guard *g)
{
	if (g->fan_fd < 0)
		return;
	/* Decide what is already queued, and what waits for a hash;
	 * whatever arrives after the close is allowed by the kernel: the one
	 * fail-open window of a stop. */
	(void)sg_guard_process(g);
	/* an unfinished index is given up: what waited for it is decided
	 * as if protected (fail closed) */
	sg_protindex_stop(&g->index);
	if (g->index.state == SG_PROTINDEX_SETTLED)
		index_settled(g);
	sg_hasher_stop(g->hasher);
	sg_guard_hashes_done(g);
	(void)close(g->fan_fd);
	g->fan_fd = -1;
}

