/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * responder_wire.c - the messages between the daemon and the responder
 * (see responder_wire.h), built and read the same way on both sides, and the
 * JSON document a hook reads on its stdin.
 */
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

static size_t json_escape(char *out, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			n += (size_t)sprintf(out + n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	return n;
}

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

char *sg_resp_json(const char *const *env, size_t n)
{
	size_t size = 3, len = 0;
	char *out;

	for (size_t i = 0; i < n; i++)
		size += 6 * strlen(env[i]) + 8;
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
		len += (size_t)sprintf(out + len, "%s\"", len > 1 ? "," : "");
		len += json_escape(out + len, name);
		len += (size_t)sprintf(out + len, "\":\"");
		len += json_escape(out + len, eq + 1);
		out[len++] = '"';
	}
	out[len++] = '}';
	out[len] = '\0';
	return out;
}
