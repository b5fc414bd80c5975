/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * intent.c - decode write intent from /proc/<tid>/syscall. See intent.h.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>

#include "fan/intent.h"
#include "fan/syscallfd.h"
#include "util.h"

/* How each syscall that can raise FAN_OPEN_PERM carries its intent. */
enum flags_at {
	FLAGS_ALWAYS_WRITE = -1, /* creat() */
	FLAGS_EXEC = -2,         /* the exec's own open: a read */
	FLAGS_UNKNOWN = -3,      /* flags in user memory or a ring */
};

struct open_syscall {
	long nr;
	int flags_arg; /* index of the flags register, or a FLAGS_* value */
};

#if defined(__x86_64__)
/* x32 tasks share these numbers with bit 30 set; execve/execveat differ. */
#define X32_SYSCALL_BIT 0x40000000L
static const struct open_syscall open_syscalls[] = {
	{ 2, 1 },                      /* open(path, flags, mode) */
	{ 59, FLAGS_EXEC },            /* execve */
	{ 85, FLAGS_ALWAYS_WRITE },    /* creat */
	{ 134, FLAGS_EXEC },           /* uselib */
	{ 257, 2 },                    /* openat(dfd, path, flags, mode) */
	{ 304, 2 },                    /* open_by_handle_at(mfd, h, flags) */
	{ 322, FLAGS_EXEC },           /* execveat */
	{ 426, FLAGS_UNKNOWN },        /* io_uring_enter: flags in the ring */
	{ 437, FLAGS_UNKNOWN },        /* openat2: flags in user memory */
	{ 520, FLAGS_EXEC },           /* x32 execve */
	{ 545, FLAGS_EXEC },           /* x32 execveat */
};
#elif defined(__aarch64__)
#define X32_SYSCALL_BIT 0L
static const struct open_syscall open_syscalls[] = {
	{ 56, 2 },               /* openat */
	{ 221, FLAGS_EXEC },     /* execve */
	{ 265, 2 },              /* open_by_handle_at */
	{ 281, FLAGS_EXEC },     /* execveat */
	{ 426, FLAGS_UNKNOWN },  /* io_uring_enter */
	{ 437, FLAGS_UNKNOWN },  /* openat2 */
};
#else
#error "port the open-syscall table in src/daemon/fan/intent.c to this architecture"
#endif

/*
 * Bounds for a thread that shows "running": it queued its event and is
 * about to sleep, or was preempted on the way. First yields: it usually
 * sleeps within a few. Then short sleeps, up to RUNNING_WAIT_MS in all:
 * on a loaded host (found by `make stress`: 14 busy processes on 2
 * CPUs) the opener can sit runnable on the other CPU's queue for longer
 * than 1000 yields take (a few ms); yielding does not let it run there,
 * while our CPU going idle lets the scheduler pull it over. Yields alone
 * turned about one legitimate open in 10,000 into an "unknown intent"
 * denial (a trusted exec, a hook's shell reading its script). Past the
 * bound the read still fails closed; the loop is held meanwhile, as it
 * is by any slow opener.
 */
#define RUNNING_YIELDS 1000
#define RUNNING_SLEEP_NS 50000L
#define RUNNING_WAIT_MS 200

enum sg_intent sg_intent_from_flags(unsigned long flags)
{
	if ((flags & O_ACCMODE) != O_RDONLY)
		return SG_INTENT_WRITE; /* includes the odd O_ACCMODE == 3 */
	if (flags & (O_TRUNC | O_APPEND | O_CREAT))
		return SG_INTENT_WRITE;
	return SG_INTENT_READ;
}

static const struct open_syscall *find_open_syscall(long nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(open_syscalls); i++)
		if (open_syscalls[i].nr == nr)
			return &open_syscalls[i];
	return NULL;
}

static enum sg_intent intent_of(long nr, const unsigned long args[6],
				unsigned long *ret_flags)
{
	const struct open_syscall *s;

	s = find_open_syscall(nr);
	if (!s && (nr & X32_SYSCALL_BIT))
		s = find_open_syscall(nr & ~X32_SYSCALL_BIT);
	if (!s)
		return SG_INTENT_UNKNOWN;
	switch (s->flags_arg) {
	case FLAGS_ALWAYS_WRITE:
		return SG_INTENT_WRITE;
	case FLAGS_EXEC:
		return SG_INTENT_EXEC;
	case FLAGS_UNKNOWN:
		return SG_INTENT_UNKNOWN;
	default:
		*ret_flags = args[s->flags_arg];
		return sg_intent_from_flags(args[s->flags_arg]);
	}
}

