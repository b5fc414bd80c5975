/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_policy.c - the policy reader (sg_policy_load_stream through
 * fmemopen, as `sealguard check` reads a file) and its printer.
 *
 * Properties: no crash, leak or undefined behaviour; a refused policy
 * says why (at least one message); an accepted one prints. With
 * FUZZ_POLICY_ROUNDTRIP=1 in the environment, also: the printed form
 * reads back, and prints the same (`check -v` must print a policy that
 * reads back; issue #16 has it failing, so it is not on by default).
 */
#include <errno.h>

#include "errlist.h"
#include "fuzz.h"
#include "policy.h"

static int load(const void *text, size_t len, struct sg_policy **ret,
		struct errlist *errs)
{
	FILE *f = fmemopen((void *)text, len, "r");
	int r;

	if (!f)
		return -errno;
	r = sg_policy_load_stream(f, "fuzz.conf", ret, errs);
	fclose(f);
	return r;
}

static char *print(const struct sg_policy *p, size_t *ret_len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, ret_len);

	fuzz_assert(f);
	sg_policy_dump(p, f);
	fclose(f);
	return out;
}

static void roundtrip(const struct sg_policy *p)
{
	struct errlist errs = { 0 };
	struct sg_policy *again = NULL;
	size_t len, len2;
	char *text = print(p, &len), *text2;
	int r = load(text, len, &again, &errs);

	if (r < 0) {
		errlist_print(&errs, stderr, "re-read");
		fprintf(stderr, "printed:\n%s", text);
	}
	fuzz_assert(r == 0);
	text2 = print(again, &len2);
	fuzz_assert(len == len2 && memcmp(text, text2, len) == 0);
	free(text);
	free(text2);
	sg_policy_free(again);
	errlist_free(&errs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int check_roundtrip = -1;
	struct errlist errs = { 0 };
	struct sg_policy *p = NULL;
	size_t len;
	int r;

	if (check_roundtrip < 0) {
		const char *e = getenv("FUZZ_POLICY_ROUNDTRIP");

		check_roundtrip = e && strcmp(e, "1") == 0;
	}
	r = load(data, size, &p, &errs);
	if (r == -ENOMEM)
		return 0;
	if (r < 0) {
		fuzz_assert(errs.n > 0);
	} else {
		free(print(p, &len));
		if (check_roundtrip)
			roundtrip(p);
		sg_policy_free(p);
	}
	errlist_free(&errs);
	return 0;
}
