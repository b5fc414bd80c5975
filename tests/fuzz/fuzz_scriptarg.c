/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_scriptarg.c - an interpreter's command line (sg_script_arg_is):
 * /proc/<pid>/cmdline is whatever the process put in its arguments, NUL
 * bytes where it likes, no final NUL when it rewrote them.
 *
 * The first byte picks the family and the second the length of the name
 * looked for, taken from the end of the input. Properties: no crash, no
 * read outside the n bytes given (ASan), and the same answer for every
 * call on the same bytes.
 */
#include <string.h>

#include "fuzz.h"
#include "sys/scriptarg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum sg_interp_family f;
	char base[32];
	size_t blen;
	bool a, b;

	if (size < 2)
		return 0;
	f = (enum sg_interp_family)(data[0] % 4);
	blen = data[1] % sizeof(base);
	data += 2;
	size -= 2;
	if (blen > size)
		blen = size;
	memcpy(base, data + size - blen, blen);
	base[blen] = '\0';
	a = sg_script_arg_is((const char *)data, size - blen, f, base);
	b = sg_script_arg_is((const char *)data, size - blen, f, base);
	fuzz_assert(a == b);
	return 0;
}
