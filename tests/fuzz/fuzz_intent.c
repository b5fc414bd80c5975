/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_intent.c - /proc/<tid>/syscall as the guard reads it
 * (sg_intent_parse).
 *
 * Properties: no crash or undefined behaviour; the result is one of the
 * three answers; a read is only ever claimed for a line the kernel could
 * write for a blocked syscall (nine fields, a syscall number), and its
 * flags say read-only, so that nothing unparsable is ever read as "not
 * a write".
 */
#include <errno.h>
#include <fcntl.h>

#include "fan/intent.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sg_intent_info info;
	char *line = fuzz_cstr(data, size);
	int r;

	if (!line)
		return 0;
	r = sg_intent_parse(line, &info);
	fuzz_assert(r == 0 || r == -EAGAIN || r == -EINVAL);
	if (r == 0) {
		fuzz_assert(info.intent <= SG_INTENT_UNKNOWN);
		if (info.intent == SG_INTENT_READ) {
			fuzz_assert(info.syscall_nr >= 0);
			fuzz_assert(sg_intent_from_flags(info.flags) ==
				    SG_INTENT_READ);
		}
		fuzz_assert(strcmp(sg_intent_name(info.intent), "?") != 0);
	}
	free(line);
	return 0;
}
