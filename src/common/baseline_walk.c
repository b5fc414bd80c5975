/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline_walk.c - the walker's side of a build: one thread walks the
 * roots (openat all the way down, no symlink followed, excluded trees
 * left out) and appends every regular file it finds as an item, which it
 * publishes to the hashing workers of baseline_build.c as it goes. The
 * other types (directories, symlinks, device nodes, FIFOs) it records
 * itself, without opening any but the directories it walks.
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "baseline.h"
#include "baseline_int.h"
#include "util.h"

/* Wake the workers every this many files: cheap, and keeps them fed. */
#define SG_PUBLISH_EVERY 64

void sg_bl_publish(struct build *bd, bool done)
{
	pthread_mutex_lock(&bd->lock);
	bd->published = bd->n;
	bd->walk_done = done;
	pthread_cond_broadcast(&bd->more);
	pthread_mutex_unlock(&bd->lock);
}

void sg_bl_report(struct build *bd, const char *path, const char *msg)
{
	_cleanup_free_ char *esc = sg_path_escape(path);

	bd->nerrors++;
	if (!esc || errlist_add(bd->errs, "%s: %s", esc, msg) < 0)
		bd->r = -ENOMEM;
}

static void report(struct build *bd, const char *path, int err)
{
	sg_bl_report(bd, path, strerror(err));
}

int sg_bl_str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_excluded(const struct build *bd, const char *path)
{
	/* Walking from the roots meets every excluded tree at its top. */
	return bd->nexcludes &&
	       bsearch(&path, bd->excludes, bd->nexcludes, sizeof(char *),
		       sg_bl_str_cmp);
}

static int add_block(struct build *bd)
{
	struct item *block = calloc(SG_BLOCK_ITEMS, sizeof(*block));
	struct item **grown;

	if (!block)
		return -ENOMEM;
	pthread_mutex_lock(&bd->lock);
	grown = reallocarray(bd->blocks, bd->nblocks + 1, sizeof(*grown));
	if (grown) {
		grown[bd->nblocks++] = block;
		bd->blocks = grown;
	}
	pthread_mutex_unlock(&bd->lock);
	if (!grown) {
		free(block);
		return -ENOMEM;
	}
	return 0;
}

static void add_item(struct build *bd)
{
	struct item *it;

	if (bd->n == bd->nblocks * SG_BLOCK_ITEMS && add_block(bd) < 0) {
		bd->r = -ENOMEM;
		return;
	}
	it = item_at(bd, bd->n);
	*it = (struct item){ .base = bd->cur_base };
	it->e.path = strdup(bd->path);
	if (!it->e.path) {
		bd->r = -ENOMEM;
		return;
	}
	bd->n++;
	if (bd->progress)
		atomic_fetch_add_explicit(&bd->progress->found, 1,
					  memory_order_relaxed);
	if (bd->n - bd->published >= SG_PUBLISH_EVERY)
		sg_bl_publish(bd, false);
}

/* ---- nodes ---- */

static char node_type(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return SG_BL_DIR;
	case S_IFLNK:
		return SG_BL_SYMLINK;
	case S_IFCHR:
		return SG_BL_CHR;
	case S_IFBLK:
		return SG_BL_BLK;
	case S_IFIFO:
		return SG_BL_FIFO;
	default:
		return 0; /* a socket: not recorded */
	}
}

static struct node_item *new_node(struct build *bd)
{
	if (bd->nnodes == bd->ncap) {
		size_t cap = bd->ncap ? bd->ncap * 2 : 256;
		struct node_item *grown;

		grown = reallocarray(bd->nodes, cap, sizeof(*grown));
		if (!grown)
			return NULL;
		bd->nodes = grown;
		bd->ncap = cap;
	}
	return memset(&bd->nodes[bd->nnodes], 0, sizeof(*bd->nodes));
}

/* The target of the symlink name in dfd, as a new string. */
static int read_target(int dfd, const char *name, char **ret)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dfd, name, buf, sizeof(buf));

	if (n < 0)
		return -errno;
	if ((size_t)n >= sizeof(buf) || n == 0)
		return -ENAMETOOLONG;
	*ret = strndup(buf, (size_t)n);
	return *ret ? 0 : -ENOMEM;
}

/*
 * Record bd->path, found as name in dfd, as a node: st is what was seen
 * of it; fd is the directory itself when it is open (its xattrs are read
 * through it), else -1 (read by path, not followed).
 */
