/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scriptarg.c - an interpreter's script, from its command line. See
 * scriptarg.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/procinfo.h"
#include "sys/scriptarg.h"
#include "util.h"

/*
 * What an option does to the search for the script: nothing (a flag, or
 * one whose value is attached: "-Wignore", "-Mstrict"), the next
 * argument may be its value (tried as the script too), or no script
 * file follows (code on the command line, a module by name, stdin).
 */
enum opt_kind { OPT_FLAG, OPT_VALUE_NEXT, OPT_NO_SCRIPT };

/* sh, bash, dash, ...: "-c" runs code, "-s" reads standard input, "-o"
 * and bash's "-O" take a value, in clusters too ("-ec", "-eo"). */
static enum opt_kind shell_option(const char *o)
{
	if (strcmp(o, "--rcfile") == 0 || strcmp(o, "--init-file") == 0)
		return OPT_VALUE_NEXT;
	if (o[1] == '-')
		return OPT_FLAG;
	if (strpbrk(o + 1, "cs"))
		return OPT_NO_SCRIPT;
	if (strchr("oO", o[strlen(o) - 1]))
		return OPT_VALUE_NEXT;
	return OPT_FLAG;
}

/* python: "-c" code, "-m" a module; "-W" and "-X" take a value, attached
 * or next. Clusters are read letter by letter, as CPython does. */
static enum opt_kind python_option(const char *o)
{
	if (o[1] == '-')
		return strcmp(o, "--check-hash-based-pycs") == 0 ?
			       OPT_VALUE_NEXT : OPT_FLAG;
	for (const char *c = o + 1; *c; c++) {
		if (*c == 'c' || *c == 'm')
			return OPT_NO_SCRIPT;
		if (*c == 'W' || *c == 'X')
			return c[1] ? OPT_FLAG : OPT_VALUE_NEXT;
	}
	return OPT_FLAG;
}

/* perl: "-e"/"-E" code; "-I", "-M", "-m" take a value, attached or
 * next; "-i", "-x", "-F", "-d", "-D", "-V", "-C" take the rest of the
 * cluster; "-l" and "-0" take the digits that follow. */
static enum opt_kind perl_option(const char *o)
{
	if (o[1] == '-')
		return OPT_FLAG;
	for (const char *c = o + 1; *c; c++) {
		if (*c == 'e' || *c == 'E')
			return OPT_NO_SCRIPT;
		if (strchr("IMm", *c))
			return c[1] ? OPT_FLAG : OPT_VALUE_NEXT;
		if (strchr("ixFdDVC", *c))
			return OPT_FLAG;
		if (*c == 'l' || *c == '0')
			while (c[1] >= '0' && c[1] <= '9')
				c++;
	}
	return OPT_FLAG;
}

static enum opt_kind option_kind(enum sg_interp_family f, const char *o)
{
	switch (f) {
	case SG_INTERP_SHELL:
		return shell_option(o);
	case SG_INTERP_PYTHON:
		return python_option(o);
	case SG_INTERP_PERL:
		return perl_option(o);
	case SG_INTERP_OTHER:
	default:
		/* options unknown: any may take the next argument, which is
		 * then tried as the script as well */
		return OPT_VALUE_NEXT;
	}
}

/* The name after the last slash of the len bytes at arg. */
static bool names(const char *arg, size_t len, const char *base)
{
	const char *slash = memrchr(arg, '/', len);
	const char *name = slash ? slash + 1 : arg;
	size_t blen = strlen(base);

	return (size_t)(arg + len - name) == blen && memcmp(name, base, blen) == 0;
}

/* An option argument as a C string, cut to what decides its kind. */
static enum opt_kind option_of(enum sg_interp_family f, const char *arg,
			       size_t len)
{
	char o[64];

	if (len >= sizeof(o))
		len = sizeof(o) - 1;
	memcpy(o, arg, len);
	o[len] = '\0';
	return option_kind(f, o);
}

bool sg_script_arg_is(const char *cmdline, size_t n, enum sg_interp_family f,
		      const char *base)
{
	const char *end = cmdline + n, *arg = memchr(cmdline, '\0', n);
	bool maybe_value = false, options = true;

	if (!arg || !*base)
		return false;
	for (arg++; arg < end; arg += strnlen(arg, (size_t)(end - arg)) + 1) {
		size_t len = strnlen(arg, (size_t)(end - arg));

		if (maybe_value) {
			maybe_value = false;
			if (names(arg, len, base))
				return true;
			continue;
		}
		if (!options || len < 2 || (arg[0] != '-' && arg[0] != '+')) {
			if (options && len == 1 && arg[0] == '-')
				return false; /* the script is standard input */
			return names(arg, len, base);
		}
		if (len == 2 && arg[0] == '-' && arg[1] == '-') {
			options = false; /* the script follows */
			continue;
		}
		switch (option_of(f, arg, len)) {
		case OPT_NO_SCRIPT:
			return false;
		case OPT_VALUE_NEXT:
			maybe_value = true;
			break;
		case OPT_FLAG:
		default:
			break;
		}
	}
	return false;
}

/* The file name of tid's executable ("dash" for /usr/bin/dash). */
static int exe_name(int procfd, pid_t tid, char *buf, size_t size)
{
	char link[32];
	ssize_t n;
	char *slash;

	snprintf(link, sizeof(link), "%d/exe", (int)tid);
	n = readlinkat(procfd, link, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	if (slash)
		memmove(buf, slash + 1, strlen(slash + 1) + 1);
	return 0;
}

int sg_proc_script_arg_is(int procfd, pid_t tid, const char *base)
{
	_cleanup_free_ char *buf = malloc(SG_CMDLINE_MAX);
	char exe[PATH_MAX], name[32];
	const char *line;
	ssize_t n;
	int r;

	if (!buf)
		return -ENOMEM;
	r = exe_name(procfd, tid, exe, sizeof(exe));
	if (r < 0)
		return r;
	snprintf(name, sizeof(name), "%d/cmdline", (int)tid);
	n = sg_proc_read(procfd, name, buf, SG_CMDLINE_MAX);
	if (n < 0)
		return (int)n;
	if ((size_t)n == SG_CMDLINE_MAX - 1)
		return -E2BIG;
	line = buf;
	/* "busybox sh FILE": the applet's name stands where argv[0] would */
	if (strcmp(exe, "busybox") == 0 && memchr(buf, '\0', (size_t)n)) {
		line = buf + strlen(buf) + 1;
		n -= line - buf;
	}
	return sg_script_arg_is(line, (size_t)n, sg_interpreter_family(exe),
				base) ? 1 : 0;
}
