/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * responder.c - the helper that runs hooks and freezes cgroups for the
 * sealed daemon (see responder.h). It is small on purpose: one loop that
 * takes requests, starts at most SG_RESP_MAX_RUNNING programs, reaps
 * them through pidfds, kills those that run too long, and answers each
 * request exactly once.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/securebits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/capability.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "clock.h"
#include "policy.h"
#include "respond/responder.h"
#include "util.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

#define RESP_SOCK_FD 3
#define HELLO_TIMEOUT_MS 5000
/* Replies the daemon has not taken yet (its socket buffer is full). */
#define MAX_PENDING_REPLIES 1024
/* Hooks, and one more slot: the reprovision program never waits behind
 * them (nor is it dropped for them). */
#define MAX_JOBS (SG_RESP_MAX_RUNNING + 1)

/* A hook program that is running. */
struct job {
	pid_t pid;
	int pidfd;
	struct sg_resp_msg req; /* the request it answers */
	const char *program;
	uint64_t start_ms, deadline_ms;
	bool timed_out;
};

/* A request waiting for a free slot: its bytes as received. */
struct queued {
	size_t len;
	char buf[];
};

struct responder {
	int sock;
	const struct sg_responder_config *cfg;
	int cgroup_root; /* O_PATH of the cgroup v2 mount; -1: none */
	char own_cgroup[PATH_MAX];
	char hostname[256];
	char boot_id[64];
	struct job jobs[MAX_JOBS];
	size_t njobs;
	struct queued *queue[SG_RESP_MAX_QUEUED];
	size_t qhead, qlen;
	struct queued *replies[MAX_PENDING_REPLIES];
	size_t rhead, rlen;
};

const char *sg_resp_string(const void *msg, size_t len, unsigned i)
{
	const char *s = (const char *)msg + sizeof(struct sg_resp_msg);
	const char *end = (const char *)msg + len;

	if (len < sizeof(struct sg_resp_msg))
		return NULL;
	for (; s < end; i--) {
		const char *nul = memchr(s, '\0', (size_t)(end - s));

		if (!nul)
			return NULL; /* not terminated: not a string */
		if (i == 0)
			return s;
		s = nul + 1;
	}
	return NULL;
}

/* --------------------------------------------------------------- JSON */

static size_t json_escape(char *out, const char *s)
{
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			n += (size_t)sprintf(out + n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	return n;
}

char *sg_resp_json(const char *const *env, size_t n)
{
	size_t size = 3, len = 0;
	char *out;

	for (size_t i = 0; i < n; i++)
		size += 6 * strlen(env[i]) + 8;
	out = malloc(size);
	if (!out)
		return NULL;
	out[len++] = '{';
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(env[i], '='), *key = env[i];
		char name[128];
		size_t k = 0;

		if (!eq)
			continue;
		if (strncmp(key, "SEALGUARD_", 10) == 0)
			key += 10;
		for (; key < eq && k < sizeof(name) - 1; key++)
			name[k++] = (char)(*key >= 'A' && *key <= 'Z' ?
						   *key - 'A' + 'a' : *key);
		name[k] = '\0';
		len += (size_t)sprintf(out + len, "%s\"", len > 1 ? "," : "");
		len += json_escape(out + len, name);
		len += (size_t)sprintf(out + len, "\":\"");
		len += json_escape(out + len, eq + 1);
		out[len++] = '"';
	}
	out[len++] = '}';
	out[len] = '\0';
	return out;
}

/* ------------------------------------------------------------- replies */

static void queue_reply(struct responder *rs, const char *buf, size_t len)
{
	struct queued *q;

	if (rs->rlen == MAX_PENDING_REPLIES || !(q = malloc(sizeof(*q) + len)))
		return; /* the daemon stopped reading long ago */
	q->len = len;
	memcpy(q->buf, buf, len);
	rs->replies[(rs->rhead + rs->rlen++) % MAX_PENDING_REPLIES] = q;
}

