/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_int.h - what the files of the policy module share. Private: the
 * daemon and the CLI use policy.h only.
 *
 * Who calls whom; the arrows run one way only (no file calls a file
 * above it in this list):
 *
 *   policy.c           line reader, inih handler, load, free
 *                             -> value, validate, check, keys, diag, path
 *   policy_print.c     the normalised form    -> keys, listen
 *   policy_validate.c  pass two               -> check, listen, keys,
 *                                                diag, path
 *   policy_value.c     pass one, by kind      -> listen, keys, diag, path
 *   policy_check.c     questions of a policy  -> keys, pathrule.c
 *   policy_listen.c    a [listen] allow       -> path
 *   policy_keys.c      the one key table
 *   policy_diag.c      problems, by line
 *   policy_path.c      policy paths and lists -> pathrule.c
 */
#ifndef SEALGUARD_POLICY_INT_H
#define SEALGUARD_POLICY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "errlist.h"
#include "policy.h"
#include "util.h"

/* A key's kind: which function parses a value, which prints the field. */
enum policy_kind {
	POLICY_ENUM,       /* one of names; unsigned field */
	POLICY_UDP_ACTION, /* POLICY_ENUM that explains why not "destroy" */
	POLICY_UINT,       /* decimal min..max; unsigned field */
	POLICY_SET,        /* none, all, or a list of names; bits */
	POLICY_ACTIONS,    /* a [respond] kind: log, or kill/freeze, hook */
	POLICY_PATH,       /* one path; char * field */
	POLICY_LIST,       /* repeatable path; struct sg_pathlist field */
	POLICY_RULE,       /* repeatable [listen] allow */
	POLICY_KIND__COUNT
};

struct policy_name {
	const char *name;
	unsigned value;
};

struct policy_key {
	const char *section;
	const char *key;
	enum policy_kind kind;
	size_t offset;                    /* of the field in struct sg_policy */
	const struct policy_name *names;  /* enums and sets: allowed values */
	unsigned min, max;                /* numbers: inclusive range */
	bool disjoint;                    /* lists: entries must not nest */
	bool literal;  /* lists: the name is the meaning, so it must not go
			  through a symlink (sg_policy_check_symlinks) */
	bool required; /* a policy without it is rejected */
	unsigned def;  /* scalar kinds: the value when the key is not given */
	const char *const *defs; /* paths and lists: the values (NULL-ended)
				    when none is given; NULL: none */
	unsigned order; /* 1..count: where sg_policy_dump prints it */
	const char *absent; /* lists: what an empty one means, printed as
			       "; KEY = ABSENT"; NULL: "(none)" */
};

/* One problem found, kept until the end so they can be sorted by line. */
struct policy_diag {
	unsigned line; /* 0: about the file as a whole */
	size_t seq;
	char *msg;
};

struct policy_parser {
	FILE *f;
	const char *name;
	struct sg_policy *p;
	unsigned line;        /* the line inih is working on */
	bool indented;        /* ... starts with whitespace */
	unsigned header_line; /* the last line that looked like "[section]" */
	unsigned reported_header;
	int error; /* -ENOMEM or a read error: stop and return it */
	struct policy_diag *diags;
	size_t ndiags;
	unsigned *seen; /* per key (table index): the line it first appeared */
	bool *bad;      /* per key: some value of it was rejected */
};

/* policy_keys.c */

/* The whole table, sorted by (section, key), and its length in *ret_n. */
const struct policy_key *policy_keys(size_t *ret_n);

/* bsearch on the table; NULL if there is no such key or section. */
const struct policy_key *policy_key_find(const char *section,
					 const char *key);
bool policy_section_known(const char *section);

/* The position of k in the table: the index of ps->seen and ps->bad. */
size_t policy_key_index(const struct policy_key *k);

/*
 * The key sg_policy_dump prints at position pos, or NULL past the last.
 * Positions run from 1 without a gap (test_policy_keys checks it), so
 * for (pos = 1; (k = policy_key_at(pos)); pos++) visits every key once,
 * in print order.
 */
const struct policy_key *policy_key_at(unsigned pos);

/* The field k describes; not const, as the parse functions write it. */
void *policy_field(const struct sg_policy *p, const struct policy_key *k);

/* True for the kinds held in an unsigned field (with a default in def). */
bool policy_kind_scalar(enum policy_kind kind);

/* The name of value in t, or "unknown"; every bit t can hold. */
const char *policy_value_name(const struct policy_name *t, unsigned value);
unsigned policy_names_all(const struct policy_name *t);

/* policy_path.c */

int policy_pathlist_add(struct sg_pathlist *l, const char *path,
			unsigned line);
void policy_pathlist_free(struct sg_pathlist *l);
int policy_pathlist_sort(struct sg_pathlist *l);

/*
 * Questions asked of a sorted list (policy_pathlist_sort), each in
 * O(log n) per step, so that a policy of many thousand lines is checked
 * in O(n log n). Paths are normalised and absolute.
 *
 * policy_pathlist_find: the first (earliest line) entry equal to the
 * first len bytes of path, or l->n.
 * policy_path_next_ancestor: the length of path's next proper ancestor
 * after the one of length len ("/" has length 1; start with len 0), or
 * 0 when there is none: "/a/b" yields 1, 2 ("/", "/a"), then 0.
 * policy_pathlist_covers: path is an entry or lies under one.
 * policy_pathlist_below: the entries strictly under path are
 * l->paths[*lo .. *hi).
 */
size_t policy_pathlist_find(const struct sg_pathlist *l, const char *path,
			    size_t len);
size_t policy_path_next_ancestor(const char *path, size_t len);
bool policy_pathlist_covers(const struct sg_pathlist *l, const char *path);
void policy_pathlist_below(const struct sg_pathlist *l, const char *path,
			   size_t *lo, size_t *hi);

/* policy_diag.c */

/* Keep a problem at line (0: the whole file); sets ps->error on ENOMEM. */
void policy_diag(struct policy_parser *ps, unsigned line, const char *fmt,
		 ...) _printf_(3, 4);

/* Sort the problems by line and append them to errs as "file:line: ...". */
int policy_diags_flush(struct policy_parser *ps, struct errlist *errs);
void policy_diags_free(struct policy_parser *ps);

/* policy_value.c */

/* Pass one: parse a non-empty value v of key k into ps->p, or report it. */
void policy_value_parse(struct policy_parser *ps, const struct policy_key *k,
			const char *v);

/* policy_validate.c */

/* Pass two: sort the lists and check the policy as a whole. */
void policy_validate(struct policy_parser *ps);

#endif
