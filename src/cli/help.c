/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * help.c - the help of every command from one table: `sealguard --help`
 * (each command's synopsis and summary), `sealguard COMMAND --help` and
 * `sealguard help COMMAND` (its synopsis, what it does, each option it
 * takes and its exit status). A command's options are its letters in
 * the table of opts.c, so the help lists what the parser takes;
 * sealguard(1) says the same, and tests/integration/86-cli.sh checks the
 * three agree, and the shell completions too.
 */
#include "cli.h"
#include "selftest.h"
#include "statefile.h"

/* What an option means for one command, where the generic text of
 * opts.c is not enough. */
struct opt_note {
	int val;
	const char *arg;  /* NULL: opts.c's */
	const char *help; /* NULL: opts.c's */
};

struct command_help {
	const char *name;     /* as cli_parse_opts gets it */
	const char *opts;     /* its letters; NULL: its own parser (fleet) */
	const char *required; /* the letters it cannot do without */
	const char *summary;  /* one line, for sealguard --help */
	const char *text;     /* what it does */
	const struct opt_note *notes;
	const char *own_synopsis; /* opts == NULL: the synopsis ... */
	const char *own_options;  /* ... and the option lines */
	const char *exits;    /* "  0  ...\n" lines */
};

static const char exit_error[] =
	"  2  error: bad usage, or a file that cannot be read or written\n";

static const struct command_help commands[] = {
	{
		.name = "baseline build",
		.opts = "porjq",
		.summary = "record the trusted state of the host (the baseline)",
		.text = "Record everything under the policy's protected and trusted\n"
			"paths (minus its excludes): regular files with their SHA-256,\n"
			"size, mode and owner; directories, device nodes and FIFOs with\n"
			"their mode and owner (and device numbers); symlinks with their\n"
			"target; and for each its file capabilities and security\n"
			"xattrs. Write the baseline (format 2) atomically (mode 0600) to\n"
			"FILE or to the path the policy names. Symlinks are not\n"
			"followed; sockets are skipped. Nothing is written if any file\n"
			"cannot be read. A summary goes to stderr; on a terminal, a\n"
			"progress line (files, MB, MB/s, time left) while it hashes.\n"
			"With --root, the\n"
			"baseline of an image tree on the machine that builds it, for\n"
			"`baseline sign` and the hosts that boot the image.\n",
		.notes = (const struct opt_note[]){
			{ 'p', NULL, "the policy (default " SG_DEFAULT_POLICY ";\n"
				     "with --root, the image's: DIR" SG_DEFAULT_POLICY ")" },
			{ 'o', NULL, "where to write (default: the baseline the policy\n"
				     "names; with --root, under DIR)" },
			{ 'r', NULL, "an image tree (a chroot, an unpacked image): its\n"
				     "files are recorded as they will be on the host,\n"
				     "symlinks resolved inside DIR (chroot)" },
			{ 'q', NULL, "no progress line and no summary line" },
			{},
		},
		.exits = "  0  the baseline was written\n"
			 "  2  error: bad usage, an invalid or unreadable policy, a file\n"
			 "     that cannot be read, a baseline that cannot be written\n",
	},
	{
		.name = "baseline sign",
		.opts = "pbk",
		.required = "k",
		.summary = "sign the baseline with an Ed25519 private key",
		.text = "Sign the baseline with an Ed25519 private key (on the image\n"
			"build machine): writes BASELINE.sig. A policy that names\n"
			"baseline_key makes the daemon, check and verify refuse a\n"
			"baseline whose signature does not verify.\n",
		.notes = (const struct opt_note[]){
			{ 'k', "PRIVATE", "the private key (from sealguard keygen)" },
			{},
		},
		.exits = "  0  BASELINE.sig was written\n"
			 "  2  error: bad usage, an invalid or unreadable baseline, policy\n"
			 "     or key, a signature that cannot be written\n",
	},
	{
		.name = "check",
		.opts = "pbkvJ",
		.summary = "validate the policy and the baseline",
		.text = "Validate the policy and the baseline, and that the baseline\n"
			"records exactly the policy's paths and excludes and the\n"
			"[respond] programs. Prints every problem on stderr; --verbose\n"
			"also prints the policy as sealguard reads it (defaults spelt\n"
			"out). --json: one object on stdout with each problem.\n",
		.notes = (const struct opt_note[]){
			{ 'k', "PUBLIC", "the public key the baseline must be signed by\n"
					 "(default: the policy's baseline_key)" },
			{ 'v', NULL, "also print the policy as sealguard reads it" },
			{},
		},
		.exits = "  0  the policy and the baseline are valid and agree\n"
			 "  1  problems found: an invalid policy or baseline, one that\n"
			 "     does not match the other, a signature that does not verify\n"
			 "  2  error: bad usage, or the policy, the baseline or its\n"
			 "     signature cannot be read (missing, no permission)\n",
	},
	{
		.name = "fleet",
		.summary = "on a collector: one line a host from its heartbeats",
		.text = "On a collector: one line a host from its journal (heartbeat,\n"
			"state, denials, drift, responses, baseline), from the journal\n"
			"files in DIR, the files given, or the local journal.\n"
			"--check judges the fleet as a Nagios or Icinga plugin.\n",
		.own_synopsis = "[-D DIR | --file FILE...] [--since N|@EPOCH] [--json]\n"
				"       [--check [--silent-after N]]\n"
				"       [--baseline FILE | --baseline-sha HEX]\n"
				"       [--baseline-key FILE | --key-sha HEX]",
		.own_options =
			"  -D, --directory DIR   the journal files in DIR\n"
			"                        (e.g. /var/log/journal/remote)\n"
			"      --file FILE       a journal file (up to 64 times)\n"
			"      --since N|@EPOCH  only entries of the last N seconds, or\n"
			"                        since the Unix time EPOCH\n"
			"      --json            one JSON object with a hosts array and a\n"
			"                        summary\n"
			"      --check           a summary line, and the exit status of a\n"
			"                        monitoring plugin\n"
			"      --silent-after N  critical after N heartbeat intervals of\n"
			"                        silence (1..1000, default 3)\n"
			"      --baseline FILE   the expected baseline (default: the one\n"
			"                        most hosts run)\n"
			"      --baseline-sha HEX  the same, by its SHA-256\n"
			"      --baseline-key FILE the expected public key (default: the\n"
			"                        one most hosts run)\n"
			"      --key-sha HEX     the same, by its fingerprint\n"
			"  -h, --help            this text\n",
		.exits = "  without --check: 0, or 2 on an error\n"
			 "  with --check: 0 all hosts ok, 1 a warning, 2 a critical host,\n"
			 "  3 unknown (no host, or the journal cannot be read)\n",
	},
	{
		.name = "help",
		.summary = "this text, or a command's (sealguard help COMMAND)",
		.text = "Print the help of sealguard, or of COMMAND.\n",
		.own_synopsis = "[COMMAND]",
		.own_options = "",
		.exits = "  0  success\n"
			 "  2  error: an unknown command\n",
	},
	{
		.name = "keygen",
		.opts = "o",
		.required = "o",
		.summary = "make an Ed25519 key pair to sign baselines",
		.text = "Make an Ed25519 key pair: PREFIX.key (private, mode 0600; keep\n"
			"it off the hosts) and PREFIX.pub (for the hosts).\n",
		.notes = (const struct opt_note[]){
			{ 'o', "PREFIX", "write PREFIX.key and PREFIX.pub" },
			{},
		},
		.exits = "  0  the key pair was written\n"
			 "  2  error: bad usage, a key that cannot be written\n",
	},
	{
		.name = "maintenance",
		.summary = "run one command with the guard lifted for it, then re-seal",
		.text = "Run COMMAND on a sealed host: the running sealguardd opens a\n"
			"window for this process's tree alone (writes and execs it would\n"
			"deny are allowed and journaled, its changes get no response),\n"
			"bounded by --timeout. When the command ends, the baseline is\n"
			"rebuilt inside the same window and sealguard.service is\n"
			"restarted (systemctl), which closes the window and puts the new\n"
			"state under guard; without systemd the window is closed and you\n"
			"are told to restart sealguardd. Refused when the policy has a\n"
			"baseline_key (a fleet host is replaced, not maintained) and when\n"
			"sealguardd is not running. Read-only seal mounts stay read-only.\n",
		.own_synopsis = "[--policy FILE] [--state-dir DIR] [--timeout SECONDS]\n"
				"       [--no-rebuild] [--no-restart] -- COMMAND [ARG...]",
		.own_options =
			"  -p, --policy FILE    the policy (default: the daemon's own)\n"
			"  -s, --state-dir DIR  the daemon's state directory (default\n"
			"                       " SG_DEFAULT_STATE_DIR ")\n"
			"  -t, --timeout SECONDS the window's bound, 1..3600 (default 900)\n"
			"      --no-rebuild     do not rebuild the baseline after COMMAND\n"
			"      --no-restart     do not restart sealguardd: close the window\n"
			"  -h, --help           this text\n",
		.exits = "  N    COMMAND's own exit status (128+N if a signal ended it)\n"
			 "  125  maintenance failed: bad usage, sealguardd not running, the\n"
			 "       window refused or not answered, the rebuild or the restart\n"
			 "       failed\n"
			 "  126  COMMAND cannot be run\n"
			 "  127  COMMAND not found\n",
	},
	{
		.name = "selftest",
		.summary = "prove that the running sealguardd refuses and logs",
		.text = "Prove that the running sealguardd enforces: a write-open of the\n"
			"canary (opened O_WRONLY and never written), an exec of a file\n"
			"dropped in a new directory under the exec dir, and a loopback\n"
			"listener on a port no [listen] rule allows; each must be refused\n"
			"by the kernel and logged by the daemon. The verdict goes to\n"
			"stdout and to the journal (SEALGUARD_EVENT=selftest).\n",
		.own_synopsis = "[--policy FILE] [--state-dir DIR] [--canary FILE]\n"
				"       [--exec-dir DIR] [-D DIR] [--json]",
		.own_options =
			"  -p, --policy FILE    the policy (default: the daemon's own)\n"
			"  -s, --state-dir DIR  the daemon's state directory (default\n"
			"                       " SG_DEFAULT_STATE_DIR ")\n"
			"      --canary FILE    a file under a protected path, in the\n"
			"                       baseline (default " SG_DEFAULT_CANARY ")\n"
			"      --exec-dir DIR   a writable directory whose execs are\n"
			"                       checked (default " SG_DEFAULT_EXEC_DIR ")\n"
			"  -D, --directory DIR  read the journal in DIR, not the local one\n"
			"      --json           the verdict as one JSON object\n"
			"  -h, --help           this text\n",
		.exits = "  0  every check enforced (or sealed, or skipped)\n"
			 "  1  something let through or not logged (each named)\n"
			 "  2  error: the daemon is not running, the policy or the journal\n"
			 "     cannot be read, a check could not be made\n",
	},
	{
		.name = "status",
		.opts = "sJ",
		.summary = "is sealguardd running, and as what",
		.text = "Is sealguardd running: pid, uptime, mode, the policy and\n"
			"baseline in force with their SHA-256, capabilities held,\n"
			"seccomp mode and counters, from the record the daemon keeps.\n",
		.exits = "  0  sealguardd is running\n"
			 "  2  error: bad usage, or the status record cannot be read\n"
			 "     (no permission)\n"
			 "  3  sealguardd is not running (as an LSB init script's status)\n",
	},
	{
		.name = "verify",
		.opts = "pbkjqJ",
		.summary = "print what changed since the baseline was built",
		.text = "Rebuild the live state of the baseline's own paths and print\n"
			"one line per drift on stdout: CHANGE TYPE PATH [(WHAT)]\n"
			"  CHANGE added, removed, changed\n"
			"  TYPE   file, dir, symlink, char-device, block-device, fifo\n"
			"  WHAT   hash, size, mode, uid, gid, setuid, setgid, caps,\n"
			"         xattr, target, rdev (only what changed; for an added\n"
			"         entry, its setuid, setgid or caps)\n"
			"--json prints one JSON document instead: a drift array (each\n"
			"with the recorded and the live entry) and a summary. A baseline\n"
			"of an older format is refused: rebuild it. The policy is read\n"
			"only to find the baseline and its key when --baseline is not\n"
			"given. A summary goes to stderr; on a terminal, a progress\n"
			"line (files, MB, MB/s, time left) while it hashes.\n",
		.notes = (const struct opt_note[]){
			{ 'q', NULL, "no progress line and no summary" },
			{ 'k', "PUBLIC", "the public key the baseline must be signed by\n"
					 "(default: the policy's baseline_key)" },
			{},
		},
		.exits = "  0  no drift\n"
			 "  1  drift found\n"
			 "  2  error: bad usage, an invalid or unreadable policy, baseline\n"
			 "     or signature, a file that cannot be read\n",
	},
};

static const struct command_help *find(const char *what)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (streq(commands[i].name, what))
			return &commands[i];
	return NULL;
}