/* Hand over what waits, as far as the daemon's socket takes it. */
static void flush_replies(struct responder *rs)
{
	while (rs->rlen) {
		struct queued *q = rs->replies[rs->rhead];

		if (send(rs->sock, q->buf, q->len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
		    errno == EAGAIN)
			return;
		free(q); /* sent, or the daemon is gone */
		rs->rhead = (rs->rhead + 1) % MAX_PENDING_REPLIES;
		rs->rlen--;
	}
}

static void reply(struct responder *rs, const struct sg_resp_msg *req,
		  enum sg_resp_outcome outcome, int value, uint64_t start_ms,
		  const char *subject, const char *detail)
{
	char buf[SG_RESP_MSG_MAX];
	struct sg_resp_msg m = *req;
	size_t len = sizeof(m), room;

	m.outcome = outcome;
	m.value = value;
	m.elapsed_ms = (uint32_t)(sg_now_ms() - start_ms);
	memcpy(buf, &m, sizeof(m));
	room = sizeof(buf) - len;
	len += (size_t)snprintf(buf + len, room, "%s", subject ? subject : "") + 1;
	if (len < sizeof(buf))
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s",
					detail ? detail : "") + 1;
	if (len > sizeof(buf))
		len = sizeof(buf);
	/* never block on the daemon, and never lose an answer: what its
	 * socket cannot take now waits here, in order */
	if (rs->rlen == 0 &&
	    send(rs->sock, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
		return;
	queue_reply(rs, buf, len);
}

/* -------------------------------------------------------------- freeze */

/* Absolute, no empty, "." or ".." component. Anything else a cgroup
 * name may hold (spaces, control characters) is fine: an intruder names
 * its own cgroups. */
static bool cgroup_path_ok(const char *cg)
{
	const char *c = cg;

	if (cg[0] != '/')
		return false;
	if (streq(cg, "/"))
		return true;
	while (*c == '/') {
		size_t len = strcspn(++c, "/");

		if (len == 0 || (len == 1 && c[0] == '.') ||
		    (len == 2 && c[0] == '.' && c[1] == '.'))
			return false;
		c += len;
	}
	return true;
}

const char *sg_cgroup_freeze_refusal(const char *own, const char *cg)
{
	if (!cgroup_path_ok(cg))
		return "not a normalised cgroup path";
	if (streq(cg, "/"))
		return "the process is in the root cgroup";
	if (path_is_under(own, cg))
		return "the cgroup holds sealguardd itself";
	return NULL;
}

/* rel below the cgroup hierarchy's root, through no symlink. */
static int open_beneath(int root, const char *rel)
{
	struct open_how how = {
		.flags = O_WRONLY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS,
	};

	return (int)syscall(SYS_openat2, root, rel, &how, sizeof(how));
}

static void do_freeze(struct responder *rs, const struct sg_resp_msg *req,
		      const char *cg)
{
	uint64_t start = sg_now_ms();
	char rel[PATH_MAX];
	const char *why;
	int fd, err = 0;

	if (!cg) {
		reply(rs, req, SG_RESP_REFUSED, 0, start, "", "no cgroup given");
		return;
	}
	if (rs->cgroup_root < 0) {
		reply(rs, req, SG_RESP_ERRNO, ENOENT, start, cg,
		      "no cgroup v2 hierarchy is mounted");
		return;
	}
	why = sg_cgroup_freeze_refusal(rs->own_cgroup, cg);
	if (why) {
		reply(rs, req, SG_RESP_REFUSED, 0, start, cg, why);
		return;
	}
	if (snprintf(rel, sizeof(rel), "%s/cgroup.freeze", cg + 1) >=
	    (int)sizeof(rel)) {
		reply(rs, req, SG_RESP_ERRNO, ENAMETOOLONG, start, cg, NULL);
		return;
	}
	fd = open_beneath(rs->cgroup_root, rel);
	if (fd < 0 || write(fd, "1", 1) != 1)
		err = errno;
	if (fd >= 0)
		(void)close(fd);
	if (err)
		reply(rs, req, SG_RESP_ERRNO, err, start, cg, NULL);
	else
		reply(rs, req, SG_RESP_DONE, 0, start, cg, NULL);
}

/* --------------------------------------------------------------- hooks */

/* The hook's environment: a fixed PATH, the host, and the event's
 * SEALGUARD_* fields (nothing else of ours leaks into it). */
static size_t build_env(const struct responder *rs, const void *msg,
			size_t len, char **env, size_t max, char *host,
			size_t hostsize, char *boot, size_t bootsize)
{
	const char *s;
	size_t n = 0;

	env[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	env[n++] = "LC_ALL=C";
	snprintf(host, hostsize, "SEALGUARD_HOSTNAME=%s", rs->hostname);
	env[n++] = host;
	snprintf(boot, bootsize, "SEALGUARD_BOOT_ID=%s", rs->boot_id);
	env[n++] = boot;
	for (unsigned i = 0; n < max - 1 && (s = sg_resp_string(msg, len, i));
	     i++)
		if (strncmp(s, "SEALGUARD_", 10) == 0 && strchr(s, '='))
			env[n++] = (char *)s;
	env[n] = NULL;
	return n;
}

/* A memory file already holding the JSON, read from its start: the hook
 * reads it as stdin, and writing it can never block (a pipe could: past
 * the pipe quota its buffer is two pages). */
static int json_stdin(char *const *env, size_t n)
{
	_cleanup_free_ char *json = sg_resp_json((const char *const *)env, n);
	_cleanup_close_ int fd = -1;
	size_t len;

	if (!json)
		return -ENOMEM;
	len = strlen(json);
	json[len++] = '\n'; /* over the NUL: the document is one line */
	fd = memfd_create("sealguard-event", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, json, len) != (ssize_t)len)
		return errno ? -errno : -EIO;
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -errno;
	return TAKE_FD(fd);
}

/* posix_spawn: glibc reports an exec failure as the call's error. The
 * hook leads its own session (its process group is killed on timeout),
 * with default signal dispositions and nothing blocked. */
static int spawn(const char *program, char *const *argv, char *const *env,
		 int stdin_fd, pid_t *ret_pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int r;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	r = posix_spawn_file_actions_adddup2(&fa, stdin_fd, STDIN_FILENO);
	if (!r) /* its output goes where ours does: the unit's journal */
		r = posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO,
						     STDOUT_FILENO);
	if (!r)
		r = posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	if (!r)
		r = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID |
							   POSIX_SPAWN_SETSIGMASK |
							   POSIX_SPAWN_SETSIGDEF);
	if (!r)
		r = posix_spawnattr_setsigmask(&attr, &none);
	if (!r)
		r = posix_spawnattr_setsigdefault(&attr, &all);
	if (!r)
		r = posix_spawn(ret_pid, program, &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

static void start_job(struct responder *rs, const void *msg, size_t len)
{
	const struct sg_resp_msg *req = msg;
	const char *program = req->op == SG_RESP_REPROVISION ?
				      rs->cfg->reprovision : rs->cfg->hook;
	char *env[64], host[300], boot[100];
	uint64_t start = sg_now_ms();
	struct job *j = &rs->jobs[rs->njobs];
	size_t n;
	int in, r;

	if (!program) {
		reply(rs, req, SG_RESP_ERRNO, ENOENT, start, "",
		      "no program is configured");
		return;
	}
	n = build_env(rs, msg, len, env, ARRAY_SIZE(env), host, sizeof(host),
		      boot, sizeof(boot));
	in = json_stdin(env + 2, n - 2); /* not PATH and LC_ALL */
	if (in < 0) {
		reply(rs, req, SG_RESP_ERRNO, -in, start, program, NULL);
		return;
	}
	{
		const char *arg = req->op == SG_RESP_REPROVISION ?
					  "reprovision" :
					  sg_kind_name((enum sg_kind)req->kind);
		char *argv[] = { (char *)program, (char *)arg, NULL };

		r = spawn(program, argv, env, in, &j->pid);
	}
	(void)close(in);
	if (r < 0) {
		reply(rs, req, SG_RESP_ERRNO, -r, start, program,
		      "the program could not be started");
		return;
	}
	j->pidfd = (int)pidfd_open(j->pid, 0);
	if (j->pidfd < 0) { /* cannot happen for our own unreaped child */
		int err = errno;

		(void)kill(-j->pid, SIGKILL);
		(void)waitpid(j->pid, NULL, 0);
		reply(rs, req, SG_RESP_ERRNO, err, start, program, NULL);
		return;
	}
	j->req = *req;
	j->program = program;
	j->start_ms = start;
	j->deadline_ms = start + (uint64_t)rs->cfg->timeout_s * 1000;
	j->timed_out = false;
	rs->njobs++;
}

static void finish_job(struct responder *rs, size_t i)
{
	struct job *j = &rs->jobs[i];
	siginfo_t si = { 0 };

	if (waitid((idtype_t)P_PIDFD, (id_t)j->pidfd, &si, WEXITED) < 0)
		reply(rs, &j->req, SG_RESP_ERRNO, errno, j->start_ms,
		      j->program, "cannot reap the program");
	else if (j->timed_out)
		reply(rs, &j->req, SG_RESP_TIMEOUT, (int)rs->cfg->timeout_s,
		      j->start_ms, j->program, NULL);
	else if (si.si_code == CLD_EXITED && si.si_status == 0)
		reply(rs, &j->req, SG_RESP_DONE, 0, j->start_ms, j->program,
		      NULL);
	else if (si.si_code == CLD_EXITED)
		reply(rs, &j->req, SG_RESP_EXIT, si.si_status, j->start_ms,
		      j->program, NULL);
	else
		reply(rs, &j->req, SG_RESP_SIGNAL, si.si_status, j->start_ms,
		      j->program, NULL);
	(void)close(j->pidfd);
	rs->jobs[i] = rs->jobs[--rs->njobs];
}

/* Past its deadline: kill its whole process group; the pidfd then says
 * it ended, and finish_job reports the timeout. */
static void kill_overdue(struct responder *rs, uint64_t now)
{
	for (size_t i = 0; i < rs->njobs; i++) {
		struct job *j = &rs->jobs[i];

		if (j->timed_out || now < j->deadline_ms)
			continue;
		j->timed_out = true;
		(void)kill(-j->pid, SIGKILL);
		(void)pidfd_send_signal(j->pidfd, SIGKILL, NULL, 0);
	}
}

static void enqueue(struct responder *rs, const void *msg, size_t len)
{
	struct queued *q;

	if (rs->qlen == SG_RESP_MAX_QUEUED ||
	    !(q = malloc(sizeof(*q) + len))) {
		reply(rs, msg, SG_RESP_DROPPED, 0, sg_now_ms(), "",
		      "too many hooks waiting");
		return;
	}
	q->len = len;
	memcpy(q->buf, msg, len);
	rs->queue[(rs->qhead + rs->qlen++) % SG_RESP_MAX_QUEUED] = q;
}

static size_t running(const struct responder *rs, enum sg_resp_op op)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->njobs; i++)
		n += rs->jobs[i].req.op == op;
	return n;
}

