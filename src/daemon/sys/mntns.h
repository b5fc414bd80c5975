/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mntns.h - the mount namespaces of the processes /proc shows, and
 * their mount tables (issue #12, door 3: a filesystem mounted in another
 * mount namespace is in no table of ours).
 *
 * A namespace is named by the inode of /proc/<pid>/ns/mnt (nsfs); it is
 * reached through any process living in it: /proc/<pid>/mountinfo is its
 * table, /proc/<pid>/root the root its mount points are relative to.
 * Everything is read through the daemon's /proc fd (never marked).
 * Under a pid namespace (the test sandbox) /proc shows only its
 * processes, and only their namespaces are found.
 */
#ifndef SEALGUARD_MNTNS_H
#define SEALGUARD_MNTNS_H

#include <sys/types.h>

#include "sys/mounts.h"

/* One process and the mount namespace it lives in. */
struct sg_mntns_proc {
	pid_t pid;
	ino_t ns; /* inode of /proc/<pid>/ns/mnt */
};

struct sg_mntns_scan {
	struct sg_mntns_proc *v;
	size_t n;
};

/* Every process in procfd with its namespace; processes that exit during
 * the scan are left out. 0 or a negative errno. */
int sg_mntns_scan(int procfd, struct sg_mntns_scan *ret);
void sg_mntns_scan_free(struct sg_mntns_scan *s);

/* The namespace of one process. 0 or a negative errno. */
int sg_mntns_of(int procfd, pid_t pid, ino_t *ret);

/* The mount table of pid's namespace, as pid sees it. */
int sg_mntns_mounts(int procfd, pid_t pid, struct sg_mounts *ret);

#endif
