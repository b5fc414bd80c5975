/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_intent.c - write intent from open flags and /proc/<tid>/syscall
 * (src/daemon/fan/intent.h). Unknown must always fail closed: any doubt about a
 * line or a thread has to come out as SG_INTENT_UNKNOWN, never as READ.
 */
#include <dirent.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <cmocka.h>

#include "fan/intent.h"
#include "fan/syscallfd.h"
#include "util.h"

/* ---- sg_intent_from_flags ---- */

struct flags_case {
	unsigned long flags;
	enum sg_intent want;
	const char *what;
};

static const struct flags_case flags_cases[] = {
	{ O_RDONLY, SG_INTENT_READ, "O_RDONLY" },
	{ O_WRONLY, SG_INTENT_WRITE, "O_WRONLY" },
	{ O_RDWR, SG_INTENT_WRITE, "O_RDWR" },
	/* 3: "no read, no write, ioctl only"; the kernel still checks it
	 * for write permission, so it counts as a write */
	{ O_ACCMODE, SG_INTENT_WRITE, "O_ACCMODE (3)" },
	/* Linux truncates even with O_RDONLY */
	{ O_RDONLY | O_TRUNC, SG_INTENT_WRITE, "O_RDONLY|O_TRUNC" },
	{ O_WRONLY | O_TRUNC, SG_INTENT_WRITE, "O_WRONLY|O_TRUNC" },
	/* O_APPEND alone cannot write, but the header says write: keep it */
	{ O_RDONLY | O_APPEND, SG_INTENT_WRITE, "O_RDONLY|O_APPEND" },
	{ O_WRONLY | O_APPEND, SG_INTENT_WRITE, "O_WRONLY|O_APPEND" },
	{ O_RDONLY | O_CREAT, SG_INTENT_WRITE, "O_RDONLY|O_CREAT" },
	{ O_WRONLY | O_CREAT, SG_INTENT_WRITE, "O_WRONLY|O_CREAT" },
	{ O_RDONLY | O_CREAT | O_EXCL, SG_INTENT_WRITE, "O_CREAT|O_EXCL" },
	{ O_WRONLY | O_CREAT | O_TRUNC, SG_INTENT_WRITE, "creat() flags" },
	/* O_TMPFILE needs O_WRONLY or O_RDWR (the kernel refuses it with
	 * O_RDONLY), so the access mode already makes it a write */
	{ O_TMPFILE | O_WRONLY, SG_INTENT_WRITE, "O_TMPFILE|O_WRONLY" },
	{ O_TMPFILE | O_RDWR, SG_INTENT_WRITE, "O_TMPFILE|O_RDWR" },
	{ O_TMPFILE | O_RDWR | O_EXCL, SG_INTENT_WRITE, "O_TMPFILE|O_EXCL" },
	/*
	 * O_PATH opens never raise FAN_OPEN_PERM (no file is opened for
	 * I/O), so the answer does not matter to the guard. Documented
	 * here: O_PATH with O_RDONLY decodes as a read.
	 */
	{ O_PATH, SG_INTENT_READ, "O_PATH" },
	{ O_PATH | O_NOFOLLOW | O_CLOEXEC, SG_INTENT_READ, "O_PATH|..." },
	/* flags that do not change what an open may do to the file */
	{ O_CLOEXEC, SG_INTENT_READ, "O_CLOEXEC" },
	{ O_NOFOLLOW, SG_INTENT_READ, "O_NOFOLLOW" },
	{ O_DIRECTORY, SG_INTENT_READ, "O_DIRECTORY" },
	{ O_NONBLOCK, SG_INTENT_READ, "O_NONBLOCK" },
	{ O_NOCTTY, SG_INTENT_READ, "O_NOCTTY" },
	{ O_NOATIME, SG_INTENT_READ, "O_NOATIME" },
	{ O_DIRECT, SG_INTENT_READ, "O_DIRECT" },
	{ O_SYNC, SG_INTENT_READ, "O_SYNC" },
	{ O_DSYNC, SG_INTENT_READ, "O_DSYNC" },
	{ O_ASYNC, SG_INTENT_READ, "O_ASYNC" },
	{ 0100000 /* kernel O_LARGEFILE on x86_64 */, SG_INTENT_READ,
	  "O_LARGEFILE" },
	{ O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_DIRECTORY | O_NONBLOCK,
	  SG_INTENT_READ, "read with every harmless flag" },
	{ O_WRONLY | O_CLOEXEC | O_NOFOLLOW, SG_INTENT_WRITE,
	  "O_WRONLY with harmless flags" },
	/*
	 * The kernel takes flags as an int: bits above 31 in the register
	 * are ignored by open(), and must not change the answer either way.
	 */
	{ 0xffffffff00000000UL, SG_INTENT_READ, "high garbage, O_RDONLY" },
	{ 0xffffffff00000000UL | O_WRONLY, SG_INTENT_WRITE,
	  "high garbage, O_WRONLY" },
	{ 0xffffffffUL, SG_INTENT_WRITE, "every low bit" },
	{ ~0UL, SG_INTENT_WRITE, "every bit" },
};

