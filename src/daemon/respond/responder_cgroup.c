/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * responder_cgroup.c - cgroups: the rules the daemon and the responder
 * both apply before a freeze (see responder.h), and the freeze itself,
 * a write of cgroup.freeze that only the responder may do.
 */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

#include "clock.h"
#include "respond/responder_int.h"
#include "util.h"

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

/* The first cgroup2 mount in our mountinfo (field 9 is the type). */
int responder_open_cgroup_root(void)
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

void responder_freeze(struct responder *rs, const struct sg_resp_msg *req,
		      const char *cg)
{
	uint64_t start = sg_now_ms();
	char rel[PATH_MAX];
	const char *why;
	int fd, err = 0;

	if (!cg) {
		responder_reply(rs, req, SG_RESP_REFUSED, 0, start, "",
				"no cgroup given");
		return;
	}
	if (rs->cgroup_root < 0) {
		responder_reply(rs, req, SG_RESP_ERRNO, ENOENT, start, cg,
				"no cgroup v2 hierarchy is mounted");
		return;
	}
	why = sg_cgroup_freeze_refusal(rs->own_cgroup, cg);
	if (why) {
		responder_reply(rs, req, SG_RESP_REFUSED, 0, start, cg, why);
		return;
	}
	if (snprintf(rel, sizeof(rel), "%s/cgroup.freeze", cg + 1) >=
	    (int)sizeof(rel)) {
		responder_reply(rs, req, SG_RESP_ERRNO, ENAMETOOLONG, start, cg,
				NULL);
		return;
	}
	fd = open_beneath(rs->cgroup_root, rel);
	if (fd < 0 || write(fd, "1", 1) != 1)
		err = errno;
	if (fd >= 0)
		(void)close(fd);
	if (err)
		responder_reply(rs, req, SG_RESP_ERRNO, err, start, cg, NULL);
	else
		responder_reply(rs, req, SG_RESP_DONE, 0, start, cg, NULL);
}
