/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard_log.c - the journal entries of the permission guard: one per
 * decision (rate-limited, with a summary of what was held back), written
 * only after the event was answered. See guard_event.c.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/fanotify.h>

#include "clock.h"
#include "fan/blockdev.h"
#include "fan/guard_int.h"
#include "fan/guard_path.h"
#include "fan/guard_ns.h"
#include "log/sglog.h"
#include "maint/window.h"
#include "messages.h"
#include "policy.h"

static const char *message_id(const struct sg_decision *d)
{
	static const char *const ids[2][3] = {
		[SG_EVENT_WRITE] = { [SG_ACTION_ALLOW] = SG_MSGID_WRITE_ALLOWED,
				     [SG_ACTION_DENY] = SG_MSGID_WRITE_DENIED,
				     [SG_ACTION_WOULD_DENY] =
					     SG_MSGID_WRITE_WOULD_DENY },
		[SG_EVENT_EXEC] = { [SG_ACTION_ALLOW] = SG_MSGID_EXEC_ALLOWED,
				    [SG_ACTION_DENY] = SG_MSGID_EXEC_DENIED,
				    [SG_ACTION_WOULD_DENY] =
					    SG_MSGID_EXEC_WOULD_DENY },
	};
	return ids[d->event][d->action];
}

static const char *via_name(enum sg_via v)
{
	switch (v) {
	case SG_VIA_LOADER:
		return "loader";
	case SG_VIA_LIBRARY:
		return "library";
	case SG_VIA_INTERPRETER:
		return "interpreter";
	case SG_VIA_NONE:
	default:
		return "";
	}
}

static int priority_of(const struct sg_decision *d)
{
	if (d->action == SG_ACTION_DENY)
		return LOG_WARNING;
	if (d->reason == SG_REASON_MAINTENANCE_WINDOW)
		return LOG_NOTICE;
	return d->action == SG_ACTION_WOULD_DENY ? LOG_NOTICE : LOG_INFO;
}

/* The MESSAGE of a decision: also the summary a response carries. */
void sg_guard_format_decision(struct sg_guard *g, struct sg_event *ev,
			      const struct sg_decision *d,
			      const struct sg_procinfo *pi, char *buf,
			      size_t size)
{
	const char *path = sg_event_path(g, ev);

	snprintf(buf, size, "%s %s %s (%s) by %s[%d] uid %d",
		 d->action == SG_ACTION_WOULD_DENY ? "would deny" :
		 d->action == SG_ACTION_DENY	   ? "denied" :
						     "allowed",
		 sg_event_name(d->event), path ? path : "?",
		 sg_reason_name(d->reason), pi->exe, (int)pi->pid,
		 (int)pi->uid);
}

void sg_guard_log_decision(struct sg_guard *g, struct sg_event *ev,
			   const struct sg_decision *d,
			   const struct sg_procinfo *pi)
{
	const char *path = sg_event_path(g, ev);
	char message[PATH_MAX * 2 + 128], seen[PATH_MAX];
	struct sg_log_entry *e;

	e = sg_log_entry_new(priority_of(d), message_id(d));
	if (!e)
		return;
	sg_guard_format_decision(g, ev, d, pi, message, sizeof(message));
	(void)sg_log_add(e, "MESSAGE", "%s", message);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "%s", sg_event_name(d->event));
	(void)sg_log_add(e, "SEALGUARD_ACTION", "%s", sg_action_name(d->action));
	(void)sg_log_add(e, "SEALGUARD_REASON", "%s", sg_reason_name(d->reason));
	(void)sg_log_add(e, "SEALGUARD_PATH", "%s", path ? path : "?");
	if (sg_guard_seen_path(g, ev, seen, sizeof(seen)))
		(void)sg_log_add(e, "SEALGUARD_PATH_SEEN", "%s", seen);
	(void)sg_log_add(e, "SEALGUARD_PID", "%d", (int)pi->pid);
	(void)sg_log_add(e, "SEALGUARD_TID", "%d", (int)ev->tid);
	(void)sg_log_add(e, "SEALGUARD_PPID", "%d", (int)pi->ppid);
	(void)sg_log_add(e, "SEALGUARD_EXE", "%s", pi->exe);
	(void)sg_log_add(e, "SEALGUARD_COMM", "%s", pi->comm);
	(void)sg_log_add(e, "SEALGUARD_UID", "%d", (int)pi->uid);
	(void)sg_log_add(e, "SEALGUARD_EUID", "%d", (int)pi->euid);
	(void)sg_log_add(e, "SEALGUARD_MODE", "%s",
			 sg_mode_name(g->d->policy->mode));
	if (!(ev->mask & FAN_OPEN_EXEC_PERM) && ev->intent.syscall_nr >= 0) {
		(void)sg_log_add(e, "SEALGUARD_SYSCALL", "%ld",
				 ev->intent.syscall_nr);
		(void)sg_log_add(e, "SEALGUARD_OPEN_FLAGS", "0%lo",
				 ev->intent.flags);
	}
	if (ev->via != SG_VIA_NONE)
		(void)sg_log_add(e, "SEALGUARD_VIA", "%s", via_name(ev->via));
	if (d->reason == SG_REASON_MAINTENANCE_WINDOW)
		(void)sg_log_add(e, "SEALGUARD_MAINTENANCE_ID", "%s",
				 sg_maint_id(g->d->maint));
	sg_log_submit(e);
}

