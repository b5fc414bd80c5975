/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_proc_stat.c - /proc/<pid>/stat (sg_proc_stat_parse): the process
 * name may hold anything, spaces and parentheses too.
 *
 * Properties: no crash or undefined behaviour; 0 or -EPROTO; the outputs
 * are written only on success.
 */
#include <errno.h>
#include <sys/types.h>

#include "fuzz.h"
#include "sys/procinfo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pid_t ppid = -42, sid = -42;
	char *text = fuzz_cstr(data, size);
	int r;

	if (!text)
		return 0;
	r = sg_proc_stat_parse(text, &ppid, &sid);
	fuzz_assert(r == 0 || r == -EPROTO);
	if (r < 0)
		fuzz_assert(ppid == -42 && sid == -42);
	free(text);
	return 0;
}
