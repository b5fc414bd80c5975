/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * selfseal.c - the self-seal: capabilities and the seccomp allowlist.
 * See selfseal.h.
 *
 * Both lists are tables: one line a capability or syscall, with the
 * reason it is kept. Nothing else is allowed, and `sealguardd
 * --list-seal` prints them as docs/seal.md shows them.
 */
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/securebits.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "seal/selfseal.h"
#include "util.h"

struct kept_cap {
	cap_value_t cap;
	const char *name;
	const char *why;
};

static const struct kept_cap kept_caps[] = {
	{ CAP_DAC_OVERRIDE, "cap_dac_override",
	  "the kernel opens each event's file with the daemon's credentials; "
	  "a file it could not open would be denied to its opener" },
	{ CAP_DAC_READ_SEARCH, "cap_dac_read_search",
	  "walk protected trees and resolve file handles of change events" },
	{ CAP_IPC_LOCK, "cap_ipc_lock",
	  "mlockall(MCL_ONFAULT): a page once used is never paged out" },
	{ CAP_KILL, "cap_kill",
	  "kill the owner of a forbidden listener (listen action = kill) "
	  "and the actor of a violation ([respond] kill)" },
	{ CAP_NET_ADMIN, "cap_net_admin",
	  "SOCK_DESTROY of forbidden listeners through NETLINK_SOCK_DIAG" },
	{ CAP_SYS_ADMIN, "cap_sys_admin",
	  "fanotify_init and marks, also for filesystems mounted later" },
	{ CAP_SYS_PTRACE, "cap_sys_ptrace",
	  "read /proc/<tid>/syscall and /proc/<tid>/exe of any process" },
};

void sg_selfseal_print_capabilities(FILE *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(kept_caps); i++)
		fprintf(out, "%-22s %s\n", kept_caps[i].name, kept_caps[i].why);
}

static bool is_kept(cap_value_t c)
{
	for (size_t i = 0; i < ARRAY_SIZE(kept_caps); i++)
		if (kept_caps[i].cap == c)
			return true;
	return false;
}

/* Every capability not kept leaves the bounding set: nothing, not even an
 * exec of a setuid binary (which seccomp forbids anyway), brings it back. */
static int drop_bounding(void)
{
	for (cap_value_t c = 0; c <= (cap_value_t)cap_max_bits() - 1; c++) {
		if (is_kept(c) || !CAP_IS_SUPPORTED(c))
			continue;
		if (cap_drop_bound(c) < 0)
			return -errno;
	}
	return 0;
}

