/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline_signed.c - load a baseline whose signature must verify.
 *
 * The file is read once into memory; the signature is checked over those
 * bytes and the same bytes are parsed, so nothing can change the file
 * between the check and the use.
 */
#include <sys/stat.h>

#include "baseline.h"
#include "trustfile.h"
#include "baseline_int.h"
#include "signature.h"
#include "util.h"

/* Far above any real baseline (300k files are about 40 MB). */
#define MAX_BASELINE_SIZE (1024L * 1024 * 1024)

static int read_whole(int fd, char **ret, size_t *ret_len)
{
	struct stat st;
	size_t len = 0;
	char *buf;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (st.st_size > MAX_BASELINE_SIZE)
		return -EFBIG;
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return -ENOMEM;
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int r = n < 0 ? -errno : -EIO; /* shrank under us */

			free(buf);
			return r;
		}
		len += (size_t)n;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

int sg_baseline_load_verified(const char *path, const char *key_path,
			      struct sg_baseline **ret, struct errlist *errs)
{
	_cleanup_free_ char *buf = NULL, *sig_path = NULL;
	_cleanup_close_ int fd = -1;
	_cleanup_fclose_ FILE *f = NULL;
	size_t len = 0;
	int r;

	if (!key_path)
		return sg_baseline_load(path, ret, errs);
	fd = sg_open_trusted(path, errs);
	if (fd < 0)
		return fd;
	r = read_whole(fd, &buf, &len);
	if (r < 0) {
		(void)errlist_add(errs, "%s: %s", path, strerror(-r));
		return r;
	}
	sig_path = sg_signature_path(path);
	if (!sig_path)
		return -ENOMEM;
	r = sg_verify(buf, len, sig_path, key_path, errs);
	if (r < 0)
		return r;
	/* exactly the signed bytes, none for an empty file (glibc reads a
	 * zero-size buffer as an empty stream; a size of 1 here once parsed
	 * a byte read() never wrote) */
	f = fmemopen(buf, len, "r");
	if (!f)
		return -errno;
	return sg_baseline_load_stream(f, path, ret, errs);
}
