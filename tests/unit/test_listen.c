/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_listen.c - the listener guard's logic without a network: the
 * [listen] allow parser (fields, ports, addresses, families, executables,
 * every error), its normalised form, rule coverage, which rule allows a
 * socket, the action per mode and protocol, pinned executables, and the
 * owner look-up and kill on this process's own (AF_UNIX) sockets.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "listen/listen.h"
#include "listen/sockdiag.h"
#include "util.h"

/* ---------------------------------------------------------------- sock_diag */

/* A netlink message of request 1 in buf at *off; returns its header. */
static struct nlmsghdr *put_nlmsg(unsigned char *buf, size_t *off,
				  uint16_t type, uint32_t seq,
				  const void *payload, size_t len)
{
	struct nlmsghdr *h = (void *)(buf + *off);

	*h = (struct nlmsghdr){ .nlmsg_len = (uint32_t)NLMSG_LENGTH(len),
				.nlmsg_type = type, .nlmsg_seq = seq };
	memcpy(NLMSG_DATA(h), payload, len);
	*off += NLMSG_ALIGN(h->nlmsg_len);
	return h;
}

/* The bytes of buf in a block of exactly n bytes: a read past the end is
 * an ASan report, as a read past what recv() wrote would be. */
static int parse_exact(const void *buf, size_t n, bool dump, uint8_t proto,
		       struct sg_sockvec *vec)
{
	void *copy = malloc(n);
	int r;

	assert_non_null(copy);
	memcpy(copy, buf, n);
	r = dump ? sg_sockdiag_parse_dump(copy, n, 1, proto, vec) :
		   sg_sockdiag_parse_ack(copy, n, 1);
	free(copy);
	return r;
}

static struct inet_diag_msg listener(uint16_t port, uint16_t dport,
				     uint32_t cookie)
{
	struct inet_diag_msg m = { .idiag_family = AF_INET,
				   .idiag_inode = 1000 + port };

	m.id.idiag_sport = htons(port);
	m.id.idiag_dport = htons(dport);
	m.id.idiag_cookie[0] = cookie;
	return m;
}

static void test_sockdiag_dump(void **state)
{
	unsigned char buf[1024] __attribute__((aligned(4)));
	struct inet_diag_msg a = listener(22, 0, 7), b = listener(53, 99, 8);
	struct sg_sockvec vec = { 0 };
	size_t off = 0;
	int zero = 0;

	/* a stale listener (another request), two of ours, the end */
	put_nlmsg(buf, &off, SOCK_DIAG_BY_FAMILY, 0, &b, sizeof(b));
	put_nlmsg(buf, &off, SOCK_DIAG_BY_FAMILY, 1, &a, sizeof(a));
	put_nlmsg(buf, &off, SOCK_DIAG_BY_FAMILY, 1, &b, sizeof(b));
	assert_int_equal(parse_exact(buf, off, true, IPPROTO_TCP, &vec), 1);
	assert_int_equal(vec.n, 2);
	assert_int_equal(vec.v[0].port, 22);
	assert_int_equal(vec.v[0].cookie, 7);
	put_nlmsg(buf, &off, NLMSG_DONE, 1, &zero, sizeof(zero));
	vec.n = 0;
	/* as UDP the connected one (dport 99) is no listener */
	assert_int_equal(parse_exact(buf, off, true, IPPROTO_UDP, &vec), 0);
	assert_int_equal(vec.n, 1);
	assert_int_equal(vec.v[0].port, 22);
	/* a listener message too short for its struct is skipped */
	off = 0;
	put_nlmsg(buf, &off, SOCK_DIAG_BY_FAMILY, 1, &a, sizeof(a) - 4);
	vec.n = 0;
	assert_int_equal(parse_exact(buf, off, true, IPPROTO_TCP, &vec), 1);
	assert_int_equal(vec.n, 0);
	sg_sockvec_free(&vec);
}

/*
 * NLMSG_ERROR replies (issue #16: one was handled with bytes never
 * written). Only the bytes received are read; a reply too short for its
 * error, or with an error that is no errno, is -EPROTO; a dump that
 * ends with error 0 is -EPROTO, an acknowledgement with 0 is done.
 */
