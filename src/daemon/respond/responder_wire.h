/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * responder_wire.h - the messages between the daemon and the responder
 * (responder.h) over their SOCK_SEQPACKET socket pair: one message a
 * request, one a reply, each a struct sg_resp_msg followed by
 * NUL-terminated strings. Both sides build and read them with the
 * functions below (responder_wire.c).
 */
#ifndef SEALGUARD_RESPONDER_WIRE_H
#define SEALGUARD_RESPONDER_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Largest message either way; longer fields are cut by the sender. */
#define SG_RESP_MSG_MAX 16384
enum sg_resp_op {
	SG_RESP_HELLO,       /* responder -> daemon, once: ready (flags) */
	SG_RESP_FREEZE,      /* strings: the cgroup path (as /proc/PID/cgroup) */
	SG_RESP_HOOK,        /* strings: KEY=value, the hook's environment */
	SG_RESP_REPROVISION, /* the same, for the reprovision program */
	SG_RESP_TAMPER,      /* responder -> daemon, unasked: it found a
				tracer on the daemon or the daemon stopped
				(subject: what, in one line) */
};

enum sg_resp_outcome {
	SG_RESP_DONE,    /* frozen; or the program exited 0 */
	SG_RESP_ERRNO,   /* value: the errno that stopped it */
	SG_RESP_EXIT,    /* value: the program's non-zero exit status */
	SG_RESP_SIGNAL,  /* value: the signal that ended the program */
	SG_RESP_TIMEOUT, /* the program ran past the timeout: killed */
	SG_RESP_DROPPED, /* too many requests waiting: not run */
	SG_RESP_REFUSED, /* a cgroup that must not be frozen (detail says) */
};

/* Bits of a HELLO's flags. */
enum {
	SG_RESP_CAN_FREEZE = 1 << 0, /* a cgroup v2 hierarchy was found */
};

struct sg_resp_msg {
	uint32_t op;         /* enum sg_resp_op */
	uint32_t id;         /* the daemon's request number, echoed back */
	uint32_t kind;       /* enum sg_kind; SG_KIND__COUNT: none */
	int32_t pid;         /* freeze: the process whose cgroup it is */
	uint32_t outcome;    /* replies: enum sg_resp_outcome */
	int32_t value;       /* errno, exit status or signal */
	uint32_t elapsed_ms; /* replies: how long it took */
	uint32_t flags;      /* HELLO: SG_RESP_CAN_FREEZE */
	/* then NUL-terminated strings: a request's (see enum sg_resp_op);
	 * a reply's: the subject (cgroup or program), then a detail */
};

/* A message being built: the header, then NUL-terminated strings. */
struct sg_resp_buf {
	char buf[SG_RESP_MSG_MAX];
	size_t len;
};

/* Start b with the header m. */
void sg_resp_buf_init(struct sg_resp_buf *b, const struct sg_resp_msg *m);

/* Append s, cut to what fits: a message never fails to build. */
void sg_resp_buf_add(struct sg_resp_buf *b, const char *s);

/*
 * The strings after a message's header: the i-th NUL-terminated string
 * (0-based) of a message of len bytes, or NULL past the last one.
 */
const char *sg_resp_string(const void *msg, size_t len, unsigned i);

/*
 * The hook's stdin: {"event":"write",...} from KEY=value strings
 * (SEALGUARD_EVENT becomes "event"), every value a JSON string. Returns a
 * malloc'ed string, or NULL on ENOMEM.
 */
char *sg_resp_json(const char *const *env, size_t n);

#endif
