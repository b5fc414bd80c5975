/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * changes.h - real-time change detection under the protected paths.
 *
 * fanotify permission events cannot stop mkdir, unlink, rename, symlink,
 * link, chmod, chown, setxattr or utimes, nor writes through a descriptor
 * opened before the seal (design.md). This second fanotify group sees
 * them after the fact: FAN_CLASS_NOTIF, FAN_REPORT_DFID_NAME (each event
 * names its directory by file handle, and the entry's name) and
 * FAN_REPORT_PIDFD, with a filesystem mark on every filesystem the guard
 * marks for protection. Each event's directory handle is turned into a
 * path with open_by_handle_at(O_PATH) against a directory of that
 * filesystem opened before the seal (it needs CAP_DAC_READ_SEARCH); an
 * O_PATH open raises no permission event, and the guard does not mark
 * directories for them anyway, so the event loop can do it without
 * waiting on itself. Only changes at or under a protected path (or of
 * the daemon's own files) are reported, as one journal entry each with
 * SEALGUARD_EVENT=change, the path(s), the kind(s) of change and the
 * acting pid (and its program, while it still runs).
 *
 * Floods: the events of one wake-up that name the same path(s), object
 * type and pid are merged into one entry (kinds joined, SEALGUARD_COUNT),
 * and entries go through the [log] rate limit. The kernel queue is
 * bounded (an unbounded one would let a flood of changes grow kernel
 * memory without end); when it overflows, events are lost: that is
 * logged, and a verify pass (verifier.h) is run, so nothing is lost
 * silently. docs/changes.md has the full story.
 */
#ifndef SEALGUARD_CHANGES_H
#define SEALGUARD_CHANGES_H

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/fanotify.h>
#include <sys/types.h>

#include "sys/procinfo.h"

struct sg_daemon;
struct errlist;

/* ---------------------------------------------------------------- pure
 * changes_event.c: parsing and merging, no system call (unit-tested). */

/* Kinds of change (bits of sg_change.kinds), in the order they print. */
enum {
	SG_CHANGE_CREATE = 1 << 0,
	SG_CHANGE_DELETE = 1 << 1,
	SG_CHANGE_RENAME = 1 << 2,
	SG_CHANGE_ATTRIB = 1 << 3,      /* mode, owner, times, xattrs, links */
	SG_CHANGE_MODIFY = 1 << 4,      /* a write (or truncate) */
	SG_CHANGE_CLOSE_WRITE = 1 << 5, /* a file opened for writing closed */
};
#define SG_CHANGE_KINDS 6

/* The kinds a fanotify event mask stands for (0 if none). */
unsigned sg_change_kinds(uint64_t mask);

/* The name of kind bit i (0 <= i < SG_CHANGE_KINDS): "create", ... */
const char *sg_change_kind_name(unsigned i);

/* "create,attrib" into buf; returns buf. */
char *sg_change_kinds_format(unsigned kinds, char *buf, size_t size);

/* One directory entry an event names: the directory's file handle on
 * filesystem fsid, and the name in it ("." for the directory itself). */
struct sg_change_dirent {
	const __kernel_fsid_t *fsid;
	const struct file_handle *handle;
	const char *name;
};

/* A parsed event; pointers into the event buffer. */
struct sg_change_event {
	uint32_t len; /* of the event in the buffer; 0: stop reading it */
	uint64_t mask;
	pid_t pid;
	int pidfd; /* -1: none (the actor has exited, or not reported) */
	bool has_from, has_to;
	struct sg_change_dirent from; /* the entry (a rename's old name) */
	struct sg_change_dirent to;   /* a rename's new name */
};

/*
 * Parse the event at buf, len bytes being left in the read buffer (the
 * buffer need only be 4-byte aligned, as the kernel packs FID events).
 * 0, or -EPROTO for an event or record that does not fit or is not
 * understood; ret->len says how far to skip (0: stop reading this
 * buffer), and any pidfd found is in ret->pidfd either way.
 */
int sg_change_event_parse(const void *buf, size_t len,
			  struct sg_change_event *ret);

/*
 * Walk the events of one read (buf 4-byte aligned): cb with each event,
 * r 0 when it parsed, -EPROTO when not (then only ev->pidfd, -1 or a
 * pidfd to close, and ev->len are meaningful). Stops after an event
 * whose length cannot be trusted. Returns the bytes walked.
 */
typedef void (*sg_change_event_cb)(const struct sg_change_event *ev, int r,
				   void *userdata);
size_t sg_change_events_each(const void *buf, size_t len,
			     sg_change_event_cb cb, void *userdata);

/* One entry to report: the events of a wake-up merged by path(s),
 * object type and pid. */
struct sg_change {
	unsigned kinds;
	bool dir;
	pid_t pid;
	char *path;
	char *new_path; /* a rename's new name, else NULL */
	uint32_t count;
	struct sg_procinfo *actor; /* NULL: the actor has exited */
	/* why the change is expected (logged, no response): the actor runs
	 * a policy writer, "maintenance-writer", or is in a maintenance
	 * window's tree, "maintenance-window"; NULL: it is not */
	const char *expected;
	bool from_hook; /* the actor is a [respond] hook */
};

#define SG_CHANGE_BATCH 128

struct sg_change_batch {
	struct sg_change v[SG_CHANGE_BATCH];
	size_t n;
};

/*
 * Merge c into the batch, or append it: the batch takes c's strings and
 * actor either way (a merge frees them). Returns the entry c ended in,
 * or NULL when the batch is full (c untouched: flush, then add again).
 */
struct sg_change *sg_change_batch_add(struct sg_change_batch *b,
				      struct sg_change *c);

/* Free every entry's strings and empty the batch. */
void sg_change_batch_clear(struct sg_change_batch *b);

/* "dir/name" (or dir for "."; no "//" under "/") into buf. 0 or
 * -ENAMETOOLONG. */
int sg_change_join(const char *dir, const char *name, char *buf, size_t size);

/* ---------------------------------------------------------------- daemon
 * changes.c */

struct sg_changes;

struct sg_changes_counters {
	uint64_t events;     /* read from the kernel */
	uint64_t reported;   /* journal entries written */
	uint64_t suppressed; /* held back by the rate limit */
	uint64_t unresolved; /* directory gone before its event was read */
	uint64_t overflows;
	uint64_t watched;    /* filesystems marked */
};

/*
 * With a [changes] section: make the group, mark every filesystem of
 * d's mark plan (the guard's marks must be placed already), and start the
 * verify worker, registered as one of d's helper threads. *ret is NULL
 * without [changes]. A filesystem that cannot be watched goes to errs
 * (the rest is still watched). 0 or a negative errno (nothing left open).
 */
int sg_changes_start(struct sg_daemon *d, struct sg_changes **ret,
		     struct errlist *errs);

/* The group's fd for poll (POLLIN), -1 for NULL. */
int sg_changes_fd(const struct sg_changes *c);

/* Read and report what is pending (bounded per call). */
void sg_changes_process(struct sg_changes *c);

/* mountinfo changed (after sg_guard_mounts_changed): watch filesystems
 * the guard has newly marked for protection. NULL is ignored. */
void sg_changes_mounts_changed(struct sg_changes *c);

/* Once a second: rate-limit summaries, periodic verify passes. */
void sg_changes_tick(struct sg_changes *c, uint64_t now_ms);

/* "; changes: ..." for STATUS= (empty for NULL). */
void sg_changes_status(struct sg_changes *c, char *buf, size_t size);

void sg_changes_counters(const struct sg_changes *c,
			 struct sg_changes_counters *ret);

/* Close the group, stop the verify worker (see sg_verifier_free: the
 * guard's group must be closed first), free. NULL is ignored. */
void sg_changes_free(struct sg_changes *c);

#endif
