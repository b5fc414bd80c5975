/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline_image.c - `sealguard baseline build --root DIR`: the baseline
 * of an image tree (a chroot, an unpacked image) on the machine that
 * builds the image, with every path recorded as it will be on the host.
 *
 * The build runs in a child that has chroot()ed into DIR, so every path
 * the policy names, and every symlink on the way to it (/lib -> usr/lib
 * on a merged-/usr Debian, an absolute link to /etc/...), resolves inside
 * the image and never on the build machine. The child hands the baseline
 * to the parent as baseline text over a pipe; the parent reads it back
 * with the ordinary reader (so what it writes is what a host will load)
 * and writes it where the parent's paths say. The child's statistics come
 * back in a shared page.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "cli.h"
#include "hash.h"

/* The child: build under the image's root and write the text to out. */
/* What the child leaves the parent: in a shared page. */
struct shared {
	struct sg_build_stats stats;
	struct sg_build_progress progress; /* lock-free atomics: shareable */
};

static int build_child(const char *image, const struct image_build *ib,
		       FILE *out, struct shared *sh)
{
	struct sg_baseline *b = NULL;
	struct errlist errs = {};
	int r;

	if (chroot(image) < 0 || chdir("/") < 0) {
		cli_error("cannot enter the image %s: %s", image, strerror(errno));
		return SG_EXIT_ERROR;
	}
	r = sg_baseline_build_watched(ib->roots, ib->nroots, ib->excludes,
				      ib->nexcludes, ib->threads, &sh->progress,
				      &b, &sh->stats, &errs);
	cli_print_errs(&errs);
	errlist_free(&errs);
	if (r < 0) {
		cli_error("baseline build in %s failed: %s", image,
			  cli_build_error(r));
		return SG_EXIT_ERROR;
	}
	r = sg_baseline_write_stream(b, out);
	sg_baseline_free(b);
	if (r == 0 && fflush(out) != 0)
		r = -errno;
	if (r < 0) {
		cli_error("cannot hand the baseline over: %s", strerror(-r));
		return SG_EXIT_ERROR;
	}
	return SG_EXIT_OK;
}

static int run_child(const char *image, const struct image_build *ib,
		     int wfd, struct shared *sh)
{
	FILE *out = fdopen(wfd, "w");

	if (!out) {
		cli_error("fdopen: %s", strerror(errno));
		return SG_EXIT_ERROR;
	}
	return build_child(image, ib, out, sh);
}

/* The parent: read what the child wrote, then its exit status. */
static int read_back(pid_t pid, int rfd, const char *image,
		     struct sg_baseline **ret)
{
	struct errlist errs = {};
	int status, r;
	FILE *in = fdopen(rfd, "r");

	if (!in) {
		r = -errno;
		(void)close(rfd);
	} else {
		r = sg_baseline_load_stream(in, image, ret, &errs);
		(void)fclose(in);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* the child said why; what it left in the pipe is void */
		errlist_free(&errs);
		if (*ret)
			sg_baseline_free(*ret);
		*ret = NULL;
		return -ECHILD;
	}
	cli_print_errs(&errs);
	errlist_free(&errs);
	return r;
}

int cli_build_in_image(const char *image, const struct image_build *ib,
		       struct sg_baseline **ret, struct sg_build_stats *stats)
{
	struct shared *shared;
	struct cli_progress cp;
	int fds[2], r;
	pid_t pid;

	*ret = NULL;
	/* libcrypto's digests are fetched before the image hides the
	 * build machine's configuration and modules */
	r = sg_hash_init();
	if (r < 0)
		return r;
	shared = mmap(NULL, sizeof(*shared), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED)
		return -errno;
	*shared = (struct shared){};
	if (pipe2(fds, O_CLOEXEC) < 0) {
		r = -errno;
		(void)munmap(shared, sizeof(*shared));
		return r;
	}
	(void)fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		(void)close(fds[0]);
		(void)close(fds[1]);
		(void)munmap(shared, sizeof(*shared));
		return r;
	}
	if (pid == 0) {
		(void)close(fds[0]);
		_exit(run_child(image, ib, fds[1], shared));
	}
	(void)close(fds[1]);
	cli_progress_start(&cp, "baseline build", &shared->progress, ib->quiet);
	r = read_back(pid, fds[0], image, ret);
	cli_progress_stop(&cp);
	*stats = shared->stats;
	(void)munmap(shared, sizeof(*shared));
	return r;
}
