/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_memwatch.c - the tripwire on /proc/PID/mem (src/daemon/sys/
 * memwatch.h), on real processes: a child that writes our memory through
 * /proc/PID/mem is seen as written (the byte it wrote is there), one that
 * only opens it as opened, nothing as nothing, and a forgotten target is
 * not reported. Needs root (or a dumpable parent): the children open our
 * mem file.
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

/* A child opens our mem file through the host's /proc: and writes v at
 * &target when write is true. Returns its exit status. */
static int child_opens(bool write, unsigned char v)
{
	pid_t parent = getpid(), pid = fork();
	int status = -1;

	assert_true(pid >= 0);
	if (pid == 0) {
		char path[64];
		int fd;

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
	assert_int_equal(w.keep[SG_MEM_RESPONDER], -1);
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
	assert_int_equal(w.keep[SG_MEM_RESPONDER], -1);
	assert_int_equal(w.wd[SG_MEM_RESPONDER], -1);
	sg_memwatch_close(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_seen),
		cmocka_unit_test(test_open_only),
		cmocka_unit_test(test_forget),
		cmocka_unit_test(test_gone_pid),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
