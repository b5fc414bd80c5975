/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_procinfo.c - an interpreter's arguments (src/daemon/sys/
 * procinfo.h): which file names /proc/<pid>/cmdline holds after argv[0],
 * from byte strings as the kernel gives them, and from a real child
 * whose arguments we chose, including one too long to be read whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/procinfo.h"
#include "util.h"

static int proc_fd = -1;

static int setup(void **state)
{
	(void)state;
	proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	return proc_fd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	(void)close(proc_fd);
	return 0;
}

/* sizeof - 1: the string literal's own NUL is not the kernel's */
#define NAMES(lit, base) sg_cmdline_names(lit, sizeof(lit) - 1, base)

static void test_names(void **state)
{
	(void)state;
	assert_true(NAMES("sh\0/tmp/evil\0", "evil"));
	assert_true(NAMES("sh\0evil\0", "evil"));
	assert_true(NAMES("sh\0-e\0./x/evil\0", "evil"));
	assert_true(NAMES("python3\0-u\0/a/b\0/tmp/evil\0", "evil"));
	/* without the final NUL (a process that rewrote its arguments) */
	assert_true(NAMES("sh\0/tmp/evil", "evil"));
	/* argv[0] is the interpreter, never the script */
	assert_false(NAMES("/tmp/evil\0", "evil"));
	assert_false(NAMES("evil\0-c\0true\0", "evil"));
	/* a name is matched whole, after the last slash */
	assert_false(NAMES("sh\0/tmp/evil2\0", "evil"));
	assert_false(NAMES("sh\0/tmp/xevil\0", "evil"));
	assert_false(NAMES("sh\0/tmp/evil/\0", "evil"));
	/* what follows the last slash of "-c" code counts too: the guard
	 * then judges "sh -c '. /tmp/evil'" as the script it is */
	assert_true(NAMES("sh\0-c\0. /tmp/evil\0", "evil"));
	assert_false(NAMES("sh\0-c\0. /tmp/evil; true\0", "evil"));
	assert_false(NAMES("sh\0\0\0", "evil"));
	assert_false(NAMES("sh\0/tmp/evil\0", ""));
	assert_false(sg_cmdline_names("", 0, "evil"));
	assert_false(NAMES("no NUL at all", "all"));
}

/* A shell that waits, with argv[] after "sh -c 'sleep 30; :'" */
static pid_t spawn_sleeper(char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		execv("/bin/sh", argv);
		_exit(127);
	}
	assert_true(pid > 0);
	/* until the exec is done, /proc shows our own arguments */
	for (int i = 0; i < 1000; i++) {
		char path[64], comm[32] = "";
		int fd;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			ssize_t n = read(fd, comm, sizeof(comm) - 1);

			(void)close(fd);
			if (n > 0 && strcmp(comm, "sh\n") == 0)
				return pid;
		}
		usleep(1000);
	}
	fail_msg("the child did not exec sleep");
	return -1;
}

static void reap(pid_t pid)
{
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);
}

static void test_real_process(void **state)
{
	char *argv[] = { "sh", "-c", "sleep 30; :", "sh", "/tmp/some-script",
			 NULL };
	pid_t pid;

	(void)state;
	pid = spawn_sleeper(argv);
	assert_int_equal(sg_proc_args_name(proc_fd, pid, "some-script"), 1);
	assert_int_equal(sg_proc_args_name(proc_fd, pid, "-c"), 1);
	assert_int_equal(sg_proc_args_name(proc_fd, pid, "sleep"), 0);
	assert_int_equal(sg_proc_args_name(proc_fd, pid, "other"), 0);
	reap(pid);
	/* gone: an error, which the guard takes as "named" (fail closed) */
	assert_true(sg_proc_args_name(proc_fd, pid, "some-script") < 0);
}

static void test_too_long(void **state)
{
	_cleanup_free_ char *pad = malloc(SG_CMDLINE_MAX);
	char *argv[] = { "sh", "-c", "sleep 30; :", pad, "/tmp/late", NULL };
	pid_t pid;

	(void)state;
	assert_non_null(pad);
	memset(pad, 'x', SG_CMDLINE_MAX - 1);
	pad[SG_CMDLINE_MAX - 1] = '\0';
	pid = spawn_sleeper(argv);
	assert_int_equal(sg_proc_args_name(proc_fd, pid, "late"), -E2BIG);
	reap(pid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_real_process),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
