/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <stdarg.h>

#include "errlist.h"

int errlist_add(struct errlist *l, const char *fmt, ...)
{
	char **grown, *msg;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	grown = realloc(l->msgs, (l->n + 1) * sizeof(*grown));
	if (!grown) {
		free(msg);
		return -ENOMEM;
	}
	grown[l->n++] = msg;
	l->msgs = grown;
	return 0;
}

void errlist_print(const struct errlist *l, FILE *out, const char *prefix)
{
	for (size_t i = 0; i < l->n; i++)
		fprintf(out, "%s%s%s\n", prefix ? prefix : "",
			prefix ? ": " : "", l->msgs[i]);
}

void errlist_free(struct errlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->msgs[i]);
	free(l->msgs);
	l->msgs = NULL;
	l->n = 0;
}

void errlist_explain(struct errlist *l, int r, const char *what)
{
	if (r < 0 && l->n == 0)
		(void)errlist_add(l, "%s: %s", what, strerror(-r));
}
