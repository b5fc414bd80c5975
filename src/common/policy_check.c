/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_check.c - questions asked of a loaded policy (see policy.h): is
 * this path protected, is this exec checked, what does the baseline record,
 * does it respond beyond logging.
 *
 * The lists are sorted (policy_validate), so "under any" is one bsearch
 * per ancestor of the path (a bsearch for the nearest smaller entry would
 * be wrong: "/usr-x" sorts between "/usr" and "/usr/bin").
 */
#include "pathrule.h"
#include "policy_int.h"

static bool under_any(const struct sg_pathlist *l, const char *path)
{
	return policy_pathlist_covers(l, path);
}

/* One path that resolves elsewhere: 0, or -EINVAL with the reason. */
static int check_real(const struct sg_policy *p, const struct policy_key *k,
		      const struct sg_pathlist *l, size_t i,
		      struct errlist *errs)
{
	const char *path = l->paths[i];
	_cleanup_free_ char *real = realpath(path, NULL);

	if (!real || streq(real, path))
		return 0; /* missing: reported where it matters */
	if (errlist_add(errs,
			"%s:%u: [%s] %s '%s' goes through a symlink (it is '%s'): "
			"the kernel reports real paths, so this one would match "
			"nothing; name '%s'",
			p->file, l->lines[i], k->section, k->key, path, real,
			real) < 0)
		return -ENOMEM;
	return -EINVAL;
}

/* The lists whose name is their meaning (literal in the key table), in
 * print order: [protect] path, exclude, seal, [exec] path, trusted. */
int sg_policy_check_symlinks(const struct sg_policy *p, struct errlist *errs)
{
	const struct policy_key *k;
	int r = 0;

	for (unsigned pos = 1; (k = policy_key_at(pos)); pos++) {
		const struct sg_pathlist *l;

		if (!k->literal)
			continue;
		l = policy_field(p, k);
		for (size_t i = 0; i < l->n; i++) {
			int e = check_real(p, k, l, i, errs);

			if (e == -ENOMEM)
				return e;
			if (e < 0)
				r = e;
		}
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

bool sg_policy_responds(const struct sg_policy *p)
{
	const struct sg_respond_policy *r = &p->respond;

	for (unsigned k = 0; k < SG_KIND__COUNT; k++)
		if (r->actions[k])
			return true;
	return r->reprovision != NULL;
}
