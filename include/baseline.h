/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline.h - the trusted state of the golden image.
 *
 * File format 2 (text, line-oriented, byte-for-byte deterministic so it
 * can be signed; written atomically: temp file, fsync, rename, fsync dir;
 * described for operators in docs/baseline.md):
 *
 *   sealguard-baseline 2
 *   root /usr                      one per recorded tree, sorted
 *   exclude /usr/local/var         one per excluded sub-tree, sorted
 *   then one record per entry, all types together, sorted by path:
 *   f <sha256-hex> <size> <mode> <uid> <gid> <xattrs> <path>  regular file
 *   d <mode> <uid> <gid> <xattrs> <path>                    directory
 *   l <uid> <gid> <xattrs> <target> <path>                  symlink
 *   c <mode> <uid> <gid> <major> <minor> <xattrs> <path>    char device
 *   b <mode> <uid> <gid> <major> <minor> <xattrs> <path>    block device
 *   p <mode> <uid> <gid> <xattrs> <path>                    FIFO
 *
 * Fields are separated by one space. <mode> is st_mode & 07777 as four
 * octal digits (setuid, setgid and sticky included). <xattrs> is "-", or
 * the recorded extended attributes (sg_bl_xattr_names: the ones that
 * matter for security, file capabilities first among them) present on
 * the entry, as "name=hex" joined by ",", in that table's order.
 * Paths and symlink targets are escaped: every byte outside 0x21..0x7e,
 * and '\', is written as \xHH, so they never contain a space or a
 * newline. Lines end in "\n". Sockets are not recorded.
 * A header of another version (format 1 had no version field beyond its
 * "1" and recorded regular files only) is refused with one message that
 * tells to rebuild; it is never read as this format. Unknown record
 * types, bad fields, unsorted or duplicate paths, a missing header or a
 * truncated last line are errors naming file:line.
 */
#ifndef SEALGUARD_BASELINE_H
#define SEALGUARD_BASELINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "errlist.h"
#include "hash.h"
#include "strpool.h"

struct sg_policy;

/* The format this build reads and writes, and its header line. */
#define SG_BASELINE_VERSION 2
#define SG_BASELINE_MAGIC "sealguard-baseline 2"

/* The type of a recorded entry: the letter of its record. */
enum sg_bl_type {
	SG_BL_FILE = 'f',
	SG_BL_DIR = 'd',
	SG_BL_SYMLINK = 'l',
	SG_BL_CHR = 'c',
	SG_BL_BLK = 'b',
	SG_BL_FIFO = 'p',
};

/* "file", "dir", "symlink", "char-device", "block-device", "fifo". */
const char *sg_bl_type_name(char type);

/*
 * A regular file: the only entries the daemon's exec look-ups search,
 * kept in a table of their own so the other types cost them nothing
 * (64 bytes on LP64, as before format 2).
 */
struct sg_bl_entry {
	char *path; /* unescaped, absolute */
	unsigned char sha256[SG_SHA256_LEN];
	uint64_t size;
	uint32_t mode; /* st_mode & 07777 */
	uint32_t uid;
	uint32_t gid;
	uint32_t xattrs; /* 0: none; else the baseline's xattrs[xattrs - 1] */
};

/* Any other recorded type: directory, symlink, device node, FIFO. */
struct sg_bl_node {
	char *path;   /* unescaped, absolute */
	char *target; /* SG_BL_SYMLINK: the link's bytes; NULL otherwise */
	uint64_t rdev; /* SG_BL_CHR, SG_BL_BLK: st_rdev; 0 otherwise */
	uint32_t mode; /* st_mode & 07777 (0777 for a symlink) */
	uint32_t uid;
	uint32_t gid;
	uint32_t xattrs; /* as in sg_bl_entry */
	char type;       /* enum sg_bl_type, never SG_BL_FILE */
};

struct sg_baseline {
	struct sg_bl_entry *entries; /* regular files, sorted by strcmp(path) */
	size_t n;
	struct sg_bl_node *nodes; /* every other type, sorted by path */
	size_t nnodes;
	char **xattrs; /* the <xattrs> fields entries refer to ("name=hex,...") */
	size_t nxattrs;
	char **roots; /* sorted */
	size_t nroots;
	char **excludes; /* sorted */
	size_t nexcludes;
	uint32_t *by_hash; /* indices of entries sorted by sha256 (see index) */
	/* a loaded baseline's entry and node paths (sg_baseline_load); when
	 * empty, each path is its own heap block (a built baseline) */
	struct sg_strpool paths;
};

