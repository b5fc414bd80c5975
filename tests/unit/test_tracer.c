/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_tracer.c - a process's tracer and stop state (src/daemon/sys/
 * tracer.h), on real processes: ourselves (neither), a child stopped by
 * SIGSTOP (stopped, no tracer), a child we PTRACE_SEIZE (traced by us,
 * running), a thread of a child seized alone (the tracer is found on that
 * thread, not on the main one), and a pid that is gone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "sys/tracer.h"
#include "util.h"

static int proc_fd = -1;

static int setup(void **state)
{
	proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return proc_fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)close(proc_fd);
	return 0;
}

/* A child that waits to be killed. */
static pid_t spawn_sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		for (;;)
			pause();
	}
	assert_true(pid > 0);
	return pid;
}

static void reap(pid_t pid)
{
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, __WALL);
}

static void test_self_is_neither(void **state)
{
	struct sg_tracer t;

	assert_int_equal(sg_tracer_read(proc_fd, getpid(), &t), 0);
	assert_int_equal(t.tracer, 0);
	assert_false(t.stopped);
}

static void test_sigstop_is_stopped(void **state)
{
	pid_t pid = spawn_sleeper();
	struct sg_tracer t;
	int status;

	assert_int_equal(kill(pid, SIGSTOP), 0);
	assert_int_equal(waitpid(pid, &status, WUNTRACED), pid);
	assert_true(WIFSTOPPED(status));
	assert_int_equal(sg_tracer_read(proc_fd, pid, &t), 0);
	assert_true(t.stopped);
	assert_int_equal(t.state, 'T');
	assert_int_equal(t.tracer, 0);
	assert_int_equal(t.tid, pid);
	reap(pid);
}

static void test_seize_is_traced_not_stopped(void **state)
{
	pid_t pid = spawn_sleeper();
	struct sg_tracer t;

	assert_int_equal(ptrace(PTRACE_SEIZE, pid, NULL, NULL), 0);
	assert_int_equal(sg_tracer_read(proc_fd, pid, &t), 0);
	assert_int_equal(t.tracer, getpid());
	assert_int_equal(t.tid, pid);
	assert_false(t.stopped);
	reap(pid);
}

static void *park(void *arg)
{
	int *fds = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);

	if (write(fds[1], &tid, sizeof(tid)) != sizeof(tid))
		_exit(1);
	for (;;)
		pause();
	return NULL;
}

/* A child with a second thread; its tid comes back over a pipe. */
static pid_t spawn_threaded(pid_t *ret_tid)
{
	int fds[2];
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		pthread_t th;

		if (pthread_create(&th, NULL, park, fds) != 0)
			_exit(1);
		for (;;)
			pause();
	}
	assert_true(pid > 0);
	assert_int_equal(read(fds[0], ret_tid, sizeof(*ret_tid)),
			 sizeof(*ret_tid));
	(void)close(fds[0]);
	(void)close(fds[1]);
	return pid;
}

static void test_one_thread_seized(void **state)
{
	pid_t tid, pid = spawn_threaded(&tid);
	struct sg_tracer t;

	assert_int_not_equal(tid, pid);
	assert_int_equal(ptrace(PTRACE_SEIZE, tid, NULL, NULL), 0);
	assert_int_equal(sg_tracer_read(proc_fd, pid, &t), 0);
	assert_int_equal(t.tracer, getpid());
	assert_int_equal(t.tid, tid);
	/* the traced thread is ours to reap before its group can be */
	(void)kill(pid, SIGKILL);
	(void)waitpid(tid, NULL, __WALL);
	(void)waitpid(pid, NULL, __WALL);
}

static void test_gone_is_esrch(void **state)
{
	pid_t pid = spawn_sleeper();
	struct sg_tracer t = { .tracer = 42 };

	reap(pid);
	assert_int_equal(sg_tracer_read(proc_fd, pid, &t), -ESRCH);
	assert_int_equal(t.tracer, 42); /* untouched on failure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self_is_neither),
		cmocka_unit_test(test_sigstop_is_stopped),
		cmocka_unit_test(test_seize_is_traced_not_stopped),
		cmocka_unit_test(test_one_thread_seized),
		cmocka_unit_test(test_gone_is_esrch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