static void test_sockdiag_errors(void **state)
{
	unsigned char buf[256] __attribute__((aligned(4)));
	struct nlmsgerr e = { .error = -ENOENT };
	struct sg_sockvec vec = { 0 };
	struct nlmsghdr *h;
	size_t off = 0;

	put_nlmsg(buf, &off, NLMSG_ERROR, 1, &e, sizeof(e));
	assert_int_equal(parse_exact(buf, off, false, 0, NULL), -ENOENT);
	assert_int_equal(parse_exact(buf, off, true, IPPROTO_TCP, &vec), -ENOENT);
	e.error = 0;
	off = 0;
	put_nlmsg(buf, &off, NLMSG_ERROR, 1, &e, sizeof(e));
	assert_int_equal(parse_exact(buf, off, false, 0, NULL), 0);
	assert_int_equal(parse_exact(buf, off, true, IPPROTO_TCP, &vec), -EPROTO);
	/* a positive "error" and one below every errno */
	e.error = 5;
	off = 0;
	put_nlmsg(buf, &off, NLMSG_ERROR, 1, &e, sizeof(e));
	assert_int_equal(parse_exact(buf, off, false, 0, NULL), -EPROTO);
	e.error = INT32_MIN;
	off = 0;
	put_nlmsg(buf, &off, NLMSG_ERROR, 1, &e, sizeof(e));
	assert_int_equal(parse_exact(buf, off, false, 0, NULL), -EPROTO);
	/* an error message of 18 bytes, all that was received: the error
	 * would lie beyond them */
	off = 0;
	e.error = -EPERM;
	h = put_nlmsg(buf, &off, NLMSG_ERROR, 1, &e, 2);
	assert_int_equal(h->nlmsg_len, 18);
	assert_int_equal(parse_exact(buf, 18, false, 0, NULL), -EPROTO);
	assert_int_equal(parse_exact(buf, 18, true, IPPROTO_TCP, &vec), -EPROTO);
	/* a header claiming more than was received ends the part */
	off = 0;
	h = put_nlmsg(buf, &off, NLMSG_ERROR, 1, &e, sizeof(e));
	assert_int_equal(parse_exact(buf, h->nlmsg_len - 1, false, 0, NULL), 1);
	/* a stale error is not ours */
	off = 0;
	put_nlmsg(buf, &off, NLMSG_ERROR, 2, &e, sizeof(e));
	assert_int_equal(parse_exact(buf, off, false, 0, NULL), 1);
	assert_int_equal(vec.n, 0);
	sg_sockvec_free(&vec);
}

static struct sg_listen_rule parse_ok(const char *v)
{
	struct sg_listen_rule r;
	const char *why = NULL;
	int err = sg_listen_rule_parse(v, &r, &why);

	if (err)
		fail_msg("'%s': %d %s", v, err, why ? why : "");
	return r;
}

static const char *parse_err(const char *v)
{
	struct sg_listen_rule r = { .line = 4242 };
	const char *why = NULL;

	assert_int_equal(sg_listen_rule_parse(v, &r, &why), -EINVAL);
	assert_int_equal(r.line, 4242); /* untouched */
	assert_non_null(why);
	return why;
}

static void assert_format(const char *in, const char *want)
{
	struct sg_listen_rule r = parse_ok(in);
	char buf[256];

	assert_string_equal(sg_listen_rule_format(&r, buf, sizeof(buf)), want);
	free(r.exe);
}

static void test_parse_forms(void **state)
{
	struct sg_listen_rule r = parse_ok("tcp 22");

	assert_int_equal(r.proto, SG_LISTEN_TCP);
	assert_int_equal(r.families, SG_LISTEN_IPV4 | SG_LISTEN_IPV6);
	assert_int_equal(r.port_min, 22);
	assert_int_equal(r.port_max, 22);
	assert_int_equal(r.addr_kind, SG_LISTEN_ADDR_ANY);
	assert_null(r.exe);

	r = parse_ok("udp6  5000-5010\tloopback");
	assert_int_equal(r.proto, SG_LISTEN_UDP);
	assert_int_equal(r.families, SG_LISTEN_IPV6);
	assert_int_equal(r.port_min, 5000);
	assert_int_equal(r.port_max, 5010);
	assert_int_equal(r.addr_kind, SG_LISTEN_ADDR_LOOPBACK);

	r = parse_ok("tcp 443 /usr/sbin/nginx"); /* no address: any */
	assert_int_equal(r.addr_kind, SG_LISTEN_ADDR_ANY);
	assert_string_equal(r.exe, "/usr/sbin/nginx");
	free(r.exe);

	r = parse_ok("tcp 1-65535 any /usr/bin/x");
	assert_int_equal(r.port_min, 1);
	assert_int_equal(r.port_max, 65535);
	free(r.exe);
}

