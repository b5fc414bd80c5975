/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.h - what the daemon's components share, owned by main().
 *
 * One struct sg_daemon per run: the loaded policy and baseline, the
 * facts read before the marks (the root filesystem, a /proc fd), the
 * daemon's own identity (its threads, its files, the [protect] writers)
 * and the mark plan in force. Components receive it at start and read
 * it; the fields they fill are named below with their owner. Nothing in
 * here opens a file after the marks.
 */
#ifndef SEALGUARD_DAEMON_H
#define SEALGUARD_DAEMON_H

#include <stdbool.h>
#include <sys/types.h>

#include "sys/mounts.h"

struct sg_policy;
struct sg_baseline;
struct sg_respond;
struct sg_maint;

/* A file by identity: what the kernel compares, whatever its name. */
struct sg_inode_id {
	dev_t dev;
	ino_t ino;
};

#define SG_DAEMON_MAX_HELPERS 4

struct sg_daemon {
	const struct sg_policy *policy;
	const struct sg_baseline *baseline;
	const char *confine; /* mark only filesystems mounted below this */
	const char *device_cgroup; /* the device guard's cgroup (fan/devcg.h) */
	dev_t root_dev;      /* the root filesystem, never marked confined */
	int proc_fd;         /* /proc, opened before the marks */

	pid_t self_pid;
	pid_t helper_tids[SG_DAEMON_MAX_HELPERS]; /* threads whose opens pass */
	size_t nhelper_tids;

	struct sg_respond *respond; /* [respond]; NULL: log only */
	struct sg_maint *maint;     /* maint/: NULL without a state dir */

	/* filled by the guard (fan/): */
	struct sg_mark_plan plan;   /* what is marked now */
	struct sg_inode_id *writers; /* [protect] writer programs */
	size_t nwriters;
	char **self_paths; /* the daemon's own files (fan/guard_self.c) */
	int exec_cache_fd; /* the group whose ignore marks cache execs; -1 */
	size_t nself_paths;
};

/* Read what every component needs before the marks: the root device,
 * a /proc fd. respond: the responses, already prepared (NULL: log only).
 * 0 or a negative errno. */
int sg_daemon_open(struct sg_daemon *d, const struct sg_policy *p,
		   const struct sg_baseline *b, const char *confine,
		   struct sg_respond *respond);

/* A thread of ours whose opens are always allowed (journal writer,
 * hasher, verifier). */
void sg_daemon_add_helper_tid(struct sg_daemon *d, pid_t tid);
bool sg_daemon_is_ours(const struct sg_daemon *d, pid_t tid);

/* Is path one of the daemon's own files, or below one of them? */
bool sg_daemon_is_self_path(const struct sg_daemon *d, const char *path);

/* May a filesystem mounted at point, on dev, be marked under --confine? */
bool sg_daemon_confined(const struct sg_daemon *d, dev_t dev,
			const char *point);

void sg_daemon_close(struct sg_daemon *d);

#endif
