/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * blockdev.c - the block devices under a filesystem. See blockdev.h.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "sys/blockdev.h"
#include "util.h"

int sg_blockdev_parse_devno(const char *s, dev_t *ret)
{
	unsigned maj, min;
	char end;

	if (sscanf(s, "%u:%u%c", &maj, &min, &end) != 3 || end != '\n')
		return -EINVAL;
	*ret = makedev(maj, min);
	return 0;
}

/* Read a small sysfs file below dirfd into buf, NUL-terminated. */
static int read_attr(int dirfd, const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

bool sg_blockdev_set_has(const struct sg_blockdev_set *set, dev_t rdev)
{
	for (size_t i = 0; i < set->n; i++)
		if (set->v[i].rdev == rdev)
			return true;
	return false;
}

/* Append rdev; *ret points at its entry, NULL if it was there already. */
static int set_add(struct sg_blockdev_set *set, dev_t rdev,
		   struct sg_blockdev **ret)
{
	struct sg_blockdev *v;

	*ret = NULL;
	if (sg_blockdev_set_has(set, rdev))
		return 0;
	v = realloc(set->v, (set->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	set->v = v;
	v[set->n] = (struct sg_blockdev){ .rdev = rdev };
	*ret = &v[set->n++];
	return 0;
}

/* A loop device names its backing file in loop/backing_file. */
static int note_backing(int dirfd, const char *dir, struct sg_blockdev *b)
{
	char path[64], file[PATH_MAX + 2];
	size_t len;

	(void)snprintf(path, sizeof(path), "%s/loop/backing_file", dir);
	if (read_attr(dirfd, path, file, sizeof(file)) < 0)
		return 0;
	len = strlen(file);
	if (len > 0 && file[len - 1] == '\n')
		file[--len] = '\0';
	b->loop = true;
	if (len == 0 || file[0] != '/')
		return 0;
	b->backing_file = strdup(file);
	return b->backing_file ? 0 : -ENOMEM;
}

static int collect(int dirfd, dev_t dev, struct sg_blockdev_set *set,
		   unsigned depth);

/* The devices this one is built on: dm/md slaves, a partition's disk. */
static int collect_below(int dirfd, const char *dir, struct sg_blockdev *b,
			 struct sg_blockdev_set *set, unsigned depth)
{
	char path[PATH_MAX], buf[32];
	struct dirent *de;
	DIR *slaves;
	dev_t below;
	int r = 0, fd;

	(void)snprintf(path, sizeof(path), "%s/partition", dir);
	if (read_attr(dirfd, path, buf, sizeof(buf)) == 0) {
		/* "MAJ:MIN/.." is the whole disk: sysfs links resolve */
		(void)snprintf(path, sizeof(path), "%s/../dev", dir);
		if (read_attr(dirfd, path, buf, sizeof(buf)) == 0 &&
		    sg_blockdev_parse_devno(buf, &below) == 0)
			r = collect(dirfd, below, set, depth + 1);
		return r;
	}
	(void)snprintf(path, sizeof(path), "%s/slaves", dir);
	fd = openat(dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(slaves = fdopendir(fd))) {
		if (fd >= 0)
			(void)close(fd);
		return 0;
	}
	while (r == 0 && (de = readdir(slaves))) {
		if (de->d_name[0] == '.')
			continue;
		(void)snprintf(path, sizeof(path), "%s/slaves/%s/dev", dir,
			       de->d_name);
		if (read_attr(dirfd, path, buf, sizeof(buf)) == 0 &&
		    sg_blockdev_parse_devno(buf, &below) == 0)
			r = collect(dirfd, below, set, depth + 1);
	}
	(void)closedir(slaves);
	return r;
}

static int collect(int dirfd, dev_t dev, struct sg_blockdev_set *set,
		   unsigned depth)
{
	struct sg_blockdev *b;
	struct stat st;
	char dir[32];
	size_t at;
	int r;

	if (depth > SG_BLOCKDEV_MAX_DEPTH)
		return 0;
	(void)snprintf(dir, sizeof(dir), "%u:%u", major(dev), minor(dev));
	if (fstatat(dirfd, dir, &st, 0) < 0) /* not faccessat: seccomp */
		return 0; /* not a block device: tmpfs, overlay, ... */
	r = set_add(set, dev, &b);
	if (r < 0 || !b)
		return r;
	at = (size_t)(b - set->v); /* set->v moves as the walk adds */
	r = note_backing(dirfd, dir, b);
	if (r < 0)
		return r;
	r = collect_below(dirfd, dir, b, set, depth);
	/* a partition of a loop device is a loop device too */
	if (r == 0)
		for (size_t i = at + 1; i < set->n; i++)
			set->v[at].loop |= set->v[i].loop;
	return r;
}

int sg_blockdev_collect(int sysfs_dev_block, dev_t dev,
			struct sg_blockdev_set *set)
{
	return collect(sysfs_dev_block, dev, set, 0);
}

void sg_blockdev_set_free(struct sg_blockdev_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i].backing_file);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

/* The kernel's kstrtobool(): y/t/1/on are true, n/f/0/off false. */
static int parse_kbool(const char *s)
{
	switch (s[0]) {
	case 'y': case 'Y': case 't': case 'T': case '1':
		return 1;
	case 'n': case 'N': case 'f': case 'F': case '0':
		return 0;
	case 'o': case 'O':
		if (s[1] == 'n' || s[1] == 'N')
			return 1;
		if (s[1] == 'f' || s[1] == 'F')
			return 0;
		break;
	}
	return -EINVAL;
}

/* The last valid bdev_allow_write_mounted= before " -- " (which starts
 * init's arguments) wins, as in the kernel; -ENOENT if none. */
static int cmdline_allows(const char *cmdline)
{
	static const char key[] = "bdev_allow_write_mounted=";
	int allow = -ENOENT;

	for (const char *p = cmdline; *p;) {
		size_t len = strcspn(p, " \t\n");

		if (len == 2 && strncmp(p, "--", 2) == 0)
			break;
		if (len > sizeof(key) - 1 &&
		    strncmp(p, key, sizeof(key) - 1) == 0) {
			int b = parse_kbool(p + sizeof(key) - 1);

			if (b >= 0)
				allow = b;
		}
		p += len;
		p += strspn(p, " \t\n");
	}
	return allow;
}

int sg_blockdev_kernel_refuses(const char *cmdline, const char *config)
{
	int allow = cmdline ? cmdline_allows(cmdline) : -ENOENT;

	if (allow >= 0)
		return !allow;
	if (!config)
		return -ENOENT;
	if (strstr(config, "\n# CONFIG_BLK_DEV_WRITE_MOUNTED is not set"))
		return 1;
	/* =y, or a kernel before 6.8 that has no such check */
	return 0;
}
