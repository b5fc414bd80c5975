/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_baseline.c - the baseline reader (sg_baseline_load_stream through
 * fmemopen) and its writer.
 *
 * Properties: no crash, leak or undefined behaviour; a refused baseline
 * says why; an accepted one is written back, and what is written reads
 * back and is written the same (the format is byte-for-byte
 * deterministic: it is what gets signed); every entry is found by its
 * path and by its hash.
 */
#include <errno.h>

#include "baseline.h"
#include "errlist.h"
#include "fuzz.h"

static int load(const void *text, size_t len, struct sg_baseline **ret,
		struct errlist *errs)
{
	FILE *f = fmemopen((void *)text, len, "r");
	int r;

	if (!f)
		return -errno;
	r = sg_baseline_load_stream(f, "fuzz.baseline", ret, errs);
	fclose(f);
	return r;
}

static char *write_text(const struct sg_baseline *b, size_t *ret_len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, ret_len);

	fuzz_assert(f);
	fuzz_assert(sg_baseline_write_stream(b, f) == 0);
	fclose(f);
	return out;
}

static void check_accepted(const struct sg_baseline *b)
{
	struct errlist errs = { 0 };
	struct sg_baseline *again = NULL;
	size_t len, len2;
	char *text, *text2;

	for (size_t i = 0; i < b->n; i++) {
		fuzz_assert(sg_baseline_find(b, b->entries[i].path) ==
			    &b->entries[i]);
		fuzz_assert(sg_baseline_has_hash(b, b->entries[i].sha256));
	}
	text = write_text(b, &len);
	fuzz_assert(load(text, len, &again, &errs) == 0);
	text2 = write_text(again, &len2);
	fuzz_assert(len == len2 && memcmp(text, text2, len) == 0);
	fuzz_assert(again->n == b->n && again->nroots == b->nroots &&
		    again->nexcludes == b->nexcludes);
	free(text);
	free(text2);
	sg_baseline_free(again);
	errlist_free(&errs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errlist errs = { 0 };
	struct sg_baseline *b = NULL;
	int r = load(data, size, &b, &errs);

	if (r == -ENOMEM)
		return 0;
	if (r < 0) {
		fuzz_assert(errs.n > 0);
	} else {
		check_accepted(b);
		sg_baseline_free(b);
	}
	errlist_free(&errs);
	return 0;
}
