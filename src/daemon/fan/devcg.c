/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devcg.c - the device guard's cgroup device program. See devcg.h.
 */
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fan/devcg.h"
#include "util.h"

#define INSN(c, d, s, o, i)                                             \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), \
			    .off = (o), .imm = (i) })
/* The fixed part: 9 instructions before the list (4 a device), 13 after
 * it: allow, and deny with a count of the refusals per device. */
#define HEAD_LEN 9
#define PER_DEVICE 4
#define TAIL_LEN 13

static long sys_bpf(int cmd, union bpf_attr *a)
{
	return syscall(SYS_bpf, cmd, a, sizeof(*a));
}

void sg_devcg_init(struct sg_devcg *c, int cgroup_fd)
{
	*c = (struct sg_devcg){ .cgroup_fd = cgroup_fd, .prog_fd = -1,
				.counts_fd = -1 };
}

int sg_devcg_refusals(const struct sg_devcg *c, size_t i, uint64_t *ret)
{
	union bpf_attr a = { 0 };
	uint32_t key = (uint32_t)i;
	uint64_t v = 0;

	if (c->counts_fd < 0 || i >= c->ndevs)
		return -ENOENT;
	a.map_fd = (uint32_t)c->counts_fd;
	a.key = (uintptr_t)&key;
	a.value = (uintptr_t)&v;
	if (sys_bpf(BPF_MAP_LOOKUP_ELEM, &a) < 0)
		return -errno;
	*ret = v;
	return 0;
}

/* The refusal count of device r6 (the map's index): counts[r6] += 1. */
static size_t build_deny(struct bpf_insn *p, size_t k, int map_fd)
{
	p[k++] = INSN(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD,
		      0, map_fd);
	p[k++] = INSN(0, 0, 0, 0, 0);
	p[k++] = INSN(BPF_STX | BPF_W | BPF_MEM, BPF_REG_10, BPF_REG_6, -4, 0);
	p[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0);
	p[k++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4);
	p[k++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem);
	p[k++] = INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 2, 0);
	p[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1);
	p[k++] = INSN(BPF_STX | BPF_DW | BPF_ATOMIC, BPF_REG_0, BPF_REG_1, 0,
		      BPF_ADD);
	p[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0);
	p[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return k;
}

/*
 * ctx is struct bpf_cgroup_dev_ctx { access_type = access << 16 | type,
 * major, minor }. Not a block device, or neither write nor mknod: allow.
 * Else deny (0) and count if major:minor is listed, allow (1) otherwise.
 */
static size_t build(struct bpf_insn *p, const dev_t *devs, size_t n,
		    int map_fd)
{
	const size_t allow = HEAD_LEN + PER_DEVICE * n, deny = allow + 2;
	size_t k = 0;

	p[k++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_2, BPF_REG_1, 0, 0);
	p[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_3, BPF_REG_2, 0, 0);
	p[k++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_3, 0, 0, 0xffff);
	p[k] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_3, 0,
		    (short)(allow - k - 1), BPF_DEVCG_DEV_BLOCK);
	k++;
	p[k++] = INSN(BPF_ALU64 | BPF_RSH | BPF_K, BPF_REG_2, 0, 0, 16);
	p[k++] = INSN(BPF_ALU64 | BPF_AND | BPF_K, BPF_REG_2, 0, 0,
		      BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD);
	p[k] = INSN(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_2, 0,
		    (short)(allow - k - 1), 0);
	k++;
	p[k++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_4, BPF_REG_1, 4, 0);
	p[k++] = INSN(BPF_LDX | BPF_W | BPF_MEM, BPF_REG_5, BPF_REG_1, 8, 0);
	for (size_t i = 0; i < n; i++) {
		p[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_4, 0, 3,
			      (int)major(devs[i]));
		p[k++] = INSN(BPF_JMP | BPF_JNE | BPF_K, BPF_REG_5, 0, 2,
			      (int)minor(devs[i]));
		p[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_6, 0, 0,
			      (int)i);
		p[k] = INSN(BPF_JMP | BPF_JA, 0, 0, (short)(deny - k - 1), 0);
		k++;
	}
	p[k++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1);
	p[k++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	return build_deny(p, k, map_fd);
}

