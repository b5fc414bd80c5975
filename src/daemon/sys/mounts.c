/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mounts.c - mountinfo parsing and the mark plan. See mounts.h.
 */
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "sys/mounts.h"
#include "policy.h"
#include "util.h"

static const char *const pseudo_fstypes[] = {
	"autofs",     "binfmt_misc", "bpf",        "cgroup",   "cgroup2",
	"configfs",   "debugfs",     "devpts",     "efivarfs", "fusectl",
	"hugetlbfs",  "mqueue",      "nsfs",       "proc",     "pstore",
	"rpc_pipefs", "securityfs",  "selinuxfs",  "sysfs",    "tracefs",
};

bool sg_fstype_is_pseudo(const char *fstype)
{
	for (size_t i = 0; i < ARRAY_SIZE(pseudo_fstypes); i++)
		if (streq(fstype, pseudo_fstypes[i]))
			return true;
	return false;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static char *unescape_octal(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' &&
		    s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			*o++ = (char)((s[i + 1] - '0') * 64 +
				      (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

static bool has_option(const char *opts, size_t len, const char *opt)
{
	size_t n = strlen(opt);

	for (size_t i = 0; i + n <= len;) {
		size_t end = i;

		while (end < len && opts[end] != ',')
			end++;
		if (end - i == n && strncmp(opts + i, opt, n) == 0)
			return true;
		i = end + 1;
	}
	return false;
}

/* Split a line into space-separated fields (pointers into line). */
static size_t split_fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	for (char *tok = strtok(line, " "); tok && n < max;
	     tok = strtok(NULL, " "))
		f[n++] = tok;
	return n;
}

/* A mount id: decimal digits only, within int. */
static int parse_id(const char *s, int *ret)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v > INT_MAX)
		return -EINVAL;
	*ret = (int)v;
	return 0;
}

/* "major:minor" into a dev_t. */
static int parse_dev(const char *s, dev_t *ret)
{
	unsigned maj, min;
	int end = 0;

	if (sscanf(s, "%u:%u%n", &maj, &min, &end) != 2 || s[end])
		return -EINVAL;
	*ret = makedev(maj, min);
	return 0;
}

static void mount_free(struct sg_mount *m)
{
	free(m->point);
	free(m->fstype);
	free(m->root);
	free(m->source);
}

/*
 * "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw"
 * id parent maj:min root point opts [optional...] - fstype source sopts
 */
static int parse_line(char *line, struct sg_mount *ret)
{
	char *f[64];
	size_t n = split_fields(line, f, ARRAY_SIZE(f)), sep;

	for (sep = 6; sep < n && !streq(f[sep], "-"); sep++)
		;
	if (n < 7 || sep + 1 >= n || parse_id(f[0], &ret->id) < 0 ||
	    parse_id(f[1], &ret->parent) < 0 || parse_dev(f[2], &ret->dev) < 0)
		return -EINVAL;
	ret->point = unescape_octal(f[4], strlen(f[4]));
	ret->root = unescape_octal(f[3], strlen(f[3]));
	ret->fstype = strdup(f[sep + 1]);
	ret->source = sep + 2 < n ? unescape_octal(f[sep + 2],
						   strlen(f[sep + 2])) :
				    strdup("");
	ret->noexec = has_option(f[5], strlen(f[5]), "noexec");
	ret->ro = has_option(f[5], strlen(f[5]), "ro");
	ret->sb_ro = sep + 3 < n && has_option(f[sep + 3], strlen(f[sep + 3]),
					       "ro");
	ret->whole = streq(f[3], "/");
	if (!ret->point || !ret->fstype || !ret->root || !ret->source) {
		mount_free(ret);
		return -ENOMEM;
	}
	return 0;
}

int sg_mounts_parse(const char *text, struct sg_mounts *ret)
{
	_cleanup_free_ char *copy = strdup(text);
	struct sg_mounts m = { 0 };
	char *save = NULL;
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct sg_mount *grown = realloc(m.v, (m.n + 1) * sizeof(*grown));

		if (!grown) {
			r = -ENOMEM;
			break;
		}
		m.v = grown;
		r = parse_line(line, &m.v[m.n]);
		if (r < 0)
			break;
		m.n++;
	}
	if (r < 0) {
		sg_mounts_free(&m);
		return r;
	}
	*ret = m;
	return 0;
}