static int set_kept(void)
{
	cap_value_t v[ARRAY_SIZE(kept_caps)];
	cap_t caps = cap_init(); /* all clear, inheritable included */
	int r = 0;

	if (!caps)
		return -errno;
	for (size_t i = 0; i < ARRAY_SIZE(kept_caps); i++)
		v[i] = kept_caps[i].cap;
	if (cap_set_flag(caps, CAP_EFFECTIVE, ARRAY_SIZE(v), v, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_PERMITTED, ARRAY_SIZE(v), v, CAP_SET) < 0 ||
	    cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	return r;
}

int sg_selfseal_capabilities(struct errlist *errs)
{
	/* No setuid fix-ups, no root magic, no ambient raise, no keeping
	 * capabilities across a uid change: and each of those locked. */
	const unsigned bits = SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_SETUID_FIXUP |
			      SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_NOROOT |
			      SECBIT_NOROOT_LOCKED |
			      SECBIT_NO_CAP_AMBIENT_RAISE |
			      SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	int r;

	if (cap_set_secbits(bits) < 0) {
		r = -errno;
		(void)errlist_add(errs, "cannot lock the securebits: %s",
				  strerror(-r));
		return r;
	}
	r = drop_bounding();
	if (r == 0 && cap_reset_ambient() < 0)
		r = -errno;
	if (r == 0)
		r = set_kept();
	if (r < 0)
		(void)errlist_add(errs, "cannot drop capabilities: %s",
				  strerror(-r));
	return r;
}

/* How a syscall's arguments are narrowed (see add_rule). */
enum narrow {
	ANY,          /* allowed with any arguments */
	READ_ONLY,    /* openat: no write access, no O_CREAT/O_TRUNC/O_APPEND */
	NO_EXEC_MEM,  /* mmap, mprotect: never PROT_EXEC (no new code) */
	SOCK_FAMILY,  /* socket: AF_UNIX (journal, sd_notify), AF_NETLINK */
	SELF_ONLY,    /* tgkill: only our own process (raise, abort) */
	SIGKILL_ONLY, /* kill: SIGKILL to a listener's owner, nothing else */
	PIDFD_SIGNALS, /* pidfd_send_signal: SIGKILL, SIGSTOP, SIGCONT, or
			  0 (a liveness probe) */
	FCNTL_CMDS,   /* fcntl: flags and memfd seals only */
	BPF_CMDS,     /* bpf: the device guard's program (load, attach,
			 detach, query, its id) and its counter map */
	TTY_QUERY,    /* ioctl: TCGETS (stdio asks whether stderr is a tty) */
	THREAD_ONLY,  /* clone: new threads, never new processes */
	PIDFD_ONLY,   /* waitid: by pidfd (P_PIDFD), no pid or group */
	NO_CLONE3,    /* clone3: ENOSYS, so glibc falls back to clone, whose
			 flags, unlike clone3's, seccomp can see */
	NO_OPENAT2,   /* openat2: ENOSYS, so the verify pass falls back to
			 openat, whose flags, unlike openat2's, seccomp can
			 see (and READ_ONLY narrows) */
};

struct allowed_syscall {
	const char *name;
	enum narrow narrow;
	const char *why;
};

static const struct allowed_syscall allowed[] = {
	{ "bpf", BPF_CMDS, "device guard: its cgroup program, on mount changes" },
	{ "brk", ANY, "malloc" },
	{ "clock_gettime", ANY, "rate limits, timestamps" },
	{ "clock_nanosleep", ANY, "bounded waits" },
	{ "clone", THREAD_ONLY, "worker threads (log, hasher)" },
	{ "clone3", NO_CLONE3, "see clone" },
	{ "close", ANY, "event and /proc descriptors" },
	{ "exit", ANY, "thread exit" },
	{ "exit_group", ANY, "process exit" },
	{ "fanotify_mark", ANY, "ignore marks; filesystems mounted later" },
	{ "fcntl", FCNTL_CMDS, "descriptor flags; journal memfd seals" },
	{ "fgetxattr", ANY, "verify pass: capabilities and security xattrs of files, directories" },
	{ "flistxattr", ANY, "verify pass: which xattrs a file or directory has" },
	{ "fstat", ANY, "the file behind an event" },
	{ "fstatfs", ANY, "change watch: the fsid of a filesystem to watch" },
	{ "futex", ANY, "locks and condition variables between threads" },
	{ "getdents64", ANY, "scan /proc/<pid>/fd for a socket's owner" },
	{ "getegid", ANY, "libsystemd: credentials sent with sd_notify" },
	{ "geteuid", ANY, "libsystemd: credentials sent with sd_notify" },
	{ "getgid", ANY, "libsystemd: credentials sent with sd_notify" },
	{ "getpid", ANY, "own pid" },
	{ "getrandom", ANY, "libc and libsystemd internals" },
	{ "getsockopt", ANY, "journal socket buffer size" },
	{ "gettid", ANY, "own thread ids" },
	{ "getuid", ANY, "libsystemd: credentials sent with sd_notify" },
	{ "ioctl", TTY_QUERY, "stdio buffering of stderr" },
	{ "kill", SIGKILL_ONLY, "listen action = kill" },
	{ "lgetxattr", ANY, "verify pass: security xattrs of symlinks, device nodes, FIFOs" },
	{ "llistxattr", ANY, "verify pass: which xattrs a symlink, device node or FIFO has" },
	{ "lseek", ANY, "re-read /proc files" },
	{ "madvise", ANY, "malloc" },
	{ "memfd_create", ANY, "libsystemd: journal entries too big for a datagram" },
	{ "mmap", NO_EXEC_MEM, "malloc, thread stacks" },
	{ "mount_setattr", ANY, "read-only seals: make a seal read-only again" },
	{ "move_mount", ANY, "read-only seals: attach an unmounted seal again" },
	{ "mprotect", NO_EXEC_MEM, "malloc, thread stack guards" },
	{ "mremap", ANY, "realloc" },
	{ "munmap", ANY, "free" },
	{ "nanosleep", ANY, "bounded waits" },
	{ "newfstatat", ANY, "stat of /proc/<tid>/exe, mount points" },
	{ "open_by_handle_at", READ_ONLY, "change watch: an event's directory, O_PATH" },
	{ "open_tree", ANY, "read-only seals: clone a tree to seal it again" },
	{ "openat", READ_ONLY, "/proc files, read-only" },
	{ "openat2", NO_OPENAT2, "ENOSYS: the verify pass falls back to openat" },
	{ "pidfd_open", ANY, "pin a listener's owner or an event's actor before killing it" },
	{ "pidfd_send_signal", PIDFD_SIGNALS,
	  "SIGKILL a listener's owner or a violation's actor ([respond] kill); "
	  "SIGSTOP an actor whose cgroup is to be frozen; SIGCONT a stopped "
	  "responder; 0: is it alive" },
	{ "poll", ANY, "the event loop" },
	{ "ppoll", ANY, "the event loop" },
	{ "pread64", ANY, "hash files, re-read mountinfo" },
	{ "pwrite64", ANY, "rewrite the status record (opened before the seal)" },
	{ "read", ANY, "events, signals, timers, /proc" },
	{ "readlinkat", ANY, "paths of event descriptors and executables; verify pass: symlink targets" },
	{ "recvfrom", ANY, "netlink replies; the responder's replies" },
	{ "recvmsg", ANY, "netlink replies" },
	{ "restart_syscall", ANY, "resume the loop's poll after SIGSTOP/SIGCONT" },
	{ "rseq", ANY, "thread start (glibc)" },
	{ "rt_sigprocmask", ANY, "signal masks of threads" },
	{ "rt_sigreturn", ANY, "return from the crash handler" },
	{ "sched_yield", ANY, "a thread still running into its open" },
	{ "sendmsg", ANY, "journal, sd_notify, netlink" },
	{ "sendto", ANY, "netlink requests; requests to the responder" },
	{ "set_robust_list", ANY, "thread start (glibc)" },
	{ "setsockopt", ANY, "journal socket buffer size" },
	{ "sigaltstack", ANY, "thread exit (glibc)" },
	{ "socket", SOCK_FAMILY, "sd_notify and journal sockets, netlink" },
	{ "sysinfo", ANY, "glibc qsort sizes its buffer by physical memory" },
	{ "statx", ANY, "mount ids: of a read-only seal, of an event's file" },
	{ "tgkill", SELF_ONLY, "raise() in the crash handler, abort()" },
	{ "umount2", ANY, "read-only seals: lifted on a clean stop" },
	{ "waitid", PIDFD_ONLY, "reap the responder when it is gone, to say how it ended" },
	{ "write", ANY, "permission responses, stderr, eventfds" },
	{ "writev", ANY, "stderr" },
};

#if defined(__SANITIZE_ADDRESS__)
/*
 * The sanitizer build's own runtime: LeakSanitizer stops the world at exit
 * by cloning a tracer task that ptraces the daemon's threads. Only in the
 * ASan+UBSan test build, never in a production binary.
 */
static const struct allowed_syscall sanitizer_runtime[] = {
	{ "clone", ANY, "LeakSanitizer's tracer task" },
	{ "prctl", ANY, "LeakSanitizer: PR_SET_PDEATHSIG, dumpable" },
	{ "ptrace", ANY, "LeakSanitizer: stop and read the threads" },
	{ "rt_sigaction", ANY, "LeakSanitizer's tracer: its own handlers" },
	{ "tkill", ANY, "LeakSanitizer's tracer" },
	{ "getppid", ANY, "LeakSanitizer's tracer" },
	{ "getdents", ANY, "LeakSanitizer's tracer: /proc/self/task" },
	{ "open", ANY, "LeakSanitizer's tracer: /proc/self/task" },
	{ "readlink", ANY, "sanitizer runtime" },
	{ "sched_getaffinity", ANY, "sanitizer runtime" },
	{ "wait4", ANY, "LeakSanitizer: reap the tracer" },
};
#endif

unsigned sg_selfseal_syscall_count(void)
{
	return ARRAY_SIZE(allowed);
}

void sg_selfseal_print_syscalls(FILE *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(allowed); i++)
		fprintf(out, "%-16s %s\n", allowed[i].name, allowed[i].why);
}

