/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run.h - one run of sealguardd: the shared state and the components
 * main() starts, and the event loop (loop.c) that drives them.
 */
#ifndef SEALGUARD_RUN_H
#define SEALGUARD_RUN_H

#include <stdbool.h>

#include "daemon.h"
#include "fan/guard.h"
#include "listen/listen.h"
#include "log/heartbeat.h"
#include "log/sglog.h"
#include "log/status.h"
#include "seal/selfseal.h"
#include "watch/changes.h"
#include "watch/rdonly.h"
#include "watch/tamper.h"

struct sg_run {
	struct sg_daemon d;       /* what the components share */
	struct sg_guard *guard;   /* fan/: the permission-event guard */
	struct sg_listen *listen; /* listen/: the listener guard */
	struct sg_changes *changes; /* watch/: NULL without [changes] */
	struct sg_rdonly *rdonly; /* watch/: the read-only mounts; NULL
				     without seal paths and [changes] */
	struct sg_tamper *tamper; /* watch/: a tracer on us or the responder */
	int sig_fd;               /* SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2 */
	int timer_fd;             /* the once-a-second tick */
	bool watchdog;            /* systemd wants WATCHDOG=1 on each tick */
};

/* Block the stop signals in every thread; the loop reads a signalfd.
 * The fd or a negative errno. */
int sg_run_open_signalfd(void);

/* The tick's period in microseconds: a second, or half the watchdog's
 * period when systemd wants pings more often than every 2 s. */
uint64_t sg_run_tick_usec(uint64_t watchdog_usec);

/* A timerfd that fires every sg_run_tick_usec(watchdog_usec). The fd or
 * a negative errno. */
int sg_run_open_tick_timer(uint64_t watchdog_usec);

/* Answer events until a stop signal: its number, or a negative errno
 * when the loop itself failed. */
int sg_run_loop(struct sg_run *run);

/* The guard's counters for the status record. */
struct sg_status_counts sg_run_counts(const struct sg_run *run);

/* STATUS= (and WATCHDOG=1 when asked) and the status record. */
void sg_run_notify_status(const struct sg_run *run);

#endif