int sg_mounts_read_fd(int fd, struct sg_mounts *ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t size = 0, cap = 0;

	for (;;) {
		ssize_t n;

		if (cap - size < 4096) {
			char *grown = realloc(buf, cap ? cap * 2 : 16384);

			if (!grown)
				return -ENOMEM;
			buf = grown;
			cap = cap ? cap * 2 : 16384;
		}
		n = pread(fd, buf + size, cap - size - 1, (off_t)size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		size += (size_t)n;
	}
	buf[size] = '\0';
	return sg_mounts_parse(buf, ret);
}

void sg_mounts_free(struct sg_mounts *m)
{
	for (size_t i = 0; i < m->n; i++)
		mount_free(&m->v[i]);
	free(m->v);
	*m = (struct sg_mounts){ 0 };
}

/* The mount whose point is the longest prefix of path (last one wins:
 * later lines are mounted on top). */
static const struct sg_mount *containing_mount(const struct sg_mounts *m,
					       const char *path)
{
	const struct sg_mount *best = NULL;

	for (size_t i = 0; i < m->n; i++)
		if (path_is_under(path, m->v[i].point) &&
		    (!best || strlen(m->v[i].point) >= strlen(best->point)))
			best = &m->v[i];
	return best;
}

const struct sg_mount *sg_mounts_containing(const struct sg_mounts *m,
					    const char *path)
{
	return containing_mount(m, path);
}

static int plan_add(struct sg_mark_plan *plan, const struct sg_mount *mnt,
		    unsigned flags)
{
	struct sg_mark_target *grown;
	struct stat st;

	if (sg_fstype_is_pseudo(mnt->fstype))
		return 0;
	if (mnt->noexec)
		flags &= ~(unsigned)(SG_FS_EXEC | SG_FS_EXEC_WHOLE);
	if (!flags || stat(mnt->point, &st) < 0)
		return 0;
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].dev == st.st_dev) {
			plan->v[i].flags |= flags;
			return 0;
		}
	grown = realloc(plan->v, (plan->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	plan->v = grown;
	plan->v[plan->n].point = strdup(mnt->point);
	if (!plan->v[plan->n].point)
		return -ENOMEM;
	plan->v[plan->n].dev = st.st_dev;
	plan->v[plan->n].flags = flags;
	plan->n++;
	return 0;
}

/*
 * Add the mount holding root and every mount at or below root. A mount
 * at or below an exec root that shows its filesystem's own root is in
 * exec scope as a whole; the one holding it from above, or a bind mount of
 * a subtree, only in part (the guard checks the path there).
 */
static int plan_tree(struct sg_mark_plan *plan, const struct sg_mounts *m,
		     const char *root, unsigned flags)
{
	const struct sg_mount *top = containing_mount(m, root);
	unsigned whole = flags & SG_FS_EXEC ? SG_FS_EXEC_WHOLE : 0;
	int r;

	if (top && !path_is_under(top->point, root)) {
		r = plan_add(plan, top, flags);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < m->n; i++)
		if (path_is_under(m->v[i].point, root)) {
			r = plan_add(plan, &m->v[i],
				     flags | (m->v[i].whole ? whole : 0));
			if (r < 0)
				return r;
		}
	return 0;
}

static int plan_policy(const struct sg_policy *p, const struct sg_mounts *m,
		       struct sg_mark_plan *plan)
{
	int r;

	for (size_t i = 0; i < p->protect.n; i++) {
		r = plan_tree(plan, m, p->protect.paths[i], SG_FS_PROTECT);
		if (r < 0)
			return r;
	}
	if (p->exec_scope == SG_EXEC_SCOPE_LOCAL)
		return plan_tree(plan, m, "/", SG_FS_EXEC);
	for (size_t i = 0; i < p->exec_paths.n; i++) {
		r = plan_tree(plan, m, p->exec_paths.paths[i], SG_FS_EXEC);
		if (r < 0)
			return r;
	}
	return 0;
}

int sg_mark_plan_build(const struct sg_policy *p, const struct sg_mounts *m,
		       struct sg_mark_plan *ret)
{
	struct sg_mark_plan plan = { 0 };
	int r = plan_policy(p, m, &plan);

	if (r < 0) {
		sg_mark_plan_free(&plan);
		return r;
	}
	*ret = plan;
	return 0;
}

int sg_mark_plan_add_protected(struct sg_mark_plan *plan,
			       const struct sg_mounts *m, const char *path)
{
	return plan_tree(plan, m, path, SG_FS_PROTECT);
}

void sg_mark_plan_free(struct sg_mark_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++)
		free(plan->v[i].point);
	free(plan->v);
	*plan = (struct sg_mark_plan){ 0 };
}

unsigned sg_mark_plan_flags(const struct sg_mark_plan *plan, dev_t dev)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].dev == dev)
			return plan->v[i].flags;
	return 0;
}
