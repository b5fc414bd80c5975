/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_fan_changes.c - one read of the change watcher's fanotify group
 * (FAN_REPORT_DFID_NAME | FAN_REPORT_PIDFD): the event walk and the FID,
 * name and pidfd records (sg_change_events_each, sg_change_event_parse),
 * in a buffer of exactly its size, as the daemon's loop walks it.
 *
 * Properties: no crash or undefined behaviour, no byte read past the
 * read; every event reports a length (0: stop) and a pidfd (-1: none),
 * also when it does not parse; a parsed event's file handles and names
 * lie whole inside it, the names NUL-terminated there.
 */
#include <errno.h>

#include "fuzz.h"
#include "watch/changes.h"

struct walk {
	const char *buf;
	size_t len, off;
};

static bool inside(const struct walk *w, const void *p, size_t n,
		   const struct sg_change_event *ev)
{
	const char *c = p;

	return c >= w->buf + w->off && n <= ev->len &&
	       c + n <= w->buf + w->off + ev->len;
}

static void check_dirent(const struct walk *w, const struct sg_change_dirent *d,
			 const struct sg_change_event *ev)
{
	unsigned char copy[MAX_HANDLE_SZ];

	fuzz_assert(inside(w, d->fsid, sizeof(*d->fsid), ev));
	fuzz_assert(inside(w, d->handle, sizeof(*d->handle), ev));
	fuzz_assert(d->handle->handle_bytes <= MAX_HANDLE_SZ);
	fuzz_assert(inside(w, d->handle->f_handle, d->handle->handle_bytes, ev));
	memcpy(copy, d->handle->f_handle, d->handle->handle_bytes);
	if (*d->name)
		fuzz_assert(inside(w, d->name, strlen(d->name) + 1, ev));
}

static void on_event(const struct sg_change_event *ev, int r, void *userdata)
{
	struct walk *w = userdata;

	fuzz_assert(r == 0 || r == -EPROTO);
	fuzz_assert(ev->pidfd >= -1);
	fuzz_assert(w->off + ev->len <= w->len);
	if (r == 0) {
		(void)sg_change_kinds(ev->mask);
		if (ev->has_from)
			check_dirent(w, &ev->from, ev);
		if (ev->has_to)
			check_dirent(w, &ev->to, ev);
	}
	w->off += ev->len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = fuzz_copy(data, size);
	struct walk w = { buf, size, 0 };
	size_t walked = sg_change_events_each(buf, size, on_event, &w);

	fuzz_assert(walked == w.off && walked <= size);
	free(buf);
	return 0;
}
