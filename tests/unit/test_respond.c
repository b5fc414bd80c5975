/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_respond.c - the pieces of [respond] that need no daemon: the
 * responder's wire strings (src/daemon/respond/responder.h), the JSON a hook reads
 * on stdin, the /proc/<pid>/stat reading that tells a hook from anyone
 * else, and the responder itself, forked for real: a freeze it must
 * refuse, a program it runs, one it kills at the timeout. (The whole
 * path through the sealed daemon is tests/integration/80-respond.sh.)
 */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <cmocka.h>

#include "policy.h"
#include "procstat.h"
#include "sys/procinfo.h"
#include "respond/responder_int.h"
#include "util.h"

/* ------------------------------------------------------------ strings */

/* A message: the header, then the given bytes (strings with their NULs). */
static size_t make_msg(char *buf, const char *tail, size_t tail_len)
{
	struct sg_resp_msg m = { .op = SG_RESP_HOOK };

	memcpy(buf, &m, sizeof(m));
	memcpy(buf + sizeof(m), tail, tail_len);
	return sizeof(m) + tail_len;
}

static void test_strings(void **state)
{
	char buf[256];
	size_t len = make_msg(buf, "A=1\0B=two\0", 10);

	assert_string_equal(sg_resp_string(buf, len, 0), "A=1");
	assert_string_equal(sg_resp_string(buf, len, 1), "B=two");
	assert_null(sg_resp_string(buf, len, 2));
	/* a last string without its NUL is not a string */
	len = make_msg(buf, "A=1\0B=tw", 8);
	assert_string_equal(sg_resp_string(buf, len, 0), "A=1");
	assert_null(sg_resp_string(buf, len, 1));
	/* shorter than a header: nothing */
	assert_null(sg_resp_string(buf, sizeof(struct sg_resp_msg) - 1, 0));
	/* an empty string is one */
	len = make_msg(buf, "\0X\0", 3);
	assert_string_equal(sg_resp_string(buf, len, 0), "");
	assert_string_equal(sg_resp_string(buf, len, 1), "X");
}

/* ---------------------------------------------------------------- JSON */

/*
 * The exact document: keys lower-cased without the prefix, every value a
 * string, quotes, backslashes and control characters escaped (the
 * integration test parses what a real hook gets with Python's json).
 */
static void test_json(void **state)
{
	const char *env[] = {
		"SEALGUARD_EVENT=write",
		"SEALGUARD_PATH=/srv/a \"quoted\"\\back\nline\x01",
		"SEALGUARD_NEW_PATH=",
		"OTHER_KEY=kept=with=equals",
		"no-equals-sign",
	};
	_cleanup_free_ char *json = sg_resp_json(env, ARRAY_SIZE(env));

	assert_non_null(json);
	assert_string_equal(json,
			    "{\"event\":\"write\","
			    "\"path\":\"/srv/a \\\"quoted\\\"\\\\back\\u000aline\\u0001\","
			    "\"new_path\":\"\","
			    "\"other_key\":\"kept=with=equals\"}");
}

static void test_json_empty(void **state)
{
	_cleanup_free_ char *json = sg_resp_json(NULL, 0);

	assert_string_equal(json, "{}");
}

/* --------------------------------------------------------- /proc/stat */

static void test_proc_stat(void **state)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY);
	pid_t ppid = 0, sid = 0;

	assert_true(procfd >= 0);
	assert_int_equal(sg_proc_stat(procfd, getpid(), &ppid, &sid), 0);
	assert_int_equal(ppid, getppid());
	assert_int_equal(sid, getsid(0));
	assert_true(sg_proc_stat(procfd, 0x3fffffff, &ppid, &sid) < 0);
}

/* A child whose comm holds ") x y" still parses: the last ')' counts. */
static void test_proc_stat_odd_comm(void **state)
{
	_cleanup_close_ int procfd = open("/proc", O_PATH | O_DIRECTORY);
	pid_t ppid = 0, sid = 0, child;
	int status;

	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		(void)prctl(PR_SET_NAME, ") 1 2 3");
		pause();
		_exit(0);
	}
	usleep(100000);
	assert_int_equal(sg_proc_stat(procfd, child, &ppid, &sid), 0);
	assert_int_equal(ppid, getpid());
	assert_int_equal(sid, getsid(0));
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
}

/* The start time (field 22) that names a process with its pid: a real
 * line gives the kernel's value, a line cut short is refused. */
static void test_proc_stat_start(void **state)
{
	char stat[1024], cut[1024], *p;
	unsigned long long want;
	struct sg_proc_stat f;
	FILE *in;
	int i;

	in = fopen("/proc/self/stat", "re");
	assert_non_null(in);
	assert_non_null(fgets(stat, sizeof(stat), in));
	fclose(in);
	/* field 22 counted by hand: after the last ')' it is the 20th */
	p = strrchr(stat, ')') + 1;
	for (i = 0; i < 19; i++)
		p = strchr(p + 1, ' ');
	want = strtoull(p + 1, NULL, 10);
	assert_int_equal(sg_proc_stat_fields(stat, &f), 0);
	assert_int_equal(f.ppid, getppid());
	assert_true(f.start == want);
	snprintf(cut, sizeof(cut), "%.*s", (int)(p - stat), stat);
	assert_int_equal(sg_proc_stat_fields(cut, &f), -EPROTO);
	assert_int_equal(sg_proc_stat_fields("no parenthesis", &f), -EPROTO);
}

