/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * listen_owner.c - who holds a listening socket, whether that program is
 * the one a rule pins, and killing it. Everything here after the seal
 * reads only /proc, which is never marked. See listen.h.
 */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "baseline.h"
#include "hash.h"
#include "listen/listen.h"
#include "util.h"

/* ------------------------------------------------------------ pins */

static int64_t ctime_ns(const struct stat *st)
{
	return (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

/* Hash the pinned file and compare it with its baseline entry. */
static enum sg_pin_state verify_pin(struct sg_pin *pin,
				    const struct sg_bl_entry *e,
				    struct errlist *warns)
{
	_cleanup_close_ int fd = open(pin->real,
				      O_RDONLY | O_CLOEXEC | O_NOCTTY);
	unsigned char sha[SG_SHA256_LEN];
	struct stat st;
	uint64_t size;
	int r;

	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		(void)errlist_add(warns,
				  "[listen] executable %s: %s: no listener "
				  "can be allowed by it",
				  pin->path, strerror(-r));
		return SG_PIN_UNREADABLE;
	}
	r = sg_sha256_fd(fd, sha, &size);
	if (r < 0 || size != (uint64_t)st.st_size || size != e->size ||
	    memcmp(sha, e->sha256, SG_SHA256_LEN) != 0) {
		(void)errlist_add(warns,
				  "[listen] executable %s does not match the "
				  "baseline: no listener can be allowed by it",
				  pin->path);
		return r < 0 ? SG_PIN_UNREADABLE : SG_PIN_MISMATCH;
	}
	pin->dev = st.st_dev;
	pin->ino = st.st_ino;
	pin->size = (uint64_t)st.st_size;
	pin->ctime_ns = ctime_ns(&st);
	return SG_PIN_VERIFIED;
}

int sg_pin_init(struct sg_pin *pin, const char *path,
		const struct sg_baseline *b, struct errlist *warns)
{
	const struct sg_bl_entry *e;

	*pin = (struct sg_pin){ .path = path };
	/* /proc/<pid>/exe shows the resolved path: compare with that */
	pin->real = realpath(path, NULL);
	if (!pin->real) {
		if (errno == ENOMEM)
			return -ENOMEM;
		(void)errlist_add(warns, "[listen] executable %s: %s", path,
				  strerror(errno));
		pin->real = strdup(path);
		if (!pin->real)
			return -ENOMEM;
	}
	e = sg_baseline_find(b, pin->real);
	pin->state = e ? verify_pin(pin, e, warns) : SG_PIN_PATH_ONLY;
	return 0;
}

void sg_pin_free(struct sg_pin *pin)
{
	free(pin->real);
	pin->real = NULL;
}

enum sg_listen_reason sg_pin_check(const struct sg_pin *pin, const char *exe,
				   const struct stat *st)
{
	if (!pin->real || !streq(exe, pin->real))
		return SG_LREASON_EXE_MISMATCH;
	switch (pin->state) {
	case SG_PIN_PATH_ONLY:
		return SG_LREASON_ALLOWED;
	case SG_PIN_VERIFIED:
		return st && (uint64_t)st->st_dev == pin->dev &&
				       (uint64_t)st->st_ino == pin->ino &&
				       (uint64_t)st->st_size == pin->size &&
				       ctime_ns(st) == pin->ctime_ns ?
			       SG_LREASON_ALLOWED :
			       SG_LREASON_EXE_CHANGED;
	case SG_PIN_MISMATCH:
	case SG_PIN_UNREADABLE:
	default:
		return SG_LREASON_EXE_UNVERIFIED;
	}
}

/* ------------------------------------------------------------ owners */

static int owner_push(struct sg_ownervec *ov, uint32_t inode, pid_t pid)
{
	if (ov->n == ov->cap) {
		size_t cap = ov->cap ? ov->cap * 2 : 32;
		struct sg_owner *v = reallocarray(ov->v, cap, sizeof(*v));

		if (!v)
			return -ENOMEM;
		ov->v = v;
		ov->cap = cap;
	}
	ov->v[ov->n++] = (struct sg_owner){ inode, pid };
	return 0;
}

static int u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The inode of a "socket:[N]" link, or 0. */
static uint32_t socket_inode(const char *link)
{
	unsigned long v;
	char *end;

	if (strncmp(link, "socket:[", 8) != 0)
		return 0;
	errno = 0;
	v = strtoul(link + 8, &end, 10);
	if (errno || *end != ']' || end[1] || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

/* Add (inode, pid) for each wanted socket among pid's open files. A
 * process that exits meanwhile, or hides its fds, is skipped. */
static int scan_fds(int procfd, pid_t pid, const uint32_t *inodes, size_t n,
		    struct sg_ownervec *ov)
{
	char name[32], link[64];
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	snprintf(name, sizeof(name), "%d/fd", (int)pid);
	fd = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	d = fdopendir(fd);
	if (!d) {
		(void)close(fd);
		return errno == ENOMEM ? -ENOMEM : 0;
	}
	while (r == 0 && (de = readdir(d))) {
		ssize_t len = readlinkat(fd, de->d_name, link,
					 sizeof(link) - 1);
		uint32_t ino;

		if (len <= 0)
			continue;
		link[len] = '\0';
		ino = socket_inode(link);
		if (ino && bsearch(&ino, inodes, n, sizeof(*inodes), u32_cmp))
			r = owner_push(ov, ino, pid);
	}
	(void)closedir(d);
	return r;
}

static pid_t pid_of(const char *name)
{
	char *end;
	long v;

	if (name[0] < '1' || name[0] > '9')
		return 0;
	v = strtol(name, &end, 10);
	return *end || v > INT_MAX ? 0 : (pid_t)v;
}

/* By inode, then newest (highest) pid first. */
static int owner_cmp(const void *a, const void *b)
{
	const struct sg_owner *x = a, *y = b;

	if (x->inode != y->inode)
		return x->inode < y->inode ? -1 : 1;
	return x->pid > y->pid ? -1 : x->pid < y->pid;
}

void sg_owners_sort(struct sg_ownervec *ov)
{
	size_t out = 0;

	if (ov->n > 1)
		qsort(ov->v, ov->n, sizeof(*ov->v), owner_cmp);
	for (size_t i = 0; i < ov->n; i++)
		if (out == 0 || owner_cmp(&ov->v[out - 1], &ov->v[i]) != 0)
			ov->v[out++] = ov->v[i];
	ov->n = out;
}

static int pid_push(pid_t **v, size_t *n, size_t *cap, pid_t pid)
{
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		pid_t *g = reallocarray(*v, c, sizeof(*g));

		if (!g)
			return -ENOMEM;
		*v = g;
		*cap = c;
	}
	(*v)[(*n)++] = pid;
	return 0;
}

static int pid_desc(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x > y ? -1 : x < y;
}

int sg_proc_pids(int procfd, pid_t **ret, size_t *ret_n)
{
	size_t n = 0, cap = 0;
	pid_t *v = NULL;
	struct dirent *de;
	DIR *d;
	int fd, r = 0;

	fd = openat(procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	while (r == 0 && (de = readdir(d))) {
		pid_t pid = pid_of(de->d_name);

		if (pid > 0)
			r = pid_push(&v, &n, &cap, pid);
	}
	(void)closedir(d);
	if (r < 0) {
		free(v);
		return r;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), pid_desc);
	*ret = v;
	*ret_n = n;
	return 0;
}

int sg_owners_scan(int procfd, const pid_t *pids, size_t npids,
		   const uint32_t *inodes, size_t n, struct sg_ownervec *ov)
{
	int r = 0;

	for (size_t i = 0; i < npids && r == 0 && n; i++)
		r = scan_fds(procfd, pids[i], inodes, n, ov);
	return r;
}

int sg_owners_find(int procfd, const uint32_t *inodes, size_t n,
		   struct sg_ownervec *ret)
{
	_cleanup_free_ pid_t *pids = NULL;
	size_t npids;
	int r;

	ret->n = 0;
	if (n == 0)
		return 0;
	r = sg_proc_pids(procfd, &pids, &npids);
	if (r == 0)
		r = sg_owners_scan(procfd, pids, npids, inodes, n, ret);
	sg_owners_sort(ret);
	return r;
}

pid_t sg_owners_first(const struct sg_ownervec *ov, uint32_t inode)
{
	for (size_t i = 0; i < ov->n; i++)
		if (ov->v[i].inode == inode)
			return ov->v[i].pid;
	return 0;
}

const struct sg_owner *sg_owners_of(const struct sg_ownervec *ov,
				    uint32_t inode, size_t *ret_n)
{
	size_t lo = 0, hi = ov->n, n = 0;

	while (lo < hi) { /* the first entry with this inode or above */
		size_t mid = lo + (hi - lo) / 2;

		if (ov->v[mid].inode < inode)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (lo + n < ov->n && ov->v[lo + n].inode == inode)
		n++;
	*ret_n = n;
	return n ? &ov->v[lo] : NULL;
}

void sg_ownervec_free(struct sg_ownervec *ov)
{
	free(ov->v);
	*ov = (struct sg_ownervec){ 0 };
}

/* ------------------------------------------------------------ kill */

static bool holds(int procfd, pid_t pid, uint32_t inode)
{
	struct sg_ownervec ov = { 0 };
	bool found;

	found = scan_fds(procfd, pid, &inode, 1, &ov) == 0 && ov.n > 0;
	sg_ownervec_free(&ov);
	return found;
}

int sg_owner_pin(int procfd, pid_t pid, uint32_t inode)
{
	int pidfd;

	/* PID 1 ignores SIGKILL from its own namespace anyway; never try */
	if (pid <= 1 || pid == getpid())
		return -EPERM;
	/* The pidfd pins this process: if the pid was recycled since the
	 * scan, the newcomer does not hold the socket and is left alone. */
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return -errno;
	if (!holds(procfd, pid, inode)) {
		(void)close(pidfd);
		return -ESRCH;
	}
	return pidfd;
}

int sg_owner_kill(int procfd, pid_t pid, uint32_t inode)
{
	int pidfd = sg_owner_pin(procfd, pid, inode), r = 0;

	if (pidfd < 0)
		return pidfd;
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0)
		r = -errno;
	(void)close(pidfd);
	return r;
}
