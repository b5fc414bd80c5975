/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_rdonly.c - the pure half of the mount watch (mountdiff.c) and the
 * mountinfo fields it reads (mounts.c): where a protected path lies in
 * its filesystem, which mounts matter to it (under, over, or a bind of
 * its tree elsewhere), and what changed between two mount tables.
 * Synthetic mountinfo text only: nothing is mounted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "sys/mounts.h"
#include "watch/mountdiff.h"
#include "util.h"

/* A host: / on vda, /usr its own filesystem, /srv/data a bind of a
 * subtree of the root filesystem, a sealed /etc (self-bind, read-only). */
static const char host[] =
	"26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
	"30 26 254:16 / /usr ro,relatime - ext4 /dev/vdb ro\n"
	"31 26 254:0 /var/data /srv/data rw shared:3 - ext4 /dev/vda rw\n"
	"32 26 0:22 / /proc rw,nosuid - proc proc rw\n"
	"33 26 254:0 /etc /etc ro,relatime - ext4 /dev/vda rw\n"
	"34 26 0:40 / /mnt/my\\040disk rw - tmpfs my\\040src rw,size=10k\n";

static struct sg_mounts parse(const char *text)
{
	struct sg_mounts m = { 0 };

	assert_int_equal(sg_mounts_parse(text, &m), 0);
	return m;
}

static void test_mount_fields(void **state)
{
	struct sg_mounts m = parse(host);

	assert_int_equal(m.n, 6);
	assert_int_equal(m.v[0].parent, 1);
	assert_int_equal(m.v[0].dev, makedev(254, 0));
	assert_string_equal(m.v[0].root, "/");
	assert_string_equal(m.v[0].source, "/dev/vda");
	assert_false(m.v[0].ro);
	assert_false(m.v[0].sb_ro);
	assert_true(m.v[1].ro && m.v[1].sb_ro);
	assert_int_equal(m.v[2].parent, 26);
	assert_string_equal(m.v[2].root, "/var/data");
	assert_true(m.v[4].ro); /* the mount, not the filesystem */
	assert_false(m.v[4].sb_ro);
	assert_string_equal(m.v[5].point, "/mnt/my disk");
	assert_string_equal(m.v[5].source, "my src");
	assert_false(m.v[5].sb_ro); /* "rw,size=10k": ro is not a prefix */
	sg_mounts_free(&m);
}

static void test_mount_fields_bad(void **state)
{
	struct sg_mounts m = { 0 };

	/* a device that is not major:minor, a parent that is not a number */
	assert_int_equal(sg_mounts_parse("26 1 254 / / rw - ext4 /dev/vda rw\n",
					 &m),
			 -EINVAL);
	assert_int_equal(sg_mounts_parse("26 x 254:0 / / rw - ext4 /dev/vda rw\n",
					 &m),
			 -EINVAL);
	assert_int_equal(sg_mounts_parse("26 1 254:0x / / rw - ext4 a rw\n", &m),
			 -EINVAL);
}

static void test_containing(void **state)
{
	struct sg_mounts m = parse(host);

	assert_int_equal(sg_mounts_containing(&m, "/usr/bin/ls")->id, 30);
	assert_int_equal(sg_mounts_containing(&m, "/usrx")->id, 26);
	assert_int_equal(sg_mounts_containing(&m, "/etc")->id, 33);
	sg_mounts_free(&m);
}

static void test_fsrefs(void **state)
{
	static const char *const roots[] = { "/usr", "/usr/lib", "/etc/ssh",
					     "/srv/data/app", "/" };
	struct sg_mounts m = parse(host);
	struct sg_fsref *refs;
	size_t n;

	assert_int_equal(sg_fsrefs_build(&m, roots, ARRAY_SIZE(roots), &refs,
					 &n),
			 0);
	assert_int_equal(n, 5);
	assert_int_equal(refs[0].dev, makedev(254, 16));
	assert_string_equal(refs[0].inpath, "/"); /* the root of its own fs */
	assert_string_equal(refs[1].inpath, "/lib");
	assert_int_equal(refs[2].dev, makedev(254, 0));
	assert_string_equal(refs[2].inpath, "/etc/ssh"); /* via the self-bind */
	assert_string_equal(refs[3].inpath, "/var/data/app"); /* via a bind */
	assert_string_equal(refs[4].inpath, "/");
	sg_fsrefs_free(refs, n);
	sg_mounts_free(&m);
}

static bool relevant(const char *line, const char *root)
{
	struct sg_mounts m = parse(host), one = parse(line);
	const char *roots[] = { root };
	struct sg_fsref *refs;
	size_t n;
	bool r;

	assert_int_equal(sg_fsrefs_build(&m, roots, 1, &refs, &n), 0);
	r = sg_mount_relevant(&one.v[0], roots, 1, refs, n);
	sg_fsrefs_free(refs, n);
	sg_mounts_free(&m);
	sg_mounts_free(&one);
	return r;
}