/* ----------------------------------------------------------- responder */

static int send_request(int fd, enum sg_resp_op op, uint32_t id,
			const char *s1, const char *s2)
{
	char buf[512];
	struct sg_resp_msg m = { .op = op, .id = id, .kind = SG_KIND_WRITE };
	size_t len = sizeof(m);

	memcpy(buf, &m, sizeof(m));
	if (s1) {
		strcpy(buf + len, s1);
		len += strlen(s1) + 1;
	}
	if (s2) {
		strcpy(buf + len, s2);
		len += strlen(s2) + 1;
	}
	return send(fd, buf, len, 0) == (ssize_t)len ? 0 : -errno;
}

/* The next reply, within timeout_ms; its subject and detail copied. */
static int read_reply(int fd, int timeout_ms, struct sg_resp_msg *m,
		      char *subject, char *detail, size_t size)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char buf[SG_RESP_MSG_MAX];
	ssize_t n;

	if (poll(&pfd, 1, timeout_ms) != 1)
		return -ETIMEDOUT;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < (ssize_t)sizeof(*m))
		return -EPROTO;
	memcpy(m, buf, sizeof(*m));
	snprintf(subject, size, "%s", sg_resp_string(buf, (size_t)n, 0) ?: "");
	snprintf(detail, size, "%s", sg_resp_string(buf, (size_t)n, 1) ?: "");
	return 0;
}

struct responder_fixture {
	char dir[64];
	char hook[96];
	char out[96];
	int fd;
	pid_t pid;
};

/* A hook script in a temporary directory: it writes argv[1], the env
 * and stdin to out, then sleeps if argv[1] says so, or exits with 7. */
static int responder_setup(void **state)
{
	struct responder_fixture *f = calloc(1, sizeof(*f));
	static struct sg_responder_config cfg;
	struct errlist errs = { 0 };
	uint32_t flags = 0;
	FILE *s;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/sg-test-respond.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->hook, sizeof(f->hook), "%s/hook", f->dir);
	snprintf(f->out, sizeof(f->out), "%s/out", f->dir);
	s = fopen(f->hook, "w");
	if (!s)
		return -1;
	fprintf(s, "#!/bin/sh\n{ echo \"$1\"; env | grep ^SEALGUARD_ | sort; "
		   "cat; } >%s\n"
		   "[ \"$SEALGUARD_X\" = hang ] && exec sleep 100\nexit 7\n",
		f->out);
	fclose(s);
	chmod(f->hook, 0755);
	cfg = (struct sg_responder_config){ .hook = f->hook, .timeout_s = 1 };
	f->fd = sg_responder_start(&cfg, &f->pid, &flags, &errs);
	errlist_free(&errs);
	if (f->fd < 0)
		return -1;
	*state = f;
	return 0;
}

static int responder_teardown(void **state)
{
	struct responder_fixture *f = *state;
	char cmd[160];
	int status;

	close(f->fd); /* the responder exits on EOF */
	waitpid(f->pid, &status, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	(void)!system(cmd);
	free(f);
	return 0;
}

static void test_responder_hook(void **state)
{
	struct responder_fixture *f = *state;
	char subject[256], detail[256], out[1024] = "";
	struct sg_resp_msg m;
	FILE *s;
	size_t n;

	assert_int_equal(send_request(f->fd, SG_RESP_HOOK, 41,
				      "SEALGUARD_EVENT=write",
				      "NOT_OURS=dropped"), 0);
	assert_int_equal(read_reply(f->fd, 5000, &m, subject, detail,
				    sizeof(subject)), 0);
	assert_int_equal(m.id, 41);
	assert_int_equal(m.op, SG_RESP_HOOK);
	assert_int_equal(m.outcome, SG_RESP_EXIT);
	assert_int_equal(m.value, 7);
	assert_string_equal(subject, f->hook);
	s = fopen(f->out, "r");
	assert_non_null(s);
	n = fread(out, 1, sizeof(out) - 1, s);
	fclose(s);
	out[n] = '\0';
	/* argv[1], the event's field (and the host's), and the JSON */
	assert_non_null(strstr(out, "write\n"));
	assert_non_null(strstr(out, "SEALGUARD_EVENT=write\n"));
	assert_non_null(strstr(out, "SEALGUARD_HOSTNAME="));
	assert_null(strstr(out, "NOT_OURS"));
	assert_non_null(strstr(out, "\"event\":\"write\""));
}

static void test_responder_timeout(void **state)
{
	struct responder_fixture *f = *state;
	char subject[256], detail[256];
	struct sg_resp_msg m;

	assert_int_equal(send_request(f->fd, SG_RESP_HOOK, 42,
				      "SEALGUARD_X=hang", NULL), 0);
	/* not before the 1 s timeout... */
	assert_int_equal(read_reply(f->fd, 700, &m, subject, detail,
				    sizeof(subject)), -ETIMEDOUT);
	/* ...but soon after it */
	assert_int_equal(read_reply(f->fd, 3000, &m, subject, detail,
				    sizeof(subject)), 0);
	assert_int_equal(m.id, 42);
	assert_int_equal(m.outcome, SG_RESP_TIMEOUT);
}

/* Is a cgroup v2 hierarchy mounted here? (The CI machines have one.) */
static bool have_cgroup2(void)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	while (f && !found && fgets(line, sizeof(line), f))
		found = strstr(line, " - cgroup2 ") != NULL;
	if (f)
		fclose(f);
	return found;
}

