/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * changes.c - the change watcher: a fanotify notification group on the
 * protected filesystems, its events turned into journal entries. See
 * changes.h; the parsing and merging are in changes_event.c, the marks
 * and the paths of handles in changes_mark.c, the journal entries in
 * changes_log.c.
 */
#include <inttypes.h>
#include <limits.h>
#include <sys/pidfd.h>
#include <sys/stat.h>

#include "clock.h"
#include "daemon.h"
#include "errlist.h"
#include "maint/window.h"
#include "policy.h"
#include "respond/respond.h"
#include "watch/changes_int.h"
#include "watch/verifier.h"

/* Small reads: each event of a live actor carries a pidfd until it is
 * handled, and a big buffer would hold hundreds of them at once. */
#define EVENT_BUF_SIZE (16 * 1024)
#define MAX_READS_PER_CALL 16

/* ---------------------------------------------------------------- events */

static bool exe_is_writer(const struct sg_changes *c, pid_t pid)
{
	const struct sg_daemon *d = c->d;
	struct stat st;

	if (d->nwriters == 0 || sg_proc_exe_stat(d->proc_fd, pid, &st) < 0)
		return false;
	for (size_t i = 0; i < d->nwriters; i++)
		if (d->writers[i].dev == st.st_dev &&
		    d->writers[i].ino == st.st_ino)
			return true;
	return false;
}

/*
 * Who acted, read from /proc while the pidfd says the actor still lives.
 * The kernel hands a pidfd only for an actor alive when the event is
 * read; checking it again after the read proves the pid was not reused
 * in between. An actor that has exited is named by its pid alone.
 */
static void read_actor(struct sg_changes *c, struct sg_change *e, int pidfd)
{
	struct sg_procinfo *pi = malloc(sizeof(*pi));
	const char *expected = NULL;
	bool from_hook;

	if (!pi)
		return;
	if (sg_procinfo_read(c->d->proc_fd, e->pid, pi) < 0) {
		free(pi);
		return;
	}
	if (exe_is_writer(c, e->pid))
		expected = "maintenance-writer";
	else if (sg_maint_covers(c->d->maint, e->pid, SG_MAINT_CHANGE))
		expected = "maintenance-window";
	from_hook = sg_respond_from_hook(c->d->respond, e->pid);
	if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0) {
		free(pi);
		return;
	}
	e->actor = pi;
	e->expected = expected;
	e->from_hook = from_hook;
	sg_changes_respond_actor(c, e, pidfd);
}

static void add_change(struct sg_changes *c, struct sg_change *ch, int pidfd)
{
	struct sg_change *e = sg_change_batch_add(&c->batch, ch);

	if (!e) {
		sg_changes_flush(c);
		e = sg_change_batch_add(&c->batch, ch);
	}
	if (e && !e->actor && pidfd >= 0)
		read_actor(c, e, pidfd);
}

static void on_overflow(struct sg_changes *c)
{
	c->c.overflows++;
	c->losses++;
	sg_changes_cache_clear(c); /* lost events may have been renames */
	sg_changes_flush(c);       /* what was read before the loss comes first */
	sg_changes_report_loss(c, "change notification queue overflowed");
}

static char *dup_or_unknown(bool known, const char *path)
{
	return strdup(known ? path : "?");
}

static void handle_event(struct sg_changes *c, const struct sg_change_event *ev)
{
	char from[PATH_MAX], to[PATH_MAX];
	bool have_from, have_to;
	struct sg_change ch;

	if (ev->mask & FAN_Q_OVERFLOW) {
		on_overflow(c);
		return;
	}
	if (!sg_change_kinds(ev->mask) || !ev->has_from)
		return;
	have_from = sg_changes_place(c, &ev->from, from, sizeof(from)) == 0;
	have_to = ev->has_to && sg_changes_place(c, &ev->to, to, sizeof(to)) == 0;
	/* the old names were right for this event, not for later ones */
	if (ev->mask & FAN_RENAME && ev->mask & FAN_ONDIR)
		sg_changes_cache_clear(c);
	if (!have_from && !have_to) {
		c->c.unresolved++;
		return;
	}
	if (!(have_from && sg_changes_relevant(c, from)) && !(have_to && sg_changes_relevant(c, to)))
		return;
	ch = (struct sg_change){
		.kinds = sg_change_kinds(ev->mask),
		.dir = ev->mask & FAN_ONDIR,
		.pid = ev->pid,
		.path = dup_or_unknown(have_from, from),
		.new_path = ev->has_to ? dup_or_unknown(have_to, to) : NULL,
		.count = 1,
	};
	if (!ch.path || (ev->has_to && !ch.new_path)) {
		free(ch.path);
		free(ch.new_path);
		return;
	}
	add_change(c, &ch, ev->pidfd);
}

