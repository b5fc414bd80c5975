/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_sockdiag.c - one received part of NETLINK_SOCK_DIAG answers
 * (sg_sockdiag_parse_dump, sg_sockdiag_parse_ack), as the listener guard
 * reads a dump of listeners and the acknowledgement of a SOCK_DESTROY.
 *
 * The first byte picks the reader (bit 0: ack, else a dump; bit 1: UDP,
 * else TCP); the rest is the part, in a buffer of exactly its size. The
 * request's sequence number is 1.
 *
 * Properties: no crash, leak or undefined behaviour, no byte read past
 * the part; 1, 0 or a negative errno (never a positive "error"); a dump
 * keeps only whole listener messages, and no connected UDP socket.
 */
#include <errno.h>
#include <netinet/in.h>

#include "fuzz.h"
#include "listen/sockdiag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sg_sockvec vec = { 0 };
	uint8_t proto;
	void *part;
	int r;

	if (size == 0)
		return 0;
	proto = data[0] & 2 ? IPPROTO_UDP : IPPROTO_TCP;
	part = fuzz_copy(data + 1, size - 1);
	if (data[0] & 1) {
		r = sg_sockdiag_parse_ack(part, size - 1, 1);
	} else {
		r = sg_sockdiag_parse_dump(part, size - 1, 1, proto, &vec);
		fuzz_assert(vec.n <= (size - 1) / sizeof(struct inet_diag_msg));
		for (size_t i = 0; i < vec.n; i++) {
			fuzz_assert(vec.v[i].proto == proto);
			if (proto == IPPROTO_UDP)
				fuzz_assert(vec.v[i].id.idiag_dport == 0);
		}
	}
	fuzz_assert(r <= 1 && r >= -4095);
	sg_sockvec_free(&vec);
	free(part);
	return 0;
}
