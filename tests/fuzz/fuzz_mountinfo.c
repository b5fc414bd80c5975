/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_mountinfo.c - /proc/self/mountinfo (sg_mounts_parse). Mount
 * points and sources come from whoever mounted them (a user namespace's
 * owner too), escaped by the kernel as \ooo.
 *
 * Properties: no crash, leak or undefined behaviour; 0, -EINVAL or
 * -ENOMEM; every mount parsed has its strings; the mount holding each
 * mount point is found (itself or one stacked over it).
 */
#include <errno.h>

#include "fuzz.h"
#include "sys/mounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sg_mounts m = { 0 };
	char *text = fuzz_cstr(data, size);
	int r;

	if (!text)
		return 0;
	r = sg_mounts_parse(text, &m);
	fuzz_assert(r == 0 || r == -EINVAL || r == -ENOMEM);
	for (size_t i = 0; r == 0 && i < m.n; i++) {
		const struct sg_mount *mt = &m.v[i];

		fuzz_assert(mt->point && mt->fstype && mt->root && mt->source);
		(void)sg_fstype_is_pseudo(mt->fstype);
		if (mt->point[0] == '/')
			fuzz_assert(sg_mounts_containing(&m, mt->point));
	}
	sg_mounts_free(&m);
	free(text);
	return 0;
}
