/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journal.c - journald's native protocol over a datagram socket whose
 * sends wait a bounded time. See journal.h.
 *
 * The protocol (systemd's JOURNAL_NATIVE_PROTOCOL): one datagram per
 * entry; a field is "KEY=value\n", or, when the value holds a newline,
 * "KEY\n", the value's length as a little-endian 64-bit number, the
 * value, "\n". journald takes the sender's pid and uid from the socket's
 * credentials, as for sd_journal_sendv().
 */
#include <endian.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include "log/journal.h"
#include "util.h"

#define MAX_FIELDS 64
#define SNDBUF_SIZE (8 * 1024 * 1024) /* libsystemd's size */

static int sock = -1;

/*
 * The socket, opened on first use. A send waits for room in journald's
 * queue, as libsystemd's does, but at most SG_JOURNAL_SEND_WAIT_MS
 * (SO_SNDTIMEO): the kernel wakes it as soon as journald reads, so a
 * busy journal costs no throughput, and a stopped one returns EAGAIN. A
 * socket without that bound is not used at all.
 */
static int journal_socket(void)
{
	const struct timeval wait = {
		.tv_usec = SG_JOURNAL_SEND_WAIT_MS * 1000,
	};
	int size = SNDBUF_SIZE, r;

	if (sock >= 0)
		return sock;
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return -errno;
	if (setsockopt(sock, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof(wait)) < 0) {
		r = -errno;
		(void)close(sock);
		sock = -1;
		return r;
	}
	/* a larger buffer only lets bigger entries through: ignore failure */
	(void)setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	return sock;
}

/* The iovecs of one field into iov (room for 5); returns how many. */
static size_t field_iovecs(const char *field, uint64_t *len_le,
			   struct iovec *iov)
{
	static char nl[] = "\n";
	const char *eq = strchr(field, '=');
	size_t n = 0;

	if (!eq)
		return 0; /* not a field: journald would refuse the entry */
	if (!strchr(eq + 1, '\n')) {
		iov[n++] = (struct iovec){ (void *)field, strlen(field) };
		iov[n++] = (struct iovec){ nl, 1 };
		return n;
	}
	*len_le = htole64((uint64_t)strlen(eq + 1));
	iov[n++] = (struct iovec){ (void *)field, (size_t)(eq - field) };
	iov[n++] = (struct iovec){ nl, 1 };
	iov[n++] = (struct iovec){ len_le, sizeof(*len_le) };
	iov[n++] = (struct iovec){ (void *)(eq + 1), strlen(eq + 1) };
	iov[n++] = (struct iovec){ nl, 1 };
	return n;
}

int sg_journal_send(char *const *fields, size_t n)
{
	static const struct sockaddr_un addr = {
		.sun_family = AF_UNIX,
		.sun_path = SG_JOURNAL_SOCKET,
	};
	struct iovec iov[MAX_FIELDS * 5];
	uint64_t lens[MAX_FIELDS];
	struct msghdr mh = {
		.msg_name = (void *)&addr,
		.msg_namelen = sizeof(addr),
		.msg_iov = iov,
	};
	size_t niov = 0;
	int fd = journal_socket();

	if (fd < 0)
		return fd;
	if (n > MAX_FIELDS)
		n = MAX_FIELDS;
	for (size_t i = 0; i < n; i++)
		niov += field_iovecs(fields[i], &lens[i], iov + niov);
	mh.msg_iovlen = niov;
	/* EAGAIN: journald's queue stayed full for SG_JOURNAL_SEND_WAIT_MS */
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		return -errno;
	return 0;
}

void sg_journal_close(void)
{
	if (sock >= 0)
		(void)close(sock);
	sock = -1;
}
