/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * changes_log.c - the change watcher's journal entries: one a merged
 * change, the rate limit and the flood budget over them, the losses (and
 * the verify passes that answer them), and the [respond] view of a
 * change. See changes.h.
 */
#include <inttypes.h>
#include <limits.h>

#include "clock.h"
#include "daemon.h"
#include "log/sglog.h"
#include "maint/window.h"
#include "messages.h"
#include "policy.h"
#include "respond/respond.h"
#include "watch/changes_int.h"
#include "watch/verifier.h"

/*
 * At most FLOOD_MAX change entries per FLOOD_WINDOW_MS, whatever their
 * paths: a flood of distinct names (each its own rate-limit key) must not
 * fill the journal. What is held back is counted, said in one entry, and
 * answered like a lost-events overflow: a verify pass reports the net
 * effect.
 */
#define FLOOD_MAX 1000
#define FLOOD_WINDOW_MS 10000

/* ---------------------------------------------------------------- logging */

void sg_changes_report_suppressed(const char *label, uint32_t n,
				  void *userdata)
{
	sg_log(LOG_NOTICE, SG_MSGID_SUPPRESSED,
	       "suppressed %" PRIu32 " more identical entries: %s", n, label);
}

static void log_actor(struct sg_log_entry *e, const struct sg_change *ch)
{
	const struct sg_procinfo *pi = ch->actor;

	(void)sg_log_add(e, "SEALGUARD_PID", "%d", (int)ch->pid);
	if (!pi)
		return;
	(void)sg_log_add(e, "SEALGUARD_PPID", "%d", (int)pi->ppid);
	if (!streq(pi->exe, "?")) /* unreadable once the actor is exiting */
		(void)sg_log_add(e, "SEALGUARD_EXE", "%s", pi->exe);
	(void)sg_log_add(e, "SEALGUARD_COMM", "%s", pi->comm);
	(void)sg_log_add(e, "SEALGUARD_UID", "%d", (int)pi->uid);
	(void)sg_log_add(e, "SEALGUARD_EUID", "%d", (int)pi->euid);
	if (ch->expected)
		(void)sg_log_add(e, "SEALGUARD_REASON", "%s", ch->expected);
}

/* "changed: create /usr/x by /bin/sh[12] uid 0": MESSAGE, and the
 * summary a response carries. */
static void format_change(const struct sg_change *ch, char *buf, size_t size)
{
	char kinds[96], by[PATH_MAX + 64], count[32] = "";

	sg_change_kinds_format(ch->kinds, kinds, sizeof(kinds));
	if (ch->actor && !streq(ch->actor->exe, "?"))
		snprintf(by, sizeof(by), "%s[%d] uid %d", ch->actor->exe,
			 (int)ch->pid, (int)ch->actor->uid);
	else if (ch->actor)
		snprintf(by, sizeof(by), "%s[%d] uid %d (exiting)",
			 ch->actor->comm, (int)ch->pid, (int)ch->actor->uid);
	else
		snprintf(by, sizeof(by), "pid %d (exited)", (int)ch->pid);
	if (ch->count > 1)
		snprintf(count, sizeof(count), " (%" PRIu32 " events)",
			 ch->count);
	snprintf(buf, size, "changed: %s %s%s%s by %s%s", kinds, ch->path,
		 ch->new_path ? " -> " : "", ch->new_path ? ch->new_path : "",
		 by, count);
}

/* The respond.h view of a change; pidfd >= 0 pins a live actor. */
static struct sg_violation change_violation(const struct sg_change *ch,
					    int pidfd, char *summary,
					    size_t size)
{
	format_change(ch, summary, size);
	return (struct sg_violation){
		.kind = SG_KIND_CHANGE,
		.summary = summary,
		.path = ch->path,
		.new_path = ch->new_path,
		.actor = ch->actor,
		.pid = ch->pid,
		.pidfd = pidfd,
		.from_hook = ch->from_hook,
	};
}

/* ---------------------------------------------------------------- responses
 * A maintenance writer's or window's changes are expected: no response. */

/* The event's hooks, once its entry is written. */
static void respond_event(struct sg_changes *c, const struct sg_change *ch)
{
	char summary[2 * PATH_MAX + 256];
	struct sg_violation v;

	if (ch->expected || !sg_respond_wants_event(c->d->respond, SG_KIND_CHANGE))
		return;
	v = change_violation(ch, -1, summary, sizeof(summary));
	sg_respond_event(c->d->respond, &v);
}

void sg_changes_respond_actor(struct sg_changes *c, const struct sg_change *ch,
			      int pidfd)
{
	char summary[2 * PATH_MAX + 256];
	struct sg_violation v;

	if (ch->expected || !sg_respond_wants_actor(c->d->respond, SG_KIND_CHANGE))
		return;
	v = change_violation(ch, pidfd, summary, sizeof(summary));
	sg_respond_actor(c->d->respond, &v);
}

/* ---------------------------------------------------------------- entries */

/* The window a change belongs to, for journalctl SEALGUARD_MAINTENANCE_ID=:
 * its tree made it, or it was held during it. The window was open when
 * the change was read, in this same sg_changes_process() call; "" if a
 * later event of the batch found its root gone and closed it. */