static const struct opt_note *note(const struct command_help *c, int val)
{
	for (const struct opt_note *n = c->notes; n && n->val; n++)
		if (n->val == val)
			return n;
	return NULL;
}

static const char *opt_arg(const struct command_help *c,
			   const struct cli_opt *o)
{
	const struct opt_note *n = note(c, o->val);

	return n && n->arg ? n->arg : o->arg;
}

/* "sealguard check [--policy FILE] ... [--json]" */
static void print_synopsis(const struct command_help *c, FILE *out)
{
	fprintf(out, "sealguard %s", c->name);
	if (!c->opts) {
		fprintf(out, " %s\n", c->own_synopsis);
		return;
	}
	for (const char *l = c->opts; *l; l++) {
		const struct cli_opt *o = cli_opt_find((unsigned char)*l);
		bool required = c->required && strchr(c->required, *l);
		const char *arg;

		if (!o)
			continue;
		arg = opt_arg(c, o);
		fprintf(out, " %s--%s%s%s%s", required ? "" : "[", o->name,
			arg ? " " : "", arg ? arg : "", required ? "" : "]");
	}
	fputc('\n', out);
}

/* "  -p, --policy FILE    the policy ...": continuation lines indented */
static void print_option(const char *letter, const char *name,
			 const char *arg, const char *help, FILE *out)
{
	static const char indent[] = "                        ";
	char left[64];

	snprintf(left, sizeof(left), "  %s%s%s--%s%s%s", letter ? "-" : "    ",
		 letter ? letter : "", letter ? ", " : "", name,
		 arg ? " " : "", arg ? arg : "");
	fprintf(out, "%-24s%s", left, strlen(left) >= 24 ? "\n" : "");
	if (strlen(left) >= 24)
		fputs(indent, out);
	for (const char *h = help; *h; h++) {
		fputc(*h, out);
		if (*h == '\n')
			fputs(indent, out);
	}
	fputc('\n', out);
}

