/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * maint.h - `sealguard maintenance`: the CLI's side of the maintenance
 * window (maintenance.h has the protocol, cmd_maintenance.c the command).
 */
#ifndef SEALGUARD_CLI_MAINT_H
#define SEALGUARD_CLI_MAINT_H

#include "cli.h"

struct mt_window {
	int fd;      /* <state-dir>/maintenance */
	pid_t daemon;
	char id[40]; /* this request's: "PID-MICROSECONDS" */
};

/* Open the daemon's record (never created here). 0 or a negative errno. */
int mt_open(struct mt_window *w, const char *state_dir, pid_t daemon);
void mt_close(struct mt_window *w);

/* Ask for a window rooted at this process for at most seconds, and wait
 * for the answer. 0: open. Otherwise a negative errno (-EPERM: refused)
 * and the reason in why. */
int mt_request_open(struct mt_window *w, unsigned seconds, char *why,
		    size_t size);

/* Ask for the window to close, and wait. 0: closed; -ECANCELED: it had
 * closed already (why says why); another negative errno: no answer. */
int mt_request_close(struct mt_window *w, char *why, size_t size);

#endif
