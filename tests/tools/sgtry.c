/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sgtry - attempt exactly one operation and report what the kernel said.
 *
 *   sgtry OP ARGS...
 *
 * Prints one line on stdout: "ok", or the errno name of the failure
 * (EPERM, ENOENT, EACCES, EROFS, ETXTBSY, ...), and exits 0 either way;
 * exit 2 is a usage error. The integration tests compare that line, so
 * the syscall each op uses is fixed (raw syscall(SYS_...) wherever glibc
 * could pick another one): the daemon decodes the blocked thread's syscall
 * number and arguments, and a test must know which one it exercised.
 *
 * Exceptions to the one-line rule, on purpose:
 *  - hold-open prints "ready" once its fd is open, then the result of the
 *    write (two lines), or only the open's errno if the open failed.
 *  - ldso prints "exit=N" (or "signal=N") when the loader ran but failed.
 *  - When a helper step that is not the operation under test fails, the
 *    line is "STEP:ENAME" (io_uring_setup:EPERM, fork:EAGAIN, ...), so a
 *    disabled io_uring or a failed fork is never mistaken for a denial.
 *
 * Ops (see the table at the bottom):
 *   open-{rdonly,wronly,rdwr,trunc,append,creat} PATH     SYS_open
 *   openat-{rdonly,wronly,rdwr,trunc,append,creat} PATH   SYS_openat, AT_FDCWD
 *   {open,openat}-cloexec PATH            O_RDONLY|O_CLOEXEC: a loader's open
 *   creat PATH                            SYS_creat, mode 0644
 *   openat2-{rdonly,wronly} PATH          SYS_openat2 (struct open_how)
 *   by-handle-{rdonly,wronly} PATH        name_to_handle_at + SYS_open_by_handle_at
 *   uring-{rdonly,wronly} PATH            IORING_OP_OPENAT on a raw io_uring
 *   truncate PATH LEN                     SYS_truncate
 *   write PATH DATA                       openat(O_WRONLY|O_TRUNC), write, close
 *   exec PATH [ARGS...]                   fork + execve; "ok" once exec succeeded
 *   ldso LOADER PATH                      execve(LOADER, {LOADER, PATH}); "ok" iff exit 0
 *   memfd-exec PATH                       copy PATH into a memfd, fexecve it
 *   hold-open PATH SECONDS                open O_WRONLY, "ready", sleep, write "x"
 *   block-open PATH                       openat O_RDONLY (for a stopped daemon)
 *   mkdir PATH | rmdir PATH | unlink PATH SYS_mkdirat (0755), SYS_unlinkat
 *   rename OLD NEW | link OLD NEW         SYS_renameat, SYS_linkat
 *   symlink TARGET PATH                   SYS_symlinkat
 *   chmod PATH MODE | chown PATH UID GID  SYS_fchmodat (octal), SYS_fchownat
 *   setxattr PATH NAME VALUE              SYS_setxattr
 *   utimes PATH                           SYS_utimensat, both times 2001-01-01
 *
 * With SGTRY_LINGER=SECONDS in the environment, sgtry sleeps that long
 * after printing its line, so that a test can see the actor still alive
 * (the change watcher names a live actor's program).
 *
 * "trunc" is O_RDONLY|O_TRUNC (a write that looks like a read open),
 * "append" is O_WRONLY|O_APPEND, "creat" is O_RDONLY|O_CREAT with mode 0644.
 * The exec'd programs' stdout goes to sgtry's stderr so that stdout stays
 * the one result line.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 0x0001U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3; older kernels answer EINVAL */
#endif

#define _unused_ __attribute__((unused))

extern char **environ;

struct op {
	const char *name;
	void (*run)(const struct op *op, char **args);
	int flags; /* open flags for the open-like ops */
	int min_args, max_args; /* max_args -1: unbounded */
};

/* ------------------------------------------------------------ reporting */

static void say(const char *line)
{
	printf("%s\n", line);
	fflush(stdout);
}

static const char *errname(int err)
{
	static char buf[32];
	const char *n = strerrorname_np(err);

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "errno=%d", err);
	return buf;
}

/* err 0 prints "ok" */
static void say_errno(int err)
{
	say(err ? errname(err) : "ok");
}

static void say_step(const char *step, int err)
{
	printf("%s:%s\n", step, errname(err));
	fflush(stdout);
}

/* fd >= 0: close it and print ok; fd < 0: print errno */
static void say_fd(long fd)
{
	if (fd < 0) {
		say_errno(errno);
		return;
	}
	close((int)fd);
	say_errno(0);
}

/* ------------------------------------------------------------ open family */

