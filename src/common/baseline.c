/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline.c - the baseline file format (reader and atomic writer), the
 * look-ups the daemon makes on it, and the drift comparison.
 *
 * The reader accepts only the canonical text the writer produces (lower-case
 * hex, decimal numbers without leading zeros, a four-digit mode, escapes
 * only where needed), so a baseline has exactly one valid encoding and a
 * signature over its bytes means one thing.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "baseline.h"
#include "pathrule.h"
#include "trustfile.h"
#include "util.h"

/* Stop collecting after this many problems: the rest is noise. */
#define SG_BL_MAX_ERRORS 100
#define SG_BL_FIELDS_MAX 7

/* ---- path escaping ---- */

static bool byte_needs_escape(unsigned char c)
{
	return c < 0x21 || c > 0x7e || c == '\\';
}

char *sg_path_escape(const char *path)
{
	static const char digits[] = "0123456789abcdef";
	size_t len = 0;
	char *out, *o;

	for (const char *s = path; *s; s++)
		len += byte_needs_escape((unsigned char)*s) ? 4 : 1;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	o = out;
	for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
		if (!byte_needs_escape(*s)) {
			*o++ = (char)*s;
			continue;
		}
		*o++ = '\\';
		*o++ = 'x';
		*o++ = digits[*s >> 4];
		*o++ = digits[*s & 0xf];
	}
	*o = '\0';
	return out;
}

static int lower_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode one canonical "\xhh" at s; returns the byte, or -1. */
static int unescape_one(const char *s)
{
	int hi, lo, c;

	if (s[1] != 'x')
		return -1;
	hi = lower_hex_digit(s[2]);
	lo = hi < 0 ? -1 : lower_hex_digit(s[3]);
	if (lo < 0)
		return -1;
	c = hi << 4 | lo;
	/* Escaping a byte that needs none would give a second encoding. */
	if (c == 0 || !byte_needs_escape((unsigned char)c))
		return -1;
	return c;
}

char *sg_path_unescape(const char *escaped)
{
	size_t len = strlen(escaped);
	char *out, *o;

	out = malloc(len + 1);
	if (!out)
		return NULL;
	o = out;
	for (const char *s = escaped; *s; s++) {
		int c = (unsigned char)*s;

		if (c == '\\') {
			c = unescape_one(s);
			if (c >= 0)
				s += 3;
		} else if (byte_needs_escape((unsigned char)c)) {
			c = -1;
		}
		if (c < 0) {
			free(out);
			errno = EINVAL;
			return NULL;
		}
		*o++ = (char)c;
	}
	*o = '\0';
	return out;
}


/* ---- look-ups ---- */

static int entry_cmp_path(const void *key, const void *elem)
{
	const struct sg_bl_entry *e = elem;

	return strcmp(key, e->path);
}

const struct sg_bl_entry *sg_baseline_find(const struct sg_baseline *b,
					   const char *path)
{
	if (!b->entries)
		return NULL;
	return bsearch(path, b->entries, b->n, sizeof(*b->entries),
		       entry_cmp_path);
}

/* Sort key of the hash index: the first 8 hash bytes, compared as a number. */
struct hash_key {
	uint64_t prefix;
	size_t idx;
};

static uint64_t hash_prefix(const unsigned char *h)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return v;
}

