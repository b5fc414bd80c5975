/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.c - the shared state of one run (see daemon.h).
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "daemon.h"
#include "util.h"

int sg_daemon_open(struct sg_daemon *d, const struct sg_policy *p,
		   const struct sg_baseline *b, const char *confine,
		   struct sg_respond *respond)
{
	struct stat st;

	*d = (struct sg_daemon){ .policy = p, .baseline = b,
				 .confine = confine, .proc_fd = -1,
				 .exec_cache_fd = -1,
				 .self_pid = getpid(), .respond = respond };
	if (stat("/", &st) < 0)
		return -errno;
	d->root_dev = st.st_dev;
	d->proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return d->proc_fd < 0 ? -errno : 0;
}

void sg_daemon_add_helper_tid(struct sg_daemon *d, pid_t tid)
{
	if (d->nhelper_tids < ARRAY_SIZE(d->helper_tids))
		d->helper_tids[d->nhelper_tids++] = tid;
}

bool sg_daemon_is_ours(const struct sg_daemon *d, pid_t tid)
{
	if (tid == d->self_pid)
		return true;
	for (size_t i = 0; i < d->nhelper_tids; i++)
		if (d->helper_tids[i] == tid)
			return true;
	return false;
}

bool sg_daemon_is_self_path(const struct sg_daemon *d, const char *path)
{
	for (size_t i = 0; i < d->nself_paths; i++)
		if (path_is_under(path, d->self_paths[i]))
			return true;
	return false;
}

bool sg_daemon_confined(const struct sg_daemon *d, dev_t dev,
			const char *point)
{
	return !d->confine ||
	       (dev != d->root_dev && path_is_under(point, d->confine));
}

void sg_daemon_close(struct sg_daemon *d)
{
	if (d->proc_fd >= 0)
		(void)close(d->proc_fd);
	d->proc_fd = -1;
	sg_mark_plan_free(&d->plan);
	free(d->writers);
	d->writers = NULL;
	d->nwriters = 0;
	for (size_t i = 0; i < d->nself_paths; i++)
		free(d->self_paths[i]);
	free(d->self_paths);
	d->self_paths = NULL;
	d->nself_paths = 0;
}