static int add(scmp_filter_ctx ctx, int nr, unsigned n, ...)
{
	struct scmp_arg_cmp cmp[2];
	va_list ap;

	va_start(ap, n);
	for (unsigned i = 0; i < n; i++)
		cmp[i] = va_arg(ap, struct scmp_arg_cmp);
	va_end(ap);
	return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, nr, n, cmp);
}

/* arg == value. libseccomp's SCMP_CMP(arg, SCMP_CMP_EQ, v) leaves
 * datum_b to the compiler, which clang's -Wextra rejects. */
static struct scmp_arg_cmp arg_eq(unsigned arg, scmp_datum_t value)
{
	return (struct scmp_arg_cmp){ .arg = arg, .op = SCMP_CMP_EQ,
				      .datum_a = value, .datum_b = 0 };
}

static int add_each(scmp_filter_ctx ctx, int nr, unsigned arg,
		    const unsigned long *values, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r = add(ctx, nr, 1, arg_eq(arg, values[i]));

		if (r < 0)
			return r;
	}
	return 0;
}

static int add_rule(scmp_filter_ctx ctx, const struct allowed_syscall *s)
{
	static const unsigned long families[] = { AF_UNIX, AF_NETLINK };
	static const unsigned long pidfd_signals[] = { 0, SIGKILL, SIGSTOP,
							 SIGCONT };
	static const unsigned long fcntl_cmds[] = {
		F_GETFD, F_SETFD, F_GETFL, F_SETFL, F_ADD_SEALS, F_GET_SEALS,
	};
	static const unsigned long bpf_cmds[] = {
		BPF_MAP_CREATE, BPF_MAP_LOOKUP_ELEM, BPF_PROG_LOAD,
		BPF_PROG_ATTACH, BPF_PROG_DETACH, BPF_PROG_QUERY,
		BPF_OBJ_GET_INFO_BY_FD,
	};
	const unsigned long write_flags = O_ACCMODE | O_CREAT | O_TRUNC |
					  O_APPEND;
	int nr = seccomp_syscall_resolve_name(s->name);

	if (nr == __NR_SCMP_ERROR)
		return 0; /* not a syscall on this architecture */
	switch (s->narrow) {
	case READ_ONLY:
		return add(ctx, nr, 1,
			   SCMP_A2(SCMP_CMP_MASKED_EQ, write_flags, 0));
	case NO_EXEC_MEM:
		return add(ctx, nr, 1,
			   SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	case SOCK_FAMILY:
		return add_each(ctx, nr, 0, families, ARRAY_SIZE(families));
	case SELF_ONLY:
		return add(ctx, nr, 1, arg_eq(0, (scmp_datum_t)getpid()));
	case SIGKILL_ONLY:
		return add(ctx, nr, 1, arg_eq(1, SIGKILL));
	case PIDFD_SIGNALS:
		return add_each(ctx, nr, 1, pidfd_signals,
				ARRAY_SIZE(pidfd_signals));
	case FCNTL_CMDS:
		return add_each(ctx, nr, 1, fcntl_cmds, ARRAY_SIZE(fcntl_cmds));
	case BPF_CMDS:
		return add_each(ctx, nr, 0, bpf_cmds, ARRAY_SIZE(bpf_cmds));
	case TTY_QUERY:
		return add(ctx, nr, 1, arg_eq(1, TCGETS));
	case THREAD_ONLY:
		return add(ctx, nr, 1,
			   SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	case PIDFD_ONLY:
		return add(ctx, nr, 1, arg_eq(0, P_PIDFD));
	case NO_CLONE3:
	case NO_OPENAT2:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
	case ANY:
	default:
		return add(ctx, nr, 0);
	}
}

int sg_selfseal_seccomp(enum sg_seccomp_action action, struct errlist *errs)
{
	uint32_t deflt = action == SG_SECCOMP_TRAP ? SCMP_ACT_TRAP :
						     SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx;
	int r = 0;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		r = -errno;
		(void)errlist_add(errs, "cannot set no_new_privs: %s",
				  strerror(-r));
		return r;
	}
	if (action == SG_SECCOMP_OFF) /* the caller logs it, loudly */
		return 0;
	ctx = seccomp_init(deflt);
	if (!ctx) {
		(void)errlist_add(errs, "seccomp_init failed");
		return -ENOMEM;
	}
	/* every thread, not only the caller: the log writer and the hasher
	 * run before the filter is loaded */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(allowed); i++) {
		r = add_rule(ctx, &allowed[i]);
		if (r < 0)
			(void)errlist_add(errs, "seccomp rule for %s: %s",
					  allowed[i].name, strerror(-r));
	}
#if defined(__SANITIZE_ADDRESS__)
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(sanitizer_runtime); i++)
		r = add_rule(ctx, &sanitizer_runtime[i]);
#endif
	if (r == 0)
		r = seccomp_load(ctx);
	if (r < 0)
		(void)errlist_add(errs, "cannot load the seccomp filter: %s",
				  strerror(-r));
	seccomp_release(ctx);
	return r;
}
