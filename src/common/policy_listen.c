/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy_listen.c - the value of a [listen] allow: parse, print, compare.
 *
 *   allow = PROTO PORTS [ADDRESS] [EXE]
 *
 * Fields are separated by blanks. A third field that starts with '/' is
 * the executable (the address is then "any"). A literal address fixes the
 * family: "tcp 80 127.0.0.1" is an IPv4 rule, printed as "tcp4 ...", so
 * the normalised form spells out what the rule really allows.
 *
 * The executable is checked with sg_policy_path_problem (policy_path.c),
 * below both this file and the policy reader that calls it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "policy.h"
#include "util.h"

#define USAGE "(PROTO PORTS [ADDRESS] [EXE])"

struct proto_name {
	const char *name;
	enum sg_listen_proto proto;
	unsigned families;
};

static const struct proto_name protos[] = {
	{ "tcp", SG_LISTEN_TCP, SG_LISTEN_IPV4 | SG_LISTEN_IPV6 },
	{ "tcp4", SG_LISTEN_TCP, SG_LISTEN_IPV4 },
	{ "tcp6", SG_LISTEN_TCP, SG_LISTEN_IPV6 },
	{ "udp", SG_LISTEN_UDP, SG_LISTEN_IPV4 | SG_LISTEN_IPV6 },
	{ "udp4", SG_LISTEN_UDP, SG_LISTEN_IPV4 },
	{ "udp6", SG_LISTEN_UDP, SG_LISTEN_IPV6 },
};

const char *sg_listen_action_name(enum sg_listen_action a)
{
	static const char *const names[] = {
		[SG_LISTEN_DESTROY] = "destroy",
		[SG_LISTEN_KILL] = "kill",
		[SG_LISTEN_LOG] = "log",
	};
	return (size_t)a < ARRAY_SIZE(names) ? names[a] : "?";
}

bool sg_listen_addr_is_loopback(int family, const unsigned char *addr)
{
	static const unsigned char v6_loopback[16] = { [15] = 1 };
	static const unsigned char v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (family == AF_INET)
		return addr[0] == 127;
	if (family != AF_INET6)
		return false;
	return memcmp(addr, v6_loopback, 16) == 0 ||
	       (memcmp(addr, v4_mapped, 12) == 0 && addr[12] == 127);
}

/* Split value into at most max blank-separated fields of buf. */
static size_t split(char *buf, char **fields, size_t max)
{
	size_t n = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		fields[n++] = tok;
	}
	return n;
}

/* Decimal 1..65535, digits only. */
static bool parse_port(const char *s, size_t len, uint16_t *ret)
{
	unsigned long v = 0;

	if (len == 0 || len > 5)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v < 1 || v > 65535)
		return false;
	*ret = (uint16_t)v;
	return true;
}

static const char *parse_ports(const char *s, struct sg_listen_rule *r)
{
	const char *dash = strchr(s, '-');

	if (!dash) {
		if (!parse_port(s, strlen(s), &r->port_min))
			return "has a bad port (1..65535, or a range LOW-HIGH)";
		r->port_max = r->port_min;
		return NULL;
	}
	if (!parse_port(s, (size_t)(dash - s), &r->port_min) ||
	    !parse_port(dash + 1, strlen(dash + 1), &r->port_max))
		return "has a bad port (1..65535, or a range LOW-HIGH)";
	if (r->port_min > r->port_max)
		return "has a port range whose low end is above its high end";
	return NULL;
}

static const char *parse_addr(const char *s, struct sg_listen_rule *r)
{
	unsigned family;

	if (streq(s, "any") || streq(s, "loopback")) {
		r->addr_kind = streq(s, "any") ? SG_LISTEN_ADDR_ANY :
						 SG_LISTEN_ADDR_LOOPBACK;
		return NULL;
	}
	if (inet_pton(AF_INET, s, r->addr) == 1)
		family = SG_LISTEN_IPV4;
	else if (inet_pton(AF_INET6, s, r->addr) == 1)
		family = SG_LISTEN_IPV6;
	else
		return "has a bad address (any, loopback, or an IPv4 or IPv6 "
		       "address without brackets or zone)";
	if (!(r->families & family))
		return family == SG_LISTEN_IPV4 ?
			       "has an IPv4 address with an IPv6-only protocol" :
			       "has an IPv6 address with an IPv4-only protocol";
	r->families = family;
	r->addr_kind = SG_LISTEN_ADDR_EXACT;
	return NULL;
}

