/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * selftest_journal.c - did the daemon log each attempt of the selftest?
 * An entry counts only with the MESSAGE_ID of the decision, a marker that
 * names this attempt and nothing else (the probe's pid and the path it
 * used, or the socket's inode and address), and a time after the
 * selftest began: a pid reused since an older run does not match.
 */
#include <inttypes.h>
#include <systemd/sd-journal.h>

#include "clock.h"
#include "cli.h"
#include "selftest.h"

struct st_journal {
	sd_journal *j;
};

int st_journal_open(const char *dir, struct st_journal **ret)
{
	struct st_journal *sj = calloc(1, sizeof(*sj));
	int r;

	if (!sj)
		return -ENOMEM;
	r = dir ? sd_journal_open_directory(&sj->j, dir, 0) :
		  sd_journal_open(&sj->j, SD_JOURNAL_LOCAL_ONLY);
	if (r < 0) {
		free(sj);
		return r;
	}
	*ret = sj;
	return 0;
}

void st_journal_close(struct st_journal *sj)
{
	if (!sj)
		return;
	sd_journal_close(sj->j);
	free(sj);
}

/* "FIELD=value" matches of one check (besides MESSAGE_ID). */
static int add_markers(sd_journal *j, const struct st_check *c)
{
	char m[PATH_MAX + 32];
	int r;

	if (c->inode) {
		snprintf(m, sizeof(m), "SEALGUARD_INODE=%" PRIu64, c->inode);
		if ((r = sd_journal_add_match(j, m, 0)) < 0)
			return r;
		snprintf(m, sizeof(m), "SEALGUARD_LOCAL=%s", c->target);
		return sd_journal_add_match(j, m, 0);
	}
	snprintf(m, sizeof(m), "SEALGUARD_PID=%d", (int)c->pid);
	if ((r = sd_journal_add_match(j, m, 0)) < 0)
		return r;
	snprintf(m, sizeof(m), "SEALGUARD_PATH=%s", c->target);
	return sd_journal_add_match(j, m, 0);
}

/* The MESSAGE_ID of the current entry is deny_id or would_id: which? */
static const char *which_id(sd_journal *j, const struct st_check *c)
{
	const void *data;
	size_t len;

	if (sd_journal_get_data(j, "MESSAGE_ID", &data, &len) < 0 ||
	    len != strlen("MESSAGE_ID=") + 32)
		return NULL;
	data = (const char *)data + strlen("MESSAGE_ID=");
	if (memcmp(data, c->deny_id, 32) == 0)
		return c->deny_id;
	if (memcmp(data, c->would_id, 32) == 0)
		return c->would_id;
	return NULL;
}

/* One look for c's entry since since_us; sets c->found (deny_id wins). */
static int look(sd_journal *j, uint64_t since_us, struct st_check *c)
{
	char m[64];
	int r;

	sd_journal_flush_matches(j);
	snprintf(m, sizeof(m), "MESSAGE_ID=%s", c->deny_id);
	if ((r = sd_journal_add_match(j, m, 0)) < 0)
		return r;
	snprintf(m, sizeof(m), "MESSAGE_ID=%s", c->would_id);
	if ((r = sd_journal_add_match(j, m, 0)) < 0)
		return r;
	if ((r = add_markers(j, c)) < 0)
		return r;
	if ((r = sd_journal_seek_realtime_usec(j, since_us)) < 0)
		return r;
	while ((r = sd_journal_next(j)) > 0) {
		uint64_t at;
		const char *id;

		if (sd_journal_get_realtime_usec(j, &at) < 0 || at < since_us)
			continue;
		id = which_id(j, c);
		if (id && (!c->found || id == c->deny_id))
			c->found = id;
	}
	return r;
}

int st_journal_find(struct st_journal *sj, uint64_t since_us,
		    struct st_check *checks, size_t n, unsigned timeout_ms)
{
	uint64_t deadline = sg_now_ms() + timeout_ms;
	int r;

	for (;;) {
		bool missing = false;

		for (size_t i = 0; i < n; i++) {
			if (!checks[i].ans.done || checks[i].found == checks[i].deny_id)
				continue;
			if ((r = look(sj->j, since_us, &checks[i])) < 0)
				return r;
			/* a would-deny entry is final; a deny may still come */
			if (!checks[i].found)
				missing = true;
		}
		if (!missing || sg_now_ms() >= deadline)
			return 0;
		/* wakes when journald appends; a short cap, in case it does
		 * not tell (a directory on a network filesystem) */
		r = sd_journal_wait(sj->j, 100000);
		if (r < 0)
			return r;
	}
}
