/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_baseline.c - hashing, the baseline file format, its atomic writer,
 * the look-ups, the build and the drift comparison.
 *
 * Everything the tests read is made here, from strings or in a fresh
 * mkdtemp() directory under $TMPDIR (default /tmp): no fixture files, no
 * dependence on the current directory. The expected SHA-256 values are
 * the published test vectors (FIPS 180-2 "abc" and one million 'a') and
 * values from sha256sum(1), not from the code under test.
 *
 * Unreadable files: root reads everything, so when run as root the tests
 * that need a permission error fork a child that drops to uid/gid 65534
 * (nobody) first. The child reports through its exit status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "baseline.h"
#include "hash.h"
#include "util.h"

#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SHA_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA_HELLO "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
#define SHA_MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
#define SHA_X "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"

#define HDR "sealguard-baseline 2\n"
#define ROOTS HDR "root /usr\nexclude /usr/local/var\n"
#define F(sha, path) "f " sha " 6 0644 0 0 - " path "\n"

#define NOBODY 65534

/* The one message for a header of another format version. */
#define OLD_FORMAT(v)                                                          \
	"baseline format " v ", this sealguard reads only format 2: rebuild "  \
	"the baseline with 'sealguard baseline build' (and sign it again if it " \
	"is signed)"

/* Stands for "not written": loads must leave *ret alone on failure. */
static struct sg_baseline untouched;

/* ---- helpers ---- */

static char *make_tmpdir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	assert_true(asprintf(&dir, "%s/sg-test-baseline.XXXXXX",
			     tmp && *tmp ? tmp : "/tmp") >= 0);
	assert_non_null(mkdtemp(dir));
	return dir;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

static void rm_rf(char *dir)
{
	assert_int_equal(nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS), 0);
	free(dir);
}

static char *join(const char *dir, const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", dir, name) >= 0);
	return p;
}

static void write_file(const char *path, const void *data, size_t len,
		       mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

static void write_str(const char *dir, const char *name, const char *s)
{
	_cleanup_free_ char *p = join(dir, name);

	write_file(p, s, strlen(s), 0644);
}

/* The whole file into a new string (NUL-terminated), length in *len. */
static char *slurp(const char *path, size_t *len)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	return buf;
}

static size_t count_dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int load_str(const char *text, struct sg_baseline **ret,
		    struct errlist *errs)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	r = sg_baseline_load_stream(f, "t", ret, errs);
	fclose(f);
	return r;
}

static struct sg_baseline *load_ok(const char *text)
{
	struct sg_baseline *b = NULL;
	struct errlist errs = {};
	int r = load_str(text, &b, &errs);

	errlist_print(&errs, stderr, "unexpected");
	assert_int_equal(r, 0);
	assert_int_equal(errs.n, 0);
	errlist_free(&errs);
	return b;
}