static void test_parse_addresses(void **state)
{
	struct sg_listen_rule r = parse_ok("tcp 80 127.0.0.1");
	unsigned char lo4[4] = { 127, 0, 0, 1 };

	/* a literal fixes the family */
	assert_int_equal(r.families, SG_LISTEN_IPV4);
	assert_int_equal(r.addr_kind, SG_LISTEN_ADDR_EXACT);
	assert_memory_equal(r.addr, lo4, 4);
	r = parse_ok("udp 53 ::1");
	assert_int_equal(r.families, SG_LISTEN_IPV6);
	assert_int_equal(r.addr[15], 1);
	r = parse_ok("tcp4 80 0.0.0.0");
	assert_int_equal(r.addr_kind, SG_LISTEN_ADDR_EXACT);
	assert_int_equal(r.families, SG_LISTEN_IPV4);
	r = parse_ok("tcp6 80 ::");
	assert_int_equal(r.addr_kind, SG_LISTEN_ADDR_EXACT);
}

static void test_parse_errors(void **state)
{
	assert_string_equal(parse_err("tcp"),
			    "needs a protocol and a port (PROTO PORTS "
			    "[ADDRESS] [EXE])");
	assert_string_equal(parse_err("sctp 22"),
			    "has an unknown protocol (tcp, tcp4, tcp6, udp, "
			    "udp4, udp6)");
	assert_string_equal(parse_err("TCP 22"),
			    "has an unknown protocol (tcp, tcp4, tcp6, udp, "
			    "udp4, udp6)");
	static const char *const bad_ports[] = {
		"tcp 0",      "tcp 65536", "tcp 99999999", "tcp -1",
		"tcp 22-",    "tcp -22",   "tcp 1-2-3",    "tcp 0x16",
		"tcp ssh",    "tcp 2 2",   "tcp +22",      "tcp 22-65536",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad_ports); i++) {
		const char *why = parse_err(bad_ports[i]);

		if (!strstr(why, "port") && !strstr(why, "address"))
			fail_msg("%s: %s", bad_ports[i], why);
	}
	assert_string_equal(parse_err("tcp 90-80"),
			    "has a port range whose low end is above its high "
			    "end");
	assert_non_null(strstr(parse_err("tcp 22 localhost"), "bad address"));
	assert_non_null(strstr(parse_err("tcp 22 [::1]"), "bad address"));
	assert_non_null(strstr(parse_err("tcp 22 fe80::1%eth0"), "bad address"));
	assert_non_null(strstr(parse_err("tcp 22 127.1"), "bad address"));
	assert_string_equal(parse_err("tcp4 22 ::1"),
			    "has an IPv6 address with an IPv4-only protocol");
	assert_string_equal(parse_err("udp6 22 10.0.0.1"),
			    "has an IPv4 address with an IPv6-only protocol");
	assert_non_null(strstr(parse_err("tcp 22 any loopback"),
			       "second address"));
	assert_non_null(strstr(parse_err("tcp 22 any usr/bin/x"),
			       "second address"));
	assert_non_null(strstr(parse_err("tcp 22 any /usr//bin/x"),
			       "executable path"));
	assert_non_null(strstr(parse_err("tcp 22 /usr/bin/../x"),
			       "executable path"));
	assert_non_null(strstr(parse_err("tcp 22 any /x /y"), "too many"));
	assert_non_null(strstr(parse_err("tcp 22 /x /y"), "too many"));
	assert_non_null(strstr(parse_err("tcp 22 any /x extra"), "too many"));
}

