/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline_build.c - record the live state of the roots: one thread walks
 * them (baseline_walk.c) and publishes the regular files it finds to a
 * pool of worker threads that hash them while the walk goes on; the
 * result is sorted once at the end.
 *
 * Workers find each file relative to the parent of its root with
 * openat2(O_PATH, RESOLVE_NO_SYMLINKS), so a directory swapped for a
 * symlink between the walk and the hash cannot redirect the read
 * elsewhere, and open it for reading through /proc, as a read the guard
 * of a sealed host can see (reopen_path_fd). The file's recorded xattrs
 * are read through the same descriptor that is hashed.
 */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>

#include "baseline.h"
#include "baseline_int.h"
#include "pathrule.h"
#include "util.h"

#define SG_BUILD_MAX_THREADS 256

/* ---- bases ---- */

/* Open the parent of root as the base its files are opened from. */
static int open_base(const char *root, struct base *ret)
{
	const char *slash = strrchr(root, '/');
	char *parent;

	if (slash == root)
		parent = strdup("/");
	else
		parent = strndup(root, (size_t)(slash - root));
	if (!parent)
		return -ENOMEM;
	ret->fd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ret->err = ret->fd < 0 ? errno : 0;
	ret->prefix = slash == root ? 1 : (size_t)(slash - root) + 1;
	free(parent);
	return 0;
}

