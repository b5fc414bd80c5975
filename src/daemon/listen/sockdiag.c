/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockdiag.c - listener dumps and SOCK_DESTROY over NETLINK_SOCK_DIAG.
 * See sockdiag.h.
 */
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <limits.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "listen/sockdiag.h"
#include "util.h"

/* Larger than any dump message the kernel builds (at most 32 KiB). */
#define NL_BUF_SIZE (64 * 1024)
/* A dump is produced while we read it; this bounds a kernel that stalls,
 * so the event loop can never hang here. */
#define NL_TIMEOUT_MS 200

struct diag_req {
	struct nlmsghdr nh;
	struct inet_diag_req_v2 r;
};

static int open_socket(void)
{
	struct timeval tv = { 0, NL_TIMEOUT_MS * 1000 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		int r = -errno;

		(void)close(fd);
		return r;
	}
	return fd;
}

int sg_sockdiag_open(struct sg_sockdiag *d)
{
	int fd;

	*d = (struct sg_sockdiag){ .fd = -1 };
	d->buf = malloc(NL_BUF_SIZE);
	if (!d->buf)
		return -ENOMEM;
	fd = open_socket();
	if (fd < 0) {
		free(d->buf);
		d->buf = NULL;
		return fd;
	}
	d->fd = fd;
	return 0;
}

/*
 * After a transport error a dump may still be running on the socket (a
 * new one would get EBUSY, old parts would arrive later): start afresh.
 * Creating a socket opens no file, so this is safe after sealing.
 */
static int reset_after(struct sg_sockdiag *d, int err)
{
	int fd;

	if (err != -ETIMEDOUT && err != -EMSGSIZE && err != -ENOBUFS &&
	    err != -EBUSY)
		return err;
	fd = open_socket();
	if (fd >= 0) {
		(void)close(d->fd);
		d->fd = fd;
	}
	return err;
}

void sg_sockdiag_close(struct sg_sockdiag *d)
{
	if (d->fd >= 0)
		(void)close(d->fd);
	free(d->buf);
	*d = (struct sg_sockdiag){ .fd = -1 };
}

unsigned sg_sock_kind(const struct sg_sock *s)
{
	bool v6 = s->family == AF_INET6;

	if (s->proto == IPPROTO_TCP)
		return v6 ? SG_SOCK_TCP6 : SG_SOCK_TCP4;
	return v6 ? SG_SOCK_UDP6 : SG_SOCK_UDP4;
}

static int send_req(struct sg_sockdiag *d, uint16_t type, uint16_t flags,
		    const struct inet_diag_req_v2 *r)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct diag_req req = {
		.nh = { .nlmsg_len = sizeof(req), .nlmsg_type = type,
			.nlmsg_flags = NLM_F_REQUEST | flags,
			.nlmsg_seq = ++d->seq },
		.r = *r,
	};
	ssize_t n;

	do
		n = sendto(d->fd, &req, sizeof(req), 0,
			   (const struct sockaddr *)&kernel, sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(req) ? 0 : -EIO;
}

static ssize_t recv_part(struct sg_sockdiag *d)
{
	ssize_t n;

	do
		n = recv(d->fd, d->buf, NL_BUF_SIZE, MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? -ETIMEDOUT : -errno;
	return n > NL_BUF_SIZE ? -EMSGSIZE : n;
}

static int vec_push(struct sg_sockvec *vec, const struct sg_sock *s)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 64;
		struct sg_sock *v = reallocarray(vec->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n++] = *s;
	return 0;
}

/* One dumped socket; UDP only counts when it has no peer. */
static int take(const struct inet_diag_msg *m, uint8_t proto,
		struct sg_sockvec *vec)
{
	struct sg_sock s = {
		.cookie = (uint64_t)m->id.idiag_cookie[1] << 32 |
			  m->id.idiag_cookie[0],
		.inode = m->idiag_inode,
		.uid = m->idiag_uid,
		.family = m->idiag_family,
		.proto = proto,
		.port = ntohs(m->id.idiag_sport),
		.id = m->id,
	};