static void test_format(void **state)
{
	assert_format("tcp 22", "tcp 22 any");
	assert_format("udp4 53 any /usr/sbin/unbound",
		      "udp4 53 any /usr/sbin/unbound");
	assert_format("tcp 80 127.0.0.1", "tcp4 80 127.0.0.1");
	assert_format("tcp 8000-8080 loopback", "tcp 8000-8080 loopback");
	assert_format("udp 53 0:0:0:0:0:0:0:1", "udp6 53 ::1");
	assert_format("tcp6 443 :: /usr/sbin/nginx",
		      "tcp6 443 :: /usr/sbin/nginx");
	assert_format("tcp 7-7", "tcp 7 any");
}

static struct sg_sock sock(uint8_t family, uint8_t proto, const char *addr,
			   uint16_t port)
{
	struct sg_sock s = { .family = family, .proto = proto, .port = port,
			     .cookie = 1, .inode = 7 };

	assert_int_equal(inet_pton(family, addr, s.addr), 1);
	return s;
}

static void test_loopback(void **state)
{
	struct sg_sock a = sock(AF_INET, IPPROTO_TCP, "127.0.0.1", 1);
	struct sg_sock b = sock(AF_INET, IPPROTO_TCP, "127.255.3.4", 1);
	struct sg_sock c = sock(AF_INET, IPPROTO_TCP, "128.0.0.1", 1);
	struct sg_sock d = sock(AF_INET6, IPPROTO_TCP, "::1", 1);
	struct sg_sock e = sock(AF_INET6, IPPROTO_TCP, "::ffff:127.0.0.9", 1);
	struct sg_sock f = sock(AF_INET6, IPPROTO_TCP, "::", 1);
	struct sg_sock g = sock(AF_INET6, IPPROTO_TCP, "::2", 1);
	struct sg_sock h = sock(AF_INET6, IPPROTO_TCP, "::ffff:10.0.0.1", 1);

	assert_true(sg_listen_addr_is_loopback(AF_INET, a.addr));
	assert_true(sg_listen_addr_is_loopback(AF_INET, b.addr));
	assert_false(sg_listen_addr_is_loopback(AF_INET, c.addr));
	assert_true(sg_listen_addr_is_loopback(AF_INET6, d.addr));
	assert_true(sg_listen_addr_is_loopback(AF_INET6, e.addr));
	assert_false(sg_listen_addr_is_loopback(AF_INET6, f.addr));
	assert_false(sg_listen_addr_is_loopback(AF_INET6, g.addr));
	assert_false(sg_listen_addr_is_loopback(AF_INET6, h.addr));
	assert_false(sg_listen_addr_is_loopback(AF_UNIX, a.addr));
}

static bool allows(const char *rule, struct sg_sock s)
{
	struct sg_listen_rule r = parse_ok(rule);
	bool m = sg_listen_rule_matches(&r, &s);

	free(r.exe);
	return m;
}

static void test_matches(void **state)
{
	struct sg_sock t4 = sock(AF_INET, IPPROTO_TCP, "127.0.0.1", 8080);
	struct sg_sock t4w = sock(AF_INET, IPPROTO_TCP, "0.0.0.0", 8080);
	struct sg_sock t4x = sock(AF_INET, IPPROTO_TCP, "192.0.2.7", 8080);
	struct sg_sock t6 = sock(AF_INET6, IPPROTO_TCP, "::1", 8080);
	struct sg_sock t6w = sock(AF_INET6, IPPROTO_TCP, "::", 8080);
	struct sg_sock u4 = sock(AF_INET, IPPROTO_UDP, "127.0.0.1", 8080);

	assert_true(allows("tcp 8080", t4));
	assert_true(allows("tcp 8080", t6w));
	assert_false(allows("udp 8080", t4));
	assert_true(allows("udp 8080", u4));
	assert_false(allows("tcp 8080", u4));
	assert_true(allows("tcp4 8080", t4));
	assert_false(allows("tcp4 8080", t6));
	assert_false(allows("tcp6 8080", t4));
	/* ports: ranges inclusive at both ends */
	assert_true(allows("tcp 8080-8090", t4));
	assert_true(allows("tcp 8000-8080", t4));
	assert_false(allows("tcp 8081-8090", t4));
	assert_false(allows("tcp 8079", t4));
	/* loopback: bound to loopback only, never the wildcard */
	assert_true(allows("tcp 8080 loopback", t4));
	assert_true(allows("tcp 8080 loopback", t6));
	assert_false(allows("tcp 8080 loopback", t4w));
	assert_false(allows("tcp 8080 loopback", t6w));
	assert_false(allows("tcp 8080 loopback", t4x));
	/* exact: the wildcard is an address of its own */
	assert_true(allows("tcp 8080 0.0.0.0", t4w));
	assert_false(allows("tcp 8080 0.0.0.0", t4));
	assert_true(allows("tcp 8080 ::", t6w));
	assert_false(allows("tcp 8080 ::", t6));
	assert_true(allows("tcp 8080 192.0.2.7", t4x));
	assert_false(allows("tcp 8080 192.0.2.8", t4x));
	/* any: whatever the address */
	assert_true(allows("tcp 8080 any", t4x));
	assert_true(allows("tcp 8080 any", t4w));
	/* an executable does not change what the rule matches */
	assert_true(allows("tcp 8080 any /usr/bin/x", t4));
}

