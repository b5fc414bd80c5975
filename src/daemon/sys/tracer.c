/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tracer.c - the tracer and the stop state of each thread of a process,
 * from /proc/PID/task/TID/status. See tracer.h.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>

#include "sys/tracer.h"
#include "util.h"

/* The value after "key:\t" in a status text, or NULL. */
static const char *status_field(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *line = text; line && *line;) {
		if (strncmp(line, key, n) == 0 && line[n] == ':')
			return line + n + 1 + strspn(line + n + 1, " \t");
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

/* One thread: its State letter and TracerPid. */
static int read_thread(int task_fd, const char *tid, char *ret_state,
		       pid_t *ret_tracer)
{
	char path[64], text[1024];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/status", tid);
	fd = openat(task_fd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* State is the 3rd line, TracerPid the 9th: both in the first KiB */
	n = read(fd, text, sizeof(text) - 1);
	(void)close(fd);
	if (n < 0)
		return -errno;
	text[n] = '\0';
	return sg_tracer_status_parse(text, ret_state, ret_tracer);
}

int sg_tracer_status_parse(const char *text, char *ret_state,
			   pid_t *ret_tracer)
{
	const char *state = status_field(text, "State");
	const char *tracer = status_field(text, "TracerPid");

	if (!state || !tracer)
		return -EPROTO;
	*ret_state = *state;
	*ret_tracer = (pid_t)strtol(tracer, NULL, 10);
	return 0;
}

int sg_tracer_read(int proc_fd, pid_t pid, struct sg_tracer *ret)
{
	struct sg_tracer t = { .state = '?' };
	char path[32];
	struct dirent *de;
	DIR *dir;
	int fd, seen = 0;

	snprintf(path, sizeof(path), "%d/task", (int)pid);
	fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	dir = fdopendir(fd);
	if (!dir) {
		(void)close(fd);
		return -errno;
	}
	while ((de = readdir(dir))) {
		char state;
		pid_t tracer;

		if (de->d_name[0] == '.' ||
		    read_thread(dirfd(dir), de->d_name, &state, &tracer) < 0)
			continue; /* a thread that just exited */
		seen++;
		if (t.tracer == 0 && tracer > 0) {
			t.tracer = tracer;
			t.tid = (pid_t)atoi(de->d_name);
			t.state = state;
		}
		if ((state == 't' || state == 'T') && !t.stopped) {
			t.stopped = true;
			if (!t.tracer) {
				t.tid = (pid_t)atoi(de->d_name);
				t.state = state;
			}
		}
	}
	(void)closedir(dir);
	if (!seen)
		return -ESRCH;
	*ret = t;
	return 0;
}