static void start_queued(struct responder *rs)
{
	while (rs->qlen && running(rs, SG_RESP_HOOK) < SG_RESP_MAX_RUNNING) {
		struct queued *q = rs->queue[rs->qhead];

		rs->qhead = (rs->qhead + 1) % SG_RESP_MAX_QUEUED;
		rs->qlen--;
		start_job(rs, q->buf, q->len);
		free(q);
	}
}

static void handle_request(struct responder *rs, const void *msg, size_t len)
{
	const struct sg_resp_msg *req = msg;

	if (req->op == SG_RESP_FREEZE)
		do_freeze(rs, req, sg_resp_string(msg, len, 0));
	else if (req->op == SG_RESP_HOOK)
		enqueue(rs, msg, len);
	else if (req->op == SG_RESP_REPROVISION && running(rs, req->op))
		reply(rs, req, SG_RESP_DROPPED, 0, sg_now_ms(), "",
		      "the reprovision program is still running");
	else if (req->op == SG_RESP_REPROVISION) /* its own slot, at once */
		start_job(rs, msg, len);
	start_queued(rs);
}

/* ---------------------------------------------------------------- setup */

/* The first cgroup2 mount in our mountinfo (field 9 is the type). */
static int open_cgroup_root(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	size_t size = 0;

	if (!f)
		return -errno;
	while (getline(&line, &size, f) > 0) {
		char point[PATH_MAX], *dash = strstr(line, " - ");
		char type[32];

		if (!dash || sscanf(dash, " - %31s", type) != 1 ||
		    !streq(type, "cgroup2"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1)
			continue;
		return open(point, O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	return -ENOENT;
}

/* "0::/system.slice/sealguard.service" -> the path ("/" if none). */
void sg_read_own_cgroup(char *buf, size_t size)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/cgroup", "re");
	_cleanup_free_ char *line = NULL;
	size_t n = 0;

	snprintf(buf, size, "/");
	while (f && getline(&line, &n, f) > 0)
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(buf, size, "%s", line + 3);
		}
}

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
	rs->cgroup_root = open_cgroup_root();
	sg_read_own_cgroup(rs->own_cgroup, sizeof(rs->own_cgroup));
	read_line_file("/proc/sys/kernel/hostname", rs->hostname,
		       sizeof(rs->hostname));
	read_line_file("/proc/sys/kernel/random/boot_id", rs->boot_id,
		       sizeof(rs->boot_id));
	return drop_privileges();
}

