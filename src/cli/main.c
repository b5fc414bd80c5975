/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * main.c - `sealguard`: dispatch to a subcommand, and the helpers the
 * subcommands share (messages, loading the policy and the baseline).
 */
#include <getopt.h>
#include <stdarg.h>

#include "cli.h"
#include "statefile.h"

void cli_usage(FILE *out)
{
	fputs("Usage: sealguard [--help | --version] COMMAND [OPTIONS]\n"
	      "\n"
	      "Build, check and verify the baseline of an immutable server.\n"
	      "\n"
	      "Commands:\n"
	      "  baseline build [--policy FILE] [--output FILE] [--threads N] [--quiet]\n"
	      "      Record everything under the policy's protected and trusted\n"
	      "      paths (minus its excludes): regular files with their SHA-256,\n"
	      "      size, mode and owner; directories, device nodes and FIFOs\n"
	      "      with their mode and owner (and device numbers); symlinks\n"
	      "      with their target; and for each its file capabilities and\n"
	      "      security xattrs. Write the baseline (format 2) atomically\n"
	      "      (mode 0600) to FILE or to the path the policy names.\n"
	      "      Symlinks are not followed; sockets are skipped. Nothing is\n"
	      "      written if any file cannot be read.\n"
	      "  check [--policy FILE] [--baseline FILE] [-v]\n"
	      "      Validate the policy and the baseline, and that the baseline\n"
	      "      records exactly the policy's paths and excludes. Prints every\n"
	      "      problem; -v also prints the policy as sealguard reads it.\n"
	      "  baseline sign --key PRIVATE [--policy FILE] [--baseline FILE]\n"
	      "      Sign the baseline with an Ed25519 private key (on the image\n"
	      "      build machine): writes BASELINE.sig. A policy that names\n"
	      "      baseline_key makes the daemon, check and verify refuse a\n"
	      "      baseline whose signature does not verify.\n"
	      "  fleet [-D DIR | --file FILE...] [--json] [--since N|@EPOCH]\n"
	      "        [--check [--silent-after N]] [--baseline FILE | --baseline-sha HEX]\n"
	      "        [--baseline-key FILE | --key-sha HEX]\n"
	      "      On a collector: one line a host from its journal (heartbeat,\n"
	      "      state, denials, drift, responses, baseline). --check exits\n"
	      "      0 ok, 1 warning, 2 critical, 3 unknown (docs/fleet.md).\n"
	      "  keygen --output PREFIX\n"
	      "      Make an Ed25519 key pair: PREFIX.key (private, mode 0600;\n"
	      "      keep it off the hosts) and PREFIX.pub (for the hosts).\n"
	      "  status [--state-dir DIR]\n"
	      "      Is sealguardd running: pid, uptime, mode, the policy and\n"
	      "      baseline in force with their SHA-256, capabilities held,\n"
	      "      seccomp mode and counters. Exit 0 running, 3 not running.\n"
	      "  verify [--policy FILE] [--baseline FILE] [--threads N] [--json]\n"
	      "      Rebuild the live state of the baseline's own paths and print\n"
	      "      one line per drift on stdout: CHANGE TYPE PATH [(WHAT)]\n"
	      "        CHANGE added, removed, changed\n"
	      "        TYPE   file, dir, symlink, char-device, block-device, fifo\n"
	      "        WHAT   hash, size, mode, uid, gid, setuid, setgid, caps,\n"
	      "               xattr, target, rdev (only what changed; for an\n"
	      "               added entry, its setuid, setgid or caps)\n"
	      "      --json prints one JSON document instead. A baseline of an\n"
	      "      older format is refused: rebuild it. The policy is read\n"
	      "      only to find the baseline when --baseline is not given.\n"
	      "\n"
	      "Options:\n"
	      "  -p, --policy FILE    policy file (default " SG_DEFAULT_POLICY ")\n"
	      "  -b, --baseline FILE  baseline file (default: the policy's baseline)\n"
	      "  -o, --output FILE    where baseline build writes; keygen's prefix\n"
	      "  -k, --key FILE       sign: the private key; check, verify: the\n"
	      "                       public key (default: the policy's baseline_key)\n"
	      "  -j, --threads N      hashing threads, 0 = one per CPU (default 0)\n"
	      "  -q, --quiet          baseline build: no summary line\n"
	      "  -s, --state-dir DIR  status: the daemon's state directory\n"
	      "                       (default " SG_DEFAULT_STATE_DIR ")\n"
	      "  -v, --verbose        check: print the normalised policy\n"
	      "  -J, --json           verify: one JSON document on stdout\n"
	      "  -h, --help           this text\n"
	      "  -V, --version        the version\n"
	      "\n"
	      "Paths in output are escaped as in the baseline file: bytes outside\n"
	      "0x21..0x7e and '\\' are written as \\xHH. Summaries go to stderr.\n"
	      "\n"
	      "Exit status:\n"
	      "  0  success: policy and baseline OK, no drift\n"
	      "  1  check found problems, or verify found drift\n"
	      "  2  error: bad usage, unreadable or invalid input, failed build\n",
	      out);
}

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

static int cmd_help(int argc, char **argv)
{
	cli_usage(stdout);
	return SG_EXIT_OK;
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
