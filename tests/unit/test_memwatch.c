/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_memwatch.c - the tripwire on /proc/PID/mem (src/daemon/sys/
 * memwatch.h), on real processes: a child that writes our memory through
 * /proc/PID/mem is seen as written (the byte it wrote is there), one that
 * only opens it as opened, nothing as nothing, and a forgotten target is
 * not reported; each thread's task/TID/mem is watched too. Needs root
 * (CAP_SYS_PTRACE): the children open their parent's mem file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/memwatch.h"
#include "util.h"

static int proc_fd = -1;
static volatile unsigned char target = 1;

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

/* A child opens our mem file through the host's /proc (our own, or our
 * main thread's under task/ when task is true) and writes v at &target
 * when write is true. Returns its exit status. */
static int child_opens_file(bool task, bool write, unsigned char v)
{
	pid_t parent = getpid(), pid = fork();
	int status = -1;

	assert_true(pid >= 0);
	if (pid == 0) {
		char path[64];
		int fd;

		if (task)
			snprintf(path, sizeof(path), "/proc/%d/task/%d/mem",
				 (int)parent, (int)parent);
		else
			snprintf(path, sizeof(path), "/proc/%d/mem", (int)parent);
		fd = open(path, write ? O_RDWR : O_RDONLY);
		if (fd < 0)
			_exit(1);
		if (write && pwrite(fd, &v, 1, (off_t)(uintptr_t)&target) != 1)
			_exit(2);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static int child_opens(bool write, unsigned char v)
{
	return child_opens_file(false, write, v);
}

static void test_write_seen(void **state)
{
	struct sg_memwatch w;
	unsigned bits[SG_MEM__COUNT];

	assert_int_equal(sg_memwatch_open(&w), 0);
	assert_int_equal(sg_memwatch_add(&w, proc_fd, SG_MEM_DAEMON, getpid()), 0);
	assert_int_equal(sg_memwatch_read(&w, bits), 0);
	assert_int_equal(bits[SG_MEM_DAEMON], 0);
	assert_int_equal(child_opens(true, 42), 0);
	assert_int_equal(target, 42); /* the write was real */
	assert_int_equal(sg_memwatch_read(&w, bits), 0);
	assert_true(bits[SG_MEM_DAEMON] & SG_MEM_OPENED);
	assert_true(bits[SG_MEM_DAEMON] & SG_MEM_WRITTEN);
	assert_int_equal(bits[SG_MEM_RESPONDER], 0);
	/* drained: nothing new */
	assert_int_equal(sg_memwatch_read(&w, bits), 0);
	assert_int_equal(bits[SG_MEM_DAEMON], 0);
	sg_memwatch_close(&w);
	assert_int_equal(w.inotify, -1);
}

/* The main thread's task/TID/mem is another inode, the same memory. */
static void test_task_file_seen(void **state)
{
	struct sg_memwatch w;
	unsigned bits[SG_MEM__COUNT];

	assert_int_equal(sg_memwatch_open(&w), 0);
	assert_int_equal(sg_memwatch_add(&w, proc_fd, SG_MEM_DAEMON, getpid()), 0);
	assert_int_equal(w.n, 2); /* PID/mem, task/PID/mem: one thread */
	assert_int_equal(child_opens_file(true, true, 9), 0);
	assert_int_equal(target, 9);
	assert_int_equal(sg_memwatch_read(&w, bits), 0);
	assert_true(bits[SG_MEM_DAEMON] & SG_MEM_WRITTEN);
	sg_memwatch_close(&w);
}

static void test_open_only(void **state)
{
	struct sg_memwatch w;
	unsigned bits[SG_MEM__COUNT];

	assert_int_equal(sg_memwatch_open(&w), 0);
	assert_int_equal(sg_memwatch_add(&w, proc_fd, SG_MEM_DAEMON, getpid()), 0);
	assert_int_equal(child_opens(false, 0), 0);
	assert_int_equal(sg_memwatch_read(&w, bits), 0);
	assert_int_equal(bits[SG_MEM_DAEMON], SG_MEM_OPENED);
	sg_memwatch_close(&w);
}

/* A target forgotten (the responder reaped) is not reported, even though
 * the watch may outlive the descriptor until the inode goes. */
static void test_forget(void **state)
{
	struct sg_memwatch w;
	unsigned bits[SG_MEM__COUNT];

	assert_int_equal(sg_memwatch_open(&w), 0);
	assert_int_equal(sg_memwatch_add(&w, proc_fd, SG_MEM_RESPONDER, getpid()), 0);
	sg_memwatch_forget(&w, SG_MEM_RESPONDER);
	for (unsigned i = 0; i < w.n; i++)
		assert_int_equal(w.files[i].keep, -1);
	assert_int_equal(child_opens(true, 7), 0);
	assert_int_equal(sg_memwatch_read(&w, bits), 0);
	assert_int_equal(bits[SG_MEM_RESPONDER], 0);
	sg_memwatch_close(&w);
}

static void test_gone_pid(void **state)
{
	struct sg_memwatch w;

	assert_int_equal(sg_memwatch_open(&w), 0);
	assert_int_equal(sg_memwatch_add(&w, proc_fd, SG_MEM_RESPONDER, 0x3fffffff),
			 -ENOENT);
	assert_int_equal(w.n, 0);
	sg_memwatch_close(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_seen),
		cmocka_unit_test(test_task_file_seen),
		cmocka_unit_test(test_open_only),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_gone_pid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
