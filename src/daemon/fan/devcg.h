/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * devcg.h - the device guard: a cgroup device program (BPF) that refuses
 * write-opens and mknod of the block devices under marked filesystems.
 *
 * fanotify raises no event for opens of device nodes (Linux 6.18,
 * measured), so the guard cannot see them. The kernel's device cgroup
 * check can: it runs on every open of a device node, anywhere (devtmpfs,
 * a node made on any tmpfs), by device number, for root too. The program
 * is attached with BPF_F_ALLOW_MULTI to the root of the cgroup v2
 * hierarchy (every process) or, in tests, to the cgroup named by
 * --device-cgroup; it allows everything except write and mknod of the
 * listed devices. Root can detach it: a tick checks it is still there,
 * reports and attaches it again.
 */
#ifndef SEALGUARD_FAN_DEVCG_H
#define SEALGUARD_FAN_DEVCG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct sg_devcg {
	int cgroup_fd; /* -1: no device guard */
	int prog_fd;   /* the attached program, -1 before the first */
	uint32_t prog_id;
	int counts_fd; /* its refusals, one counter per device (a map) */
	size_t ndevs;
};

/* The most devices one program lists (four instructions each). */
#define SG_DEVCG_MAX_DEVICES 512

void sg_devcg_init(struct sg_devcg *c, int cgroup_fd);

/* Load a program refusing write and mknod of devs[0..n), attach it in
 * place of the previous one. n == 0 detaches. 0 or a negative errno. */
int sg_devcg_set(struct sg_devcg *c, const dev_t *devs, size_t n);

/* How many write-opens and mknods of the i-th device of the last
 * sg_devcg_set the program refused. 0 or a negative errno. */
int sg_devcg_refusals(const struct sg_devcg *c, size_t i, uint64_t *ret);

/* Is our program still attached? 1 yes, 0 no (detached by someone),
 * negative errno if that cannot be told. */
int sg_devcg_attached(const struct sg_devcg *c);

void sg_devcg_free(struct sg_devcg *c);

#endif
