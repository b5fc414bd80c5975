/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * protindex.c - the protected-inode index and its walker thread. See
 * protindex.h.
 */
#include <errno.h>
#include <ftw.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "clock.h"
#include "fan/protindex.h"
#include "policy.h"
#include "util.h"
#include "worker.h"

/*
 * A walker abandoned by a stop may wake (its stuck syscall returns) after
 * the daemon freed its policy and baseline. So the walker checks the stop
 * flag before it touches either (walk_one), keeps its own copy of the
 * roots, and otherwise touches only this, which an abandoned walk never
 * frees.
 */
struct sg_protwalk {
	struct sg_inodetab tab;
	const struct sg_policy *policy;
	const struct sg_baseline *baseline;
	char **roots; /* the protected paths, copied */
	size_t nroots;
	int done_fd;      /* eventfd, written once the walk ended */
	atomic_bool stop; /* asks the walker to give up (a stop) */
	int error;        /* 0, or -errno: the walk is incomplete */
	char *error_path; /* where it failed, if known */
	uint64_t start_ms, took_ms;
};

/* nftw() has no user pointer: the walk in progress (one at a time in the
 * process, sg_protindex_start refuses a second). Also what keeps an
 * abandoned walk's state reachable until the exit. */
static struct sg_protwalk *walking;

static bool stop_asked(struct sg_protwalk *w)
{
	if (!atomic_load_explicit(&w->stop, memory_order_acquire))
		return false;
	w->error = -ECANCELED;
	return true;
}

/*
 * nftw recurses once a directory level, about 370 bytes of stack each
 * (measured, glibc 2.36), and the walker has a worker's 2 MB stack
 * (worker.h). fanotify cannot deny a mkdir, so root can make a tree
 * deeper than any stack: past this depth the walk stops as failed, which
 * fails closed (every file of the filesystem counts as protected),
 * rather than overflow and take the guard down. Twice the depth a
 * PATH_MAX path can name (2048 one-letter levels); nftw itself goes
 * deeper, its path buffer grows.
 */
#define MAX_WALK_DEPTH 4096

static int walk_one(const char *path, const struct stat *st, int type,
		    struct FTW *ftw)
{
	struct sg_protwalk *w = walking;
	const struct sg_bl_entry *e;
	unsigned value = SG_PROT_FILE;
	int r;

	if (stop_asked(w))
		return FTW_STOP; /* before the policy and baseline */
	if (ftw->level > MAX_WALK_DEPTH) {
		w->error = -ENAMETOOLONG;
		w->error_path = strdup(path);
		return FTW_STOP;
	}
	if (sg_policy_excludes(w->policy, path))
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F)
		return FTW_CONTINUE;
	e = sg_baseline_find(w->baseline, path);
	if (e && e->size == (uint64_t)st->st_size)
		value |= SG_PROT_IN_BASELINE;
	r = sg_inodetab_put(&w->tab, st, (uint8_t)value, 0);
	if (r < 0) {
		w->error = r;
		w->error_path = strdup(path);
		return FTW_STOP;
	}
	return FTW_CONTINUE;
}

static void walk_all(struct sg_protwalk *w)
{
	for (size_t i = 0; !w->error && i < w->nroots; i++) {
		/* 64 directory streams: stats are then relative to an open
		 * directory (glibc: fstatat on the stream), no path walk */
		int r = nftw(w->roots[i], walk_one, 64,
			     FTW_PHYS | FTW_ACTIONRETVAL);

		if (r < 0 && !w->error && !stop_asked(w)) {
			w->error = errno ? -errno : -EIO;
			w->error_path = strdup(w->roots[i]);
		}
	}
}

static void *walker_main(void *arg)
{
	struct sg_protwalk *w = arg;
	uint64_t one = 1;

	walk_all(w);
	w->took_ms = sg_now_ms() - w->start_ms;
	/* the loop learns of the end from the eventfd; the join that
	 * follows is what orders the table's writes before its reads */
	if (write(w->done_fd, &one, sizeof(one)) < 0) {
		/* an eventfd write fails only on overflow: cannot happen */
	}
	return NULL;
}

static void walk_free(struct sg_protwalk *w)
{
	if (!w)
		return;
	sg_inodetab_free(&w->tab);
	for (size_t i = 0; i < w->nroots; i++)
		free(w->roots[i]);
	free(w->roots);
	free(w->error_path);
	if (w->done_fd >= 0)
		(void)close(w->done_fd);
	free(w);
}

int sg_protindex_init(struct sg_protindex *x, size_t hint)
{
	int r;

	*x = (struct sg_protindex){ .state = SG_PROTINDEX_FILLING };
	x->w = calloc(1, sizeof(*x->w));
	if (!x->w)
		return -ENOMEM;
	x->w->done_fd = -1;
	atomic_init(&x->w->stop, false);
	r = sg_inodetab_init(&x->w->tab, hint, 0);
	if (r < 0) {
		walk_free(x->w);
		x->w = NULL;
	}
	return r;
}