static char *write_mem(const struct sg_baseline *b)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	assert_int_equal(sg_baseline_write_stream(b, f), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void hex_of(const unsigned char sha[SG_SHA256_LEN],
		   char out[SG_SHA256_HEX_LEN + 1])
{
	sg_hex_encode(sha, SG_SHA256_LEN, out);
}

/* Run fn in a child, as nobody when we are root; its exit status. */
static int run_child(int (*fn)(void *), void *arg, bool drop)
{
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		if (drop && geteuid() == 0 &&
		    (setgroups(0, NULL) < 0 || setgid(NOBODY) < 0 ||
		     setuid(NOBODY) < 0))
			_exit(100);
		_exit(fn(arg));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* ---- hashing ---- */

static void test_hex(void **state)
{
	const unsigned char in[] = { 0x00, 0x7f, 0x80, 0xff, 0x5a };
	unsigned char out[5] = {}, keep[5] = { 1, 2, 3, 4, 5 };
	char hex[11];

	sg_hex_encode(in, sizeof(in), hex);
	assert_string_equal(hex, "007f80ff5a");
	assert_int_equal(sg_hex_decode("007F80fF5a", 5, out), 0);
	assert_memory_equal(out, in, sizeof(in));
	memcpy(out, keep, sizeof(out));
	assert_int_equal(sg_hex_decode("007f80ff5", 5, out), -EINVAL);
	assert_int_equal(sg_hex_decode("007f80ff5g", 5, out), -EINVAL);
	assert_int_equal(sg_hex_decode(" 07f80ff5a", 5, out), -EINVAL);
	/* out is written only on success */
	assert_memory_equal(out, keep, sizeof(out));
}

static void check_file_hash(const char *dir, const void *data, size_t len,
			    const char *want)
{
	_cleanup_free_ char *p = join(dir, "h");
	_cleanup_close_ int fd = -1;
	unsigned char sha[SG_SHA256_LEN];
	char hex[SG_SHA256_HEX_LEN + 1];
	uint64_t size = 0;

	write_file(p, data, len, 0600);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	/* A moved offset must not matter, and must stay where it was. */
	assert_int_equal(lseek(fd, len / 2, SEEK_SET), (off_t)(len / 2));
	assert_int_equal(sg_sha256_fd(fd, sha, &size), 0);
	hex_of(sha, hex);
	assert_string_equal(hex, want);
	assert_int_equal(size, len);
	assert_int_equal(lseek(fd, 0, SEEK_CUR), (off_t)(len / 2));
}

static void test_sha256_fd(void **state)
{
	char *dir = make_tmpdir();
	char *million = malloc(1000000);

	assert_int_equal(sg_hash_init(), 0);
	assert_int_equal(sg_hash_init(), 0); /* idempotent */
	check_file_hash(dir, "", 0, SHA_EMPTY);
	check_file_hash(dir, "abc", 3, SHA_ABC);
	check_file_hash(dir, "hello\n", 6, SHA_HELLO);
	/* several 128 KiB reads */
	assert_non_null(million);
	memset(million, 'a', 1000000);
	check_file_hash(dir, million, 1000000, SHA_MILLION_A);
	free(million);
	rm_rf(dir);
}

static void test_sha256_bad_fd(void **state)
{
	unsigned char sha[SG_SHA256_LEN];
	int fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(sg_sha256_fd(fd, sha, NULL), -EISDIR);
	close(fd);
	assert_int_equal(sg_sha256_fd(-1, sha, NULL), -EBADF);
}

/* ---- escaping ---- */

static void check_escape(const char *path, const char *want)
{
	_cleanup_free_ char *esc = sg_path_escape(path);
	_cleanup_free_ char *back = NULL;

	assert_non_null(esc);
	assert_string_equal(esc, want);
	back = sg_path_unescape(esc);
	assert_non_null(back);
	assert_string_equal(back, path);
}

static void test_escape_roundtrip(void **state)
{
	char all[256], *p = all;

	check_escape("/usr/bin/ls", "/usr/bin/ls");
	check_escape("/a b", "/a\\x20b");
	check_escape("/new\nline", "/new\\x0aline");
	check_escape("/back\\slash", "/back\\x5cslash");
	check_escape("/tab\there", "/tab\\x09here");
	check_escape("/del\x7f", "/del\\x7f");
	check_escape("/caf\xc3\xa9", "/caf\\xc3\\xa9");
	check_escape("/\x80\xff", "/\\x80\\xff");
	check_escape("/~!\"#$%&'()*+,-.:;<=>?@[]^_`{|}",
		     "/~!\"#$%&'()*+,-.:;<=>?@[]^_`{|}");
	check_escape("", "");

	/* every byte but NUL survives the trip */
	*p++ = '/';
	for (int c = 1; c < 256; c++)
		if (c != '/')
			*p++ = (char)c;
	*p = '\0';
	{
		_cleanup_free_ char *esc = sg_path_escape(all);
		_cleanup_free_ char *back = NULL;

		assert_non_null(esc);
		for (const char *s = esc; *s; s++)
			assert_true(*s > ' ' && *s < 0x7f);
		back = sg_path_unescape(esc);
		assert_non_null(back);
		assert_string_equal(back, all);
	}
}

static void check_unescape_bad(const char *s)
{
	errno = 0;
	assert_null(sg_path_unescape(s));
	assert_int_equal(errno, EINVAL);
}

static void test_unescape_rejects(void **state)
{
	check_unescape_bad("/a b");       /* raw space */
	check_unescape_bad("/a\nb");      /* raw newline */
	check_unescape_bad("/\xc3\xa9");  /* raw high bytes */
	check_unescape_bad("/a\\");       /* dangling backslash */
	check_unescape_bad("/a\\x2");     /* short escape */
	check_unescape_bad("/a\\x2g");    /* not hex */
	check_unescape_bad("/a\\X20");    /* not \x */
	check_unescape_bad("/a\\x0A");    /* upper-case hex: not canonical */
	check_unescape_bad("/a\\x41");    /* 'A' needs no escape */
	check_unescape_bad("/a\\x00");    /* NUL cannot be in a path */
}

/* ---- reading ---- */

static void test_load_ok(void **state)
{
	struct sg_baseline *b = load_ok(
		HDR "root /opt/app\nroot /usr\nexclude /usr/local/var\n"
		"f " SHA_HELLO " 6 4755 0 0 - /opt/app/a\\x20b\n"
		"f " SHA_ABC " 3 0644 1000 4294967295 - /usr/bin/x\n"
		"f " SHA_EMPTY " 18446744073709551615 0000 0 0 - /usr/local/varx\n");
	char hex[SG_SHA256_HEX_LEN + 1];

	assert_int_equal(b->nroots, 2);
	assert_string_equal(b->roots[0], "/opt/app");
	assert_string_equal(b->roots[1], "/usr");
	assert_int_equal(b->nexcludes, 1);
	assert_string_equal(b->excludes[0], "/usr/local/var");
	assert_int_equal(b->n, 3);
	assert_string_equal(b->entries[0].path, "/opt/app/a b");
	hex_of(b->entries[0].sha256, hex);
	assert_string_equal(hex, SHA_HELLO);
	assert_int_equal(b->entries[0].size, 6);
	assert_int_equal(b->entries[0].mode, 04755);
	assert_int_equal(b->entries[1].uid, 1000);
	assert_int_equal(b->entries[1].gid, UINT32_MAX);
	assert_int_equal(b->entries[2].size, UINT64_MAX);
	assert_int_equal(b->entries[2].mode, 0);
	assert_non_null(b->by_hash);
	/* a loaded baseline keeps its paths in one pool (strpool.h) */
	assert_true(sg_strpool_bytes(&b->paths) > 0);
	assert_ptr_equal(b->entries[1].path,
			 b->entries[0].path + strlen(b->entries[0].path) + 1);
	sg_baseline_free(b);

	/* no entries is a valid (empty) baseline */
	b = load_ok(HDR "root /srv\n");
	assert_int_equal(b->n, 0);
	assert_false(sg_baseline_has_hash(b, (unsigned char[32]){}));
	assert_null(sg_baseline_find(b, "/srv/x"));
	sg_baseline_free(b);
}

struct bad_case {
	const char *text;
	const char *error; /* the first message, exactly */
};

static const struct bad_case bad_cases[] = {
	{ "", "t:1: missing header 'sealguard-baseline 2' (empty file)" },
	{ "root /usr\n", "t:1: missing header 'sealguard-baseline 2'" },
	{ "sealguard-baseline 1\nroot /usr\n",
	  "t:1: " OLD_FORMAT("1") },
	{ "sealguard-baseline 3\nroot /usr\n",
	  "t:1: " OLD_FORMAT("3") },
	{ "sealguard-baseline \x01\nroot /usr\n",
	  "t:1: " OLD_FORMAT("?") },
	{ "sealguard-baselin 2\nroot /usr\n",
	  "t:1: missing header 'sealguard-baseline 2'" },
	{ ROOTS "f " SHA_HELLO "0 6 0644 0 0 - /usr/a\n",
	  "t:4: bad SHA-256 (want 64 lower-case hex digits)" },
	{ ROOTS "f 5891B5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 6 0644 0 0 - /usr/a\n",
	  "t:4: bad SHA-256 (want 64 lower-case hex digits)" },
	{ ROOTS "f 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be0z 6 0644 0 0 - /usr/a\n",
	  "t:4: bad SHA-256 (want 64 lower-case hex digits)" },
	{ ROOTS "f " SHA_HELLO " 06 0644 0 0 - /usr/a\n",
	  "t:4: bad size (want a decimal number)" },
	{ ROOTS "f " SHA_HELLO " -6 0644 0 0 - /usr/a\n",
	  "t:4: bad size (want a decimal number)" },
	{ ROOTS "f " SHA_HELLO " 18446744073709551616 0644 0 0 - /usr/a\n",
	  "t:4: bad size (want a decimal number)" },
	{ ROOTS "f " SHA_HELLO " 6 644 0 0 - /usr/a\n",
	  "t:4: bad mode (want four octal digits)" },
	{ ROOTS "f " SHA_HELLO " 6 0648 0 0 - /usr/a\n",
	  "t:4: bad mode (want four octal digits)" },
	{ ROOTS "f " SHA_HELLO " 6 10644 0 0 - /usr/a\n",
	  "t:4: bad mode (want four octal digits)" },
	{ ROOTS "f " SHA_HELLO " 6 0644 root 0 - /usr/a\n",
	  "t:4: bad uid (want a decimal number)" },
	{ ROOTS "f " SHA_HELLO " 6 0644 4294967296 0 - /usr/a\n",
	  "t:4: bad uid (want a decimal number)" },
	{ ROOTS "f " SHA_HELLO " 6 0644 0 +1 - /usr/a\n",
	  "t:4: bad gid (want a decimal number)" },
	{ ROOTS "q /usr/a\n", "t:4: unknown record type 'q'" },
	{ ROOTS "d /usr/a\n", "t:4: 'd' record needs 6 fields separated by one space" },
	{ ROOTS "f " SHA_HELLO " 6 0644 0 0 /usr/a\n", /* format 1's f */
	  "t:4: 'f' record needs 8 fields separated by one space" },
	{ ROOTS "d 0755 0 0 x /usr/a\n",
	  "t:4: bad xattrs (want '-' or name=hex,... of the recorded names, in order)" },
	{ ROOTS "d 0755 0 0 user.x=00 /usr/a\n",
	  "t:4: bad xattrs (want '-' or name=hex,... of the recorded names, in order)" },
	{ ROOTS "d 0755 0 0 security.capability=0 /usr/a\n", /* odd hex */
	  "t:4: bad xattrs (want '-' or name=hex,... of the recorded names, in order)" },
	{ ROOTS "d 0755 0 0 security.capability=0A /usr/a\n", /* upper case */
	  "t:4: bad xattrs (want '-' or name=hex,... of the recorded names, in order)" },
	{ ROOTS "d 0755 0 0 security.selinux=00,security.capability=00 /usr/a\n",
	  "t:4: bad xattrs (want '-' or name=hex,... of the recorded names, in order)" },
	{ ROOTS "d 0755 0 0 security.capability=00,security.capability=00 /usr/a\n",
	  "t:4: bad xattrs (want '-' or name=hex,... of the recorded names, in order)" },
	{ ROOTS "d 0755 0 0 security.capability=00, /usr/a\n",
	  "t:4: bad xattrs (want '-' or name=hex,... of the recorded names, in order)" },
	{ ROOTS "d 0755 0 0 security.capability= /usr/a\n",
	  "t:4: bad xattrs (want '-' or name=hex,... of the recorded names, in order)" },
	{ ROOTS "c 0600 0 0 x 1 - /usr/null\n", "t:4: bad major (want a decimal number)" },
	{ ROOTS "b 0600 0 0 8 01 - /usr/sda\n", "t:4: bad minor (want a decimal number)" },
	{ ROOTS "l 0 0 - /usr/t\\x41 /usr/a\n",
	  "t:4: bad target escape (only \\xhh for bytes outside 0x21..0x7e and '\\')" },
	{ ROOTS "l 0 0 - t /usr/a b\n", "t:4: 'l' record needs 6 fields separated by one space" },
	{ ROOTS "p 0644 0 0 - /etc/fifo\n",
	  "t:4: path '/etc/fifo' is outside the roots or excluded" },
	{ ROOTS "d 0755 0 0 - /usr/b\n" F(SHA_HELLO, "/usr/a"),
	  "t:5: path '/usr/a' is out of order (paths must be sorted)" },
	{ ROOTS F(SHA_HELLO, "/usr/a") "d 0755 0 0 - /usr/a\n",
	  "t:5: duplicate path '/usr/a'" },
	{ ROOTS "\n", "t:4: empty line" },
	{ ROOTS F(SHA_HELLO, "/usr/b") F(SHA_HELLO, "/usr/a"),
	  "t:5: path '/usr/a' is out of order (paths must be sorted)" },
	{ ROOTS F(SHA_HELLO, "/usr/a") F(SHA_HELLO, "/usr/a"),
	  "t:5: duplicate path '/usr/a'" },
	{ ROOTS F(SHA_HELLO, "/usr/a") "f " SHA_HELLO " 6 0644 0 0 - /usr/b",
	  "t:5: truncated line (no newline at end of file)" },
	{ ROOTS F(SHA_HELLO, "usr/a"),
	  "t:4: path 'usr/a' is not absolute and normalised" },
	{ ROOTS F(SHA_HELLO, "/usr/./a"),
	  "t:4: path '/usr/./a' is not absolute and normalised" },
	{ ROOTS F(SHA_HELLO, "/usr//a"),
	  "t:4: path '/usr//a' is not absolute and normalised" },
	{ ROOTS F(SHA_HELLO, "/usr/a/"),
	  "t:4: path '/usr/a/' is not absolute and normalised" },
	{ ROOTS F(SHA_HELLO, "/usr/a\\x41"),
	  "t:4: bad path escape (only \\xhh for bytes outside 0x21..0x7e and '\\')" },
	{ ROOTS F(SHA_HELLO, "/etc/passwd"),
	  "t:4: path '/etc/passwd' is outside the roots or excluded" },
	{ ROOTS F(SHA_HELLO, "/usr/local/var/db"),
	  "t:4: path '/usr/local/var/db' is outside the roots or excluded" },
	{ ROOTS "f " SHA_HELLO " 6 0644 0 0 - /usr/a b\n",
	  "t:4: 'f' record needs 8 fields separated by one space" },
	{ ROOTS "f " SHA_HELLO "  6 0644 0 0 - /usr/a\n",
	  "t:4: 'f' record needs 8 fields separated by one space" },
	{ ROOTS "root\n", "t:4: 'root' record needs 2 fields separated by one space" },
	{ ROOTS F(SHA_HELLO, "/usr/a") "root /var\n",
	  "t:5: 'root' record after 'entry' records (order: root, exclude, entries)" },
	{ HDR "root /usr\nroot /usr/lib\n",
	  "t:3: root '/usr/lib' lies under an earlier root" },
	{ HDR "root /usr\nroot /etc\n",
	  "t:3: path '/etc' is out of order (paths must be sorted)" },
	{ HDR "root /usr\nexclude /var/tmp\n",
	  "t:3: exclude '/var/tmp' lies under no root" },
	{ HDR, "t: no 'root' record" },
	{ HDR "root /usr\nf " SHA_HELLO " 6 0644 0 0 - /usr/a\0b\n",
	  "t:3: NUL byte in line" },
};

static void check_bad(const struct bad_case *c, size_t len)
{
	struct sg_baseline *b = &untouched;
	struct errlist errs = {};
	FILE *f = fmemopen((void *)c->text, len, "r");
	int r;

	assert_non_null(f);
	r = sg_baseline_load_stream(f, "t", &b, &errs);
	fclose(f);
	if (r != -EINVAL || errs.n == 0 || !streq(errs.msgs[0], c->error)) {
		print_error("input:\n%s\nwant: %s\n", c->text, c->error);
		errlist_print(&errs, stderr, "got");
	}
	assert_int_equal(r, -EINVAL);
	assert_ptr_equal(b, &untouched);
	assert_true(errs.n > 0);
	assert_string_equal(errs.msgs[0], c->error);
	errlist_free(&errs);
}

static void test_load_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = strlen(c->text);

		/* the NUL case: its length runs past the embedded NUL */
		if (strstr(c->error, "NUL byte"))
			len += strlen(c->text + len + 1) + 1;
		check_bad(c, len);
	}
}

