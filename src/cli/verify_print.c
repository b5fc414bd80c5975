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
#include "json.h"

static const char *change_name(enum sg_drift_kind kind)
{
	return kind == SG_DRIFT_ADDED	? "added" :
	       kind == SG_DRIFT_REMOVED ? "removed" :
					  "changed";
}

/* The raw bytes s, escaped as in the baseline (printable ASCII). */
static int json_path(struct sg_json *j, const char *key, const char *s)
{
	_cleanup_free_ char *esc = sg_path_escape(s);

	if (!esc)
		return -ENOMEM;
	sg_json_str(j, key, esc);
	return 0;
}

static void json_what(struct sg_json *j, unsigned what)
{
	sg_json_open(j, "what", '[');
	for (unsigned bit = 1; bit <= SG_DRIFT_LAST; bit <<= 1)
		if (what & bit)
			sg_json_str(j, NULL, sg_drift_name(bit));
	sg_json_close(j, ']');
}

/* One side of a drift: the recorded or the live entry. */
static int json_view(struct sg_json *j, const char *key,
		     const struct sg_bl_view *v)
{
	char hex[SG_SHA256_HEX_LEN + 1], mode[16];
	int r = 0;

	snprintf(mode, sizeof(mode), "%04o", (unsigned)v->mode);
	sg_json_open(j, key, '{');
	sg_json_str(j, "type", sg_bl_type_name(v->type));
	sg_json_str(j, "mode", mode);
	sg_json_uint(j, "uid", v->uid);
	sg_json_uint(j, "gid", v->gid);
	if (v->sha256) {
		sg_hex_encode(v->sha256, SG_SHA256_LEN, hex);
		sg_json_uint(j, "size", v->size);
		sg_json_str(j, "sha256", hex);
	}
	if (v->type == SG_BL_CHR || v->type == SG_BL_BLK) {
		sg_json_uint(j, "major", major(v->rdev));
		sg_json_uint(j, "minor", minor(v->rdev));
	}
	if (v->target)
		r = json_path(j, "target", v->target);
	sg_json_str(j, "xattrs", v->xattrs); /* "name=hex,..." */
	sg_json_close(j, '}');
	return r;
}

static int print_json(struct verify_out *vo, enum sg_drift_kind kind,
		      unsigned what, const struct sg_bl_view *want,
		      const struct sg_bl_view *have)
{
	const struct sg_bl_view *v = have ? have : want;
	struct sg_json *j = &vo->j;
	int r;

	sg_json_open(j, NULL, '{');
	sg_json_str(j, "change", change_name(kind));
	sg_json_str(j, "type", sg_bl_type_name(v->type));
	r = json_path(j, "path", v->path);
	json_what(j, what);
	if (r == 0 && want)
		r = json_view(j, "want", want);
	if (r == 0 && have)
		r = json_view(j, "have", have);
	sg_json_close(j, '}');
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
	sg_json_start(&vo->j, stdout);
	sg_json_open(&vo->j, NULL, '{');
	if (json_path(&vo->j, "baseline", file) < 0)
		return -ENOMEM;
	sg_json_open(&vo->j, "drift", '[');
	return 0;
}

void verify_print_end(struct verify_out *vo, size_t drifted,
		      const struct sg_build_stats *st)
{
	if (!vo->json)
		return;
	sg_json_close(&vo->j, ']');
	sg_json_uint(&vo->j, "drifted", drifted);
	sg_json_uint(&vo->j, "files", st->files);
	sg_json_uint(&vo->j, "others", st->others);
	sg_json_uint(&vo->j, "skipped", st->skipped);
	sg_json_int(&vo->j, "format", SG_BASELINE_VERSION);
	sg_json_close(&vo->j, '}');
}