/* ----------------------------------------------------------------- loop */

static int poll_timeout(const struct responder *rs, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < rs->njobs; i++)
		if (!rs->jobs[i].timed_out && rs->jobs[i].deadline_ms < next)
			next = rs->jobs[i].deadline_ms;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

static _Noreturn void serve(struct responder *rs)
{
	static char msg[SG_RESP_MSG_MAX];

	for (;;) {
		struct pollfd pfd[1 + MAX_JOBS];
		size_t njobs = rs->njobs;
		ssize_t len;

		pfd[0] = (struct pollfd){ rs->sock,
					  POLLIN | (rs->rlen ? POLLOUT : 0), 0 };
		for (size_t i = 0; i < njobs; i++)
			pfd[1 + i] = (struct pollfd){ rs->jobs[i].pidfd,
						      POLLIN, 0 };
		if (poll(pfd, 1 + njobs, poll_timeout(rs, sg_now_ms())) < 0 &&
		    errno != EINTR)
			_exit(1);
		kill_overdue(rs, sg_now_ms());
		for (size_t i = njobs; i-- > 0;) /* backwards: finish moves */
			if (pfd[1 + i].revents)
				finish_job(rs, i);
		start_queued(rs);
		if (pfd[0].revents & POLLOUT)
			flush_replies(rs);
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
	struct responder rs = { .sock = -1, .cfg = cfg, .cgroup_root = -1 };
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
