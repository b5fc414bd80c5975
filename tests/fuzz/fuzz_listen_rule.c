/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_listen_rule.c - the [listen] allow syntax (sg_listen_rule_parse).
 *
 * Properties: no crash, leak or undefined behaviour; a refused rule says
 * why; an accepted rule prints in a normalised form that parses back to
 * the same rule (sg_listen_rule_cmp 0), prints the same again, and
 * covers itself.
 */
#include <errno.h>

#include "fuzz.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sg_listen_rule r, again;
	char *value = fuzz_cstr(data, size);
	static char text[8192], text2[8192];
	const char *why = NULL;
	int rc;

	if (!value)
		return 0;
	rc = sg_listen_rule_parse(value, &r, &why);
	if (rc == -EINVAL)
		fuzz_assert(why && *why);
	if (rc == 0) {
		sg_listen_rule_format(&r, text, sizeof(text));
		fuzz_assert(sg_listen_rule_parse(text, &again, &why) == 0);
		fuzz_assert(sg_listen_rule_cmp(&r, &again) == 0);
		sg_listen_rule_format(&again, text2, sizeof(text2));
		fuzz_assert(strcmp(text, text2) == 0);
		fuzz_assert(sg_listen_rule_covers(&r, &r));
		free(r.exe);
		free(again.exe);
	}
	free(value);
	return 0;
}
