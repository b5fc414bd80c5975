/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_path.c - the paths a policy holds: which are acceptable, and the
 * lists they are kept in (see policy.h, policy_int.h). Below both the
 * reader and policy_listen.c, which checks the executable of an allow.
 */
#include "pathrule.h"
#include "policy_int.h"

/*
 * Why v is not an acceptable policy path, or NULL. Whitespace is refused
 * because "path = /usr /etc" or "path = /usr # note" would otherwise
 * protect a path that does not exist, silently.
 */
const char *sg_policy_path_problem(const char *v)
{
	if (v[0] != '/')
		return "must be an absolute path";
	for (const char *s = v; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return "must not contain control characters";
	if (strchr(v, ' '))
		return "must not contain spaces (one path per line)";
	return sg_path_form_problem(v);
}

/* Room for one more entry: the arrays double when n reaches a power of
 * two, so that a list of many thousand lines is not copied at each. */
static int pathlist_reserve(struct sg_pathlist *l)
{
	size_t want = l->n ? 2 * l->n : 1;
	unsigned *lines;
	char **paths;

	if (l->n & (l->n - 1) && l->n) /* not a power of two: room left */
		return 0;
	paths = reallocarray(l->paths, want, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	l->paths = paths;
	lines = reallocarray(l->lines, want, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	l->lines = lines;
	return 0;
}

int policy_pathlist_add(struct sg_pathlist *l, const char *path,
			unsigned line)
{
	_cleanup_free_ char *copy = strdup(path);

	if (!copy || pathlist_reserve(l) < 0)
		return -ENOMEM;
	l->paths[l->n] = TAKE_PTR(copy);
	l->lines[l->n++] = line;
	return 0;
}

void policy_pathlist_free(struct sg_pathlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	free(l->lines);
}

struct path_line {
	char *path;
	unsigned line;
};

static int path_line_cmp(const void *a, const void *b)
{
	const struct path_line *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	return (x->line > y->line) - (x->line < y->line);
}

/*
 * By path, then by line: equal paths end up next to each other, the
 * earliest first. A policy may hold tens of thousands of lines, so this
 * is a qsort (paths and lines move together through a scratch array).
 */
int policy_pathlist_sort(struct sg_pathlist *l)
{
	_cleanup_free_ struct path_line *v = NULL;

	if (l->n < 2)
		return 0;
	v = calloc(l->n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++)
		v[i] = (struct path_line){ l->paths[i], l->lines[i] };
	qsort(v, l->n, sizeof(*v), path_line_cmp);
	for (size_t i = 0; i < l->n; i++) {
		l->paths[i] = v[i].path;
		l->lines[i] = v[i].line;
	}
	return 0;
}

/* strcmp of the first len bytes of key (a whole string) against s. */
static int prefix_cmp(const char *key, size_t len, const char *s)
{
	int c = strncmp(key, s, len);

	if (c)
		return c;
	return s[len] ? -1 : 0;
}

/* The first entry not sorting before key[0..len): lower bound. */
static size_t lower_bound(const struct sg_pathlist *l, const char *key,
			  size_t len)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (prefix_cmp(key, len, l->paths[mid]) > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

size_t policy_pathlist_find(const struct sg_pathlist *l, const char *path,
			    size_t len)
{
	size_t i = lower_bound(l, path, len);

	return i < l->n && prefix_cmp(path, len, l->paths[i]) == 0 ? i :
								     l->n;
}

size_t policy_path_next_ancestor(const char *path, size_t len)
{
	const char *slash;

	if (len == 0)
		return path[1] ? 1 : 0; /* "/" itself, unless path is "/" */
	slash = strchr(path + len + (len > 1), '/');
	return slash ? (size_t)(slash - path) : 0;
}

bool policy_pathlist_covers(const struct sg_pathlist *l, const char *path)
{
	size_t len = 0;

	if (policy_pathlist_find(l, path, strlen(path)) < l->n)
		return true;
	while ((len = policy_path_next_ancestor(path, len)))
		if (policy_pathlist_find(l, path, len) < l->n)
			return true;
	return false;
}

/* The first entry not sorting before every path under path[0..n): the
 * entries under it start with path[0..n) and a '/', contiguous in strcmp
 * order, but not right after path itself ("/usr-x" sorts between). */
static size_t lower_bound_below(const struct sg_pathlist *l, const char *path,
				size_t n)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *s = l->paths[mid];
		int c = strncmp(path, s, n);

		if (!c)
			c = '/' - (unsigned char)s[n];
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void policy_pathlist_below(const struct sg_pathlist *l, const char *path,
			   size_t *lo, size_t *hi)
{
	size_t n = strlen(path), i;

	if (n == 1) { /* "/": everything but "/" itself */
		i = lower_bound(l, path, 1);
		while (i < l->n && streq(l->paths[i], "/"))
			i++;
		*lo = i;
		*hi = l->n;
		return;
	}
	i = *lo = lower_bound_below(l, path, n);
	while (i < l->n && strncmp(l->paths[i], path, n) == 0 &&
	       l->paths[i][n] == '/')
		i++;
	*hi = i;
}
