/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * responder.c - the helper that runs hooks and freezes cgroups for the
 * sealed daemon (see responder.h). It is small on purpose: one loop that
 * takes requests, starts at most SG_RESP_MAX_RUNNING programs
 * (responder_job.c), reaps them through pidfds, kills those that run too
 * long, and answers each request exactly once (responder_reply.c). Here:
 * the start-up on both sides of the fork, the loop, requests.
 */
#include <linux/securebits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "clock.h"
#include "respond/responder_int.h"
#include "util.h"

#define RESP_SOCK_FD 3
#define HELLO_TIMEOUT_MS 5000

/* ------------------------------------------------------------ requests */

static void handle_request(struct responder *rs, const void *msg, size_t len)
{
	const struct sg_resp_msg *req = msg;

	if (req->op == SG_RESP_REPROVISION) /* the daemon asked: we never do */
		rs->reprovisioned = true;
	if (req->op == SG_RESP_FREEZE)
		responder_freeze(rs, req, sg_resp_string(msg, len, 0));
	else if (req->op == SG_RESP_HOOK)
		job_enqueue(rs, msg, len);
	else if (req->op == SG_RESP_REPROVISION && jobs_running(rs, req->op))
		responder_reply(rs, req, SG_RESP_DROPPED, 0, sg_now_ms(), "",
				"the reprovision program is still running");
	else if (req->op == SG_RESP_REPROVISION) /* its own slot, at once */
		job_start(rs, msg, len);
	jobs_start_queued(rs);
}

/* ---------------------------------------------------------------- setup */

static void read_line_file(const char *path, char *buf, size_t size)
{
	_cleanup_fclose_ FILE *f = fopen(path, "re");

	buf[0] = '\0';
	if (f && fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = '\0';
}

/* One capability: cgroups delegated to a user are owned by that user.
 * Hooks get none: no root magic (NOROOT, locked), no ambient set, an
 * empty bounding set, and no_new_privs, so neither setuid nor file
 * capabilities give any back. */
static int drop_privileges(void)
{
	const unsigned bits = SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_SETUID_FIXUP |
			      SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_NOROOT |
			      SECBIT_NOROOT_LOCKED |
			      SECBIT_NO_CAP_AMBIENT_RAISE |
			      SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	const cap_value_t keep = CAP_DAC_OVERRIDE;
	cap_t caps;
	int r = 0;

	if (cap_set_secbits(bits) < 0 || cap_reset_ambient() < 0)
		return -errno;
	/* the bounding set only limits what an exec can give: empty it, we
	 * keep our one capability in our own sets */
	for (cap_value_t c = 0; c <= (cap_value_t)cap_max_bits() - 1; c++)
		if (CAP_IS_SUPPORTED(c) && cap_drop_bound(c) < 0)
			return -errno;
	caps = cap_init();
	if (!caps)
		return -errno;
	if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &keep, CAP_SET) < 0 ||
	    cap_set_flag(caps, CAP_PERMITTED, 1, &keep, CAP_SET) < 0 ||
	    cap_set_proc(caps) < 0)
		r = -errno;
	cap_free(caps);
	if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		r = -errno;
	return r;
}

/* Only the socket, and stdio (stdin from /dev/null) stay open. */
static int tidy_descriptors(int sock)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (null < 0 || dup2(null, STDIN_FILENO) < 0)
		return -errno;
	if (sock != RESP_SOCK_FD && dup2(sock, RESP_SOCK_FD) < 0)
		return -errno;
	if (close_range(RESP_SOCK_FD + 1, ~0U, 0) < 0)
		return -errno;
	return RESP_SOCK_FD;
}

static int setup(struct responder *rs, int sock, pid_t parent)
{
	sigset_t all;
	int r;

	/* the daemon blocked its stop signals for its signalfd; ours are
	 * the defaults again, and we die with the daemon */
	sigfillset(&all);
	(void)sigprocmask(SIG_UNBLOCK, &all, NULL);
	(void)signal(SIGPIPE, SIG_IGN);
	/* waitid() needs our children: never auto-reaped */
	(void)signal(SIGCHLD, SIG_DFL);
	/* systemd's stop signals every process of the unit: we go when the
	 * daemon closes our socket (or dies), not before it, so that it does
	 * not report us lost on every clean stop. Hooks get the defaults
	 * back (POSIX_SPAWN_SETSIGDEF). */
	(void)signal(SIGTERM, SIG_IGN);
	(void)signal(SIGINT, SIG_IGN);
	(void)signal(SIGHUP, SIG_IGN);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		return -ESRCH;
	(void)prctl(PR_SET_NAME, "sealguard-resp");
	r = tidy_descriptors(sock);
	if (r < 0)
		return r;
	rs->sock = r;
	/* the watch on the daemon: its own way to the journal, for when
	 * the daemon is stopped and cannot log */
	rs->daemon = parent;
	rs->journal = responder_journal_open();
	rs->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rs->proc_fd < 0)
		return -errno;
	/* the daemon's memory files, while we may still open them; EPERM:
	 * the kernel refuses the open (Yama ptrace_scope = 3), to any
	 * writer too */
	r = sg_memwatch_open(&rs->mem);
	if (r == 0)
		r = sg_memwatch_add(&rs->mem, rs->proc_fd, SG_MEM_DAEMON, parent);
	if (r < 0 && r != -EPERM)
		fprintf(stderr, "sealguard-resp: cannot watch /proc/%d/mem: %s: "
			"a write into sealguardd's memory is seen by sealguardd "
			"alone\n", (int)parent, strerror(-r));
	rs->cgroup_root = responder_open_cgroup_root();
	sg_read_own_cgroup(rs->own_cgroup, sizeof(rs->own_cgroup));
	read_line_file("/proc/sys/kernel/hostname", rs->hostname,
		       sizeof(rs->hostname));
	read_line_file("/proc/sys/kernel/random/boot_id", rs->boot_id,
		       sizeof(rs->boot_id));
	return drop_privileges();
}

