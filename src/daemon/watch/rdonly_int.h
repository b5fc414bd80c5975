/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * rdonly_int.h - what the read-only mounts' files share; not part of
 * their interface (rdonly.h). rdonly.c: making, adopting and lifting
 * them, start, status, free; rdonly_watch.c: the mount watch (reports,
 * and restoring what was remounted or unmounted).
 */
#ifndef SEALGUARD_RDONLY_INT_H
#define SEALGUARD_RDONLY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "log/ratelimit.h"
#include "util.h"
#include "sys/mounts.h"
#include "watch/mountdiff.h"
#include "watch/rdonly.h"

enum rdonly_state {
	RDONLY_OK,
	RDONLY_BROKEN, /* read-write or gone, and not restored */
};

struct rdonly_mount {
	char *path;
	int fd;       /* O_PATH of the sealed mount; -1 when lost */
	int mnt_id;
	int *sub;     /* mount ids of the read-only mounts below it */
	size_t nsub;
	bool fresh;   /* made again: learn sub from the next table */
	enum rdonly_state state;
};

struct sg_rdonly {
	const struct sg_daemon *d;
	bool report;  /* [changes]: report mount changes */
	int mountinfo_fd;
	const char **roots; /* protect paths and own files (borrowed) */
	size_t nroots;
	struct sg_fsref *refs;
	size_t nrefs;
	struct rdonly_mount *mounts;
	size_t nmounts;
	struct sg_mounts snap; /* the table as last seen */
	const struct sg_mounts *cur; /* the new table, during a diff */
	int *expect;  /* mount ids our own last restore changed */
	size_t nexpect;
	struct sg_ratelimit rl;
	uint64_t reported, restored, failed;
};

/* ---------------------------------------------------------------- rdonly.c */

/* The mount with that id in table m, or NULL. */
const struct sg_mount *rdonly_find_id(const struct sg_mounts *m, int id);

/* Is m at or below the mount with id top (following parents)? */
bool rdonly_in_tree(const struct sg_mounts *t, const struct sg_mount *m,
		    int top);

/* The mount id of fd's mount, or a negative errno. */
int rdonly_mount_id(int fd);

/* Make fd's mount read-only (recursive: and every mount below it). */
int rdonly_set_ro(int fd, bool recursive);

/* A read-only clone of the tree at s->path (submounts included),
 * attached on the path itself: read-only before anyone can reach it. */
int rdonly_clone(struct rdonly_mount *s);

/* The read-only mounts now below s, kept read-only too. 0 or -ENOMEM. */
int rdonly_learn_sub(struct rdonly_mount *s, const struct sg_mounts *t);

/* A SEALGUARD_EVENT=seal entry about s, MESSAGE from fmt. */
void rdonly_log(const struct rdonly_mount *s, int priority, const char *msgid,
		const char *action, const char *fmt, ...) _printf_(5, 6);

#endif