static void test_load_collects_all(void **state)
{
	const char *text = ROOTS F(SHA_HELLO, "/usr/a")
		"f " SHA_HELLO " x 0644 0 0 - /usr/b\n"
		F(SHA_HELLO, "/usr/c")
		"bogus\n"
		F(SHA_HELLO, "/usr/c")
		"f " SHA_HELLO " 6 0644 0 0 - /usr/d";
	struct sg_baseline *b = &untouched;
	struct errlist errs = {};

	assert_int_equal(load_str(text, &b, &errs), -EINVAL);
	assert_ptr_equal(b, &untouched);
	assert_int_equal(errs.n, 4);
	assert_string_equal(errs.msgs[0], "t:5: bad size (want a decimal number)");
	assert_string_equal(errs.msgs[1], "t:7: unknown record type 'bogus'");
	assert_string_equal(errs.msgs[2], "t:8: duplicate path '/usr/c'");
	assert_string_equal(errs.msgs[3],
			    "t:9: truncated line (no newline at end of file)");
	errlist_free(&errs);
}

static void test_load_gives_up(void **state)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct sg_baseline *b = &untouched;
	struct errlist errs = {};

	assert_non_null(f);
	fputs(ROOTS, f);
	for (int i = 0; i < 1000; i++)
		fputs("junk\n", f);
	fclose(f);
	assert_int_equal(load_str(text, &b, &errs), -EINVAL);
	assert_ptr_equal(b, &untouched);
	/* bounded, and says why it stopped */
	assert_true(errs.n > 10 && errs.n < 200);
	assert_string_equal(errs.msgs[errs.n - 1], "t: too many errors, giving up");
	errlist_free(&errs);
	free(text);
}

