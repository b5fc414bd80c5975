/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_mounts.c - mountinfo parsing and the mark plan (src/daemon/sys/mounts.h).
 *
 * The plan stat()s mount points, so synthetic mountinfo text names real
 * directories: ones made under a mkdtemp dir (all on one st_dev: flags
 * merge into one target), and the host's own /, /proc, /sys, /dev and
 * /dev/shm when they are distinct filesystems (to see what is excluded).
 * Nothing is mounted or marked.
 */
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "sys/mounts.h"
#include "policy.h"
#include "util.h"

/* ---- parsing ---- */

static void test_parse_real_lines(void **state)
{
	static const char text[] =
		/* the example of proc(5), with an optional field */
		"36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root "
		"rw,errors=continue\n"
		/* no optional field, noexec */
		"22 26 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc "
		"proc rw\n"
		/* several optional fields */
		"27 26 0:24 / /dev/shm rw,nosuid,nodev shared:5 master:2 "
		"propagate_from:1 unbindable - tmpfs tmpfs rw,inode64\n"
		/* escaped spaces, tab, newline and backslash */
		"40 26 0:35 / /mnt/my\\040dir rw,relatime shared:9 - tmpfs "
		"my\\040src rw\n"
		"41 26 0:36 / /mnt/end\\040 ro - ext4 /dev/sdb1 ro\n"
		"42 26 0:37 / /mnt/a\\011b\\012c\\134d rw,noexec - xfs "
		"/dev/x rw\n"
		/* fuse type with a subtype, "noexec" as a prefix or in sopts */
		"43 26 0:38 / /home/u/fuse rw,noexecx,nosuid - fuse.sshfs "
		"host:/ rw,noexec\n"
		"44 26 0:39 / /srv noexec - btrfs /dev/sdc noexec\n"
		/* root itself, last */
		"26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n";
	static const struct {
		int id;
		const char *point;
		const char *fstype;
		bool noexec;
	} want[] = {
		{ 36, "/mnt2", "ext3", false },
		{ 22, "/proc", "proc", true },
		{ 27, "/dev/shm", "tmpfs", false },
		{ 40, "/mnt/my dir", "tmpfs", false },
		{ 41, "/mnt/end ", "ext4", false },
		{ 42, "/mnt/a\tb\nc\\d", "xfs", true },
		{ 43, "/home/u/fuse", "fuse.sshfs", false },
		{ 44, "/srv", "btrfs", true },
		{ 26, "/", "ext4", false },
	};
	struct sg_mounts m;
	(void)state;

	assert_int_equal(sg_mounts_parse(text, &m), 0);
	assert_int_equal(m.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < m.n; i++) {
		assert_int_equal(m.v[i].id, want[i].id);
		assert_string_equal(m.v[i].point, want[i].point);
		assert_string_equal(m.v[i].fstype, want[i].fstype);
		if (m.v[i].noexec != want[i].noexec)
			fail_msg("line %zu (%s): noexec %d", i, want[i].point,
				 m.v[i].noexec);
	}
	sg_mounts_free(&m);
	assert_int_equal(m.n, 0);
	assert_null(m.v);
	sg_mounts_free(&m); /* twice is harmless */
}

static void test_parse_escapes_not_octal(void **state)
{
	static const char text[] =
		/* a backslash not followed by three octal digits stays */
		"1 0 0:1 / /a\\b rw - ext4 x rw\n"
		"2 0 0:1 / /a\\04 rw - ext4 x rw\n"
		"3 0 0:1 / /a\\0 rw - ext4 x rw\n"
		"4 0 0:1 / /a\\ rw - ext4 x rw\n"
		"5 0 0:1 / /a\\400 rw - ext4 x rw\n"
		"6 0 0:1 / /a\\089 rw - ext4 x rw\n";
	static const char *const want[] = {
		"/a\\b", "/a\\04", "/a\\0", "/a\\", "/a\\400", "/a\\089",
	};
	struct sg_mounts m;
	(void)state;

	assert_int_equal(sg_mounts_parse(text, &m), 0);
	assert_int_equal(m.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < m.n; i++)
		assert_string_equal(m.v[i].point, want[i]);
	sg_mounts_free(&m);
}

