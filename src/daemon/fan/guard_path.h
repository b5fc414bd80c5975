/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard_path.h - the name of an event's file (guard_path.c), for the
 * event path and its journal entry. Apart from guard_int.h so that the
 * guard's shared types do not reach up into the code that uses them.
 */
#ifndef SEALGUARD_GUARD_PATH_H
#define SEALGUARD_GUARD_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "fan/guard_int.h"

/* guard_path.c: the name of the event's file the policy is written
 * against, whatever mount the opener came through, into ev->path. 0 or
 * a negative errno (no such name can be told: the caller fails closed;
 * ev->path then holds the descriptor's own path, or ""). */
int sg_guard_read_path(struct sg_guard *g, struct sg_event *ev);
/* The mount id of an fd (statx STATX_MNT_ID). 0 or a negative errno. */
int sg_guard_mount_id(int fd, int *ret);
/* ev->st and ev->mnt_id (-1 if the kernel does not say) of the event's
 * descriptor, from one statx: what fstat gives, and the mount, for the
 * price of one. 0 or a negative errno. */
int sg_guard_stat_event(struct sg_event *ev);

/* The path the opener came through, into buf, when it is not the name
 * judged (an alias mount, or no name could be told): read again when the
 * entry is written, so the event path never pays for it. */
bool sg_guard_seen_path(struct sg_guard *g, struct sg_event *ev, char *buf,
			size_t size);

/* The event's file's path (read once, on first use); NULL if unknown.
 * Here, not in guard_event.c: guard_log.c needs it too, and the log
 * does not call back into the event path. */
static inline const char *sg_event_path(struct sg_guard *g,
					struct sg_event *ev)
{
	if (ev->path_err == 1)
		ev->path_err = sg_guard_read_path(g, ev);
	return ev->path_err == 0 ? ev->path : NULL;
}

#endif
