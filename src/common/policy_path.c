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

int policy_pathlist_add(struct sg_pathlist *l, const char *path,
			unsigned line)
{
	_cleanup_free_ char *copy = strdup(path);
	unsigned *lines;
	char **paths;

	if (!copy)
		return -ENOMEM;
	paths = reallocarray(l->paths, l->n + 1, sizeof(*paths));
	if (!paths)
		return -ENOMEM;
	l->paths = paths;
	lines = reallocarray(l->lines, l->n + 1, sizeof(*lines));
	if (!lines)
		return -ENOMEM;
	l->lines = lines;
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

/* Insertion sort: the lists are short; paths and lines move together. */
void policy_pathlist_sort(struct sg_pathlist *l)
{
	for (size_t i = 1; i < l->n; i++) {
		char *path = l->paths[i];
		unsigned line = l->lines[i];
		size_t j = i;

		for (; j > 0 && strcmp(l->paths[j - 1], path) > 0; j--) {
			l->paths[j] = l->paths[j - 1];
			l->lines[j] = l->lines[j - 1];
		}
		l->paths[j] = path;
		l->lines[j] = line;
	}
}
