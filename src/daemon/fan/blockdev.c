/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blockdev.c - the guard of the block devices under marked filesystems.
 * See blockdev.h; the devices are found by sys/blockdev.c.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/fanotify.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>

#include <sys/vfs.h>
#include <linux/magic.h>

#include "fan/blockdev.h"
#include "fan/devcg.h"
#include "log/sglog.h"
#include "messages.h"
#include "sys/blockdev.h"
#include "util.h"

struct sg_blockguard {
	int fan_fd;
	int sysfs_fd; /* /sys/dev/block */
	int dev_fd;   /* /dev */
	const char *confine;
	struct sg_blockdev_set set; /* the guarded devices */
	struct sg_inode_id *backing; /* their loop backing files */
	size_t nbacking;
	struct sg_inode_id *nodes; /* device nodes seen in /dev */
	size_t nnodes;
	struct sg_devcg cg; /* refuses write-opens of the devices */
	uint64_t *refused;  /* its refusals per device, as last reported */
};

static bool id_in(const struct sg_inode_id *v, size_t n, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].dev == dev && v[i].ino == ino)
			return true;
	return false;
}

static int id_add(struct sg_inode_id **v, size_t *n, dev_t dev, ino_t ino)
{
	struct sg_inode_id *nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = (struct sg_inode_id){ dev, ino };
	*v = nv;
	return 0;
}

