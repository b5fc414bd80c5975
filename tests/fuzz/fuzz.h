/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz.h - what the libFuzzer harnesses share (docs/testing.md).
 *
 * Each harness feeds one parser of outside input the fuzzer's bytes and
 * checks what must hold whatever they are. A broken property aborts with
 * a message, which libFuzzer reports as a crash and keeps the input.
 */
#ifndef SEALGUARD_FUZZ_H
#define SEALGUARD_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define fuzz_assert(cond)                                                    \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: property broken: %s\n",      \
				__FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

/* The bytes as a NUL-terminated string, for parsers of text (the daemon
 * reads /proc files into a buffer it terminates). NULL on ENOMEM. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
	}
	return s;
}

/* The bytes in a buffer of exactly their size, aligned as malloc aligns
 * (the daemon's read buffers are aligned): a read past the end is an
 * ASan report. NULL for size 0 or on ENOMEM. */
static inline void *fuzz_copy(const uint8_t *data, size_t size)
{
	void *p = size ? malloc(size) : NULL;

	if (p)
		memcpy(p, data, size);
	return p;
}

#endif
