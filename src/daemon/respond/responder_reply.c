/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * responder_reply.c - the responder's answers (see responder_int.h): sent
 * at once when the daemon's socket takes them, else queued in order and
 * flushed from the loop. The responder never blocks on the daemon.
 */
#include <sys/socket.h>

#include "clock.h"
#include "respond/responder_int.h"
#include "util.h"

static void queue_reply(struct responder *rs, const char *buf, size_t len)
{
	struct queued *q;

	if (rs->rlen == MAX_PENDING_REPLIES || !(q = malloc(sizeof(*q) + len)))
		return; /* the daemon stopped reading long ago */
	q->len = len;
	memcpy(q->buf, buf, len);
	rs->replies[(rs->rhead + rs->rlen++) % MAX_PENDING_REPLIES] = q;
}

void responder_flush_replies(struct responder *rs)
{
	while (rs->rlen) {
		struct queued *q = rs->replies[rs->rhead];

		if (send(rs->sock, q->buf, q->len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
		    errno == EAGAIN)
			return;
		free(q); /* sent, or the daemon is gone */
		rs->rhead = (rs->rhead + 1) % MAX_PENDING_REPLIES;
		rs->rlen--;
	}
}

void responder_reply(struct responder *rs, const struct sg_resp_msg *req,
		     enum sg_resp_outcome outcome, int value, uint64_t start_ms,
		     const char *subject, const char *detail)
{
	struct sg_resp_msg m = *req;
	struct sg_resp_buf b;

	m.outcome = outcome;
	m.value = value;
	m.elapsed_ms = (uint32_t)(sg_now_ms() - start_ms);
	sg_resp_buf_init(&b, &m);
	sg_resp_buf_add(&b, subject ? subject : "");
	sg_resp_buf_add(&b, detail ? detail : "");
	/* never block on the daemon, and never lose an answer: what its
	 * socket cannot take now waits here, in order */
	if (rs->rlen == 0 &&
	    send(rs->sock, b.buf, b.len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return;
	queue_reply(rs, b.buf, b.len);
}