	if (proto == IPPROTO_UDP && m->id.idiag_dport != 0)
		return 0;
	memcpy(s.addr, m->id.idiag_src, sizeof(s.addr));
	return vec_push(vec, &s);
}

/* The error an NLMSG_ERROR carries: a negative errno or 0. Anything
 * else is not what the kernel writes. */
static int nlmsg_error(const struct nlmsghdr *h)
{
	struct nlmsgerr e;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(e)))
		return -EPROTO; /* too short to hold its error */
	memcpy(&e, NLMSG_DATA(h), sizeof(e));
	return e.error > 0 || e.error < -4095 ? -EPROTO : e.error;
}

/*
 * One received part of the answers to request seq (stale ones are
 * skipped). A dump (on_data set) ends at NLMSG_DONE, each
 * SOCK_DIAG_BY_FAMILY message goes to on_data, and an NLMSG_ERROR is a
 * failure even if it says 0. A plain request (on_data NULL) is settled
 * by its acknowledgement: an NLMSG_ERROR whose error (0: done) is
 * returned. 1: not settled by this part, read the next.
 */
static int parse_part(const void *buf, size_t size, uint32_t seq,
		      int (*on_data)(const struct nlmsghdr *h, void *ctx),
		      void *ctx)
{
	const struct nlmsghdr *h;
	/* NLMSG_NEXT counts down below 0: signed, as recv() returns it */
	ssize_t len = size > SSIZE_MAX ? SSIZE_MAX : (ssize_t)size;

	for (h = buf; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
		int r;

		if (h->nlmsg_seq != seq)
			continue; /* a stale answer */
		if (h->nlmsg_type == NLMSG_DONE && on_data)
			return 0;
		if (h->nlmsg_type == NLMSG_ERROR) {
			r = nlmsg_error(h);
			return on_data && !r ? -EPROTO : r;
		}
		if (!on_data || h->nlmsg_type != SOCK_DIAG_BY_FAMILY)
			continue;
		r = on_data(h, ctx);
		if (r < 0)
			return r;
	}
	return 1;
}

/* Read the answers to our last request (d->seq) until settled. */
static int read_replies(struct sg_sockdiag *d,
			int (*on_data)(const struct nlmsghdr *h, void *ctx),
			void *ctx)
{
	for (;;) {
		ssize_t len = recv_part(d);
		int r;

		if (len < 0)
			return (int)len;
		r = parse_part(d->buf, (size_t)len, d->seq, on_data, ctx);
		if (r <= 0)
			return r;
	}
}

struct dump_ctx {
	uint8_t proto;
	struct sg_sockvec *vec;
};

static int take_message(const struct nlmsghdr *h, void *ctx)
{
	const struct dump_ctx *dc = ctx;
	struct inet_diag_msg m;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(m)))
		return 0;
	memcpy(&m, NLMSG_DATA(h), sizeof(m));
	return take(&m, dc->proto, dc->vec);
}

int sg_sockdiag_parse_dump(const void *buf, size_t len, uint32_t seq,
			   uint8_t proto, struct sg_sockvec *vec)
{
	struct dump_ctx dc = { proto, vec };

	return parse_part(buf, len, seq, take_message, &dc);
}

int sg_sockdiag_parse_ack(const void *buf, size_t len, uint32_t seq)
{
	return parse_part(buf, len, seq, NULL, NULL);
}

/* Read the parts of one dump until NLMSG_DONE. */
static int read_dump(struct sg_sockdiag *d, uint8_t proto,
		     struct sg_sockvec *vec)
{
	struct dump_ctx dc = { proto, vec };

	return read_replies(d, take_message, &dc);
}

static int dump_one(struct sg_sockdiag *d, uint8_t family, uint8_t proto,
		    struct sg_sockvec *vec)
{
	struct inet_diag_req_v2 r = {
		.sdiag_family = family,
		.sdiag_protocol = proto,
		.idiag_states = proto == IPPROTO_TCP ? 1u << TCP_LISTEN :
						       1u << TCP_CLOSE,
	};
	int err = send_req(d, SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, &r);

	return reset_after(d, err < 0 ? err : read_dump(d, proto, vec));
}