static struct sg_listen_policy policy_of(struct sg_listen_rule *rules,
					 size_t n)
{
	return (struct sg_listen_policy){ .enabled = true, .rules = rules,
					  .nrules = n };
}

static void test_match_verdicts(void **state)
{
	struct sg_listen_rule rules[] = {
		parse_ok("tcp 22 any /usr/sbin/sshd"),
		parse_ok("tcp 80 loopback"),
		parse_ok("tcp 22 127.0.0.1"),
	};
	struct sg_listen_policy lp = policy_of(rules, ARRAY_SIZE(rules));
	const struct sg_listen_rule *r = NULL;
	struct sg_sock s;

	s = sock(AF_INET, IPPROTO_TCP, "127.0.0.1", 80);
	assert_int_equal(sg_listen_match(&lp, &s, &r), SG_LISTEN_ALLOWED);
	assert_ptr_equal(r, &rules[1]);
	s = sock(AF_INET, IPPROTO_TCP, "0.0.0.0", 22);
	assert_int_equal(sg_listen_match(&lp, &s, NULL), SG_LISTEN_NEEDS_OWNER);
	/* an unpinned rule wins over a pinned one */
	s = sock(AF_INET, IPPROTO_TCP, "127.0.0.1", 22);
	assert_int_equal(sg_listen_match(&lp, &s, &r), SG_LISTEN_ALLOWED);
	assert_ptr_equal(r, &rules[2]);
	s = sock(AF_INET, IPPROTO_TCP, "0.0.0.0", 80);
	assert_int_equal(sg_listen_match(&lp, &s, NULL), SG_LISTEN_NOT_ALLOWED);
	s = sock(AF_INET, IPPROTO_UDP, "127.0.0.1", 80);
	assert_int_equal(sg_listen_match(&lp, &s, NULL), SG_LISTEN_NOT_ALLOWED);
	lp.nrules = 0; /* an empty [listen]: nothing is allowed */
	s = sock(AF_INET, IPPROTO_TCP, "127.0.0.1", 80);
	assert_int_equal(sg_listen_match(&lp, &s, NULL), SG_LISTEN_NOT_ALLOWED);
	free(rules[0].exe);
}

static void test_action_for(void **state)
{
	struct sg_policy p = { .mode = SG_MODE_ENFORCE };
	struct sg_sock t = sock(AF_INET, IPPROTO_TCP, "127.0.0.1", 1);
	struct sg_sock u = sock(AF_INET6, IPPROTO_UDP, "::1", 1);

	p.listen.tcp_action = SG_LISTEN_DESTROY;
	p.listen.udp_action = SG_LISTEN_KILL;
	assert_int_equal(sg_listen_action_for(&p, &t), SG_LISTEN_DESTROY);
	assert_int_equal(sg_listen_action_for(&p, &u), SG_LISTEN_KILL);
	p.listen.tcp_action = SG_LISTEN_KILL;
	p.listen.udp_action = SG_LISTEN_LOG;
	assert_int_equal(sg_listen_action_for(&p, &t), SG_LISTEN_KILL);
	assert_int_equal(sg_listen_action_for(&p, &u), SG_LISTEN_LOG);
	/* permissive mode only ever logs */
	p.mode = SG_MODE_PERMISSIVE;
	p.listen.udp_action = SG_LISTEN_KILL;
	assert_int_equal(sg_listen_action_for(&p, &t), SG_LISTEN_LOG);
	assert_int_equal(sg_listen_action_for(&p, &u), SG_LISTEN_LOG);
}