static void test_from_flags_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(flags_cases); i++) {
		enum sg_intent got = sg_intent_from_flags(flags_cases[i].flags);

		if (got != flags_cases[i].want)
			fail_msg("%s (0%lo): got %s, want %s",
				 flags_cases[i].what, flags_cases[i].flags,
				 sg_intent_name(got),
				 sg_intent_name(flags_cases[i].want));
	}
}

/*
 * Every combination of the access mode with the flags that matter and
 * with harmless flags: a write iff access is not O_RDONLY or any of
 * O_TRUNC/O_APPEND/O_CREAT is set. Never EXEC or UNKNOWN from flags.
 */
static unsigned long pick_flags(const unsigned long *v, size_t n,
				unsigned bits)
{
	unsigned long f = 0;

	for (size_t i = 0; i < n; i++)
		if (bits & (1u << i))
			f |= v[i];
	return f;
}

static void test_from_flags_exhaustive(void **state)
{
	static const unsigned long writey[] = { O_TRUNC, O_APPEND, O_CREAT };
	static const unsigned long harmless[] = {
		O_CLOEXEC, O_NOFOLLOW, O_DIRECTORY, O_NONBLOCK, O_EXCL,
		O_NOATIME, O_DIRECT, O_SYNC, O_NOCTTY,
	};
	const unsigned nw = 1u << ARRAY_SIZE(writey);
	const unsigned nh = 1u << ARRAY_SIZE(harmless);
	(void)state;

	for (unsigned i = 0; i < 4 * nw * nh; i++) {
		unsigned long acc = i % 4;
		unsigned w = i / 4 % nw, h = i / 4 / nw;
		unsigned long f = acc |
				  pick_flags(writey, ARRAY_SIZE(writey), w) |
				  pick_flags(harmless, ARRAY_SIZE(harmless), h);
		enum sg_intent want = acc != O_RDONLY || w ? SG_INTENT_WRITE :
							     SG_INTENT_READ;
		enum sg_intent got = sg_intent_from_flags(f);

		if (got != want)
			fail_msg("flags 0%lo: got %s", f, sg_intent_name(got));
	}
}

/* ---- sg_intent_parse ---- */

struct parse_case {
	const char *line;
	int ret;
	enum sg_intent intent;
	long nr;
	unsigned long flags;
};

#define X32 0x40000000L

