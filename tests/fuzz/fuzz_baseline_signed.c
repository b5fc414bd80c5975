/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_baseline_signed.c - the signed baseline: sg_baseline_load_verified
 * (the read, the signature check over the read bytes, the parse of the
 * same bytes) and the signature file's parser.
 *
 * The first byte picks what the rest is:
 *  0  a baseline, signed with the harness's key: the verdict must be the
 *     plain reader's verdict on the same bytes (an empty file too);
 *  1  a baseline whose signature has one hex digit changed: -EBADMSG;
 *  2  the signature file of a valid baseline: anything sg_signature_parse
 *     refuses is -EINVAL, anything else verifies or is -EBADMSG.
 * The files live in a private directory under /dev/shm (or TMPDIR), made
 * once with a fresh key pair, removed at exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <unistd.h>

#include "baseline.h"
#include "errlist.h"
#include "fuzz.h"
#include "signature.h"

static char dir[256], bl_path[300], sig_path[310], priv_path[300],
	pub_path[300];

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	return remove(path);
}

static void remove_dir(void)
{
	(void)nftw(dir, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

static void setup(void)
{
	const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" :
			   getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	struct errlist errs = { 0 };

	snprintf(dir, sizeof(dir), "%s/sg-fuzz-XXXXXX", base);
	fuzz_assert(mkdtemp(dir));
	atexit(remove_dir);
	snprintf(bl_path, sizeof(bl_path), "%s/baseline", dir);
	snprintf(sig_path, sizeof(sig_path), "%s/baseline.sig", dir);
	snprintf(priv_path, sizeof(priv_path), "%s/key", dir);
	snprintf(pub_path, sizeof(pub_path), "%s/key.pub", dir);
	fuzz_assert(sg_keygen(priv_path, pub_path, &errs) == 0);
	errlist_free(&errs);
}

static void write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	fuzz_assert(fd >= 0);
	fuzz_assert(write(fd, data, len) == (ssize_t)len);
	fuzz_assert(close(fd) == 0);
}

/* The baseline file, signed with the harness's key. */
static void put_signed(const void *data, size_t len)
{
	struct errlist errs = { 0 };

	write_file(bl_path, data, len);
	fuzz_assert(sg_sign(data, len, priv_path, sig_path, &errs) == 0);
	errlist_free(&errs);
}

static int load_verified(void)
{
	struct errlist errs = { 0 };
	struct sg_baseline *b = NULL;
	int r = sg_baseline_load_verified(bl_path, pub_path, &b, &errs);

	fuzz_assert(r == 0 ? errs.n == 0 && b : errs.n > 0);
	sg_baseline_free(b);
	errlist_free(&errs);
	return r;
}

static int load_plain(const void *data, size_t len)
{
	struct errlist errs = { 0 };
	struct sg_baseline *b = NULL;
	FILE *f = fmemopen((void *)data, len, "r");
	int r;

	fuzz_assert(f);
	r = sg_baseline_load_stream(f, bl_path, &b, &errs);
	fclose(f);
	sg_baseline_free(b);
	errlist_free(&errs);
	return r;
}

/* Change one hex digit of the signature, where the input says. */
static void corrupt_signature(size_t where)
{
	char text[256];
	size_t n = strlen(SG_SIGNATURE_MAGIC);
	FILE *f = fopen(sig_path, "re");
	size_t len;

	fuzz_assert(f);
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	fuzz_assert(len == n + 2 * SG_SIGNATURE_LEN + 1);
	where = n + where % (2 * SG_SIGNATURE_LEN);
	text[where] = text[where] == '0' ? '1' : '0';
	write_file(sig_path, text, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char valid[] = SG_BASELINE_MAGIC "\n";
	unsigned char sig[SG_SIGNATURE_LEN];
	const uint8_t *rest = data + 1;
	size_t len = size - 1;
	int r;

	if (!dir[0])
		setup();
	if (size == 0)
		return 0;
	switch (data[0] % 3) {
	case 0:
		put_signed(rest, len);
		r = load_verified();
		fuzz_assert(r == load_plain(rest, len));
		break;
	case 1:
		put_signed(rest, len);
		corrupt_signature(len);
		fuzz_assert(load_verified() == -EBADMSG);
		break;
	default:
		put_signed(valid, strlen(valid));
		write_file(sig_path, rest, len);
		r = load_verified();
		if (sg_signature_parse((const char *)rest, len, sig) < 0)
			fuzz_assert(r == -EINVAL);
		else
			fuzz_assert(r == 0 || r == -EBADMSG);
		break;
	}
	return 0;
}
