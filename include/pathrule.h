/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathrule.h - the rules every path sealguard stores must follow, in one
 * place: the policy's paths, the baseline's roots, excludes and entries.
 *
 * A normalised path is absolute, has no "//", no "." or ".." component
 * and no trailing "/" (except "/" itself). The kernel reports real paths
 * in that form, so a stored path in any other form would match nothing.
 */
#ifndef SEALGUARD_PATHRULE_H
#define SEALGUARD_PATHRULE_H

#include <stdbool.h>
#include <stddef.h>

/* Why path is not normalised (a phrase: "must not contain '//'"), or
 * NULL when it is. */
const char *sg_path_form_problem(const char *path);

static inline bool sg_path_is_normalised(const char *path)
{
	return sg_path_form_problem(path) == NULL;
}

/* True when path equals or lies below one of the n normalised prefixes
 * (see path_is_under in util.h). A linear scan: the lists are a handful
 * of trees, and "/usr-x" sorts between "/usr" and "/usr/bin", so a
 * bisection on strcmp order would be wrong. */
bool sg_path_under_any(const char *path, char *const *prefixes, size_t n);

#endif
