/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * window.h - the maintenance window, the daemon's side (maintenance.h has
 * the protocol): one command tree, named by its root process, whose
 * would-be denials are allowed and logged until the window closes.
 *
 * The guard and the change watcher ask sg_maint_covers() on their deny
 * path only: an allowed open never pays for the walk up the process tree.
 * Everything runs on the event loop's thread: no locks.
 */
#ifndef SEALGUARD_MAINT_WINDOW_H
#define SEALGUARD_MAINT_WINDOW_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "errlist.h"

struct sg_daemon;
struct sg_maint;

enum sg_maint_use {
	SG_MAINT_WRITE,  /* a write-open the guard would deny */
	SG_MAINT_EXEC,   /* an exec (or a load as code) it would deny */
	SG_MAINT_CHANGE, /* a change the watcher would answer */
};

/* Create (0600) and open <state_dir>/maintenance before the seal, and
 * reset it. *ret is NULL without a state directory (no window can open).
 * 0, or a negative errno with a message in errs. */
int sg_maint_open(struct sg_maint **ret, const struct sg_daemon *d,
		  const char *state_dir, struct errlist *errs);

/* SIGUSR1: read the record and act on its request (open or close). */
void sg_maint_request(struct sg_maint *m);

/* Is tid in the open window's tree? Counts it under use. Closes the
 * window first if its root has exited or its bound has passed. */
bool sg_maint_covers(struct sg_maint *m, pid_t tid, enum sg_maint_use use);

bool sg_maint_is_open(const struct sg_maint *m);

/* The open window's id for log entries ("" when closed). */
const char *sg_maint_id(const struct sg_maint *m);

/* "; maintenance window ID open (N s left)" for STATUS= and the status
 * record, "" when none is open. */
void sg_maint_status(const struct sg_maint *m, char *buf, size_t size);

/* The root's pidfd, readable once it exits, for the loop's poll; -1
 * when no window is open. */
int sg_maint_fd(const struct sg_maint *m);

/* The pidfd was readable: the command ended, close the window. */
void sg_maint_process(struct sg_maint *m);

/* Close the window once its bound has passed. */
void sg_maint_tick(struct sg_maint *m, uint64_t now_ms);

/* At the daemon's stop: close an open window ("the daemon stopped") and
 * free. NULL is fine. */
void sg_maint_free(struct sg_maint *m);

#endif
