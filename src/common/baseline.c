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
#include <sys/sysmacros.h>

#include "baseline.h"
#include "baseline_int.h"
#include "pathrule.h"
#include "trustfile.h"
#include "util.h"

/* Stop collecting after this many problems: the rest is noise. */
#define SG_BL_MAX_ERRORS 100
#define SG_BL_FIELDS_MAX 8

/* ---- reader ---- */

enum section {
	SEC_HEADER,
	SEC_ROOT,
	SEC_EXCLUDE,
	SEC_ENTRY, /* f, d, l, c, b, p: one sorted sequence */
};

struct parser {
	const char *name;
	struct errlist *errs;
	struct sg_baseline *b;
	size_t cap;  /* of b->entries */
	size_t ncap; /* of b->nodes */
	const char *last_path; /* of the last entry of any type */
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

/* <mode> <uid> <gid> at f[0..2]. */
static int parse_owner_mode(struct parser *p, char **f, uint32_t *mode,
			    uint32_t *uid, uint32_t *gid)
{
	uint64_t u, g;

	if (parse_mode(f[0], mode) < 0) {
		perr(p, "bad mode (want four octal digits)");
		return -EINVAL;
	}
	if (parse_num(p, f[1], UINT32_MAX, "uid", &u) < 0 ||
	    parse_num(p, f[2], UINT32_MAX, "gid", &g) < 0)
		return -EINVAL;
	*uid = (uint32_t)u;
	*gid = (uint32_t)g;
	return 0;
}

/* The <xattrs> field: "-" is none (0), else a canonical list, interned. */
static int parse_xattrs(struct parser *p, const char *field, uint32_t *ret)
{
	char *text;
	int r;

	if (streq(field, "-")) {
		*ret = 0;
		return 0;
	}
	if (sg_bl_xattr_check(field) < 0) {
		perr(p, "bad xattrs (want '-' or name=hex,... of the recorded names, in order)");
		return -EINVAL;
	}
	text = strdup(field);
	if (!text) {
		p->r = -ENOMEM;
		return -ENOMEM;
	}
	r = sg_bl_xattr_intern(p->b, text, ret);
	if (r < 0)
		p->r = r;
	return r;
}

/* The path of an entry record: covered, and after the previous entry of
 * any type; kept in the baseline's path pool (freed with it, never
 * alone). NULL when bad (reported) or out of memory (p->r). */
static char *parse_entry_path(struct parser *p, const char *field)
{
	_cleanup_free_ char *path = parse_path(p, field);
	char *kept;

	if (!path)
		return NULL;
	if (!sg_baseline_covers(p->b, path)) {
		perr(p, "path '%s' is outside the roots or excluded", field);
		return NULL;
	}
	if (!check_order(p, p->last_path, path, field))
		return NULL;
	kept = sg_strpool_dup(&p->b->paths, path);
	if (!kept)
		p->r = -ENOMEM;
	return kept;
}

/* Room for one more in *v (of *n, capacity *cap, elements of size). */
static int grow(void **v, size_t n, size_t *cap, size_t size)
{
	void *grown;
	size_t c;

	if (n < *cap)
		return 0;
	/* Geometric growth: 300k entries cost ~20 reallocs. */
	c = *cap ? *cap * 2 : 1024;
	grown = reallocarray(*v, c, size);
	if (!grown)
		return -ENOMEM;
	*v = grown;
	*cap = c;
	return 0;
}

static void parse_file(struct parser *p, char **f)
{
	struct sg_baseline *b = p->b;
	struct sg_bl_entry e = {};

	if (parse_sha256(f[1], e.sha256) < 0) {
		perr(p, "bad SHA-256 (want %d lower-case hex digits)",
		     SG_SHA256_HEX_LEN);
		return;
	}
	if (parse_num(p, f[2], UINT64_MAX, "size", &e.size) < 0 ||
	    parse_owner_mode(p, f + 3, &e.mode, &e.uid, &e.gid) < 0 ||
	    parse_xattrs(p, f[6], &e.xattrs) < 0)
		return;
	e.path = parse_entry_path(p, f[7]);
	if (!e.path)
		return;
	if (grow((void **)&b->entries, b->n, &p->cap, sizeof(e)) < 0) {
		p->r = -ENOMEM;
		return;
	}
	b->entries[b->n++] = e;
	p->last_path = e.path;
}

/* Append a node whose fields are set; its path is the last field. */
static void push_node(struct parser *p, struct sg_bl_node *n, const char *field)
{
	struct sg_baseline *b = p->b;

	n->path = parse_entry_path(p, field);
	if (!n->path)
		goto bad;
	if (grow((void **)&b->nodes, b->nnodes, &p->ncap, sizeof(*n)) < 0) {
		p->r = -ENOMEM;
		goto bad;
	}
	b->nodes[b->nnodes++] = *n;
	p->last_path = n->path;
	return;
bad:
	free(n->target); /* the path stays in the pool */
}

/* d and p: <mode> <uid> <gid> <xattrs> <path> */
static void parse_plain_node(struct parser *p, char **f)
{
	struct sg_bl_node n = { .type = f[0][0] };

	if (parse_owner_mode(p, f + 1, &n.mode, &n.uid, &n.gid) < 0 ||
	    parse_xattrs(p, f[4], &n.xattrs) < 0)
		return;
	push_node(p, &n, f[5]);
}

/* c and b: <mode> <uid> <gid> <major> <minor> <xattrs> <path> */
static void parse_device(struct parser *p, char **f)
{
	struct sg_bl_node n = { .type = f[0][0] };
	uint64_t maj, min;

	if (parse_owner_mode(p, f + 1, &n.mode, &n.uid, &n.gid) < 0 ||
	    parse_num(p, f[4], UINT32_MAX, "major", &maj) < 0 ||
	    parse_num(p, f[5], UINT32_MAX, "minor", &min) < 0 ||
	    parse_xattrs(p, f[6], &n.xattrs) < 0)
		return;
	n.rdev = makedev((unsigned)maj, (unsigned)min);
	push_node(p, &n, f[7]);
}

/* l: <uid> <gid> <xattrs> <target> <path> */
static void parse_symlink(struct parser *p, char **f)
{
	struct sg_bl_node n = { .type = SG_BL_SYMLINK, .mode = 0777 };
	uint64_t uid, gid;

	if (parse_num(p, f[1], UINT32_MAX, "uid", &uid) < 0 ||
	    parse_num(p, f[2], UINT32_MAX, "gid", &gid) < 0 ||
	    parse_xattrs(p, f[3], &n.xattrs) < 0)
		return;
	n.uid = (uint32_t)uid;
	n.gid = (uint32_t)gid;
	n.target = sg_path_unescape(f[4]);
	if (!n.target) {
		if (errno == ENOMEM)
			p->r = -ENOMEM;
		else
			perr(p, "bad target escape (only \\xhh for bytes outside 0x21..0x7e and '\\')");
		return;
	}
	if (strlen(n.target) >= PATH_MAX) {
		perr(p, "target longer than %d bytes", PATH_MAX - 1);
		free(n.target);
		return;
	}
	push_node(p, &n, f[5]);
}

static const struct record {
	const char *type;
	enum section section;
	size_t nfields;
	void (*parse)(struct parser *p, char **fields);
} records[] = {
	/* sorted by type */
	{ "b", SEC_ENTRY, 8, parse_device },
	{ "c", SEC_ENTRY, 8, parse_device },
	{ "d", SEC_ENTRY, 6, parse_plain_node },
	{ "exclude", SEC_EXCLUDE, 2, parse_exclude },
	{ "f", SEC_ENTRY, 8, parse_file },
	{ "l", SEC_ENTRY, 6, parse_symlink },
	{ "p", SEC_ENTRY, 6, parse_plain_node },
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
	return s == SEC_EXCLUDE ? "exclude" : s == SEC_ENTRY ? "entry" : "root";
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
		perr(p, "'%s' record after '%s' records (order: root, exclude, entries)",
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
		const char *version = line + strlen(prefix);

		/* Another version's records may parse here and mean something
		 * else: never read on, one message that says what to do. */
		perr(p, "baseline format %s, this sealguard reads only format %d: rebuild the baseline with 'sealguard baseline build' (and sign it again if it is signed)",
		     quotable(version) ? version : "?", SG_BASELINE_VERSION);
		if (p->r == 0)
			p->r = -EINVAL;
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