static void test_parse_empty(void **state)
{
	struct sg_mounts m = { (void *)1, 99 };
	(void)state;

	assert_int_equal(sg_mounts_parse("", &m), 0);
	assert_int_equal(m.n, 0);
	sg_mounts_free(&m);
	/* blank lines are not mounts */
	assert_int_equal(sg_mounts_parse("\n\n26 1 254:0 / / rw - ext4 r "
					 "rw\n\n",
					 &m),
			 0);
	assert_int_equal(m.n, 1);
	sg_mounts_free(&m);
	/* a last line without its newline */
	assert_int_equal(sg_mounts_parse("26 1 254:0 / / rw - ext4 r rw", &m),
			 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.v[0].fstype, "ext4");
	sg_mounts_free(&m);
}

static void test_parse_malformed(void **state)
{
	static const char *const bad[] = {
		"garbage\n",
		"1 2 3\n",
		"26 1 254:0 / /\n",
		/* no "-" separator */
		"26 1 254:0 / / rw ext4 /dev/vda rw\n",
		"26 1 254:0 / / rw master:1 ext4 /dev/vda rw\n",
		/* nothing after the separator */
		"26 1 254:0 / / rw -\n",
		"26 1 254:0 / / rw master:1 -\n",
		/* the separator where the options belong */
		"26 1 254:0 / - ext4 /dev/vda rw\n",
		/* a good line, then a bad one: the whole text is rejected */
		"26 1 254:0 / / rw - ext4 /dev/vda rw\n1 2 3 4\n",
		"26 1 254:0 / / rw - ext4 /dev/vda rw\n"
		"27 26 0:5 / /tmp rw - tmpfs tmpfs rw\n"
		"28 26 0:6 / /x rw\n",
		/* not a mount id */
		"abc 1 254:0 / / rw - ext4 /dev/vda rw\n",
		"-5 1 254:0 / / rw - ext4 /dev/vda rw\n",
		"26x 1 254:0 / / rw - ext4 /dev/vda rw\n",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct sg_mounts m = { NULL, 12345 };
		int r = sg_mounts_parse(bad[i], &m);

		if (r != -EINVAL)
			fail_msg("'%s': returned %d, want -EINVAL", bad[i], r);
		/* *ret untouched on failure */
		assert_int_equal(m.n, 12345);
		assert_null(m.v);
	}
}

/* Many optional fields still find the separator (or fail cleanly). */
static void build_line(char *line, size_t size, int optional)
{
	snprintf(line, size, "26 1 254:0 / / rw");
	for (int i = 0; i < optional; i++) {
		size_t len = strlen(line);

		snprintf(line + len, size - len, " shared:%d", i);
	}
	strncat(line, " - ext4 /dev/vda rw\n", size - strlen(line) - 1);
}

static void test_parse_many_fields(void **state)
{
	char line[4096];
	struct sg_mounts m = { 0 };
	int r;
	(void)state;

	/* the kernel writes at most four optional fields; 50 still work */
	build_line(line, sizeof(line), 50);
	assert_int_equal(sg_mounts_parse(line, &m), 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.v[0].fstype, "ext4");
	sg_mounts_free(&m);

	/* more fields than the parser keeps: an error, not a crash */
	build_line(line, sizeof(line), 200);
	r = sg_mounts_parse(line, &m);
	if (r == 0) {
		assert_int_equal(m.n, 1);
		assert_string_equal(m.v[0].fstype, "ext4");
		sg_mounts_free(&m);
	} else {
		assert_int_equal(r, -EINVAL);
	}
}

static void test_fstype_is_pseudo(void **state)
{
	static const char *const pseudo[] = {
		"proc",   "sysfs",     "cgroup",     "cgroup2", "devpts",
		"mqueue", "debugfs",   "tracefs",    "securityfs", "pstore",
		"bpf",    "configfs",  "fusectl",    "binfmt_misc", "nsfs",
		"autofs", "hugetlbfs", "efivarfs",   "selinuxfs", "rpc_pipefs",
	};
	static const char *const real[] = {
		"ext2",  "ext3",    "ext4",       "xfs",   "btrfs", "tmpfs",
		"vfat",  "overlay", "squashfs",   "nfs",   "nfs4",  "fuse",
		"fuse.sshfs", "ramfs", "f2fs",   "zfs",   "",      "PROC",
		"procfs", "proc ",  "sysfs2",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(pseudo); i++)
		if (!sg_fstype_is_pseudo(pseudo[i]))
			fail_msg("'%s' is pseudo", pseudo[i]);
	for (size_t i = 0; i < ARRAY_SIZE(real); i++)
		if (sg_fstype_is_pseudo(real[i]))
			fail_msg("'%s' holds files that can be run", real[i]);
}

