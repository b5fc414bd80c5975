/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sgmemwrite - root writing into another process's memory without
 * attaching to it, as an attacker does against sealguardd or its
 * responder (tests/attacks/86-proc-mem.sh).
 *
 *   sgmemwrite proc PID [PROC [TID]]  through PROC/PID/mem (PROC
 *                                defaults to /proc; another mount of
 *                                procfs is another file), or through
 *                                PROC/PID/task/TID/mem, thread TID's
 *                                file: another inode, the same memory
 *   sgmemwrite vm PID [PROC]     with process_vm_writev(2)
 *
 * The target is the first 8 bytes of PID's first private writable
 * mapping (from PROC/PID/maps): they are read, then written back
 * unchanged, so the process runs on as before while the write is a real
 * one. Prints "ok", or the errno name of the step that failed. Exit 0;
 * 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static int print_errno(int err)
{
	const char *n = strerrorname_np(err);

	printf("%s\n", n ? n : "EUNKNOWN");
	return 0;
}

/* The start of the first "rw-p" mapping, or 0. */
static uintptr_t first_writable(const char *proc, pid_t pid)
{
	char path[256], line[512], perms[8];
	uintptr_t start = 0, lo, hi;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%d/maps", proc, (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s", &lo, &hi,
			   perms) == 3 && strcmp(perms, "rw-p") == 0) {
			start = lo;
			break;
		}
	fclose(f);
	return start;
}

static int via_proc(const char *proc, pid_t pid, const char *tid,
		    uintptr_t at)
{
	unsigned char bytes[8];
	char path[256];
	int fd;

	if (tid)
		snprintf(path, sizeof(path), "%s/%d/task/%s/mem", proc,
			 (int)pid, tid);
	else
		snprintf(path, sizeof(path), "%s/%d/mem", proc, (int)pid);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return print_errno(errno);
	if (pread(fd, bytes, sizeof(bytes), (off_t)at) != (ssize_t)sizeof(bytes) ||
	    pwrite(fd, bytes, sizeof(bytes), (off_t)at) != (ssize_t)sizeof(bytes)) {
		int err = errno ? errno : EIO;

		close(fd);
		return print_errno(err);
	}
	close(fd);
	printf("ok\n");
	return 0;
}

static int via_vm(pid_t pid, uintptr_t at)
{
	unsigned char bytes[8];
	struct iovec local = { bytes, sizeof(bytes) };
	struct iovec remote = { (void *)at, sizeof(bytes) };

	if (process_vm_readv(pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof(bytes) ||
	    process_vm_writev(pid, &local, 1, &remote, 1, 0) != (ssize_t)sizeof(bytes))
		return print_errno(errno ? errno : EIO);
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *proc = argc > 3 ? argv[3] : "/proc";
	const char *tid = argc > 4 ? argv[4] : NULL;
	uintptr_t at;
	pid_t pid;

	if (argc < 3 || argc > 5 ||
	    (strcmp(argv[1], "proc") != 0 && strcmp(argv[1], "vm") != 0) ||
	    (tid && strcmp(argv[1], "proc") != 0)) {
		fprintf(stderr, "usage: sgmemwrite proc PID [PROC [TID]]\n"
				"       sgmemwrite vm PID [PROC]\n");
		return 2;
	}
	pid = (pid_t)atoi(argv[2]);
	at = first_writable(proc, pid);
	if (!at)
		return print_errno(ENOENT);
	return strcmp(argv[1], "proc") == 0 ? via_proc(proc, pid, tid, at) :
					      via_vm(pid, at);
}
