/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * heartbeat.h - the tether's heartbeat (docs/fleet.md): every
 * heartbeat_interval seconds one journal entry (SG_MSGID_HEARTBEAT,
 * SEALGUARD_EVENT=heartbeat) that tells a collector this host's guard is
 * alive, sealed, and running the policy, baseline and key the fleet
 * expects, with its counters since start. A collector that stops
 * receiving them raises the alarm (`sealguard fleet --check`).
 *
 * Everything that needs a file (the hashes, the key's fingerprint, the
 * boot id, a descriptor on /proc/self/status) is read by sg_heartbeat_init
 * before the marks and the seal; a beat itself is a pread of
 * /proc/self/status and an entry handed to the journal writer's bounded
 * queue: it never blocks the loop and makes no syscall the seal refuses.
 * The record knows no component: the loop copies their counters in.
 */
#ifndef SEALGUARD_HEARTBEAT_H
#define SEALGUARD_HEARTBEAT_H

#include <stdint.h>

#include "errlist.h"

struct sg_policy;

/* What the components counted since start, copied in by the loop. */
struct sg_heartbeat_counts {
	uint64_t events, denied_write, denied_exec, would_deny;
	uint64_t listen_denied;  /* listeners destroyed or their owners killed */
	uint64_t listen_would_deny;
	uint64_t changes;        /* change entries (what cannot be blocked) */
	uint64_t responses;      /* kills, freezes, hooks */
	uint64_t log_lost;       /* journal entries dropped by a full queue */
	const char *seals;       /* the read-only mounts' status, "" for none */
	const char *maintenance; /* an open maintenance window's id, "" for none */
};

/*
 * Before the marks: read what a beat carries that needs a file, and open
 * (creating it empty) the selftest record in state_dir (statefile.h),
 * which every beat preads. Problems (an unreadable file) go to warns and
 * leave "?" in that field: a host whose heartbeat cannot be trusted says
 * so rather than stays silent. 0 or -ENOMEM.
 */
int sg_heartbeat_init(const struct sg_policy *p, const char *state_dir,
		      struct errlist *warns);

/* The loop's tick period (sg_run_tick_usec): a beat is due half a tick
 * early, so loop latency cannot push it a whole tick late. The default
 * is a 1 s tick. */
void sg_heartbeat_set_tick(uint64_t tick_usec);

/* Once a tick: send a beat if one is due (the first call sends one). */
void sg_heartbeat_tick(uint64_t now_ms, const struct sg_heartbeat_counts *c);

/*
 * A hook for the tamper checks (tracer detection and the like): what was
 * found, a short token such as "tracer:1234"; NULL or "" resets it to
 * "none". Every later beat carries it as SEALGUARD_TAMPER. Loop thread
 * only; no allocation.
 */
void sg_heartbeat_set_tamper(const char *what);

/* Close the /proc/self/status and selftest record descriptors. */
void sg_heartbeat_close(void);

#endif
