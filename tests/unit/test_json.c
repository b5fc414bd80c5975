/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_json.c - the JSON writer (include/json.h) and the hook's stdin
 * built with it (sg_resp_json): exact escapes for the cases that matter,
 * and thousands of random byte strings (biased to the bytes and
 * sequences UTF-8 decoders get wrong) handed to a real parser,
 * Python's json, which must read every document, find the string equal
 * to Python's own `decode("utf-8", "replace")` of the bytes, and the
 * "_hex" member equal to the bytes whenever they are not UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "hash.h"
#include "json.h"
#include "respond/responder_wire.h"
#include "util.h"

static void assert_escape(const char *in, const char *want)
{
	char out[SG_JSON_ESCAPED_MAX(64)];

	assert_true(strlen(in) <= 64);
	assert_int_equal(sg_json_escape(out, in), strlen(want));
	assert_string_equal(out, want);
}

static void test_escape_exact(void **state)
{
	assert_escape("", "");
	assert_escape("/etc/passwd", "/etc/passwd");
	assert_escape("a\"b\\c", "a\\\"b\\\\c");
	assert_escape("\x01\n\x1f\x7f", "\\u0001\\u000a\\u001f\\u007f");
	/* well-formed UTF-8 is copied: e-acute, euro, U+10FFFF */
	assert_escape("\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf",
		      "\xc3\xa9\xe2\x82\xac\xf4\x8f\xbf\xbf");
	/* each ill-formed byte a U+FFFD */
	assert_escape("a\xff" "b", "a\\ufffdb");
	assert_escape("\x80\x80", "\\ufffd\\ufffd");
	/* overlong '/', a surrogate, past U+10FFFF: one each per byte */
	assert_escape("\xc0\xaf", "\\ufffd\\ufffd");
	assert_escape("\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd");
	assert_escape("\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd");
	/* a sequence cut short is one maximal subpart: one U+FFFD */
	assert_escape("\xe2\x82" "A", "\\ufffdA");
	assert_escape("\xf0\x9f\x98", "\\ufffd");
}

static void test_utf8_valid(void **state)
{
	assert_true(sg_utf8_valid(""));
	assert_true(sg_utf8_valid("plain"));
	assert_true(sg_utf8_valid("\xf0\x9f\x98\x80"));
	assert_false(sg_utf8_valid("\xff"));
	assert_false(sg_utf8_valid("\xf0\x9f\x98"));
	assert_false(sg_utf8_valid("\xe0\x80\xaf")); /* overlong */
	assert_false(sg_utf8_valid("\xed\xbf\xbf")); /* surrogate */
}

static void test_document(void **state)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct sg_json j;

	assert_non_null(f);
	sg_json_start(&j, f);
	sg_json_open(&j, NULL, '{');
	sg_json_str(&j, "state", "running");
	sg_json_uint(&j, "pid", 42);
	sg_json_int(&j, "delta", -3);
	sg_json_open(&j, "list", '[');
	sg_json_bool(&j, NULL, true);
	sg_json_null(&j, NULL);
	sg_json_str(&j, NULL, "x\xff");
	sg_json_close(&j, ']');
	sg_json_open(&j, "empty", '{');
	sg_json_close(&j, '}');
	sg_json_str(&j, "none", NULL);
	sg_json_close(&j, '}');
	assert_int_equal(fclose(f), 0);
	assert_string_equal(buf,
			    "{\"state\":\"running\",\"pid\":42,\"delta\":-3,"
			    "\"list\":[true,null,\"x\\ufffd\"],\"empty\":{},"
			    "\"none\":null}\n");
}

/* The hook's document: a \xff name keeps its bytes in path_hex. */
static void test_hook_hex(void **state)
{
	const char *env[] = { "SEALGUARD_EVENT=write",
			      "SEALGUARD_PATH=/srv/a\xff" "b" };
	_cleanup_free_ char *json = sg_resp_json(env, ARRAY_SIZE(env));

	assert_non_null(json);
	assert_string_equal(json, "{\"event\":\"write\","
				  "\"path\":\"/srv/a\\ufffdb\","
				  "\"path_hex\":\"2f7372762f61ff62\"}");
}

/* ------------------------------------------------------------- fuzz */

/* The pieces random strings are made of: what decoders get wrong. */
static const char *const pieces[] = {
	"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\xef\xbf\xbd",
	"\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", "\xee\x80\x80",
	"\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xe0\x9f\xbf",
	"\xed\xa0\x80", "\xed\xbf\xbf", "\xf0\x80\x80\xaf", "\xf4\x90\x80\x80",
	"\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff",
	"\"", "\\", "/", "\x7f", "\x1b[0m", "\t", "\n", "\r", "\\u0000",
};