/* All of them before any worker runs: workers read bd->bases unlocked. */
static int open_bases(struct build *bd, const struct sg_baseline *b)
{
	bd->bases = calloc(b->nroots, sizeof(*bd->bases));
	if (!bd->bases)
		return -ENOMEM;
	for (size_t i = 0; i < b->nroots; i++) {
		bd->bases[i].fd = -1;
		bd->nbases++;
		if (open_base(b->roots[i], &bd->bases[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* ---- hashing ---- */

/*
 * Reopen the file an O_PATH descriptor names, through its /proc magic
 * link: the link leads to that very inode (no name is resolved again), and
 * the open is a plain openat whose flags sit in a register, where the
 * guard reads them. A direct openat2 would keep its flags in user memory,
 * which the guard cannot trust: it would refuse every protected file to
 * verify on a sealed host. -ENOENT: no /proc here.
 */
static int reopen_path_fd(int path_fd, int flags)
{
	char link[64];
	int fd;

	(void)snprintf(link, sizeof(link), "/proc/self/fd/%d", path_fd);
	fd = open(link, flags & ~O_NOFOLLOW);
	return fd >= 0 ? fd : -errno;
}

static int open_flags_try(struct build *bd, const struct item *it, int flags)
{
	const struct base *b = &bd->bases[it->base];
	const char *rel = it->e.path + b->prefix;
	struct open_how how = {
		.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS,
	};
	long path_fd;
	int fd;

	if (!atomic_load_explicit(&bd->no_openat2, memory_order_relaxed)) {
		path_fd = syscall(SYS_openat2, b->fd, rel, &how, sizeof(how));
		if (path_fd < 0 && errno != ENOSYS)
			return -errno;
		if (path_fd >= 0) {
			struct stat st;

			/* only a regular file is opened: the caller's fstat
			 * skips anything else, which must not be opened */
			if (fstat((int)path_fd, &st) == 0 && !S_ISREG(st.st_mode))
				return (int)path_fd;
			fd = reopen_path_fd((int)path_fd, flags);
			(void)close((int)path_fd);
			if (fd != -ENOENT || access("/proc/self/fd", F_OK) == 0)
				return fd;
			/* no /proc: the open itself must carry the flags */
			how.flags = (uint64_t)flags;
			fd = (int)syscall(SYS_openat2, b->fd, rel, &how,
					  sizeof(how));
			return fd >= 0 ? fd : -errno;
		}
		/* Old kernel or seccomp filter: O_NOFOLLOW is all that is left */
		atomic_store(&bd->no_openat2, true);
	}
	fd = openat(b->fd, rel, flags);
	return fd >= 0 ? fd : -errno;
}

static int open_item(struct build *bd, const struct item *it)
{
	/*
	 * No O_CLOEXEC: on a guarded host the guard takes a read of an
	 * untrusted ELF object with it for the loader's (intent.h,
	 * sg_intent_may_load) and refuses it, which would hide the very
	 * drift verify is looking for. Nothing is spawned while this runs.
	 */
	int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
	int fd;

	/* O_NOATIME keeps a build from dirtying every inode; owner-only. */
	fd = open_flags_try(bd, it, flags | O_NOATIME);
	if (fd == -EPERM)
		fd = open_flags_try(bd, it, flags);
	return fd;
}

static void hash_item(struct build *bd, struct item *it)
{
	_cleanup_close_ int fd = -1;
	uint64_t size;
	struct stat st;
	int r;

	fd = open_item(bd, it);
	if (fd < 0) {
		it->status = -fd;
		return;
	}
	/* Record what was opened, not what the walk saw. */
	if (fstat(fd, &st) < 0) {
		it->status = errno;
		return;
	}
	if (!S_ISREG(st.st_mode)) {
		it->status = ITEM_SKIPPED;
		return;
	}
	r = sg_sha256_fd(fd, it->e.sha256, &size);
	if (r < 0) {
		it->status = -r;
		return;
	}
	if (size != (uint64_t)st.st_size) {
		it->status = ITEM_CHANGED;
		return;
	}
	r = sg_bl_xattr_read(fd, it->e.path, &it->xattrs);
	if (r < 0) {
		it->status = -r;
		return;
	}
	it->e.size = size;
	it->e.mode = st.st_mode & 07777;
	it->e.uid = st.st_uid;
	it->e.gid = st.st_gid;
}

/* The next published item, waiting for the walker; NULL when all done. */
static struct item *take_item(struct build *bd)
{
	struct item *it = NULL;

	pthread_mutex_lock(&bd->lock);
	while (bd->next == bd->published && !bd->walk_done)
		pthread_cond_wait(&bd->more, &bd->lock);
	if (bd->next < bd->published && !cancelled(bd))
		it = item_at(bd, bd->next++);
	pthread_mutex_unlock(&bd->lock);
	return it;
}

static void count_hashed(struct build *bd, const struct item *it)
{
	if (!bd->progress)
		return;
	atomic_fetch_add_explicit(&bd->progress->hashed, 1,
				  memory_order_relaxed);
	if (it->status == 0)
		atomic_fetch_add_explicit(&bd->progress->bytes, it->e.size,
					  memory_order_relaxed);
}

static void *hash_worker(void *userdata)
{
	struct build *bd = userdata;
	struct item *it;

	while ((it = take_item(bd))) {
		hash_item(bd, it);
		count_hashed(bd, it);
	}
	return NULL;
}

static unsigned pick_threads(unsigned threads)
{
	if (threads == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		threads = cpus > 0 ? (unsigned)cpus : 1;
	}
	return threads > SG_BUILD_MAX_THREADS ? SG_BUILD_MAX_THREADS : threads;
}

/*
 * Start the workers, walk every root, then wait for the last hash.
 * threads 0 is one per CPU; SG_BUILD_HERE starts none: the walk, then
 * every hash, on the calling thread.
 */
#define SG_BUILD_HERE UINT_MAX
static void walk_and_hash(struct build *bd, const struct sg_baseline *b,
			  unsigned threads)
{
	pthread_t tids[SG_BUILD_MAX_THREADS];
	unsigned started = 0;

	threads = threads == SG_BUILD_HERE ? 0 : pick_threads(threads);
	while (started < threads &&
	       pthread_create(&tids[started], NULL, hash_worker, bd) == 0)
		started++;
	for (size_t i = 0; i < b->nroots && bd->r == 0; i++)
		sg_bl_walk_root(bd, b->roots[i], (unsigned)i);
	sg_bl_publish(bd, true);
	if (bd->progress)
		atomic_store(&bd->progress->walk_done, true);
	/* Asked to, or not one thread to be had: hash here. */
	if (started == 0)
		(void)hash_worker(bd);
	for (unsigned i = 0; i < started; i++)
		(void)pthread_join(tids[i], NULL);
}

/* ---- assembling the result ---- */

static int item_cmp(const void *a, const void *b)
{
	return strcmp((*(struct item *const *)a)->e.path,
		      (*(struct item *const *)b)->e.path);
}

static void report_item(struct build *bd, const struct item *it)
{
	sg_bl_report(bd, it->e.path,
		     it->status == ITEM_CHANGED ?
			     "file changed while being hashed" :
			     strerror(it->status));
}

static int node_item_cmp(const void *a, const void *b)
{
	return strcmp(((const struct node_item *)a)->n.path,
		      ((const struct node_item *)b)->n.path);
}

static int take_file(struct sg_baseline *b, struct item *it,
		     struct sg_build_stats *st)
{
	int r = sg_bl_xattr_intern(b, TAKE_PTR(it->xattrs), &it->e.xattrs);

	if (r < 0)
		return r;
	st->bytes += it->e.size;
	b->entries[b->n++] = it->e;
	it->e.path = NULL;
	return 0;
}

static int take_node(struct sg_baseline *b, struct node_item *ni)
{
	int r = sg_bl_xattr_intern(b, TAKE_PTR(ni->xattrs), &ni->n.xattrs);

	if (r < 0)
		return r;
	b->nodes[b->nnodes++] = ni->n;
	ni->n.path = ni->n.target = NULL;
	return 0;
}

/*
 * Move hashed items into b->entries and nodes into b->nodes, in path
 * order, report the rest. Both are taken in one path order, so that
 * neighbours' equal xattrs are stored once.
 */
static int collect(struct build *bd, struct sg_baseline *b,
		   struct sg_build_stats *st)
{
	_cleanup_free_ struct item **order = NULL;
	size_t i = 0, k = 0;
	int r = 0;

	order = calloc(bd->n ? bd->n : 1, sizeof(*order));
	b->entries = calloc(bd->n ? bd->n : 1, sizeof(*b->entries));
	b->nodes = calloc(bd->nnodes ? bd->nnodes : 1, sizeof(*b->nodes));
	if (!order || !b->entries || !b->nodes)
		return -ENOMEM;
	for (i = 0; i < bd->n; i++)
		order[i] = item_at(bd, i);
	qsort(order, bd->n, sizeof(*order), item_cmp);
	if (bd->nnodes) /* no node: bd->nodes is still NULL */
		qsort(bd->nodes, bd->nnodes, sizeof(*bd->nodes), node_item_cmp);
	for (i = 0; r == 0 && (i < bd->n || k < bd->nnodes);) {
		struct item *it = i < bd->n ? order[i] : NULL;

		if (!it || (k < bd->nnodes &&
			    strcmp(bd->nodes[k].n.path, it->e.path) < 0)) {
			r = take_node(b, &bd->nodes[k++]);
			continue;
		}
		i++;
		if (it->status == ITEM_OK)
			r = take_file(b, it, st);
		else if (it->status == ITEM_SKIPPED)
			bd->skipped++;
		else
			report_item(bd, it);
	}
	st->files = b->n;
	st->others = b->nnodes;
	st->skipped = bd->skipped;
	st->errors = bd->nerrors;
	return r < 0 ? r : bd->r;
}

static int copy_strv(const char *const *in, size_t n, char ***ret)
{
	char **v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		v[i] = strdup(in[i]);
		if (!v[i]) {
			sg_bl_free_strv(v, i);
			return -ENOMEM;
		}
	}
	qsort(v, n, sizeof(*v), sg_bl_str_cmp);
	*ret = v;
	return 0;
}

/* Roots absolute and disjoint, excludes each under a root. */
static int check_args(const struct sg_baseline *b, struct errlist *errs)
{
	int r = 0;

	for (size_t i = 0; i < b->nroots; i++) {
		const char *root = b->roots[i];

		if (root[0] != '/')
			r = errlist_add(errs, "root %s: not an absolute path",
					root) ?: -EINVAL;
		else if (i && path_is_under(root, b->roots[i - 1]))
			r = errlist_add(errs, "root %s: lies under root %s",
					root, b->roots[i - 1]) ?: -EINVAL;
	}
	for (size_t i = 0; i < b->nexcludes; i++)
		if (!sg_path_under_any(b->excludes[i], b->roots, b->nroots))
			r = errlist_add(errs, "exclude %s: lies under no root",
					b->excludes[i]) ?: -EINVAL;
	if (b->nroots == 0)
		r = errlist_add(errs, "no root to build from") ?: -EINVAL;
	return r;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void build_free(struct build *bd)
{
	for (size_t i = 0; i < bd->n; i++) {
		free(item_at(bd, i)->e.path);
		free(item_at(bd, i)->xattrs);
	}
	for (size_t i = 0; i < bd->nnodes; i++) {
		free(bd->nodes[i].n.path);
		free(bd->nodes[i].n.target);
		free(bd->nodes[i].xattrs);
	}
	free(bd->nodes);
	for (size_t i = 0; i < bd->nblocks; i++)
		free(bd->blocks[i]);
	free(bd->blocks);
	for (size_t i = 0; i < bd->nbases; i++)
		if (bd->bases[i].fd >= 0)
			(void)close(bd->bases[i].fd);
	free(bd->bases);
	pthread_mutex_destroy(&bd->lock);
	pthread_cond_destroy(&bd->more);
}

static int build_run(struct build *bd, struct sg_baseline *b, unsigned threads,
		     struct sg_build_stats *st)
{
	int r;

	r = open_bases(bd, b);
	if (r < 0)
		return r;
	walk_and_hash(bd, b, threads);
	if (bd->r == 0 && cancelled(bd))
		bd->r = -ECANCELED; /* the hashes stopped short */
	if (bd->r < 0)
		return bd->r;
	r = collect(bd, b, st);
	if (r < 0)
		return r;
	if (bd->nerrors && !bd->keep_going)
		return -EIO;
	return sg_baseline_index(b);
}

static int build(const char *const *roots, size_t nroots,
		 const char *const *excludes, size_t nexcludes,
		 unsigned threads, const atomic_bool *cancel,
		 struct sg_build_progress *progress,
		 struct sg_baseline **ret, struct sg_build_stats *stats,
		 struct errlist *errs)
{
	struct sg_build_stats st = {};
	struct build bd = {
		.errs = errs,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.more = PTHREAD_COND_INITIALIZER,
		.keep_going = threads == SG_BUILD_HERE,
		.cancel = cancel,
		.progress = progress,
	};
	struct sg_baseline *b;
	double start = now();
	int r;

	r = sg_hash_init();
	if (r < 0)
		return r;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	r = copy_strv(roots, nroots, &b->roots);
	if (r == 0) {
		b->nroots = nroots;
		r = copy_strv(excludes, nexcludes, &b->excludes);
	}
	if (r == 0) {
		b->nexcludes = nexcludes;
		r = check_args(b, errs);
	}
	bd.excludes = b->excludes;
	bd.nexcludes = b->nexcludes;
	if (r == 0)
		r = build_run(&bd, b, threads, &st);
	build_free(&bd);
	st.seconds = now() - start;
	if (stats)
		*stats = st;
	if (r < 0) {
		sg_baseline_free(b);
		return r;
	}
	*ret = b;
	return 0;
}

int sg_baseline_build(const char *const *roots, size_t nroots,
		      const char *const *excludes, size_t nexcludes,
		      unsigned threads, struct sg_baseline **ret,
		      struct sg_build_stats *stats, struct errlist *errs)
{
	return sg_baseline_build_watched(roots, nroots, excludes, nexcludes,
					 threads, NULL, ret, stats, errs);
}

int sg_baseline_build_watched(const char *const *roots, size_t nroots,
			      const char *const *excludes, size_t nexcludes,
			      unsigned threads, struct sg_build_progress *progress,
			      struct sg_baseline **ret,
			      struct sg_build_stats *stats, struct errlist *errs)
{
	if (threads == SG_BUILD_HERE)
		threads--; /* capped to SG_BUILD_MAX_THREADS anyway */
	return build(roots, nroots, excludes, nexcludes, threads, NULL,
		     progress, ret, stats, errs);
}

int sg_baseline_build_here(const struct sg_baseline *like,
			   const atomic_bool *cancel, struct sg_baseline **ret,
			   struct sg_build_stats *stats, struct errlist *errs)
{
	return build((const char *const *)like->roots, like->nroots,
		     (const char *const *)like->excludes, like->nexcludes,
		     SG_BUILD_HERE, cancel, NULL, ret, stats, errs);
}