int sg_sockdiag_dump(struct sg_sockdiag *d, unsigned kinds,
		     struct sg_sockvec *vec)
{
	static const struct {
		unsigned kind;
		uint8_t family, proto;
	} dumps[] = {
		{ SG_SOCK_TCP4, AF_INET, IPPROTO_TCP },
		{ SG_SOCK_TCP6, AF_INET6, IPPROTO_TCP },
		{ SG_SOCK_UDP4, AF_INET, IPPROTO_UDP },
		{ SG_SOCK_UDP6, AF_INET6, IPPROTO_UDP },
	};

	vec->n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(dumps); i++) {
		int r;

		if (!(kinds & dumps[i].kind))
			continue;
		r = dump_one(d, dumps[i].family, dumps[i].proto, vec);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The acknowledgement of the last request: its error, or 0. */
static int read_ack(struct sg_sockdiag *d)
{
	return read_replies(d, NULL, NULL);
}

/*
 * How many remote ports a destroy tries for a TCP listener the kernel
 * says it cannot find. The kernel finds the socket to destroy by its
 * address (inet_diag_find_one_icsk: inet_lookup(), then the cookie is
 * compared); a listener in an SO_REUSEPORT group shares its address with
 * the others, and the lookup returns the one member the group's hash
 * picks, the same one each time: every other member fails with ENOENT
 * (cookie mismatch) and was left listening until a retry a second later,
 * one member per retry (found by `make stress`: sgload workers listening
 * on one port; a group of N outlived the bound by N - 1 seconds). The
 * hash covers the remote address and port of the lookup, which a
 * listener's dump leaves 0 and no established socket can match (remote
 * 0.0.0.0 or ::), so another remote port picks another member; the
 * cookie still guarantees that no other socket is destroyed. 64 tries
 * find a member of a group of 8 but with a chance of 2e-4 of missing it
 * (then it is retried a second later, as before); a socket really gone
 * costs 64 round trips, a fraction of a millisecond.
 */
#define DESTROY_TRIES 64

static int destroy_once(struct sg_sockdiag *d, const struct inet_diag_req_v2 *r)
{
	int err = send_req(d, SOCK_DESTROY, NLM_F_ACK, r);

	return reset_after(d, err < 0 ? err : read_ack(d));
}

int sg_sockdiag_destroy(struct sg_sockdiag *d, const struct sg_sock *s)
{
	struct inet_diag_req_v2 r = {
		.sdiag_family = s->family,
		.sdiag_protocol = s->proto,
		.idiag_states = ~0u,
		.id = s->id, /* with the cookie: never another socket */
	};
	int err = destroy_once(d, &r);

	for (unsigned port = 1; err == -ENOENT && s->proto == IPPROTO_TCP &&
				s->id.idiag_dport == 0 && port < DESTROY_TRIES;
	     port++) {
		r.id.idiag_dport = htons((uint16_t)port);
		err = destroy_once(d, &r);
	}
	return err;
}

void sg_sockvec_free(struct sg_sockvec *vec)
{
	free(vec->v);
	*vec = (struct sg_sockvec){ 0 };
}

static int cookie_cmp(const void *a, const void *b)
{
	uint64_t x = ((const struct sg_sock *)a)->cookie;
	uint64_t y = ((const struct sg_sock *)b)->cookie;

	return x < y ? -1 : x > y;
}

void sg_sockvec_sort(struct sg_sockvec *vec)
{
	if (vec->n > 1)
		qsort(vec->v, vec->n, sizeof(*vec->v), cookie_cmp);
}

const struct sg_sock *sg_sockvec_find(const struct sg_sockvec *vec,
				      uint64_t cookie)
{
	struct sg_sock key = { .cookie = cookie };

	if (!vec->n)
		return NULL;
	return bsearch(&key, vec->v, vec->n, sizeof(*vec->v), cookie_cmp);
}

char *sg_sock_local(const struct sg_sock *s, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(s->family, s->addr, a, sizeof(a)))
		strcpy(a, "?");
	if (s->family == AF_INET6)
		snprintf(buf, size, "[%s]:%u", a, s->port);
	else
		snprintf(buf, size, "%s:%u", a, s->port);
	return buf;
}