static int hash_key_cmp(const void *a, const void *b, void *userdata)
{
	const struct hash_key *x = a, *y = b;
	const struct sg_bl_entry *e = userdata;
	int c;

	/* Full compare (and index tie-break) only on a prefix collision. */
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	c = memcmp(e[x->idx].sha256, e[y->idx].sha256, SG_SHA256_LEN);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int sg_baseline_index(struct sg_baseline *b)
{
	_cleanup_free_ struct hash_key *keys = NULL;
	size_t *idx = NULL;

	if (b->n > 0) {
		/* Compact keys keep the sort out of the big entries array. */
		keys = malloc(b->n * sizeof(*keys));
		idx = malloc(b->n * sizeof(*idx));
		if (!keys || !idx) {
			free(idx);
			return -ENOMEM;
		}
		for (size_t i = 0; i < b->n; i++)
			keys[i] = (struct hash_key){
				hash_prefix(b->entries[i].sha256), i };
		qsort_r(keys, b->n, sizeof(*keys), hash_key_cmp, b->entries);
		for (size_t i = 0; i < b->n; i++)
			idx[i] = keys[i].idx;
	}
	free(b->by_hash);
	b->by_hash = idx;
	return 0;
}

bool sg_baseline_has_hash(const struct sg_baseline *b,
			  const unsigned char sha256[SG_SHA256_LEN])
{
	size_t lo = 0, hi = b->n;

	if (!b->by_hash) {
		/* Hand-made baseline without an index: still answer. */
		for (size_t i = 0; i < b->n; i++)
			if (!memcmp(b->entries[i].sha256, sha256,
				    SG_SHA256_LEN))
				return true;
		return false;
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(b->entries[b->by_hash[mid]].sha256, sha256,
			       SG_SHA256_LEN);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

bool sg_baseline_covers(const struct sg_baseline *b, const char *path)
{
	return sg_path_under_any(path, b->roots, b->nroots) &&
	       !sg_path_under_any(path, b->excludes, b->nexcludes);
}

/* ---- drift ---- */

static unsigned entry_drift(const struct sg_bl_entry *a,
			    const struct sg_bl_entry *b)
{
	unsigned what = 0;

	if (memcmp(a->sha256, b->sha256, SG_SHA256_LEN))
		what |= SG_DRIFT_HASH;
	if (a->size != b->size)
		what |= SG_DRIFT_SIZE;
	if (a->mode != b->mode)
		what |= SG_DRIFT_MODE;
	if (a->uid != b->uid)
		what |= SG_DRIFT_UID;
	if (a->gid != b->gid)
		what |= SG_DRIFT_GID;
	return what;
}

size_t sg_baseline_diff(const struct sg_baseline *want,
			const struct sg_baseline *have, sg_drift_cb cb,
			void *userdata)
{
	size_t i = 0, j = 0, drifted = 0;

	while (i < want->n || j < have->n) {
		const struct sg_bl_entry *w, *h;
		int c;

		w = i < want->n ? &want->entries[i] : NULL;
		h = j < have->n ? &have->entries[j] : NULL;
		c = !w ? 1 : !h ? -1 : strcmp(w->path, h->path);
		unsigned what;

		if (c < 0) {
			cb(SG_DRIFT_REMOVED, 0, w, NULL, userdata);
			i++, drifted++;
			continue;
		}
		if (c > 0) {
			cb(SG_DRIFT_ADDED, 0, NULL, h, userdata);
			j++, drifted++;
			continue;
		}
		what = entry_drift(w, h);
		if (what) {
			cb(SG_DRIFT_CHANGED, what, w, h, userdata);
			drifted++;
		}
		i++, j++;
	}
	return drifted;
}

/* ---- freeing ---- */

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void sg_baseline_free(struct sg_baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		free(b->entries[i].path);
	free(b->entries);
	free_strv(b->roots, b->nroots);
	free_strv(b->excludes, b->nexcludes);
	free(b->by_hash);
	free(b);
}

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

static void parse_root(struct parser *p, char **f)
{
	struct sg_baseline *b = p->b;
	char *path = parse_path(p, f[1]);

	if (!path)
		return;
	if (!check_order(p, b->nroots ? b->roots[b->nroots - 1] : NULL, path,
			 f[1]))
		goto bad;
	for (size_t i = 0; i < b->nroots; i++)
		if (path_is_under(path, b->roots[i])) {
			perr(p, "root '%s' lies under an earlier root", f[1]);
			goto bad;
		}
	if (strv_push(&b->roots, &b->nroots, path) < 0) {
		p->r = -ENOMEM;
		goto bad;
	}
	return;
bad:
	free(path);
}

static void parse_exclude(struct parser *p, char **f)
{
	struct sg_baseline *b = p->b;
	char *path = parse_path(p, f[1]);

	if (!path)
		return;
	if (!check_order(p, b->nexcludes ? b->excludes[b->nexcludes - 1] : NULL,
			 path, f[1]))
		goto bad;
	if (!sg_path_under_any(path, b->roots, b->nroots)) {
		perr(p, "exclude '%s' lies under no root", f[1]);
		goto bad;
	}
	if (strv_push(&b->excludes, &b->nexcludes, path) < 0) {
		p->r = -ENOMEM;
		goto bad;
	}
	return;
bad:
	free(path);
}

static int parse_file_fields(struct parser *p, char **f, struct sg_bl_entry *e)
{
	uint64_t v;

	if (parse_sha256(f[1], e->sha256) < 0) {
		perr(p, "bad SHA-256 (want %d lower-case hex digits)",
		     SG_SHA256_HEX_LEN);
		return -EINVAL;
	}
	if (parse_dec(f[2], UINT64_MAX, &e->size) < 0) {
		perr(p, "bad size (want a decimal number)");
		return -EINVAL;
	}
	if (parse_mode(f[3], &e->mode) < 0) {
		perr(p, "bad mode (want four octal digits)");
		return -EINVAL;
	}
	if (parse_dec(f[4], UINT32_MAX, &v) < 0) {
		perr(p, "bad uid (want a decimal number)");
		return -EINVAL;
	}
	e->uid = (uint32_t)v;
	if (parse_dec(f[5], UINT32_MAX, &v) < 0) {
		perr(p, "bad gid (want a decimal number)");
		return -EINVAL;
	}
	e->gid = (uint32_t)v;
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
		if (byte_needs_escape((unsigned char)*s) || n >= 32)
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
	int r;

	/* A plain open or read error is the caller's to word (with a hint). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = sg_check_trusted_file(fd, path, errs);
	if (r < 0)
		return r;
	(void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	f = fdopen(fd, "re");
	if (!f)
		return -errno;
	TAKE_FD(fd);
	return sg_baseline_load_stream(f, path, ret, errs);
}

/* ---- writer ---- */

/* What the reader would refuse must not be written. */
static bool writable_baseline(const struct sg_baseline *b)
{
	for (size_t i = 0; i < b->nroots; i++)
		if (!sg_path_is_normalised(b->roots[i]) ||
		    (i && strcmp(b->roots[i - 1], b->roots[i]) >= 0))
			return false;
	for (size_t i = 0; i < b->nexcludes; i++)
		if (!sg_path_is_normalised(b->excludes[i]) ||
		    (i && strcmp(b->excludes[i - 1], b->excludes[i]) >= 0))
			return false;
	for (size_t i = 0; i < b->n; i++)
		if (!sg_path_is_normalised(b->entries[i].path) ||
		    b->entries[i].mode > 07777 ||
		    (i && strcmp(b->entries[i - 1].path,
				 b->entries[i].path) >= 0))
			return false;
	return b->nroots > 0;
}

static void put_escaped(FILE *out, const char *s)
{
	static const char digits[] = "0123456789abcdef";

	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (!byte_needs_escape(*c)) {
			putc_unlocked(*c, out);
			continue;
		}
		putc_unlocked('\\', out);
		putc_unlocked('x', out);
		putc_unlocked(digits[*c >> 4], out);
		putc_unlocked(digits[*c & 0xf], out);
	}
}

static void put_pathline(FILE *out, const char *type, const char *path)
{
	fputs_unlocked(type, out);
	putc_unlocked(' ', out);
	put_escaped(out, path);
	putc_unlocked('\n', out);
}

static void put_entry(FILE *out, const struct sg_bl_entry *e)
{
	char hex[SG_SHA256_HEX_LEN + 1];

	sg_hex_encode(e->sha256, SG_SHA256_LEN, hex);
	fprintf(out, "f %s %" PRIu64 " %04o %" PRIu32 " %" PRIu32 " ", hex,
		e->size, (unsigned)e->mode, e->uid, e->gid);
	put_escaped(out, e->path);
	putc_unlocked('\n', out);
}

int sg_baseline_write_stream(const struct sg_baseline *b, FILE *out)
{
	if (!writable_baseline(b))
		return -EINVAL;
	flockfile(out);
	fputs_unlocked(SG_BASELINE_MAGIC "\n", out);
	for (size_t i = 0; i < b->nroots; i++)
		put_pathline(out, "root", b->roots[i]);
	for (size_t i = 0; i < b->nexcludes; i++)
		put_pathline(out, "exclude", b->excludes[i]);
	for (size_t i = 0; i < b->n; i++)
		put_entry(out, &b->entries[i]);
	funlockfile(out);
	if (fflush(out) != 0 || ferror(out))
		return errno ? -errno : -EIO;
	return 0;
}

/* Create ".<base>.<random>" in dfd with O_EXCL. Returns an fd or -errno. */
static int create_temp(int dfd, const char *base, char *tmp, size_t size)
{
	for (int tries = 0; tries < 100; tries++) {
		uint32_t rnd;
		int fd;

		/* O_EXCL makes a guessable name safe, just slower to find. */
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd = (uint32_t)getpid() ^ (uint32_t)tries << 20;
		if (snprintf(tmp, size, ".%s.%08" PRIx32, base, rnd) >=
		    (int)size)
			return -ENAMETOOLONG;
		fd = openat(dfd, tmp,
			    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				    O_CLOEXEC | O_NOCTTY,
			    0600);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

/* Write, flush and fsync b into the open temp file fd (consumed). */
static int write_temp(const struct sg_baseline *b, int fd)
{
	FILE *f;
	int r;

	/* mode 0600 whatever the umask was */
	if (fchmod(fd, 0600) < 0) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	f = fdopen(fd, "we");
	if (!f) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	(void)setvbuf(f, NULL, _IOFBF, 1 << 16);
	r = sg_baseline_write_stream(b, f);
	if (r == 0 && fsync(fileno(f)) < 0)
		r = -errno;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	return r;
}

/* Split path into its directory (a new string) and its last component. */
static int split_path(const char *path, char **ret_dir, const char **ret_base)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (slash && !slash[1])
		return -EINVAL;
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -ENOMEM;
	*ret_dir = dir;
	*ret_base = slash ? slash + 1 : path;
	return 0;
}

int sg_baseline_write(const struct sg_baseline *b, const char *path)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_close_ int dfd = -1;
	char tmp[NAME_MAX + 1];
	const char *base;
	int fd, r;

	if (!writable_baseline(b))
		return -EINVAL;
	r = split_path(path, &dir, &base);
	if (r < 0)
		return r;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	fd = create_temp(dfd, base, tmp, sizeof(tmp));
	if (fd < 0)
		return fd;
	r = write_temp(b, fd);
	if (r == 0 && renameat(dfd, tmp, dfd, base) < 0)
		r = -errno;
	if (r < 0) {
		(void)unlinkat(dfd, tmp, 0);
		return r;
	}
	/* The rename itself must survive a crash too. */
	if (fsync(dfd) < 0)
		return -errno;
	return 0;
}

const char *sg_drift_name(unsigned bit)
{
	switch (bit) {
	case SG_DRIFT_HASH:
		return "hash";
	case SG_DRIFT_SIZE:
		return "size";
	case SG_DRIFT_MODE:
		return "mode";
	case SG_DRIFT_UID:
		return "uid";
	case SG_DRIFT_GID:
		return "gid";
	default:
		return NULL;
	}
}
