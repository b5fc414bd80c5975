/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * responder_wire.c - the messages between the daemon and the responder
 * (see responder_wire.h), built and read the same way on both sides, and the
 * JSON document a hook reads on its stdin.
 */
#include "hash.h"
#include "json.h"
#include "respond/responder_wire.h"
#include "util.h"

void sg_resp_buf_init(struct sg_resp_buf *b, const struct sg_resp_msg *m)
{
	memcpy(b->buf, m, sizeof(*m));
	b->len = sizeof(*m);
}

void sg_resp_buf_add(struct sg_resp_buf *b, const char *s)
{
	size_t room = sizeof(b->buf) - b->len;
	size_t n = strnlen(s, room ? room - 1 : 0);

	if (!room)
		return;
	memcpy(b->buf + b->len, s, n);
	b->buf[b->len + n] = '\0';
	b->len += n + 1;
}

const char *sg_resp_string(const void *msg, size_t len, unsigned i)
{
	const char *s = (const char *)msg + sizeof(struct sg_resp_msg);
	const char *end = (const char *)msg + len;

	if (len < sizeof(struct sg_resp_msg))
		return NULL;
	for (; s < end; i--) {
		const char *nul = memchr(s, '\0', (size_t)(end - s));

		if (!nul)
			return NULL; /* not terminated: not a string */
		if (i == 0)
			return s;
		s = nul + 1;
	}
	return NULL;
}

/* --------------------------------------------------------------- JSON */

/* "SEALGUARD_EXE=..." -> "exe": the key without its prefix, lower case. */
static void json_name(const char *key, const char *eq, char *name,
		      size_t size)
{
	size_t k = 0;

	if (strncmp(key, "SEALGUARD_", 10) == 0)
		key += 10;
	for (; key < eq && k < size - 1; key++)
		name[k++] = (char)(*key >= 'A' && *key <= 'Z' ?
					   *key - 'A' + 'a' : *key);
	name[k] = '\0';
}

/* ,"name":"value", and ,"name_hex":"HEX" when value is not UTF-8 (its
 * string then holds U+FFFD for the bytes a parser could not take). */
static size_t json_member(char *out, bool first, const char *name,
			  const char *value)
{
	size_t len = (size_t)sprintf(out, "%s\"", first ? "" : ",");

	len += sg_json_escape(out + len, name);
	len += (size_t)sprintf(out + len, "\":\"");
	len += sg_json_escape(out + len, value);
	out[len++] = '"';
	if (sg_utf8_valid(value))
		return len;
	len += (size_t)sprintf(out + len, ",\"");
	len += sg_json_escape(out + len, name);
	len += (size_t)sprintf(out + len, "_hex\":\"");
	sg_hex_encode((const unsigned char *)value, strlen(value), out + len);
	len += 2 * strlen(value);
	out[len++] = '"';
	return len;
}

char *sg_resp_json(const char *const *env, size_t n)
{
	size_t size = 3, len = 0;
	char *out;

	/* each string: its name twice (the _hex member), its value escaped
	 * and in hex, and the punctuation */
	for (size_t i = 0; i < n; i++)
		size += 2 * SG_JSON_ESCAPED_MAX(strlen(env[i])) +
			2 * strlen(env[i]) + 16;
	out = malloc(size);
	if (!out)
		return NULL;
	out[len++] = '{';
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '=');
		char name[128];

		if (!eq)
			continue;
		json_name(env[i], eq, name, sizeof(name));
		len += json_member(out + len, len == 1, name, eq + 1);
	}
	out[len++] = '}';
	out[len] = '\0';
	return out;
}
