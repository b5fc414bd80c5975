/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.c - the JSON writer (json.h): strings that are valid UTF-8 and
 * valid JSON whatever bytes they are made from, and a member-by-member
 * writer for documents.
 */
#include <inttypes.h>

#include "json.h"
#include "util.h"

static bool is_cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * RFC 3629's table of well-formed sequences: the lead byte fixes the
 * length and the range of the second byte (which rules out overlong
 * forms, surrogates and code points past U+10FFFF); later bytes are any
 * continuation byte. Returns the length of the sequence at s, or 0 and
 * in *bad the length of the "maximal subpart" that one U+FFFD stands
 * for (Unicode 15, section 3.9, as WHATWG and Python decode): a lead
 * byte and the continuation bytes that could still have followed it.
 */
static size_t utf8_scan(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	*bad = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0; /* 0x80..0xc1: continuation or overlong; 0xf5..: too big */
	if (c == 0xe0)
		lo = 0xa0; /* below: overlong */
	else if (c == 0xed)
		hi = 0x9f; /* above: UTF-16 surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* below: overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* above: past U+10FFFF */
	if (n < 2 || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (i >= n || !is_cont(s[i])) {
			*bad = i;
			return 0;
		}
	return len;
}

size_t sg_utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t bad;

	return utf8_scan(s, n, &bad);
}

bool sg_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	while (n) {
		size_t len = sg_utf8_seq_len(p, n);

		if (!len)
			return false;
		p += len;
		n -= len;
	}
	return true;
}

/*
 * The escape of the sequence at p (n bytes left) into out (7 bytes at
 * least); *consumed says how many input bytes it stands for. Returns the
 * escape's length.
 */
static size_t escape_one(const unsigned char *p, size_t n, char *out,
			 size_t *consumed)
{
	size_t bad, len = utf8_scan(p, n, &bad);

	*consumed = len ? len : bad;
	if (!len) {
		memcpy(out, "\\ufffd", 6);
		return 6;
	}
	if (*p == '"' || *p == '\\') {
		out[0] = '\\';
		out[1] = (char)*p;
		return 2;
	}
	if (*p < 0x20 || *p == 0x7f)
		return (size_t)snprintf(out, 7, "\\u%04x", *p);
	memcpy(out, p, len);
	return len;
}

size_t sg_json_escape(char *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), w = 0;

	while (n) {
		size_t used;

		w += escape_one(p, n, out + w, &used);
		p += used;
		n -= used;
	}
	out[w] = '\0';
	return w;
}

void sg_json_write_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);

	(void)putc('"', f);
	while (n) {
		char one[8];
		size_t used, len = escape_one(p, n, one, &used);

		(void)fwrite(one, 1, len, f);
		p += used;
		n -= used;
	}
	(void)putc('"', f);
}

/* ------------------------------------------------------------ documents */

void sg_json_start(struct sg_json *j, FILE *f)
{
	*j = (struct sg_json){ .f = f };
}

/* The comma before a member and its key, if it is in an object. */
static void member(struct sg_json *j, const char *key)
{
	if (j->depth && j->depth <= SG_JSON_DEPTH) {
		if (j->has_member[j->depth - 1])
			(void)putc(',', j->f);
		j->has_member[j->depth - 1] = true;
	}
	if (key) {
		sg_json_write_string(j->f, key);
		(void)putc(':', j->f);
	}
}

void sg_json_open(struct sg_json *j, const char *key, char bracket)
{
	member(j, key);
	(void)putc(bracket, j->f);
	j->depth++;
	if (j->depth <= SG_JSON_DEPTH)
		j->has_member[j->depth - 1] = false;
}

void sg_json_close(struct sg_json *j, char bracket)
{
	(void)putc(bracket, j->f);
	if (j->depth)
		j->depth--;
	if (!j->depth)
		(void)putc('\n', j->f);
}

void sg_json_str(struct sg_json *j, const char *key, const char *s)
{
	member(j, key);
	if (s)
		sg_json_write_string(j->f, s);
	else
		(void)fputs("null", j->f);
}

void sg_json_uint(struct sg_json *j, const char *key, uint64_t v)
{
	member(j, key);
	(void)fprintf(j->f, "%" PRIu64, v);
}

void sg_json_int(struct sg_json *j, const char *key, int64_t v)
{
	member(j, key);
	(void)fprintf(j->f, "%" PRId64, v);
}

void sg_json_bool(struct sg_json *j, const char *key, bool v)
{
	member(j, key);
	(void)fputs(v ? "true" : "false", j->f);
}

void sg_json_null(struct sg_json *j, const char *key)
{
	member(j, key);
	(void)fputs("null", j->f);
}
