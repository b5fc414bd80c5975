/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.h - the one JSON writer: the hook's stdin (the responder), and the
 * CLI's --json (status, check, fleet). Output is always valid JSON
 * (RFC 8259) whatever the bytes given: a path is whatever bytes a file
 * was named with, and a hook's parser must not choke on it.
 *
 * Strings: well-formed UTF-8 (RFC 3629) is copied; '"', '\\', control
 * characters and DEL are escaped; bytes that are not well-formed become
 * U+FFFD ("\ufffd"), one for each "maximal subpart" as Unicode (3.9),
 * WHATWG and Python's decoder count them, so a string reads the same as
 * `bytes.decode("utf-8", "replace")`. That replacement loses bytes, so
 * whoever needs the exact name also gets it in hex (sg_utf8_valid() says
 * when: the responder adds "<key>_hex").
 *
 * No allocation, no system call but the stdio writes: it runs in the
 * responder as it is.
 */
#ifndef SEALGUARD_JSON_H
#define SEALGUARD_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * The length (1..4) of the well-formed UTF-8 sequence at the start of
 * the n bytes at s, or 0 when they do not start one (a stray
 * continuation byte, an overlong form, a surrogate, past U+10FFFF, cut
 * short). n must be at least 1.
 */
size_t sg_utf8_seq_len(const unsigned char *s, size_t n);

/* Is the NUL-terminated s well-formed UTF-8 throughout? */
bool sg_utf8_valid(const char *s);

/* The longest escape of n bytes ("\u00XX" or "\ufffd" each) and a NUL. */
#define SG_JSON_ESCAPED_MAX(n) (6 * (size_t)(n) + 1)

/*
 * The inside of a JSON string for s (no quotes) into out, which has room
 * for SG_JSON_ESCAPED_MAX(strlen(s)). NUL-terminated; returns its
 * length.
 */
size_t sg_json_escape(char *out, const char *s);

/* s as a JSON string, quotes included, on f. */
void sg_json_write_string(FILE *f, const char *s);

/*
 * A document written member by member on a stream, nested up to
 * SG_JSON_DEPTH objects and arrays. `key` names a member inside an
 * object and is NULL inside an array (and for the outermost value).
 * Commas are the writer's business:
 *
 *	struct sg_json j;
 *	sg_json_start(&j, stdout);
 *	sg_json_open(&j, NULL, '{');
 *	sg_json_str(&j, "state", "running");
 *	sg_json_uint(&j, "pid", 42);
 *	sg_json_close(&j, '}');        -> {"state":"running","pid":42}
 *
 * Deeper than SG_JSON_DEPTH is a bug of the caller: the extra levels are
 * written without commas (the output stays readable in a test failure).
 */
#define SG_JSON_DEPTH 8
struct sg_json {
	FILE *f;
	unsigned depth;
	bool has_member[SG_JSON_DEPTH];
};

void sg_json_start(struct sg_json *j, FILE *f);
/* Open an object ('{') or an array ('['). */
void sg_json_open(struct sg_json *j, const char *key, char bracket);
/* Close it ('}' or ']'); after the outermost, a newline. */
void sg_json_close(struct sg_json *j, char bracket);
/* A string member; s NULL writes null. */
void sg_json_str(struct sg_json *j, const char *key, const char *s);
void sg_json_uint(struct sg_json *j, const char *key, uint64_t v);
void sg_json_int(struct sg_json *j, const char *key, int64_t v);
void sg_json_bool(struct sg_json *j, const char *key, bool v);
void sg_json_null(struct sg_json *j, const char *key);

#endif
