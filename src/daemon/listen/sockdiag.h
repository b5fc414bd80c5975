/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockdiag.h - the listening sockets of our network namespace, through
 * NETLINK_SOCK_DIAG, and SOCK_DESTROY.
 *
 * The kernel announces no new listener: they are found by dumping. Each
 * dump is filtered in the kernel by state (inet_diag_req_v2.idiag_states),
 * so only listeners cross into user space:
 *  - TCP: state LISTEN (10);
 *  - UDP: state CLOSE (7), i.e. not connected. A connected UDP socket is
 *    ESTABLISHED (1); an unbound one is in no table. A socket that sent
 *    without bind() was bound to an ephemeral port by the kernel and looks
 *    exactly like an explicit bind: it is a listener too.
 * Four dumps per scan (TCP and UDP, IPv4 and IPv6): an AF_INET6 dump
 * holds only AF_INET6 sockets (a dual-stack [::] listener included).
 *
 * SOCK_DESTROY (needs CAP_NET_ADMIN and CONFIG_INET_DIAG_DESTROY) aborts a
 * TCP listener: accept() fails with EINVAL and the socket leaves the
 * listening table. On a bound UDP socket it only aborts one pending
 * receive; the socket stays bound and receiving.
 */
#ifndef SEALGUARD_SOCKDIAG_H
#define SEALGUARD_SOCKDIAG_H

#include <linux/inet_diag.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Which dumps to run: bits of `kinds`. */
enum {
	SG_SOCK_TCP4 = 1 << 0,
	SG_SOCK_TCP6 = 1 << 1,
	SG_SOCK_UDP4 = 1 << 2,
	SG_SOCK_UDP6 = 1 << 3,
	SG_SOCK_ALL = 0xf,
};

struct sg_sock {
	uint64_t cookie;  /* the kernel's socket cookie: never reused */
	uint32_t inode;   /* the socket's inode: socket:[inode] in /proc */
	uint32_t uid;     /* the uid that created it */
	uint8_t family;   /* AF_INET or AF_INET6 */
	uint8_t proto;    /* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t port;    /* local port, host order */
	unsigned char addr[16]; /* local address, network order (IPv4: 0..3) */
	struct inet_diag_sockid id; /* as dumped: names it for SOCK_DESTROY */
};

struct sg_sockvec {
	struct sg_sock *v;
	size_t n, cap;
};

struct sg_sockdiag {
	int fd;
	uint32_t seq;
	unsigned char *buf; /* one receive buffer, allocated once */
};

/* Open the netlink socket (before sealing). 0 or a negative errno. */
int sg_sockdiag_open(struct sg_sockdiag *d);
void sg_sockdiag_close(struct sg_sockdiag *d);

/* The SG_SOCK_* bit of a socket's family and protocol. */
unsigned sg_sock_kind(const struct sg_sock *s);

/*
 * Append every listener of the dumps in `kinds` to vec (which is emptied
 * first). 0, or a negative errno (vec then holds what was read).
 */
int sg_sockdiag_dump(struct sg_sockdiag *d, unsigned kinds,
		     struct sg_sockvec *vec);

/*
 * SOCK_DESTROY s. 0, -ENOENT if it no longer exists, or the kernel's
 * error (-EOPNOTSUPP without CONFIG_INET_DIAG_DESTROY, -EPERM, ...).
 */
int sg_sockdiag_destroy(struct sg_sockdiag *d, const struct sg_sock *s);

/*
 * The pure half of the receive loop (unit tests and fuzzers): one received
 * part of the answers to request seq, len bytes at buf (no alignment
 * needed beyond 4). A dump's listeners of protocol proto are appended to
 * vec. 1: the answer is not complete, the next part is needed; 0: the
 * dump ended (NLMSG_DONE) or the request was acknowledged; a negative
 * errno: the kernel's error, or -EPROTO for a reply the kernel does not
 * write (an NLMSG_ERROR too short for its error or with an error that is
 * no errno, an NLMSG_ERROR that ends a dump saying 0). No byte beyond len
 * is read.
 */
int sg_sockdiag_parse_dump(const void *buf, size_t len, uint32_t seq,
			   uint8_t proto, struct sg_sockvec *vec);
int sg_sockdiag_parse_ack(const void *buf, size_t len, uint32_t seq);

void sg_sockvec_free(struct sg_sockvec *vec);

/* Sort by cookie; then find by cookie in O(log n). */
void sg_sockvec_sort(struct sg_sockvec *vec);
const struct sg_sock *sg_sockvec_find(const struct sg_sockvec *vec,
				      uint64_t cookie);

/* "127.0.0.1:8080", "[::1]:8080" into buf (at least 64 bytes). */
char *sg_sock_local(const struct sg_sock *s, char *buf, size_t size);

#endif
