/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_check.c - questions asked of a loaded policy (see policy.h): is
 * this path protected, is this exec checked, what does the baseline record.
 *
 * The lists are short (a handful of trees), so a linear scan is both the
 * simplest and fast enough. A bsearch on the strcmp order would be wrong:
 * "/usr-x" sorts between "/usr" and "/usr/bin".
 */
#include "policy.h"
#include "util.h"

static bool under_any(const struct sg_pathlist *l, const char *path)
{
	for (size_t i = 0; i < l->n; i++)
		if (path_is_under(path, l->paths[i]))
			return true;
	return false;
}

bool sg_policy_protects(const struct sg_policy *p, const char *path)
{
	return under_any(&p->protect, path) && !under_any(&p->exclude, path);
}

bool sg_policy_checks_exec(const struct sg_policy *p, const char *path)
{
	return p->exec_scope == SG_EXEC_SCOPE_LOCAL ||
	       under_any(&p->exec_paths, path);
}

bool sg_policy_excludes(const struct sg_policy *p, const char *path)
{
	return under_any(&p->exclude, path);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **sg_policy_baseline_roots(const struct sg_policy *p,
				      size_t *ret_n)
{
	size_t n = p->protect.n + p->trusted.n;
	const char **roots = calloc(n ? n : 1, sizeof(*roots));

	if (!roots)
		return NULL;
	for (size_t i = 0; i < p->protect.n; i++)
		roots[i] = p->protect.paths[i];
	for (size_t i = 0; i < p->trusted.n; i++)
		roots[p->protect.n + i] = p->trusted.paths[i];
	qsort(roots, n, sizeof(*roots), str_cmp);
	*ret_n = n;
	return roots;
}