static void report_suppressed(const char *label, uint32_t n, void *userdata)
{
	sg_log(LOG_NOTICE, SG_MSGID_SUPPRESSED,
	       "suppressed %" PRIu32 " more identical entries: %s", n, label);
}

struct decision_label {
	struct sg_guard *g;
	struct sg_event *ev;
	const struct sg_decision *d;
};

/* "write deny write-intent /etc/passwd": what the summary names */
static char *label_of_decision(void *userdata)
{
	const struct decision_label *l = userdata;
	const char *path = sg_event_path(l->g, l->ev);
	char *label;

	if (asprintf(&label, "%s %s %s %s", sg_event_name(l->d->event),
		     sg_action_name(l->d->action), sg_reason_name(l->d->reason),
		     path ? path : "?") < 0)
		return NULL;
	return label;
}

/*
 * Will this decision be written to the journal (rate limit applied)?
 * Entries are counted by file, not by name: the key is the verdict and
 * the inode, so a denial held back by the limit costs no readlink of its
 * path (a loop of denied writes answers at the pace of the limit's
 * denial, issue #14). A file's names (hard links, alias mounts) share
 * its count; the summary names the first one seen.
 */
bool sg_guard_should_log(struct sg_guard *g, struct sg_event *ev,
			 const struct sg_decision *d)
{
	const struct {
		uint64_t dev, ino;
		uint32_t event, action, reason, zero; /* no padding bytes */
	} id = { ev->st.st_dev, ev->st.st_ino, d->event, d->action,
		 d->reason, 0 };
	struct decision_label l = { g, ev, d };
	uint64_t key = sg_ratelimit_key_bytes(&id, sizeof(id));

	if (!d->log)
		return false;
	if (sg_ratelimit_allow_key(&g->rl, key, label_of_decision, &l,
				   sg_now_ms(), report_suppressed, NULL))
		return true;
	g->c.suppressed++;
	return false;
}

void sg_guard_log_undelivered(struct sg_guard *g, int err)
{
	char label[64];

	snprintf(label, sizeof(label), "undelivered event errno %d", err);
	if (!sg_ratelimit_allow(&g->rl, label, sg_now_ms(), report_suppressed,
				NULL)) {
		g->c.suppressed++;
		return;
	}
	struct sg_log_entry *e = sg_log_entry_new(LOG_ERR,
						  SG_MSGID_EVENT_UNDELIVERED);

	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE",
			 "the kernel could not hand over a permission event "
			 "(%s): it denied the open or exec itself",
			 strerror(err));
	(void)sg_log_add(e, "SEALGUARD_EVENT", "undelivered");
	(void)sg_log_add(e, "SEALGUARD_ERRNO", "%d", err);
	sg_log_submit(e);
}

/* The index's MESSAGE, by how its walk ended. */
static void index_message(const struct sg_protindex *x, uint64_t waited,
			  struct sg_log_entry *e)
{
	const char *where;
	int err = sg_protindex_error(x, &where);

	if (!err)
		(void)sg_log_add(e, "MESSAGE",
				 "protected-inode index complete: %zu inode(s) "
				 "in %" PRIu64 " ms; %" PRIu64 " open(s) "
				 "waited for it",
				 sg_protindex_count(x), sg_protindex_took_ms(x),
				 waited);
	else if (err == -ECANCELED)
		(void)sg_log_add(e, "MESSAGE",
				 "protected-inode index given up at the stop; "
				 "%" PRIu64 " waiting open(s) decided as "
				 "protected",
				 waited);
	else
		(void)sg_log_add(e, "MESSAGE",
				 "protected-inode index incomplete (%s: %s): "
				 "every file on a protected filesystem counts "
				 "as protected, and a write to it under an "
				 "unprotected name is denied, until a restart",
				 where ? where : "?", strerror(-err));
}

void sg_guard_log_index(struct sg_guard *g)
{
	const struct sg_protindex *x = &g->index;
	const char *where;
	int err = sg_protindex_error(x, &where);
	bool failed = err && err != -ECANCELED;
	struct sg_log_entry *e =
		sg_log_entry_new(failed ? LOG_CRIT : LOG_INFO, SG_MSGID_INDEX);

	if (!e)
		return;
	index_message(x, g->index_waited, e);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "%s",
			 !err	   ? "index" :
			 failed	   ? "index-failed" :
				     "index-stopped");
	(void)sg_log_add(e, "SEALGUARD_INODES", "%zu", sg_protindex_count(x));
	(void)sg_log_add(e, "SEALGUARD_INDEX_MS", "%" PRIu64,
			 sg_protindex_took_ms(x));
	(void)sg_log_add(e, "SEALGUARD_WAITED", "%" PRIu64, g->index_waited);
	if (err)
		(void)sg_log_add(e, "SEALGUARD_ERRNO", "%d", -err);
	sg_log_submit(e);
}

void sg_guard_tick(struct sg_guard *g, uint64_t now_ms)
{
	sg_ratelimit_sweep(&g->rl, now_ms, report_suppressed, NULL);
	sg_syscall_fds_sweep(&g->syscall_fds); /* an idle daemon keeps none */
	sg_blockguard_tick(g->blockdev); /* new nodes of guarded devices */
	sg_guard_ns_rescan(g->ns); /* new mount namespaces (door 3) */
}
