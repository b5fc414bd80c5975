/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_fan_perm.c - one read of the permission guard's fanotify group
 * (sg_fan_events_each), in a buffer of exactly its size.
 *
 * Properties: no crash or undefined behaviour, no byte read past the
 * read; every event handed over lies whole inside it, in order.
 */
#include <errno.h>

#include "fan/fanread.h"
#include "fuzz.h"

struct walk {
	size_t seen, len;
};

static void on_event(const struct fanotify_event_metadata *m, void *userdata)
{
	struct walk *w = userdata;

	fuzz_assert(m->vers == FANOTIFY_METADATA_VERSION);
	fuzz_assert(m->event_len >= FAN_EVENT_METADATA_LEN);
	fuzz_assert(w->seen + m->event_len <= w->len);
	w->seen += m->event_len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walk w = { 0, size };
	void *buf = fuzz_copy(data, size);
	int n = sg_fan_events_each(buf, size, on_event, &w);

	fuzz_assert(n == -EPROTO || n >= 0);
	free(buf);
	return 0;
}