/* Read a whole small text file (/proc/cmdline, a kernel config). */
static char *slurp(const char *path, size_t max)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	size_t len = 0;
	ssize_t n;

	if (fd < 0 || !(buf = malloc(max + 1)))
		return NULL;
	while (len < max && (n = read(fd, buf + len, max - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return buf;
}

/* Does the kernel refuse writes to mounted block devices itself? User
 * space can only tell from the boot parameter and the build config. */
static void report_kernel(void)
{
	_cleanup_free_ char *cmdline = slurp("/proc/cmdline", 4096);
	_cleanup_free_ char *config = NULL;
	struct utsname u;
	char path[128 + sizeof(u.release)];
	int r;

	if (uname(&u) == 0) {
		(void)snprintf(path, sizeof(path), "/boot/config-%s", u.release);
		config = slurp(path, 1 << 20);
	}
	r = sg_blockdev_kernel_refuses(cmdline, config);
	if (r > 0)
		sg_log(LOG_INFO, SG_MSGID_BLOCKDEV_KERNEL,
		       "the kernel refuses writes to mounted block devices "
		       "(bdev_allow_write_mounted=0)");
	else
		sg_log(LOG_NOTICE, SG_MSGID_BLOCKDEV_KERNEL,
		       "the kernel %s writes to mounted block devices: "
		       "boot with bdev_allow_write_mounted=0 (Linux 6.8+) so "
		       "that device nodes the guard cannot see are refused too",
		       r == 0 ? "allows" : "may allow (no config found)");
}

/*
 * The cgroup the device program is attached to: every process is below
 * the root of the cgroup v2 hierarchy (/sys/fs/cgroup, or .../unified on
 * a hybrid host). Under --confine (tests) only the cgroup the test names:
 * never the host's root. -1 if none.
 */
static int open_device_cgroup(const struct sg_daemon *d)
{
	static const char *const roots[] = { "/sys/fs/cgroup",
					     "/sys/fs/cgroup/unified" };
	const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	struct statfs sf;

	if (d->device_cgroup)
		return open(d->device_cgroup, flags);
	if (d->confine) {
		errno = ENOENT;
		return -1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(roots); i++) {
		int fd = open(roots[i], flags);

		if (fd >= 0 && fstatfs(fd, &sf) == 0 &&
		    sf.f_type == CGROUP2_SUPER_MAGIC)
			return fd;
		if (fd >= 0)
			(void)close(fd);
	}
	errno = ENOENT;
	return -1;
}

int sg_blockguard_start(const struct sg_daemon *d, int fan_fd,
			struct sg_blockguard **ret, struct errlist *errs)
{
	struct sg_blockguard *bg = calloc(1, sizeof(*bg));

	if (!bg)
		return -ENOMEM;
	bg->fan_fd = fan_fd;
	bg->confine = d->confine;
	bg->sysfs_fd = open("/sys/dev/block",
			    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bg->dev_fd = open("/dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bg->sysfs_fd < 0 || bg->dev_fd < 0)
		(void)errlist_add(errs, "block devices: cannot open %s: %s "
				  "(their write-opens are not guarded)",
				  bg->sysfs_fd < 0 ? "/sys/dev/block" : "/dev",
				  strerror(errno));
	sg_devcg_init(&bg->cg, open_device_cgroup(d));
	if (bg->cg.cgroup_fd < 0)
		sg_log(LOG_WARNING, SG_MSGID_DEVGUARD,
		       "device guard off: no cgroup v2 hierarchy%s (%s)",
		       d->confine ? " (under --confine: only --device-cgroup)" : "",
		       strerror(errno));
	report_kernel();
	*ret = bg;
	return 0;
}

/*
 * The test suite's safety net (--confine): only loop devices whose
 * backing file the test made below the confine directory may get inode
 * marks; a mark on a host disk's node would hold the host's opens.
 */
static bool confined_ok(const struct sg_blockguard *bg,
			const struct sg_blockdev_set *t)
{
	bool backed = false;

	if (!bg->confine)
		return true;
	for (size_t i = 0; i < t->n; i++) {
		if (!t->v[i].loop)
			return false;
		if (t->v[i].backing_file &&
		    path_is_under(t->v[i].backing_file, bg->confine))
			backed = true;
	}
	return backed;
}

/* Move the devices of t that set lacks into set; t is emptied. */
static int merge(struct sg_blockdev_set *set, struct sg_blockdev_set *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct sg_blockdev *v;

		if (sg_blockdev_set_has(set, t->v[i].rdev))
			continue;
		v = realloc(set->v, (set->n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		set->v = v;
		v[set->n++] = t->v[i];
		t->v[i].backing_file = NULL;
	}
	sg_blockdev_set_free(t);
	return 0;
}

static int plan_devices(struct sg_blockguard *bg,
			const struct sg_mark_plan *plan,
			struct sg_blockdev_set *ret, struct errlist *errs)
{
	for (size_t i = 0; i < plan->n; i++) {
		struct sg_blockdev_set t = { 0 };
		int r = sg_blockdev_collect(bg->sysfs_fd, plan->v[i].dev, &t);

		if (r >= 0 && t.n > 0 && !confined_ok(bg, &t)) {
			(void)errlist_add(errs, "not guarding the block device "
					  "of %s: not a loop device backed "
					  "below --confine", plan->v[i].point);
			sg_blockdev_set_free(&t);
			continue;
		}
		if (r >= 0)
			r = merge(ret, &t);
		sg_blockdev_set_free(&t);
		if (r < 0)
			return r;
	}
	return 0;
}

/* An inode mark for FAN_OPEN_PERM: only this file's opens are seen. */
static int mark_inode(const struct sg_blockguard *bg, const char *path)
{
	return fanotify_mark(bg->fan_fd, FAN_MARK_ADD, FAN_OPEN_PERM, AT_FDCWD,
			     path) < 0 ? -errno : 0;
}

static int mark_backing(struct sg_blockguard *bg, struct errlist *errs)
{
	free(bg->backing);
	bg->backing = NULL;
	bg->nbacking = 0;
	for (size_t i = 0; i < bg->set.n; i++) {
		const char *file = bg->set.v[i].backing_file;
		struct stat st;
		int r;

		if (!file)
			continue;
		r = stat(file, &st) < 0 ? -errno : mark_inode(bg, file);
		if (r < 0) {
			(void)errlist_add(errs, "cannot guard loop backing file "
					  "%s: %s", file, strerror(-r));
			continue;
		}
		r = id_add(&bg->backing, &bg->nbacking, st.st_dev, st.st_ino);
		if (r < 0)
			return r;
	}
	return 0;
}

static void log_new_node(const struct stat *st, const char *dir,
			 const char *name)
{
	struct sg_log_entry *e = sg_log_entry_new(LOG_ALERT,
						  SG_MSGID_BLOCKDEV_NODE);

	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE", "new device node %s%s%s for guarded "
			 "block device %u:%u", dir, *dir ? "/" : "", name,
			 major(st->st_rdev), minor(st->st_rdev));
	(void)sg_log_add(e, "SEALGUARD_EVENT", "blockdev-node");
	(void)sg_log_add(e, "SEALGUARD_PATH", "%s%s%s", dir, *dir ? "/" : "",
			 name);
	(void)sg_log_add(e, "SEALGUARD_DEVICE", "%u:%u", major(st->st_rdev),
			 minor(st->st_rdev));
	sg_log_submit(e);
}

/*
 * A node of a guarded device in a /dev directory. It cannot be marked:
 * Linux 6.18 raises no fanotify event (permission or not, inode, mount or
 * filesystem mark) for opens of device nodes. A node that a later walk
 * finds is reported: someone made a way to the device of a protected
 * filesystem.
 */
static void note_node(struct sg_blockguard *bg, const char *dir,
		      const char *name, const struct stat *st, bool report)
{
	if (id_in(bg->nodes, bg->nnodes, st->st_dev, st->st_ino))
		return;
	if (id_add(&bg->nodes, &bg->nnodes, st->st_dev, st->st_ino) < 0)
		return; /* reported again next time */
	if (report)
		log_new_node(st, dir, name);
}

static void walk_dir(struct sg_blockguard *bg, int dirfd, const char *dir,
		     dev_t devfs, unsigned depth, bool report);

static void walk_entry(struct sg_blockguard *bg, int dirfd, const char *dir,
		       const struct dirent *de, dev_t devfs, unsigned depth,
		       bool report)
{
	char sub[PATH_MAX];
	struct stat st;
	int fd;

	if (de->d_type == DT_DIR && depth == 0) {
		fd = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY |
						       O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return;
		(void)snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		/* /dev/shm, /dev/pts, ... are other filesystems */
		if (fstat(fd, &st) == 0 && st.st_dev == devfs)
			walk_dir(bg, fd, sub, devfs, depth + 1, report);
		(void)close(fd);
		return;
	}
	if (de->d_type != DT_BLK && de->d_type != DT_UNKNOWN)
		return;
	if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISBLK(st.st_mode) && sg_blockdev_set_has(&bg->set, st.st_rdev))
		note_node(bg, dir, de->d_name, &st, report);
}

static void walk_dir(struct sg_blockguard *bg, int dirfd, const char *dir,
		     dev_t devfs, unsigned depth, bool report)
{
	/* a fresh open, not dup(): its own offset, and no new syscall */
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *dp;

	if (fd < 0)
		return;
	dp = fdopendir(fd);
	if (!dp) {
		(void)close(fd);
		return;
	}
	while ((de = readdir(dp)))
		if (de->d_name[0] != '.')
			walk_entry(bg, dirfd, dir, de, devfs, depth, report);
	(void)closedir(dp);
}

static void walk_dev(struct sg_blockguard *bg, bool report)
{
	struct stat st;

	if (bg->dev_fd < 0 || bg->set.n == 0 || fstat(bg->dev_fd, &st) < 0)
		return;
	walk_dir(bg, bg->dev_fd, "/dev", st.st_dev, 0, report);
}

/* (Re)attach the device program for the devices in the set. */
static int guard_devices(struct sg_blockguard *bg)
{
	_cleanup_free_ dev_t *devs = NULL;
	int r;

	if (bg->cg.cgroup_fd < 0)
		return 0;
	devs = calloc(bg->set.n + 1, sizeof(*devs));
	if (!devs)
		return -ENOMEM;
	for (size_t i = 0; i < bg->set.n; i++)
		devs[i] = bg->set.v[i].rdev;
	free(bg->refused);
	bg->refused = calloc(bg->set.n + 1, sizeof(*bg->refused));
	if (!bg->refused)
		return -ENOMEM;
	r = sg_devcg_set(&bg->cg, devs, bg->set.n);
	if (r < 0)
		sg_log(LOG_ERR, SG_MSGID_DEVGUARD,
		       "cannot attach the device guard: %s", strerror(-r));
	else if (bg->set.n > 0)
		sg_log(LOG_INFO, SG_MSGID_DEVGUARD,
		       "device guard attached: write-opens and mknod of %zu "
		       "block device(s) under marked filesystems are refused",
		       bg->set.n);
	return r;
}

int sg_blockguard_update(struct sg_blockguard *bg,
			 const struct sg_mark_plan *plan, struct errlist *errs)
{
	struct sg_blockdev_set set = { 0 };
	int r;

	if (bg->sysfs_fd < 0)
		return 0;
	r = plan_devices(bg, plan, &set, errs);
	if (r < 0) {
		sg_blockdev_set_free(&set);
		return r;
	}
	sg_blockdev_set_free(&bg->set);
	bg->set = set;
	r = mark_backing(bg, errs);
	if (r == 0 && guard_devices(bg) == -ENOMEM)
		r = -ENOMEM;
	walk_dev(bg, false); /* nodes of newly guarded devices: not new */
	return r;
}

bool sg_blockguard_covers(const struct sg_blockguard *bg,
			  const struct stat *st)
{
	return bg && bg->nbacking > 0 && S_ISREG(st->st_mode) &&
	       id_in(bg->backing, bg->nbacking, st->st_dev, st->st_ino);
}

/* The program refuses in the kernel and cannot say who: once a second,
 * one entry per device with the refusals since the last one. */
static void report_refusals(struct sg_blockguard *bg)
{
	for (size_t i = 0; i < bg->cg.ndevs && i < bg->set.n; i++) {
		dev_t rdev = bg->set.v[i].rdev;
		struct sg_log_entry *e;
		uint64_t n;

		if (sg_devcg_refusals(&bg->cg, i, &n) < 0 ||
		    n == bg->refused[i])
			continue;
		e = sg_log_entry_new(LOG_WARNING, SG_MSGID_DEVGUARD);
		if (e) {
			(void)sg_log_add(e, "MESSAGE", "denied %llu write-open(s) "
					 "or mknod of block device %u:%u "
					 "(under a marked filesystem)",
					 (unsigned long long)(n - bg->refused[i]),
					 major(rdev), minor(rdev));
			(void)sg_log_add(e, "SEALGUARD_EVENT", "write");
			(void)sg_log_add(e, "SEALGUARD_ACTION", "deny");
			(void)sg_log_add(e, "SEALGUARD_REASON", "block-device");
			(void)sg_log_add(e, "SEALGUARD_DEVICE", "%u:%u",
					 major(rdev), minor(rdev));
			(void)sg_log_add(e, "SEALGUARD_COUNT", "%llu",
					 (unsigned long long)(n - bg->refused[i]));
			sg_log_submit(e);
		}
		bg->refused[i] = n;
	}
}

/* Root can detach the program: not silently. */
static void check_attached(struct sg_blockguard *bg)
{
	if (bg->cg.cgroup_fd < 0 || sg_devcg_attached(&bg->cg) != 0)
		return;
	sg_log(LOG_ALERT, SG_MSGID_DEVGUARD,
	       "the device guard was detached by someone: attaching it again");
	(void)close(bg->cg.prog_fd); /* detached already */
	bg->cg.prog_fd = -1;
	(void)guard_devices(bg);
}

void sg_blockguard_tick(struct sg_blockguard *bg)
{
	if (!bg)
		return;
	report_refusals(bg);
	check_attached(bg);
	walk_dev(bg, true);
}

void sg_blockguard_free(struct sg_blockguard *bg)
{
	if (!bg)
		return;
	if (bg->sysfs_fd >= 0)
		(void)close(bg->sysfs_fd);
	if (bg->dev_fd >= 0)
		(void)close(bg->dev_fd);
	sg_devcg_free(&bg->cg);
	free(bg->refused);
	sg_blockdev_set_free(&bg->set);
	free(bg->backing);
	free(bg->nodes);
	free(bg);
}