static const char *parse_fields(char **f, size_t n, struct sg_listen_rule *r)
{
	const char *why;
	size_t i;

	if (n < 2)
		return "needs a protocol and a port " USAGE;
	if (n > 4)
		return "has too many fields " USAGE;
	for (i = 0; i < ARRAY_SIZE(protos); i++)
		if (streq(f[0], protos[i].name))
			break;
	if (i == ARRAY_SIZE(protos))
		return "has an unknown protocol (tcp, tcp4, tcp6, udp, udp4, "
		       "udp6)";
	r->proto = protos[i].proto;
	r->families = protos[i].families;
	why = parse_ports(f[1], r);
	if (why)
		return why;
	i = 2;
	if (i < n && f[i][0] != '/') {
		why = parse_addr(f[i++], r);
		if (why)
			return why;
	}
	if (i < n && f[i][0] != '/')
		return "has a second address; the executable must be an "
		       "absolute path";
	if (i < n && (why = sg_policy_path_problem(f[i])))
		return "has a bad executable path: it must be absolute and "
		       "normalised";
	if (i < n)
		r->exe = f[i++];
	return i < n ? "has too many fields " USAGE : NULL;
}

int sg_listen_rule_parse(const char *value, struct sg_listen_rule *ret,
			 const char **ret_why)
{
	_cleanup_free_ char *buf = strdup(value);
	struct sg_listen_rule r = { 0 };
	char *fields[5];
	const char *why;

	if (!buf)
		return -ENOMEM;
	why = parse_fields(fields, split(buf, fields, 4), &r);
	if (why) {
		*ret_why = why;
		return -EINVAL;
	}
	if (r.exe && !(r.exe = strdup(r.exe)))
		return -ENOMEM;
	*ret = r;
	return 0;
}

static const char *proto_name(const struct sg_listen_rule *r)
{
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++)
		if (protos[i].proto == r->proto &&
		    protos[i].families == r->families)
			return protos[i].name;
	return "?";
}

char *sg_listen_rule_format(const struct sg_listen_rule *r, char *buf,
			    size_t size)
{
	char ports[16], addr[INET6_ADDRSTRLEN] = "any";

	if (r->port_min == r->port_max)
		snprintf(ports, sizeof(ports), "%u", r->port_min);
	else
		snprintf(ports, sizeof(ports), "%u-%u", r->port_min,
			 r->port_max);
	if (r->addr_kind == SG_LISTEN_ADDR_LOOPBACK)
		strcpy(addr, "loopback");
	else if (r->addr_kind == SG_LISTEN_ADDR_EXACT &&
		 !inet_ntop(r->families == SG_LISTEN_IPV4 ? AF_INET : AF_INET6,
			    r->addr, addr, sizeof(addr)))
		strcpy(addr, "?");
	snprintf(buf, size, "%s %s %s%s%s", proto_name(r), ports, addr,
		 r->exe ? " " : "", r->exe ? r->exe : "");
	return buf;
}

void sg_listen_rule_print(const struct sg_listen_rule *r, FILE *out)
{
	char buf[512];

	fputs(sg_listen_rule_format(r, buf, sizeof(buf)), out);
}

static bool addr_covers(const struct sg_listen_rule *b,
			const struct sg_listen_rule *a)
{
	switch (b->addr_kind) {
	case SG_LISTEN_ADDR_ANY:
		return true;
	case SG_LISTEN_ADDR_LOOPBACK:
		return a->addr_kind == SG_LISTEN_ADDR_LOOPBACK ||
		       (a->addr_kind == SG_LISTEN_ADDR_EXACT &&
			sg_listen_addr_is_loopback(a->families ==
								   SG_LISTEN_IPV4 ?
							   AF_INET :
							   AF_INET6,
						   a->addr));
	case SG_LISTEN_ADDR_EXACT:
	default:
		return a->addr_kind == SG_LISTEN_ADDR_EXACT &&
		       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
	}
}

bool sg_listen_rule_covers(const struct sg_listen_rule *b,
			   const struct sg_listen_rule *a)
{
	return b->proto == a->proto && (a->families & ~b->families) == 0 &&
	       b->port_min <= a->port_min && a->port_max <= b->port_max &&
	       addr_covers(b, a) &&
	       (!b->exe || (a->exe && streq(a->exe, b->exe)));
}

static int cmp_num(unsigned a, unsigned b)
{
	return a < b ? -1 : a > b;
}

int sg_listen_rule_cmp(const struct sg_listen_rule *a,
		       const struct sg_listen_rule *b)
{
	int c;

	if ((c = cmp_num(a->proto, b->proto)) ||
	    (c = cmp_num(a->port_min, b->port_min)) ||
	    (c = cmp_num(a->port_max, b->port_max)) ||
	    (c = cmp_num(a->families, b->families)) ||
	    (c = cmp_num(a->addr_kind, b->addr_kind)) ||
	    (c = memcmp(a->addr, b->addr, sizeof(a->addr))))
		return c;
	if (!a->exe || !b->exe)
		return cmp_num(a->exe != NULL, b->exe != NULL);
	return strcmp(a->exe, b->exe);
}
