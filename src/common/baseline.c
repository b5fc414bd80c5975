/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline.c - the baseline file reader and the loaders.
 *
 * The reader accepts only the canonical text the writer produces (see
 * baseline_format.c) and reports every problem as file:line.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>

#include "baseline.h"
#include "baseline_int.h"
#include "pathrule.h"
#include "trustfile.h"
#include "util.h"

/* Stop collecting after this many problems: the rest is noise. */
#define SG_BL_MAX_ERRORS 100
#define SG_BL_FIELDS_MAX 7

/* ---- reader ---- */

enum section {
	SEC_HEADER,
	SEC_ROOT,
	SEC_EXCLUDE,
	SEC_FILE,
};

struct parser {
	const char *name;
	struct errlist *errs;
	struct sg_baseline *b;
	size_t cap; /* of b->entries */
	unsigned line;
	unsigned nerrs;
	enum section section;
	int r; /* first fatal error (-ENOMEM), ends the parse */
};

static void perr(struct parser *p, const char *fmt, ...) _printf_(2, 3);
static void perr(struct parser *p, const char *fmt, ...)
{
	_cleanup_free_ char *msg = NULL;
	va_list ap;
	int r;

	p->nerrs++;
	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0 || errlist_add(p->errs, "%s:%u: %s", p->name, p->line,
				 msg) < 0)
		p->r = -ENOMEM;
}

/* Exactly 64 lower-case hex digits (the canonical form). */
static int parse_sha256(const char *s, unsigned char out[SG_SHA256_LEN])
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] >= 'A' && s[i] <= 'F')
			return -EINVAL;
	if (i != SG_SHA256_HEX_LEN)
		return -EINVAL;
	return sg_hex_decode(s, SG_SHA256_LEN, out);
}

/* Decimal, no sign, no leading zero, at most max. */
static int parse_dec(const char *s, uint64_t max, uint64_t *ret)
{
	uint64_t v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -EINVAL;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9 || v > (max - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*ret = v;
	return 0;
}

/* Exactly four octal digits: st_mode & 07777 as "%04o". */
static int parse_mode(const char *s, uint32_t *ret)
{
	uint32_t v = 0;

	if (strlen(s) != 4)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -EINVAL;
		v = v << 3 | (uint32_t)(*s - '0');
	}
	*ret = v;
	return 0;
}

/* Unescape and check a path field; reports and returns NULL when bad. */
static char *parse_path(struct parser *p, const char *field)
{
	char *path = sg_path_unescape(field);

	if (!path) {
		if (errno == ENOMEM)
			p->r = -ENOMEM;
		else
			perr(p, "bad path escape (only \\xhh for bytes outside 0x21..0x7e and '\\')");
		return NULL;
	}
	if (strlen(path) >= PATH_MAX) {
		perr(p, "path longer than %d bytes", PATH_MAX - 1);
		free(path);
		return NULL;
	}
	if (!sg_path_is_normalised(path)) {
		perr(p, "path '%s' is not absolute and normalised", field);
		free(path);
		return NULL;
	}
	return path;
}

/* Sorted strictly after prev (NULL: first)? Reports why not. */
static bool check_order(struct parser *p, const char *prev, const char *path,
			const char *field)
{
	int c = prev ? strcmp(prev, path) : -1;

	if (c == 0)
		perr(p, "duplicate path '%s'", field);
	else if (c > 0)
		perr(p, "path '%s' is out of order (paths must be sorted)",
		     field);
	return c < 0;
}

static int strv_push(char ***v, size_t *n, char *s)
{
	char **grown = realloc(*v, (*n + 1) * sizeof(**v));

	if (!grown)
		return -ENOMEM;
	grown[(*n)++] = s;
	*v = grown;
	return 0;
}

/* The path of a root or exclude record, sorted after the n in v; NULL
 * when bad (reported). */
static char *parse_listed_path(struct parser *p, const char *field,
			       char *const *v, size_t n)
{
	char *path = parse_path(p, field);

	if (path && !check_order(p, n ? v[n - 1] : NULL, path, field)) {
		free(path);
		return NULL;
	}
	return path;
}

/* Append path (consumed) to the n strings in *v. */
static void push_path(struct parser *p, char ***v, size_t *n, char *path)
{
	if (strv_push(v, n, path) < 0) {
		p->r = -ENOMEM;
		free(path);
	}
}