static void test_load_file(void **state)
{
	char *dir = make_tmpdir();
	_cleanup_free_ char *path = join(dir, "baseline");
	_cleanup_free_ char *missing = join(dir, "missing");
	struct sg_baseline *b = &untouched;
	struct errlist errs = {};
	char want[512];

	write_file(path, ROOTS, strlen(ROOTS), 0600);
	assert_int_equal(sg_baseline_load(path, &b, &errs), 0);
	assert_int_equal(b->nroots, 1);
	sg_baseline_free(b);

	b = &untouched;
	/* an unreadable file: the errno only, the caller words it */
	assert_int_equal(sg_baseline_load(missing, &b, &errs), -ENOENT);
	assert_ptr_equal(b, &untouched);
	assert_int_equal(errs.n, 0);

	/* a baseline others could have written is not trusted */
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(sg_baseline_load(path, &b, &errs), -EPERM);
	assert_ptr_equal(b, &untouched);
	snprintf(want, sizeof(want),
		 "%s: writable by group or others (mode 0666): refusing to trust it",
		 path);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msgs[0], want);
	errlist_free(&errs);

	/* file:line names the path it was loaded from */
	write_file(path, HDR "root usr\n", strlen(HDR "root usr\n"), 0600);
	assert_int_equal(sg_baseline_load(path, &b, &errs), -EINVAL);
	snprintf(want, sizeof(want),
		 "%s:2: path 'usr' is not absolute and normalised", path);
	assert_string_equal(errs.msgs[0], want);
	errlist_free(&errs);
	rm_rf(dir);
}

/* ---- writing ---- */

static const char roundtrip_text[] =
	HDR "root /opt/app\nroot /usr\nexclude /usr/local/var\n"
	"exclude /usr/share/doc\n"
	"f " SHA_HELLO " 6 4755 0 0 - /opt/app/a\\x20b\\x0ac\n"
	"f " SHA_ABC " 3 0644 1000 1000 - /usr/back\\x5cslash\n"
	"f " SHA_EMPTY " 0 0600 0 0 - /usr/caf\\xc3\\xa9\n"
	"f " SHA_X " 1 0755 0 50 - /usr/local/varx\n";

static void test_write_read_roundtrip(void **state)
{
	struct sg_baseline *b = load_ok(roundtrip_text), *again = NULL;
	char *dir = make_tmpdir();
	_cleanup_free_ char *path = join(dir, "baseline");
	_cleanup_free_ char *text = write_mem(b);
	_cleanup_free_ char *file = NULL;
	struct errlist errs = {};
	struct stat st;
	size_t len;

	assert_string_equal(text, roundtrip_text);
	assert_int_equal(sg_baseline_write(b, path), 0);
	file = slurp(path, &len);
	assert_int_equal(len, strlen(roundtrip_text));
	assert_memory_equal(file, roundtrip_text, len);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_dir_entries(dir), 1); /* no temp file left */

	/* replacing an existing file */
	assert_int_equal(sg_baseline_write(b, path), 0);
	assert_int_equal(count_dir_entries(dir), 1);
	assert_int_equal(sg_baseline_load(path, &again, &errs), 0);
	assert_int_equal(again->n, b->n);
	sg_baseline_free(again);
	sg_baseline_free(b);
	rm_rf(dir);
}

static void test_write_refuses_invalid(void **state)
{
	struct sg_baseline *b = load_ok(roundtrip_text);
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	char *tmp;

	assert_non_null(f);
	/* unsorted: the reader would refuse it, so the writer does */
	tmp = b->entries[0].path;
	b->entries[0].path = b->entries[1].path;
	b->entries[1].path = tmp;
	assert_int_equal(sg_baseline_write_stream(b, f), -EINVAL);
	assert_int_equal(sg_baseline_write(b, "/nonexistent/x"), -EINVAL);
	fclose(f);
	free(buf);
	sg_baseline_free(b);
}

struct write_arg {
	const struct sg_baseline *b;
	const char *path;
	int want;
	bool limit_size;
};

static int child_write(void *userdata)
{
	const struct write_arg *a = userdata;

	if (a->limit_size) {
		struct rlimit rl = { 100, 100 };

		/* the write then fails with EFBIG part way */
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			return 101;
	}
	return sg_baseline_write(a->b, a->path) == a->want ? 0 : 1;
}

static void test_atomic_write_failures(void **state)
{
	struct sg_baseline *b = load_ok(roundtrip_text);
	char *dir = make_tmpdir();
	_cleanup_free_ char *path = join(dir, "baseline");
	_cleanup_free_ char *sub = join(dir, "target");
	const char old[] = "old contents\n";
	struct write_arg a = { .b = b, .path = path };
	_cleanup_free_ char *now = NULL;

	write_file(path, old, strlen(old), 0600);

	/* an unwritable directory (as nobody when root: root writes anyway) */
	assert_int_equal(chmod(dir, 0755), 0);
	if (geteuid() != 0)
		assert_int_equal(chmod(dir, 0555), 0);
	a.want = -EACCES;
	assert_int_equal(run_child(child_write, &a, true), 0);
	assert_int_equal(chmod(dir, 0755), 0);
	now = slurp(path, NULL);
	assert_string_equal(now, old);
	free(now);
	assert_int_equal(count_dir_entries(dir), 1);

	/* the write itself fails: the temp file goes, the old file stays */
	a.want = -EFBIG;
	a.limit_size = true;
	assert_int_equal(run_child(child_write, &a, false), 0);
	now = slurp(path, NULL);
	assert_string_equal(now, old);
	assert_int_equal(count_dir_entries(dir), 1);

	/* the rename fails (target is a directory): no temp file left */
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(sg_baseline_write(b, sub), -EISDIR);
	assert_int_equal(count_dir_entries(dir), 2);

	/* a missing directory */
	assert_int_equal(sg_baseline_write(b, "/nonexistent-sg/baseline"),
			 -ENOENT);
	sg_baseline_free(b);
	rm_rf(dir);
}

/* ---- look-ups ---- */

static void test_find_has_hash_covers(void **state)
{
	struct sg_baseline *b = load_ok(roundtrip_text);
	unsigned char sha[SG_SHA256_LEN];
	const struct sg_bl_entry *e;

	e = sg_baseline_find(b, "/usr/back\\slash");
	assert_non_null(e);
	assert_int_equal(e->size, 3);
	assert_non_null(sg_baseline_find(b, "/opt/app/a b\nc"));
	assert_non_null(sg_baseline_find(b, "/usr/local/varx"));
	assert_null(sg_baseline_find(b, "/usr/back"));
	assert_null(sg_baseline_find(b, "/usr/zzz"));
	assert_null(sg_baseline_find(b, "/"));

	assert_int_equal(sg_hex_decode(SHA_ABC, SG_SHA256_LEN, sha), 0);
	assert_true(sg_baseline_has_hash(b, sha));
	assert_int_equal(sg_hex_decode(SHA_X, SG_SHA256_LEN, sha), 0);
	assert_true(sg_baseline_has_hash(b, sha));
	assert_int_equal(sg_hex_decode(SHA_MILLION_A, SG_SHA256_LEN, sha), 0);
	assert_false(sg_baseline_has_hash(b, sha));
	/* a hand-made baseline without an index still answers */
	free(b->by_hash);
	b->by_hash = NULL;
	assert_false(sg_baseline_has_hash(b, sha));
	assert_int_equal(sg_hex_decode(SHA_EMPTY, SG_SHA256_LEN, sha), 0);
	assert_true(sg_baseline_has_hash(b, sha));
	assert_int_equal(sg_baseline_index(b), 0);
	assert_true(sg_baseline_has_hash(b, sha));

	assert_true(sg_baseline_covers(b, "/usr"));
	assert_true(sg_baseline_covers(b, "/usr/bin/ls"));
	assert_true(sg_baseline_covers(b, "/opt/app/x"));
	assert_true(sg_baseline_covers(b, "/usr/local/varx"));
	assert_false(sg_baseline_covers(b, "/usrx"));
	assert_false(sg_baseline_covers(b, "/opt"));
	assert_false(sg_baseline_covers(b, "/etc/passwd"));
	assert_false(sg_baseline_covers(b, "/usr/local/var"));
	assert_false(sg_baseline_covers(b, "/usr/local/var/db"));
	assert_false(sg_baseline_covers(b, "/usr/share/doc/x"));
	sg_baseline_free(b);
}