static bool covers(const char *b, const char *a)
{
	struct sg_listen_rule rb = parse_ok(b), ra = parse_ok(a);
	bool c = sg_listen_rule_covers(&rb, &ra);

	free(rb.exe);
	free(ra.exe);
	return c;
}

static void test_covers(void **state)
{
	assert_true(covers("tcp 22", "tcp 22"));
	assert_true(covers("tcp 22", "tcp4 22 127.0.0.1"));
	assert_true(covers("tcp 22", "tcp 22 any /usr/sbin/sshd"));
	assert_false(covers("tcp 22 any /usr/sbin/sshd", "tcp 22"));
	assert_true(covers("tcp 1-1024", "tcp 22 loopback"));
	assert_false(covers("tcp 23-1024", "tcp 22 loopback"));
	assert_false(covers("tcp4 22", "tcp 22"));
	assert_false(covers("udp 22", "tcp 22"));
	assert_true(covers("tcp 22 loopback", "tcp 22 127.0.0.5"));
	assert_true(covers("tcp 22 loopback", "tcp 22 ::1"));
	assert_false(covers("tcp 22 loopback", "tcp 22 0.0.0.0"));
	assert_false(covers("tcp 22 loopback", "tcp 22"));
	assert_false(covers("tcp 22 127.0.0.1", "tcp 22 loopback"));
	assert_false(covers("tcp 22 any /a", "tcp 22 any /b"));
	assert_true(covers("tcp 22 any /a", "tcp 22 loopback /a"));
}

static void test_cmp(void **state)
{
	struct sg_listen_rule a = parse_ok("tcp 22"), b = parse_ok("tcp 22"),
			      c = parse_ok("udp 1"), d = parse_ok("tcp 22 /x");

	assert_int_equal(sg_listen_rule_cmp(&a, &b), 0);
	assert_true(sg_listen_rule_cmp(&a, &c) < 0); /* tcp before udp */
	assert_true(sg_listen_rule_cmp(&a, &d) < 0); /* no exe first */
	assert_true(sg_listen_rule_cmp(&d, &a) > 0);
	free(d.exe);
}

static void test_names(void **state)
{
	assert_string_equal(sg_listen_action_name(SG_LISTEN_DESTROY), "destroy");
	assert_string_equal(sg_listen_action_name(SG_LISTEN_KILL), "kill");
	assert_string_equal(sg_listen_action_name(SG_LISTEN_LOG), "log");
	assert_string_equal(sg_listen_outcome_name(SG_LOUT_DESTROYED),
			    "destroyed");
	assert_string_equal(sg_listen_outcome_name(SG_LOUT_WOULD_DENY),
			    "would-deny");
	assert_string_equal(sg_listen_outcome_name((enum sg_listen_outcome)99),
			    "?");
	assert_string_equal(sg_listen_reason_name(SG_LREASON_EXE_CHANGED),
			    "exe-changed");
	assert_string_equal(sg_listen_reason_name((enum sg_listen_reason)99),
			    "?");
}

/* ------------------------------------------------------------ pins */

