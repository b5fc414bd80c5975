/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * signature.c - Ed25519 signing and verification of baselines through
 * OpenSSL's EVP interface. See signature.h.
 */
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/stat.h>

#include "hash.h"
#include "signature.h"
#include "trustfile.h"
#include "util.h"

#define ED25519_SIG_LEN SG_SIGNATURE_LEN

static void pkey_freep(EVP_PKEY **k)
{
	EVP_PKEY_free(*k);
}

static void md_ctx_freep(EVP_MD_CTX **c)
{
	EVP_MD_CTX_free(*c);
}

char *sg_signature_path(const char *path)
{
	char *s;

	return asprintf(&s, "%s%s", path, SG_SIGNATURE_SUFFIX) < 0 ? NULL : s;
}

/* The private key file: a regular file only. O_NONBLOCK, so that a FIFO
 * named by mistake is refused instead of blocking the command. */
static int open_private_key(const char *path, FILE **ret)
{
	struct stat st = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int r = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;

		(void)close(fd);
		return r;
	}
	*ret = fdopen(fd, "re");
	if (!*ret) {
		int r = -errno;

		(void)close(fd);
		return r;
	}
	return 0;
}

/* Read a key (PEM) from path; private or public as asked. */
static int read_key(const char *path, bool private, EVP_PKEY **ret,
		    struct errlist *errs)
{
	_cleanup_fclose_ FILE *f = NULL;
	size_t nerrs = errs->n;
	EVP_PKEY *k;
	int r = 0;

	/* the public key decides what the host trusts: as for the policy */
	if (private)
		r = open_private_key(path, &f);
	else
		r = sg_fopen_trusted(path, &f, errs);
	if (r < 0 && errs->n > nerrs)
		return -EPERM; /* the check said why */
	if (r < 0) {
		(void)errlist_add(errs, "%s: %s", path, strerror(-r));
		return r;
	}
	k = private ? PEM_read_PrivateKey(f, NULL, NULL, NULL) :
		      PEM_read_PUBKEY(f, NULL, NULL, NULL);
	if (!k || EVP_PKEY_get_id(k) != EVP_PKEY_ED25519) {
		EVP_PKEY_free(k);
		(void)errlist_add(errs, "%s: not an Ed25519 %s key in PEM form",
				  path, private ? "private" : "public");
		return -EINVAL;
	}
	*ret = k;
	return 0;
}

static int write_pem(const char *path, mode_t mode, EVP_PKEY *k,
		     bool private, struct errlist *errs)
{
	_cleanup_fclose_ FILE *f = NULL;
	int fd, ok;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  mode);
	if (fd < 0) {
		int r = -errno;

		(void)errlist_add(errs, "%s: %s", path, strerror(-r));
		return r;
	}
	f = fdopen(fd, "we");
	if (!f) {
		(void)close(fd);
		return -errno;
	}
	ok = private ? PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) :
		       PEM_write_PUBKEY(f, k);
	if (!ok || fflush(f) != 0 || fsync(fd) < 0) {
		(void)errlist_add(errs, "%s: cannot write the key", path);
		(void)unlink(path);
		return -EIO;
	}
	return 0;
}

int sg_keygen(const char *private_path, const char *public_path,
	      struct errlist *errs)
{
	_cleanup_(pkey_freep) EVP_PKEY *k = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, NULL);
	int r;

	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    EVP_PKEY_keygen(ctx, &k) <= 0) {
		EVP_PKEY_CTX_free(ctx);
		(void)errlist_add(errs, "cannot generate an Ed25519 key");
		return -ENOTSUP;
	}
	EVP_PKEY_CTX_free(ctx);
	r = write_pem(private_path, 0600, k, true, errs);
	if (r < 0)
		return r;
	r = write_pem(public_path, 0644, k, false, errs);
	if (r < 0)
		(void)unlink(private_path);
	return r;
}

int sg_key_fingerprint(const char *public_path, char *ret_hex,
		       struct errlist *errs)
{
	_cleanup_(pkey_freep) EVP_PKEY *k = NULL;
	unsigned char raw[64], sha[SG_SHA256_LEN];
	size_t len = sizeof(raw);
	int r = read_key(public_path, false, &k, errs);

	if (r < 0)
		return r;
	if (EVP_PKEY_get_raw_public_key(k, raw, &len) <= 0 ||
	    !EVP_Digest(raw, len, sha, NULL, EVP_sha256(), NULL)) {
		(void)errlist_add(errs, "%s: cannot read the raw public key",
				  public_path);
		return -EINVAL;
	}
	sg_hex_encode(sha, SG_SHA256_LEN, ret_hex);
	return 0;
}

