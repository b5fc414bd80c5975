/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * statefile.c - the daemon's status record. See statefile.h. Shared by
 * the daemon (writer) and `sealguard status` (reader).
 */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "statefile.h"
#include "util.h"

bool sg_state_get(const char *record, const char *key, char *out,
		  size_t size)
{
	size_t n = strlen(key);

	for (const char *l = record; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		if (strncmp(l, key, n) == 0 && l[n] == '=') {
			size_t len = strcspn(l + n + 1, "\n");

			if (len >= size)
				len = size - 1;
			memcpy(out, l + n + 1, len);
			out[len] = '\0';
			return true;
		}
	}
	return false;
}

bool sg_state_whole(const char *record)
{
	char seq[32], end[32];

	return sg_state_get(record, "seq", seq, sizeof(seq)) &&
	       sg_state_get(record, "end", end, sizeof(end)) &&
	       streq(seq, end);
}

static void read_previous(struct sg_state *s)
{
	char buf[SG_STATE_RECORD_SIZE + 1], v[32];
	ssize_t n = pread(s->fd, buf, SG_STATE_RECORD_SIZE, 0);

	if (n <= 0)
		return;
	buf[n] = '\0';
	if (!sg_state_get(buf, "state", s->prev_state, sizeof(s->prev_state)))
		return;
	s->prev_found = true;
	s->prev_clean = streq(s->prev_state, "stopped");
	if (sg_state_get(buf, "pid", v, sizeof(v)))
		s->prev_pid = (pid_t)atoi(v);
}

int sg_state_open(struct sg_state *s, const char *dir, struct errlist *errs)
{
	_cleanup_free_ char *path = NULL;
	int r;

	*s = (struct sg_state){ .fd = -1 };
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		r = -errno;
		(void)errlist_add(errs, "%s: %s", dir, strerror(-r));
		return r;
	}
	if (asprintf(&path, "%s/status", dir) < 0)
		return -ENOMEM;
	s->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (s->fd < 0) {
		r = -errno;
		(void)errlist_add(errs, "%s: %s", path, strerror(-r));
		return r;
	}
	read_previous(s);
	return 0;
}

int sg_record_write(int fd, size_t size, uint64_t seq, const char *body)
{
	char buf[SG_RECORD_MAX_SIZE];
	int n;

	if (fd < 0)
		return -EBADF;
	if (size > sizeof(buf))
		return -EINVAL;
	memset(buf, '\n', size);
	n = snprintf(buf, size, "seq=%" PRIu64 "\n%send=%" PRIu64 "\n", seq,
		     body, seq);
	if (n < 0 || (size_t)n >= size)
		return -E2BIG;
	buf[n] = '\n'; /* padding is newlines, never a NUL */
	/* one write of the whole record: the file never shrinks or grows */
	if (pwrite(fd, buf, size, 0) != (ssize_t)size)
		return -errno;
	return 0;
}

int sg_state_write(struct sg_state *s, const char *body)
{
	return sg_record_write(s->fd, SG_STATE_RECORD_SIZE, ++s->seq, body);
}

void sg_state_close(struct sg_state *s)
{
	if (s->fd >= 0)
		(void)close(s->fd);
	s->fd = -1;
}
