/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shared.c - what every subcommand uses: messages on stderr, loading the
 * policy and the baseline, the --threads number, a build's summary. It
 * calls nothing of the CLI above it (main.c, help.c, the commands).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
