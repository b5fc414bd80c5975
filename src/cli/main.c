/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - `sealguard`: dispatch to a subcommand, and the helpers the
 * subcommands share (messages, loading the policy and the baseline).
 */
#include <getopt.h>
#include <stdarg.h>

#include "cli.h"

_printf_(1, 0) static void vsay(const char *fmt, va_list ap)
{
	fputs("sealguard: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	return cli_try_help();
}

int cli_try_help(void)
{
	fputs("Try 'sealguard --help'.\n", stderr);
	return SG_EXIT_ERROR;
}

void cli_print_errs(const struct errlist *errs)
{
	errlist_print(errs, stderr, NULL);
}

int cli_load_policy(const char *path, struct sg_policy **ret)
{
	struct errlist errs = {};
	int r;

	r = sg_policy_load(path, ret, &errs);
	cli_print_errs(&errs);
	if (r < 0 && errs.n == 0)
		cli_error("%s: %s", path, strerror(-r));
	errlist_free(&errs);
	return r;
}

int cli_load_baseline(const char *path, const char *key,
		      struct sg_baseline **ret)
{
	struct errlist errs = {};
	int r;

	r = sg_baseline_load_verified(path, key, ret, &errs);
	cli_print_errs(&errs);
	if (r == -ENOENT && errs.n == 0)
		cli_error("%s: no baseline there; create it with 'sealguard baseline build'",
			  path);
	else if (r < 0 && errs.n == 0)
		cli_error("%s: %s", path, strerror(-r));
	errlist_free(&errs);
	return r;
}

int cli_parse_threads(const char *arg, unsigned *ret)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v > 256)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

const char *cli_build_error(int r)
{
	/* -EIO: each file's own error has been printed already */
	return r == -EIO ? "some files could not be read" : strerror(-r);
}

void cli_format_stats(const struct sg_build_stats *st, char *buf, size_t size)
{
	/* A tiny tree can take no measurable time: no division by zero. */
	double s = st->seconds > 1e-6 ? st->seconds : 1e-6;
	double mb = (double)st->bytes / 1e6;

	snprintf(buf, size,
		 "%" PRIu64 " files, %.1f MB in %.2f s (%.0f files/s, %.1f MB/s)",
		 st->files, mb, st->seconds, (double)st->files / s, mb / s);
}

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
	return flush_stdout(run_command(argc - optind, argv + optind));
}