/* Write the signature line to a temp file next to sig_path, rename it. */
static int write_signature(const char *sig_path,
			   const unsigned char sig[ED25519_SIG_LEN])
{
	char hex[2 * ED25519_SIG_LEN + 1];
	_cleanup_free_ char *tmp = NULL;
	_cleanup_fclose_ FILE *f = NULL;
	int fd;

	if (asprintf(&tmp, "%s.XXXXXX", sig_path) < 0)
		return -ENOMEM;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "we");
	if (!f) {
		(void)close(fd);
		(void)unlink(tmp);
		return -errno;
	}
	sg_hex_encode(sig, ED25519_SIG_LEN, hex);
	if (fchmod(fd, 0644) < 0 ||
	    fprintf(f, "%s%s\n", SG_SIGNATURE_MAGIC, hex) < 0 ||
	    fflush(f) != 0 || fsync(fd) < 0 || rename(tmp, sig_path) < 0) {
		int r = -errno;

		(void)unlink(tmp);
		return r ? r : -EIO;
	}
	return 0;
}

int sg_sign(const void *data, size_t len, const char *key_path,
	    const char *sig_path, struct errlist *errs)
{
	_cleanup_(pkey_freep) EVP_PKEY *k = NULL;
	_cleanup_(md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[ED25519_SIG_LEN];
	size_t siglen = sizeof(sig);
	int r;

	if (!ctx)
		return -ENOMEM;
	r = read_key(key_path, true, &k, errs);
	if (r < 0)
		return r;
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, k) <= 0 ||
	    EVP_DigestSign(ctx, sig, &siglen, data, len) <= 0 ||
	    siglen != sizeof(sig)) {
		(void)errlist_add(errs, "%s: signing failed", key_path);
		return -EINVAL;
	}
	r = write_signature(sig_path, sig);
	if (r < 0)
		(void)errlist_add(errs, "%s: %s", sig_path, strerror(-r));
	return r;
}

int sg_signature_parse(const char *text, size_t len,
		       unsigned char sig[SG_SIGNATURE_LEN])
{
	size_t n = strlen(SG_SIGNATURE_MAGIC);

	if (len != n + 2 * SG_SIGNATURE_LEN + 1 ||
	    memcmp(text, SG_SIGNATURE_MAGIC, n) ||
	    text[n + 2 * SG_SIGNATURE_LEN] != '\n' ||
	    sg_hex_decode(text + n, SG_SIGNATURE_LEN, sig) < 0)
		return -EINVAL;
	return 0;
}

/* Parse the one signature line of sig_path. */
static int read_signature(const char *sig_path,
			  unsigned char sig[ED25519_SIG_LEN],
			  struct errlist *errs)
{
	_cleanup_fclose_ FILE *f = NULL;
	char text[256];
	size_t len, nerrs = errs->n;
	int r = sg_fopen_trusted(sig_path, &f, errs);

	if (r < 0 && errs->n > nerrs)
		return -EPERM; /* the check said why */
	if (r < 0) {
		(void)errlist_add(errs, "%s: %s (sign the baseline with "
					"'sealguard baseline sign')",
				  sig_path, strerror(-r));
		return r;
	}
	/* the whole file is the one line: a longer one is not a signature */
	len = fread(text, 1, sizeof(text), f);
	if (len == sizeof(text) || sg_signature_parse(text, len, sig) < 0) {
		(void)errlist_add(errs, "%s: not a sealguard signature", sig_path);
		return -EINVAL;
	}
	return 0;
}

int sg_verify(const void *data, size_t len, const char *sig_path,
	      const char *key_path, struct errlist *errs)
{
	_cleanup_(pkey_freep) EVP_PKEY *k = NULL;
	_cleanup_(md_ctx_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char sig[ED25519_SIG_LEN];
	int r;

	if (!ctx)
		return -ENOMEM;
	r = read_signature(sig_path, sig, errs);
	if (r < 0)
		return r;
	r = read_key(key_path, false, &k, errs);
	if (r < 0)
		return r;
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k) <= 0)
		return -EINVAL;
	if (EVP_DigestVerify(ctx, sig, sizeof(sig), data, len) != 1) {
		(void)errlist_add(errs,
				  "%s: signature does not verify with %s: the "
				  "baseline was changed, or signed with "
				  "another key",
				  sig_path, key_path);
		return -EBADMSG;
	}
	return 0;
}
