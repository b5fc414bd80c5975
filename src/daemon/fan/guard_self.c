/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard_self.c - the daemon's own files are protected whatever the policy
 * says: its binary, the policy, the baseline, its signature and key, and
 * the systemd unit with its drop-ins. An attacker who could rewrite them
 * would only have to wait for the next start to own the guard.
 */
#include <limits.h>
#include <sys/stat.h>

#include "fan/guard_int.h"
#include "policy.h"
#include "signature.h"

/* Where packages and operators put the unit and its drop-ins. */
static const char *const unit_paths[] = {
	"/etc/systemd/system/sealguard.service",
	"/etc/systemd/system/sealguard.service.d",
	"/lib/systemd/system/sealguard.service",
	"/usr/lib/systemd/system/sealguard.service",
};

static int add_self_path(struct sg_guard *g, const char *path,
			 struct errlist *errs)
{
	char real[PATH_MAX], **grown;
	struct stat st;

	if (!path || !realpath(path, real) || stat(real, &st) < 0)
		return 0; /* absent (no unit yet, unsigned baseline): nothing to guard */
	if (g->d->confine && !path_is_under(real, g->d->confine)) {
		/* tests and demos must not mark the real root filesystem */
		(void)errlist_add(errs, "%s: not self-protected (outside --confine %s)",
				  real, g->d->confine);
		return 0;
	}
	grown = realloc(g->d->self_paths, (g->d->nself_paths + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	g->d->self_paths = grown;
	g->d->self_paths[g->d->nself_paths] = strdup(real);
	if (!g->d->self_paths[g->d->nself_paths])
		return -ENOMEM;
	g->d->nself_paths++;
	return S_ISREG(st.st_mode) ?
		       sg_protindex_put(&g->index, &st, SG_PROT_FILE) :
		       0;
}

int sg_guard_protect_self(struct sg_guard *g, struct errlist *errs)
{
	_cleanup_free_ char *sig = sg_signature_path(g->d->policy->baseline);
	const char *own[] = { "/proc/self/exe", g->d->policy->file,
			      g->d->policy->baseline, sig,
			      g->d->policy->baseline_key };
	int r;

	if (!sig)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(own); i++) {
		r = add_self_path(g, own[i], errs);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(unit_paths); i++) {
		r = add_self_path(g, unit_paths[i], errs);
		if (r < 0)
			return r;
	}
	return 0;
}

int sg_guard_plan_self(const struct sg_guard *g, const struct sg_mounts *m,
		       struct sg_mark_plan *plan)
{
	for (size_t i = 0; i < g->d->nself_paths; i++) {
		int r = sg_mark_plan_add_protected(plan, m, g->d->self_paths[i]);

		if (r < 0)
			return r;
	}
	return 0;
}
