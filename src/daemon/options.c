/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * options.c - sealguardd's command line (see options.h).
 */
#include <getopt.h>

#include "options.h"
#include "policy.h"
#include "statefile.h"
#include "util.h"

#ifndef SEALGUARD_VERSION
#define SEALGUARD_VERSION "0.1.0"
#endif

enum {
	OPT_CONFINE = 256,
	OPT_LOG_TARGET,
	OPT_SECCOMP,
	OPT_LIST_SEAL,
	OPT_STATE_DIR,
	OPT_DEVICE_CGROUP,
	OPT_USERNS_SYSCTL,
};

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: sealguardd [OPTIONS]\n"
		"Deny writes to protected paths and execs of files not in the\n"
		"baseline, synchronously, and log every decision to the journal.\n"
		"\n"
		"  -p, --policy FILE      policy file (default %s)\n"
		"      --confine DIR      refuse to mark any filesystem not mounted\n"
		"                         at or below DIR (tests, demos)\n"
		"      --device-cgroup DIR  attach the device guard to this cgroup v2\n"
		"                         directory, not the hierarchy's root (tests)\n"
		"      --userns-sysctl FILE  write [harden] user_namespaces to FILE,\n"
		"                         not /proc/sys/user/max_user_namespaces (tests)\n"
		"      --log-target T     auto | journal | stderr (default auto)\n"
		"      --seccomp ACTION   on a syscall outside the allowlist: kill the\n"
		"                         process (default), or trap: name it on\n"
		"                         stderr, then die (to debug the allowlist);\n"
		"                         off: no filter at all, logged at crit (to\n"
		"                         run under a memory checker)\n"
		"      --state-dir DIR    status record, clean-stop marker and the\n"
		"                         maintenance record (default\n"
		"                         " SG_DEFAULT_STATE_DIR ", or DIR/sealguard-state\n"
		"                         under --confine DIR)\n"
		"      --list-seal        print the kept capabilities and the allowed\n"
		"                         syscalls, with the reason for each\n"
		"  -n, --check            load policy and baseline, then exit\n"
		"  -h, --help             this text\n"
		"  -V, --version          print the version\n"
		"\n"
		"Exit status: 0 clean stop, 1 failure, 78 bad policy or baseline.\n",
		SG_DEFAULT_POLICY);
}

static void print_version(void)
{
#if defined(SEALGUARD_TEST_HOOKS)
	puts("sealguardd " SEALGUARD_VERSION " (test build: test hooks)");
#else
	puts("sealguardd " SEALGUARD_VERSION);
#endif
}

/* An option's argument is wrong: say which, in one line. */
static int bad_argument(const char *why)
{
	fprintf(stderr, "sealguardd: %s\n", why);
	return -EINVAL;
}

/* One option (c, with optarg): 0, or -EINVAL after saying why. */
static int take_option(int c, struct options *o)
{
	switch (c) {
	case 'p':
		o->policy = optarg;
		return 0;
	case OPT_CONFINE:
		if (optarg[0] != '/')
			return bad_argument("--confine needs an absolute path");
		o->confine = optarg;
		return 0;
	case OPT_SECCOMP:
		if (streq(optarg, "kill"))
			o->seccomp_action = SG_SECCOMP_KILL;
		else if (streq(optarg, "trap"))
			o->seccomp_action = SG_SECCOMP_TRAP;
		else if (streq(optarg, "off"))
			o->seccomp_action = SG_SECCOMP_OFF;
		else
			return bad_argument("--seccomp: kill, trap or off");
		return 0;
	case OPT_LIST_SEAL:
		o->list_seal = true;
		return 0;
	case OPT_DEVICE_CGROUP:
		if (optarg[0] != '/')
			return bad_argument("--device-cgroup needs an absolute path");
		o->device_cgroup = optarg;
		return 0;
	case OPT_USERNS_SYSCTL:
		if (optarg[0] != '/')
			return bad_argument("--userns-sysctl needs an absolute path");
		o->userns_sysctl = optarg;
		return 0;
	case OPT_STATE_DIR:
		o->state_dir = optarg;
		return 0;
	case OPT_LOG_TARGET:
		if (sg_log_target_parse(optarg, &o->log_target) < 0)
			return bad_argument("--log-target: auto, journal or stderr");
		return 0;
	case 'n':
		o->check_only = true;
		return 0;
	case 'h':
		usage(stdout);
		exit(EXIT_SUCCESS);
	case 'V':
		print_version();
		exit(EXIT_SUCCESS);
	default:
		usage(stderr);
		return -EINVAL;
	}
}

int sg_options_parse(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "confine", required_argument, NULL, OPT_CONFINE },
		{ "log-target", required_argument, NULL, OPT_LOG_TARGET },
		{ "seccomp", required_argument, NULL, OPT_SECCOMP },
		{ "list-seal", no_argument, NULL, OPT_LIST_SEAL },
		{ "state-dir", required_argument, NULL, OPT_STATE_DIR },
		{ "device-cgroup", required_argument, NULL, OPT_DEVICE_CGROUP },
		{ "userns-sysctl", required_argument, NULL, OPT_USERNS_SYSCTL },
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	*o = (struct options){ .policy = SG_DEFAULT_POLICY };
	while ((c = getopt_long(argc, argv, "p:nhV", longopts, NULL)) != -1)
		if (take_option(c, o) < 0)
			return -EINVAL;
	if (optind < argc) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}
