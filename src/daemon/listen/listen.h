/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * listen.h - the listener guard: no network listener stays open that the
 * policy's [listen] section does not allow.
 *
 * Every scan_interval_ms a timer runs a scan: four NETLINK_SOCK_DIAG dumps
 * filtered in the kernel to listeners (sockdiag.h). Listeners already
 * judged are remembered by socket cookie, so an idle scan costs the dumps
 * and a merge of two sorted arrays; /proc is read only for listeners that
 * are new and either violate the policy or match a rule that pins an
 * executable. A violation is handled in this order, the fastest step
 * first: SOCK_DESTROY the TCP socket, find its owners (the processes
 * whose /proc/<pid>/fd holds socket:[inode]), SIGKILL them (kill), dump
 * again to verify, and only then log what really happened:
 *
 *   destroyed   TCP: the socket is gone from the listening table
 *   killed      the owners were killed and the socket is gone (UDP: its
 *               owners' exit is awaited up to PENDING_MS, then checked)
 *   would-deny  mode = permissive, or action = log: nothing was done
 *   failed      it still listens (no owner to kill, an error, ...);
 *               retried every RETRY_MS
 *   gone        its owner closed it before it could be destroyed
 *
 * Pinned executables are checked without ever opening a file after the
 * seal (an open of a file on a marked filesystem from the event loop's own
 * thread would wait for an answer only that thread can give): at start-up,
 * before the marks exist, each pinned path is resolved, stat'ed and, if
 * the baseline lists it, hashed and compared. At run time an owner's
 * executable is only readlink'ed and stat'ed through /proc/<pid>/exe
 * (procfs is never marked): it must be that path and, for a verified pin,
 * the same inode with the same ctime and size as at start-up.
 */
#ifndef SEALGUARD_LISTEN_H
#define SEALGUARD_LISTEN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "errlist.h"
#include "policy.h"
#include "sys/procinfo.h"
#include "log/ratelimit.h"
#include "listen/sockdiag.h"

struct sg_baseline;

/* How long a killed UDP listener's owners get to exit before "failed". */
#define SG_LISTEN_PENDING_MS 1000
/* How often a listener that could not be stopped is tried again. */
#define SG_LISTEN_RETRY_MS 1000
/* How long the owner walk may hold back SOCK_DESTROY of a violating TCP
 * listener whose owner it has not found yet (see listen_act.c). */
#define SG_LISTEN_ATTRIBUTE_MS 5

/* ------------------------------------------------------------ matching */

enum sg_listen_verdict {
	SG_LISTEN_ALLOWED,     /* a rule without an executable matches */
	SG_LISTEN_NEEDS_OWNER, /* only rules that pin an executable match */
	SG_LISTEN_NOT_ALLOWED, /* no rule matches */
};

/* True if rule r allows socket s, leaving its owner aside. */
bool sg_listen_rule_matches(const struct sg_listen_rule *r,
			    const struct sg_sock *s);

/*
 * Judge s by its protocol, family, address and port. *ret_rule (may be
 * NULL) gets the allowing rule for SG_LISTEN_ALLOWED.
 */
enum sg_listen_verdict sg_listen_match(const struct sg_listen_policy *lp,
				       const struct sg_sock *s,
				       const struct sg_listen_rule **ret_rule);

/* The action for a violation by s: the mode, then tcp/udp_action. */
enum sg_listen_action sg_listen_action_for(const struct sg_policy *p,
					   const struct sg_sock *s);

/* ------------------------------------------------------------ owners */

/* A pinned executable as verified at start-up. */
enum sg_pin_state {
	SG_PIN_PATH_ONLY,  /* not in the baseline: the path must match */
	SG_PIN_VERIFIED,   /* in the baseline and hashed equal */
	SG_PIN_MISMATCH,   /* in the baseline, content differs */
	SG_PIN_UNREADABLE, /* in the baseline, missing or unreadable */
};

struct sg_pin {
	const char *path; /* as the policy names it (borrowed) */
	char *real;       /* realpath() at start-up, or a copy of path */
	enum sg_pin_state state;
	uint64_t dev, ino, size;
	int64_t ctime_ns;
};

/* Why a listener is (not) allowed; the journal's SEALGUARD_REASON. */
enum sg_listen_reason {
	SG_LREASON_ALLOWED,
	SG_LREASON_NOT_ALLOWED,    /* no rule for this protocol/address/port */
	SG_LREASON_EXE_MISMATCH,   /* rules pin another executable */
	SG_LREASON_EXE_CHANGED,    /* the pinned file changed since start-up */
	SG_LREASON_EXE_UNVERIFIED, /* the pinned file failed the baseline */
	SG_LREASON_OWNER_UNKNOWN,  /* a pinned rule, and no owner found */
};

/*
 * Resolve and verify the pin of path (before sealing: it opens the file
 * to hash it). Problems (missing file, hash mismatch) are not errors: the
 * state says them and a message goes to warns. 0 or -ENOMEM.
 */
int sg_pin_init(struct sg_pin *pin, const char *path,
		const struct sg_baseline *b, struct errlist *warns);
void sg_pin_free(struct sg_pin *pin);

/*
 * Is an owner running exe (readlink of /proc/<pid>/exe) whose stat is st
 * the pinned program? SG_LREASON_ALLOWED or the reason it is not.
 */
enum sg_listen_reason sg_pin_check(const struct sg_pin *pin, const char *exe,
				   const struct stat *st);

struct sg_owner {
	uint32_t inode;
	pid_t pid;
};

struct sg_ownervec {
	struct sg_owner *v; /* sorted: by inode, then newest pid first */
	size_t n, cap;
};

/*
 * The pids of /proc (procfd), newest (highest) first: an intruder's
 * listener usually belongs to a recent process, so a walk in this order
 * finds it early. *ret is newly allocated. 0 or a negative errno.
 */
int sg_proc_pids(int procfd, pid_t **ret, size_t *ret_n);

/*
 * Append (inode, pid) to ov (unsorted) for every socket whose inode is in
 * the sorted array inodes held by one of pids. A process that exits
 * meanwhile is skipped. 0 or -ENOMEM.
 */
int sg_owners_scan(int procfd, const pid_t *pids, size_t npids,
		   const uint32_t *inodes, size_t n, struct sg_ownervec *ov);

/* Sort ov and keep one entry per (inode, pid). */
void sg_owners_sort(struct sg_ownervec *ov);

/* The first owner of inode in ov (sorted or not: unsorted, the first
 * found), or 0. */
pid_t sg_owners_first(const struct sg_ownervec *ov, uint32_t inode);

/*
 * Every process of /proc holding a socket whose inode is in the sorted
 * array inodes: replaces ret's contents, sorted. 0 or a negative errno.
 */
int sg_owners_find(int procfd, const uint32_t *inodes, size_t n,
		   struct sg_ownervec *ret);

/* The owners of inode, newest first: a range of the sorted ov (*ret_n of
 * them, maybe 0). */
const struct sg_owner *sg_owners_of(const struct sg_ownervec *ov,
				    uint32_t inode, size_t *ret_n);

void sg_ownervec_free(struct sg_ownervec *ov);

/*
 * SIGKILL pid if it still holds socket:[inode], through a pidfd so that a
 * recycled pid is never signalled. Never PID 1 nor ourselves (-EPERM).
 * 0, -ESRCH (gone, or no longer holds it), or another negative errno.
 */
int sg_owner_kill(int procfd, pid_t pid, uint32_t inode);

/* A pidfd of pid if it still holds socket:[inode] (the same checks), or
 * a negative errno. */
int sg_owner_pin(int procfd, pid_t pid, uint32_t inode);

/* ------------------------------------------------------------ the guard */

enum sg_listen_outcome {
	SG_LOUT_ALLOW,      /* "allow": the surface at seal time */
	SG_LOUT_DESTROYED,  /* "destroyed" */
	SG_LOUT_KILLED,     /* "killed" */
	SG_LOUT_WOULD_DENY, /* "would-deny" */
	SG_LOUT_FAILED,     /* "failed" */
	SG_LOUT_GONE,       /* "gone" */
};

const char *sg_listen_outcome_name(enum sg_listen_outcome o);
const char *sg_listen_reason_name(enum sg_listen_reason r);

struct sg_listen_counters {
	uint64_t scans;
	uint64_t scan_errors;
	uint64_t judged;     /* new listeners judged */
	uint64_t allowed;
	uint64_t destroyed;
	uint64_t killed;
	uint64_t would_deny;
	uint64_t failed;
	uint64_t gone;
	uint64_t suppressed; /* journal entries held back by the limit */
};

struct sg_daemon;

/* Opaque: listen/listen_int.h holds it for the guard's own files. */
struct sg_listen;

/*
 * Prepare the guard (before sealing): the netlink socket, /proc, the
 * pins, the scan timer (not armed); d gives the policy, the baseline
 * (pins hash the executables rules name) and the responses. A policy
 * without [listen] leaves it disabled (fd -1). Pin problems are warnings
 * in warns. 0 or a negative errno, with a message in errs; *ret is set
 * whenever something was allocated, for sg_listen_free.
 */
int sg_listen_start(const struct sg_daemon *d, struct sg_listen **ret,
		    struct errlist *warns, struct errlist *errs);

/*
 * The start-up scan (after sealing): every listener is judged and logged,
 * allowed ones too, then the timer is armed. 0 or a negative errno.
 */
int sg_listen_first_scan(struct sg_listen *l);

/* The timer fired (sg_listen_fd readable): read it and scan. Never fails:
 * errors are logged. */
void sg_listen_process(struct sg_listen *l);

/* One scan at now_ms. startup: log allowed listeners too. 0 or -errno. */
int sg_listen_scan(struct sg_listen *l, uint64_t now_ms, bool startup);

/* Once a second: report rate-limited entries whose window ended. */
void sg_listen_tick(struct sg_listen *l, uint64_t now_ms);

/* The scan timer's fd for poll (POLLIN), -1 when the guard is off. */
int sg_listen_fd(const struct sg_listen *l);

/* The guard's part of STATUS= ("; listeners: ..."), empty when off. */
void sg_listen_status(const struct sg_listen *l, char *buf, size_t size);

/* The counters since start (zeros for NULL): the heartbeat's. */
void sg_listen_counters(const struct sg_listen *l,
			struct sg_listen_counters *ret);

/* NULL is a no-op. */
void sg_listen_free(struct sg_listen *l);

#endif