static void test_hash_index_sorted(void **state)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	struct sg_baseline *b;

	assert_non_null(f);
	fputs(HDR "root /usr\n", f);
	/* many entries, repeated hashes included */
	for (unsigned i = 0; i < 5000; i++)
		fprintf(f, "f %064x 1 0644 0 0 - /usr/f%05u\n", (i * 7919u) % 1000,
			i);
	fclose(f);
	b = load_ok(text);
	assert_int_equal(b->n, 5000);
	for (size_t i = 1; i < b->n; i++) {
		const struct sg_bl_entry *x = &b->entries[b->by_hash[i - 1]];
		const struct sg_bl_entry *y = &b->entries[b->by_hash[i]];

		assert_true(memcmp(x->sha256, y->sha256, SG_SHA256_LEN) <= 0);
	}
	for (size_t i = 0; i < b->n; i++)
		assert_true(sg_baseline_has_hash(b, b->entries[i].sha256));
	sg_baseline_free(b);
	free(text);
}

/* ---- diff ---- */

struct drift {
	enum sg_drift_kind kind;
	unsigned what;
	char type;
	char path[64];
};

struct drifts {
	struct drift d[16];
	size_t n;
};

static void collect_drift(enum sg_drift_kind kind, unsigned what,
			  const struct sg_bl_view *want,
			  const struct sg_bl_view *have, void *userdata)
{
	struct drifts *ds = userdata;
	struct drift *d = &ds->d[ds->n++];

	assert_true(ds->n <= ARRAY_SIZE(ds->d));
	assert_true(kind == SG_DRIFT_ADDED ? !want && have :
		    kind == SG_DRIFT_REMOVED ? want && !have : want && have);
	d->kind = kind;
	d->what = what;
	d->type = have ? have->type : want->type;
	if (want && have)
		assert_int_equal(want->type, have->type);
	snprintf(d->path, sizeof(d->path), "%s", want ? want->path : have->path);
}

static void test_diff(void **state)
{
	struct sg_baseline *want = load_ok(HDR "root /usr\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/a\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/b\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/c\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/d\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/e\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/g\n");
	struct sg_baseline *have = load_ok(HDR "root /usr\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/a\n"
		"f " SHA_ABC " 3 0755 0 0 - /usr/b\n"
		"f " SHA_HELLO " 6 0700 0 0 - /usr/c\n"
		"f " SHA_HELLO " 6 0755 1 2 - /usr/d\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/f\n"
		"f " SHA_ABC " 6 4755 0 3 - /usr/g\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/h\n");
	struct drifts ds = {};

	assert_int_equal(sg_baseline_diff(want, have, collect_drift, &ds), 7);
	assert_int_equal(ds.n, 7);
	assert_string_equal(ds.d[0].path, "/usr/b");
	assert_int_equal(ds.d[0].kind, SG_DRIFT_CHANGED);
	assert_int_equal(ds.d[0].what, SG_DRIFT_HASH | SG_DRIFT_SIZE);
	assert_string_equal(ds.d[1].path, "/usr/c");
	assert_int_equal(ds.d[1].what, SG_DRIFT_MODE);
	assert_string_equal(ds.d[2].path, "/usr/d");
	assert_int_equal(ds.d[2].what, SG_DRIFT_UID | SG_DRIFT_GID);
	assert_string_equal(ds.d[3].path, "/usr/e");
	assert_int_equal(ds.d[3].kind, SG_DRIFT_REMOVED);
	assert_int_equal(ds.d[3].what, 0);
	assert_string_equal(ds.d[4].path, "/usr/f");
	assert_int_equal(ds.d[4].kind, SG_DRIFT_ADDED);
	assert_string_equal(ds.d[5].path, "/usr/g");
	assert_int_equal(ds.d[5].what, SG_DRIFT_HASH | SG_DRIFT_MODE |
						 SG_DRIFT_SETUID | SG_DRIFT_GID);
	assert_string_equal(ds.d[6].path, "/usr/h"); /* added at the end */
	assert_int_equal(ds.d[6].kind, SG_DRIFT_ADDED);
	ds.n = 0;
	assert_int_equal(sg_baseline_diff(have, have, collect_drift, &ds), 0);
	assert_int_equal(sg_baseline_diff(want, want, collect_drift, &ds), 0);
	assert_int_equal(ds.n, 0);
	sg_baseline_free(want);
	sg_baseline_free(have);
}

static void test_diff_tail(void **state)
{
	struct sg_baseline *a = load_ok(HDR "root /usr\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/a\n");
	struct sg_baseline *b = load_ok(HDR "root /usr\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/a\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/z\n");
	struct drifts ds = {};

	assert_int_equal(sg_baseline_diff(a, b, collect_drift, &ds), 1);
	assert_int_equal(ds.d[0].kind, SG_DRIFT_ADDED);
	assert_string_equal(ds.d[0].path, "/usr/z");
	ds.n = 0;
	assert_int_equal(sg_baseline_diff(b, a, collect_drift, &ds), 1);
	assert_int_equal(ds.d[0].kind, SG_DRIFT_REMOVED);
	assert_string_equal(ds.d[0].path, "/usr/z");
	sg_baseline_free(a);
	sg_baseline_free(b);
}

/* ---- format 2: every type, xattrs, versions ---- */

/* A v2 capability: cap_net_raw+ep (what setcap writes for ping). */
#define CAP_RAW "security.capability=0100000200200000000000000000000000000000"
#define ACL "system.posix_acl_access=02000000010006000000000004000400000000002000040000000000"

static const char every_kind_text[] =
	HDR "root /usr\n"
	"d 0755 0 0 - /usr\n"
	"d 2775 0 50 " ACL " /usr/bin\n"
	"f " SHA_HELLO " 6 4755 0 0 " CAP_RAW " /usr/bin/ping\n"
	"l 0 0 - ../lib/x\\x20y /usr/bin/sh\n"
	"c 0666 0 0 1 3 - /usr/dev-null\n"
	"b 0660 0 6 259 4294967295 - /usr/disk\n"
	"p 0600 1000 1000 - /usr/fifo\n"
	"f " SHA_ABC " 3 0644 0 0 " CAP_RAW ",security.selinux=7300 /usr/lib\n";

