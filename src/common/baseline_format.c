/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline_format.c - the baseline file format's encoding: path escaping
 * both ways, and the writer (to a stream, or atomically to a file).
 *
 * The writer produces the only text the reader accepts (lower-case hex,
 * decimal numbers without leading zeros, a four-digit mode, escapes only
 * where needed), so a baseline has exactly one valid encoding and a
 * signature over its bytes means one thing.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "baseline.h"
#include "baseline_int.h"
#include "pathrule.h"
#include "util.h"

/* ---- path escaping ---- */

/* The escape of byte c, "\xhh", into o (4 bytes, no NUL). */
static void escape_byte(unsigned char c, char o[4])
{
	static const char digits[] = "0123456789abcdef";

	o[0] = '\\';
	o[1] = 'x';
	o[2] = digits[c >> 4];
	o[3] = digits[c & 0xf];
}

char *sg_path_escape(const char *path)
{
	size_t len = 0;
	char *out, *o;

	for (const char *s = path; *s; s++)
		len += sg_bl_byte_needs_escape((unsigned char)*s) ? 4 : 1;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	o = out;
	for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
		if (!sg_bl_byte_needs_escape(*s)) {
			*o++ = (char)*s;
			continue;
		}
		escape_byte(*s, o);
		o += 4;
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
	if (c == 0 || !sg_bl_byte_needs_escape((unsigned char)c))
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
		} else if (sg_bl_byte_needs_escape((unsigned char)c)) {
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

/* ---- writer ---- */

/* Every one of the n paths normalised, and sorted without repeats. */
static bool sorted_normalised(char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!sg_path_is_normalised(v[i]) ||
		    (i && strcmp(v[i - 1], v[i]) >= 0))
			return false;
	return true;
}

static bool valid_xattrs(const struct sg_baseline *b, uint32_t x)
{
	return x <= b->nxattrs && (!x || sg_bl_xattr_check(b->xattrs[x - 1]) == 0);
}

static bool valid_node(const struct sg_baseline *b, const struct sg_bl_node *n)
{
	switch (n->type) {
	case SG_BL_SYMLINK:
		if (!n->target || !*n->target)
			return false;
		break;
	case SG_BL_DIR:
	case SG_BL_CHR:
	case SG_BL_BLK:
	case SG_BL_FIFO:
		break;
	default:
		return false;
	}
	return sg_path_is_normalised(n->path) && n->mode <= 07777 &&
	       valid_xattrs(b, n->xattrs);
}

/* What the reader would refuse must not be written. */
static bool writable_baseline(const struct sg_baseline *b)
{
	if (!sorted_normalised(b->roots, b->nroots) ||
	    !sorted_normalised(b->excludes, b->nexcludes))
		return false;
	for (size_t i = 0; i < b->n; i++)
		if (!sg_path_is_normalised(b->entries[i].path) ||
		    b->entries[i].mode > 07777 ||
		    !valid_xattrs(b, b->entries[i].xattrs) ||
		    (i && strcmp(b->entries[i - 1].path,
				 b->entries[i].path) >= 0))
			return false;
	for (size_t i = 0; i < b->nnodes; i++)
		if (!valid_node(b, &b->nodes[i]) ||
		    (i && strcmp(b->nodes[i - 1].path, b->nodes[i].path) >= 0) ||
		    sg_baseline_find(b, b->nodes[i].path))
			return false; /* the same path in both tables */
	return b->nroots > 0;
}

static void put_escaped(FILE *out, const char *s)
{
	char esc[4];

	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (!sg_bl_byte_needs_escape(*c)) {
			putc_unlocked(*c, out);
			continue;
		}
		escape_byte(*c, esc);
		fwrite_unlocked(esc, 1, sizeof(esc), out);
	}
}

static void put_pathline(FILE *out, const char *type, const char *path)
{
	fputs_unlocked(type, out);
	putc_unlocked(' ', out);
	put_escaped(out, path);
	putc_unlocked('\n', out);
}

/* " <xattrs> ": "-" for none. */
static void put_xattrs(FILE *out, const struct sg_baseline *b, uint32_t x)
{
	const char *text = sg_bl_xattrs(b, x);

	putc_unlocked(' ', out);
	fputs_unlocked(*text ? text : "-", out);
	putc_unlocked(' ', out);
}

static void put_entry(FILE *out, const struct sg_baseline *b,
		      const struct sg_bl_entry *e)
{
	char hex[SG_SHA256_HEX_LEN + 1];

	sg_hex_encode(e->sha256, SG_SHA256_LEN, hex);
	fprintf(out, "f %s %" PRIu64 " %04o %" PRIu32 " %" PRIu32, hex,
		e->size, (unsigned)e->mode, e->uid, e->gid);
	put_xattrs(out, b, e->xattrs);
	put_escaped(out, e->path);
	putc_unlocked('\n', out);
}

static void put_node(FILE *out, const struct sg_baseline *b,
		     const struct sg_bl_node *n)
{
	putc_unlocked(n->type, out);
	if (n->type == SG_BL_SYMLINK) {
		fprintf(out, " %" PRIu32 " %" PRIu32, n->uid, n->gid);
		put_xattrs(out, b, n->xattrs);
		put_escaped(out, n->target);
		putc_unlocked(' ', out);
	} else {
		fprintf(out, " %04o %" PRIu32 " %" PRIu32, (unsigned)n->mode,
			n->uid, n->gid);
		if (n->type == SG_BL_CHR || n->type == SG_BL_BLK)
			fprintf(out, " %u %u", major(n->rdev), minor(n->rdev));
		put_xattrs(out, b, n->xattrs);
	}
	put_escaped(out, n->path);
	putc_unlocked('\n', out);
}

/* Both tables as one sequence in path order. */
static void put_entries(FILE *out, const struct sg_baseline *b)
{
	size_t i = 0, k = 0;

	while (i < b->n || k < b->nnodes) {
		if (k == b->nnodes ||
		    (i < b->n && strcmp(b->entries[i].path,
					b->nodes[k].path) < 0))
			put_entry(out, b, &b->entries[i++]);
		else
			put_node(out, b, &b->nodes[k++]);
	}
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
	put_entries(out, b);
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