static void log_window(struct sg_log_entry *e, const struct sg_changes *c,
		       const struct sg_change *ch, bool held)
{
	const char *id = sg_maint_id(c->d->maint);
	bool in_window = ch->expected && streq(ch->expected, "maintenance-window");

	if ((held || in_window) && id[0])
		(void)sg_log_add(e, "SEALGUARD_MAINTENANCE_ID", "%s", id);
}

/* held: a change whose hooks are held (see sg_changes_flush). */
static void log_change(const struct sg_changes *c, const struct sg_change *ch,
		       bool held)
{
	struct sg_log_entry *e;
	char message[2 * PATH_MAX + 256];

	e = sg_log_entry_new(ch->expected ? LOG_NOTICE : LOG_WARNING,
			     SG_MSGID_CHANGE);
	if (!e)
		return;
	format_change(ch, message, sizeof(message));
	(void)sg_log_add(e, "MESSAGE", "%s", message);
	(void)sg_log_add(e, "SEALGUARD_EVENT", "change");
	for (unsigned i = 0; i < SG_CHANGE_KINDS; i++)
		if (ch->kinds & (1u << i))
			(void)sg_log_add(e, "SEALGUARD_CHANGE", "%s",
					 sg_change_kind_name(i));
	(void)sg_log_add(e, "SEALGUARD_PATH", "%s", ch->path);
	if (ch->new_path)
		(void)sg_log_add(e, "SEALGUARD_NEW_PATH", "%s", ch->new_path);
	(void)sg_log_add(e, "SEALGUARD_OBJECT", "%s", ch->dir ? "dir" : "file");
	(void)sg_log_add(e, "SEALGUARD_COUNT", "%" PRIu32, ch->count);
	log_actor(e, ch);
	if (held)
		(void)sg_log_add(e, "SEALGUARD_REASON",
				 "maintenance-window-unattributed");
	log_window(e, c, ch, held);
	sg_log_submit(e);
}

static bool may_log(struct sg_changes *c, const char *label)
{
	if (sg_ratelimit_allow(&c->rl, label, sg_now_ms(),
			       sg_changes_report_suppressed, NULL))
		return true;
	c->c.suppressed++;
	return false;
}

/* Is there room left in this flood window? Counts the entry either way. */
static bool flood_allow(struct sg_changes *c)
{
	if (c->flood_logged < FLOOD_MAX) {
		c->flood_logged++;
		return true;
	}
	c->flood_dropped++;
	c->c.suppressed++;
	c->losses++;
	return false;
}

void sg_changes_flush(struct sg_changes *c)
{
	for (size_t i = 0; i < c->batch.n; i++) {
		const struct sg_change *ch = &c->batch.v[i];
		char label[2 * PATH_MAX + 128], kinds[96];
		bool held;

		snprintf(label, sizeof(label), "change %s %s%s%s",
			 sg_change_kinds_format(ch->kinds, kinds, sizeof(kinds)),
			 ch->path, ch->new_path ? " -> " : "",
			 ch->new_path ? ch->new_path : "");
		/* the per-path limit first: a path it holds back must not
		 * use up the flood budget of every other path */
		if (!may_log(c, label) || !flood_allow(c))
			continue;
		/* An actor that exited before its event was read cannot be
		 * placed in or out of an open maintenance window's tree: it
		 * is logged as a warning all the same, and its hooks are
		 * held, so that a window's short-lived helpers (a maintainer
		 * script's rm) do not set off a reprovision. */
		held = !ch->actor && sg_maint_is_open(c->d->maint);
		log_change(c, ch, held);
		c->c.reported++;
		if (!held)
			respond_event(c, ch);
	}
	sg_change_batch_clear(&c->batch);
}

/*
 * Changes were lost (what says how): log it, and answer with a verify
 * pass, which reports every file that now differs from the baseline.
 */
void sg_changes_report_loss(struct sg_changes *c, const char *what)
{
	bool verify = c->verifier &&
		      c->d->policy->changes.overflow == SG_OVERFLOW_VERIFY;
	struct sg_log_entry *e;
	char label[128];

	/* one pass asked for after the last loss covers it */
	if (verify && c->losses != c->losses_at_request) {
		sg_verifier_request(c->verifier, "overflow");
		c->losses_at_request = c->losses;
	}
	snprintf(label, sizeof(label), "change loss %s", what);
	if (!may_log(c, label))
		return;
	e = sg_log_entry_new(LOG_ERR, SG_MSGID_CHANGES_OVERFLOW);
	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE", "%s: changes were not reported; %s",
			 what,
			 verify ? "a verify pass will report every file that "
				  "differs from the baseline" :
				  "run 'sealguard verify'");
	(void)sg_log_add(e, "SEALGUARD_EVENT", "overflow");
	(void)sg_log_add(e, "SEALGUARD_ACTION", "%s", verify ? "verify" : "log");
	sg_log_submit(e);
}

void sg_changes_flood_tick(struct sg_changes *c, uint64_t now_ms)
{
	char what[96];

	if (now_ms - c->flood_start_ms < FLOOD_WINDOW_MS)
		return;
	if (c->flood_dropped) {
		snprintf(what, sizeof(what),
			 "change flood: %" PRIu64 " entries held back",
			 c->flood_dropped);
		sg_changes_report_loss(c, what);
	}
	c->flood_start_ms = now_ms;
	c->flood_logged = 0;
	c->flood_dropped = 0;
}
