/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * harden.c - host settings that close bypasses the guard cannot see,
 * set at start when the policy's [harden] section asks, each change
 * logged. vm.memfd_noexec = 2 forbids executable memfds: memfd_create +
 * fexecve runs code from no mount at all, which no fanotify mark covers
 * (design.md). The setting is per pid namespace and sticky: it can be
 * raised, never lowered again in that namespace.
 * kernel.yama.ptrace_scope = 3 forbids every ptrace attach, root's too,
 * so no debugger can be put on the daemon or its responder (and none on
 * anything else: the setting is global and cannot be lowered until
 * reboot). A kernel without Yama has no such file: the daemon then
 * refuses to start rather than run without the setting it was asked for.
 * user.max_user_namespaces = 0 forbids new user namespaces below the
 * daemon's (issue #12, door 3: `unshare -Urm` lets any user mount a
 * filesystem of its own over an exec-checked path). It is per user
 * namespace: in the test sandbox (which shares the machine's) it would
 * change the machine, so under --confine it is only written to the file
 * --userns-sysctl names (below the confine directory).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "seal/harden.h"
#include "messages.h"
#include "policy.h"
#include "log/sglog.h"
#include "util.h"

static int read_sysctl(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int write_sysctl(const char *path, const char *value)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	size_t n = strlen(value);
	struct stat st;

	if (fd < 0)
		return -errno;
	/* a /proc/sys file has size 0 and takes the value whole; a test's
	 * stand-in (--userns-sysctl) is a regular file: emptied first */
	if (fstat(fd, &st) < 0 || (st.st_size > 0 && ftruncate(fd, 0) < 0))
		return -errno;
	if (write(fd, value, n) != (ssize_t)n)
		return -errno;
	return 0;
}

/* Set path to want unless it already is; log the change. */
static int set_sysctl(const char *name, const char *path, const char *want,
		      struct errlist *errs)
{
	char old[64];
	int r = read_sysctl(path, old, sizeof(old));

	if (r == 0 && streq(old, want))
		return 0;
	if (r == 0)
		r = write_sysctl(path, want);
	if (r < 0) {
		(void)errlist_add(errs, "cannot set %s = %s: %s%s", name, want,
				  strerror(-r),
				  r == -ENOENT ? " (the kernel lacks it)" : "");
		return r;
	}
	sg_log(LOG_NOTICE, SG_MSGID_HARDENED, "hardened the host: %s = %s (was %s)",
	       name, want, old);
	return 0;
}

int sg_harden_apply(const struct sg_policy *p, const char *userns_sysctl,
		    struct errlist *errs)
{
	int r = 0;

	if (p->harden_memfd_noexec)
		r = set_sysctl("vm.memfd_noexec", "/proc/sys/vm/memfd_noexec",
			       "2", errs);
	if (r == 0 && p->harden_ptrace_scope == 3)
		r = set_sysctl("kernel.yama.ptrace_scope",
			       "/proc/sys/kernel/yama/ptrace_scope", "3", errs);
	if (r == 0 && !p->harden_user_namespaces)
		r = set_sysctl("user.max_user_namespaces",
			       userns_sysctl ? userns_sysctl :
					       "/proc/sys/user/max_user_namespaces",
			       "0", errs);
	return r;
}
