/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * listen_known.c - the listeners judged earlier, by socket cookie: the
 * scan (listen.c) merges each dump with them, judging (listen_act.c)
 * adds to them. Kept sorted by cookie between scans.
 */
#include <stdlib.h>

#include "listen/listen_int.h"

static int known_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct sg_listen_known *)a)->cookie;
	uint64_t y = ((const struct sg_listen_known *)b)->cookie;

	return x < y ? -1 : x > y;
}

int sg_listen_remember(struct sg_listen *l, uint64_t cookie,
		       enum sg_known_state state, uint64_t until_ms,
		       struct sg_lcase *pending)
{
	if (l->nknown == l->known_cap) {
		size_t cap = l->known_cap ? l->known_cap * 2 : 64;
		struct sg_listen_known *v = reallocarray(l->known, cap,
							 sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->known = v;
		l->known_cap = cap;
	}
	l->known[l->nknown++] = (struct sg_listen_known){ cookie, state,
							  until_ms, pending };
	return 0;
}

void sg_listen_known_sort(struct sg_listen *l)
{
	qsort(l->known, l->nknown, sizeof(*l->known), known_cmp);
}