static const struct sg_mount *find_point(const struct sg_mounts *m,
					 const char *point)
{
	const struct sg_mount *found = NULL;

	for (size_t i = 0; i < m->n; i++)
		if (streq(m->v[i].point, point))
			found = &m->v[i]; /* the last one is on top */
	return found;
}

static void test_read_self_mountinfo(void **state)
{
	struct sg_mounts m, again;
	const struct sg_mount *root, *proc;
	char buf[64];
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(sg_mounts_read_fd(fd, &m), 0);
	assert_true(m.n >= 1);
	root = find_point(&m, "/");
	assert_non_null(root);
	assert_true(root->id > 0);
	assert_true(*root->fstype);
	assert_false(sg_fstype_is_pseudo(root->fstype));
	proc = find_point(&m, "/proc");
	if (proc)
		assert_string_equal(proc->fstype, "proc");
	for (size_t i = 0; i < m.n; i++)
		assert_int_equal(m.v[i].point[0], '/');

	/* the fd's offset does not matter: it is read from the start */
	assert_true(read(fd, buf, sizeof(buf)) > 0);
	assert_int_equal(sg_mounts_read_fd(fd, &again), 0);
	assert_int_equal(again.n, m.n);
	for (size_t i = 0; i < m.n; i++)
		assert_string_equal(again.v[i].point, m.v[i].point);
	sg_mounts_free(&again);
	sg_mounts_free(&m);
	(void)close(fd);
}

/* A mountinfo bigger than the first read buffer. */
static void test_read_fd_large(void **state)
{
	enum { N = 3000 };
	char path[] = "/tmp/sg-mounts-XXXXXX";
	struct sg_mounts m;
	int fd = mkstemp(path);
	FILE *f;
	(void)state;

	assert_true(fd >= 0);
	f = fdopen(dup(fd), "w");
	assert_non_null(f);
	for (int i = 0; i < N; i++)
		fprintf(f,
			"%d 1 0:%d / /srv/mount/point/number/%06d rw,relatime "
			"shared:%d - ext4 /dev/loop%d rw\n",
			100 + i, i, i, i, i);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(sg_mounts_read_fd(fd, &m), 0);
	assert_int_equal(m.n, N);
	assert_int_equal(m.v[N - 1].id, 100 + N - 1);
	assert_string_equal(m.v[N - 1].point,
			    "/srv/mount/point/number/002999");
	sg_mounts_free(&m);
	(void)close(fd);
	assert_int_equal(unlink(path), 0);

	/* a bad fd is an error */
	assert_int_equal(sg_mounts_read_fd(-1, &m), -EBADF);
}

/* ---- the mark plan ---- */

static struct sg_policy *load_policy(const char *text)
{
	struct errlist errs = { 0 };
	struct sg_policy *p = NULL;
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int r;

	assert_non_null(f);
	r = sg_policy_load_stream(f, "test-policy", &p, &errs);
	if (r < 0) {
		errlist_print(&errs, stderr, "policy");
		fail_msg("sg_policy_load_stream: %d", r);
	}
	(void)fclose(f);
	errlist_free(&errs);
	return p;
}

static struct sg_policy *policyf(const char *fmt, ...) _printf_(1, 2);
static struct sg_policy *policyf(const char *fmt, ...)
{
	_cleanup_free_ char *text = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	return load_policy(text);
}

static void parse_or_fail(const char *text, struct sg_mounts *m)
{
	int r = sg_mounts_parse(text, m);

	if (r < 0)
		fail_msg("sg_mounts_parse: %d on:\n%s", r, text);
}

static dev_t dev_of(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		fail_msg("stat %s: %s", path, strerror(errno));
	return st.st_dev;
}

struct tmp {
	char dir[64];
};

