/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fleet_read.c - read a collector's journal (sd-journal) into one record
 * per host: grouped by _MACHINE_ID (the one name a host cannot share with
 * another by mistake), with the newest _HOSTNAME and _BOOT_ID, the newest
 * heartbeat's fields and counts of the decisions it sent. See fleet.h.
 *
 * The denials of `sealguard selftest`'s own probes (every hour, by design)
 * are not counted: its entry, written by root, names their pids
 * (SEALGUARD_SELFTEST_PIDS), and a denial of one of them on that host and
 * boot is the selftest's, not an intruder's.
 */
#include <systemd/sd-journal.h>

#include "cli.h"
#include "fleet.h"
#include "messages.h"

static void journal_closep(sd_journal **j)
{
	if (*j)
		sd_journal_close(*j);
}

/* FIELD's value of the current entry into out ("" when absent). */
static void field(sd_journal *j, const char *name, char *out, size_t size)
{
	const void *data;
	size_t len, nlen = strlen(name);

	out[0] = '\0';
	if (sd_journal_get_data(j, name, &data, &len) < 0 || len <= nlen)
		return;
	snprintf(out, size, "%.*s", (int)(len - nlen - 1),
		 (const char *)data + nlen + 1);
}

/* The selftest probes seen: one (host, boot, pid) a probe. */
struct probe {
	char machine_id[40];
	char boot_id[40];
	int pid;
};

struct probes {
	struct probe *v;
	size_t n;
};

