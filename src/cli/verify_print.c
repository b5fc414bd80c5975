/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * verify_print.c - what `sealguard verify` prints for each drift: one
 * line of text ("changed dir /usr/lib (mode)"), or one element of the
 * --json document's "drift" array. Paths and targets are printed in the
 * baseline's escaped form (\xHH), so a line stays one line and the JSON
 * stays ASCII whatever bytes a name holds.
 */
#include <sys/sysmacros.h>

#include "cli.h"

static const char *change_name(enum sg_drift_kind kind)
{
	return kind == SG_DRIFT_ADDED	? "added" :
	       kind == SG_DRIFT_REMOVED ? "removed" :
					  "changed";
}

/* An escaped path (printable ASCII) as a JSON string: '\' and '"' only
 * need escaping. */
static void json_escaped(FILE *out, const char *esc)
{
	putc('"', out);
	for (const char *c = esc; *c; c++) {
		if (*c == '\\' || *c == '"')
			putc('\\', out);
		putc(*c, out);
	}
	putc('"', out);
}

/* The raw bytes s, escaped as in the baseline, as a JSON string. */
static int json_path(FILE *out, const char *s)
{
	_cleanup_free_ char *esc = sg_path_escape(s);

	if (!esc)
		return -ENOMEM;
	json_escaped(out, esc);
	return 0;
}

static void json_what(FILE *out, unsigned what)
{
	const char *sep = "";

	fputs("[", out);
	for (unsigned bit = 1; bit <= SG_DRIFT_LAST; bit <<= 1)
		if (what & bit) {
			fprintf(out, "%s\"%s\"", sep, sg_drift_name(bit));
			sep = ",";
		}
	fputs("]", out);
}

/* One side of a drift: the recorded or the live entry. */
static int json_view(FILE *out, const char *key, const struct sg_bl_view *v)
{
	char hex[SG_SHA256_HEX_LEN + 1];
	int r = 0;

	fprintf(out, ",\"%s\":{\"type\":\"%s\",\"mode\":\"%04o\",\"uid\":%" PRIu32
		     ",\"gid\":%" PRIu32,
		key, sg_bl_type_name(v->type), (unsigned)v->mode, v->uid, v->gid);
	if (v->sha256) {
		sg_hex_encode(v->sha256, SG_SHA256_LEN, hex);
		fprintf(out, ",\"size\":%" PRIu64 ",\"sha256\":\"%s\"", v->size,
			hex);
	}
	if (v->type == SG_BL_CHR || v->type == SG_BL_BLK)
		fprintf(out, ",\"major\":%u,\"minor\":%u", major(v->rdev),
			minor(v->rdev));
	if (v->target) {
		fputs(",\"target\":", out);
		r = json_path(out, v->target);
	}
	/* "name=hex,...": only [a-zA-Z0-9._=,] */
	fprintf(out, ",\"xattrs\":\"%s\"}", v->xattrs);
	return r;
}

static int print_json(struct verify_out *vo, enum sg_drift_kind kind,
		      unsigned what, const struct sg_bl_view *want,
		      const struct sg_bl_view *have)
{
	const struct sg_bl_view *v = have ? have : want;
	int r;

	printf("%s{\"change\":\"%s\",\"type\":\"%s\",\"path\":",
	       vo->n ? "," : "", change_name(kind), sg_bl_type_name(v->type));
	r = json_path(stdout, v->path);
	fputs(",\"what\":", stdout);
	json_what(stdout, what);
	if (r == 0 && want)
		r = json_view(stdout, "want", want);
	if (r == 0 && have)
		r = json_view(stdout, "have", have);
	fputs("}\n", stdout);
	return r;
}

static int print_text(enum sg_drift_kind kind, unsigned what,
		      const struct sg_bl_view *v)
{
	_cleanup_free_ char *path = sg_path_escape(v->path);
	const char *sep = "";

	if (!path)
		return -ENOMEM;
	printf("%s %s %s", change_name(kind), sg_bl_type_name(v->type), path);
	if (what) {
		printf(" (");
		for (unsigned bit = 1; bit <= SG_DRIFT_LAST; bit <<= 1)
			if (what & bit) {
				printf("%s%s", sep, sg_drift_name(bit));
				sep = ",";
			}
		printf(")");
	}
	putchar('\n');
	return 0;
}

void verify_print_drift(enum sg_drift_kind kind, unsigned what,
			const struct sg_bl_view *want,
			const struct sg_bl_view *have, void *userdata)
{
	struct verify_out *vo = userdata;
	int r;

	r = vo->json ? print_json(vo, kind, what, want, have) :
		       print_text(kind, what, have ? have : want);
	if (r < 0)
		vo->oom = true;
	vo->n++;
}

int verify_print_begin(struct verify_out *vo, const char *file)
{
	if (!vo->json)
		return 0;
	fputs("{\"baseline\":", stdout);
	if (json_path(stdout, file) < 0)
		return -ENOMEM;
	fputs(",\"drift\":[\n", stdout);
	return 0;
}

void verify_print_end(const struct verify_out *vo, size_t drifted,
		      const struct sg_build_stats *st)
{
	if (!vo->json)
		return;
	printf("],\"drifted\":%zu,\"files\":%" PRIu64 ",\"others\":%" PRIu64
	       ",\"skipped\":%" PRIu64 ",\"format\":%d}\n",
	       drifted, st->files, st->others, st->skipped, SG_BASELINE_VERSION);
}
