/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * maint_request.c - the CLI's side of the maintenance window's record
 * (maintenance.h): write a request, signal the daemon, wait for the
 * answer that carries the request's id.
 */
#include <fcntl.h>
#include <signal.h>

#include "clock.h"
#include "maint.h"
#include "maintenance.h"
#include "procstat.h"
#include "statefile.h"

/* How long the daemon has to answer: it reads the record on its loop,
 * between permission events. */
#define ANSWER_WAIT_MS 5000
#define ANSWER_POLL_US 10000

int mt_open(struct mt_window *w, const char *state_dir, pid_t daemon)
{
	_cleanup_free_ char *path = NULL;

	*w = (struct mt_window){ .fd = -1, .daemon = daemon };
	snprintf(w->id, sizeof(w->id), "%d-%" PRIu64, (int)getpid(),
		 sg_realtime_us());
	if (asprintf(&path, "%s/%s", state_dir, SG_MAINT_RECORD) < 0)
		return -ENOMEM;
	/* never created here: the daemon makes it, root's and 0600 */
	w->fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (w->fd < 0)
		return -errno;
	return 0;
}

void mt_close(struct mt_window *w)
{
	if (w->fd >= 0)
		(void)close(w->fd);
	w->fd = -1;
}

/* Our own start time, which names this process to the daemon. */
static int own_start(unsigned long long *ret)
{
	char buf[1024];
	struct sg_proc_stat f;
	ssize_t n;
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	(void)close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EPROTO;
	buf[n] = '\0';
	if (sg_proc_stat_fields(buf, &f) < 0)
		return -EPROTO;
	*ret = f.start;
	return 0;
}

/* Write body as the request and signal the daemon. */
static int send_request(const struct mt_window *w, const char *body)
{
	int r = sg_record_write(w->fd, SG_MAINT_RECORD_SIZE, sg_realtime_us(),
				body);

	if (r < 0)
		return r;
	if (kill(w->daemon, SIGUSR1) < 0)
		return -errno;
	return 0;
}

/* The record's answer to our id, if it holds one now: 0 with the answer
 * in what and its reason in why, or -EAGAIN. */
static int current_answer(const struct mt_window *w, char *what,
			  size_t wsize, char *why, size_t ysize)
{
	char rec[SG_MAINT_RECORD_SIZE + 1], id[sizeof(w->id)];
	ssize_t n = pread(w->fd, rec, SG_MAINT_RECORD_SIZE, 0);

	if (n <= 0)
		return -EAGAIN;
	rec[n] = '\0';
	if (!sg_state_whole(rec) || !sg_state_get(rec, "id", id, sizeof(id)) ||
	    !streq(id, w->id) || !sg_state_get(rec, "answer", what, wsize))
		return -EAGAIN;
	if (!sg_state_get(rec, "why", why, ysize))
		why[0] = '\0';
	return 0;
}

/* Wait for the daemon's answer to our id: 0, or -ETIMEDOUT. */
static int wait_answer(const struct mt_window *w, char *what, size_t wsize,
		       char *why, size_t ysize)
{
	uint64_t until = sg_now_ms() + ANSWER_WAIT_MS;

	do {
		if (current_answer(w, what, wsize, why, ysize) == 0)
			return 0;
		(void)usleep(ANSWER_POLL_US);
	} while (sg_now_ms() < until);
	return -ETIMEDOUT;
}

int mt_request_open(struct mt_window *w, unsigned seconds, char *why,
		    size_t size)
{
	char body[256], what[16];
	unsigned long long start = 0;
	int r = own_start(&start);

	if (r < 0) {
		snprintf(why, size, "cannot read /proc/self/stat: %s", strerror(-r));
		return r;
	}
	snprintf(body, sizeof(body),
		 "request=open\nid=%s\npid=%d\nstart=%llu\nseconds=%u\n", w->id,
		 (int)getpid(), start, seconds);
	r = send_request(w, body);
	if (r == 0)
		r = wait_answer(w, what, sizeof(what), why, size);
	if (r == -ETIMEDOUT)
		snprintf(why, size, "sealguardd (pid %d) did not answer in %d s",
			 (int)w->daemon, ANSWER_WAIT_MS / 1000);
	else if (r < 0)
		snprintf(why, size, "cannot ask sealguardd (pid %d): %s",
			 (int)w->daemon, strerror(-r));
	else if (!streq(what, "open"))
		r = -EPERM; /* refused: why says why */
	return r;
}

int mt_request_close(struct mt_window *w, char *why, size_t size)
{
	char body[128], what[16];
	int r;

	/* the daemon closed it already (its bound, the command's end seen
	 * first) and said so under our id */
	if (current_answer(w, what, sizeof(what), why, size) == 0 &&
	    streq(what, "closed"))
		return -ECANCELED;
	snprintf(body, sizeof(body), "request=close\nid=%s\n", w->id);
	r = send_request(w, body);
	/* our own request is in the record until the daemon answers it */
	if (r == 0)
		r = wait_answer(w, what, sizeof(what), why, size);
	if (r == 0 && !streq(what, "closed"))
		r = -EPERM;
	return r;
}
