/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_canonpath.c - the names of a file through the mounts of its
 * filesystem (src/daemon/sys/canonpath.h), over synthetic mountinfo:
 * the main mount, an alias of a subdirectory, an alias of an alias, a
 * whole-filesystem alias, another filesystem with the same paths, a
 * filesystem seen only through a subtree, and names too long to hold.
 * Pure: nothing is stat()ed, mounted or marked.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sys/canonpath.h"
#include "sys/mounts.h"

/*
 * 8:1 ext4 mounted at /mnt; /tmp/alias shows its /etc, /tmp/alias2 is an
 * alias of /tmp/alias (so also its /etc), /tmp/sub shows /etc/sub,
 * /tmp/whole shows all of it. 0:40 is a tmpfs at /run with the same inner
 * paths. 8:2 is only visible through /srv/etc (its /data/etc) and an
 * alias of that at /tmp/srv.
 */
static const char table[] =
	"1 0 8:0 / / rw - ext4 /dev/sda rw\n"
	"20 1 8:1 / /mnt rw - ext4 /dev/sdb rw\n"
	"21 1 0:40 / /run rw - tmpfs tmpfs rw\n"
	"30 1 8:1 /etc /tmp/alias rw - ext4 /dev/sdb rw\n"
	"31 1 8:1 /etc /tmp/alias2 rw - ext4 /dev/sdb rw\n"
	"32 1 8:1 /etc/sub /tmp/sub rw - ext4 /dev/sdb rw\n"
	"33 1 8:1 / /tmp/whole rw - ext4 /dev/sdb rw\n"
	"40 1 8:2 /data/etc /srv/etc rw - ext4 /dev/sdc rw\n"
	"41 1 8:2 /data/etc /tmp/srv rw - ext4 /dev/sdc rw\n"
	"50 1 0:41 / /tmp/my\\040dir rw - tmpfs t rw\n";

static int setup(void **state)
{
	static struct sg_mounts m;

	if (sg_mounts_parse(table, &m) < 0)
		return -1;
	*state = &m;
	return 0;
}

static int teardown(void **state)
{
	sg_mounts_free(*state);
	return 0;
}

static const struct sg_mount *by_id(void **state, int id)
{
	const struct sg_mount *mnt = sg_mounts_by_id(*state, id);

	assert_non_null(mnt);
	assert_int_equal(mnt->id, id);
	return mnt;
}

static void test_by_id(void **state)
{
	assert_string_equal(by_id(state, 30)->point, "/tmp/alias");
	assert_null(sg_mounts_by_id(*state, 99));
	assert_null(sg_mounts_by_id(*state, -1));
}

/* inner path of NAME seen through mount ID */
static void assert_inner(void **state, int id, const char *name,
			 const char *want)
{
	char buf[PATH_MAX];

	assert_int_equal(sg_mount_inner_path(by_id(state, id), name, buf,
					     sizeof(buf)),
			 0);
	assert_string_equal(buf, want);
}

static void test_inner_path(void **state)
{
	assert_inner(state, 20, "/mnt/etc/x", "/etc/x");
	assert_inner(state, 20, "/mnt", "/");
	assert_inner(state, 30, "/tmp/alias/ld.so.preload", "/etc/ld.so.preload");
	assert_inner(state, 30, "/tmp/alias", "/etc");
	assert_inner(state, 32, "/tmp/sub/a/b", "/etc/sub/a/b");
	assert_inner(state, 33, "/tmp/whole/etc/x", "/etc/x");
	assert_inner(state, 1, "/etc/passwd", "/etc/passwd");
	assert_inner(state, 50, "/tmp/my dir/f", "/f");
}

static void test_inner_path_not_through(void **state)
{
	char buf[PATH_MAX] = "untouched";

	/* a string prefix is not a path prefix */
	assert_int_equal(sg_mount_inner_path(by_id(state, 30),
					     "/tmp/aliasX/f", buf, sizeof(buf)),
			 -EXDEV);
	assert_int_equal(sg_mount_inner_path(by_id(state, 30), "/etc/f", buf,
					     sizeof(buf)),
			 -EXDEV);
	/* not absolute: a path of another namespace or a pseudo name */
	assert_int_equal(sg_mount_inner_path(by_id(state, 30), "anon_inode:x",
					     buf, sizeof(buf)),
			 -EXDEV);
	assert_string_equal(buf, "untouched");
}

