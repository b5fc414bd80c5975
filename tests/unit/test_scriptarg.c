/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_scriptarg.c - an interpreter's script from its command line
 * (src/daemon/sys/scriptarg.h): each family's options read as that
 * interpreter reads them, from byte strings as the kernel gives them;
 * then real shells whose arguments we chose, a command line too long to
 * be read whole, busybox's applet, and a process that is gone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/scriptarg.h"
#include "util.h"

static int proc_fd = -1;
/* the script the shells of the tests run (it sleeps) */
static char dir[] = "/tmp/test_scriptarg.XXXXXX";
static char script[sizeof(dir) + 16];

static int setup(void **state)
{
	FILE *f;

	(void)state;
	proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (proc_fd < 0 || !mkdtemp(dir))
		return -1;
	snprintf(script, sizeof(script), "%s/some-script", dir);
	f = fopen(script, "we");
	if (!f)
		return -1;
	fputs("sleep 30\n", f);
	return fclose(f) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	(void)close(proc_fd);
	(void)unlink(script);
	(void)rmdir(dir);
	return 0;
}

/* sizeof - 1: the literal's own NUL is not the kernel's */
#define IS(f, lit, base) sg_script_arg_is(lit, sizeof(lit) - 1, f, base)
#define SHELL(lit) IS(SG_INTERP_SHELL, lit, "evil")
#define PYTHON(lit) IS(SG_INTERP_PYTHON, lit, "evil")
#define PERL(lit) IS(SG_INTERP_PERL, lit, "evil")
#define OTHER(lit) IS(SG_INTERP_OTHER, lit, "evil")

static void test_shell(void **state)
{
	(void)state;
	assert_true(SHELL("sh\0/tmp/evil\0"));
	assert_true(SHELL("sh\0evil\0"));
	assert_true(SHELL("sh\0-e\0./x/evil\0"));
	assert_true(SHELL("sh\0-ex\0+x\0evil\0data\0"));
	assert_true(SHELL("bash\0--norc\0/tmp/evil\0"));
	assert_true(SHELL("sh\0--\0-evil\0") == false);
	assert_true(IS(SG_INTERP_SHELL, "sh\0--\0-evil\0", "-evil"));
	/* -o and bash's -O take a value; it is tried as the script too */
	assert_true(SHELL("sh\0-o\0errexit\0/tmp/evil\0"));
	assert_true(SHELL("bash\0-O\0extglob\0/tmp/evil\0"));
	assert_true(SHELL("bash\0-O\0/tmp/evil\0"));
	assert_true(SHELL("bash\0--rcfile\0/tmp/rc\0/tmp/evil\0"));
	/* a script's own arguments are its data */
	assert_false(SHELL("sh\0/usr/bin/job.sh\0/tmp/evil\0"));
	/* no script file: -c code, -s standard input, "-" */
	assert_false(SHELL("sh\0-c\0. /tmp/evil\0"));
	assert_false(SHELL("sh\0-c\0cmd\0sh\0/tmp/evil\0"));
	assert_false(SHELL("sh\0-ec\0cmd\0/tmp/evil\0"));
	assert_false(SHELL("sh\0-s\0/tmp/evil\0"));
	assert_false(SHELL("sh\0-\0/tmp/evil\0"));
}

static void test_python(void **state)
{
	(void)state;
	assert_true(PYTHON("python3\0/tmp/evil\0"));
	assert_true(PYTHON("python3\0-u\0-B\0/tmp/evil\0"));
	assert_true(PYTHON("python3\0-O\0/tmp/evil\0")); /* -O takes none */
	assert_true(PYTHON("python3\0-OO\0-E\0-s\0/tmp/evil\0"));
	assert_true(PYTHON("python3\0-Wignore\0/tmp/evil\0"));
	assert_true(PYTHON("python3\0-W\0error\0/tmp/evil\0"));
	assert_true(PYTHON("python3\0-X\0dev\0/tmp/evil\0"));
	assert_false(PYTHON("python3\0-u\0t.py\0/tmp/evil\0"));
	assert_false(PYTHON("python3\0-c\0code\0/tmp/evil\0"));
	assert_false(PYTHON("python3\0-Bc\0code\0/tmp/evil\0"));
	assert_false(PYTHON("python3\0-m\0evil\0"));
	assert_false(PYTHON("python3\0-\0/tmp/evil\0"));
}

static void test_perl(void **state)
{
	(void)state;
	assert_true(PERL("perl\0/tmp/evil\0"));
	assert_true(PERL("perl\0-w\0-Mstrict\0-I/tmp\0/tmp/evil\0"));
	assert_true(PERL("perl\0-I\0/lib\0/tmp/evil\0"));
	assert_true(PERL("perl\0-l\0-0777\0-s\0/tmp/evil\0"));
	assert_true(PERL("perl\0-x/tmp\0/tmp/evil\0"));
	/* -e code, also in a cluster; -i takes the rest ("-pie" is -i "e") */
	assert_false(PERL("perl\0-e\0print\0/tmp/evil\0"));
	assert_false(PERL("perl\0-lne\0print\0/tmp/evil\0"));
	assert_false(PERL("perl\0-E\0say 1\0/tmp/evil\0"));
	assert_true(PERL("perl\0-pie\0/tmp/evil\0"));
}

