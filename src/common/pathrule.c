/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pathrule.c - normalised paths (see pathrule.h).
 */
#include "pathrule.h"
#include "util.h"

const char *sg_path_form_problem(const char *path)
{
	const char *c = path + 1;
	size_t len;

	if (path[0] != '/')
		return "must be an absolute path";
	if (strstr(path, "//"))
		return "must not contain '//'";
	if (path[1] == '\0')
		return NULL;
	if (path[strlen(path) - 1] == '/')
		return "must not end in '/'";
	for (;; c += len + 1) { /* no component is empty now */
		len = strcspn(c, "/");
		if (len == 1 && c[0] == '.')
			return "must not contain a '.' component";
		if (len == 2 && c[0] == '.' && c[1] == '.')
			return "must not contain a '..' component";
		if (!c[len])
			return NULL;
	}
}

bool sg_path_under_any(const char *path, char *const *prefixes, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (path_is_under(path, prefixes[i]))
			return true;
	return false;
}