static void print_options(const struct command_help *c, FILE *out)
{
	fputs("\nOptions:\n", out);
	if (!c->opts) {
		fputs(c->own_options, out);
		return;
	}
	for (const char *l = c->opts; *l; l++) {
		const struct cli_opt *o = cli_opt_find((unsigned char)*l);
		const struct opt_note *n;
		char letter[2] = { *l, '\0' };

		if (!o)
			continue;
		n = note(c, o->val);
		print_option(o->long_only ? NULL : letter, o->name,
			     opt_arg(c, o), n && n->help ? n->help : o->help,
			     out);
	}
	print_option("h", "help", NULL, "this text", out);
}

void cli_command_usage(const char *what, FILE *out)
{
	const struct command_help *c = find(what);

	if (!c) {
		cli_usage(out);
		return;
	}
	fputs("Usage: ", out);
	print_synopsis(c, out);
	fprintf(out, "\n%s", c->text);
	print_options(c, out);
	fprintf(out, "\nExit status:\n%s", c->exits);
}

void cli_usage(FILE *out)
{
	fputs("Usage: sealguard [--help | --version] COMMAND [OPTIONS]\n"
	      "\n"
	      "Build, check and verify the baseline of an immutable server.\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-16s%s\n", commands[i].name, commands[i].summary);
	fputs("\n"
	      "'sealguard COMMAND --help' or 'sealguard help COMMAND' lists the\n"
	      "options of COMMAND; sealguard(1) has the whole story.\n"
	      "\n"
	      "Options:\n"
	      "  -h, --help              this text\n"
	      "  -V, --version           the version\n"
	      "\n"
	      "Paths in output are escaped as in the baseline file: bytes outside\n"
	      "0x21..0x7e and '\\' are written as \\xHH. Summaries go to stderr.\n"
	      "\n"
	      "Exit status (each command's --help has its own):\n"
	      "  0  success: policy and baseline OK, no drift, the daemon runs\n"
	      "  1  check found problems, or verify found drift\n",
	      out);
	fputs(exit_error, out);
	fputs("  3  status: the daemon is not running\n", out);
}