static void test_outer_path(void **state)
{
	char buf[PATH_MAX] = "untouched";

	assert_int_equal(sg_mount_outer_path(by_id(state, 20), "/etc/x", buf,
					     sizeof(buf)),
			 0);
	assert_string_equal(buf, "/mnt/etc/x");
	assert_int_equal(sg_mount_outer_path(by_id(state, 32), "/etc/sub", buf,
					     sizeof(buf)),
			 0);
	assert_string_equal(buf, "/tmp/sub");
	strcpy(buf, "untouched");
	/* /tmp/sub does not show /etc/x, nor /etc/subway */
	assert_int_equal(sg_mount_outer_path(by_id(state, 32), "/etc/x", buf,
					     sizeof(buf)),
			 -EXDEV);
	assert_int_equal(sg_mount_outer_path(by_id(state, 32), "/etc/subway",
					     buf, sizeof(buf)),
			 -EXDEV);
	assert_string_equal(buf, "untouched");
}

static void test_too_long(void **state)
{
	char small[8] = "unused";

	assert_int_equal(sg_mount_inner_path(by_id(state, 30), "/tmp/alias/long",
					     small, sizeof(small)),
			 -ENAMETOOLONG);
	assert_int_equal(sg_mount_outer_path(by_id(state, 30), "/etc/long", small,
					     sizeof(small)),
			 -ENAMETOOLONG);
	assert_string_equal(small, "unused");
}

/* Every name of inner through the mounts like's filesystem has, joined by
 * spaces. */
static void names_of(void **state, int like, const char *inner, char *out,
		     size_t size)
{
	char name[PATH_MAX];
	size_t cursor = 0;

	out[0] = '\0';
	while (sg_mounts_next_name(*state, by_id(state, like), inner, &cursor,
				   name, sizeof(name)) == 1) {
		if (out[0])
			strncat(out, " ", size - strlen(out) - 1);
		strncat(out, name, size - strlen(out) - 1);
	}
}

static void test_all_names(void **state)
{
	char out[1024];

	/* a new name in /etc, seen through the alias: every way to it */
	names_of(state, 30, "/etc/ld.so.preload", out, sizeof(out));
	assert_string_equal(out, "/mnt/etc/ld.so.preload "
				 "/tmp/alias/ld.so.preload "
				 "/tmp/alias2/ld.so.preload "
				 "/tmp/whole/etc/ld.so.preload");
	names_of(state, 32, "/etc/sub/n", out, sizeof(out));
	assert_string_equal(out, "/mnt/etc/sub/n /tmp/alias/sub/n "
				 "/tmp/alias2/sub/n /tmp/sub/n "
				 "/tmp/whole/etc/sub/n");
	/* the other filesystems with the same inner path are not names */
	names_of(state, 21, "/etc/x", out, sizeof(out));
	assert_string_equal(out, "/run/etc/x");
	/* outside every subtree mount: no name */
	names_of(state, 40, "/data/var/x", out, sizeof(out));
	assert_string_equal(out, "");
}

static void assert_canon(void **state, int like, const char *inner,
			 const char *want)
{
	char buf[PATH_MAX];

	assert_int_equal(sg_mounts_canon_name(*state, by_id(state, like), inner,
					      buf, sizeof(buf)),
			 0);
	assert_string_equal(buf, want);
}

static void test_canon_name(void **state)
{
	char buf[PATH_MAX] = "untouched";

	/* through the main mount, whatever alias it came by */
	assert_canon(state, 30, "/etc/ld.so.preload", "/mnt/etc/ld.so.preload");
	assert_canon(state, 31, "/etc/x", "/mnt/etc/x");
	assert_canon(state, 32, "/etc/sub/n", "/mnt/etc/sub/n");
	/* /tmp/whole shows the root too: the earlier mount wins */
	assert_canon(state, 33, "/var/x", "/mnt/var/x");
	/* no mount of the root: the widest subtree, the earliest of equals */
	assert_canon(state, 41, "/data/etc/x", "/srv/etc/x");
	assert_int_equal(sg_mounts_canon_name(*state, by_id(state, 41),
					      "/data/var/x", buf, sizeof(buf)),
			 -ENOENT);
	assert_string_equal(buf, "untouched");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_id),
		cmocka_unit_test(test_inner_path),
		cmocka_unit_test(test_inner_path_not_through),
		cmocka_unit_test(test_outer_path),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_all_names),
		cmocka_unit_test(test_canon_name),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