static void parse_root(struct parser *p, char **f)
{
	struct sg_baseline *b = p->b;
	char *path = parse_listed_path(p, f[1], b->roots, b->nroots);

	if (!path)
		return;
	if (sg_path_under_any(path, b->roots, b->nroots)) {
		perr(p, "root '%s' lies under an earlier root", f[1]);
		free(path);
		return;
	}
	push_path(p, &b->roots, &b->nroots, path);
}

static void parse_exclude(struct parser *p, char **f)
{
	struct sg_baseline *b = p->b;
	char *path = parse_listed_path(p, f[1], b->excludes, b->nexcludes);

	if (!path)
		return;
	if (!sg_path_under_any(path, b->roots, b->nroots)) {
		perr(p, "exclude '%s' lies under no root", f[1]);
		free(path);
		return;
	}
	push_path(p, &b->excludes, &b->nexcludes, path);
}

/* A decimal field (see parse_dec), or -EINVAL reported as bad `what`. */
static int parse_num(struct parser *p, const char *s, uint64_t max,
		     const char *what, uint64_t *ret)
{
	if (parse_dec(s, max, ret) < 0) {
		perr(p, "bad %s (want a decimal number)", what);
		return -EINVAL;
	}
	return 0;
}

static int parse_file_fields(struct parser *p, char **f, struct sg_bl_entry *e)
{
	uint64_t uid, gid;

	if (parse_sha256(f[1], e->sha256) < 0) {
		perr(p, "bad SHA-256 (want %d lower-case hex digits)",
		     SG_SHA256_HEX_LEN);
		return -EINVAL;
	}
	if (parse_num(p, f[2], UINT64_MAX, "size", &e->size) < 0)
		return -EINVAL;
	if (parse_mode(f[3], &e->mode) < 0) {
		perr(p, "bad mode (want four octal digits)");
		return -EINVAL;
	}
	if (parse_num(p, f[4], UINT32_MAX, "uid", &uid) < 0 ||
	    parse_num(p, f[5], UINT32_MAX, "gid", &gid) < 0)
		return -EINVAL;
	e->uid = (uint32_t)uid;
	e->gid = (uint32_t)gid;
	return 0;
}

static int push_entry(struct parser *p, const struct sg_bl_entry *e)
{
	struct sg_baseline *b = p->b;

	if (b->n == p->cap) {
		/* Geometric growth: 300k entries cost ~20 reallocs. */
		size_t cap = p->cap ? p->cap * 2 : 1024;
		struct sg_bl_entry *grown;

		grown = reallocarray(b->entries, cap, sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		b->entries = grown;
		p->cap = cap;
	}
	b->entries[b->n++] = *e;
	return 0;
}

static void parse_file(struct parser *p, char **f)
{
	struct sg_baseline *b = p->b;
	struct sg_bl_entry e = {};

	if (parse_file_fields(p, f, &e) < 0)
		return;
	e.path = parse_path(p, f[6]);
	if (!e.path)
		return;
	if (!sg_baseline_covers(b, e.path)) {
		perr(p, "path '%s' is outside the roots or excluded", f[6]);
		goto bad;
	}
	if (!check_order(p, b->n ? b->entries[b->n - 1].path : NULL, e.path,
			 f[6]))
		goto bad;
	if (push_entry(p, &e) < 0) {
		p->r = -ENOMEM;
		goto bad;
	}
	return;
bad:
	free(e.path);
}

static const struct record {
	const char *type;
	enum section section;
	size_t nfields;
	void (*parse)(struct parser *p, char **fields);
} records[] = {
	/* sorted by type */
	{ "exclude", SEC_EXCLUDE, 2, parse_exclude },
	{ "f", SEC_FILE, SG_BL_FIELDS_MAX, parse_file },
	{ "root", SEC_ROOT, 2, parse_root },
};

static int record_cmp(const void *key, const void *elem)
{
	const struct record *r = elem;

	return strcmp(key, r->type);
}

/*
 * Split on single spaces in place into at most max fields; the last one
 * keeps any remaining spaces, so a count of max means "max or more".
 */
static size_t split_fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	for (char *s = line;; s++) {
		f[n++] = s;
		if (n == max)
			return n;
		s = strchrnul(s, ' ');
		if (!*s)
			return n;
		*s = '\0';
	}
}

static bool fields_nonempty(char **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!*f[i])
			return false;
	return true;
}

/* Short and printable: safe to quote in a message. */
static bool quotable(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if (sg_bl_byte_needs_escape((unsigned char)*s) || n >= 32)
			return false;
	return true;
}