static void op_open(const struct op *op, char **args)
{
#ifdef SYS_open
	say_fd(syscall(SYS_open, args[0], op->flags, 0644));
#else
	say_errno(ENOSYS);
#endif
}

static void op_openat(const struct op *op, char **args)
{
	say_fd(syscall(SYS_openat, AT_FDCWD, args[0], op->flags, 0644));
}

static void op_creat(_unused_ const struct op *op, char **args)
{
#ifdef SYS_creat
	say_fd(syscall(SYS_creat, args[0], 0644));
#else
	say_errno(ENOSYS);
#endif
}

static void op_openat2(const struct op *op, char **args)
{
	struct open_how how = { .flags = (uint64_t)op->flags, .mode = 0 };

	say_fd(syscall(SYS_openat2, AT_FDCWD, args[0], &how, sizeof(how)));
}

/* The mount fd is the path's directory, opened read-only. */
static void op_by_handle(const struct op *op, char **args)
{
	const char *path = args[0];
	char dir[4096];
	const char *slash = strrchr(path, '/');
	union {
		struct file_handle fh;
		char buf[sizeof(struct file_handle) + MAX_HANDLE_SZ];
	} h;
	int mount_id, mfd, err;
	long fd;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);

	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0) < 0) {
		say_errno(errno);
		return;
	}
	mfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0) {
		say_errno(errno);
		return;
	}
	fd = syscall(SYS_open_by_handle_at, mfd, &h.fh, op->flags);
	err = errno;
	close(mfd);
	errno = err;
	say_fd(fd);
}

/* ------------------------------------------------------------ io_uring */

/*
 * One IORING_OP_OPENAT through a ring set up by hand (no liburing), so the
 * open is issued by io_uring_enter exactly as an attacker would issue it.
 */