int cli_try_help_for(const char *what)
{
	if (find(what))
		fprintf(stderr, "Try 'sealguard %s --help'.\n", what);
	else
		fputs("Try 'sealguard --help'.\n", stderr);
	return SG_EXIT_ERROR;
}

/* `help baseline` names both baseline actions. */
int cmd_help(int argc, char **argv)
{
	_cleanup_free_ char *what = NULL;
	bool found = false;

	if (argc < 2) {
		cli_usage(stdout);
		return SG_EXIT_OK;
	}
	if (argc == 2 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
		cli_command_usage("help", stdout);
		return SG_EXIT_OK;
	}
	if (argc > 3)
		return cli_usage_error("help: one command at most");
	if (argc == 3 ? asprintf(&what, "%s %s", argv[1], argv[2]) < 0 :
			!(what = strdup(argv[1])))
		return SG_EXIT_ERROR;
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		size_t n = strlen(what);

		if (strncmp(commands[i].name, what, n) != 0 ||
		    (commands[i].name[n] != '\0' && commands[i].name[n] != ' '))
			continue;
		if (found)
			fputs("\n", stdout);
		cli_command_usage(commands[i].name, stdout);
		found = true;
	}
	if (!found)
		return cli_usage_error("help: no command '%s'", what);
	return SG_EXIT_OK;
}
