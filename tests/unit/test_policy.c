/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_policy.c - the policy parser and the questions asked of a policy.
 *
 * Golden files: every NAME.conf in the fixture directory is loaded under
 * the name "NAME.conf"; NAME.out holds the sg_policy_dump output of a valid
 * policy, NAME.err the exact error lines of an invalid one. Valid policies
 * are also printed, loaded back and printed again, which must not change
 * them. shipped.conf is a symlink to policy/policy.conf.
 *
 * The fixture directory is $SG_TEST_DATA/policy (tests/run.sh sets
 * SG_TEST_DATA to tests/unit), else "tests/unit/policy" relative to the
 * current directory, as when `make unit` runs the tests from the top of
 * the tree. SG_TEST_REGEN=1 rewrites
 * the expected files from what the parser does now: review the diff.
 *
 * The other tests load policies from strings and check the structure and
 * sg_policy_protects() and friends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>

#include "policy.h"
#include "util.h"

#define MINIMAL "[sealguard]\nmode = enforce\n[protect]\npath = /usr\n"
#define BAD_ALLOWED                                                            \
	"'allowed' must be none, all, or a comma-separated list of exec, "   \
	"write, maintenance; got "
#define NOT_DECIMAL "'ratelimit_burst' must be a decimal number; got "

/* Stands for "not written": loads must leave *ret alone on failure. */
static struct sg_policy untouched;

static const char *data_dir(void)
{
	static char dir[4096];
	const char *d = getenv("SG_TEST_DATA");

	if (!d || !*d)
		return "tests/unit/policy";
	snprintf(dir, sizeof(dir), "%s/policy", d);
	return dir;
}

static char *data_path(const char *name)
{
	char *path;

	assert_true(asprintf(&path, "%s/%s", data_dir(), name) >= 0);
	return path;
}

/* The whole file, or NULL if there is none. */
static char *slurp(const char *path)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t size = 0;
	FILE *mem;
	int c;

	if (!f)
		return NULL;
	mem = open_memstream(&buf, &size);
	assert_non_null(mem);
	while ((c = getc(f)) != EOF)
		fputc(c, mem);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

static void spew(const char *path, const char *text)
{
	_cleanup_fclose_ FILE *f = fopen(path, "we");

	assert_non_null(f);
	fputs(text, f);
}

static char *dump_str(const struct sg_policy *p)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);

	assert_non_null(mem);
	sg_policy_dump(p, mem);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

static char *errs_str(const struct errlist *errs)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&buf, &size);

	assert_non_null(mem);
	errlist_print(errs, mem, NULL);
	assert_int_equal(fclose(mem), 0);
	return buf;
}

/* Load text (of len bytes: it may hold a NUL) under the name "test.conf". */
static int load_mem(const char *text, size_t len, struct sg_policy **ret,
		    struct errlist *errs)
{
	_cleanup_fclose_ FILE *f = NULL;

	/* fmemopen refuses a zero size */
	f = len ? fmemopen((void *)text, len, "r") : fopen("/dev/null", "re");
	assert_non_null(f);
	return sg_policy_load_stream(f, "test.conf", ret, errs);
}

static int load_str(const char *text, struct sg_policy **ret,
		    struct errlist *errs)
{
	return load_mem(text, strlen(text), ret, errs);
}

/* Load a policy that must be valid. */
static struct sg_policy *load_ok(const char *text)
{
	struct errlist errs = { 0 };
	struct sg_policy *p = NULL;
	int r = load_str(text, &p, &errs);

	if (r != 0)
		errlist_print(&errs, stderr, "unexpected");
	assert_int_equal(r, 0);
	assert_int_equal(errs.n, 0);
	assert_non_null(p);
	return p;
}

/* Load a policy that must be invalid; returns its error lines. */
static char *load_bad(const char *text, size_t len)
{
	struct errlist errs = { 0 };
	struct sg_policy *p = &untouched;
	char *msgs;

	assert_int_equal(load_mem(text, len, &p, &errs), -EINVAL);
	assert_ptr_equal(p, &untouched);
	msgs = errs_str(&errs);
	errlist_free(&errs);
	return msgs;
}

