/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmd_fleet.c - `sealguard fleet`: one line a host from a collector's
 * journal (fleet.md in the documentation), and with --check the dead-man alarm in the
 * Nagios/Icinga convention: 0 ok, 1 warning, 2 critical, 3 unknown.
 *
 * A host is critical when its heartbeats stopped for --silent-after
 * intervals (or it never sent one, or its guard said it stopped), when it
 * runs another baseline or key than the one expected (given, or else the
 * one most hosts run), when its seccomp filter is not in force, or when a
 * tamper check reported something. It is a warning when it runs
 * permissive or reported a violation (a denial, a drift or change, an
 * unclean end of the guard before).
 */
#include <fcntl.h>
#include <getopt.h>
#include <time.h>

#include "clock.h"
#include "cli.h"
#include "fleet.h"
#include "json.h"
#include "signature.h"

enum { FLEET_OK, FLEET_WARNING, FLEET_CRITICAL, FLEET_UNKNOWN };

struct fleet_opts {
	struct fleet_source src;
	const char *files[65];
	size_t nfiles;
	bool json, check;
	unsigned silent_after;
	char want_baseline[SG_SHA256_HEX_LEN + 1]; /* "": the majority's */
	char want_key[SG_SHA256_HEX_LEN + 1];      /* "": the majority's */
};

/* A host's verdict: its level and why, comma-separated. */
struct verdict {
	int level;
	char why[256];
};

static void flag(struct verdict *v, int level, const char *what)
{
	size_t n = strlen(v->why);

	if (level > v->level)
		v->level = level;
	snprintf(v->why + n, sizeof(v->why) - n, "%s%s", n ? "," : "", what);
}

/* The value most hosts' last heartbeat carries in field at offset off. */
static const char *majority(const struct fleet *f, size_t off)
{
	const char *best = "";
	size_t best_n = 0;

	for (size_t i = 0; i < f->n; i++) {
		const char *v = (const char *)&f->hosts[i].beat + off;
		size_t n = 0;

		for (size_t k = 0; k < f->n && *v; k++)
			n += streq(v, (const char *)&f->hosts[k].beat + off);
		if (n > best_n) {
			best = v;
			best_n = n;
		}
	}
	return best;
}

static void judge(const struct fleet_host *h, const struct fleet_opts *o,
		  const char *want_bl, const char *want_key, uint64_t now_us,
		  struct verdict *v)
{
	const struct fleet_beat *b = &h->beat;
	uint64_t window = (uint64_t)o->silent_after * (b->interval_s ?: 60) *
			  1000000;

	*v = (struct verdict){ FLEET_OK, "" };
	if (!b->at_us)
		flag(v, FLEET_CRITICAL, "no-heartbeat");
	else if (now_us > b->at_us && now_us - b->at_us > window)
		flag(v, FLEET_CRITICAL, "silent");
	if (h->stopped)
		flag(v, FLEET_CRITICAL, "stopped");
	if (b->at_us && *want_bl && !streq(b->baseline_sha, want_bl))
		flag(v, FLEET_CRITICAL, "baseline-differs");
	if (b->at_us && *want_key && !streq(b->key, want_key))
		flag(v, FLEET_CRITICAL, "key-differs");
	if (b->at_us && !streq(b->seccomp, "filter"))
		flag(v, FLEET_CRITICAL, "unsealed");
	if (b->at_us && *b->tamper && !streq(b->tamper, "none"))
		flag(v, FLEET_CRITICAL, "tamper");
	if (streq(b->mode, "permissive"))
		flag(v, FLEET_WARNING, "permissive");
	if (h->denials || h->drift || h->unclean_starts)
		flag(v, FLEET_WARNING, "violation");
	if (!v->why[0])
		snprintf(v->why, sizeof(v->why), "ok");
}

/* A JSON string; what the journal holds may be anything. */
static void json_str(const char *s)
{
	sg_json_write_string(stdout, s); /* valid JSON even if not UTF-8 */
}

