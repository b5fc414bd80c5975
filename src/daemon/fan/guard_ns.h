/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard_ns.h - the guard's marks on filesystems mounted in other mount
 * namespaces (issue #12, door 3).
 *
 * `unshare -m` (root) or `unshare -Urm` (any user) and a fresh tmpfs over
 * an exec-checked path: the new filesystem is in no mount table of ours,
 * so the plan (mounts.h) never marks it. Here every namespace /proc shows
 * is found (sys/mntns.h), each filesystem in exec scope in it that no
 * mark covers is marked with the guard's own group, through
 * /proc/<pid>/root (a filesystem mark: every mount of it, in every
 * namespace, raises the guard's events from then on).
 *
 * The kernel tells nothing synchronously about a new namespace or a new
 * mount in it: namespaces are found by a scan of /proc (at start, on each
 * tick, and whenever a mount notification arrives), and on kernels with
 * mount-namespace marks (Linux 6.14+, FAN_MARK_MNTNS) every namespace
 * found is watched for new mounts. Between a mount and its mark there is
 * a window; a program found running from a filesystem when it is marked
 * slipped through it and is reported (SG_MSGID_MNTNS_EXEC) and answered
 * by [respond] as an exec violation.
 */
#ifndef SEALGUARD_GUARD_NS_H
#define SEALGUARD_GUARD_NS_H

#include <stdint.h>
#include <sys/types.h>

#include "daemon.h"

struct sg_guard_ns;

struct sg_guard_ns_counters {
	uint64_t namespaces;  /* namespaces seen besides ours */
	uint64_t marked;      /* filesystems marked in them */
	uint64_t refused;     /* not marked: confine, or the mark failed */
	uint64_t slipped;     /* programs found running from one */
	uint64_t scans;
	uint64_t sync_scans;  /* scans an event of a new namespace caused */
};

/*
 * Prepare (before the self-seal): our own namespace, the mount
 * notification group when the kernel has one. fan_fd: the guard's
 * permission group, whose marks are placed here; mask: its events.
 * 0 or a negative errno.
 */
int sg_guard_ns_start(struct sg_daemon *d, int fan_fd, uint64_t mask,
		      struct sg_guard_ns **ret);

/* Find namespaces and mark what is new in them. Never blocks. */
void sg_guard_ns_rescan(struct sg_guard_ns *ns);

/*
 * An opener blocked on a marked filesystem: if it lives in a namespace
 * not seen yet, scan now, before its event is answered. An attacker who
 * mounts in a fresh namespace and then opens anything on a marked
 * filesystem (a binary to copy, a library of its tools) has its new
 * filesystems marked before that open returns. One stat of
 * /proc/<tid>/ns/mnt per event.
 */
void sg_guard_ns_check_actor(struct sg_guard_ns *ns, pid_t tid);

/* The mount-notification group for poll (-1: the kernel has none);
 * readable: sg_guard_ns_process drains it and rescans. */
int sg_guard_ns_fd(const struct sg_guard_ns *ns);
void sg_guard_ns_process(struct sg_guard_ns *ns);

/* SG_FS_* of a filesystem marked here (one of no table of ours), or 0. */
unsigned sg_guard_ns_flags(const struct sg_guard_ns *ns, dev_t dev);

const struct sg_guard_ns_counters *
sg_guard_ns_counters(const struct sg_guard_ns *ns);

/* NULL is a no-op. */
void sg_guard_ns_free(struct sg_guard_ns *ns);

#endif
