/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fleet.h - `sealguard fleet`: what a collector's journal says of each
 * host (fleet_read.c reads it, cmd_fleet.c judges and prints it).
 */
#ifndef SEALGUARD_FLEET_H
#define SEALGUARD_FLEET_H

#include <stdbool.h>
#include <stdint.h>

#include "hash.h"

/* What the newest heartbeat of a host said. */
struct fleet_beat {
	uint64_t at_us; /* realtime; 0: none seen */
	unsigned interval_s;
	char mode[16];
	char baseline_sha[SG_SHA256_HEX_LEN + 1];
	char policy_sha[SG_SHA256_HEX_LEN + 1];
	char key[SG_SHA256_HEX_LEN + 1];
	char seccomp[16];
	char tamper[128];
};

/* One host: its machine id (the key), name, and what it sent. */
struct fleet_host {
	char machine_id[40];
	char hostname[128];
	char boot_id[40];
	uint64_t last_us;         /* newest entry of any kind */
	uint64_t denials, would_deny, drift, responses, unclean_starts;
	bool stopped;             /* its newest daemon entry says it stopped */
	struct fleet_beat beat;
};

struct fleet {
	struct fleet_host *hosts;
	size_t n;
};

/* Where to read: a directory (-D), files (--file), or the local journal. */
struct fleet_source {
	const char *dir;
	const char **files; /* NULL-ended; NULL: none */
	uint64_t since_us;  /* 0: everything */
};

/* Read every sealguardd entry of src into *ret (hosts sorted by name).
 * 0 or a negative errno. */
int fleet_read(const struct fleet_source *src, struct fleet *ret);

void fleet_free(struct fleet *f);

#endif
