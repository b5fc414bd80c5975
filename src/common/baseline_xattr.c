/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline_xattr.c - the extended attributes a baseline records: which
 * ones (those that change what a file may do or who may touch it), how
 * they are read from a live entry, their canonical text ("name=hex,..."
 * in table order) and what differs between two of them.
 */
#include <sys/xattr.h>

#include "baseline.h"
#include "baseline_int.h"
#include "util.h"

/*
 * The order here is the order in the file. Only these are recorded: the
 * others (user.*, trusted.overlay.*) change nothing the kernel enforces
 * on the file itself, and a host's tools set them freely.
 */
const char *const sg_bl_xattr_names[] = {
	SG_XATTR_CAPS,           /* file capabilities: privilege on exec */
	"security.apparmor",
	"security.evm",
	"security.ima",          /* IMA hash or signature */
	"security.selinux",      /* SELinux label */
	"security.SMACK64",
	"security.SMACK64EXEC",
	"security.SMACK64MMAP",
	"security.SMACK64TRANSMUTE",
	"system.posix_acl_access",  /* an ACL can grant write to anyone */
	"system.posix_acl_default", /* ... and to what is created below */
	NULL,
};

/* Far above any real value (a capability is 24 bytes, an ACL a few
 * hundred): a bigger one is refused rather than recorded in part. */
#define SG_XATTR_MAX_VALUE 4096

static int name_index(const char *name, size_t len)
{
	for (int i = 0; sg_bl_xattr_names[i]; i++)
		if (strlen(sg_bl_xattr_names[i]) == len &&
		    !memcmp(sg_bl_xattr_names[i], name, len))
			return i;
	return -1;
}

/* ---- the text form ---- */

/* The item "name=hex" at *s (up to ',' or the end): its name's index,
 * and *s moved past it. -1 when it is not canonical. */
static int parse_item(const char **s)
{
	const char *eq = strchr(*s, '='), *v, *end;
	int idx;

	if (!eq)
		return -1;
	idx = name_index(*s, (size_t)(eq - *s));
	v = eq + 1;
	end = strchrnul(v, ',');
	if (idx < 0 || end == v || (end - v) % 2)
		return -1;
	for (const char *c = v; c < end; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return -1;
	*s = *end ? end + 1 : end;
	return idx;
}

int sg_bl_xattr_check(const char *field)
{
	int prev = -1;

	if (!*field || field[strlen(field) - 1] == ',')
		return -EINVAL;
	for (const char *s = field; *s;) {
		int idx = parse_item(&s);

		/* in table order, each at most once */
		if (idx <= prev)
			return -EINVAL;
		prev = idx;
	}
	return 0;
}

/* The value text of name in list (canonical), and its length; NULL when
 * absent. */
static const char *find_value(const char *list, int want, size_t *ret_len)
{
	for (const char *s = list; *s;) {
		const char *item = s;
		int idx = parse_item(&s);

		if (idx < 0)
			return NULL;
		if (idx == want) {
			const char *v = strchr(item, '=') + 1;

			*ret_len = (size_t)(strchrnul(v, ',') - v);
			return v;
		}
	}
	return NULL;
}

bool sg_bl_xattr_has(const char *list, const char *name)
{
	size_t len;

	return find_value(list, name_index(name, strlen(name)), &len) != NULL;
}

unsigned sg_bl_xattr_drift(const char *a, const char *b)
{
	unsigned what = 0;

	if (streq(a, b))
		return 0;
	for (int i = 0; sg_bl_xattr_names[i]; i++) {
		size_t la = 0, lb = 0;
		const char *va = find_value(a, i, &la);
		const char *vb = find_value(b, i, &lb);

		if (!va && !vb)
			continue;
		if (va && vb && la == lb && !memcmp(va, vb, la))
			continue;
		what |= i == 0 ? SG_DRIFT_CAPS : SG_DRIFT_XATTR;
	}
	return what;
}

/* ---- reading a live entry ---- */

/* The value of name on fd (or path, when fd < 0), hex-encoded after
 * "name=" into out; 0 when absent. */
static int get_one(int fd, const char *path, const char *name, FILE *out)
{
	unsigned char value[SG_XATTR_MAX_VALUE];
	ssize_t n;

	n = fd >= 0 ? fgetxattr(fd, name, value, sizeof(value)) :
		      lgetxattr(path, name, value, sizeof(value));
	if (n < 0)
		return errno == ENODATA ? 0 : -errno;
	if (ftell(out) > 0)
		putc(',', out);
	fprintf(out, "%s=", name);
	for (ssize_t i = 0; i < n; i++)
		fprintf(out, "%02x", value[i]);
	return 1;
}

/* Is name (NUL-terminated, in a listxattr buffer) one we record? */
static bool listed(const char *list, size_t len, const char *name)
{
	for (const char *s = list; s < list + len; s += strlen(s) + 1)
		if (streq(s, name))
			return true;
	return false;
}

int sg_bl_xattr_read(int fd, const char *path, char **ret)
{
	char names[SG_XATTR_MAX_VALUE];
	_cleanup_free_ char *text = NULL;
	size_t size = 0;
	ssize_t len;
	FILE *out;
	int r = 0;

	/* One listxattr for the common case of none at all. */
	len = fd >= 0 ? flistxattr(fd, names, sizeof(names)) :
			llistxattr(path, names, sizeof(names));
	if (len < 0 && (errno == ENOTSUP || errno == ENODATA))
		len = 0;
	if (len < 0)
		return -errno;
	*ret = NULL;
	if (len == 0)
		return 0;
	out = open_memstream(&text, &size);
	if (!out)
		return -ENOMEM;
	for (int i = 0; r >= 0 && sg_bl_xattr_names[i]; i++)
		if (listed(names, (size_t)len, sg_bl_xattr_names[i]))
			r = get_one(fd, path, sg_bl_xattr_names[i], out);
	if (fclose(out) != 0 && r >= 0)
		r = -ENOMEM;
	if (r < 0)
		return r == -ERANGE ? -E2BIG : r;
	if (size > 0)
		*ret = TAKE_PTR(text);
	return 0;
}

/* ---- the baseline's table ---- */

const char *sg_bl_xattrs(const struct sg_baseline *b, uint32_t xattrs)
{
	return xattrs && xattrs <= b->nxattrs ? b->xattrs[xattrs - 1] : "";
}

int sg_bl_xattr_intern(struct sg_baseline *b, char *text, uint32_t *ret)
{
	char **grown;

	if (!text) {
		*ret = 0;
		return 0;
	}
	/* Neighbours often share a label: keep one copy of a run. */
	if (b->nxattrs && streq(b->xattrs[b->nxattrs - 1], text)) {
		free(text);
		*ret = (uint32_t)b->nxattrs;
		return 0;
	}
	if (b->nxattrs >= UINT32_MAX - 1) {
		free(text);
		return -E2BIG;
	}
	/* Capacity doubles at each power of two: no field holds it. */
	if ((b->nxattrs & (b->nxattrs - 1)) == 0) {
		size_t cap = b->nxattrs < 8 ? 16 : b->nxattrs * 2;

		grown = reallocarray(b->xattrs, cap, sizeof(*grown));
		if (!grown) {
			free(text);
			return -ENOMEM;
		}
		b->xattrs = grown;
	}
	b->xattrs[b->nxattrs++] = text;
	*ret = (uint32_t)b->nxattrs;
	return 0;
}
