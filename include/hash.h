/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hash.h - SHA-256 of files through OpenSSL's libcrypto (EVP), and hex
 * encoding. Never a hand-written hash.
 */
#ifndef SEALGUARD_HASH_H
#define SEALGUARD_HASH_H

#include <stddef.h>
#include <stdint.h>

#define SG_SHA256_LEN 32
#define SG_SHA256_HEX_LEN 64

/*
 * Set libcrypto up and load its SHA-256 now. Both programs call this before
 * anything else uses libcrypto: it is set up without the host's
 * openssl.cnf (or $OPENSSL_CONF), whose providers and engines are modules
 * libcrypto would load into sealguard, and once set up so it never reads
 * the file later. The daemon also needs it done before any fanotify mark:
 * a file opened on a marked mount from the event loop would wait on the
 * daemon itself. Returns 0 or -ENOTSUP.
 */
int sg_hash_init(void);

/*
 * SHA-256 of the whole file behind fd, read with pread() from offset 0 (the
 * fd's own offset is left alone, so fanotify event fds can be hashed).
 * If ret_size is not NULL it receives the number of bytes hashed.
 * Returns 0, or a negative errno from pread (-EIO etc.) or -ENOTSUP.
 */
int sg_sha256_fd(int fd, unsigned char out[SG_SHA256_LEN], uint64_t *ret_size);

/*
 * From now on each sg_sha256_fd() maps its own read buffer and unmaps it
 * after, instead of taking it from malloc. For the daemon, which hashes
 * rarely (the first exec of each trusted binary) and locks its memory:
 * once glibc has freed one such buffer it serves the next from its heap
 * and keeps that memory, locked, for the daemon's life; and whether a
 * malloc from the heap succeeds when no new memory can be had depends on
 * what was freed before, so a hash could not be shown to fail closed
 * (tests/integration/48-fault-memory.sh). The CLI, which hashes 100,000s
 * of files in a row, keeps malloc. Call before any thread hashes.
 */
void sg_hash_map_buffers(void);

/* Lower-case hex of n bytes into out (2n+1 bytes, NUL-terminated). */
void sg_hex_encode(const unsigned char *in, size_t n, char *out);

/* Parse exactly 2n hex digits. Returns 0 or -EINVAL. */
int sg_hex_decode(const char *in, size_t n, unsigned char *out);

#endif