/* n random bytes (no NUL: the strings are C strings, as paths are). */
static size_t random_string(char *out, size_t size)
{
	size_t n = 0, want = (size_t)(lrand48() % 24);

	for (size_t k = 0; k < want; k++) {
		long pick = lrand48() % 4;
		const char *p = pieces[lrand48() % ARRAY_SIZE(pieces)];
		size_t len = strlen(p);

		if (pick == 0) { /* a piece, maybe cut short */
			len = lrand48() % 3 ? len : (size_t)(lrand48() % (long)len) + 1;
		} else {
			char c = (char)(pick == 1 ? 0x80 + lrand48() % 0x80 :
						    1 + lrand48() % 0x7f);

			p = &c;
			len = 1;
			if (n + 1 < size)
				out[n++] = c;
			continue;
		}
		if (n + len >= size)
			break;
		memcpy(out + n, p, len);
		n += len;
	}
	out[n] = '\0';
	return n;
}

/* Python reads "HEX JSON" lines: the bytes, and the document built from
 * them; it exits 1 at the first document that does not hold them. */
static const char checker[] =
	"import json, sys\n"
	"n = 0\n"
	"for line in sys.stdin.buffer:\n"
	"    raw_hex, doc = line.rstrip(b\"\\n\").split(b\" \", 1)\n"
	"    raw = bytes.fromhex(raw_hex.decode())\n"
	"    d = json.loads(doc.decode(\"utf-8\"))\n"
	"    want = raw.decode(\"utf-8\", \"replace\")\n"
	"    ok = d[\"path\"] == want and d[\"s\"][0] == want\n"
	"    try:\n"
	"        raw.decode(\"utf-8\")\n"
	"        ok = ok and \"path_hex\" not in d\n"
	"    except UnicodeDecodeError:\n"
	"        ok = ok and bytes.fromhex(d[\"path_hex\"]) == raw\n"
	"    if not ok:\n"
	"        print(\"json fuzz: wrong for\", raw, d, file=sys.stderr)\n"
	"        sys.exit(1)\n"
	"    n += 1\n"
	"print(\"json fuzz: python read\", n, \"documents\", file=sys.stderr)\n"
	"sys.exit(0 if n == int(sys.argv[1]) else 1)\n";

/* One line: the bytes in hex, then the hook's document for them with the
 * writer's own string of them added as "s". */
static void write_case(FILE *py, const char *raw, size_t n)
{
	char hex[2 * 256 + 1], env[300];
	const char *envp[1] = { env };
	_cleanup_free_ char *doc = NULL;
	_cleanup_free_ char *mem = NULL;
	size_t memlen = 0;
	FILE *m = open_memstream(&mem, &memlen);
	struct sg_json j;

	assert_non_null(m);
	sg_hex_encode((const unsigned char *)raw, n, hex);
	snprintf(env, sizeof(env), "SEALGUARD_PATH=%s", raw);
	doc = sg_resp_json(envp, 1);
	assert_non_null(doc);
	/* what goes out is UTF-8 with no raw control character */
	assert_true(sg_utf8_valid(doc));
	for (const char *c = doc; *c; c++)
		assert_true((unsigned char)*c >= 0x20);
	sg_json_start(&j, m);
	sg_json_open(&j, NULL, '[');
	sg_json_str(&j, NULL, raw);
	sg_json_close(&j, ']');
	assert_int_equal(fclose(m), 0);
	mem[memlen - 1] = '\0'; /* the writer's newline */
	/* {"path":...} + ,"s":[...] */
	doc[strlen(doc) - 1] = '\0';
	fprintf(py, "%s %s,\"s\":%s}\n", n ? hex : "", doc, mem);
}

static void test_fuzz_python(void **state)
{
	enum { CASES = 5000 };
	char cmd[2048], raw[256];
	long seed = (long)time(NULL);
	FILE *py;

	/* the seed is printed: a failure can be replayed */
	print_message("json fuzz: seed %ld\n", seed);
	srand48(seed);
	snprintf(cmd, sizeof(cmd), "python3 -c '%s' %d", checker, CASES);
	assert_null(strchr(checker, '\''));
	py = popen(cmd, "w");
	assert_non_null(py);
	for (int i = 0; i < CASES; i++)
		write_case(py, raw, random_string(raw, sizeof(raw)));
	assert_int_equal(pclose(py), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_exact),
		cmocka_unit_test(test_utf8_valid),
		cmocka_unit_test(test_document),
		cmocka_unit_test(test_hook_hex),
		cmocka_unit_test(test_fuzz_python),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
