/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_syscallfd.c - kept /proc/<tid>/syscall descriptors
 * (src/daemon/fan/syscallfd.h): a kept descriptor reads the thread's
 * current syscall, not the one it was opened in; a gone thread's slot
 * fails and is freed; a sweep closes only the slots not read since the
 * last one; a full table replaces by tid and leaks nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fan/syscallfd.h"
#include "util.h"

static int open_proc(void)
{
	int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/* The number of open descriptors of this process. */
static int count_fds(void)
{
	char name[32];
	int n = 0;

	for (int fd = 0; fd < 1024; fd++) {
		snprintf(name, sizeof(name), "/proc/self/fd/%d", fd);
		if (access(name, F_OK) == 0)
			n++;
	}
	return n;
}

/* The syscall number at the start of the line. */
static long nr_of(const char *line)
{
	return strtol(line, NULL, 10);
}

struct sleeper {
	int in, out; /* pipes: read a byte from in, then block in poll */
	_Atomic pid_t tid;
};

/* Blocks in read(2), then (after one byte) in nanosleep(2). */
static void *sleeper_main(void *arg)
{
	struct sleeper *s = arg;
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	char c;

	atomic_store(&s->tid, gettid());
	(void)!read(s->in, &c, 1);
	for (int i = 0; i < 50 && c != 'q'; i++) {
		(void)nanosleep(&ts, NULL);
		if (read(s->out, &c, 1) == 1 && c == 'q')
			break;
	}
	return NULL;
}

/* Poll the kept descriptor until the thread shows syscall nr. */
static bool shows(struct sg_syscall_fds *c, pid_t tid, long nr)
{
	char buf[256];

	for (int i = 0; i < 5000; i++) {
		if (sg_syscall_fds_read(c, tid, buf, sizeof(buf)) > 0 &&
		    nr_of(buf) == nr)
			return true;
		usleep(1000);
	}
	return false;
}

static void test_reread_is_current(void **state)
{
	struct sg_syscall_fds c;
	struct sleeper s = { .tid = 0 };
	int in[2], out[2], fd;
	pthread_t th;
	(void)state;

	sg_syscall_fds_init(&c, open_proc());
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	assert_int_equal(pipe2(out, O_CLOEXEC | O_NONBLOCK), 0);
	s.in = in[0];
	s.out = out[0];
	assert_int_equal(pthread_create(&th, NULL, sleeper_main, &s), 0);
	while (atomic_load(&s.tid) == 0)
		sched_yield();
	assert_true(shows(&c, s.tid, SYS_read));
	fd = c.slot[(unsigned)s.tid % SG_SYSCALL_FDS].fd;
	assert_true(fd >= 0);
	assert_int_equal(write(in[1], "x", 1), 1);
	/* the same descriptor now shows the thread's next syscall */
	assert_true(shows(&c, s.tid, SYS_nanosleep) ||
		    shows(&c, s.tid, SYS_clock_nanosleep));
	assert_int_equal(c.slot[(unsigned)s.tid % SG_SYSCALL_FDS].fd, fd);
	assert_int_equal(write(out[1], "q", 1), 1);
	assert_int_equal(pthread_join(th, NULL), 0);
	sg_syscall_fds_close(&c);
	(void)close(c.procfd);
	for (int i = 0; i < 2; i++) {
		(void)close(in[i]);
		(void)close(out[i]);
	}
}

static void *quick_main(void *arg)
{
	atomic_store((_Atomic pid_t *)arg, gettid());
	return NULL;
}

/* pthread_join returns when the kernel clears the thread's tid word,
 * which it does early in exit, before the task is unhashed from /proc:
 * wait (up to 5 s) until /proc/<tid> is really gone. */
static void wait_reaped(pid_t tid)
{
	struct timespec pause = { 0, 1000000 };
	char name[32];

	snprintf(name, sizeof(name), "/proc/%d", (int)tid);
	for (int i = 0; i < 5000 && access(name, F_OK) == 0; i++)
		(void)nanosleep(&pause, NULL);
	assert_int_equal(access(name, F_OK), -1);
}

/* A thread that exited: its kept descriptor fails, the slot is freed. */
static void test_gone_thread(void **state)
{
	struct sg_syscall_fds c;
	_Atomic pid_t tid = 0;
	char buf[256];
	pthread_t th;
	int before;
	ssize_t n;
	(void)state;

	sg_syscall_fds_init(&c, open_proc());
	before = count_fds();
	assert_int_equal(pthread_create(&th, NULL, quick_main, &tid), 0);
	while (atomic_load(&tid) == 0)
		sched_yield();
	/* read it while it may still be alive; it exits right after */
	(void)sg_syscall_fds_read(&c, tid, buf, sizeof(buf));
	assert_int_equal(pthread_join(th, NULL), 0);
	wait_reaped(tid);
	/* a reaped thread: no thread of ours has this tid */
	n = sg_syscall_fds_read(&c, tid, buf, sizeof(buf));
	assert_true(n == -ESRCH || n == -ENOENT);
	assert_int_equal(c.slot[(unsigned)tid % SG_SYSCALL_FDS].tid, 0);
	assert_int_equal(c.slot[(unsigned)tid % SG_SYSCALL_FDS].fd, -1);
	assert_int_equal(count_fds(), before);
	assert_int_equal(sg_syscall_fds_read(&c, 0, buf, sizeof(buf)), -EINVAL);
	sg_syscall_fds_close(&c);
	(void)close(c.procfd);
}

/* A new table that has read our own syscall once; *before: the
 * descriptor count before that read. */
static void table_with_self(struct sg_syscall_fds *c, int *before)
{
	char buf[256];

	sg_syscall_fds_init(c, open_proc());
	*before = count_fds();
	assert_true(sg_syscall_fds_read(c, gettid(), buf, sizeof(buf)) > 0);
	assert_int_equal(nr_of(buf), SYS_pread64);
}

/* A sweep closes the slots not read since the previous sweep only. */
static void test_sweep(void **state)
{
	struct sg_syscall_fds c;
	pid_t self = gettid();
	int before;
	(void)state;

	table_with_self(&c, &before);
	assert_int_equal(count_fds(), before + 1);
	sg_syscall_fds_sweep(&c); /* read since the last: kept */
	assert_int_equal(count_fds(), before + 1);
	assert_int_equal(c.slot[(unsigned)self % SG_SYSCALL_FDS].tid, self);
	sg_syscall_fds_sweep(&c); /* not read since: closed */
	assert_int_equal(count_fds(), before);
	assert_int_equal(c.slot[(unsigned)self % SG_SYSCALL_FDS].tid, 0);
	sg_syscall_fds_close(&c);
	(void)close(c.procfd);
}

/* Two tids of one slot replace each other; the table holds at most one
 * descriptor a slot, and closing it leaves none. */
static void test_slot_replaced(void **state)
{
	struct sg_syscall_fds c;
	pid_t self = gettid(), other = getppid();
	char buf[256];
	int before;
	(void)state;

	table_with_self(&c, &before);
	/* pretend the parent hashes to our slot: the slot is re-opened */
	c.slot[(unsigned)other % SG_SYSCALL_FDS] =
		c.slot[(unsigned)self % SG_SYSCALL_FDS];
	if ((unsigned)other % SG_SYSCALL_FDS != (unsigned)self % SG_SYSCALL_FDS)
		c.slot[(unsigned)self % SG_SYSCALL_FDS] =
			(struct sg_syscall_fd){ 0, -1, false };
	assert_true(sg_syscall_fds_read(&c, other, buf, sizeof(buf)) > 0);
	assert_int_equal(c.slot[(unsigned)other % SG_SYSCALL_FDS].tid, other);
	assert_int_equal(count_fds(), before + 1);
	sg_syscall_fds_close(&c);
	assert_int_equal(count_fds(), before);
	(void)close(c.procfd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reread_is_current),
		cmocka_unit_test(test_gone_thread),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_slot_replaced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
