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
/* the script the shells of the tests run */
static char dir[] = "/tmp/test_procinfo.XXXXXX";
static char script[sizeof(dir) + 16];

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
	if (script[0]) {
		(void)unlink(script);
		(void)rmdir(dir);
	}
	return 0;
}

/* sizeof - 1: the string literal's own NUL is not the kernel's */
#define NAMES(lit, base) sg_cmdline_names(lit, sizeof(lit) - 1, base)

static void test_names(void **state)
{
	(void)state;
	/* the script: the first argument that is not an option */
	assert_true(NAMES("sh\0/tmp/evil\0", "evil"));
	assert_true(NAMES("sh\0evil\0", "evil"));
	assert_true(NAMES("sh\0-e\0./x/evil\0", "evil"));
	assert_true(NAMES("sh\0-ex\0+x\0evil\0data\0", "evil"));
	assert_true(NAMES("python3\0-u\0-B\0/tmp/evil\0", "evil"));
	assert_true(NAMES("python3\0-Wignore\0/tmp/evil\0", "evil"));
	assert_true(NAMES("perl\0-w\0-Mstrict\0-I/tmp\0/tmp/evil\0", "evil"));
	assert_true(NAMES("sh\0--\0-evil\0", "-evil"));
	assert_true(NAMES("bash\0--norc\0/tmp/evil\0", "evil"));
	/* after an option that may take a value, either reading */
	assert_true(NAMES("bash\0-O\0extglob\0/tmp/evil\0", "evil"));
	assert_true(NAMES("python3\0-O\0/tmp/evil\0", "evil"));
	assert_true(NAMES("sh\0-o\0errexit\0/tmp/evil\0", "evil"));
	assert_true(NAMES("bash\0--rcfile\0/tmp/rc\0/tmp/evil\0", "evil"));
	assert_true(NAMES("python3\0-W\0error\0/tmp/evil\0", "evil"));
	/* without the final NUL (a process that rewrote its arguments) */
	assert_true(NAMES("sh\0/tmp/evil", "evil"));
	/* the arguments a script is given are its data, not scripts */
	assert_false(NAMES("sh\0/usr/bin/tool.sh\0/tmp/evil\0", "evil"));
	assert_false(NAMES("python3\0-u\0t.py\0-x\0/tmp/evil\0", "evil"));
	/* no script file: code on the command line, a module, stdin */
	assert_false(NAMES("sh\0-c\0. /tmp/evil\0", "evil"));
	assert_false(NAMES("sh\0-c\0cmd\0sh\0/tmp/evil\0", "evil"));
	assert_false(NAMES("sh\0-ec\0cmd\0/tmp/evil\0", "evil"));
	assert_false(NAMES("perl\0-lne\0print\0/tmp/evil\0", "evil"));
	assert_false(NAMES("python3\0-m\0evil\0", "evil"));
	assert_false(NAMES("python3\0-\0/tmp/evil\0", "evil"));
	/* argv[0] is the interpreter, never the script */
	assert_false(NAMES("/tmp/evil\0", "evil"));
	/* a name is matched whole, after the last slash */
	assert_false(NAMES("sh\0/tmp/evil2\0", "evil"));
	assert_false(NAMES("sh\0/tmp/xevil\0", "evil"));
	assert_false(NAMES("sh\0/tmp/evil/\0", "evil"));
	assert_false(NAMES("sh\0\0\0", "evil"));
	assert_false(NAMES("sh\0/tmp/evil\0", ""));
	assert_false(sg_cmdline_names("", 0, "evil"));
	assert_false(NAMES("no NUL at all", "all"));
}

/* A shell running the script "some-script" (it sleeps) with argv[]. */
static pid_t spawn_sleeper(char *const argv[])
{
	pid_t pid;
	FILE *f;

	if (!script[0]) {
		assert_non_null(mkdtemp(dir));
		snprintf(script, sizeof(script), "%s/some-script", dir);
		f = fopen(script, "we");
		assert_non_null(f);
		fputs("sleep 30\n", f);
		assert_int_equal(fclose(f), 0);
	}
	pid = fork();

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
	char *argv[] = { "sh", "-e", script, "/tmp/data", NULL };
	pid_t pid;

	(void)state;
	pid = spawn_sleeper(argv);
	assert_int_equal(sg_proc_args_name(proc_fd, pid, "some-script"), 1);
	assert_int_equal(sg_proc_args_name(proc_fd, pid, "data"), 0);
	assert_int_equal(sg_proc_args_name(proc_fd, pid, "sh"), 0);
	assert_int_equal(sg_proc_args_name(proc_fd, pid, "other"), 0);
	reap(pid);
	/* gone: an error, which the guard takes as "named" (fail closed) */
	assert_true(sg_proc_args_name(proc_fd, pid, "some-script") < 0);
}

static void test_too_long(void **state)
{
	_cleanup_free_ char *pad = malloc(SG_CMDLINE_MAX);
	char *argv[] = { "sh", "-e", script, pad, NULL };
	pid_t pid;

	(void)state;
	assert_non_null(pad);
	memset(pad, 'x', SG_CMDLINE_MAX - 1);
	pad[SG_CMDLINE_MAX - 1] = '\0';
	pid = spawn_sleeper(argv);
	assert_int_equal(sg_proc_args_name(proc_fd, pid, "some-script"), -E2BIG);
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