static int add_probe(struct probes *ps, const char *machine, const char *boot,
		     int pid)
{
	struct probe *grown;

	if (pid <= 0)
		return 0;
	grown = realloc(ps->v, (ps->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	ps->v = grown;
	snprintf(ps->v[ps->n].machine_id, sizeof(ps->v[0].machine_id), "%s", machine);
	snprintf(ps->v[ps->n].boot_id, sizeof(ps->v[0].boot_id), "%s", boot);
	ps->v[ps->n++].pid = pid;
	return 0;
}

static bool is_probe(const struct probes *ps, const char *machine,
		     const char *boot, int pid)
{
	for (size_t i = 0; i < ps->n; i++)
		if (ps->v[i].pid == pid && streq(ps->v[i].boot_id, boot) &&
		    streq(ps->v[i].machine_id, machine))
			return true;
	return false;
}

/* Pass one: the probes of every selftest root ran. */
static int read_probes(sd_journal *j, uint64_t since_us, struct probes *ps)
{
	char machine[40], boot[40], pids[64];
	int r, pid[3];

	r = sd_journal_add_match(j, "MESSAGE_ID=" SG_MSGID_SELFTEST, 0);
	if (r >= 0)
		r = sd_journal_add_match(j, "_UID=0", 0);
	if (r >= 0 && since_us)
		r = sd_journal_seek_realtime_usec(j, since_us);
	while (r >= 0 && (r = sd_journal_next(j)) > 0) {
		field(j, "_MACHINE_ID", machine, sizeof(machine));
		field(j, "_BOOT_ID", boot, sizeof(boot));
		field(j, "SEALGUARD_SELFTEST_PIDS", pids, sizeof(pids));
		if (sscanf(pids, "%d,%d,%d", &pid[0], &pid[1], &pid[2]) != 3)
			continue;
		for (int i = 0; r >= 0 && i < 3; i++)
			r = add_probe(ps, machine[0] ? machine : "unknown", boot,
				      pid[i]);
	}
	sd_journal_flush_matches(j);
	return r < 0 ? r : 0;
}

static struct fleet_host *host_for(struct fleet *f, const char *machine_id)
{
	struct fleet_host *grown;

	for (size_t i = 0; i < f->n; i++)
		if (streq(f->hosts[i].machine_id, machine_id))
			return &f->hosts[i];
	grown = realloc(f->hosts, (f->n + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	f->hosts = grown;
	memset(&f->hosts[f->n], 0, sizeof(f->hosts[0]));
	snprintf(f->hosts[f->n].machine_id, sizeof(f->hosts[0].machine_id),
		 "%s", machine_id);
	return &f->hosts[f->n++];
}

static bool is_any(const char *id, const char *const *ids)
{
	for (; *ids; ids++)
		if (streq(id, *ids))
			return true;
	return false;
}

static void read_beat(sd_journal *j, struct fleet_beat *b, uint64_t at)
{
	char n[16];

	b->at_us = at;
	field(j, "SEALGUARD_HEARTBEAT_INTERVAL", n, sizeof(n));
	b->interval_s = (unsigned)strtoul(n, NULL, 10);
	field(j, "SEALGUARD_MODE", b->mode, sizeof(b->mode));
	field(j, "SEALGUARD_BASELINE_SHA256", b->baseline_sha,
	      sizeof(b->baseline_sha));
	field(j, "SEALGUARD_POLICY_SHA256", b->policy_sha,
	      sizeof(b->policy_sha));
	field(j, "SEALGUARD_BASELINE_KEY", b->key, sizeof(b->key));
	field(j, "SEALGUARD_SECCOMP", b->seccomp, sizeof(b->seccomp));
	field(j, "SEALGUARD_TAMPER", b->tamper, sizeof(b->tamper));
}

/* Is the current entry the daemon's refusal of a selftest probe? */
static bool of_probe(sd_journal *j, const struct probes *ps, const char *machine)
{
	char boot[40], pid[16];

	if (!ps->n)
		return false;
	field(j, "_BOOT_ID", boot, sizeof(boot));
	field(j, "SEALGUARD_PID", pid, sizeof(pid));
	return pid[0] && is_probe(ps, machine, boot, atoi(pid));
}

/* Count what one entry says about its host. */
static void count(sd_journal *j, struct fleet_host *h, const char *id,
		  uint64_t at, bool probe)
{
	static const char *const denials[] = {
		SG_MSGID_WRITE_DENIED, SG_MSGID_EXEC_DENIED,
		SG_MSGID_LISTEN_DESTROYED, SG_MSGID_LISTEN_KILLED,
		SG_MSGID_LISTEN_FAILED, NULL
	};
	static const char *const would[] = {
		SG_MSGID_WRITE_WOULD_DENY, SG_MSGID_EXEC_WOULD_DENY,
		SG_MSGID_LISTEN_WOULD_DENY, NULL
	};
	static const char *const drift[] = {
		SG_MSGID_DRIFT, SG_MSGID_CHANGE, SG_MSGID_MOUNT_CHANGE, NULL
	};
	char prio[4];

	h->denials += is_any(id, denials) && !probe;
	h->would_deny += is_any(id, would) && !probe;
	h->drift += is_any(id, drift);
	h->responses += streq(id, SG_MSGID_RESPONSE);
	if (streq(id, SG_MSGID_PREVIOUS_END)) {
		field(j, "PRIORITY", prio, sizeof(prio));
		h->unclean_starts += streq(prio, "1"); /* LOG_ALERT */
	}
	if (streq(id, SG_MSGID_STOPPED))
		h->stopped = true;
	else if (streq(id, SG_MSGID_HEARTBEAT) || streq(id, SG_MSGID_STARTED))
		h->stopped = false;
	if (streq(id, SG_MSGID_HEARTBEAT))
		read_beat(j, &h->beat, at);
}

static int read_entry(sd_journal *j, struct fleet *f, const struct probes *ps)
{
	char machine[40], id[40];
	struct fleet_host *h;
	uint64_t at;

	field(j, "_MACHINE_ID", machine, sizeof(machine));
	if (!machine[0])
		snprintf(machine, sizeof(machine), "unknown");
	h = host_for(f, machine);
	if (!h)
		return -ENOMEM;
	if (sd_journal_get_realtime_usec(j, &at) < 0)
		at = 0;
	field(j, "MESSAGE_ID", id, sizeof(id));
	if (at >= h->last_us) {
		h->last_us = at;
		field(j, "_HOSTNAME", h->hostname, sizeof(h->hostname));
		field(j, "_BOOT_ID", h->boot_id, sizeof(h->boot_id));
	}
	count(j, h, id, at, of_probe(j, ps, machine));
	return 0;
}

static int open_source(const struct fleet_source *src, sd_journal **ret)
{
	if (src->dir)
		return sd_journal_open_directory(ret, src->dir, 0);
	if (src->files)
		return sd_journal_open_files(ret, src->files, 0);
	return sd_journal_open(ret, SD_JOURNAL_LOCAL_ONLY);
}

static int host_cmp(const void *a, const void *b)
{
	const struct fleet_host *x = a, *y = b;
	int c = strcmp(x->hostname, y->hostname);

	return c ? c : strcmp(x->machine_id, y->machine_id);
}

int fleet_read(const struct fleet_source *src, struct fleet *ret)
{
	_cleanup_(journal_closep) sd_journal *j = NULL;
	struct fleet f = { 0 };
	struct probes ps = { 0 };
	int r = open_source(src, &j);

	if (r < 0)
		return r;
	r = read_probes(j, src->since_us, &ps);
	/* in time order, so "newest" is the last one read */
	if (r >= 0)
		r = sd_journal_add_match(j, "SYSLOG_IDENTIFIER=sealguardd", 0);
	if (r >= 0)
		r = src->since_us ? sd_journal_seek_realtime_usec(j, src->since_us) :
				    sd_journal_seek_head(j);
	while (r >= 0 && (r = sd_journal_next(j)) > 0)
		r = read_entry(j, &f, &ps);
	free(ps.v);
	if (r < 0) {
		fleet_free(&f);
		return r;
	}
	if (f.n)
		qsort(f.hosts, f.n, sizeof(f.hosts[0]), host_cmp);
	*ret = f;
	return 0;
}

void fleet_free(struct fleet *f)
{
	free(f->hosts);
	f->hosts = NULL;
	f->n = 0;
}
