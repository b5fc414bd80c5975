/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.h - sealguardd's command line.
 */
#ifndef SEALGUARD_OPTIONS_H
#define SEALGUARD_OPTIONS_H

#include <stdbool.h>

#include "log/sglog.h"
#include "seal/selfseal.h"

struct options {
	const char *policy;
	const char *confine;
	const char *device_cgroup; /* NULL: the cgroup v2 root */
	const char *userns_sysctl; /* NULL: /proc/sys/user/max_user_namespaces */
	enum sg_log_target log_target;
	enum sg_seccomp_action seccomp_action;
	const char *state_dir;
	bool check_only;
	bool list_seal;
};

/*
 * Parse argv into *o. --help and --version print and exit(0) here; a bad
 * option prints the usage (or a one-line reason) on stderr and returns
 * -EINVAL.
 */
int sg_options_parse(int argc, char **argv, struct options *o);

#endif
