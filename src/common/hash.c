/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hash.c - SHA-256 of files through libcrypto's EVP interface.
 */
#include <pthread.h>
#include <stdbool.h>
#include <sys/mman.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "hash.h"
#include "util.h"

/* Large enough that syscalls are noise next to hashing, small enough for L2. */
#define SG_HASH_CHUNK (128 * 1024)

static pthread_once_t hash_once = PTHREAD_ONCE_INIT;
static EVP_MD *sha256_md;
static int hash_init_result = -ENOTSUP;
static bool map_buffers;

static void hash_init_once(void)
{
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	EVP_MD *md;

	/*
	 * Never the host's openssl.cnf (or $OPENSSL_CONF): its providers
	 * and engines are modules libcrypto would dlopen into the sealed
	 * daemon, by a path the file names, and a provider section that
	 * fails takes SHA-256 down with it (tests/attacks/83-openssl-conf).
	 * The built-in default provider has everything sealguard uses. It
	 * is loaded now, with the digest's lazy set-up, not on a later
	 * event; not parsing the config also leaves 0.6 MB of libcrypto
	 * untouched (issue #14's RSS).
	 */
	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL))
		return;
	md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (!md)
		return;
	/* A throwaway digest runs every lazy initialisation left. */
	if (!EVP_Digest("", 0, out, &len, md, NULL) || len != SG_SHA256_LEN) {
		EVP_MD_free(md);
		return;
	}
	sha256_md = md;
	hash_init_result = 0;
}

int sg_hash_init(void)
{
	if (pthread_once(&hash_once, hash_init_once) != 0)
		return -ENOTSUP;
	return hash_init_result;
}

/* Feed the whole file to ctx; returns 0 or a negative errno. */
static int hash_fd_into(EVP_MD_CTX *ctx, int fd, unsigned char *buf,
			uint64_t *ret_size)
{
	uint64_t off = 0;

	for (;;) {
		ssize_t n = pread(fd, buf, SG_HASH_CHUNK, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n))
			return -ENOTSUP;
		off += (uint64_t)n;
	}
	*ret_size = off;
	return 0;
}

void sg_hash_map_buffers(void)
{
	map_buffers = true;
}

static unsigned char *buffer_get(void)
{
	void *p;

	if (!map_buffers)
		return malloc(SG_HASH_CHUNK);
	p = mmap(NULL, SG_HASH_CHUNK, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

static void buffer_put(unsigned char *buf)
{
	if (!map_buffers)
		free(buf);
	else
		(void)munmap(buf, SG_HASH_CHUNK);
}

int sg_sha256_fd(int fd, unsigned char out[SG_SHA256_LEN], uint64_t *ret_size)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	unsigned char *buf;
	EVP_MD_CTX *ctx;
	uint64_t size = 0;
	int r;

	r = sg_hash_init();
	if (r < 0)
		return r;
	buf = buffer_get();
	if (!buf)
		return -ENOMEM;
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		buffer_put(buf);
		return -ENOMEM;
	}
	if (!EVP_DigestInit_ex2(ctx, sha256_md, NULL))
		r = -ENOTSUP;
	if (r == 0)
		r = hash_fd_into(ctx, fd, buf, &size);
	if (r == 0 && (!EVP_DigestFinal_ex(ctx, md, &len) ||
		       len != SG_SHA256_LEN))
		r = -ENOTSUP;
	EVP_MD_CTX_free(ctx);
	buffer_put(buf);
	if (r < 0)
		return r;
	memcpy(out, md, SG_SHA256_LEN);
	if (ret_size)
		*ret_size = size;
	return 0;
}

void sg_hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

/*
 * Digit value + 1 of each byte, 0 for a non-digit (a table: the loader
 * decodes 300k hashes).
 */
static const unsigned char hex_value1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

int sg_hex_decode(const char *in, size_t n, unsigned char *out)
{
	const unsigned char *s = (const unsigned char *)in;

	/* Check everything first: out is written only on success. */
	for (size_t i = 0; i < 2 * n; i++)
		if (!hex_value1[s[i]]) /* also stops at a short string's NUL */
			return -EINVAL;
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)((hex_value1[s[2 * i]] - 1) << 4 |
					 (hex_value1[s[2 * i + 1]] - 1));
	return 0;
}
