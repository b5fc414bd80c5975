/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_selfseal.c - the self-seal: the real capability drop and the real seccomp filter, each
 * applied in a forked child: what is kept, what is gone, and that a
 * syscall outside the allowlist (or outside an argument filter) kills the
 * process with SIGSYS while allowed ones work; --seccomp off loads no
 * filter but still sets no_new_privs.
 */
#include <fcntl.h>
#include <linux/securebits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "seal/selfseal.h"
#include "util.h"

/* Run fn in a child; return its wait status. */
static int in_child(void (*fn)(void))
{
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void seal_or_die(void)
{
	struct errlist errs = { 0 };

	if (sg_selfseal_seccomp(SG_SECCOMP_KILL, &errs) < 0)
		_exit(90);
}

/* Allowed calls with allowed arguments work under the filter. */
static void child_allowed(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	seal_or_die();
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		_exit(91);
	buf[n] = '\0';
	(void)close(fd);
	/* the kernel's view: no_new_privs set, a seccomp filter in force */
	if (!strstr(buf, "NoNewPrivs:\t1") || !strstr(buf, "Seccomp:\t2"))
		_exit(95);
	if (getpid() <= 0 || sched_yield() != 0)
		_exit(92);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		_exit(93);
	(void)close(fd);
	/* clone3 is refused softly, so that glibc falls back to clone */
	if (syscall(SYS_clone3, NULL, 0) != -1 || errno != ENOSYS)
		_exit(94);
}

static void test_allowed_calls_work(void **state)
{
	int status = in_child(child_allowed);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void child_mkdir(void)
{
	seal_or_die();
	(void)mkdir("/tmp/sealguard-test-never", 0700);
}

static void child_open_for_write(void)
{
	seal_or_die();
	(void)open("/dev/null", O_WRONLY | O_CLOEXEC);
}

static void child_inet_socket(void)
{
	seal_or_die();
	(void)socket(AF_INET, SOCK_STREAM, 0);
}

static void child_exec_memory(void)
{
	seal_or_die();
	(void)mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS,
		   -1, 0);
}

static void child_execve(void)
{
	char *argv[] = { (char *)"/bin/true", NULL };

	seal_or_die();
	(void)execve("/bin/true", argv, NULL);
}

static void child_kill_other_signal(void)
{
	seal_or_die();
	(void)kill(getppid(), SIGTERM);
}

static void child_prctl(void)
{
	seal_or_die();
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

static void child_fork(void)
{
	seal_or_die();
	(void)syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0); /* a process, no thread */
}

static void assert_killed_by_seccomp(void (*fn)(void))
{
	int status = in_child(fn);

	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

static void test_forbidden_calls_kill(void **state)
{
	assert_killed_by_seccomp(child_mkdir);
	assert_killed_by_seccomp(child_open_for_write);
	assert_killed_by_seccomp(child_inet_socket);
	assert_killed_by_seccomp(child_exec_memory);
	assert_killed_by_seccomp(child_execve);
	assert_killed_by_seccomp(child_kill_other_signal);
#if defined(__SANITIZE_ADDRESS__)
	/* the sanitizer build lets LeakSanitizer's tracer fork and prctl
	 * (seal.c, sanitizer_runtime); production binaries do not */
	assert_true(WIFEXITED(in_child(child_prctl)));
	(void)child_fork;
#else
	assert_killed_by_seccomp(child_fork);
	assert_killed_by_seccomp(child_prctl);
#endif
}

/* --seccomp off: no_new_privs set, no filter; what the filter would kill
 * (mkdir, an AF_INET socket) is only up to the kernel again. */
static void child_seccomp_off(void)
{
	struct errlist errs = { 0 };
	char buf[4096];
	ssize_t n;
	int fd;

	if (sg_selfseal_seccomp(SG_SECCOMP_OFF, &errs) < 0 || errs.n != 0)
		_exit(70);
	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || (n = read(fd, buf, sizeof(buf) - 1)) <= 0)
		_exit(71);
	buf[n] = '\0';
	(void)close(fd);
	if (!strstr(buf, "NoNewPrivs:\t1"))
		_exit(72);
	if (!strstr(buf, "Seccomp:\t0"))
		_exit(73);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		_exit(74);
	(void)close(fd);
}

static void test_seccomp_off_sets_only_no_new_privs(void **state)
{
	int status = in_child(child_seccomp_off);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static unsigned long long status_mask(const char *field)
{
	char line[256];
	unsigned long long v = ~0ULL;
	FILE *f = fopen("/proc/self/status", "re");
	size_t n = strlen(field);

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0)
			v = strtoull(line + n + 1, NULL, 16);
	if (f)
		(void)fclose(f);
	return v;
}

#define BIT(c) (1ULL << (c))
static const unsigned long long kept_mask =
	BIT(CAP_DAC_OVERRIDE) | BIT(CAP_DAC_READ_SEARCH) | BIT(CAP_IPC_LOCK) |
	BIT(CAP_KILL) | BIT(CAP_NET_ADMIN) | BIT(CAP_SYS_ADMIN) |
	BIT(CAP_SYS_PTRACE);

static void child_caps(void)
{
	struct errlist errs = { 0 };

	if (sg_selfseal_capabilities(&errs) < 0)
		_exit(80);
	if (status_mask("CapEff:") != kept_mask)
		_exit(81);
	if (status_mask("CapPrm:") != kept_mask)
		_exit(82);
	if ((status_mask("CapBnd:") & ~kept_mask) != 0)
		_exit(83);
	if (status_mask("CapInh:") != 0 || status_mask("CapAmb:") != 0)
		_exit(84);
	if (!(prctl(PR_GET_SECUREBITS) & SECBIT_NOROOT_LOCKED))
		_exit(85);
	/* gone for good: a dropped capability cannot be raised again */
	if (prctl(PR_CAPBSET_READ, CAP_SETUID) != 0 ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0) == 0)
		_exit(86);
	if (setuid(65534) == 0 && setuid(0) == 0)
		_exit(87); /* without CAP_SETUID, root cannot come back */
}

static void test_capabilities_dropped(void **state)
{
	int status;

	if (geteuid() != 0)
		fail_msg("needs root: the drop starts from a full set");
	status = in_child(child_caps);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allowed_calls_work),
		cmocka_unit_test(test_forbidden_calls_kill),
		cmocka_unit_test(test_seccomp_off_sets_only_no_new_privs),
		cmocka_unit_test(test_capabilities_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