static const char *section_name(enum section s)
{
	return s == SEC_EXCLUDE ? "exclude" : s == SEC_FILE ? "f" : "root";
}

static void parse_record(struct parser *p, char *line)
{
	char *f[SG_BL_FIELDS_MAX + 1];
	const struct record *rec;
	size_t n = split_fields(line, f, ARRAY_SIZE(f));

	if (n == 1 && !*f[0]) {
		perr(p, "empty line");
		return;
	}
	rec = bsearch(f[0], records, ARRAY_SIZE(records), sizeof(*records),
		      record_cmp);
	if (!rec) {
		if (quotable(f[0]))
			perr(p, "unknown record type '%s'", f[0]);
		else
			perr(p, "unknown record type");
		return;
	}
	if (n != rec->nfields || !fields_nonempty(f, n)) {
		perr(p, "'%s' record needs %zu fields separated by one space",
		     rec->type, rec->nfields);
		return;
	}
	if (rec->section < p->section) {
		perr(p, "'%s' record after '%s' records (order: root, exclude, f)",
		     rec->type, section_name(p->section));
		return;
	}
	p->section = rec->section;
	rec->parse(p, f);
}

static void parse_header(struct parser *p, char *line)
{
	static const char prefix[] = "sealguard-baseline ";

	if (streq(line, SG_BASELINE_MAGIC))
		return;
	if (!strncmp(line, prefix, strlen(prefix))) {
		perr(p, "unsupported format '%s' (want '%s')",
		     quotable(line + strlen(prefix)) ? line : "?",
		     SG_BASELINE_MAGIC);
		return;
	}
	perr(p, "missing header '%s'", SG_BASELINE_MAGIC);
	/* Still check the line as a record: report every problem. */
	parse_record(p, line);
}

/* One raw line from getline(); len includes the newline if any. */
static void parse_line(struct parser *p, char *line, size_t len)
{
	if (strlen(line) != len) {
		perr(p, "NUL byte in line");
		return;
	}
	if (line[len - 1] != '\n') {
		perr(p, "truncated line (no newline at end of file)");
		return;
	}
	line[len - 1] = '\0';
	if (p->line == 1)
		parse_header(p, line);
	else
		parse_record(p, line);
}

static void parse_finish(struct parser *p)
{
	if (p->line == 0) {
		p->line = 1;
		perr(p, "missing header '%s' (empty file)", SG_BASELINE_MAGIC);
		return;
	}
	if (p->b->nroots == 0) {
		p->nerrs++;
		if (errlist_add(p->errs, "%s: no 'root' record", p->name) < 0)
			p->r = -ENOMEM;
	}
}

static int parse_stream(struct parser *p, FILE *f)
{
	_cleanup_free_ char *line = NULL;
	size_t size = 0;
	ssize_t len;

	while ((len = getline(&line, &size, f)) > 0) {
		p->line++;
		parse_line(p, line, (size_t)len);
		if (p->r < 0)
			return p->r;
		if (p->nerrs >= SG_BL_MAX_ERRORS) {
			if (errlist_add(p->errs, "%s: too many errors, giving up",
					p->name) < 0)
				return -ENOMEM;
			return -EINVAL;
		}
	}
	if (ferror(f))
		return -EIO;
	parse_finish(p);
	if (p->r < 0)
		return p->r;
	return p->nerrs ? -EINVAL : 0;
}

int sg_baseline_load_stream(FILE *f, const char *name,
			    struct sg_baseline **ret, struct errlist *errs)
{
	struct parser p = { .name = name, .errs = errs };
	int r;

	p.b = calloc(1, sizeof(*p.b));
	if (!p.b)
		return -ENOMEM;
	r = parse_stream(&p, f);
	if (r == 0)
		r = sg_baseline_index(p.b);
	if (r < 0) {
		sg_baseline_free(p.b);
		return r;
	}
	*ret = p.b;
	return 0;
}

int sg_baseline_load(const char *path, struct sg_baseline **ret,
		     struct errlist *errs)
{
	_cleanup_fclose_ FILE *f = NULL;
	_cleanup_close_ int fd = -1;

	fd = sg_open_trusted(path, errs);
	if (fd < 0)
		return fd;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	f = fdopen(fd, "re");
	if (!f)
		return -errno;
	TAKE_FD(fd);
	return sg_baseline_load_stream(f, path, ret, errs);
}