static void op_uring(const struct op *op, char **args)
{
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int r = io_uring_queue_init(4, &ring, 0);

	if (r < 0) {
		say_step("io_uring_setup", -r);
		return;
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_openat(sqe, AT_FDCWD, args[0], op->flags, 0644);
	r = io_uring_submit_and_wait(&ring, 1);
	if (r >= 0)
		r = io_uring_peek_cqe(&ring, &cqe);
	if (r < 0) {
		say_step("io_uring_enter", -r);
	} else {
		if (cqe->res >= 0)
			(void)close(cqe->res);
		say_errno(cqe->res < 0 ? -cqe->res : 0);
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
}

/* ------------------------------------------------------------ writes */

static void op_truncate(_unused_ const struct op *op, char **args)
{
	char *end;
	long long len = strtoll(args[1], &end, 10);

	if (*args[1] == '\0' || *end != '\0' || len < 0) {
		fprintf(stderr, "sgtry: bad length '%s'\n", args[1]);
		exit(2);
	}
	say_errno(syscall(SYS_truncate, args[0], len) < 0 ? errno : 0);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static void op_write(_unused_ const struct op *op, char **args)
{
	int fd, err;

	fd = (int)syscall(SYS_openat, AT_FDCWD, args[0], O_WRONLY | O_TRUNC, 0);
	if (fd < 0) {
		say_errno(errno);
		return;
	}
	err = write_all(fd, args[1], strlen(args[1]));
	if (close(fd) < 0 && !err)
		err = errno;
	say_errno(err);
}

static void sleep_seconds(const char *arg)
{
	char *end;
	double s = strtod(arg, &end);
	struct timespec ts;

	if (*arg == '\0' || *end != '\0' || s < 0) {
		fprintf(stderr, "sgtry: bad seconds '%s'\n", arg);
		exit(2);
	}
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Opens first, so a test can seal the file while the fd is held. */
static void op_hold_open(_unused_ const struct op *op, char **args)
{
	int fd, err;

	fd = (int)syscall(SYS_openat, AT_FDCWD, args[0], O_WRONLY, 0);
	if (fd < 0) {
		say_errno(errno);
		return;
	}
	say("ready");
	sleep_seconds(args[1]);
	err = write_all(fd, "x", 1);
	if (close(fd) < 0 && !err)
		err = errno;
	say_errno(err);
}

/* ------------------------------------------------------------ namespace */

/* The namespace changes fanotify cannot deny (design.md). */
static long parse_num(const char *arg, int base)
{
	char *end;
	long v = strtol(arg, &end, base);

	if (*arg == '\0' || *end != '\0' || v < 0) {
		fprintf(stderr, "sgtry: bad number '%s'\n", arg);
		exit(2);
	}
	return v;
}

static void say_rc(long rc)
{
	say_errno(rc < 0 ? errno : 0);
}

static void op_mkdir(_unused_ const struct op *op, char **args)
{
	say_rc(syscall(SYS_mkdirat, AT_FDCWD, args[0], 0755));
}

static void op_rmdir(_unused_ const struct op *op, char **args)
{
	say_rc(syscall(SYS_unlinkat, AT_FDCWD, args[0], AT_REMOVEDIR));
}

static void op_unlink(_unused_ const struct op *op, char **args)
{
	say_rc(syscall(SYS_unlinkat, AT_FDCWD, args[0], 0));
}

static void op_rename(_unused_ const struct op *op, char **args)
{
	say_rc(syscall(SYS_renameat, AT_FDCWD, args[0], AT_FDCWD, args[1]));
}

static void op_link(_unused_ const struct op *op, char **args)
{
	say_rc(syscall(SYS_linkat, AT_FDCWD, args[0], AT_FDCWD, args[1], 0));
}

static void op_symlink(_unused_ const struct op *op, char **args)
{
	say_rc(syscall(SYS_symlinkat, args[0], AT_FDCWD, args[1]));
}

static void op_chmod(_unused_ const struct op *op, char **args)
{
	say_rc(syscall(SYS_fchmodat, AT_FDCWD, args[0], parse_num(args[1], 8)));
}

static void op_chown(_unused_ const struct op *op, char **args)
{
	say_rc(syscall(SYS_fchownat, AT_FDCWD, args[0], parse_num(args[1], 10),
		       parse_num(args[2], 10), 0));
}

static void op_setxattr(_unused_ const struct op *op, char **args)
{
	say_rc(syscall(SYS_setxattr, args[0], args[1], args[2],
		       strlen(args[2]), 0));
}

static void op_utimes(_unused_ const struct op *op, char **args)
{
	struct timespec ts[2] = { { 978307200, 0 }, { 978307200, 0 } };

	say_rc(syscall(SYS_utimensat, AT_FDCWD, args[0], ts, 0));
}

/* ------------------------------------------------------------ exec family */

/*
 * Fork; the child runs exec_fn (which only returns on failure) and sends
 * its errno through a CLOEXEC pipe: EOF on the pipe means the exec
 * happened. Returns 0 and the child's wait status, or the exec's errno,
 * or -1 after reporting a helper failure itself.
 */
static int run_child(void (*exec_fn)(void *), void *arg, int *ret_status)
{
	int pfd[2], err = 0, status;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		say_step("pipe", errno);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		say_step("fork", errno);
		return -1;
	}
	if (pid == 0) {
		close(pfd[0]);
		(void)dup2(STDERR_FILENO, STDOUT_FILENO);
		exec_fn(arg);
		err = errno;
		(void)!write(pfd[1], &err, sizeof(err));
		_exit(127);
	}
	close(pfd[1]);
	do
		n = read(pfd[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(pfd[0]);
	if (n != (ssize_t)sizeof(err))
		err = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	*ret_status = status;
	return err;
}

static void exec_argv(void *arg)
{
	char **argv = arg;

	execve(argv[0], argv, environ);
}

static void op_exec(_unused_ const struct op *op, char **args)
{
	int status, r = run_child(exec_argv, args, &status);

	if (r >= 0)
		say_errno(r);
}

static void op_ldso(_unused_ const struct op *op, char **args)
{
	char *argv[] = { args[0], args[1], NULL };
	char buf[32];
	int status, r = run_child(exec_argv, argv, &status);

	if (r != 0) {
		if (r > 0)
			say_errno(r);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		snprintf(buf, sizeof(buf), "ok");
	else if (WIFEXITED(status))
		snprintf(buf, sizeof(buf), "exit=%d", WEXITSTATUS(status));
	else
		snprintf(buf, sizeof(buf), "signal=%d", WTERMSIG(status));
	say(buf);
}

struct memfd_exec {
	int fd;
	char **argv;
};

static void exec_memfd(void *arg)
{
	struct memfd_exec *m = arg;

	fexecve(m->fd, m->argv, environ);
}

/*
 * MFD_EXEC asks for an executable memfd explicitly (vm.memfd_noexec=1
 * would otherwise seal it noexec); a kernel older than 6.3 rejects the
 * flag with EINVAL, and then the memfd is executable anyway.
 */
static int memfd_exec_create(void)
{
	int fd = (int)syscall(SYS_memfd_create, "sgtry", MFD_CLOEXEC | MFD_EXEC);

	if (fd < 0 && errno == EINVAL)
		fd = (int)syscall(SYS_memfd_create, "sgtry", MFD_CLOEXEC);
	return fd;
}

static void op_memfd_exec(_unused_ const struct op *op, char **args)
{
	char buf[65536], *argv[] = { args[0], NULL };
	struct memfd_exec m = { .fd = -1, .argv = argv };
	int src, status, err = 0, r;
	ssize_t n;

	src = open(args[0], O_RDONLY | O_CLOEXEC);
	if (src < 0) {
		say_errno(errno);
		return;
	}
	m.fd = memfd_exec_create();
	if (m.fd < 0) {
		say_errno(errno);
		close(src);
		return;
	}
	while (!err && (n = read(src, buf, sizeof(buf))) != 0) {
		if (n < 0)
			err = errno == EINTR ? 0 : errno;
		else
			err = write_all(m.fd, buf, (size_t)n);
	}
	close(src);
	if (err) {
		say_errno(err);
		return;
	}
	r = run_child(exec_memfd, &m, &status);
	if (r >= 0)
		say_errno(r);
	close(m.fd);
}

/* ------------------------------------------------------------ table */

static const struct op ops[] = {
	{ "open-rdonly", op_open, O_RDONLY, 1, 1 },
	{ "open-wronly", op_open, O_WRONLY, 1, 1 },
	{ "open-rdwr", op_open, O_RDWR, 1, 1 },
	{ "open-trunc", op_open, O_RDONLY | O_TRUNC, 1, 1 },
	{ "open-append", op_open, O_WRONLY | O_APPEND, 1, 1 },
	{ "open-creat", op_open, O_RDONLY | O_CREAT, 1, 1 },
	{ "openat-rdonly", op_openat, O_RDONLY, 1, 1 },
	{ "openat-wronly", op_openat, O_WRONLY, 1, 1 },
	{ "openat-rdwr", op_openat, O_RDWR, 1, 1 },
	{ "openat-trunc", op_openat, O_RDONLY | O_TRUNC, 1, 1 },
	{ "openat-append", op_openat, O_WRONLY | O_APPEND, 1, 1 },
	{ "openat-creat", op_openat, O_RDONLY | O_CREAT, 1, 1 },
	{ "open-cloexec", op_open, O_RDONLY | O_CLOEXEC, 1, 1 },
	{ "openat-cloexec", op_openat, O_RDONLY | O_CLOEXEC, 1, 1 },
	{ "creat", op_creat, 0, 1, 1 },
	{ "openat2-rdonly", op_openat2, O_RDONLY, 1, 1 },
	{ "openat2-wronly", op_openat2, O_WRONLY, 1, 1 },
	{ "by-handle-rdonly", op_by_handle, O_RDONLY, 1, 1 },
	{ "by-handle-wronly", op_by_handle, O_WRONLY, 1, 1 },
	{ "uring-rdonly", op_uring, O_RDONLY, 1, 1 },
	{ "uring-wronly", op_uring, O_WRONLY, 1, 1 },
	{ "truncate", op_truncate, 0, 2, 2 },
	{ "write", op_write, 0, 2, 2 },
	{ "exec", op_exec, 0, 1, -1 },
	{ "ldso", op_ldso, 0, 2, 2 },
	{ "memfd-exec", op_memfd_exec, 0, 1, 1 },
	{ "hold-open", op_hold_open, 0, 2, 2 },
	{ "block-open", op_openat, O_RDONLY, 1, 1 },
	{ "mkdir", op_mkdir, 0, 1, 1 },
	{ "rmdir", op_rmdir, 0, 1, 1 },
	{ "unlink", op_unlink, 0, 1, 1 },
	{ "rename", op_rename, 0, 2, 2 },
	{ "link", op_link, 0, 2, 2 },
	{ "symlink", op_symlink, 0, 2, 2 },
	{ "chmod", op_chmod, 0, 2, 2 },
	{ "chown", op_chown, 0, 3, 3 },
	{ "setxattr", op_setxattr, 0, 3, 3 },
	{ "utimes", op_utimes, 0, 1, 1 },
};

static void usage(void) __attribute__((noreturn));
static void usage(void)
{
	size_t i;

	fprintf(stderr, "usage: sgtry OP ARGS...\nops:");
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		fprintf(stderr, " %s", ops[i].name);
	fprintf(stderr, "\n");
	exit(2);
}

int main(int argc, char **argv)
{
	size_t i;
	int nargs = argc - 2;

	if (argc < 2)
		usage();
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		const struct op *op = &ops[i];

		if (strcmp(op->name, argv[1]) != 0)
			continue;
		if (nargs < op->min_args ||
		    (op->max_args >= 0 && nargs > op->max_args))
			usage();
		op->run(op, argv + 2);
		if (getenv("SGTRY_LINGER"))
			sleep_seconds(getenv("SGTRY_LINGER"));
		return 0;
	}
	usage();
}