static void test_relevant(void **state)
{
	/* under, at and over the protected path */
	assert_true(relevant("40 30 0:50 / /usr/local rw - tmpfs t rw\n", "/usr"));
	assert_true(relevant("40 30 0:50 / /usr rw - tmpfs t rw\n", "/usr"));
	assert_true(relevant("40 26 0:50 / / rw - tmpfs t rw\n", "/usr/lib"));
	/* elsewhere, another filesystem: no */
	assert_false(relevant("40 26 0:50 / /mnt rw - tmpfs t rw\n", "/usr"));
	assert_false(relevant("40 26 0:50 / /usrx rw - tmpfs t rw\n", "/usr"));
	/* a bind of the protected tree, of a part of it, of all of its
	 * filesystem: it shows protected files elsewhere */
	assert_true(relevant("40 26 254:0 /etc /mnt/e rw - ext4 /dev/vda rw\n",
			     "/etc"));
	assert_true(relevant("40 26 254:0 /etc/ssh /mnt/e rw - ext4 /dev/vda rw\n",
			     "/etc"));
	assert_true(relevant("40 26 254:0 / /mnt/all rw - ext4 /dev/vda rw\n",
			     "/etc"));
	assert_true(relevant("40 26 254:16 /bin /mnt/b rw - ext4 /dev/vdb rw\n",
			     "/usr"));
	/* a bind of another part of the same filesystem: no */
	assert_false(relevant("40 26 254:0 /var /mnt/v rw - ext4 /dev/vda rw\n",
			      "/etc"));
	assert_false(relevant("40 26 254:0 /etcx /mnt/v rw - ext4 /dev/vda rw\n",
			      "/etc"));
}

/* ---------------------------------------------------------------- diff */

struct seen {
	char text[8192];
};

static void record(enum sg_mount_change kind, const struct sg_mount *a,
		   const struct sg_mount *b, void *userdata)
{
	struct seen *s = userdata;
	const struct sg_mount *m = b ? b : a;
	size_t n = strlen(s->text);

	if (kind == SG_MOUNT_ADDED)
		assert_null(a);
	if (kind == SG_MOUNT_REMOVED)
		assert_null(b);
	snprintf(s->text + n, sizeof(s->text) - n, "%s %d %s;",
		 sg_mount_change_name(kind), m->id, m->point);
}

static const char *diff(const char *old, const char *cur, struct seen *s)
{
	struct sg_mounts a = parse(old), b = parse(cur);

	s->text[0] = '\0';
	assert_int_equal(sg_mounts_diff(&a, &b, record, s), 0);
	sg_mounts_free(&a);
	sg_mounts_free(&b);
	return s->text;
}

#define ROOT "26 1 254:0 / / rw - ext4 /dev/vda rw\n"
#define USR "30 26 254:16 / /usr ro - ext4 /dev/vdb ro\n"
#define USR_RW "30 26 254:16 / /usr rw - ext4 /dev/vdb rw\n"
#define USR_SB_RW "30 26 254:16 / /usr ro - ext4 /dev/vdb rw\n"
#define SEAL "33 26 254:0 /etc /etc ro - ext4 /dev/vda rw\n"
#define SEAL_RW "33 26 254:0 /etc /etc rw - ext4 /dev/vda rw\n"
#define OVER "40 33 0:50 / /etc rw - tmpfs t rw\n"

static void test_diff(void **state)
{
	struct seen s;

	assert_string_equal(diff(ROOT USR SEAL, ROOT USR SEAL, &s), "");
	/* the order of lines does not matter, ids do */
	assert_string_equal(diff(ROOT USR SEAL, SEAL USR ROOT, &s), "");
	assert_string_equal(diff(ROOT USR SEAL, ROOT USR SEAL OVER, &s),
			    "mount 40 /etc;");
	assert_string_equal(diff(ROOT USR SEAL OVER, ROOT USR, &s),
			    "unmount 33 /etc;unmount 40 /etc;");
	assert_string_equal(diff(ROOT SEAL, ROOT SEAL_RW, &s),
			    "remount-rw 33 /etc;");
	assert_string_equal(diff(ROOT SEAL_RW, ROOT SEAL, &s),
			    "remount-ro 33 /etc;");
	/* the mount stays read-only: the filesystem going rw is no change
	 * of what can be written through it */
	assert_string_equal(diff(ROOT USR, ROOT USR_SB_RW, &s), "");
	assert_string_equal(diff(ROOT USR, ROOT USR_RW, &s),
			    "remount-rw 30 /usr;");
	/* an id reused for another mount: one went, one came */
	assert_string_equal(diff(ROOT USR, ROOT "30 26 0:60 / /usr rw - tmpfs t rw\n",
				 &s),
			    "unmount 30 /usr;mount 30 /usr;");
	assert_string_equal(diff("", ROOT, &s), "mount 26 /;");
	assert_string_equal(diff(ROOT, "", &s), "unmount 26 /;");
}

static void test_diff_many(void **state)
{
	struct sg_mounts a = { 0 }, b = { 0 };
	char *ta = NULL, *tb = NULL;
	size_t la = 0, lb = 0;
	FILE *fa = open_memstream(&ta, &la), *fb = open_memstream(&tb, &lb);
	struct seen s = { "" };

	assert_non_null(fa);
	assert_non_null(fb);
	/* ids 100..299 before; 150..349 after, written in reverse */
	for (int i = 100; i < 300; i++)
		fprintf(fa, "%d 1 0:%d / /m/%d rw - tmpfs t rw\n", i, i, i);
	for (int i = 349; i >= 150; i--)
		fprintf(fb, "%d 1 0:%d / /m/%d rw - tmpfs t rw\n", i, i, i);
	assert_int_equal(fclose(fa), 0);
	assert_int_equal(fclose(fb), 0);
	a = parse(ta);
	b = parse(tb);
	free(ta);
	free(tb);
	assert_int_equal(sg_mounts_diff(&a, &b, record, &s), 0);
	assert_non_null(strstr(s.text, "unmount 100 /m/100;unmount 101 "));
	assert_null(strstr(s.text, " 150 "));
	assert_non_null(strstr(s.text, ";mount 349 /m/349;"));
	sg_mounts_free(&a);
	sg_mounts_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mount_fields),
		cmocka_unit_test(test_mount_fields_bad),
		cmocka_unit_test(test_containing),
		cmocka_unit_test(test_fsrefs),
		cmocka_unit_test(test_relevant),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_diff_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