static void test_pin_check(void **state)
{
	struct sg_pin pin = { .path = "/usr/sbin/x", .real = "/usr/sbin/x",
			      .state = SG_PIN_VERIFIED, .dev = 8, .ino = 99,
			      .size = 1000, .ctime_ns = 5000000123 };
	struct stat st = { 0 };

	st.st_dev = 8;
	st.st_ino = 99;
	st.st_size = 1000;
	st.st_ctim.tv_sec = 5;
	st.st_ctim.tv_nsec = 123;
	assert_int_equal(sg_pin_check(&pin, "/usr/sbin/x", &st),
			 SG_LREASON_ALLOWED);
	assert_int_equal(sg_pin_check(&pin, "/usr/sbin/y", &st),
			 SG_LREASON_EXE_MISMATCH);
	assert_int_equal(sg_pin_check(&pin, "/usr/sbin/x (deleted)", &st),
			 SG_LREASON_EXE_MISMATCH);
	st.st_ctim.tv_nsec = 124; /* changed since start-up */
	assert_int_equal(sg_pin_check(&pin, "/usr/sbin/x", &st),
			 SG_LREASON_EXE_CHANGED);
	st.st_ctim.tv_nsec = 123;
	st.st_ino = 100; /* another file under that name */
	assert_int_equal(sg_pin_check(&pin, "/usr/sbin/x", &st),
			 SG_LREASON_EXE_CHANGED);
	assert_int_equal(sg_pin_check(&pin, "/usr/sbin/x", NULL),
			 SG_LREASON_EXE_CHANGED);
	pin.state = SG_PIN_PATH_ONLY; /* not in the baseline: name only */
	assert_int_equal(sg_pin_check(&pin, "/usr/sbin/x", &st),
			 SG_LREASON_ALLOWED);
	pin.state = SG_PIN_MISMATCH;
	assert_int_equal(sg_pin_check(&pin, "/usr/sbin/x", &st),
			 SG_LREASON_EXE_UNVERIFIED);
	pin.state = SG_PIN_UNREADABLE;
	assert_int_equal(sg_pin_check(&pin, "/usr/sbin/x", &st),
			 SG_LREASON_EXE_UNVERIFIED);
}

/* ------------------------------------------------------------ owners */

static uint32_t inode_of(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return (uint32_t)st.st_ino;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static void test_owners_find(void **state)
{
	int sp[2], procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct sg_ownervec ov = { 0 };
	uint32_t inodes[3];
	const struct sg_owner *o;
	size_t n;
	pid_t kid;
	int dup_fd;

	assert_true(procfd >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp),
			 0);
	dup_fd = dup(sp[0]); /* two descriptors: still one owner entry */
	inodes[0] = inode_of(sp[0]);
	inodes[1] = inode_of(sp[1]);
	inodes[2] = 1; /* nobody's */
	qsort(inodes, 3, sizeof(inodes[0]), u32_cmp);
	kid = fork();
	assert_true(kid >= 0);
	if (kid == 0) { /* holds both ends too */
		pause();
		_exit(0);
	}
	assert_int_equal(sg_owners_find(procfd, inodes, 3, &ov), 0);
	o = sg_owners_of(&ov, inode_of(sp[0]), &n);
	assert_int_equal(n, 2);
	assert_int_equal(o[0].pid, kid); /* newest first */
	assert_int_equal(o[1].pid, getpid());
	o = sg_owners_of(&ov, inode_of(sp[1]), &n);
	assert_int_equal(n, 2);
	assert_null(sg_owners_of(&ov, 1, &n));
	assert_int_equal(n, 0);
	assert_int_equal(sg_owners_first(&ov, inode_of(sp[1])), kid);
	assert_int_equal(sg_owners_first(&ov, 1), 0);

	/* kill: never PID 1 nor ourselves; only a process holding it */
	assert_int_equal(sg_owner_kill(procfd, 1, inode_of(sp[0])), -EPERM);
	assert_int_equal(sg_owner_kill(procfd, getpid(), inode_of(sp[0])),
			 -EPERM);
	assert_int_equal(sg_owner_kill(procfd, kid, 1), -ESRCH);
	assert_int_equal(sg_owner_kill(procfd, kid, inode_of(sp[0])), 0);
	{
		int status;

		assert_int_equal(waitpid(kid, &status, 0), kid);
		assert_true(WIFSIGNALED(status));
		assert_int_equal(WTERMSIG(status), SIGKILL);
	}
	assert_int_equal(sg_owners_find(procfd, inodes, 3, &ov), 0);
	o = sg_owners_of(&ov, inode_of(sp[0]), &n);
	assert_int_equal(n, 1);
	assert_int_equal(o[0].pid, getpid());
	sg_ownervec_free(&ov);
	close(dup_fd);
	close(sp[0]);
	close(sp[1]);
	close(procfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_forms),
		cmocka_unit_test(test_parse_addresses),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_match_verdicts),
		cmocka_unit_test(test_action_for),
		cmocka_unit_test(test_covers),
		cmocka_unit_test(test_cmp),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_pin_check),
		cmocka_unit_test(test_owners_find),
		cmocka_unit_test(test_sockdiag_dump),
		cmocka_unit_test(test_sockdiag_errors),
	};

	return cmocka_run_group_tests_name("listen", tests, NULL, NULL);
}
