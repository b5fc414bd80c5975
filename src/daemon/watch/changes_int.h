/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * changes_int.h - what the change watcher's files share; not part of its
 * interface (changes.h). changes.c: start, events, tick, status, free;
 * changes_mark.c: which filesystems are watched, and the paths of event
 * handles; changes_log.c: journal entries, floods, losses, responses.
 */
#ifndef SEALGUARD_CHANGES_INT_H
#define SEALGUARD_CHANGES_INT_H

#include "log/ratelimit.h"
#include "watch/changes.h"

#define DIR_CACHE_SLOTS 512

struct watched_fs {
	__kernel_fsid_t fsid;
	dev_t dev;
	int mount_fd; /* a directory of it, for open_by_handle_at */
};

/* A directory handle already turned into a path. */
struct dir_slot {
	__kernel_fsid_t fsid;
	int type;
	unsigned len; /* 0: free */
	unsigned char handle[MAX_HANDLE_SZ];
	char *path;
};

struct sg_changes {
	struct sg_daemon *d; /* policy, plan, /proc fd, writers, own files */
	int fan_fd;
	struct watched_fs *fs;
	size_t nfs;
	struct sg_verifier *verifier;
	struct sg_ratelimit rl;
	struct sg_change_batch batch;
	struct dir_slot cache[DIR_CACHE_SLOTS];
	struct sg_changes_counters c;
	uint64_t next_verify_ms;
	uint64_t flood_start_ms;
	uint32_t flood_logged;  /* entries written in this window */
	uint64_t flood_dropped; /* entries held back in this window */
	uint64_t losses;            /* entries held back, overflows */
	uint64_t losses_at_request; /* ... when a pass was last asked for */
};

/* ---------------------------------------------------------------- marks
 * changes_mark.c */

/* Watch every filesystem of the guard's plan that holds a protected
 * path and is not watched yet; one message in errs per failure. 0 or
 * -ENOMEM. */
int sg_changes_watch_plan(struct sg_changes *c, struct errlist *errs);

/* A directory was moved (its paths and its subtree's changed) or events
 * were lost: forget every cached path. */
void sg_changes_cache_clear(struct sg_changes *c);

/* The full path of an event's entry ("dir/name") into buf. 0 or -errno. */
int sg_changes_place(struct sg_changes *c, const struct sg_change_dirent *d,
		     char *buf, size_t size);

/* Is path at or under a protected path, or one of the daemon's files? */
bool sg_changes_relevant(const struct sg_changes *c, const char *path);

/* ---------------------------------------------------------------- logging
 * changes_log.c */

/* The rate limit's summary of what it held back. */
void sg_changes_report_suppressed(const char *label, uint32_t n,
				  void *userdata);

/* Report the merged entries of this wake-up, and empty the batch. */
void sg_changes_flush(struct sg_changes *c);

/* Changes were lost (what says how): log it, and answer with a verify
 * pass, which reports every file that now differs from the baseline. */
void sg_changes_report_loss(struct sg_changes *c, const char *what);

/* Once a flood window ends: say how many entries it held back. */
void sg_changes_flood_tick(struct sg_changes *c, uint64_t now_ms);

/* The [respond] actions on a live actor (pidfd pins it) of change ch,
 * unless it runs a maintenance writer. */
void sg_changes_respond_actor(struct sg_changes *c, const struct sg_change *ch,
			      int pidfd);

#endif