/*
 * The default loaders depend on the architecture and the expected files
 * are written on x86_64; elsewhere loader lines are left out of the
 * comparison (test_defaults checks them there).
 */
static void drop_loaders(char *text)
{
#if !defined(__x86_64__)
	char *in = text, *out = text;

	while (*in) {
		char *nl = strchr(in, '\n');
		size_t n = nl ? (size_t)(nl - in) + 1 : strlen(in);
		bool loader = strncmp(in, "loader = ", 9) == 0 ||
			      strncmp(in, "; loader = ", 11) == 0;

		if (!loader) {
			memmove(out, in, n);
			out += n;
		}
		in += n;
	}
	*out = '\0';
#endif
}

static void assert_text_equal(char *expected, char *actual, const char *what)
{
	drop_loaders(expected);
	drop_loaders(actual);
	if (strcmp(expected, actual) == 0)
		return;
	/* print_error() would cut the text at 1 KiB */
	fprintf(stderr, "%s differs\n--- expected\n%s--- actual\n%s---\n",
		what, expected, actual);
	fail();
}

static void regen(const char *base, int r, const char *dump,
		  const char *errs)
{
	_cleanup_free_ char *out = NULL, *err = NULL;

	assert_true(asprintf(&out, "%s.out", base) >= 0);
	assert_true(asprintf(&err, "%s.err", base) >= 0);
	(void)unlink(r ? out : err);
	spew(r ? err : out, r ? errs : dump);
}

/* Print, load back, print again: the printed form is itself a policy. */
static void assert_round_trip(const char *dump)
{
	struct sg_policy *p = load_ok(dump);
	_cleanup_free_ char *again = dump_str(p);

	assert_string_equal(dump, again);
	sg_policy_free(p);
}

static void test_golden(void **state)
{
	const char *conf = *state;
	_cleanup_free_ char *path = data_path(conf), *base = NULL;
	_cleanup_free_ char *out_path = NULL, *err_path = NULL;
	_cleanup_free_ char *out = NULL, *err = NULL, *dump = NULL;
	_cleanup_free_ char *msgs = NULL;
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	struct errlist errs = { 0 };
	struct sg_policy *p = &untouched;
	int r;

	assert_non_null(f);
	base = strndup(path, strlen(path) - strlen(".conf"));
	assert_non_null(base);
	assert_true(asprintf(&out_path, "%s.out", base) >= 0);
	assert_true(asprintf(&err_path, "%s.err", base) >= 0);
	r = sg_policy_load_stream(f, conf, &p, &errs);
	msgs = errs_str(&errs);
	dump = r ? NULL : dump_str(p);
	if (getenv("SG_TEST_REGEN"))
		regen(base, r, dump, msgs);
	out = slurp(out_path);
	err = slurp(err_path);
	if (!out == !err)
		fail_msg("%s: need exactly one of .out and .err", conf);
	if (out) {
		assert_int_equal(r, 0);
		assert_round_trip(dump);
		assert_text_equal(out, dump, conf); /* may edit dump */
		sg_policy_free(p);
	} else {
		assert_int_equal(r, -EINVAL);
		assert_ptr_equal(p, &untouched);
		assert_text_equal(err, msgs, conf);
	}
	errlist_free(&errs);
}

static int is_conf(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && streq(d->d_name + n - 5, ".conf");
}

