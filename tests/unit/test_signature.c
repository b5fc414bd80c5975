/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_signature.c - Ed25519 baseline signatures: a signed baseline
 * loads; one changed byte, a re-signature with another key, a malformed
 * or missing signature, and keys or signatures others could write are
 * all refused, with a message naming the file.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "baseline.h"
#include "signature.h"
#include "util.h"

static char dir[] = "/tmp/sgsig.XXXXXX";

static char *in_dir(const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", dir, name) >= 0);
	return p;
}

static void write_file(const char *path, const char *content, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	assert_true(fd >= 0);
	assert_true(write(fd, content, strlen(content)) ==
		    (ssize_t)strlen(content));
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
}

static const char baseline_text[] =
	"sealguard-baseline 2\n"
	"root /srv\n"
	"f 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 6 0644 0 0 - /srv/hello\n";

static int setup(void **state)
{
	return mkdtemp(dir) ? 0 : -1;
}

/* keygen writes two PEM files and refuses to overwrite them. */
static void keygen(const char *name)
{
	_cleanup_free_ char *priv = NULL, *pub = NULL, *pk = in_dir(name);
	struct errlist errs = {};

	assert_true(asprintf(&priv, "%s.key", pk) >= 0);
	assert_true(asprintf(&pub, "%s.pub", pk) >= 0);
	assert_int_equal(sg_keygen(priv, pub, &errs), 0);
	assert_int_equal(errs.n, 0);
}

static void sign_baseline(const char *keyname)
{
	_cleanup_free_ char *bl = in_dir("baseline"), *sig = NULL, *key = NULL,
			    *k = in_dir(keyname);
	struct errlist errs = {};

	sig = sg_signature_path(bl);
	assert_true(asprintf(&key, "%s.key", k) >= 0);
	assert_int_equal(sg_sign(baseline_text, strlen(baseline_text), key,
				 sig, &errs),
			 0);
	assert_int_equal(errs.n, 0);
}

static int load(const char *keyname, struct errlist *errs)
{
	_cleanup_free_ char *bl = in_dir("baseline"), *pub = NULL,
			    *k = in_dir(keyname);
	struct sg_baseline *b = NULL;
	int r;

	assert_true(asprintf(&pub, "%s.pub", k) >= 0);
	r = sg_baseline_load_verified(bl, pub, &b, errs);
	if (r == 0) {
		assert_int_equal(b->n, 1);
		sg_baseline_free(b);
	}
	return r;
}

static bool has(const struct errlist *errs, const char *what)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strstr(errs->msgs[i], what))
			return true;
	return false;
}

static void test_sign_and_verify(void **state)
{
	_cleanup_free_ char *bl = in_dir("baseline"), *k1 = in_dir("k1.key");
	struct errlist errs = {};

	keygen("k1");
	keygen("k2");
	write_file(bl, baseline_text, 0600);
	sign_baseline("k1");
	assert_int_equal(load("k1", &errs), 0);
	assert_int_equal(errs.n, 0);

	/* keygen never overwrites a key */
	assert_int_equal(sg_keygen(k1, "/dev/null/x", &errs), -EEXIST);
	errlist_free(&errs);
}

static void test_one_byte_changed(void **state)
{
	_cleanup_free_ char *bl = in_dir("baseline"), *changed = strdup(baseline_text);
	struct errlist errs = {};

	changed[strlen(changed) - 3] = 'X'; /* /srv/heXlo */
	write_file(bl, changed, 0600);
	assert_int_equal(load("k1", &errs), -EBADMSG);
	assert_true(has(&errs, "signature does not verify"));
	errlist_free(&errs);
	write_file(bl, baseline_text, 0600);
}

static void test_resigned_with_another_key(void **state)
{
	struct errlist errs = {};

	sign_baseline("k2");
	assert_int_equal(load("k1", &errs), -EBADMSG);
	assert_true(has(&errs, "another key"));
	errlist_free(&errs);
	assert_int_equal(load("k2", &errs), 0);
	sign_baseline("k1");
}

