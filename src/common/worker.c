/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * worker.c - threads whose id is known before they run (see worker.h).
 */
#include "util.h"
#include "worker.h"

struct handshake {
	pthread_mutex_t lock;
	pthread_cond_t told;
	pid_t tid;
	void *(*fn)(void *);
	void *arg;
};

/* Tell the starter our id, then become fn. The handshake lives on the
 * starter's stack: it is not touched after the unlock. */
static void *trampoline(void *p)
{
	struct handshake *h = p;
	void *(*fn)(void *) = h->fn;
	void *arg = h->arg;

	pthread_mutex_lock(&h->lock);
	h->tid = gettid();
	pthread_cond_signal(&h->told);
	pthread_mutex_unlock(&h->lock);
	return fn(arg);
}

int sg_worker_start(void *(*fn)(void *), void *arg, pthread_t *ret_thread,
		    pid_t *ret_tid)
{
	struct handshake h = { .lock = PTHREAD_MUTEX_INITIALIZER,
			       .told = PTHREAD_COND_INITIALIZER,
			       .fn = fn, .arg = arg };
	pthread_t thread;
	int r;

	/* the lock is held across the create, so *ret_thread is written
	 * before fn can run and read it */
	pthread_mutex_lock(&h.lock);
	r = pthread_create(&thread, NULL, trampoline, &h);
	if (r) {
		pthread_mutex_unlock(&h.lock);
		return -r;
	}
	*ret_thread = thread;
	while (!h.tid)
		pthread_cond_wait(&h.told, &h.lock);
	*ret_tid = h.tid;
	pthread_mutex_unlock(&h.lock);
	pthread_cond_destroy(&h.told);
	pthread_mutex_destroy(&h.lock);
	return 0;
}