int sg_intent_parse(const char *line, struct sg_intent_info *ret)
{
	unsigned long args[6] = { 0 }, sp = 0, pc = 0;
	unsigned long flags = 0;
	long nr;
	int n;

	if (strncmp(line, "running", 7) == 0)
		return -EAGAIN;
	n = sscanf(line, "%ld %lx %lx %lx %lx %lx %lx %lx %lx", &nr, &args[0],
		   &args[1], &args[2], &args[3], &args[4], &args[5], &sp, &pc);
	if (n < 1)
		return -EINVAL;
	/*
	 * "-1 sp pc": blocked outside a syscall (a page fault...). A thread
	 * in a syscall always shows "nr a0..a5 sp pc"; anything shorter is
	 * not what the kernel writes.
	 * pc == 0: an io_uring io-wq worker (or another kernel-made user
	 * worker). It never entered a syscall: its registers are a copy of
	 * its creator's, taken wherever the creator was - possibly the
	 * return of an unrelated openat(O_RDONLY) - with sp and pc set to 0.
	 * No user thread returns to pc 0 from a syscall.
	 */
	if (nr < 0 || n < 9 || pc == 0) {
		*ret = (struct sg_intent_info){ SG_INTENT_UNKNOWN, -1, 0 };
		return 0;
	}
	*ret = (struct sg_intent_info){ intent_of(nr, args, &flags), nr, 0 };
	ret->flags = flags;
	return 0;
}

bool sg_intent_may_read(const struct sg_intent_info *i)
{
	switch (i->intent) {
	case SG_INTENT_READ:
		return true;
	case SG_INTENT_EXEC:
		return false;
	case SG_INTENT_WRITE:
		/* flags 0 with a write intent: creat(), whose flags are not
		 * in a register (O_CREAT|O_WRONLY|O_TRUNC) */
		return i->flags != 0 && (i->flags & O_ACCMODE) != O_WRONLY &&
		       !(i->flags & O_TRUNC);
	case SG_INTENT_UNKNOWN:
	default:
		return true;
	}
}

bool sg_intent_may_load(const struct sg_intent_info *i)
{
	if (!sg_intent_may_read(i))
		return false;
	return i->intent == SG_INTENT_UNKNOWN || (i->flags & O_CLOEXEC);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int sg_intent_read(struct sg_syscall_fds *fds, pid_t tid,
		   struct sg_intent_info *ret, unsigned long *retries)
{
	static const struct timespec pause = { 0, RUNNING_SLEEP_NS };
	char buf[256];
	uint64_t give_up = 0;
	int r;

	*ret = (struct sg_intent_info){ SG_INTENT_UNKNOWN, -1, 0 };
	if (tid <= 0)
		return -ESRCH; /* not visible from our pid namespace */
	for (unsigned i = 0;; i++) {
		ssize_t n = sg_syscall_fds_read(fds, tid, buf, sizeof(buf));

		if (n < 0)
			return (int)n;
		r = sg_intent_parse(buf, ret);
		if (r != -EAGAIN)
			return r;
		if (retries)
			(*retries)++;
		if (i < RUNNING_YIELDS) {
			(void)sched_yield();
			continue;
		}
		if (i == RUNNING_YIELDS)
			give_up = now_ms() + RUNNING_WAIT_MS;
		else if (now_ms() >= give_up)
			return -EAGAIN;
		(void)nanosleep(&pause, NULL);
	}
}

const char *sg_intent_name(enum sg_intent i)
{
	static const char *const names[] = {
		[SG_INTENT_READ] = "read",
		[SG_INTENT_EXEC] = "exec",
		[SG_INTENT_WRITE] = "write",
		[SG_INTENT_UNKNOWN] = "unknown",
	};
	return i < ARRAY_SIZE(names) ? names[i] : "?";
}
