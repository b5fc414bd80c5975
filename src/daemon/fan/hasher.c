/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hasher.c - one worker thread hashing file descriptors. See hasher.h.
 */
#include <pthread.h>
#include <sys/eventfd.h>

#include "fan/hasher.h"
#include "worker.h"
#include "util.h"

struct job {
	int fd;
	void *cookie;
	int r;
	uint64_t size;
	unsigned char sha[SG_SHA256_LEN];
	struct job *next;
};

struct job_list {
	struct job *head, *tail;
};

struct sg_hasher {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	pid_t tid;
	bool started, stopping;
	int event_fd;
	unsigned queue_len, pending; /* pending: submitted, not collected */
	struct job_list todo, done;
};

static void list_push(struct job_list *l, struct job *j)
{
	j->next = NULL;
	if (l->tail)
		l->tail->next = j;
	else
		l->head = j;
	l->tail = j;
}

static struct job *list_pop(struct job_list *l)
{
	struct job *j = l->head;

	if (j) {
		l->head = j->next;
		if (!l->head)
			l->tail = NULL;
	}
	return j;
}

static void *worker_main(void *arg)
{
	struct sg_hasher *h = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		struct job *j;

		while (!h->todo.head && !h->stopping)
			pthread_cond_wait(&h->wake, &h->lock);
		j = list_pop(&h->todo);
		if (!j)
			break; /* stopping, and nothing left to do */
		pthread_mutex_unlock(&h->lock);
		j->r = sg_sha256_fd(j->fd, j->sha, &j->size);
		pthread_mutex_lock(&h->lock);
		list_push(&h->done, j);
		/* an eventfd counter cannot block before 2^64 - 2 */
		(void)!write(h->event_fd, &one, sizeof(one));
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

int sg_hasher_start(unsigned queue_len, struct sg_hasher **ret)
{
	struct sg_hasher *h = calloc(1, sizeof(*h));
	int r;

	if (!h)
		return -ENOMEM;
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->wake, NULL);
	h->queue_len = queue_len;
	h->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (h->event_fd < 0) {
		r = -errno;
		sg_hasher_free(h);
		return r;
	}
	r = sg_worker_start(worker_main, h, &h->thread, &h->tid);
	if (r < 0) {
		sg_hasher_free(h);
		return r;
	}
	h->started = true;
	*ret = h;
	return 0;
}

int sg_hasher_fd(const struct sg_hasher *h)
{
	return h->event_fd;
}

pid_t sg_hasher_tid(const struct sg_hasher *h)
{
	return h->tid;
}

int sg_hasher_submit(struct sg_hasher *h, int fd, void *cookie)
{
	struct job *j;

	if (h->pending >= h->queue_len || h->stopping)
		return -EAGAIN;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -ENOMEM;
	j->fd = fd;
	j->cookie = cookie;
	pthread_mutex_lock(&h->lock);
	list_push(&h->todo, j);
	h->pending++;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

void sg_hasher_collect(struct sg_hasher *h, sg_hasher_done_cb cb,
		       void *userdata)
{
	struct job_list done;
	uint64_t count;

	(void)!read(h->event_fd, &count, sizeof(count));
	pthread_mutex_lock(&h->lock);
	done = h->done;
	h->done = (struct job_list){ 0 };
	pthread_mutex_unlock(&h->lock);
	for (struct job *j = list_pop(&done); j; j = list_pop(&done)) {
		h->pending--;
		cb(j->cookie, j->r, j->sha, j->size, userdata);
		free(j);
	}
}

unsigned sg_hasher_pending(const struct sg_hasher *h)
{
	return h->pending;
}

void sg_hasher_stop(struct sg_hasher *h)
{
	if (!h || !h->started)
		return;
	pthread_mutex_lock(&h->lock);
	h->stopping = true;
	pthread_cond_signal(&h->wake);
	pthread_mutex_unlock(&h->lock);
	(void)pthread_join(h->thread, NULL);
	h->started = false;
}

void sg_hasher_free(struct sg_hasher *h)
{
	struct job *j;

	if (!h)
		return;
	sg_hasher_stop(h);
	while ((j = list_pop(&h->todo)))
		free(j);
	while ((j = list_pop(&h->done)))
		free(j);
	if (h->event_fd >= 0)
		(void)close(h->event_fd);
	pthread_mutex_destroy(&h->lock);
	pthread_cond_destroy(&h->wake);
	free(h);
}
