/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hasher.h - hash large files off the event loop.
 *
 * The first exec of an unverified file needs its SHA-256. For a large
 * binary that takes tens of milliseconds, and every other open on every
 * marked filesystem would wait that long if the event loop hashed it
 * itself. The loop hands such files to one worker thread and goes on
 * answering; the opener stays blocked until its verdict is ready. The
 * worker only pread()s descriptors it is given: it never opens a file, so
 * it can never wait on the guard.
 */
#ifndef SEALGUARD_HASHER_H
#define SEALGUARD_HASHER_H

#include <stdint.h>
#include <sys/types.h>

#include "hash.h"

struct sg_hasher;

/* Called by sg_hasher_collect for each finished job: r is 0 (sha and
 * size valid) or the negative errno of the hash. */
typedef void (*sg_hasher_done_cb)(void *cookie, int r,
				  const unsigned char sha[SG_SHA256_LEN],
				  uint64_t size, void *userdata);

/* Start the worker with room for queue_len pending jobs. 0 or -errno. */
int sg_hasher_start(unsigned queue_len, struct sg_hasher **ret);

/* Readable (poll POLLIN) when finished jobs wait to be collected. */
int sg_hasher_fd(const struct sg_hasher *h);

/* The worker thread's tid. */
pid_t sg_hasher_tid(const struct sg_hasher *h);

/* Queue fd (borrowed until its job is collected). 0, or -EAGAIN when the
 * queue is full (the caller hashes it itself). */
int sg_hasher_submit(struct sg_hasher *h, int fd, void *cookie);

/* Hand every finished job to cb, in completion order. */
void sg_hasher_collect(struct sg_hasher *h, sg_hasher_done_cb cb,
		       void *userdata);

/* Number of jobs submitted and not yet collected. */
unsigned sg_hasher_pending(const struct sg_hasher *h);

/* Finish every queued job, then stop and join the worker. Finished jobs
 * can still be collected. NULL is ignored. */
void sg_hasher_stop(struct sg_hasher *h);

void sg_hasher_free(struct sg_hasher *h);

#endif
