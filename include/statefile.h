/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * statefile.h - what the running daemon shows the world, and whether the
 * previous instance ended cleanly.
 *
 * <state-dir>/status (default /run/sealguard/status) is opened before the
 * seal and kept open: the sealed daemon may not open files for writing
 * (its seccomp filter refuses it), so it rewrites the file in place with
 * one pwrite of a fixed-size record. The record starts with "seq=N" and
 * ends with "end=N"; a reader that sees them differ caught a rewrite
 * half-way and reads again. A clean stop writes state=stopped; a crash,
 * a kill or a seccomp violation leaves state=running behind, which the
 * next start reports as an unclean end.
 */
#ifndef SEALGUARD_STATEFILE_H
#define SEALGUARD_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "errlist.h"

#define SG_DEFAULT_STATE_DIR "/run/sealguard"
#define SG_STATE_RECORD_SIZE 4096

/*
 * <state-dir>/selftest: the last verdict of `sealguard selftest`, which
 * writes it (one pwrite of SG_SELFTEST_RECORD_SIZE bytes, "seq=N" ...
 * "end=N" like the status record, keys result, at, write, exec, listen).
 * The daemon opens it before the seal, creating it empty, and its
 * heartbeat preads it: a record in place of IPC the sealed daemon lacks.
 * It says what the selftest claimed, no more: root can write it.
 */
#define SG_SELFTEST_RECORD "selftest"
#define SG_SELFTEST_RECORD_SIZE 512

struct sg_state {
	int fd;
	uint64_t seq;
	bool prev_found;   /* a previous record was there */
	bool prev_clean;   /* ... and said state=stopped */
	pid_t prev_pid;
	char prev_state[32];
};

/* Open (creating dir and file) and read what the previous instance left.
 * 0 or a negative errno with a message in errs. */
int sg_state_open(struct sg_state *s, const char *dir, struct errlist *errs);

/* The largest record sg_record_write writes. */
#define SG_RECORD_MAX_SIZE SG_STATE_RECORD_SIZE

/* Rewrite a record of size bytes at the start of fd with one pwrite:
 * "seq=N\n", body ("key=value\n" lines), "end=N\n", newlines to size.
 * 0, -E2BIG if it does not fit, or a negative errno. */
int sg_record_write(int fd, size_t size, uint64_t seq, const char *body);

/* Rewrite the record: body is "key=value\n" lines (no seq/end). */
int sg_state_write(struct sg_state *s, const char *body);

void sg_state_close(struct sg_state *s);

/* Parse a record: the value of key, copied into out; false if absent or
 * the record is torn (seq != end). */
bool sg_state_get(const char *record, const char *key, char *out,
		  size_t size);

/* True if the record is whole (its seq and end agree). */
bool sg_state_whole(const char *record);

#endif
