/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * respond_check.c - are the [respond] programs fit to be run as root on a
 * violation? Shared by sealguardd (at start and --check) and `sealguard
 * check`, so that an operator learns it before the guard refuses to start.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "baseline.h"
#include "policy.h"
#include "trustfile.h"
#include "util.h"

/*
 * A program run as root on a violation: a root-owned regular file no one
 * else may write, executable, and in the baseline (so the guard lets it
 * run, and a changed one is refused like any other).
 */
static int check_program(const char *what, const char *path,
			 const struct sg_baseline *b, struct errlist *errs)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	int r;

	if (fd < 0) {
		r = -errno;
		(void)errlist_add(errs, "[respond] %s %s: %s", what, path,
				  strerror(-r));
		return r;
	}
	r = sg_check_trusted_file(fd, path, errs);
	if (r < 0)
		return r;
	if (fstat(fd, &st) < 0 || !(st.st_mode & S_IXUSR)) {
		(void)errlist_add(errs, "[respond] %s %s is not executable",
				  what, path);
		return -EACCES;
	}
	if (b && !sg_baseline_find(b, path)) {
		(void)errlist_add(errs, "[respond] %s %s is not in the baseline "
					"(rebuild it with the program in place)",
				  what, path);
		return -EINVAL;
	}
	return 0;
}

int sg_respond_check(const struct sg_policy *p, const struct sg_baseline *b,
		     struct errlist *errs)
{
	const struct sg_respond_policy *rp = &p->respond;
	int err = 0;

	if (rp->hook)
		err = check_program("hook", rp->hook, b, errs);
	if (!err && rp->reprovision)
		err = check_program("reprovision", rp->reprovision, b, errs);
	return err;
}