static void test_every_kind_roundtrip(void **state)
{
	struct sg_baseline *b = load_ok(every_kind_text);
	_cleanup_free_ char *text = write_mem(b);
	const struct sg_bl_node *n;

	/* the byte-for-byte round trip: one encoding */
	assert_string_equal(text, every_kind_text);
	assert_int_equal(b->n, 2);
	assert_int_equal(b->nnodes, 6);
	assert_string_equal(sg_bl_xattrs(b, b->entries[0].xattrs), CAP_RAW);
	assert_string_equal(sg_bl_xattrs(b, b->entries[1].xattrs),
			    CAP_RAW ",security.selinux=7300");
	n = sg_baseline_find_node(b, "/usr/bin");
	assert_non_null(n);
	assert_int_equal(n->type, SG_BL_DIR);
	assert_int_equal(n->mode, 02775);
	assert_int_equal(n->gid, 50);
	assert_string_equal(sg_bl_xattrs(b, n->xattrs), ACL);
	n = sg_baseline_find_node(b, "/usr/bin/sh");
	assert_int_equal(n->type, SG_BL_SYMLINK);
	assert_string_equal(n->target, "../lib/x y");
	n = sg_baseline_find_node(b, "/usr/disk");
	assert_int_equal(n->type, SG_BL_BLK);
	assert_int_equal(major(n->rdev), 259);
	assert_int_equal(minor(n->rdev), 4294967295u);
	assert_string_equal(sg_bl_xattrs(b, n->xattrs), "");
	assert_int_equal(sg_baseline_find_node(b, "/usr/fifo")->type, SG_BL_FIFO);
	assert_int_equal(sg_baseline_find_node(b, "/usr/dev-null")->rdev,
			 makedev(1, 3));
	/* the exec look-ups see regular files only */
	assert_null(sg_baseline_find(b, "/usr/bin"));
	assert_null(sg_baseline_find(b, "/usr/bin/sh"));
	assert_null(sg_baseline_find_node(b, "/usr/bin/ping"));
	assert_non_null(sg_baseline_find(b, "/usr/bin/ping"));
	assert_non_null(sg_baseline_find(b, "/usr/lib"));
	sg_baseline_free(b);
}

/* A valid format-1 baseline is refused whole, with one message: none of
 * its records is read as a record of format 2. */
static void test_old_format_refused(void **state)
{
	static const char v1[] =
		"sealguard-baseline 1\nroot /usr\n"
		"f " SHA_HELLO " 6 0755 0 0 /usr/a\n"
		"f " SHA_HELLO " 6 0755 0 0 /usr/b\n";
	char *dir = make_tmpdir();
	_cleanup_free_ char *path = join(dir, "baseline");
	_cleanup_free_ char *want = NULL;
	struct sg_baseline *b = &untouched;
	struct errlist errs = {};

	write_file(path, v1, strlen(v1), 0600);
	assert_int_equal(sg_baseline_load(path, &b, &errs), -EINVAL);
	assert_ptr_equal(b, &untouched);
	assert_int_equal(errs.n, 1);
	assert_true(asprintf(&want, "%s:1: %s", path, OLD_FORMAT("1")) > 0);
	assert_string_equal(errs.msgs[0], want);
	errlist_free(&errs);
	/* the same through the signed loader's path without a key */
	assert_int_equal(sg_baseline_load_verified(path, NULL, &b, &errs),
			 -EINVAL);
	assert_int_equal(errs.n, 1);
	errlist_free(&errs);
	rm_rf(dir);
}

/* What the writer refuses: what the reader would. */
static void test_write_refuses_bad_nodes(void **state)
{
	struct sg_baseline *b = load_ok(every_kind_text);
	FILE *f = fopen("/dev/null", "we");
	char *target;

	assert_non_null(f);
	target = b->nodes[2].target; /* the symlink */
	b->nodes[2].target = NULL;
	assert_int_equal(sg_baseline_write_stream(b, f), -EINVAL);
	b->nodes[2].target = target;
	b->nodes[1].type = SG_BL_FILE; /* a node is never a file */
	assert_int_equal(sg_baseline_write_stream(b, f), -EINVAL);
	b->nodes[1].type = SG_BL_DIR;
	b->nodes[1].xattrs = 99; /* no such xattrs */
	assert_int_equal(sg_baseline_write_stream(b, f), -EINVAL);
	b->nodes[1].xattrs = 0;
	assert_int_equal(sg_baseline_write_stream(b, f), 0);
	fclose(f);
	sg_baseline_free(b);
}

static void test_diff_kinds(void **state)
{
	struct sg_baseline *want = load_ok(HDR "root /usr\n"
		"d 0755 0 0 - /usr\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/a\n"
		"f " SHA_HELLO " 6 0755 0 0 " CAP_RAW " /usr/b\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/c\n"
		"d 0755 0 0 - /usr/d\n"
		"d 0755 0 0 - /usr/gone\n"
		"l 0 0 - x /usr/link\n"
		"c 0666 0 0 1 3 - /usr/null\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/t\n"
		"f " SHA_HELLO " 6 4755 0 0 - /usr/u\n");
	struct sg_baseline *have = load_ok(HDR "root /usr\n"
		"d 0755 0 0 - /usr\n"
		"f " SHA_HELLO " 6 4755 0 0 - /usr/a\n"
		"f " SHA_HELLO " 6 0755 0 0 security.capability=00 /usr/b\n"
		"f " SHA_HELLO " 6 0755 0 0 " CAP_RAW ",security.selinux=00 /usr/c\n"
		"d 0777 0 0 - /usr/d\n"
		"p 0644 0 0 - /usr/fifo\n"
		"l 0 0 - y /usr/link\n"
		"d 0755 0 0 - /usr/new\n"
		"f " SHA_HELLO " 6 2755 0 0 " CAP_RAW " /usr/new/x\n"
		"c 0666 0 0 1 5 - /usr/null\n"
		"l 0 0 - a /usr/t\n"
		"f " SHA_HELLO " 6 0755 0 0 - /usr/u\n");
	static const struct drift expect[] = {
		{ SG_DRIFT_CHANGED, SG_DRIFT_MODE | SG_DRIFT_SETUID, 'f', "/usr/a" },
		{ SG_DRIFT_CHANGED, SG_DRIFT_CAPS, 'f', "/usr/b" },
		{ SG_DRIFT_CHANGED, SG_DRIFT_CAPS | SG_DRIFT_XATTR, 'f', "/usr/c" },
		{ SG_DRIFT_CHANGED, SG_DRIFT_MODE, 'd', "/usr/d" },
		{ SG_DRIFT_ADDED, 0, 'p', "/usr/fifo" },
		{ SG_DRIFT_REMOVED, 0, 'd', "/usr/gone" },
		{ SG_DRIFT_CHANGED, SG_DRIFT_TARGET, 'l', "/usr/link" },
		{ SG_DRIFT_ADDED, 0, 'd', "/usr/new" },
		{ SG_DRIFT_ADDED, SG_DRIFT_SETGID | SG_DRIFT_CAPS, 'f', "/usr/new/x" },
		{ SG_DRIFT_CHANGED, SG_DRIFT_RDEV, 'c', "/usr/null" },
		{ SG_DRIFT_REMOVED, 0, 'f', "/usr/t" }, /* a file ... */
		{ SG_DRIFT_ADDED, 0, 'l', "/usr/t" },   /* ... now a symlink */
		/* a setuid bit taken away is a mode change, not "setuid" */
		{ SG_DRIFT_CHANGED, SG_DRIFT_MODE, 'f', "/usr/u" },
	};
	struct drifts ds = {};

	assert_int_equal(sg_baseline_diff(want, have, collect_drift, &ds),
			 ARRAY_SIZE(expect));
	for (size_t i = 0; i < ARRAY_SIZE(expect); i++) {
		assert_string_equal(ds.d[i].path, expect[i].path);
		assert_int_equal(ds.d[i].kind, expect[i].kind);
		assert_int_equal(ds.d[i].type, expect[i].type);
		assert_int_equal(ds.d[i].what, expect[i].what);
	}
	ds.n = 0;
	assert_int_equal(sg_baseline_diff(have, have, collect_drift, &ds), 0);
	for (unsigned bit = 1; bit <= SG_DRIFT_LAST; bit <<= 1)
		assert_non_null(sg_drift_name(bit));
	sg_baseline_free(want);
	sg_baseline_free(have);
}

