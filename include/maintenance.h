/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * maintenance.h - the maintenance window: how `sealguard maintenance`
 * asks the running daemon to let one command tree change the host.
 *
 * The sealed daemon has no IPC and may not open files, so the request is
 * a record, like the selftest's (statefile.h): <state-dir>/maintenance,
 * which the daemon creates (0600, root's) and opens before the seal. Both
 * sides rewrite it whole with one pwrite (sg_record_write), "seq=N" ...
 * "end=N", and a reader that sees them differ reads again.
 *
 *  1. The CLI writes request=open, id (its own, unique), pid (its own:
 *     the root of the tree), start (the root's start time, field 22 of
 *     /proc/PID/stat) and seconds (the bound), then sends SIGUSR1.
 *  2. The daemon reads it and answers in the same record: answer=open,
 *     or answer=refused with why=, under the same id.
 *  3. Until the window closes, every open or exec the guard would deny
 *     is allowed, and logged, when the opener descends from pid; changes
 *     it makes are logged as maintenance and get no response.
 *  4. The window closes when the CLI writes request=close (and signals),
 *     when pid exits, or at the bound: answer=closed, why=.
 *
 * Root can write the record, so root can open a window: that is the
 * point, and why every window is journaled at warning level (and reaches
 * the tether's collector), bounded, refused on a host whose baseline is
 * signed (a fleet host is replaced instead) and refused for a root that
 * would cover the daemon's own ancestors (pid 1 and the like).
 */
#ifndef SEALGUARD_MAINTENANCE_H
#define SEALGUARD_MAINTENANCE_H

#define SG_MAINT_RECORD "maintenance"
#define SG_MAINT_RECORD_SIZE 1024
/* The bound a request may ask for, and the CLI's default. */
#define SG_MAINT_MAX_SECONDS 3600
#define SG_MAINT_DEFAULT_SECONDS 900

#endif