static void add_node(struct build *bd, int dfd, const char *name,
		     const struct stat *st, int fd)
{
	struct node_item *ni;
	char type = node_type(st->st_mode);
	int r;

	if (!type) {
		bd->skipped++;
		return;
	}
	ni = new_node(bd);
	if (!ni) {
		bd->r = -ENOMEM;
		return;
	}
	ni->n = (struct sg_bl_node){
		.type = type,
		.mode = type == SG_BL_SYMLINK ? 0777 : st->st_mode & 07777,
		.uid = st->st_uid,
		.gid = st->st_gid,
		.rdev = S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ?
				st->st_rdev : 0,
	};
	r = sg_bl_xattr_read(fd, bd->path, &ni->xattrs);
	if (r == 0 && type == SG_BL_SYMLINK)
		r = read_target(dfd, name, &ni->n.target);
	if (r == 0) {
		ni->n.path = strdup(bd->path);
		r = ni->n.path ? 0 : -ENOMEM;
	}
	if (r < 0) {
		free(ni->xattrs);
		free(ni->n.target);
		free(ni->n.path);
		if (r == -ENOMEM)
			bd->r = r;
		else
			report(bd, bd->path, -r);
		return;
	}
	bd->nnodes++;
}

/* A node that is not a directory: seen again, not followed. */
static void add_leaf(struct build *bd, int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		report(bd, bd->path, errno);
		return;
	}
	if (S_ISREG(st.st_mode)) {
		add_item(bd); /* it became a file meanwhile */
		return;
	}
	if (S_ISDIR(st.st_mode)) {
		bd->skipped++; /* it became a directory meanwhile */
		return;
	}
	add_node(bd, dfd, name, &st, -1);
}

/* The directory open at fd, as a node; false if it must not be walked. */
static bool add_dir(struct build *bd, int dfd, const char *name, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		report(bd, bd->path, errno);
		return false;
	}
	add_node(bd, dfd, name, &st, fd);
	return bd->r == 0;
}

static void walk_dir(struct build *bd, int dfd);

/* Append "/name" to bd->path; false (and reported) if too long. */
static bool path_push(struct build *bd, const char *name)
{
	size_t n = strlen(name);
	bool slash = bd->len > 1; /* no "//" below the root "/" */

	if (bd->len + slash + n >= sizeof(bd->path)) {
		bd->path[bd->len] = '\0';
		report(bd, bd->path, ENAMETOOLONG);
		return false;
	}
	if (slash)
		bd->path[bd->len++] = '/';
	memcpy(bd->path + bd->len, name, n + 1);
	bd->len += n;
	return true;
}

static unsigned char dirent_type(struct build *bd, int dfd,
				 const struct dirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type;
	/* Some filesystems do not fill d_type: ask the inode. */
	if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		report(bd, bd->path, errno);
		return DT_UNKNOWN;
	}
	return IFTODT(st.st_mode);
}

static void walk_entry(struct build *bd, int dfd, const struct dirent *de)
{
	unsigned char type = dirent_type(bd, dfd, de);
	int fd;

	if (type == DT_UNKNOWN || is_excluded(bd, bd->path))
		return;
	if (type == DT_REG) {
		add_item(bd);
		return;
	}
	if (type != DT_DIR) {
		add_leaf(bd, dfd, de->d_name);
		return;
	}
	fd = openat(dfd, de->d_name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		report(bd, bd->path, errno);
		return;
	}
	if (!add_dir(bd, dfd, de->d_name, fd)) {
		(void)close(fd);
		return;
	}
	walk_dir(bd, fd);
}

/* Walk the directory open at dfd (consumed), whose path is bd->path. */
static void walk_dir(struct build *bd, int dfd)
{
	size_t len = bd->len;
	struct dirent *de;
	DIR *d;

	d = fdopendir(dfd);
	if (!d) {
		report(bd, bd->path, errno);
		(void)close(dfd);
		return;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (streq(de->d_name, ".") || streq(de->d_name, ".."))
			continue;
		if (path_push(bd, de->d_name))
			walk_entry(bd, dirfd(d), de);
		bd->len = len;
		bd->path[len] = '\0';
		if (bd->r == 0 && cancelled(bd))
			bd->r = -ECANCELED;
		if (bd->r < 0)
			break;
	}
	if (!de && errno)
		report(bd, bd->path, errno);
	(void)closedir(d);
}

void sg_bl_walk_root(struct build *bd, const char *root, unsigned idx)
{
	struct stat st;
	int fd;

	if (is_excluded(bd, root))
		return;
	bd->cur_base = idx;
	if (bd->bases[idx].fd < 0) {
		report(bd, root, bd->bases[idx].err);
		return;
	}
	bd->len = strlen(root);
	if (bd->len >= sizeof(bd->path)) {
		report(bd, root, ENAMETOOLONG);
		return;
	}
	memcpy(bd->path, root, bd->len + 1);
	if (lstat(root, &st) < 0) {
		report(bd, root, errno);
		return;
	}
	if (S_ISREG(st.st_mode)) {
		add_item(bd);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		add_node(bd, AT_FDCWD, root, &st, -1);
		return;
	}
	fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		report(bd, root, errno);
	else if (!add_dir(bd, AT_FDCWD, root, fd))
		(void)close(fd);
	else
		walk_dir(bd, fd);
}
