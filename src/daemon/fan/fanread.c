/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fanread.c - walk the permission events of one read. See fanread.h.
 */
#include <errno.h>
#include <string.h>

#include "fan/fanread.h"

int sg_fan_events_each(const void *buf, size_t len, sg_fan_event_cb cb,
		       void *userdata)
{
	const unsigned char *p = buf;
	int n = 0;

	while (len >= FAN_EVENT_METADATA_LEN) {
		struct fanotify_event_metadata m;

		memcpy(&m, p, sizeof(m));
		if (m.event_len < FAN_EVENT_METADATA_LEN || m.event_len > len)
			break;
		if (m.vers != FANOTIFY_METADATA_VERSION)
			return -EPROTO;
		cb(&m, userdata);
		n++;
		p += m.event_len;
		len -= m.event_len;
	}
	return n;
}