/* One 64-bit refusal counter per listed device. */
static int make_counts(size_t n, int *ret_fd)
{
	union bpf_attr a = { 0 };
	long fd;

	a.map_type = BPF_MAP_TYPE_ARRAY;
	a.key_size = sizeof(uint32_t);
	a.value_size = sizeof(uint64_t);
	a.max_entries = (uint32_t)n;
	fd = sys_bpf(BPF_MAP_CREATE, &a);
	if (fd < 0)
		return -errno;
	*ret_fd = (int)fd;
	return 0;
}

static int load(const dev_t *devs, size_t n, int map_fd, int *ret_fd)
{
	_cleanup_free_ struct bpf_insn *p =
		calloc(HEAD_LEN + PER_DEVICE * n + TAIL_LEN, sizeof(*p));
	union bpf_attr a = { 0 };
	long fd;

	if (!p)
		return -ENOMEM;
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (uintptr_t)p;
	a.insn_cnt = (uint32_t)build(p, devs, n, map_fd);
	a.license = (uintptr_t) "GPL";
	fd = sys_bpf(BPF_PROG_LOAD, &a);
	if (fd < 0)
		return -errno;
	*ret_fd = (int)fd;
	return 0;
}

static int prog_id(int fd, uint32_t *ret)
{
	struct bpf_prog_info info = { 0 };
	union bpf_attr a = { 0 };

	a.info.bpf_fd = (uint32_t)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (uintptr_t)&info;
	if (sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) < 0)
		return -errno;
	*ret = info.id;
	return 0;
}

static int detach(struct sg_devcg *c)
{
	union bpf_attr a = { 0 };

	if (c->prog_fd < 0)
		return 0;
	a.target_fd = (uint32_t)c->cgroup_fd;
	a.attach_bpf_fd = (uint32_t)c->prog_fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	(void)sys_bpf(BPF_PROG_DETACH, &a); /* gone already: fine */
	(void)close(c->prog_fd);
	c->prog_fd = -1;
	c->prog_id = 0;
	if (c->counts_fd >= 0)
		(void)close(c->counts_fd);
	c->counts_fd = -1;
	c->ndevs = 0;
	return 0;
}

int sg_devcg_set(struct sg_devcg *c, const dev_t *devs, size_t n)
{
	union bpf_attr a = { 0 };
	uint32_t id = 0;
	int fd = -1, map = -1, r;

	if (c->cgroup_fd < 0)
		return -EBADF;
	if (n > SG_DEVCG_MAX_DEVICES)
		return -E2BIG;
	if (n == 0)
		return detach(c);
	r = make_counts(n, &map);
	if (r < 0)
		return r;
	r = load(devs, n, map, &fd);
	if (r < 0) {
		(void)close(map);
		return r;
	}
	a.target_fd = (uint32_t)c->cgroup_fd;
	a.attach_bpf_fd = (uint32_t)fd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	/* attach the new one first: no moment without a program */
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0 || prog_id(fd, &id) < 0) {
		r = -errno;
		(void)close(fd);
		(void)close(map);
		return r;
	}
	(void)detach(c);
	c->prog_fd = fd;
	c->prog_id = id;
	c->counts_fd = map;
	c->ndevs = n;
	return 0;
}

int sg_devcg_attached(const struct sg_devcg *c)
{
	uint32_t ids[64];
	union bpf_attr a = { 0 };

	if (c->prog_fd < 0)
		return 1;
	a.query.target_fd = (uint32_t)c->cgroup_fd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (uintptr_t)ids;
	a.query.prog_cnt = ARRAY_SIZE(ids);
	if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
		return -errno;
	for (uint32_t i = 0; i < a.query.prog_cnt && i < ARRAY_SIZE(ids); i++)
		if (ids[i] == c->prog_id)
			return 1;
	return 0;
}

void sg_devcg_free(struct sg_devcg *c)
{
	(void)detach(c);
	if (c->cgroup_fd >= 0)
		(void)close(c->cgroup_fd);
	c->cgroup_fd = -1;
}