static void print_json_host(const struct fleet_host *h,
			    const struct verdict *v, uint64_t now_us)
{
	const struct fleet_beat *b = &h->beat;

	fputs("{\"host\":", stdout);
	json_str(h->hostname);
	fputs(",\"machine_id\":", stdout);
	json_str(h->machine_id);
	fputs(",\"boot_id\":", stdout);
	json_str(h->boot_id);
	printf(",\"state\":\"%s\",\"level\":%d,\"reasons\":",
	       v->level == FLEET_OK ? "ok" :
	       v->level == FLEET_WARNING ? "warning" : "critical", v->level);
	json_str(v->why);
	if (b->at_us)
		printf(",\"last_heartbeat_age_s\":%" PRIu64,
		       now_us > b->at_us ? (now_us - b->at_us) / 1000000 : 0);
	else
		fputs(",\"last_heartbeat_age_s\":null", stdout);
	printf(",\"interval_s\":%u,\"denials\":%" PRIu64 ",\"would_deny\":%" PRIu64
	       ",\"drift\":%" PRIu64 ",\"responses\":%" PRIu64 ",\"mode\":",
	       b->interval_s, h->denials, h->would_deny, h->drift,
	       h->responses);
	json_str(b->mode);
	fputs(",\"baseline_sha256\":", stdout);
	json_str(b->baseline_sha);
	fputs(",\"baseline_key\":", stdout);
	json_str(b->key);
	fputs(",\"tamper\":", stdout);
	json_str(b->tamper);
	fputs("}", stdout);
}

static void print_line(const struct fleet_host *h, const struct verdict *v,
		       const char *want_bl, uint64_t now_us)
{
	const struct fleet_beat *b = &h->beat;
	char age[24] = "never";

	if (b->at_us)
		snprintf(age, sizeof(age), "%" PRIu64 "s ago",
			 now_us > b->at_us ? (now_us - b->at_us) / 1000000 : 0);
	printf("%-20s %-10s %-9s %-24s %7" PRIu64 " %6" PRIu64 " %9" PRIu64
	       " %.12s%s\n",
	       h->hostname[0] ? h->hostname : h->machine_id, age,
	       v->level == FLEET_OK ? "OK" :
	       v->level == FLEET_WARNING ? "WARNING" : "CRITICAL",
	       v->why, h->denials, h->drift, h->responses,
	       b->baseline_sha[0] ? b->baseline_sha : "-",
	       !b->baseline_sha[0] ? "" :
	       streq(b->baseline_sha, want_bl) ? " =" : " !");
}

static int report(const struct fleet *f, const struct fleet_opts *o)
{
	const char *want_bl = o->want_baseline[0] ? o->want_baseline :
			      majority(f, offsetof(struct fleet_beat, baseline_sha));
	const char *want_key = o->want_key[0] ? o->want_key :
			       majority(f, offsetof(struct fleet_beat, key));
	uint64_t now_us = sg_realtime_us();
	int worst = FLEET_OK;
	size_t bad = 0;

	if (o->json)
		fputs("{\"hosts\":[", stdout);
	else if (!o->check || f->n)
		printf("%-20s %-10s %-9s %-24s %7s %6s %9s %s\n", "HOST",
		       "HEARTBEAT", "STATE", "WHY", "DENIALS", "DRIFT",
		       "RESPONSES", "BASELINE");
	for (size_t i = 0; i < f->n; i++) {
		struct verdict v;

		judge(&f->hosts[i], o, want_bl, want_key, now_us, &v);
		worst = v.level > worst ? v.level : worst;
		bad += v.level != FLEET_OK;
		if (o->json) {
			fputs(i ? "," : "", stdout);
			print_json_host(&f->hosts[i], &v, now_us);
		} else {
			print_line(&f->hosts[i], &v, want_bl, now_us);
		}
	}
	if (!f->n)
		worst = FLEET_UNKNOWN; /* no host at all: nothing is known */
	if (o->json) {
		printf("],\"summary\":{\"hosts\":%zu,\"not_ok\":%zu,\"level\":%d,"
		       "\"baseline_sha256\":", f->n, bad, worst);
		json_str(want_bl);
		puts("}}");
	} else if (o->check) {
		printf("FLEET %s - %zu of %zu host(s) not ok\n",
		       (const char *[]){ "OK", "WARNING", "CRITICAL",
					 "UNKNOWN" }[worst], bad, f->n);
	}
	return o->check ? worst : SG_EXIT_OK;
}

/* --baseline FILE: its SHA-256; --baseline-key FILE: its fingerprint. */
static int file_sha_hex(const char *path, char *hex)
{
	unsigned char sha[SG_SHA256_LEN];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), r;

	if (fd < 0)
		return -errno;
	r = sg_sha256_fd(fd, sha, NULL);
	(void)close(fd);
	if (r >= 0)
		sg_hex_encode(sha, SG_SHA256_LEN, hex);
	return r;
}

