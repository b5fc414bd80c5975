/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * responder_job.c - the responder's programs: the hook and the
 * reprovision program, each started with the event as its environment
 * and its stdin, reaped through a pidfd, killed with its process group
 * past the timeout; hooks beyond SG_RESP_MAX_RUNNING wait their turn.
 */
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/wait.h>

#include "clock.h"
#include "policy.h"
#include "respond/responder_int.h"
#include "util.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

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

/* Start program for the request msg: its pid in *ret_pid; or a negative
 * errno, and the request is answered. */
static int spawn_request(struct responder *rs, const void *msg, size_t len,
			 const char *program, uint64_t start, pid_t *ret_pid)
{
	const struct sg_resp_msg *req = msg;
	char *env[64], host[300], boot[100];
	size_t n;
	int in, r;

	n = build_env(rs, msg, len, env, ARRAY_SIZE(env), host, sizeof(host),
		      boot, sizeof(boot));
	in = json_stdin(env + 2, n - 2); /* not PATH and LC_ALL */
	if (in < 0) {
		responder_reply(rs, req, SG_RESP_ERRNO, -in, start, program,
				NULL);
		return in;
	}
	{
		const char *arg = req->op == SG_RESP_REPROVISION ?
					  "reprovision" :
					  sg_kind_name((enum sg_kind)req->kind);
		char *argv[] = { (char *)program, (char *)arg, NULL };

		r = spawn(program, argv, env, in, ret_pid);
	}
	(void)close(in);
	if (r < 0)
		responder_reply(rs, req, SG_RESP_ERRNO, -r, start, program,
				"the program could not be started");
	return r;
}

void job_start(struct responder *rs, const void *msg, size_t len)
{
	const struct sg_resp_msg *req = msg;
	const char *program = req->op == SG_RESP_REPROVISION ?
				      rs->cfg->reprovision : rs->cfg->hook;
	uint64_t start = sg_now_ms();
	struct job *j = &rs->jobs[rs->njobs];

	if (!program) {
		responder_reply(rs, req, SG_RESP_ERRNO, ENOENT, start, "",
				"no program is configured");
		return;
	}
	if (spawn_request(rs, msg, len, program, start, &j->pid) < 0)
		return;
	j->pidfd = (int)pidfd_open(j->pid, 0);
	if (j->pidfd < 0) { /* cannot happen for our own unreaped child */
		int err = errno;

		(void)kill(-j->pid, SIGKILL);
		(void)waitpid(j->pid, NULL, 0);
		responder_reply(rs, req, SG_RESP_ERRNO, err, start, program,
				NULL);
		return;
	}
	j->req = *req;
	j->program = program;
	j->start_ms = start;
	j->deadline_ms = start + (uint64_t)rs->cfg->timeout_s * 1000;
	j->timed_out = false;
	rs->njobs++;
}

void job_finish(struct responder *rs, size_t i)
{
	struct job *j = &rs->jobs[i];
	siginfo_t si = { 0 };
	enum sg_resp_outcome o;
	int value = 0;
	const char *detail = NULL;

	if (waitid((idtype_t)P_PIDFD, (id_t)j->pidfd, &si, WEXITED) < 0) {
		o = SG_RESP_ERRNO;
		value = errno;
		detail = "cannot reap the program";
	} else if (j->timed_out) {
		o = SG_RESP_TIMEOUT;
		value = (int)rs->cfg->timeout_s;
	} else if (si.si_code == CLD_EXITED && si.si_status == 0) {
		o = SG_RESP_DONE;
	} else {
		o = si.si_code == CLD_EXITED ? SG_RESP_EXIT : SG_RESP_SIGNAL;
		value = si.si_status;
	}
	responder_reply(rs, &j->req, o, value, j->start_ms, j->program, detail);
	(void)close(j->pidfd);
	rs->jobs[i] = rs->jobs[--rs->njobs];
}

/* Past its deadline: kill its whole process group; the pidfd then says
 * it ended, and job_finish reports the timeout. */
void jobs_kill_overdue(struct responder *rs, uint64_t now)
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

int jobs_poll_timeout(const struct responder *rs, uint64_t now)
{
	uint64_t next = UINT64_MAX;

	for (size_t i = 0; i < rs->njobs; i++)
		if (!rs->jobs[i].timed_out && rs->jobs[i].deadline_ms < next)
			next = rs->jobs[i].deadline_ms;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

/* ---------------------------------------------------------------- queue */

void job_enqueue(struct responder *rs, const void *msg, size_t len)
{
	struct queued *q;

	if (rs->qlen == SG_RESP_MAX_QUEUED ||
	    !(q = malloc(sizeof(*q) + len))) {
		responder_reply(rs, msg, SG_RESP_DROPPED, 0, sg_now_ms(), "",
				"too many hooks waiting");
		return;
	}
	q->len = len;
	memcpy(q->buf, msg, len);
	rs->queue[(rs->qhead + rs->qlen++) % SG_RESP_MAX_QUEUED] = q;
}

size_t jobs_running(const struct responder *rs, enum sg_resp_op op)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->njobs; i++)
		n += rs->jobs[i].req.op == op;
	return n;
}

void jobs_start_queued(struct responder *rs)
{
	while (rs->qlen && jobs_running(rs, SG_RESP_HOOK) < SG_RESP_MAX_RUNNING) {
		struct queued *q = rs->queue[rs->qhead];

		rs->qhead = (rs->qhead + 1) % SG_RESP_MAX_QUEUED;
		rs->qlen--;
		job_start(rs, q->buf, q->len);
		free(q);
	}
}
