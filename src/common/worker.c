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

/*
 * The stack each worker gets. glibc's default is RLIMIT_STACK, 8 MB, and
 * the daemon locked every page it mapped (mlockall, before MCL_ONFAULT:
 * now only the pages a stack has used), so each worker's default stack
 * was 8 MB of locked memory, most of the daemon's RSS. The deepest stack a
 * worker builds is the verifier's walk of a protected tree, about 224
 * bytes a directory level; a path of PATH_MAX bytes holds at most 2048
 * levels, about 460 kB, and an attacker can mkdir such a tree (fanotify
 * cannot deny mkdir): 2 MB is four times that. 0: the default, kept in
 * the sanitizer builds, whose frames are several times larger and which
 * lock nothing.
 */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define WORKER_STACK 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define WORKER_STACK 0
#endif
#endif
#ifndef WORKER_STACK
#define WORKER_STACK 2097152u /* 2 MB */
#endif

int sg_worker_start(void *(*fn)(void *), void *arg, pthread_t *ret_thread,
		    pid_t *ret_tid)
{
	struct handshake h = { .lock = PTHREAD_MUTEX_INITIALIZER,
			       .told = PTHREAD_COND_INITIALIZER,
			       .fn = fn, .arg = arg };
	pthread_attr_t attr;
	pthread_t thread;
	int r;

	r = pthread_attr_init(&attr);
	if (r)
		return -r;
	r = WORKER_STACK ? pthread_attr_setstacksize(&attr, WORKER_STACK) : 0;
	if (r) {
		pthread_attr_destroy(&attr);
		return -r;
	}
	/* the lock is held across the create, so *ret_thread is written
	 * before fn can run and read it */
	pthread_mutex_lock(&h.lock);
	r = pthread_create(&thread, &attr, trampoline, &h);
	pthread_attr_destroy(&attr);
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
