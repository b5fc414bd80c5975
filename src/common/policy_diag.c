/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_diag.c - the problems a policy has, collected with their line
 * while reading and checking, then sorted by line and handed to the
 * caller's errlist (see policy_int.h).
 */
#include <stdarg.h>

#include "policy_int.h"

/*
 * A copy of msg with control characters as \xHH: values come from the
 * file, and a message must not carry terminal escapes to whoever reads it.
 */
static char *escape(const char *msg)
{
	char *out = malloc(4 * strlen(msg) + 1), *o = out;

	if (!out)
		return NULL;
	for (const unsigned char *s = (const unsigned char *)msg; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			o += sprintf(o, "\\x%02x", *s);
		else
			*o++ = (char)*s;
	*o = '\0';
	return out;
}

void policy_diag(struct policy_parser *ps, unsigned line, const char *fmt,
		 ...)
{
	_cleanup_free_ char *raw = NULL;
	struct policy_diag *grown;
	va_list ap;
	char *msg;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&raw, fmt, ap);
	va_end(ap);
	msg = r < 0 ? NULL : escape(raw);
	grown = msg ? reallocarray(ps->diags, ps->ndiags + 1, sizeof(*grown))
		    : NULL;
	if (!grown) {
		free(msg);
		ps->error = -ENOMEM;
		return;
	}
	grown[ps->ndiags] = (struct policy_diag){ line, ps->ndiags, msg };
	ps->diags = grown;
	ps->ndiags++;
}

static int diag_cmp(const void *a, const void *b)
{
	const struct policy_diag *x = a, *y = b;

	if (x->line != y->line) /* file-wide messages (line 0) last */
		return x->line && (!y->line || x->line < y->line) ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int policy_diags_flush(struct policy_parser *ps, struct errlist *errs)
{
	int r = 0;

	if (ps->ndiags)
		qsort(ps->diags, ps->ndiags, sizeof(*ps->diags), diag_cmp);
	for (size_t i = 0; i < ps->ndiags && !r; i++)
		if (ps->diags[i].line)
			r = errlist_add(errs, "%s:%u: %s", ps->name,
					ps->diags[i].line, ps->diags[i].msg);
		else
			r = errlist_add(errs, "%s: %s", ps->name,
					ps->diags[i].msg);
	return r;
}

void policy_diags_free(struct policy_parser *ps)
{
	for (size_t i = 0; i < ps->ndiags; i++)
		free(ps->diags[i].msg);
	free(ps->diags);
}
