/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * responder_int.h - what the responder's own files share: responder.c
 * (start-up, the loop, requests), responder_reply.c (its answers),
 * responder_job.c (hook and reprovision programs) and responder_cgroup.c
 * (the freeze). Not part of the interface (responder.h) nor of the wire
 * contract (responder_wire.h); the daemon's side never includes it.
 */
#ifndef SEALGUARD_RESPONDER_INT_H
#define SEALGUARD_RESPONDER_INT_H

#include <limits.h>
#include <stdbool.h>

#include "respond/responder.h"
#include "sys/memwatch.h"

/* Hooks running at once, and requests waiting for a free slot. */
#define SG_RESP_MAX_RUNNING 4
#define SG_RESP_MAX_QUEUED 64

/* Replies the daemon has not taken yet (its socket buffer is full). */
#define MAX_PENDING_REPLIES 1024
/* Hooks, and one more slot: the reprovision program never waits behind
 * them (nor is it dropped for them). */
#define MAX_JOBS (SG_RESP_MAX_RUNNING + 1)

/* How often the responder looks at the daemon: a tracer or a stop is
 * found well within a second. */
#define SG_RESP_WATCH_MS 200

/* A hook program that is running. */
struct job {
	pid_t pid;
	int pidfd;
	struct sg_resp_msg req; /* the request it answers */
	const char *program;
	uint64_t start_ms, deadline_ms;
	bool timed_out;
};

/* A request waiting for a free slot, or a reply waiting for the daemon:
 * its bytes. */
struct queued {
	size_t len;
	char buf[];
};

struct responder {
	int sock;
	const struct sg_responder_config *cfg;
	int cgroup_root; /* O_PATH of the cgroup v2 mount; -1: none */
	char own_cgroup[PATH_MAX];
	char hostname[256];
	char boot_id[64];
	/* the watch on the daemon (responder_tamper.c) */
	pid_t daemon;
	int proc_fd;  /* /proc, O_PATH */
	int journal;  /* our own journal socket; -1: none (stderr) */
	uint64_t next_watch_ms;
	pid_t seen_tracer; /* reported already */
	bool seen_stopped, reprovisioned;
	struct sg_memwatch mem; /* the daemon's memory file; inotify -1: none */
	struct job jobs[MAX_JOBS];
	size_t njobs;
	struct queued *queue[SG_RESP_MAX_QUEUED];
	size_t qhead, qlen;
	struct queued *replies[MAX_PENDING_REPLIES];
	size_t rhead, rlen;
};

/* responder.c: answer req (exactly once for each request), now or, if
 * the daemon's socket is full, as soon as it takes it. */
void responder_reply(struct responder *rs, const struct sg_resp_msg *req,
		     enum sg_resp_outcome outcome, int value, uint64_t start_ms,
		     const char *subject, const char *detail);
/* Hand over the replies that wait, as far as the daemon's socket takes
 * them (call when it is writable). */
void responder_flush_replies(struct responder *rs);

/* responder_cgroup.c */
/* The first cgroup2 mount, O_PATH; or a negative errno. */
int responder_open_cgroup_root(void);
/* Freeze cg (the request's string) and answer req. */
void responder_freeze(struct responder *rs, const struct sg_resp_msg *req,
		      const char *cg);

/* responder_tamper.c: the watch on the daemon. */
/* A datagram socket connected to journald, or a negative errno. */
int responder_journal_open(void);
/* At most every SG_RESP_WATCH_MS: a tracer on the daemon, or the daemon
 * stopped, is logged (alert) and answered. */
void responder_watch(struct responder *rs, uint64_t now_ms);
/* ms until the next look, for poll. */
int responder_watch_timeout(const struct responder *rs, uint64_t now_ms);

/* responder_job.c */
/* Run the program msg asks for now, in a free slot. */
void job_start(struct responder *rs, const void *msg, size_t len);
/* A hook request waits for a slot (or is answered "dropped"). */
void job_enqueue(struct responder *rs, const void *msg, size_t len);
/* Start waiting hooks while fewer than SG_RESP_MAX_RUNNING run. */
void jobs_start_queued(struct responder *rs);
/* How many programs for op run. */
size_t jobs_running(const struct responder *rs, enum sg_resp_op op);
/* Job i has ended (its pidfd is readable): reap it, answer, free its slot. */
void job_finish(struct responder *rs, size_t i);
/* Kill the process group of every job past its deadline. */
void jobs_kill_overdue(struct responder *rs, uint64_t now);
/* ms until the next deadline, for poll (-1: none). */
int jobs_poll_timeout(const struct responder *rs, uint64_t now);

#endif