/* ----------------------------------------------------------------- loop */

static _Noreturn void serve(struct responder *rs)
{
	static char msg[SG_RESP_MSG_MAX];

	for (;;) {
		struct pollfd pfd[1 + MAX_JOBS];
		size_t njobs = rs->njobs;
		ssize_t len;
		int timeout;

		pfd[0] = (struct pollfd){ rs->sock,
					  POLLIN | (rs->rlen ? POLLOUT : 0), 0 };
		for (size_t i = 0; i < njobs; i++)
			pfd[1 + i] = (struct pollfd){ rs->jobs[i].pidfd,
						      POLLIN, 0 };
		timeout = jobs_poll_timeout(rs, sg_now_ms());
		if (timeout < 0 ||
		    responder_watch_timeout(rs, sg_now_ms()) < timeout)
			timeout = responder_watch_timeout(rs, sg_now_ms());
		if (poll(pfd, 1 + njobs, timeout) < 0 && errno != EINTR)
			_exit(1);
		responder_watch(rs, sg_now_ms());
		jobs_kill_overdue(rs, sg_now_ms());
		for (size_t i = njobs; i-- > 0;) /* backwards: finish moves */
			if (pfd[1 + i].revents)
				job_finish(rs, i);
		jobs_start_queued(rs);
		if (pfd[0].revents & POLLOUT)
			responder_flush_replies(rs);
		if (pfd[0].revents & POLLIN) {
			len = recv(rs->sock, msg, sizeof(msg), MSG_DONTWAIT);
			if (len == 0)
				_exit(0); /* the daemon is gone */
			if (len >= (ssize_t)sizeof(struct sg_resp_msg))
				handle_request(rs, msg, (size_t)len);
		} else if (pfd[0].revents & (POLLHUP | POLLERR)) {
			_exit(0);
		}
	}
}

static _Noreturn void responder_main(int sock, pid_t parent,
				     const struct sg_responder_config *cfg)
{
	struct responder rs = { .sock = -1, .cfg = cfg, .cgroup_root = -1,
				.proc_fd = -1, .journal = -1,
				.mem = { .inotify = -1 } };
	struct sg_resp_msg hello = { .op = SG_RESP_HELLO };
	int r = setup(&rs, sock, parent);

	if (r < 0) {
		hello.outcome = SG_RESP_ERRNO;
		hello.value = -r;
		(void)send(rs.sock >= 0 ? rs.sock : sock, &hello, sizeof(hello),
			   MSG_NOSIGNAL);
		_exit(1);
	}
	hello.flags = rs.cgroup_root >= 0 ? SG_RESP_CAN_FREEZE : 0;
	if (send(rs.sock, &hello, sizeof(hello), MSG_NOSIGNAL) < 0)
		_exit(1);
	serve(&rs);
}

/* ---------------------------------------------------------- the daemon */

static int wait_hello(int fd, uint32_t *ret_flags, struct errlist *errs)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	struct sg_resp_msg hello;
	ssize_t n;
	int r;

	r = poll(&pfd, 1, HELLO_TIMEOUT_MS);
	if (r <= 0) {
		(void)errlist_add(errs, "the responder did not start: %s",
				  r == 0 ? "no answer in 5 s" : strerror(errno));
		return r == 0 ? -ETIMEDOUT : -errno;
	}
	n = recv(fd, &hello, sizeof(hello), 0);
	if (n != (ssize_t)sizeof(hello) || hello.op != SG_RESP_HELLO) {
		(void)errlist_add(errs, "the responder did not start");
		return -EPROTO;
	}
	if (hello.outcome != SG_RESP_DONE) {
		(void)errlist_add(errs, "the responder could not drop its "
					"privileges: %s", strerror(hello.value));
		return -hello.value;
	}
	*ret_flags = hello.flags;
	return 0;
}

int sg_responder_start(const struct sg_responder_config *cfg, pid_t *ret_pid,
		       uint32_t *ret_flags, struct errlist *errs)
{
	pid_t parent = getpid(), pid;
	int sv[2], r;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = -errno;
		(void)errlist_add(errs, "responder socket pair: %s",
				  strerror(-r));
		return r;
	}
	fflush(NULL); /* nothing buffered is written twice */
	pid = fork();
	if (pid < 0) {
		r = -errno;
		(void)close(sv[0]);
		(void)close(sv[1]);
		(void)errlist_add(errs, "cannot fork the responder: %s",
				  strerror(-r));
		return r;
	}
	if (pid == 0)
		responder_main(sv[1], parent, cfg);
	(void)close(sv[1]);
	r = wait_hello(sv[0], ret_flags, errs);
	if (r < 0) {
		(void)kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		(void)close(sv[0]);
		return r;
	}
	*ret_pid = pid;
	return sv[0];
}