int sg_protindex_put(struct sg_protindex *x, const struct stat *st,
		     unsigned value)
{
	if (!x->w || x->state != SG_PROTINDEX_FILLING)
		return -EBUSY;
	return sg_inodetab_put(&x->w->tab, st, (uint8_t)value, 0);
}

/* The roots, copied; a protected path that is gone is an error now, as
 * it was when the walk ran before the marks. */
static int take_roots(struct sg_protwalk *w, const struct sg_pathlist *l,
		      struct errlist *errs)
{
	w->roots = calloc(l->n + 1, sizeof(*w->roots));
	if (!w->roots)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		struct stat st;

		if (lstat(l->paths[i], &st) < 0) {
			int r = -errno;

			(void)errlist_add(errs, "protected path %s: %s",
					  l->paths[i], strerror(-r));
			return r;
		}
		w->roots[i] = strdup(l->paths[i]);
		if (!w->roots[i])
			return -ENOMEM;
		w->nroots++;
	}
	return 0;
}

int sg_protindex_start(struct sg_protindex *x, const struct sg_policy *p,
		       const struct sg_baseline *b, struct errlist *errs)
{
	struct sg_protwalk *w = x->w;
	pid_t tid;
	int r;

	if (!w || x->state != SG_PROTINDEX_FILLING || walking)
		return -EBUSY;
	r = take_roots(w, &p->protect, errs);
	if (r < 0)
		return r;
	w->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->done_fd < 0)
		return -errno;
	w->policy = p;
	w->baseline = b;
	w->start_ms = sg_now_ms();
	x->state = SG_PROTINDEX_WALKING;
	walking = w;
	r = sg_worker_start(walker_main, w, &x->thread, &tid);
	if (r < 0) {
		walking = NULL;
		x->state = SG_PROTINDEX_FILLING;
	}
	return r;
}

int sg_protindex_fd(const struct sg_protindex *x)
{
	return x->state == SG_PROTINDEX_WALKING ? x->w->done_fd : -1;
}

bool sg_protindex_settle(struct sg_protindex *x, bool wait)
{
	uint64_t n;

	if (x->state != SG_PROTINDEX_WALKING)
		return x->state == SG_PROTINDEX_SETTLED;
	if (!wait && read(x->w->done_fd, &n, sizeof(n)) < 0)
		return false; /* EAGAIN: still walking */
	if (!x->joined)
		(void)pthread_join(x->thread, NULL);
	x->joined = true;
	walking = NULL;
	x->state = SG_PROTINDEX_SETTLED;
	return true;
}

/*
 * A walk stuck in the kernel (a directory whose open another fanotify
 * group holds, a hung network filesystem) never sees the stop flag. A
 * stop does not wait for it longer than this.
 */
#define STOP_WAIT_MS 1000

/* Join the walker if it ends within STOP_WAIT_MS. */
static bool join_within_stop_wait(struct sg_protindex *x)
{
	struct timespec deadline;

	if (clock_gettime(CLOCK_REALTIME, &deadline) < 0)
		return false;
	deadline.tv_nsec += (STOP_WAIT_MS % 1000) * 1000000L;
	deadline.tv_sec += STOP_WAIT_MS / 1000 + deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;
	if (pthread_timedjoin_np(x->thread, NULL, &deadline) != 0)
		return false;
	x->joined = true;
	return true;
}

void sg_protindex_stop(struct sg_protindex *x)
{
	if (x->state != SG_PROTINDEX_WALKING)
		return;
	atomic_store_explicit(&x->w->stop, true, memory_order_release);
	if (join_within_stop_wait(x)) {
		(void)sg_protindex_settle(x, true);
		return;
	}
	/* left to the exit, with its state (walking still points at it) */
	x->abandoned = true;
	x->state = SG_PROTINDEX_SETTLED;
}

const struct sg_inodetab *sg_protindex_table(const struct sg_protindex *x)
{
	if (x->state != SG_PROTINDEX_SETTLED || x->abandoned || x->w->error)
		return NULL;
	return &x->w->tab;
}

int sg_protindex_error(const struct sg_protindex *x, const char **ret_where)
{
	*ret_where = NULL;
	if (x->abandoned)
		return -ECANCELED;
	if (!x->w)
		return -ENOMEM;
	*ret_where = x->w->error_path;
	return x->w->error;
}

size_t sg_protindex_count(const struct sg_protindex *x)
{
	return x->state == SG_PROTINDEX_SETTLED && !x->abandoned ?
		       x->w->tab.count :
		       0;
}

uint64_t sg_protindex_took_ms(const struct sg_protindex *x)
{
	return x->state == SG_PROTINDEX_SETTLED && !x->abandoned ?
		       x->w->took_ms :
		       0;
}

void sg_protindex_free(struct sg_protindex *x)
{
	if (x->state == SG_PROTINDEX_WALKING)
		sg_protindex_stop(x);
	/* an abandoned walker is usually free by now: what held it was
	 * also what held the close of the guard's group, done before */
	if (x->abandoned && !x->joined && join_within_stop_wait(x)) {
		x->abandoned = false;
		walking = NULL;
	}
	if (!x->abandoned)
		walk_free(x->w); /* else the walker still owns it */
	x->w = NULL;
}
