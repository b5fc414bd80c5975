/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * worker.h - start a thread and learn its kernel thread id first.
 *
 * The daemon's helper threads (journal writer, hasher, verifier) open
 * files; the fanotify guard lets their opens through by thread id, so the
 * id must be known before the thread can open anything. The new thread
 * reports gettid() before it runs fn, and sg_worker_start returns only
 * then. Signals stay as the caller has them (the daemon blocks its stop
 * signals before any thread exists, so every thread inherits that mask).
 */
#ifndef SEALGUARD_WORKER_H
#define SEALGUARD_WORKER_H

#include <pthread.h>
#include <sys/types.h>

/* Run fn(arg) on a new thread. *ret_thread is set before fn runs,
 * *ret_tid before this returns. 0 or a negative errno (nothing started). */
int sg_worker_start(void *(*fn)(void *), void *arg, pthread_t *ret_thread,
		    pid_t *ret_tid);

#endif