/* The signature file's one line, as the fuzzer's entry point sees it. */
static void test_signature_parse(void **state)
{
	char line[256];
	unsigned char sig[SG_SIGNATURE_LEN];
	size_t n;

	n = (size_t)snprintf(line, sizeof(line), "%s", SG_SIGNATURE_MAGIC);
	for (size_t i = 0; i < SG_SIGNATURE_LEN; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%02x",
				      (unsigned)i);
	line[n++] = '\n';
	assert_int_equal(sg_signature_parse(line, n, sig), 0);
	assert_int_equal(sig[0], 0);
	assert_int_equal(sig[63], 63);
	/* no newline, one byte more, a NUL in the digits, another magic */
	assert_int_equal(sg_signature_parse(line, n - 1, sig), -EINVAL);
	line[n] = '\n';
	assert_int_equal(sg_signature_parse(line, n + 1, sig), -EINVAL);
	line[40] = '\0';
	assert_int_equal(sg_signature_parse(line, n, sig), -EINVAL);
	line[40] = '0';
	line[0] = 'S';
	assert_int_equal(sg_signature_parse(line, n, sig), -EINVAL);
	assert_int_equal(sg_signature_parse(line, 0, sig), -EINVAL);
}

/* An empty baseline with a valid signature (issue #16: the reader then
 * parsed one byte read() never wrote): the plain reader's verdict on an
 * empty file. */
static void test_empty_signed(void **state)
{
	_cleanup_free_ char *bl = in_dir("baseline"), *sig = NULL,
			    *key = in_dir("k1.key");
	struct errlist errs = {};

	sig = sg_signature_path(bl);
	write_file(bl, "", 0600);
	assert_int_equal(sg_sign("", 0, key, sig, &errs), 0);
	assert_int_equal(load("k1", &errs), -EINVAL);
	assert_int_equal(errs.n, 1);
	assert_true(has(&errs, ":1: missing header 'sealguard-baseline 2' "
			       "(empty file)"));
	errlist_free(&errs);
	write_file(bl, baseline_text, 0600);
	sign_baseline("k1");
}

static void test_malformed_or_missing(void **state)
{
	_cleanup_free_ char *bl = in_dir("baseline"), *sig = NULL;
	struct errlist errs = {};

	sig = sg_signature_path(bl);
	write_file(sig, "sealguard-signature 1 ed25519 00\n", 0644);
	assert_int_equal(load("k1", &errs), -EINVAL);
	assert_true(has(&errs, "not a sealguard signature"));
	errlist_free(&errs);
	assert_int_equal(unlink(sig), 0);
	assert_int_equal(load("k1", &errs), -ENOENT);
	assert_true(has(&errs, "sealguard baseline sign"));
	errlist_free(&errs);
	sign_baseline("k1");
}

static void test_writable_key_or_signature_refused(void **state)
{
	_cleanup_free_ char *bl = in_dir("baseline"), *sig = NULL,
			    *pub = in_dir("k1.pub");
	struct errlist errs = {};

	sig = sg_signature_path(bl);
	assert_int_equal(chmod(pub, 0666), 0);
	assert_int_equal(load("k1", &errs), -EPERM);
	assert_true(has(&errs, "writable by group or others"));
	errlist_free(&errs);
	assert_int_equal(chmod(pub, 0644), 0);
	assert_int_equal(chmod(sig, 0664), 0);
	assert_int_equal(load("k1", &errs), -EPERM);
	errlist_free(&errs);
	assert_int_equal(chmod(sig, 0644), 0);
	assert_int_equal(load("k1", &errs), 0);
}

/* A private key where a public one is wanted, and the other way round. */
static void test_wrong_kind_of_key(void **state)
{
	_cleanup_free_ char *bl = in_dir("baseline"), *sig = NULL,
			    *priv = in_dir("k1.key"), *pub = in_dir("k1.pub");
	struct sg_baseline *b = NULL;
	struct errlist errs = {};

	sig = sg_signature_path(bl);
	assert_int_equal(sg_baseline_load_verified(bl, priv, &b, &errs),
			 -EINVAL);
	assert_true(has(&errs, "not an Ed25519 public key"));
	errlist_free(&errs);
	assert_int_equal(sg_sign(baseline_text, 3, pub, sig, &errs), -EINVAL);
	assert_true(has(&errs, "not an Ed25519 private key"));
	errlist_free(&errs);
	assert_int_equal(load("k1", &errs), 0); /* the signature is untouched */
}

static int teardown(void **state)
{
	char cmd[64];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_and_verify),
		cmocka_unit_test(test_one_byte_changed),
		cmocka_unit_test(test_resigned_with_another_key),
		cmocka_unit_test(test_signature_parse),
		cmocka_unit_test(test_empty_signed),
		cmocka_unit_test(test_malformed_or_missing),
		cmocka_unit_test(test_writable_key_or_signature_refused),
		cmocka_unit_test(test_wrong_kind_of_key),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