/* A build records directories (the root too), symlinks and FIFOs, and
 * the look-ups still see only the regular files. */
static void test_build_every_kind(void **state)
{
	char *dir = make_tmpdir();
	_cleanup_free_ char *root = join(dir, "r");
	_cleanup_free_ char *sub = join(dir, "r/sub");
	_cleanup_free_ char *file = join(dir, "r/sub/f");
	_cleanup_free_ char *link = join(dir, "r/link");
	_cleanup_free_ char *fifo = join(dir, "r/fifo");
	const char *roots[] = { root };
	struct sg_baseline *b = NULL, *again = NULL;
	struct sg_build_stats st = {};
	struct errlist errs = {};
	const struct sg_bl_node *n;
	_cleanup_free_ char *text = NULL;
	FILE *f;

	assert_int_equal(mkdir(root, 0750), 0);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(file, "hello\n", 6, 0644);
	assert_int_equal(symlink("sub/f", link), 0);
	assert_int_equal(mkfifo(fifo, 0640), 0);
	assert_int_equal(chmod(root, 0750), 0); /* whatever the umask */
	assert_int_equal(chmod(sub, 01700), 0);
	assert_int_equal(sg_baseline_build(roots, 1, NULL, 0, 2, &b, &st, &errs),
				   0);
	assert_int_equal(errs.n, 0);
	assert_int_equal(st.files, 1);
	assert_int_equal(st.others, 4);
	assert_int_equal(b->n, 1);
	assert_int_equal(b->nnodes, 4);
	n = sg_baseline_find_node(b, root);
	assert_non_null(n);
	assert_int_equal(n->type, SG_BL_DIR);
	assert_int_equal(n->mode, 0750);
	assert_int_equal(sg_baseline_find_node(b, sub)->mode, 01700);
	n = sg_baseline_find_node(b, link);
	assert_int_equal(n->type, SG_BL_SYMLINK);
	assert_string_equal(n->target, "sub/f");
	assert_int_equal(sg_baseline_find_node(b, fifo)->type, SG_BL_FIFO);
	assert_int_equal(sg_baseline_find_node(b, fifo)->mode, 0640);
	assert_non_null(sg_baseline_find(b, file));
	assert_null(sg_baseline_find(b, sub));
	/* what is written reads back the same */
	text = write_mem(b);
	f = fmemopen(text, strlen(text), "r");
	assert_int_equal(sg_baseline_load_stream(f, "t", &again, &errs), 0);
	fclose(f);
	assert_int_equal(sg_baseline_diff(b, again, collect_drift,
					  &(struct drifts){}), 0);
	sg_baseline_free(again);
	sg_baseline_free(b);
	rm_rf(dir);
}

/* ---- build ---- */

struct tree {
	char *dir;   /* the mkdtemp directory */
	char *root;  /* dir/tree */
	char *other; /* dir/other.bin: a root that is one file */
	char *excl;  /* dir/tree/cache: excluded */
};

static void make_tree(struct tree *t)
{
	char *million = malloc(1000000);
	_cleanup_free_ char *big = NULL, *p = NULL;

	t->dir = make_tmpdir();
	t->root = join(t->dir, "tree");
	t->other = join(t->dir, "other.bin");
	t->excl = join(t->root, "cache");
	assert_int_equal(mkdir(t->root, 0755), 0);
	write_str(t->root, "hello", "hello\n");
	write_str(t->root, "empty", "");
	write_str(t->root, "abc", "abc");
	write_str(t->root, "we ird\nname", "x");
	p = join(t->root, "sub");
	assert_int_equal(mkdir(p, 0755), 0);
	big = join(p, "million");
	assert_non_null(million);
	memset(million, 'a', 1000000);
	write_file(big, million, 1000000, 0751);
	free(million);
	assert_int_equal(mkdir(t->excl, 0755), 0);
	write_str(t->excl, "junk", "junk");
	free(p);
	p = join(t->root, "link");
	assert_int_equal(symlink("hello", p), 0);
	free(p);
	p = join(t->root, "dirlink");
	assert_int_equal(symlink("sub", p), 0); /* not followed */
	free(p);
	p = join(t->root, "fifo");
	assert_int_equal(mkfifo(p, 0644), 0);
	write_file(t->other, "abc", 3, 0600);
}

static void free_tree(struct tree *t)
{
	rm_rf(t->dir);
	free(t->root);
	free(t->other);
	free(t->excl);
}

static void check_entry(const struct sg_baseline *b, const char *dir,
			const char *name, const char *sha, uint64_t size,
			uint32_t mode)
{
	_cleanup_free_ char *p = join(dir, name);
	const struct sg_bl_entry *e = sg_baseline_find(b, p);
	char hex[SG_SHA256_HEX_LEN + 1];

	if (!e)
		print_error("no entry for %s\n", p);
	assert_non_null(e);
	hex_of(e->sha256, hex);
	assert_string_equal(hex, sha);
	assert_int_equal(e->size, size);
	assert_int_equal(e->mode, mode);
	assert_int_equal(e->uid, geteuid());
	assert_int_equal(e->gid, getegid());
}

static struct sg_baseline *build_tree(const struct tree *t, unsigned threads,
				      struct sg_build_stats *st)
{
	const char *roots[] = { t->root, t->other };
	const char *excludes[] = { t->excl };
	struct sg_baseline *b = NULL;
	struct errlist errs = {};
	int r;

	/* unsorted on purpose: the build sorts its own copies */
	r = sg_baseline_build(roots, 2, excludes, 1, threads, &b, st, &errs);
	errlist_print(&errs, stderr, "unexpected");
	assert_int_equal(r, 0);
	assert_int_equal(errs.n, 0);
	return b;
}

static void test_build(void **state)
{
	struct tree t;
	struct sg_build_stats st;
	struct sg_baseline *b, *b1;
	_cleanup_free_ char *text = NULL, *text1 = NULL;

	make_tree(&t);
	b = build_tree(&t, 0, &st);
	assert_int_equal(b->n, 6);
	check_entry(b, t.root, "abc", SHA_ABC, 3, 0644);
	check_entry(b, t.root, "empty", SHA_EMPTY, 0, 0644);
	check_entry(b, t.root, "hello", SHA_HELLO, 6, 0644);
	check_entry(b, t.root, "sub/million", SHA_MILLION_A, 1000000, 0751);
	check_entry(b, t.root, "we ird\nname", SHA_X, 1, 0644);
	check_entry(b, t.dir, "other.bin", SHA_ABC, 3, 0600);
	for (size_t i = 1; i < b->n; i++)
		assert_true(strcmp(b->entries[i - 1].path, b->entries[i].path) < 0);
	/* the excluded tree is neither walked nor counted */
	assert_false(sg_baseline_covers(b, t.excl));
	assert_int_equal(st.files, 6);
	assert_int_equal(st.bytes, 3 + 0 + 6 + 1000000 + 1 + 3);
	/* recorded now: tree, sub, link, dirlink, fifo; nothing skipped */
	assert_int_equal(st.others, 5);
	assert_int_equal(b->nnodes, 5);
	assert_int_equal(st.skipped, 0);
	assert_true(st.seconds >= 0);
	assert_int_equal(b->nroots, 2);
	assert_string_equal(b->roots[0], t.other); /* "other.bin" < "tree" */
	assert_int_equal(b->nexcludes, 1);
	assert_true(sg_baseline_has_hash(b, b->entries[0].sha256));

	/* one thread or many: the same bytes */
	b1 = build_tree(&t, 1, &st);
	text = write_mem(b);
	text1 = write_mem(b1);
	assert_string_equal(text, text1);
	sg_baseline_free(b1);
	b1 = build_tree(&t, 7, &st);
	free(text1);
	text1 = write_mem(b1);
	assert_string_equal(text, text1);
	sg_baseline_free(b1);
	sg_baseline_free(b);
	free_tree(&t);
}

