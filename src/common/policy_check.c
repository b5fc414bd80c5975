/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_check.c - questions asked of a loaded policy (see policy.h): is
 * this path protected, is this exec checked, what does the baseline record.
 *
 * The lists are short (a handful of trees), so a linear scan is both the
 * simplest and fast enough. A bsearch on the strcmp order would be wrong:
 * "/usr-x" sorts between "/usr" and "/usr/bin".
 */
#include "pathrule.h"
#include "policy.h"
#include "util.h"

static bool under_any(const struct sg_pathlist *l, const char *path)
{
	return sg_path_under_any(path, l->paths, l->n);
}

struct named_list {
	const char *section, *key;
	const struct sg_pathlist *list;
};

/* One path that resolves elsewhere: 0, or -EINVAL with the reason. */
static int check_real(const struct sg_policy *p, const struct named_list *nl,
		      size_t i, struct errlist *errs)
{
	const char *path = nl->list->paths[i];
	_cleanup_free_ char *real = realpath(path, NULL);

	if (!real || streq(real, path))
		return 0; /* missing: reported where it matters */
	if (errlist_add(errs,
			"%s:%u: [%s] %s '%s' goes through a symlink (it is '%s'): "
			"the kernel reports real paths, so this one would match "
			"nothing; name '%s'",
			p->file, nl->list->lines[i], nl->section, nl->key, path,
			real, real) < 0)
		return -ENOMEM;
	return -EINVAL;
}

int sg_policy_check_symlinks(const struct sg_policy *p, struct errlist *errs)
{
	const struct named_list lists[] = {
		{ "protect", "path", &p->protect },
		{ "protect", "exclude", &p->exclude },
		{ "protect", "seal", &p->seals },
		{ "exec", "path", &p->exec_paths },
		{ "exec", "trusted", &p->trusted },
	};
	int r = 0;

	for (size_t l = 0; l < ARRAY_SIZE(lists); l++)
		for (size_t i = 0; i < lists[l].list->n; i++) {
			int k = check_real(p, &lists[l], i, errs);

			if (k == -ENOMEM)
				return k;
			if (k < 0)
				r = k;
		}
	return r;
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
