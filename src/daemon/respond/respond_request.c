/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * respond_request.c - requests to the responder (see respond_int.h):
 * built in a buffer, handed over without waiting. The sealed daemon never
 * blocks on the responder: a full socket is a dropped response, counted
 * and logged by the caller.
 */
#include <stdarg.h>
#include <sys/socket.h>

#include "respond/respond_int.h"

void request_init(struct sg_resp_buf *q, enum sg_resp_op op, uint32_t id,
		  enum sg_kind kind, pid_t pid)
{
	struct sg_resp_msg m = { .op = op, .id = id, .kind = kind,
				 .pid = pid };

	sg_resp_buf_init(q, &m);
}

void request_addf(struct sg_resp_buf *q, const char *fmt, ...)
{
	char field[PATH_MAX + 64];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(field, sizeof(field), fmt, ap);
	va_end(ap);
	sg_resp_buf_add(q, field);
}

int request_send(struct sg_respond *r, const struct sg_resp_buf *q)
{
	if (r->sock < 0)
		return -EPIPE;
	if (send(r->sock, q->buf, q->len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return 0;
}

const char *request_error(int err)
{
	return err == EAGAIN ? "the responder is behind" :
			       "the responder is gone";
}