/*
 * Read a baseline. Returns 0 and stores it in *ret, or a negative errno
 * (-EINVAL for a malformed file, with every problem in errs as
 * "file:line: message"; -ENOENT etc. if unreadable). The returned baseline
 * has its hash index built.
 */
int sg_baseline_load(const char *path, struct sg_baseline **ret,
		     struct errlist *errs);
int sg_baseline_load_stream(FILE *f, const char *name,
			    struct sg_baseline **ret, struct errlist *errs);

/*
 * As sg_baseline_load, but when key_path is not NULL the baseline must
 * carry a valid Ed25519 signature (<path>.sig, see signature.h) by that
 * public key, over the very bytes that are parsed. A signature that does
 * not verify gives -EBADMSG, a missing one its errno, each with a message.
 */
int sg_baseline_load_verified(const char *path, const char *key_path,
			      struct sg_baseline **ret, struct errlist *errs);

/* Write atomically to path (mode 0600). Returns 0 or a negative errno. */
int sg_baseline_write(const struct sg_baseline *b, const char *path);
/* Write the file format to a stream. Returns 0 or a negative errno. */
int sg_baseline_write_stream(const struct sg_baseline *b, FILE *out);

void sg_baseline_free(struct sg_baseline *b);

/*
 * (Re)build b->by_hash from b->entries; load and build call it, anyone
 * who fills or changes entries by hand must too. Returns 0 or -ENOMEM.
 */
int sg_baseline_index(struct sg_baseline *b);

/* The entry recorded for path, or NULL. O(log n). */
const struct sg_bl_entry *sg_baseline_find(const struct sg_baseline *b,
					   const char *path);

/* True if some entry has this SHA-256. O(log n). */
bool sg_baseline_has_hash(const struct sg_baseline *b,
			  const unsigned char sha256[SG_SHA256_LEN]);

/* The <xattrs> text of an entry's xattrs field: "" for none. */
const char *sg_bl_xattrs(const struct sg_baseline *b, uint32_t xattrs);

/* The node recorded for path, or NULL. O(log n); never used by the
 * daemon's exec decisions. */
const struct sg_bl_node *sg_baseline_find_node(const struct sg_baseline *b,
					       const char *path);

/* The extended attributes a baseline records, in their order there;
 * NULL-terminated. The first is SG_XATTR_CAPS. */
extern const char *const sg_bl_xattr_names[];
#define SG_XATTR_CAPS "security.capability"

/* True if path lies under one of the baseline's roots and no exclude. */
bool sg_baseline_covers(const struct sg_baseline *b, const char *path);

struct sg_build_stats {
	uint64_t files;  /* regular files */
	uint64_t others; /* directories, symlinks, device nodes, FIFOs */
	uint64_t bytes;
	uint64_t skipped; /* sockets, and files that changed type meanwhile */
	uint64_t errors;  /* files that could not be read (see _here) */
	double seconds;
};

/*
 * How far a build has come, for a progress line: updated by the walker
 * and the hashing workers as they go (relaxed atomics: a reader sees
 * each counter on its own, never a torn value), read by whoever watches.
 * It may live in memory shared with another process.
 */
struct sg_build_progress {
	atomic_uint_fast64_t found;  /* regular files the walk found so far */
	atomic_uint_fast64_t hashed; /* of them, done (hashed, or failed) */
	atomic_uint_fast64_t bytes;  /* bytes hashed */
	atomic_bool walk_done;       /* found is the total */
};

/*
 * Walk roots (absolute, sorted, non-overlapping) skipping excludes, and
 * record every regular file with its SHA-256, hashing with `threads`
 * workers (0 = one per online CPU), and every directory, symlink (its
 * target), device node and FIFO; each with its recorded xattrs.
 * Symlinks are not followed. Unreadable
 * files are errors ("path: strerror") collected in errs; the build fails
 * with -EIO if any occurred. Returns 0 and a new baseline in *ret.
 */
int sg_baseline_build(const char *const *roots, size_t nroots,
		      const char *const *excludes, size_t nexcludes,
		      unsigned threads, struct sg_baseline **ret,
		      struct sg_build_stats *stats, struct errlist *errs);