static void test_build_then_verify(void **state)
{
	struct tree t;
	struct sg_build_stats st;
	struct sg_baseline *before, *after;
	_cleanup_free_ char *p = NULL, *q = NULL;
	struct drifts ds = {};

	make_tree(&t);
	before = build_tree(&t, 0, &st);
	p = join(t.root, "hello");
	write_file(p, "hellO\n", 6, 0644);
	q = join(t.root, "abc");
	assert_int_equal(chmod(q, 0600), 0);
	free(q);
	q = join(t.root, "empty");
	assert_int_equal(unlink(q), 0);
	write_str(t.root, "new", "new");
	write_str(t.excl, "more-junk", "ignored");
	after = build_tree(&t, 0, &st);
	assert_int_equal(sg_baseline_diff(before, after, collect_drift, &ds), 4);
	assert_string_equal(strrchr(ds.d[0].path, '/'), "/abc");
	assert_int_equal(ds.d[0].what, SG_DRIFT_MODE);
	assert_string_equal(strrchr(ds.d[1].path, '/'), "/empty");
	assert_int_equal(ds.d[1].kind, SG_DRIFT_REMOVED);
	assert_string_equal(strrchr(ds.d[2].path, '/'), "/hello");
	assert_int_equal(ds.d[2].what, SG_DRIFT_HASH);
	assert_string_equal(strrchr(ds.d[3].path, '/'), "/new");
	assert_int_equal(ds.d[3].kind, SG_DRIFT_ADDED);
	sg_baseline_free(before);
	sg_baseline_free(after);
	free_tree(&t);
}

static void test_build_bad_args(void **state)
{
	const char *overlap[] = { "/usr", "/usr/lib" };
	const char *relative[] = { "usr" };
	const char *root[] = { "/usr" };
	const char *outside[] = { "/etc" };
	struct sg_baseline *b = &untouched;
	struct errlist errs = {};

	assert_int_equal(sg_baseline_build(overlap, 2, NULL, 0, 1, &b, NULL,
					   &errs), -EINVAL);
	assert_string_equal(errs.msgs[0], "root /usr/lib: lies under root /usr");
	errlist_free(&errs);
	assert_int_equal(sg_baseline_build(relative, 1, NULL, 0, 1, &b, NULL,
					   &errs), -EINVAL);
	assert_string_equal(errs.msgs[0], "root usr: not an absolute path");
	errlist_free(&errs);
	assert_int_equal(sg_baseline_build(root, 1, outside, 1, 1, &b, NULL,
					   &errs), -EINVAL);
	assert_string_equal(errs.msgs[0], "exclude /etc: lies under no root");
	errlist_free(&errs);
	assert_int_equal(sg_baseline_build(root, 0, NULL, 0, 1, &b, NULL,
					   &errs), -EINVAL);
	errlist_free(&errs);
	assert_ptr_equal(b, &untouched);
}

static void test_build_missing_root(void **state)
{
	char *dir = make_tmpdir();
	_cleanup_free_ char *missing = join(dir, "missing");
	const char *roots[] = { missing };
	struct sg_baseline *b = &untouched;
	struct errlist errs = {};
	char want[512];

	assert_int_equal(sg_baseline_build(roots, 1, NULL, 0, 0, &b, NULL,
					   &errs), -EIO);
	assert_ptr_equal(b, &untouched);
	snprintf(want, sizeof(want), "%s: No such file or directory", missing);
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.msgs[0], want);
	errlist_free(&errs);
	rm_rf(dir);
}

/*
 * Unreadable files and directories. A file removed between the walk and
 * its hash would be the other way to get an error as root, but there is
 * no way to time that from outside the build, so the child drops to
 * nobody instead and meets mode 0000.
 */
struct unreadable_arg {
	const char *root;
	const char *file;
	const char *subdir;
};

static int child_build_unreadable(void *userdata)
{
	const struct unreadable_arg *a = userdata;
	const char *roots[] = { a->root };
	struct sg_baseline *b = &untouched;
	struct errlist errs = {};
	char want_file[512], want_dir[512];
	int ok;

	snprintf(want_file, sizeof(want_file), "%s: Permission denied", a->file);
	snprintf(want_dir, sizeof(want_dir), "%s: Permission denied", a->subdir);
	ok = sg_baseline_build(roots, 1, NULL, 0, 2, &b, NULL, &errs) == -EIO &&
	     b == &untouched && errs.n == 2 &&
	     ((streq(errs.msgs[0], want_dir) && streq(errs.msgs[1], want_file)) ||
	      (streq(errs.msgs[0], want_file) && streq(errs.msgs[1], want_dir)));
	if (!ok)
		errlist_print(&errs, stderr, "child got");
	errlist_free(&errs);
	return ok ? 0 : 1;
}

static void test_build_unreadable(void **state)
{
	char *dir = make_tmpdir();
	_cleanup_free_ char *root = join(dir, "tree");
	_cleanup_free_ char *file = join(root, "secret");
	_cleanup_free_ char *subdir = join(root, "locked");
	struct unreadable_arg a = { root, file, subdir };

	assert_int_equal(chmod(dir, 0755), 0);
	assert_int_equal(mkdir(root, 0755), 0);
	write_str(root, "fine", "fine");
	write_file(file, "secret", 6, 0000);
	assert_int_equal(mkdir(subdir, 0000), 0);
	assert_int_equal(run_child(child_build_unreadable, &a, true), 0);
	assert_int_equal(chmod(subdir, 0755), 0); /* so a non-root rm works */
	rm_rf(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_sha256_fd),
		cmocka_unit_test(test_sha256_bad_fd),
		cmocka_unit_test(test_escape_roundtrip),
		cmocka_unit_test(test_unescape_rejects),
		cmocka_unit_test(test_load_ok),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_collects_all),
		cmocka_unit_test(test_load_gives_up),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_write_read_roundtrip),
		cmocka_unit_test(test_write_refuses_invalid),
		cmocka_unit_test(test_atomic_write_failures),
		cmocka_unit_test(test_find_has_hash_covers),
		cmocka_unit_test(test_hash_index_sorted),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_diff_tail),
		cmocka_unit_test(test_every_kind_roundtrip),
		cmocka_unit_test(test_old_format_refused),
		cmocka_unit_test(test_write_refuses_bad_nodes),
		cmocka_unit_test(test_diff_kinds),
		cmocka_unit_test(test_build_every_kind),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_build_then_verify),
		cmocka_unit_test(test_build_bad_args),
		cmocka_unit_test(test_build_missing_root),
		cmocka_unit_test(test_build_unreadable),
	};

	/* files the tests write must not be group/other-writable */
	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
