/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fanread.h - the permission events of one read of the guard's fanotify
 * group, walked without a system call (the guard's loop and its fuzzer
 * share it).
 */
#ifndef SEALGUARD_FANREAD_H
#define SEALGUARD_FANREAD_H

#include <stddef.h>
#include <sys/fanotify.h>

typedef void (*sg_fan_event_cb)(const struct fanotify_event_metadata *m,
				void *userdata);

/*
 * Call cb with each whole event of the len bytes at buf, in order (a copy
 * of its metadata: buf needs no alignment). An event shorter than its
 * metadata or longer than what is left ends the walk (FAN_EVENT_OK).
 * Returns the number of events handed over, or -EPROTO at an event of
 * another metadata version: the events before it were handed over, the
 * rest of the buffer is not read.
 */
int sg_fan_events_each(const void *buf, size_t len, sg_fan_event_cb cb,
		       void *userdata);

#endif