static int rm_cb(const char *path, const struct stat *st, int flag,
		 struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int tmp_setup(void **state)
{
	static const char *const subdirs[] = { "a", "a/deep", "b", "p", "nx",
					       "sp ace", "stack" };
	struct tmp *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	strcpy(t->dir, "/tmp/sg-mounts-XXXXXX");
	if (!mkdtemp(t->dir))
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
		char p[128];

		snprintf(p, sizeof(p), "%s/%s", t->dir, subdirs[i]);
		if (mkdir(p, 0755) < 0)
			return -1;
	}
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;

	(void)nftw(t->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/*
 * All mounts on one st_dev: one target whose flags are the union; the
 * pseudo mount and the noexec mount add nothing of their own.
 */
static void test_plan_merges_same_dev(void **state)
{
	struct tmp *t = *state;
	_cleanup_free_ char *text = NULL;
	struct sg_policy *p;
	struct sg_mounts m;
	struct sg_mark_plan plan;
	dev_t dev = dev_of(t->dir);

	assert_true(asprintf(&text,
			     "1 0 8:1 / %1$s rw,relatime - ext4 /dev/sda rw\n"
			     "2 1 0:50 / %1$s/a rw shared:1 - tmpfs tmpfs rw\n"
			     "3 1 0:51 / %1$s/p rw,noexec - proc proc rw\n"
			     "4 1 8:2 / %1$s/nx rw,noexec - ext4 /dev/sdb rw\n"
			     "5 1 8:3 / %1$s/sp\\040ace rw - xfs /dev/sdc rw\n",
			     t->dir) > 0);
	parse_or_fail(text, &m);

	/* protect under a, exec everywhere */
	p = policyf("[sealguard]\nmode = enforce\n"
		    "[protect]\npath = %s/a/deep\n",
		    t->dir);
	assert_int_equal(sg_mark_plan_build(p, &m, &plan), 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.v[0].dev, dev);
	/* scope local: every mount is at or below "/", exec as a whole */
	assert_int_equal(plan.v[0].flags,
			 SG_FS_PROTECT | SG_FS_EXEC | SG_FS_EXEC_WHOLE);
	assert_int_equal(sg_mark_plan_flags(&plan, dev),
			 SG_FS_PROTECT | SG_FS_EXEC | SG_FS_EXEC_WHOLE);
	/* the target is named by the mount holding the protected path */
	assert_non_null(plan.v[0].point);
	{
		char want[128];

		snprintf(want, sizeof(want), "%s/a", t->dir);
		assert_string_equal(plan.v[0].point, want);
	}
	sg_mark_plan_free(&plan);
	assert_int_equal(plan.n, 0);
	sg_policy_free(p);

	/* exec only on the noexec mount and protect only on the pseudo one:
	 * neither counts, nothing to mark */
	p = policyf("[sealguard]\nmode = enforce\n[protect]\npath = %s/p/x\n"
		    "[exec]\nscope = paths\npath = %s/nx/bin\n",
		    t->dir, t->dir);
	assert_int_equal(sg_mark_plan_build(p, &m, &plan), 0);
	assert_int_equal(plan.n, 0);
	assert_int_equal(sg_mark_plan_flags(&plan, dev), 0);
	sg_mark_plan_free(&plan);
	sg_policy_free(p);

	/* protect on the noexec mount: protected still, not for exec */
	p = policyf("[sealguard]\nmode = enforce\n[protect]\npath = %s/nx/etc\n"
		    "[exec]\nscope = paths\npath = %s/p\n",
		    t->dir, t->dir);
	assert_int_equal(sg_mark_plan_build(p, &m, &plan), 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.v[0].flags, SG_FS_PROTECT);
	sg_mark_plan_free(&plan);
	sg_policy_free(p);

	/* an exec path on the tmpdir's own mount: that mount names it */
	p = policyf("[sealguard]\nmode = enforce\n[protect]\npath = %s/p/x\n"
		    "[exec]\nscope = paths\npath = %s/b\n",
		    t->dir, t->dir);
	assert_int_equal(sg_mark_plan_build(p, &m, &plan), 0);
	assert_int_equal(plan.n, 1); /* b is on the tmpdir's own mount */
	/* which holds the exec path from above: only part of it is in
	 * exec scope, the guard checks paths there */
	assert_int_equal(plan.v[0].flags, SG_FS_EXEC);
	assert_string_equal(plan.v[0].point, t->dir);
	sg_mark_plan_free(&plan);
	sg_policy_free(p);

	sg_mounts_free(&m);
}

/* A mount point with an escaped space is stat()ed by its real name. */
static void test_plan_escaped_point(void **state)
{
	struct tmp *t = *state;
	_cleanup_free_ char *text = NULL, *want = NULL;
	struct sg_policy *p;
	struct sg_mounts m;
	struct sg_mark_plan plan;

	assert_true(asprintf(&text,
			     "5 1 8:3 / %s/sp\\040ace rw - xfs /dev/sdc rw\n",
			     t->dir) > 0);
	assert_true(asprintf(&want, "%s/sp ace", t->dir) > 0);
	parse_or_fail(text, &m);
	/* protect the tmpdir: every mount below it is planned */
	p = policyf("[sealguard]\nmode = enforce\n[protect]\npath = %s\n"
		    "[exec]\nscope = paths\npath = /nonexistent-sg-test\n",
		    t->dir);
	assert_int_equal(sg_mark_plan_build(p, &m, &plan), 0);
	assert_int_equal(plan.n, 1);
	assert_string_equal(plan.v[0].point, want);
	assert_int_equal(plan.v[0].flags, SG_FS_PROTECT);
	assert_int_equal(plan.v[0].dev, dev_of(want));
	sg_mark_plan_free(&plan);
	sg_policy_free(p);
	sg_mounts_free(&m);
}

/* Mount points that vanished are skipped, not an error. */
static void test_plan_vanished_point(void **state)
{
	struct tmp *t = *state;
	_cleanup_free_ char *text = NULL;
	struct sg_policy *p;
	struct sg_mounts m;
	struct sg_mark_plan plan;

	assert_true(asprintf(&text,
			     "1 0 8:1 / %1$s/gone rw - ext4 /dev/sda rw\n"
			     "2 0 8:1 / %1$s/gone/too rw - ext4 /dev/sda rw\n",
			     t->dir) > 0);
	parse_or_fail(text, &m);
	p = policyf("[sealguard]\nmode = enforce\n[protect]\npath = %s/gone\n",
		    t->dir);
	assert_int_equal(sg_mark_plan_build(p, &m, &plan), 0);
	assert_int_equal(plan.n, 0);
	sg_mark_plan_free(&plan);
	sg_policy_free(p);
	sg_mounts_free(&m);
}

/*
 * Two mounts on one point: the later line is on top and is the one that
 * holds the path. A pseudo filesystem on top hides the real one.
 */
static void test_plan_stacked_point(void **state)
{
	struct tmp *t = *state;
	_cleanup_free_ char *under = NULL, *over = NULL;
	struct sg_policy *p;
	struct sg_mounts m;
	struct sg_mark_plan plan;

	assert_true(asprintf(&under,
			     "1 0 8:1 / %1$s/stack rw - ext4 /dev/sda rw\n"
			     "2 1 0:9 / %1$s/stack rw - proc proc rw\n",
			     t->dir) > 0);
	assert_true(asprintf(&over,
			     "2 1 0:9 / %1$s/stack rw - proc proc rw\n"
			     "1 0 8:1 / %1$s/stack rw - ext4 /dev/sda rw\n",
			     t->dir) > 0);
	p = policyf("[sealguard]\nmode = enforce\n"
		    "[protect]\npath = %s/stack/etc\n"
		    "[exec]\nscope = paths\npath = /nonexistent-sg-test\n",
		    t->dir);

	parse_or_fail(under, &m);
	assert_int_equal(sg_mark_plan_build(p, &m, &plan), 0);
	assert_int_equal(plan.n, 0);
	sg_mark_plan_free(&plan);
	sg_mounts_free(&m);

	parse_or_fail(over, &m);
	assert_int_equal(sg_mark_plan_build(p, &m, &plan), 0);
	assert_int_equal(plan.n, 1);
	assert_int_equal(plan.v[0].flags, SG_FS_PROTECT);
	sg_mark_plan_free(&plan);
	sg_mounts_free(&m);
	sg_policy_free(p);
}

/* The longest mount point that is a path prefix holds the path: not a
 * mere string prefix ("/x/ab" is not under "/x/a"). */
static void test_plan_prefix_not_string_prefix(void **state)
{
	struct tmp *t = *state;
	_cleanup_free_ char *text = NULL, *ab = NULL;
	struct sg_policy *p;
	struct sg_mounts m;
	struct sg_mark_plan plan;

	assert_true(asprintf(&ab, "%s/ab", t->dir) > 0);
	assert_int_equal(mkdir(ab, 0755), 0);
	assert_true(asprintf(&text,
			     "1 0 8:1 / %1$s rw - ext4 /dev/sda rw\n"
			     "2 1 0:9 / %1$s/a rw - proc proc rw\n",
			     t->dir) > 0);
	parse_or_fail(text, &m);
	p = policyf("[sealguard]\nmode = enforce\n[protect]\npath = %s/ab\n"
		    "[exec]\nscope = paths\npath = /nonexistent-sg-test\n",
		    t->dir);
	assert_int_equal(sg_mark_plan_build(p, &m, &plan), 0);
	/* held by the tmpdir mount, not the proc one at .../a */
	assert_int_equal(plan.n, 1);
	assert_string_equal(plan.v[0].point, t->dir);
	sg_mark_plan_free(&plan);
	sg_policy_free(p);
	sg_mounts_free(&m);
}

/*
 * Distinct filesystems of the host (/, /proc, /sys, /dev, /dev/shm) named
 * in synthetic mountinfo: see which are planned, with which flags.
 */
struct hostdevs {
	dev_t root, proc, sys, dev, shm;
};

static bool host_devs(struct hostdevs *h)
{
	struct stat st[5];
	static const char *const paths[] = { "/", "/proc", "/sys", "/dev",
					     "/dev/shm" };

	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		if (stat(paths[i], &st[i]) < 0)
			return false;
	for (size_t i = 0; i < ARRAY_SIZE(paths); i++)
		for (size_t j = 0; j < i; j++)
			if (st[i].st_dev == st[j].st_dev)
				return false;
	*h = (struct hostdevs){ st[0].st_dev, st[1].st_dev, st[2].st_dev,
				st[3].st_dev, st[4].st_dev };
	return true;
}

static const char host_mountinfo[] =
	"26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw\n"
	"21 26 0:20 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc "
	"proc rw\n"
	"22 26 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs "
	"sysfs rw\n"
	"23 26 0:6 / /dev rw,nosuid,relatime shared:2 - devtmpfs udev "
	"rw,size=4096k\n"
	"24 23 0:22 / /dev/shm rw,nosuid,nodev,noexec shared:3 - tmpfs tmpfs "
	"rw,inode64\n";

struct host_case {
	const char *policy;
	unsigned root, proc, sys, dev, shm;
};

static void test_plan_host_filesystems(void **state)
{
	enum {
		P = SG_FS_PROTECT,
		E = SG_FS_EXEC,
		W = SG_FS_EXEC_WHOLE,
	};
	static const struct host_case cases[] = {
		/* the usual: /usr protected, every local fs checked for
		 * exec as a whole, except the noexec /dev/shm; no pseudo fs */
		{ "[protect]\npath = /usr\n", P | E | W, 0, 0, E | W, 0 },
		/* everything protected: the noexec mount is protected too,
		 * pseudo filesystems never */
		{ "[protect]\npath = /\n", P | E | W, 0, 0, P | E | W, P },
		/* protecting /dev covers the mounts below it; /usr/bin is
		 * only part of the root filesystem */
		{ "[protect]\npath = /dev\n[exec]\nscope = paths\n"
		  "path = /usr/bin\n",
		  E, 0, 0, P, P },
		/* a path on a noexec mount: protected, not for exec */
		{ "[protect]\npath = /dev/shm/keep\n[exec]\nscope = paths\n"
		  "path = /dev/shm/bin\n",
		  0, 0, 0, 0, P },
		/* paths on pseudo filesystems: nothing */
		{ "[protect]\npath = /proc/sys\n[exec]\nscope = paths\n"
		  "path = /sys/kernel\n",
		  0, 0, 0, 0, 0 },
		/* exec scope at a mount point: that mount as a whole, and
		 * the noexec one below it not at all */
		{ "[protect]\npath = /etc\n[exec]\nscope = paths\n"
		  "path = /dev\n",
		  P, 0, 0, E | W, 0 },
		/* exec scope below a mount point: part of it */
		{ "[protect]\npath = /etc\n[exec]\nscope = paths\n"
		  "path = /dev/block\npath = /srv\n",
		  P | E, 0, 0, E, 0 },
	};
	struct hostdevs h = { 0 };
	struct sg_mounts m;
	(void)state;

	if (!host_devs(&h))
		skip();
	parse_or_fail(host_mountinfo, &m);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct host_case *c = &cases[i];
		struct sg_policy *p =
			policyf("[sealguard]\nmode = enforce\n%s", c->policy);
		struct sg_mark_plan plan;
		const struct {
			dev_t dev;
			unsigned want;
			const char *name;
		} devs[] = {
			{ h.root, c->root, "/" },
			{ h.proc, c->proc, "/proc" },
			{ h.sys, c->sys, "/sys" },
			{ h.dev, c->dev, "/dev" },
			{ h.shm, c->shm, "/dev/shm" },
		};
		size_t planned = 0;

		assert_int_equal(sg_mark_plan_build(p, &m, &plan), 0);
		for (size_t j = 0; j < ARRAY_SIZE(devs); j++) {
			unsigned got = sg_mark_plan_flags(&plan, devs[j].dev);

			if (got != devs[j].want)
				fail_msg("case %zu, %s: flags %u, want %u", i,
					 devs[j].name, got, devs[j].want);
			planned += devs[j].want != 0;
		}
		/* one target per filesystem, none twice, none else */
		assert_int_equal(plan.n, planned);
		for (size_t a = 0; a < plan.n; a++) {
			assert_int_not_equal(plan.v[a].flags, 0);
			for (size_t b = 0; b < a; b++)
				assert_int_not_equal(plan.v[a].dev,
						     plan.v[b].dev);
		}
		sg_mark_plan_free(&plan);
		sg_policy_free(p);
	}
	sg_mounts_free(&m);
}

static const char usr_policy[] =
	"[sealguard]\nmode = enforce\n[protect]\npath = /usr\n";

/* The real mountinfo with the usual policy: / is planned, /proc is not. */
static void test_plan_real_mountinfo(void **state)
{
	struct sg_policy *p =
		load_policy(usr_policy);
	struct sg_mounts m;
	struct sg_mark_plan plan;
	int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(sg_mounts_read_fd(fd, &m), 0);
	(void)close(fd);
	assert_int_equal(sg_mark_plan_build(p, &m, &plan), 0);
	assert_true(plan.n >= 1);
	assert_true(sg_mark_plan_flags(&plan, dev_of("/usr")) & SG_FS_PROTECT);
	assert_int_equal(sg_mark_plan_flags(&plan, dev_of("/proc")), 0);
	assert_int_equal(sg_mark_plan_flags(&plan, dev_of("/proc/self")), 0);
	for (size_t a = 0; a < plan.n; a++)
		for (size_t b = 0; b < a; b++)
			assert_int_not_equal(plan.v[a].dev, plan.v[b].dev);
	sg_mark_plan_free(&plan);
	sg_mounts_free(&m);
	sg_policy_free(p);
}

static void test_plan_empty_mounts(void **state)
{
	struct sg_policy *p =
		load_policy(usr_policy);
	struct sg_mounts m = { 0 };
	struct sg_mark_plan plan;
	(void)state;

	assert_int_equal(sg_mark_plan_build(p, &m, &plan), 0);
	assert_int_equal(plan.n, 0);
	assert_int_equal(sg_mark_plan_flags(&plan, 0), 0);
	sg_mark_plan_free(&plan);
	sg_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_real_lines),
		cmocka_unit_test(test_parse_escapes_not_octal),
		cmocka_unit_test(test_parse_empty),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_many_fields),
		cmocka_unit_test(test_fstype_is_pseudo),
		cmocka_unit_test(test_read_self_mountinfo),
		cmocka_unit_test(test_read_fd_large),
		cmocka_unit_test_setup_teardown(test_plan_merges_same_dev,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_plan_escaped_point,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_plan_vanished_point,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(test_plan_stacked_point,
						tmp_setup, tmp_teardown),
		cmocka_unit_test_setup_teardown(
			test_plan_prefix_not_string_prefix, tmp_setup,
			tmp_teardown),
		cmocka_unit_test(test_plan_host_filesystems),
		cmocka_unit_test(test_plan_real_mountinfo),
		cmocka_unit_test(test_plan_empty_mounts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