static void test_other(void **state)
{
	(void)state;
	/* options unknown: each may take the next argument, tried too */
	assert_true(OTHER("ruby\0/tmp/evil\0"));
	assert_true(OTHER("ruby\0-w\0/tmp/evil\0"));
	assert_true(OTHER("node\0-r\0mod\0/tmp/evil\0"));
	assert_true(OTHER("ruby\0-e\0/tmp/evil\0"));
	assert_false(OTHER("ruby\0script.rb\0/tmp/evil\0"));
}

static void test_edges(void **state)
{
	(void)state;
	/* argv[0] is the interpreter, never the script */
	assert_false(SHELL("/tmp/evil\0"));
	/* a name is matched whole, after the last slash */
	assert_false(SHELL("sh\0/tmp/evil2\0"));
	assert_false(SHELL("sh\0/tmp/xevil\0"));
	assert_false(SHELL("sh\0/tmp/evil/\0"));
	assert_false(SHELL("sh\0\0\0"));
	assert_false(IS(SG_INTERP_SHELL, "sh\0/tmp/evil\0", ""));
	assert_false(sg_script_arg_is("", 0, SG_INTERP_SHELL, "evil"));
	assert_false(SHELL("no NUL at all"));
	/* without the final NUL (a process that rewrote its arguments) */
	assert_true(SHELL("sh\0/tmp/evil"));
	/* an option longer than what decides its kind */
	assert_true(PYTHON("python3\0-Wignore::DeprecationWarning:some.module.with.a.long.name\0/tmp/evil\0"));
}

/*
 * Has pid's exec of argv finished: does /proc/<pid>/cmdline start with
 * argv[0] and argv[1]? The kernel names the task (comm) before it sets
 * the new command line, so comm alone would let a test read an empty one.
 */
static bool shows_args(pid_t pid, char *const argv[])
{
	char path[64], got[256], want[256];
	int fd, len;
	ssize_t n;

	len = snprintf(want, sizeof(want), "%s%c%s%c", argv[0], '\0', argv[1],
		       '\0');
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, got, sizeof(got));
	(void)close(fd);
	return n >= len && memcmp(got, want, (size_t)len) == 0;
}

/* A child running argv (argv[0] the name it is given), once it does. */
static pid_t spawn(const char *prog, char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		execv(prog, argv);
		_exit(127);
	}
	assert_true(pid > 0);
	for (int i = 0; i < 2000; i++) {
		if (shows_args(pid, argv))
			return pid;
		usleep(1000);
	}
	fail_msg("the child did not exec %s", prog);
	return -1;
}

static void reap(pid_t pid)
{
	(void)kill(pid, SIGKILL);
	(void)waitpid(pid, NULL, 0);
}

static void test_real_shell(void **state)
{
	char *argv[] = { "sh", "-e", script, "/tmp/data", NULL };
	pid_t pid;

	(void)state;
	pid = spawn("/bin/sh", argv);
	assert_int_equal(sg_proc_script_arg_is(proc_fd, pid, "some-script"), 1);
	assert_int_equal(sg_proc_script_arg_is(proc_fd, pid, "data"), 0);
	assert_int_equal(sg_proc_script_arg_is(proc_fd, pid, "sh"), 0);
	reap(pid);
	/* gone: an error, which the guard takes as "the script" */
	assert_true(sg_proc_script_arg_is(proc_fd, pid, "some-script") < 0);
}

/* The family comes from the executable, not from the argv[0] it was
 * given: dash told it is "perl" still runs "-e FILE" as a script. */
static void test_family_from_exe(void **state)
{
	char *argv[] = { "perl", "-e", script, NULL };
	pid_t pid;

	(void)state;
	pid = spawn("/bin/sh", argv);
	assert_int_equal(sg_proc_script_arg_is(proc_fd, pid, "some-script"), 1);
	reap(pid);
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
	pid = spawn("/bin/sh", argv);
	assert_int_equal(sg_proc_script_arg_is(proc_fd, pid, "some-script"),
			 -E2BIG);
	reap(pid);
}

static void test_busybox(void **state)
{
	char *argv[] = { "busybox", "sh", script, NULL };
	pid_t pid;

	(void)state;
	if (access("/bin/busybox", X_OK) != 0)
		fail_msg("busybox is missing: tests/install-deps.sh installs it");
	pid = spawn("/bin/busybox", argv);
	assert_int_equal(sg_proc_script_arg_is(proc_fd, pid, "some-script"), 1);
	assert_int_equal(sg_proc_script_arg_is(proc_fd, pid, "sh"), 0);
	reap(pid);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shell),
		cmocka_unit_test(test_python),
		cmocka_unit_test(test_perl),
		cmocka_unit_test(test_other),
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_real_shell),
		cmocka_unit_test(test_family_from_exe),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_busybox),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