static int expect_key(const char *path, char *hex)
{
	struct errlist errs = { 0 };
	int r = sg_key_fingerprint(path, hex, &errs);

	cli_print_errs(&errs);
	errlist_free(&errs);
	return r;
}

static bool is_sha_hex(const char *s)
{
	return strlen(s) == SG_SHA256_HEX_LEN &&
	       strspn(s, "0123456789abcdef") == SG_SHA256_HEX_LEN;
}

/* --since: seconds ago ("600"), or "@EPOCH" seconds. */
static int parse_since(const char *arg, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg + (*arg == '@'), &end, 10);
	if (errno || end == arg || *end)
		return -EINVAL;
	*ret = *arg == '@' ? v * 1000000 :
	       sg_realtime_us() - (v * 1000000 < sg_realtime_us() ?
				   v * 1000000 : 0);
	return 0;
}

enum { OPT_FILE = 256, OPT_BASELINE, OPT_BASELINE_SHA, OPT_KEY, OPT_KEY_SHA,
       OPT_SINCE, OPT_JSON, OPT_CHECK, OPT_SILENT };

static int parse_one(int c, const char *arg, struct fleet_opts *o)
{
	switch (c) {
	case 'D':
		o->src.dir = arg;
		return 0;
	case OPT_FILE:
		if (o->nfiles + 1 >= ARRAY_SIZE(o->files))
			return cli_usage_error("at most 64 --file");
		o->files[o->nfiles++] = arg;
		o->src.files = o->files;
		return 0;
	case OPT_BASELINE:
		if (file_sha_hex(arg, o->want_baseline) < 0)
			return cli_usage_error("cannot read %s", arg);
		return 0;
	case OPT_KEY:
		return expect_key(arg, o->want_key) < 0 ? SG_EXIT_ERROR : 0;
	case OPT_BASELINE_SHA:
	case OPT_KEY_SHA:
		if (!is_sha_hex(arg))
			return cli_usage_error("not a SHA-256 in lower-case hex: '%s'", arg);
		snprintf(c == OPT_KEY_SHA ? o->want_key : o->want_baseline,
			 SG_SHA256_HEX_LEN + 1, "%s", arg);
		return 0;
	case OPT_SINCE:
		return parse_since(arg, &o->src.since_us) < 0 ?
			cli_usage_error("bad --since '%s'", arg) : 0;
	case OPT_SILENT:
		o->silent_after = (unsigned)strtoul(arg, NULL, 10);
		return o->silent_after < 1 || o->silent_after > 1000 ?
			cli_usage_error("--silent-after: 1..1000") : 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_CHECK:
		o->check = true;
		return 0;
	case 'h':
		cli_command_usage("fleet", stdout);
		return -1;
	default:
		return cli_try_help_for("fleet");
	}
}

static int parse_opts(int argc, char **argv, struct fleet_opts *o)
{
	static const struct option opts[] = {
		{ "directory", required_argument, NULL, 'D' },
		{ "file", required_argument, NULL, OPT_FILE },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "baseline-sha", required_argument, NULL, OPT_BASELINE_SHA },
		{ "baseline-key", required_argument, NULL, OPT_KEY },
		{ "key-sha", required_argument, NULL, OPT_KEY_SHA },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "silent-after", required_argument, NULL, OPT_SILENT },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c, r;

	o->silent_after = 3;
	while ((c = getopt_long(argc, argv, "D:h", opts, NULL)) != -1)
		if ((r = parse_one(c, optarg, o)) != 0)
			return r;
	if (optind < argc)
		return cli_usage_error("unexpected argument '%s'", argv[optind]);
	if (o->src.dir && o->src.files)
		return cli_usage_error("-D and --file exclude each other");
	return 0;
}

int cmd_fleet(int argc, char **argv)
{
	struct fleet_opts o = { 0 };
	struct fleet f;
	int r = parse_opts(argc, argv, &o);

	if (r != 0)
		return r < 0 ? SG_EXIT_OK : r;
	r = fleet_read(&o.src, &f);
	if (r < 0) {
		cli_error("cannot read the journal%s%s: %s",
			  o.src.dir ? " in " : "", o.src.dir ? o.src.dir : "",
			  strerror(-r));
		return o.check ? FLEET_UNKNOWN : SG_EXIT_ERROR;
	}
	r = report(&f, &o);
	fleet_free(&f);
	return r;
}