static const struct parse_case parse_cases[] = {
	/* openat(AT_FDCWD, p, O_WRONLY|O_CREAT|O_TRUNC, 0666) */
	{ "257 0xffffff9c 0x7ffd1234 0x241 0x1b6 0x0 0x0 0x7ffd0000 0x7f0000",
	  0, SG_INTENT_WRITE, 257, 0x241 },
	{ "257 0xffffff9c 0x7ffd1234 0x241 0x1b6 0x0 0x0 0x7ffd0000 0x7f0000\n",
	  0, SG_INTENT_WRITE, 257, 0x241 },
	/* openat read-only with O_CLOEXEC */
	{ "257 0xffffff9c 0x7ffc9a8e 0x80000 0x0 0x0 0x0 0x7ffc9a00 0x7f1234\n",
	  0, SG_INTENT_READ, 257, 0x80000 },
	{ "257 0x3 0x55d0c0de 0x0 0x0 0x0 0x0 0x7ffc9a00 0x7f1234\n", 0,
	  SG_INTENT_READ, 257, 0x0 },
	/* openat: flags are arg 2, never arg 1 (the path pointer) */
	{ "257 0xffffff9c 0x1 0x0 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_READ, 257, 0x0 },
	{ "257 0xffffff9c 0x7ffd1234 0x2 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_WRITE, 257, 0x2 },
	{ "257 0xffffff9c 0x7ffd1234 0x200 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n",
	  0, SG_INTENT_WRITE, 257, 0x200 }, /* O_TRUNC */
	{ "257 0xffffff9c 0x7ffd1234 0x400 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n",
	  0, SG_INTENT_WRITE, 257, 0x400 }, /* O_APPEND */
	{ "257 0xffffff9c 0x7ffd1234 0x410002 0x1b6 0x0 0x0 0x7ffd 0x7f00\n",
	  0, SG_INTENT_WRITE, 257, 0x410002 }, /* O_TMPFILE|O_RDWR */
	/* open(path, flags, mode): flags in arg 1 */
	{ "2 0x7ffd1234 0x0 0x241 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_READ, 2, 0x0 },
	{ "2 0x7ffd1234 0x241 0x1b6 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_WRITE, 2, 0x241 },
	{ "2 0x7ffd1234 0x1 0x0 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_WRITE, 2, 0x1 },
	/* creat(path, mode): always a write */
	{ "85 0x7ffd1234 0x1a4 0x0 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_WRITE, 85, 0 },
	{ "85 0x7ffd1234 0x0 0x0 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_WRITE, 85, 0 },
	/* open_by_handle_at(mount_fd, handle, flags): flags in arg 2 */
	{ "304 0x3 0x7ffd1234 0x0 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_READ, 304, 0 },
	{ "304 0x3 0x7ffd1234 0x2 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_WRITE, 304, 2 },
	{ "304 0x3 0x2 0x0 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_READ, 304, 0 },
	/* the exec's own open */
	{ "59 0x55d0c0de 0x7ffd1000 0x7ffd2000 0x0 0x0 0x0 0x7ffd 0x7f00\n", 0,
	  SG_INTENT_EXEC, 59, 0 },
	{ "322 0xffffff9c 0x55d0c0de 0x7ffd1000 0x7ffd2000 0x1000 0x0 0x7ffd "
	  "0x7f00\n",
	  0, SG_INTENT_EXEC, 322, 0 },
	{ "134 0x7ffd1234 0x2 0x0 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_EXEC, 134, 0 },
	/* flags not in registers: unknown, fail closed */
	{ "437 0xffffff9c 0x7ffd1234 0x7ffd2000 0x18 0x0 0x0 0x7ffd 0x7f00\n",
	  0, SG_INTENT_UNKNOWN, 437, 0 },
	{ "437 0xffffff9c 0x7ffd1234 0x0 0x0 0x0 0x0 0x7ffd 0x7f00\n", 0,
	  SG_INTENT_UNKNOWN, 437, 0 },
	{ "426 0x5 0x1 0x1 0x1 0x0 0x8 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_UNKNOWN, 426, 0 },
	/* x32: the same numbers with bit 30 */
	{ "1073742081 0xffffff9c 0x1234 0x241 0x1b6 0x0 0x0 0xffd000 0x4000\n",
	  0, SG_INTENT_WRITE, 257 | X32, 0x241 },
	{ "1073742081 0xffffff9c 0x1234 0x0 0x0 0x0 0x0 0xffd000 0x4000\n", 0,
	  SG_INTENT_READ, 257 | X32, 0 },
	{ "1073741826 0x1234 0x2 0x0 0x0 0x0 0x0 0xffd000 0x4000\n", 0,
	  SG_INTENT_WRITE, 2 | X32, 2 },
	{ "1073741909 0x1234 0x1a4 0x0 0x0 0x0 0x0 0xffd000 0x4000\n", 0,
	  SG_INTENT_WRITE, 85 | X32, 0 },
	{ "1073742128 0x3 0x1234 0x0 0x0 0x0 0x0 0xffd000 0x4000\n", 0,
	  SG_INTENT_READ, 304 | X32, 0 },
	{ "1073742344 0x1234 0x2000 0x3000 0x0 0x0 0x0 0xffd000 0x4000\n", 0,
	  SG_INTENT_EXEC, 520 | X32, 0 }, /* x32 execve */
	{ "1073742369 0x3 0x1234 0x2000 0x3000 0x0 0x0 0xffd000 0x4000\n", 0,
	  SG_INTENT_EXEC, 545 | X32, 0 }, /* x32 execveat */
	{ "1073742261 0xffffff9c 0x1234 0x2000 0x18 0x0 0x0 0xffd000 0x4000\n",
	  0, SG_INTENT_UNKNOWN, 437 | X32, 0 }, /* x32 openat2 */
	/* other syscalls: unknown (read, close, mmap, ioctl, ia32 openat) */
	{ "0 0x3 0x7ffd1234 0x1000 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_UNKNOWN, 0, 0 },
	{ "3 0x3 0x0 0x0 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_UNKNOWN, 3, 0 },
	{ "16 0x3 0x5401 0x0 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n", 0,
	  SG_INTENT_UNKNOWN, 16, 0 },
	{ "295 0xffffff9c 0x1234 0x0 0x0 0x0 0x0 0xffd000 0x4000\n", 0,
	  SG_INTENT_UNKNOWN, 295, 0 },
	{ "1073741824 0x3 0x1234 0x0 0x0 0x0 0x0 0xffd000 0x4000\n", 0,
	  SG_INTENT_UNKNOWN, 0 | X32, 0 }, /* x32 read */
	/* blocked outside a syscall: "-1 sp pc" */
	{ "-1 0x7ffd 0x7f00\n", 0, SG_INTENT_UNKNOWN, -1, 0 },
	{ "-1 0x7ffd1234abcd 0x7f0012345678\n", 0, SG_INTENT_UNKNOWN, -1, 0 },
	/*
	 * An io_uring io-wq worker never entered a syscall: the kernel
	 * copies its creator's registers and zeroes sp and pc. Its line
	 * can say "openat, O_RDONLY" while it opens for writing (seen on
	 * 6.18: a worker made from task_work run at the return of the
	 * creator's openat). pc 0 is never a user thread's: unknown.
	 */
	{ "257 0xffffff9c 0x5628c7e5e030 0x0 0x0 0x0 0x0 0x0 0x0\n", 0,
	  SG_INTENT_UNKNOWN, -1, 0 },
	{ "2 0x5628c7e5e030 0x0 0x0 0x0 0x0 0x0 0x0 0x0\n", 0,
	  SG_INTENT_UNKNOWN, -1, 0 },
	{ "59 0x5628c7e5e030 0x0 0x0 0x0 0x0 0x0 0x0 0x0\n", 0,
	  SG_INTENT_UNKNOWN, -1, 0 },
	{ "426 0x3 0x2 0x0 0x0 0x0 0x0 0x0 0x0\n", 0, SG_INTENT_UNKNOWN, -1,
	  0 },
	{ "257 0xffffff9c 0x1234 0x0 0x0 0x0 0x0 0x7ffd0000 0x0\n", 0,
	  SG_INTENT_UNKNOWN, -1, 0 },
	/* a user thread may well run with sp 0: only pc matters */
	{ "257 0xffffff9c 0x1234 0x0 0x0 0x0 0x0 0x0 0x7f0000\n", 0,
	  SG_INTENT_READ, 257, 0 },
	/* the kernel always writes sp and pc after the six arguments:
	 * a shorter line is not one of its lines */
	{ "257 0xffffff9c 0x7ffd1234 0x0 0x0 0x0 0x0\n", 0, SG_INTENT_UNKNOWN,
	  -1, 0 },
	{ "257 0xffffff9c 0x7ffd1234 0x0 0x0 0x0 0x0 0x7ffd0000\n", 0,
	  SG_INTENT_UNKNOWN, -1, 0 },
	{ "59 0x1 0x2 0x3 0x0 0x0 0x0\n", 0, SG_INTENT_UNKNOWN, -1, 0 },
	/* fewer than 7 numbers: the flags register is not there */
	{ "257 0xffffff9c 0x7ffd1234\n", 0, SG_INTENT_UNKNOWN, -1, 0 },
	{ "257\n", 0, SG_INTENT_UNKNOWN, -1, 0 },
	{ "257 0xffffff9c 0x7ffd1234 0x0 0x0 0x0\n", 0, SG_INTENT_UNKNOWN, -1,
	  0 },
	{ "257 0xffffff9c 0x7ffd1234 zz 0x0 0x0 0x0\n", 0, SG_INTENT_UNKNOWN,
	  -1, 0 },
	/* "running": read again */
	{ "running\n", -EAGAIN, SG_INTENT_UNKNOWN, -1, 0 },
	{ "running", -EAGAIN, SG_INTENT_UNKNOWN, -1, 0 },
	/* garbage */
	{ "", -EINVAL, SG_INTENT_UNKNOWN, -1, 0 },
	{ "\n", -EINVAL, SG_INTENT_UNKNOWN, -1, 0 },
	{ "   ", -EINVAL, SG_INTENT_UNKNOWN, -1, 0 },
	{ "garbage", -EINVAL, SG_INTENT_UNKNOWN, -1, 0 },
	{ "runnin", -EINVAL, SG_INTENT_UNKNOWN, -1, 0 },
	{ "x257 0xffffff9c 0x1 0x0 0x0 0x0 0x0 0x7ffd 0x7f00\n", -EINVAL,
	  SG_INTENT_UNKNOWN, -1, 0 },
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		/* pre-filled with the worst wrong answer */
		struct sg_intent_info info = { SG_INTENT_READ, 12345, 0xdead };
		int r = sg_intent_parse(c->line, &info);

		if (r != c->ret)
			fail_msg("'%s': returned %d, want %d", c->line, r,
				 c->ret);
		if (r < 0) {
			/* *ret is not written on failure */
			assert_int_equal(info.intent, SG_INTENT_READ);
			assert_int_equal(info.syscall_nr, 12345);
			continue;
		}
		if (info.intent != c->intent || info.syscall_nr != c->nr ||
		    info.flags != c->flags)
			fail_msg("'%s': got %s nr %ld flags 0x%lx, want %s nr "
				 "%ld flags 0x%lx",
				 c->line, sg_intent_name(info.intent),
				 info.syscall_nr, info.flags,
				 sg_intent_name(c->intent), c->nr, c->flags);
	}
}

/* For openat, open and open_by_handle_at, every flag combination of the
 * flag table decodes exactly like sg_intent_from_flags. */
static void test_parse_matches_from_flags(void **state)
{
	static const struct {
		long nr;
		int arg;
	} opens[] = { { 2, 1 }, { 257, 2 }, { 304, 2 }, { 257 | X32, 2 } };
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(opens); i++)
		for (size_t j = 0; j < ARRAY_SIZE(flags_cases); j++) {
			unsigned long a[6] = { 0xffffff9c, 0x7ffd1234, 0, 0, 0,
					       0 };
			struct sg_intent_info info;
			char line[256];

			/* the register that is not the flags one holds a
			 * write-looking value: it must be ignored */
			a[opens[i].arg == 1 ? 2 : 1] = 0x241;
			a[opens[i].arg] = flags_cases[j].flags;
			snprintf(line, sizeof(line),
				 "%ld 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx 0x%lx "
				 "0x7ffd0000 0x7f0000\n",
				 opens[i].nr, a[0], a[1], a[2], a[3], a[4],
				 a[5]);
			assert_int_equal(sg_intent_parse(line, &info), 0);
			assert_int_equal(info.syscall_nr, opens[i].nr);
			assert_int_equal(info.flags, flags_cases[j].flags);
			if (info.intent != flags_cases[j].want)
				fail_msg("%s: got %s", line,
					 sg_intent_name(info.intent));
		}
}

/* No syscall outside the known open table may ever decode as a read. */
static void test_parse_never_read_outside_table(void **state)
{
	(void)state;
	for (long nr = 0; nr < 1024; nr++) {
		struct sg_intent_info info;
		char line[160];

		if (nr == 2 || nr == 257 || nr == 304)
			continue;
		snprintf(line, sizeof(line),
			 "%ld 0x0 0x0 0x0 0x0 0x0 0x0 0x7ffd0000 0x7f0000\n",
			 nr);
		assert_int_equal(sg_intent_parse(line, &info), 0);
		if (info.intent == SG_INTENT_READ)
			fail_msg("syscall %ld, zero registers: a read", nr);
		assert_int_equal(info.syscall_nr, nr);
	}
}

/* ---- sg_intent_read on our own /proc ---- */

/* sg_intent_read through a fresh table of kept descriptors each time */
static int read_intent(int procfd, pid_t tid, struct sg_intent_info *info,
		       unsigned long *retries)
{
	struct sg_syscall_fds fds;
	int r;

	sg_syscall_fds_init(&fds, procfd);
	r = sg_intent_read(&fds, tid, info, retries);
	sg_syscall_fds_close(&fds);
	return r;
}

static int open_proc(void)
{
	int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);

	assert_true(fd >= 0);
	return fd;
}

/* The calling thread reading its own syscall file is inside pread64(2):
 * the kept descriptor is re-read from offset 0 (fan/syscallfd.h). */
static void test_read_self(void **state)
{
	struct sg_intent_info info = { SG_INTENT_READ, 999, 1 };
	unsigned long retries = 0;
	int procfd = open_proc();
	(void)state;

	assert_int_equal(read_intent(procfd, gettid(), &info, &retries), 0);
	assert_int_equal(info.syscall_nr, SYS_pread64);
	assert_int_equal(info.intent, SG_INTENT_UNKNOWN);
	assert_int_equal(retries, 0);
	(void)close(procfd);
}

struct reader {
	int fd;
	_Atomic pid_t tid;
};

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	char c;

	atomic_store(&rd->tid, gettid());
	(void)!read(rd->fd, &c, 1);
	return NULL;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Another thread blocked in read() on a pipe: syscall 0, unknown. */
static void test_read_blocked_thread(void **state)
{
	struct reader rd = { .tid = 0 };
	struct sg_intent_info info;
	int procfd = open_proc(), p[2], r = -1;
	uint64_t deadline;
	pthread_t th;
	(void)state;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	rd.fd = p[0];
	assert_int_equal(pthread_create(&th, NULL, reader_main, &rd), 0);
	while (atomic_load(&rd.tid) == 0)
		sched_yield();
	/* until the thread sleeps in read() it may show anything else */
	deadline = now_ms() + 10000;
	do {
		unsigned long retries = 0;

		r = read_intent(procfd, atomic_load(&rd.tid), &info,
				   &retries);
		if (r == 0 && info.syscall_nr == SYS_read)
			break;
		usleep(1000);
	} while (now_ms() < deadline);
	assert_int_equal(r, 0);
	assert_int_equal(info.syscall_nr, SYS_read);
	assert_int_equal(info.intent, SG_INTENT_UNKNOWN);
	assert_int_equal(info.flags, 0);
	/* NULL retries is allowed */
	assert_int_equal(read_intent(procfd, atomic_load(&rd.tid), &info,
					NULL),
			 0);
	assert_int_equal(info.syscall_nr, SYS_read);

	assert_int_equal(write(p[1], "x", 1), 1);
	assert_int_equal(pthread_join(th, NULL), 0);
	(void)close(p[0]);
	(void)close(p[1]);
	(void)close(procfd);
}

static atomic_bool spin_stop;

static void *spinner_main(void *arg)
{
	_Atomic pid_t *tid = arg;

	atomic_store(tid, gettid());
	while (!atomic_load(&spin_stop))
		;
	return NULL;
}

/*
 * A thread that never sleeps shows "running" forever: the read gives up
 * after a bounded number of tries, counts them, and says unknown.
 */
static void test_read_running_gives_up(void **state)
{
	_Atomic pid_t tid = 0;
	struct sg_intent_info info = { SG_INTENT_READ, 257, 0 };
	unsigned long retries = 7;
	int procfd = open_proc(), r;
	pthread_t th;
	(void)state;

	atomic_store(&spin_stop, false);
	assert_int_equal(pthread_create(&th, NULL, spinner_main, &tid), 0);
	while (atomic_load(&tid) == 0)
		sched_yield();
	r = read_intent(procfd, atomic_load(&tid), &info, &retries);
	atomic_store(&spin_stop, true);
	assert_int_equal(pthread_join(th, NULL), 0);
	(void)close(procfd);

	/* a spinning thread may be caught off the CPU only if preempted
	 * in the kernel; "running" is what it shows in practice */
	if (r == 0) {
		assert_int_not_equal(info.intent, SG_INTENT_READ);
		return;
	}
	assert_int_equal(r, -EAGAIN);
	assert_int_equal(info.intent, SG_INTENT_UNKNOWN);
	assert_int_equal(info.syscall_nr, -1);
	assert_true(retries > 7);
	assert_true(retries < 7 + 1000000);
}

/* Fail closed: every error leaves *ret unknown, whatever it held. */
static void test_read_errors_fail_closed(void **state)
{
	static const pid_t bad_tids[] = { 0, -1, -12345, 0x7ffffff0 };
	char dir[] = "/tmp/sg-intent-XXXXXX";
	int procfd = open_proc(), tmpfd;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad_tids); i++) {
		struct sg_intent_info info = { SG_INTENT_READ, 257, 0 };
		unsigned long retries = 0;
		int r = read_intent(procfd, bad_tids[i], &info, &retries);

		if (r >= 0)
			fail_msg("tid %d: returned %d", (int)bad_tids[i], r);
		assert_int_equal(info.intent, SG_INTENT_UNKNOWN);
		assert_int_equal(info.syscall_nr, -1);
		assert_int_equal(retries, 0);
	}
	/* tid 0 is not visible from our pid namespace */
	{
		struct sg_intent_info info;

		assert_int_equal(read_intent(procfd, 0, &info, NULL),
				 -ESRCH);
	}
	/* a bad procfd */
	{
		struct sg_intent_info info = { SG_INTENT_WRITE, 2, 1 };

		assert_int_equal(read_intent(-1, gettid(), &info, NULL),
				 -EBADF);
		assert_int_equal(info.intent, SG_INTENT_UNKNOWN);
	}
	/* a directory that is not /proc */
	assert_non_null(mkdtemp(dir));
	tmpfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(tmpfd >= 0);
	{
		struct sg_intent_info info = { SG_INTENT_READ, 0, 0 };

		assert_int_equal(read_intent(tmpfd, gettid(), &info, NULL),
				 -ENOENT);
		assert_int_equal(info.intent, SG_INTENT_UNKNOWN);
	}
	(void)close(tmpfd);
	assert_int_equal(rmdir(dir), 0);
	(void)close(procfd);
}

/* An unparsable file is an error, and still unknown. */
static void test_read_unparsable(void **state)
{
	char dir[] = "/tmp/sg-intent-XXXXXX", path[64], sub[64];
	struct sg_intent_info info = { SG_INTENT_READ, 257, 0 };
	int dfd;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/42", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	snprintf(path, sizeof(path), "%s/42/syscall", dir);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs("garbage\n", f);
	assert_int_equal(fclose(f), 0);
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	assert_int_equal(read_intent(dfd, 42, &info, NULL), -EINVAL);
	assert_int_equal(info.intent, SG_INTENT_UNKNOWN);
	assert_int_equal(info.syscall_nr, -1);

	/* and an empty file */
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fclose(f), 0);
	info = (struct sg_intent_info){ SG_INTENT_READ, 257, 0 };
	assert_int_equal(read_intent(dfd, 42, &info, NULL), -EINVAL);
	assert_int_equal(info.intent, SG_INTENT_UNKNOWN);

	(void)close(dfd);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(sub), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* ---- io_uring workers, for real ---- */

struct ring {
	int fd;
	struct io_uring_params p;
	char *sq;
	size_t sq_size;
	struct io_uring_sqe *sqes;
	char *cq;
	size_t cq_size;
};

static int ring_setup(struct ring *r)
{
	memset(r, 0, sizeof(*r));
	r->fd = (int)syscall(SYS_io_uring_setup, 8, &r->p);
	if (r->fd < 0)
		return -errno;
	r->sq_size = r->p.sq_off.array + r->p.sq_entries * sizeof(unsigned);
	r->cq_size = r->p.cq_off.cqes +
		     r->p.cq_entries * sizeof(struct io_uring_cqe);
	r->sq = mmap(NULL, r->sq_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		     r->fd, IORING_OFF_SQ_RING);
	r->cq = mmap(NULL, r->cq_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		     r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(NULL, r->p.sq_entries * sizeof(*r->sqes),
		       PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
		       IORING_OFF_SQES);
	assert_true(r->sq != MAP_FAILED && r->cq != MAP_FAILED &&
		    r->sqes != MAP_FAILED);
	return 0;
}

/* Queue an openat that io_uring must hand to an io-wq worker. */
static void ring_queue_open(struct ring *r, const char *path, int flags)
{
	unsigned *tail = (unsigned *)(r->sq + r->p.sq_off.tail);
	unsigned mask = *(unsigned *)(r->sq + r->p.sq_off.ring_mask);
	unsigned *array = (unsigned *)(r->sq + r->p.sq_off.array);
	unsigned t = *tail;
	struct io_uring_sqe *sqe = &r->sqes[t & mask];

	memset(sqe, 0, sizeof(*sqe));
	sqe->opcode = IORING_OP_OPENAT;
	sqe->fd = AT_FDCWD;
	sqe->addr = (uintptr_t)path;
	sqe->open_flags = (uint32_t)flags;
	sqe->flags = IOSQE_ASYNC;
	array[t & mask] = t & mask;
	__atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
}

/* Close the fds of the opens that completed; at most `want`, 2 s. */
static void ring_reap(struct ring *r, unsigned want)
{
	unsigned *head = (unsigned *)(r->cq + r->p.cq_off.head);
	unsigned *tail = (unsigned *)(r->cq + r->p.cq_off.tail);
	unsigned mask = *(unsigned *)(r->cq + r->p.cq_off.ring_mask);
	struct io_uring_cqe *cqes =
		(struct io_uring_cqe *)(r->cq + r->p.cq_off.cqes);
	uint64_t deadline = now_ms() + 2000;

	while (want > 0 && now_ms() < deadline) {
		unsigned h = *head;

		if (h == __atomic_load_n(tail, __ATOMIC_ACQUIRE)) {
			usleep(1000);
			continue;
		}
		if (cqes[h & mask].res >= 0)
			(void)close(cqes[h & mask].res);
		__atomic_store_n(head, h + 1, __ATOMIC_RELEASE);
		want--;
	}
}

static void ring_free(struct ring *r)
{
	(void)munmap(r->sqes, r->p.sq_entries * sizeof(*r->sqes));
	(void)munmap(r->cq, r->cq_size);
	(void)munmap(r->sq, r->sq_size);
	(void)close(r->fd);
}

/* Our io-wq workers ("iou-wrk-*") that are asleep, up to max. */
static size_t find_workers(pid_t *tids, size_t max)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) && n < max) {
		char path[300], comm[32] = "";
		FILE *f;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm",
			 de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f))
			comm[0] = '\0';
		(void)fclose(f);
		if (strncmp(comm, "iou-wrk-", 8) == 0)
			tids[n++] = (pid_t)atoi(de->d_name);
	}
	(void)closedir(d);
	return n;
}

/*
 * Two opens handed to io-wq: the first worker blocks on a FIFO, which
 * makes io-wq create a second one from task_work run in this thread at
 * the return of whatever syscall it is in - here openat(O_RDONLY) in a
 * loop. The second worker, opening a FIFO O_WRONLY|O_TRUNC, then shows
 * this thread's openat registers in /proc/<tid>/syscall. Whatever they
 * say, a worker's intent must come out unknown, never read.
 */
static void test_read_io_uring_workers(void **state)
{
	char dir[] = "/tmp/sg-intent-XXXXXX", f1[64], f2[64];
	struct ring r;
	pid_t tids[8];
	size_t n = 0;
	uint64_t deadline;
	int procfd, e1, e2;
	(void)state;

	if (ring_setup(&r) < 0)
		skip(); /* io_uring disabled here */
	assert_non_null(mkdtemp(dir));
	snprintf(f1, sizeof(f1), "%s/f1", dir);
	snprintf(f2, sizeof(f2), "%s/f2", dir);
	assert_int_equal(mkfifo(f1, 0600), 0);
	assert_int_equal(mkfifo(f2, 0600), 0);
	procfd = open_proc();

	ring_queue_open(&r, f1, O_RDONLY);
	ring_queue_open(&r, f2, O_WRONLY | O_TRUNC);
	assert_int_equal(syscall(SYS_io_uring_enter, r.fd, 2, 0, 0, NULL, 0),
			 2);
	deadline = now_ms() + 5000;
	while (now_ms() < deadline) {
		for (int i = 0; i < 1000; i++)
			(void)syscall(SYS_openat, AT_FDCWD,
				      "/nonexistent-sg-test", O_RDONLY, 0);
		n = find_workers(tids, ARRAY_SIZE(tids));
		if (n >= 2)
			break;
	}
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++) {
		struct sg_intent_info info = { SG_INTENT_READ, 0, 0 };
		int ret = read_intent(procfd, tids[i], &info, NULL);

		if (info.intent != SG_INTENT_UNKNOWN)
			fail_msg("io-wq worker %d: %d, intent %s, syscall %ld "
				 "flags 0x%lx",
				 (int)tids[i], ret,
				 sg_intent_name(info.intent), info.syscall_nr,
				 info.flags);
	}

	/* let both opens finish */
	e1 = open(f1, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	e2 = open(f2, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ring_reap(&r, 2);
	if (e1 >= 0)
		(void)close(e1);
	if (e2 >= 0)
		(void)close(e2);
	ring_free(&r);
	(void)close(procfd);
	assert_int_equal(unlink(f1), 0);
	assert_int_equal(unlink(f2), 0);
	assert_int_equal(rmdir(dir), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(sg_intent_name(SG_INTENT_READ), "read");
	assert_string_equal(sg_intent_name(SG_INTENT_EXEC), "exec");
	assert_string_equal(sg_intent_name(SG_INTENT_WRITE), "write");
	assert_string_equal(sg_intent_name(SG_INTENT_UNKNOWN), "unknown");
	assert_string_equal(sg_intent_name((enum sg_intent)4), "?");
	assert_string_equal(sg_intent_name((enum sg_intent)-1), "?");
}

/* ---- sg_intent_may_read: which opens could load the file as code ---- */

static void test_may_read(void **state)
{
	static const struct {
		struct sg_intent_info i;
		bool want;
	} cases[] = {
		{ { SG_INTENT_READ, 257, O_RDONLY | O_CLOEXEC }, true },
		{ { SG_INTENT_READ, 2, O_RDONLY }, true },
		{ { SG_INTENT_WRITE, 257, O_RDWR }, true },
		{ { SG_INTENT_WRITE, 257, O_RDWR | O_CREAT }, true },
		{ { SG_INTENT_WRITE, 257, O_RDWR | O_APPEND }, true },
		{ { SG_INTENT_WRITE, 257, O_ACCMODE }, true },
		{ { SG_INTENT_WRITE, 257, O_WRONLY }, false },
		{ { SG_INTENT_WRITE, 257, O_WRONLY | O_CREAT | O_APPEND }, false },
		{ { SG_INTENT_WRITE, 257, O_RDWR | O_TRUNC }, false },
		{ { SG_INTENT_WRITE, 257, O_RDONLY | O_TRUNC }, false },
		{ { SG_INTENT_WRITE, 85, 0 }, false }, /* creat() */
		{ { SG_INTENT_EXEC, 59, 0 }, false },
		{ { SG_INTENT_UNKNOWN, 437, 0 }, true }, /* openat2 */
		{ { SG_INTENT_UNKNOWN, -1, 0 }, true },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (sg_intent_may_read(&cases[i].i) != cases[i].want)
			fail_msg("case %zu: nr %ld flags %#lo: want %d", i,
				 cases[i].i.syscall_nr, cases[i].i.flags,
				 cases[i].want);
}

/* ---- sg_intent_may_load: the loader's read, not a plain one ---- */

static void test_may_load(void **state)
{
	static const struct {
		struct sg_intent_info i;
		bool want;
	} cases[] = {
		/* ld.so's open_verify and musl's load_library */
		{ { SG_INTENT_READ, 257, O_RDONLY | O_CLOEXEC }, true },
		{ { SG_INTENT_READ, 2, O_RDONLY | O_CLOEXEC }, true },
		{ { SG_INTENT_WRITE, 257, O_RDWR | O_CLOEXEC }, true },
		/* cp, cat, sha256sum, tar: a plain read */
		{ { SG_INTENT_READ, 257, O_RDONLY }, false },
		{ { SG_INTENT_READ, 257, O_RDONLY | O_NOFOLLOW | O_NOCTTY }, false },
		{ { SG_INTENT_WRITE, 257, O_RDWR }, false },
		/* cannot read at all, with or without O_CLOEXEC */
		{ { SG_INTENT_WRITE, 257, O_WRONLY | O_CLOEXEC }, false },
		{ { SG_INTENT_WRITE, 257, O_RDONLY | O_TRUNC | O_CLOEXEC }, false },
		{ { SG_INTENT_EXEC, 59, 0 }, false },
		/* flags not known: fail closed */
		{ { SG_INTENT_UNKNOWN, 437, 0 }, true },
		{ { SG_INTENT_UNKNOWN, -1, 0 }, true },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (sg_intent_may_load(&cases[i].i) != cases[i].want)
			fail_msg("case %zu: nr %ld flags %#lo: want %d", i,
				 cases[i].i.syscall_nr, cases[i].i.flags,
				 cases[i].want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_flags_table),
		cmocka_unit_test(test_may_read),
		cmocka_unit_test(test_may_load),
		cmocka_unit_test(test_from_flags_exhaustive),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_matches_from_flags),
		cmocka_unit_test(test_parse_never_read_outside_table),
		cmocka_unit_test(test_read_self),
		cmocka_unit_test(test_read_blocked_thread),
		cmocka_unit_test(test_read_running_gives_up),
		cmocka_unit_test(test_read_errors_fail_closed),
		cmocka_unit_test(test_read_unparsable),
		cmocka_unit_test(test_read_io_uring_workers),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