/* One freeze request; the reply's outcome, detail in detail. */
static uint32_t freeze(int fd, uint32_t id, const char *cg, char *detail)
{
	char subject[256];
	struct sg_resp_msg m;

	assert_int_equal(send_request(fd, SG_RESP_FREEZE, id, cg, NULL), 0);
	assert_int_equal(read_reply(fd, 3000, &m, subject, detail, 256), 0);
	assert_int_equal(m.id, id);
	assert_string_equal(subject, cg);
	return m.outcome;
}

static void test_responder_freeze_refusals(void **state)
{
	struct responder_fixture *f = *state;
	char detail[256];

	assert_true(have_cgroup2()); /* freeze needs it; so does this test */
	assert_int_equal(freeze(f->fd, 43, "/", detail), SG_RESP_REFUSED);
	assert_string_equal(detail, "the process is in the root cgroup");
	assert_int_equal(freeze(f->fd, 44, "/a/../b", detail), SG_RESP_REFUSED);
	assert_string_equal(detail, "not a normalised cgroup path");
	assert_int_equal(freeze(f->fd, 45, "relative", detail), SG_RESP_REFUSED);
	/* our own cgroup (and so every one above it) holds the responder */
	{
		char own[512] = "", line[600];
		FILE *c = fopen("/proc/self/cgroup", "re");

		while (c && fgets(line, sizeof(line), c))
			if (!strncmp(line, "0::", 3))
				snprintf(own, sizeof(own), "%.*s",
					 (int)strcspn(line + 3, "\n"), line + 3);
		if (c)
			fclose(c);
		if (strcmp(own, "/") != 0) {
			assert_int_equal(freeze(f->fd, 46, own, detail),
					 SG_RESP_REFUSED);
			assert_string_equal(detail,
					    "the cgroup holds sealguardd itself");
		}
	}
	/* a name with a space or a tab is a name like any other: not
	 * refused, only absent here */
	assert_int_equal(freeze(f->fd, 47, "/no such\tcgroup", detail),
			 SG_RESP_ERRNO);
}

/* A flood of requests: every one is answered exactly once, the ones past
 * four running and 64 waiting as "dropped", even though we read no reply
 * until the last request is sent (the responder keeps what our socket
 * cannot take). */
static void test_responder_flood(void **state)
{
	struct responder_fixture *f = *state;
	enum { N = 600 }; /* past what a socket pair buffers (~280 replies) */
	static bool seen[N];
	char subject[256], detail[256];
	unsigned done = 0, dropped = 0;
	struct sg_resp_msg m;

	memset(seen, 0, sizeof(seen));
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(send_request(f->fd, SG_RESP_HOOK, i,
					      "SEALGUARD_EVENT=write", NULL), 0);
	for (unsigned n = 0; n < N; n++) {
		assert_int_equal(read_reply(f->fd, 10000, &m, subject, detail,
					    sizeof(subject)), 0);
		assert_true(m.id < N);
		assert_false(seen[m.id]);
		seen[m.id] = true;
		if (m.outcome == SG_RESP_DROPPED)
			dropped++;
		else if (m.outcome == SG_RESP_EXIT && m.value == 7)
			done++;
	}
	assert_int_equal(done + dropped, N);
	assert_true(done >= SG_RESP_MAX_RUNNING + SG_RESP_MAX_QUEUED);
	assert_true(dropped > 0);
	/* and nothing more comes */
	assert_int_equal(read_reply(f->fd, 300, &m, subject, detail,
				    sizeof(subject)), -ETIMEDOUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_empty),
		cmocka_unit_test(test_proc_stat),
		cmocka_unit_test(test_proc_stat_odd_comm),
		cmocka_unit_test(test_proc_stat_start),
		cmocka_unit_test_setup_teardown(test_responder_hook,
						responder_setup,
						responder_teardown),
		cmocka_unit_test_setup_teardown(test_responder_timeout,
						responder_setup,
						responder_teardown),
		cmocka_unit_test_setup_teardown(test_responder_freeze_refusals,
						responder_setup,
						responder_teardown),
		cmocka_unit_test_setup_teardown(test_responder_flood,
						responder_setup,
						responder_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
