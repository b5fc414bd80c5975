/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - `sealguard`: dispatch to a subcommand. The helpers the
 * subcommands share are in shared.c, below every subcommand and help.c.
 */
#include <getopt.h>
#include <stdarg.h>

#include "cli.h"
#include "hash.h"

static const struct command {
	const char *name;
	const char *prog; /* getopt's messages start with argv[0] */
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "baseline", "sealguard baseline", cmd_baseline },
	{ "check", "sealguard check", cmd_check },
	{ "fleet", "sealguard fleet", cmd_fleet },
	{ "help", "sealguard help", cmd_help },
	{ "keygen", "sealguard keygen", cmd_keygen },
	{ "maintenance", "sealguard maintenance", cmd_maintenance },
	{ "selftest", "sealguard selftest", cmd_selftest },
	{ "status", "sealguard status", cmd_status },
	{ "verify", "sealguard verify", cmd_verify },
};

static int run_command(int argc, char **argv)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!streq(argv[0], commands[i].name))
			continue;
		argv[0] = (char *)commands[i].prog;
		optind = 0; /* glibc: start the next getopt afresh */
		return commands[i].run(argc, argv);
	}
	return cli_usage_error("unknown command '%s'", argv[0]);
}

/* A full disk or closed pipe on stdout must not look like success. */
static int flush_stdout(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_error("error writing output: %s", strerror(errno));
		return SG_EXIT_ERROR;
	}
	return code;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{},
	};
	int c;

	/* '+': stop at the command, whose options are its own. */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_usage(stdout);
			return flush_stdout(SG_EXIT_OK);
		case 'V':
			printf("sealguard %s\n", SEALGUARD_VERSION);
			return flush_stdout(SG_EXIT_OK);
		default:
			return cli_try_help();
		}
	}
	if (optind >= argc)
		return cli_usage_error("no command given");
	/* libcrypto set up before any command uses it: without the host's
	 * openssl.cnf, whose modules it would load (hash.h) */
	if (sg_hash_init() < 0) {
		cli_error("cannot load libcrypto's SHA-256");
		return SG_EXIT_ERROR;
	}
	return flush_stdout(run_command(argc - optind, argv + optind));
}
