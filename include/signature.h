/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * signature.h - Ed25519 signatures of baselines (OpenSSL libcrypto).
 *
 * A baseline is built and signed on the image build machine; hosts hold
 * only the public key, named by the policy. The signature is detached, in
 * <baseline>.sig, one line:
 *
 *   sealguard-signature 1 ed25519 <128 hex digits>
 *
 * and covers the baseline file's exact bytes. Keys are PEM files (PKCS#8
 * private key, SubjectPublicKeyInfo public key), the same as
 * `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` write.
 */
#ifndef SEALGUARD_SIGNATURE_H
#define SEALGUARD_SIGNATURE_H

#include <stddef.h>

#include "errlist.h"

#define SG_SIGNATURE_MAGIC "sealguard-signature 1 ed25519 "
#define SG_SIGNATURE_SUFFIX ".sig"
#define SG_SIGNATURE_LEN 64 /* bytes of an Ed25519 signature */

/* The bytes of a signature file (len of them at text, no NUL needed):
 * exactly the one line above. 0 with the signature in sig, or -EINVAL. */
int sg_signature_parse(const char *text, size_t len,
		       unsigned char sig[SG_SIGNATURE_LEN]);

/* A new Ed25519 key pair: the private key written with mode 0600 (refusing
 * to overwrite), the public key with 0644. 0 or a negative errno. */
int sg_keygen(const char *private_path, const char *public_path,
	      struct errlist *errs);

/* Sign data with the private key at key_path; write the signature line to
 * sig_path atomically. 0 or a negative errno, with a message in errs. */
int sg_sign(const void *data, size_t len, const char *key_path,
	    const char *sig_path, struct errlist *errs);

/*
 * Verify that sig_path holds a signature of data by the public key at
 * key_path. Returns 0, -EBADMSG if the signature does not verify (data
 * changed, or another key signed it), -EINVAL for a malformed signature
 * or key, or the errno of a file that cannot be read; a message naming
 * the file and the reason is added to errs.
 */
int sg_verify(const void *data, size_t len, const char *sig_path,
	      const char *key_path, struct errlist *errs);

/*
 * The fingerprint of the Ed25519 public key (PEM) at public_path: the
 * SHA-256 of its 32 raw bytes, in hex, into ret_hex (65 bytes). It names
 * the key a host trusts in its heartbeat, and `sealguard fleet
 * --baseline-key` computes the same from the image's key. 0 or a negative
 * errno, with a message in errs.
 */
int sg_key_fingerprint(const char *public_path, char *ret_hex,
		       struct errlist *errs);

/* "<path>.sig" in a new string, or NULL on ENOMEM. */
char *sg_signature_path(const char *path);

#endif
