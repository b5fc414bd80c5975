/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sgptrace - a debugger's first step, as an attacker takes it against
 * sealguardd or its responder (tests/attacks/70-debugger.sh).
 *
 *   sgptrace seize PID [SECONDS]    PTRACE_SEIZE the main thread: traced,
 *                                   not stopped
 *   sgptrace attach PID [SECONDS]   PTRACE_ATTACH every thread and wait for
 *                                   each stop, as gdb does: all stopped
 *
 * Prints "tracer PID" (its own pid, flushed) first: the guard may kill
 * it within a fraction of a second, before a test could look it up.
 * Then "ok" (flushed) once the first thread is held: the guard may kill
 * the tracer while it attaches the others. Or the errno name of the
 * attach that failed (EPERM under Yama ptrace_scope = 3), after "ok"
 * if it was a later thread's. Then it holds the
 * process for SECONDS (default 10) and detaches. Exit 0; 2 on a usage
 * error. A tracer killed by the guard never detaches: the kernel does.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_THREADS 64

static int print_errno(int err)
{
	const char *n = strerrorname_np(err);

	printf("%s\n", n ? n : "EUNKNOWN");
	return 0;
}

static void say_ok(void)
{
	printf("ok\n");
	fflush(stdout);
}

/* The thread ids of pid, into tids. How many, or -errno. */
static int list_threads(pid_t pid, pid_t *tids, int max)
{
	char path[64];
	struct dirent *de;
	DIR *dir;
	int n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir)) && n < max)
		if (de->d_name[0] != '.')
			tids[n++] = (pid_t)atoi(de->d_name);
	closedir(dir);
	return n;
}

int main(int argc, char **argv)
{
	pid_t tids[MAX_THREADS];
	unsigned hold;
	pid_t pid;
	int n = 1;

	if (argc < 3 || argc > 4)
		return 2;
	pid = (pid_t)atoi(argv[2]);
	hold = argc == 4 ? (unsigned)atoi(argv[3]) : 10;
	printf("tracer %d\n", (int)getpid());
	fflush(stdout);
	if (strcmp(argv[1], "seize") == 0) {
		tids[0] = pid;
		if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
			return print_errno(errno);
	} else if (strcmp(argv[1], "attach") == 0) {
		n = list_threads(pid, tids, MAX_THREADS);
		if (n < 0)
			return print_errno(-n);
		for (int i = 0; i < n; i++) {
			int status;

			if (ptrace(PTRACE_ATTACH, tids[i], NULL, NULL) < 0)
				return print_errno(errno);
			if (waitpid(tids[i], &status, __WALL) < 0)
				return print_errno(errno);
			/* the first thread held is the attach that succeeded:
			 * say so now, as the guard may kill us before the
			 * rest of its threads are attached */
			if (i == 0)
				say_ok();
		}
		if (n == 0)
			return print_errno(ESRCH);
	} else {
		return 2;
	}
	if (strcmp(argv[1], "seize") == 0)
		say_ok();
	sleep(hold);
	for (int i = 0; i < n; i++)
		(void)ptrace(PTRACE_DETACH, tids[i], NULL, NULL);
	return 0;
}