/* One event of a read; its pidfd is ours to close, parsed or not. */
static void on_event(const struct sg_change_event *ev, int r, void *userdata)
{
	struct sg_changes *c = userdata;

	if (r == 0) {
		c->c.events++;
		handle_event(c, ev);
	}
	if (ev->pidfd >= 0)
		(void)close(ev->pidfd);
}

void sg_changes_process(struct sg_changes *c)
{
	static char buf[EVENT_BUF_SIZE]
		__attribute__((aligned(__alignof__(struct fanotify_event_metadata))));

	for (unsigned reads = 0; c && reads < MAX_READS_PER_CALL; reads++) {
		ssize_t len = read(c->fan_fd, buf, sizeof(buf));

		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			break; /* EAGAIN: drained */
		(void)sg_change_events_each(buf, (size_t)len, on_event, c);
		if ((size_t)len < sizeof(buf) / 2)
			break; /* drained when read: let poll() tell */
	}
	if (c)
		sg_changes_flush(c);
}

/* ---------------------------------------------------------------- life */

int sg_changes_start(struct sg_daemon *d, struct sg_changes **ret,
		     struct errlist *errs)
{
	const struct sg_policy *p = d->policy;
	struct sg_changes *c;
	int r;

	if (!p->changes.enabled) {
		*ret = NULL;
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->d = d;
	c->fan_fd = -1;
	sg_ratelimit_init(&c->rl, p->ratelimit_interval_s, p->ratelimit_burst);
	c->fan_fd = fanotify_init(FAN_CLASS_NOTIF | FAN_CLOEXEC | FAN_NONBLOCK |
					  FAN_REPORT_DFID_NAME | FAN_REPORT_PIDFD,
				  O_RDONLY | O_CLOEXEC | O_LARGEFILE);
	if (c->fan_fd < 0) {
		r = -errno;
		(void)errlist_add(errs, "cannot make the change notification "
					"group: %s", strerror(-r));
		goto fail;
	}
	r = sg_changes_watch_plan(c, errs);
	if (r >= 0 && c->nfs == 0) {
		(void)errlist_add(errs, "no protected filesystem can be "
					"watched for changes");
		r = -EOPNOTSUPP;
	}
	if (r >= 0 && (p->changes.overflow == SG_OVERFLOW_VERIFY ||
		       p->changes.verify_interval_s))
		r = sg_verifier_start(d->baseline, d->exec_cache_fd, &c->verifier);
	if (r < 0)
		goto fail;
	if (c->verifier) /* its opens of protected files must pass at once */
		sg_daemon_add_helper_tid(d, sg_verifier_tid(c->verifier));
	c->flood_start_ms = sg_now_ms();
	if (p->changes.verify_interval_s)
		c->next_verify_ms = sg_now_ms() +
				    (uint64_t)p->changes.verify_interval_s * 1000;
	*ret = c;
	return 0;
fail:
	sg_changes_free(c);
	return r;
}

int sg_changes_fd(const struct sg_changes *c)
{
	return c ? c->fan_fd : -1;
}

void sg_changes_tick(struct sg_changes *c, uint64_t now_ms)
{
	uint64_t every;

	if (!c)
		return;
	sg_ratelimit_sweep(&c->rl, now_ms, sg_changes_report_suppressed, NULL);
	sg_changes_flood_tick(c, now_ms);
	every = (uint64_t)c->d->policy->changes.verify_interval_s * 1000;
	if (!every || !c->verifier || now_ms < c->next_verify_ms)
		return;
	c->next_verify_ms = now_ms + every;
	/* A maintenance window's changes differ from the baseline until
	 * sealguard maintenance rebuilds it: each is logged as it happens,
	 * and the passes wait for the window to close. */
	if (sg_maint_is_open(c->d->maint))
		return;
	sg_verifier_request(c->verifier, "interval");
}

void sg_changes_counters(const struct sg_changes *c,
			 struct sg_changes_counters *ret)
{
	*ret = c->c;
}

void sg_changes_status(struct sg_changes *c, char *buf, size_t size)
{
	struct sg_verify_counters v = { 0 };

	buf[0] = '\0';
	if (!c)
		return;
	if (c->verifier)
		sg_verifier_counters(c->verifier, &v);
	snprintf(buf, size,
		 "; changes: %" PRIu64 " reported, %" PRIu64
		 " suppressed, %" PRIu64 " overflows, %" PRIu64
		 " verify passes (%" PRIu64 " drifted)%s",
		 c->c.reported, c->c.suppressed, c->c.overflows, v.passes,
		 v.drifted, v.running ? ", verifying" : "");
}

void sg_changes_free(struct sg_changes *c)
{
	if (!c)
		return;
	sg_verifier_free(c->verifier);
	if (c->fan_fd >= 0)
		(void)close(c->fan_fd);
	for (size_t i = 0; i < c->nfs; i++)
		(void)close(c->fs[i].mount_fd);
	free(c->fs);
	sg_changes_cache_clear(c);
	sg_change_batch_clear(&c->batch);
	sg_ratelimit_free(&c->rl);
	free(c);
}