/* One cmocka test per fixture, so each is reported by name. */
static int run_golden(void)
{
	struct dirent **list;
	struct CMUnitTest *tests;
	int n = scandir(data_dir(), &list, is_conf, alphasort), failed;

	if (n <= 0) {
		fprintf(stderr, "no fixtures in %s: set SG_TEST_DATA\n",
			data_dir());
		return 1;
	}
	tests = calloc((size_t)n, sizeof(*tests));
	if (!tests)
		return 1;
	for (int i = 0; i < n; i++)
		tests[i] = (struct CMUnitTest){
			.name = list[i]->d_name,
			.test_func = test_golden,
			.initial_state = list[i]->d_name,
		};
	failed = _cmocka_run_group_tests("policy golden files", tests,
					 (size_t)n, NULL, NULL);
	for (int i = 0; i < n; i++)
		free(list[i]);
	free(list);
	free(tests);
	return failed;
}

static void test_shipped_policy(void **state)
{
	_cleanup_free_ char *path = data_path("shipped.conf");
	struct errlist errs = { 0 };
	struct sg_policy *p = NULL;

	assert_int_equal(sg_policy_load(path, &p, &errs), 0);
	assert_int_equal(errs.n, 0);
	assert_string_equal(p->file, path);
	assert_true(sg_policy_protects(p, "/usr/bin/ls"));
	assert_true(sg_policy_protects(p, "/etc/passwd"));
	assert_false(sg_policy_protects(p, "/var/log/syslog"));
	sg_policy_free(p);
}

static void test_missing_file(void **state)
{
	_cleanup_free_ char *path = data_path("does-not-exist.conf");
	_cleanup_free_ char *want = NULL;
	struct errlist errs = { 0 };
	struct sg_policy *p = &untouched;

	assert_int_equal(sg_policy_load(path, &p, &errs), -ENOENT);
	assert_ptr_equal(p, &untouched);
	assert_int_equal(errs.n, 1);
	assert_true(asprintf(&want, "%s: No such file or directory", path) >=
		    0);
	assert_string_equal(errs.msgs[0], want);
	errlist_free(&errs);
}

/* A stream that opens, then fails to read: the errno comes back. */
static void test_read_error(void **state)
{
	_cleanup_fclose_ FILE *f = fopen(data_dir(), "re");
	_cleanup_free_ char *want = NULL;
	struct errlist errs = { 0 };
	struct sg_policy *p = &untouched;

	assert_non_null(f);
	assert_int_equal(sg_policy_load_stream(f, data_dir(), &p, &errs),
			 -EISDIR);
	assert_ptr_equal(p, &untouched);
	assert_int_equal(errs.n, 1);
	assert_true(asprintf(&want, "%s: read error: Is a directory",
			     data_dir()) >= 0);
	assert_string_equal(errs.msgs[0], want);
	errlist_free(&errs);
}

/* sg_policy_load refuses what is not a regular file... */
static void test_not_regular(void **state)
{
	_cleanup_free_ char *want = NULL;
	struct errlist errs = { 0 };
	struct sg_policy *p = &untouched;

	assert_int_equal(sg_policy_load(data_dir(), &p, &errs), -EISDIR);
	assert_ptr_equal(p, &untouched);
	assert_int_equal(errs.n, 1);
	assert_true(asprintf(&want, "%s: not a regular file", data_dir()) >=
		    0);
	assert_string_equal(errs.msgs[0], want);
	errlist_free(&errs);
}

