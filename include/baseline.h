/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline.h - the trusted state of the golden image.
 *
 * File format (text, line-oriented, byte-for-byte deterministic so it can
 * be signed; written atomically: temp file, fsync, rename, fsync dir):
 *
 *   sealguard-baseline 1
 *   root /usr                      one per recorded tree, sorted
 *   exclude /usr/local/var         one per excluded sub-tree, sorted
 *   f <sha256-hex> <size> <mode-octal> <uid> <gid> <path>
 *   ...                            one per regular file, sorted by path
 *
 * Fields are separated by one space. <mode-octal> is st_mode & 07777.
 * Paths are escaped: every byte outside 0x21..0x7e, and '\', is written as
 * \xHH, so a path never contains a space or a newline. Lines end in "\n".
 * Unknown record types, bad fields, unsorted or duplicate paths, a
 * missing header or a truncated last line are errors naming file:line.
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

struct sg_policy;

#define SG_BASELINE_MAGIC "sealguard-baseline 1"

struct sg_bl_entry {
	char *path; /* unescaped, absolute */
	unsigned char sha256[SG_SHA256_LEN];
	uint64_t size;
	uint32_t mode; /* st_mode & 07777 */
	uint32_t uid;
	uint32_t gid;
};

struct sg_baseline {
	struct sg_bl_entry *entries; /* sorted by strcmp(path) */
	size_t n;
	char **roots; /* sorted */
	size_t nroots;
	char **excludes; /* sorted */
	size_t nexcludes;
	size_t *by_hash; /* indices of entries sorted by sha256 (see index) */
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

/* True if path lies under one of the baseline's roots and no exclude. */
bool sg_baseline_covers(const struct sg_baseline *b, const char *path);

struct sg_build_stats {
	uint64_t files;
	uint64_t bytes;
	uint64_t skipped; /* non-regular files (symlinks, devices, ...) */
	uint64_t errors;  /* files that could not be read (see _here) */
	double seconds;
};

/*
 * Walk roots (absolute, sorted, non-overlapping) skipping excludes, and
 * record every regular file with its SHA-256, hashing with `threads`
 * workers (0 = one per online CPU). Symlinks are not followed. Unreadable
 * files are errors ("path: strerror") collected in errs; the build fails
 * with -EIO if any occurred. Returns 0 and a new baseline in *ret.
 */
int sg_baseline_build(const char *const *roots, size_t nroots,
		      const char *const *excludes, size_t nexcludes,
		      unsigned threads, struct sg_baseline **ret,
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
};

/* The name of one SG_DRIFT_* bit ("hash", "size", ...), NULL for others.
 * Walk a mask with: for (unsigned b = 1; b <= SG_DRIFT_LAST; b <<= 1). */
#define SG_DRIFT_LAST SG_DRIFT_GID
const char *sg_drift_name(unsigned bit);

enum sg_drift_kind {
	SG_DRIFT_ADDED,
	SG_DRIFT_REMOVED,
	SG_DRIFT_CHANGED,
};

/*
 * Compare want (the trusted baseline) with have (a fresh build of the
 * same roots). Calls cb once per drifted path in path order; `what` is a
 * mask of SG_DRIFT_* for CHANGED, 0 otherwise; either entry may be NULL.
 * Returns the number of drifted paths.
 */
typedef void (*sg_drift_cb)(enum sg_drift_kind kind, unsigned what,
			    const struct sg_bl_entry *want,
			    const struct sg_bl_entry *have, void *userdata);
size_t sg_baseline_diff(const struct sg_baseline *want,
			const struct sg_baseline *have, sg_drift_cb cb,
			void *userdata);

/* Escape a path for the file format into a new string (NULL on ENOMEM). */
char *sg_path_escape(const char *path);
/* Unescape; returns a new string, or NULL with errno EINVAL/ENOMEM. */
char *sg_path_unescape(const char *escaped);

#endif