/* As sg_baseline_build, reporting its progress in *progress (zeroed by
 * the caller) as it goes. */
int sg_baseline_build_watched(const char *const *roots, size_t nroots,
			      const char *const *excludes, size_t nexcludes,
			      unsigned threads, struct sg_build_progress *progress,
			      struct sg_baseline **ret,
			      struct sg_build_stats *stats, struct errlist *errs);

/*
 * As sg_baseline_build, for the sealed daemon's verify pass: records the
 * roots and excludes of `like`, and
 *  - runs the walk and every hash on the calling thread, starting none:
 *    the guard lets only threads it knows open protected files (it cannot
 *    read openat2's flags), and a pool's threads are unknown to it;
 *  - reports a file that cannot be read in errs, counts it in
 *    stats->errors and leaves it out, and still succeeds: on a live host
 *    one file changing while it is hashed must not void the whole pass;
 *  - stops with -ECANCELED soon after *cancel (if not NULL) becomes true.
 */
int sg_baseline_build_here(const struct sg_baseline *like,
			   const atomic_bool *cancel, struct sg_baseline **ret,
			   struct sg_build_stats *stats, struct errlist *errs);

/* Bits of what changed in a CHANGED drift record. */
enum {
	SG_DRIFT_HASH = 1 << 0,
	SG_DRIFT_SIZE = 1 << 1,
	SG_DRIFT_MODE = 1 << 2,
	SG_DRIFT_UID = 1 << 3,
	SG_DRIFT_GID = 1 << 4,
	SG_DRIFT_SETUID = 1 << 5, /* a setuid bit that was not there */
	SG_DRIFT_SETGID = 1 << 6, /* a setgid bit that was not there */
	SG_DRIFT_CAPS = 1 << 7,   /* security.capability new, changed, gone */
	SG_DRIFT_XATTR = 1 << 8,  /* another recorded xattr (ACL, label) */
	SG_DRIFT_TARGET = 1 << 9, /* a symlink retargeted */
	SG_DRIFT_RDEV = 1 << 10,  /* a device node's numbers */
};

/* The name of one SG_DRIFT_* bit ("hash", "size", ...), NULL for others.
 * Walk a mask with: for (unsigned b = 1; b <= SG_DRIFT_LAST; b <<= 1). */
#define SG_DRIFT_LAST SG_DRIFT_RDEV
const char *sg_drift_name(unsigned bit);

enum sg_drift_kind {
	SG_DRIFT_ADDED,
	SG_DRIFT_REMOVED,
	SG_DRIFT_CHANGED,
};

/* One entry of either table, as the drift comparison shows it. */
struct sg_bl_view {
	const char *path;
	char type;                    /* enum sg_bl_type */
	uint32_t mode, uid, gid;
	uint64_t size;                /* SG_BL_FILE */
	const unsigned char *sha256;  /* SG_BL_FILE; NULL otherwise */
	uint64_t rdev;                /* SG_BL_CHR, SG_BL_BLK */
	const char *target;           /* SG_BL_SYMLINK; NULL otherwise */
	const char *xattrs;           /* "name=hex,..."; "" for none */
};

/*
 * Compare want (the trusted baseline) with have (a fresh build of the
 * same roots). Calls cb once per drift in path order, either view NULL
 * for ADDED/REMOVED. `what` is a mask of SG_DRIFT_*: for CHANGED what
 * differs; for ADDED what makes the new entry worth a look (SETUID,
 * SETGID, CAPS when it carries them). An entry whose type changed is
 * REMOVED (the old type) then ADDED (the new one), both counted.
 * Returns the number of callbacks.
 */
typedef void (*sg_drift_cb)(enum sg_drift_kind kind, unsigned what,
			    const struct sg_bl_view *want,
			    const struct sg_bl_view *have, void *userdata);
size_t sg_baseline_diff(const struct sg_baseline *want,
			const struct sg_baseline *have, sg_drift_cb cb,
			void *userdata);

/* Escape a path for the file format into a new string (NULL on ENOMEM). */
char *sg_path_escape(const char *path);
/* Unescape; returns a new string, or NULL with errno EINVAL/ENOMEM. */
char *sg_path_unescape(const char *escaped);

#endif