/* ... a FIFO is refused at once, not waited on for a writer ... */
static void test_fifo_refused(void **state)
{
	char dir[] = "/tmp/sgpolicy.XXXXXX";
	_cleanup_free_ char *fifo = NULL, *want = NULL;
	struct errlist errs = { 0 };
	struct sg_policy *p = &untouched;

	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&fifo, "%s/policy.conf", dir) >= 0);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* a blocking open would hang here: the suite's timeout fails it */
	assert_int_equal(sg_policy_load(fifo, &p, &errs), -ENXIO);
	assert_ptr_equal(p, &untouched);
	assert_int_equal(errs.n, 1);
	assert_true(asprintf(&want, "%s: not a regular file", fifo) >= 0);
	assert_string_equal(errs.msgs[0], want);
	errlist_free(&errs);
	assert_int_equal(unlink(fifo), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* ... and a file that group or others could have written. */
static void test_writable_by_others(void **state)
{
	char path[] = "/tmp/sgpolicy.XXXXXX";
	struct errlist errs = { 0 };
	struct sg_policy *p = &untouched;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_true(write(fd, "[sealguard]\nmode = enforce\n", 27) == 27);
	assert_int_equal(fchmod(fd, 0664), 0);
	assert_int_equal(sg_policy_load(path, &p, &errs), -EPERM);
	assert_ptr_equal(p, &untouched);
	assert_int_equal(errs.n, 1);
	assert_non_null(strstr(errs.msgs[0], "writable by group or others"));
	errlist_free(&errs);
	(void)close(fd);
	(void)unlink(path);
}

/* Errors are appended to what the list already holds. */
static void test_errors_appended(void **state)
{
	struct errlist errs = { 0 };
	struct sg_policy *p = &untouched;

	assert_int_equal(errlist_add(&errs, "earlier"), 0);
	assert_int_equal(load_str("", &p, &errs), -EINVAL);
	assert_int_equal(errs.n, 3);
	assert_string_equal(errs.msgs[0], "earlier");
	assert_string_equal(errs.msgs[1],
			    "test.conf: missing required key 'mode' in [sealguard]");
	errlist_free(&errs);
}

static void assert_list(const struct sg_pathlist *l, const char *const *want,
			size_t n)
{
	assert_int_equal(l->n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(l->paths[i], want[i]);
}

static void test_defaults(void **state)
{
	static const char *const loaders[] = {
#if defined(__x86_64__)
		"/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
		"/lib64/ld-linux-x86-64.so.2",
#elif defined(__aarch64__)
		"/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1",
		"/lib/ld-linux-aarch64.so.1",
#endif
		NULL,
	};
	struct sg_policy *p = load_ok(MINIMAL);

	assert_string_equal(p->file, "test.conf");
	assert_int_equal(p->mode, SG_MODE_ENFORCE);
	assert_string_equal(p->baseline, SG_DEFAULT_BASELINE);
	assert_list(&p->protect, (const char *[]){ "/usr" }, 1);
	assert_int_equal(p->protect.lines[0], 4);
	assert_int_equal(p->exclude.n, 0);
	assert_int_equal(p->writers.n, 0);
	assert_int_equal(p->exec_scope, SG_EXEC_SCOPE_LOCAL);
	assert_int_equal(p->exec_paths.n, 0);
	assert_int_equal(p->trusted.n, 0);
	assert_int_equal(p->exec_match, SG_EXEC_MATCH_PATH);
	assert_list(&p->loaders, loaders, ARRAY_SIZE(loaders) - 1);
	for (size_t i = 0; i < p->loaders.n; i++)
		assert_int_equal(p->loaders.lines[i], 0);
	assert_int_equal(p->log_allowed, 0);
	assert_int_equal(p->ratelimit_interval_s, 10);
	assert_int_equal(p->ratelimit_burst, 5);
	sg_policy_free(p);
}

static void test_every_key(void **state)
{
	struct sg_policy *p = load_ok("[sealguard]\n"
				      "mode = permissive\n"
				      "baseline = /srv/baseline\n"
				      "[protect]\n"
				      "path = /usr\n"
				      "path = /etc\n"
				      "exclude = /usr/local/var\n"
				      "writer = /usr/bin/dpkg\n"
				      "writer = /usr/bin/apt-get\n"
				      "[exec]\n"
				      "scope = paths\n"
				      "path = /srv\n"
				      "path = /home\n"
				      "trusted = /opt/app\n"
				      "match = content\n"
				      "loader = /opt/ld.so\n"
				      "[log]\n"
				      "allowed = write, exec\n"
				      "ratelimit_interval = 3600\n"
				      "ratelimit_burst = 10000\n");

	assert_int_equal(p->mode, SG_MODE_PERMISSIVE);
	assert_string_equal(p->baseline, "/srv/baseline");
	assert_list(&p->protect, (const char *[]){ "/etc", "/usr" }, 2);
	assert_int_equal(p->protect.lines[0], 6); /* lines follow the sort */
	assert_int_equal(p->protect.lines[1], 5);
	assert_list(&p->exclude, (const char *[]){ "/usr/local/var" }, 1);
	assert_list(&p->writers,
		    (const char *[]){ "/usr/bin/apt-get", "/usr/bin/dpkg" }, 2);
	assert_int_equal(p->exec_scope, SG_EXEC_SCOPE_PATHS);
	assert_list(&p->exec_paths, (const char *[]){ "/home", "/srv" }, 2);
	assert_list(&p->trusted, (const char *[]){ "/opt/app" }, 1);
	assert_int_equal(p->exec_match, SG_EXEC_MATCH_CONTENT);
	assert_list(&p->loaders, (const char *[]){ "/opt/ld.so" }, 1);
	assert_int_equal(p->log_allowed, SG_LOG_ALLOW_EXEC | SG_LOG_ALLOW_WRITE);
	assert_int_equal(p->ratelimit_interval_s, 3600);
	assert_int_equal(p->ratelimit_burst, 10000);
	sg_policy_free(p);
}

static void test_log_allowed(void **state)
{
	static const struct {
		const char *value;
		unsigned bits;
	} cases[] = {
		{ "none", 0 },
		{ "all", SG_LOG_ALLOW_ALL },
		{ "exec", SG_LOG_ALLOW_EXEC },
		{ "maintenance ,write", SG_LOG_ALLOW_MAINTENANCE | SG_LOG_ALLOW_WRITE },
		{ "exec,write,maintenance", SG_LOG_ALLOW_ALL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *text = NULL;
		struct sg_policy *p;

		assert_true(asprintf(&text, MINIMAL "[log]\nallowed = %s\n",
				     cases[i].value) >= 0);
		p = load_ok(text);
		assert_int_equal(p->log_allowed, cases[i].bits);
		sg_policy_free(p);
	}
}

/* One bad value in [log] (line 6 of the policy), and the message it gives. */
static void test_bad_values(void **state)
{
	static const char *const cases[][2] = {
		{ "allowed = exec,,write", BAD_ALLOWED "'exec,,write'" },
		{ "allowed = exec,", BAD_ALLOWED "'exec,'" },
		{ "allowed = ,exec", BAD_ALLOWED "',exec'" },
		{ "allowed = none, exec", BAD_ALLOWED "'none, exec'" },
		{ "allowed = all, write", BAD_ALLOWED "'all, write'" },
		{ "allowed = exec write", BAD_ALLOWED "'exec write'" },
		{ "allowed = EXEC", BAD_ALLOWED "'EXEC'" },
		{ "allowed = exec, write, exec", "'allowed' lists 'exec' twice" },
		{ "ratelimit_burst = +5", NOT_DECIMAL "'+5'" },
		{ "ratelimit_burst = -1", NOT_DECIMAL "'-1'" },
		{ "ratelimit_burst = 1e3", NOT_DECIMAL "'1e3'" },
		{ "ratelimit_burst = 5;x", NOT_DECIMAL "'5;x'" },
		{ "ratelimit_burst = 5 ;x", NULL },
		{ "ratelimit_burst = 10000", NULL },
		{ "ratelimit_burst = 010", NULL },
		{ "ratelimit_interval = 3600", NULL },
		{ "ratelimit_interval = 18446744073709551626",
		  "'ratelimit_interval' must be between 1 and 3600; "
		  "got 18446744073709551626" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		_cleanup_free_ char *text = NULL, *want = NULL, *msgs = NULL;

		assert_true(asprintf(&text, MINIMAL "[log]\n%s\n",
				     cases[i][0]) >= 0);
		if (!cases[i][1]) {
			sg_policy_free(load_ok(text));
			continue;
		}
		assert_true(asprintf(&want, "test.conf:6: %s\n", cases[i][1]) >=
			    0);
		msgs = load_bad(text, strlen(text));
		assert_string_equal(msgs, want);
	}
}

/* A line of n characters: "; xxx...", a comment. */
static char *comment_line(size_t n, const char *eol)
{
	char *line = malloc(n + strlen(eol) + 1);

	assert_non_null(line);
	memset(line, 'x', n);
	memcpy(line, "; ", 2);
	strcpy(line + n, eol);
	return line;
}

static void test_line_length(void **state)
{
	_cleanup_free_ char *ok = comment_line(199, "\n");
	_cleanup_free_ char *ok_crlf = comment_line(199, "\r\n");
	_cleanup_free_ char *long1 = comment_line(200, "\n");
	_cleanup_free_ char *long2 = comment_line(5000, "\n");
	_cleanup_free_ char *text = NULL, *msgs = NULL, *value = NULL;
	struct sg_policy *p;

	/* 199 characters fit inih's 200-byte buffer, with either line end */
	assert_true(asprintf(&text, "%s%s" MINIMAL, ok, ok_crlf) >= 0);
	sg_policy_free(load_ok(text));
	free(text);

	/* ... and a 199-character value is kept whole */
	value = comment_line(199 - strlen("path = "), "");
	memset(value, 'a', strlen(value));
	value[0] = '/';
	assert_true(asprintf(&text, MINIMAL "path = %s\n", value) >= 0);
	p = load_ok(text);
	assert_string_equal(p->protect.paths[0], value);
	sg_policy_free(p);
	free(text);

	/* longer lines are errors, and the lines after them still count */
	assert_true(asprintf(&text, "%s%s" MINIMAL "bad\n", long1, long2) >= 0);
	msgs = load_bad(text, strlen(text));
	assert_string_equal(msgs, "test.conf:1: line longer than 199 characters\n"
				  "test.conf:2: line longer than 199 characters\n"
				  "test.conf:7: syntax error\n");
}

/* inih skips a UTF-8 byte order mark; CRLF ends are covered by crlf.conf. */
/*
 * inih skips a byte-order mark and every isspace() byte before a header,
 * the header check and an editor do not: a file read two ways is refused.
 */
static void test_bom(void **state)
{
	static const char text[] = "\xef\xbb\xbf" MINIMAL;
	_cleanup_free_ char *msgs = load_bad(text, sizeof(text) - 1);

	assert_string_equal(
		msgs,
		"test.conf:1: the file starts with a byte-order mark: save it without one\n"
		"test.conf:2: key 'mode' outside any section\n"
		"test.conf: missing required key 'mode' in [sealguard]\n");
}

static void test_control_before_header(void **state)
{
	static const char text[] = MINIMAL "\f[listen]\n";
	_cleanup_free_ char *msgs = load_bad(text, sizeof(text) - 1);

	assert_string_equal(msgs,
			    "test.conf:5: control character 0x0c in column 1\n");
}

/*
 * Many thousand lines are checked in O(n log n): every repeat and every
 * nesting still found at its line, and each named with the earliest line
 * it conflicts with (the old pairwise checks took a minute for this).
 */
static void test_many_lines(void **state)
{
	enum { N = 60000 };
	char *text = NULL, *expect = NULL;
	size_t tlen = 0, elen = 0;
	FILE *t = open_memstream(&text, &tlen), *e = open_memstream(&expect, &elen);
	_cleanup_free_ char *msgs = NULL;

	assert_non_null(t);
	assert_non_null(e);
	fprintf(t, "[sealguard]\nmode = enforce\n[protect]\n");
	for (unsigned i = 0; i < N; i++)
		fprintf(t, "path = /p/%u\n", i);
	fprintf(t, "path = /p/7\npath = /p/9/x\npath = /p\n");
	fprintf(t, "[exec]\n");
	for (unsigned i = 0; i < N; i++)
		fprintf(t, "trusted = /t/%u\n", i);
	fprintf(t, "trusted = /p/5/y\n");
	assert_int_equal(fclose(t), 0);
	fprintf(e, "test.conf:%u: duplicate [protect] path '/p/7' (first at line 11)\n",
		N + 4);
	fprintf(e, "test.conf:%u: [protect] path '/p/9/x' overlaps '/p/9' at line 13\n",
		N + 5);
	fprintf(e, "test.conf:%u: [protect] path '/p' overlaps '/p/0' at line 4\n",
		N + 6);
	fprintf(e, "test.conf:%u: [exec] trusted '/p/5/y' overlaps [protect] path '/p' at line %u\n",
		2 * N + 8, N + 6);
	fprintf(e, "test.conf:%u: [exec] trusted '/p/5/y' overlaps [protect] path '/p/5' at line 9\n",
		2 * N + 8);
	assert_int_equal(fclose(e), 0);
	msgs = load_bad(text, tlen);
	assert_string_equal(msgs, expect);
	free(text);
	free(expect);
}

static void test_nul_byte(void **state)
{
	static const char text[] = "[sealguard]\nmode = enforce\0 junk\n"
				   "[protect]\npath = /usr\n";
	_cleanup_free_ char *msgs = load_bad(text, sizeof(text) - 1);

	assert_string_equal(msgs,
			    "test.conf:2: line contains a NUL byte\n"
			    "test.conf: missing required key 'mode' in [sealguard]\n");
}

/*
 * A line with a control character is refused before it is parsed, so a
 * terminal escape never reaches a message; values are echoed escaped
 * all the same (the tab, the one control character a line may hold).
 */
static void test_message_escaping(void **state)
{
	static const char text[] = MINIMAL "\x1b[31mkey = 1\n"
					   "[log]\nallowed = exec\tx\n";
	_cleanup_free_ char *msgs = load_bad(text, sizeof(text) - 1);

	assert_string_equal(msgs,
			    "test.conf:5: control character 0x1b in column 1\n"
			    "test.conf:7: " BAD_ALLOWED "'exec\\x09x'\n");
}

static void test_protects(void **state)
{
	struct sg_policy *p = load_ok("[sealguard]\nmode = enforce\n"
				      "[protect]\npath = /usr\npath = /etc\n"
				      "exclude = /usr/local/var\n");

	assert_true(sg_policy_protects(p, "/usr"));
	assert_true(sg_policy_protects(p, "/usr/bin/ls"));
	assert_true(sg_policy_protects(p, "/etc"));
	assert_true(sg_policy_protects(p, "/usr/local"));
	assert_true(sg_policy_protects(p, "/usr/local/varx"));
	assert_false(sg_policy_protects(p, "/usrx"));
	assert_false(sg_policy_protects(p, "/usr-x/bin"));
	assert_false(sg_policy_protects(p, "/us"));
	assert_false(sg_policy_protects(p, "/"));
	assert_false(sg_policy_protects(p, "/etcetera"));
	assert_false(sg_policy_protects(p, "/usr/local/var"));
	assert_false(sg_policy_protects(p, "/usr/local/var/lib/x"));
	sg_policy_free(p);
}

static void test_protects_root(void **state)
{
	struct sg_policy *p = load_ok("[sealguard]\nmode = enforce\n"
				      "[protect]\npath = /\nexclude = /tmp\n"
				      "exclude = /var\n");

	assert_true(sg_policy_protects(p, "/"));
	assert_true(sg_policy_protects(p, "/usr/bin/ls"));
	assert_true(sg_policy_protects(p, "/tmpx"));
	assert_true(sg_policy_protects(p, "/variable"));
	assert_false(sg_policy_protects(p, "/tmp"));
	assert_false(sg_policy_protects(p, "/tmp/x"));
	assert_false(sg_policy_protects(p, "/var/lib/x"));
	assert_true(sg_policy_excludes(p, "/tmp/x"));
	assert_false(sg_policy_excludes(p, "/"));
	sg_policy_free(p);
}

static void test_checks_exec(void **state)
{
	struct sg_policy *local = load_ok(MINIMAL);
	struct sg_policy *paths = load_ok(MINIMAL "[exec]\nscope = paths\n"
					  "path = /srv\npath = /opt/app\n");

	assert_true(sg_policy_checks_exec(local, "/tmp/x"));
	assert_true(sg_policy_checks_exec(local, "/"));
	assert_true(sg_policy_checks_exec(paths, "/srv"));
	assert_true(sg_policy_checks_exec(paths, "/srv/bin/x"));
	assert_true(sg_policy_checks_exec(paths, "/opt/app/run"));
	assert_false(sg_policy_checks_exec(paths, "/srvx/bin"));
	assert_false(sg_policy_checks_exec(paths, "/opt"));
	assert_false(sg_policy_checks_exec(paths, "/opt/application"));
	assert_false(sg_policy_checks_exec(paths, "/tmp/x"));
	sg_policy_free(local);
	sg_policy_free(paths);
}

static void test_excludes(void **state)
{
	struct sg_policy *p = load_ok(MINIMAL "exclude = /usr/local\n"
					      "exclude = /usr/share/doc\n");
	struct sg_policy *none = load_ok(MINIMAL);

	assert_true(sg_policy_excludes(p, "/usr/local"));
	assert_true(sg_policy_excludes(p, "/usr/local/bin/x"));
	assert_true(sg_policy_excludes(p, "/usr/share/doc/README"));
	assert_false(sg_policy_excludes(p, "/usr/localx"));
	assert_false(sg_policy_excludes(p, "/usr/share"));
	assert_false(sg_policy_excludes(p, "/usr"));
	assert_false(sg_policy_excludes(none, "/usr/local"));
	sg_policy_free(p);
	sg_policy_free(none);
}

static void test_baseline_roots(void **state)
{
	struct sg_policy *p = load_ok("[sealguard]\nmode = enforce\n"
				      "[protect]\npath = /usr\npath = /etc\n"
				      "[exec]\ntrusted = /opt/app\n"
				      "trusted = /srv/bin\n");
	struct sg_policy *min = load_ok(MINIMAL);
	_cleanup_free_ const char **roots = NULL, **one = NULL;
	size_t n = 0;

	roots = sg_policy_baseline_roots(p, &n);
	assert_non_null(roots);
	assert_int_equal(n, 4);
	assert_string_equal(roots[0], "/etc");
	assert_string_equal(roots[1], "/opt/app");
	assert_string_equal(roots[2], "/srv/bin");
	assert_string_equal(roots[3], "/usr");
	assert_ptr_equal(roots[0], p->protect.paths[0]); /* borrowed */
	one = sg_policy_baseline_roots(min, &n);
	assert_non_null(one);
	assert_int_equal(n, 1);
	assert_string_equal(one[0], "/usr");
	sg_policy_free(p);
	sg_policy_free(min);
}

static void test_mode_name(void **state)
{
	assert_string_equal(sg_mode_name(SG_MODE_ENFORCE), "enforce");
	assert_string_equal(sg_mode_name(SG_MODE_PERMISSIVE), "permissive");
	assert_string_equal(sg_mode_name((enum sg_mode)42), "unknown");
	sg_policy_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_policy),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_not_regular),
		cmocka_unit_test(test_fifo_refused),
		cmocka_unit_test(test_writable_by_others),
		cmocka_unit_test(test_errors_appended),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_log_allowed),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_line_length),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_control_before_header),
		cmocka_unit_test(test_many_lines),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_message_escaping),
		cmocka_unit_test(test_protects),
		cmocka_unit_test(test_protects_root),
		cmocka_unit_test(test_checks_exec),
		cmocka_unit_test(test_excludes),
		cmocka_unit_test(test_baseline_roots),
		cmocka_unit_test(test_mode_name),
	};
	int failed = cmocka_run_group_tests_name("policy", tests, NULL, NULL);

	return failed + run_golden() ? 1 : 0;
}
