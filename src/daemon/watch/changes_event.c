/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * changes_event.c - the pure half of change detection: what a fanotify
 * FID event says, and how the events of a flood are merged. No system
 * call here (see changes.h).
 */
#include <stdio.h>

#include "watch/changes.h"
#include "util.h"

/* The kernel pads each record to this (FANOTIFY_EVENT_ALIGN, fs/notify/
 * fanotify/fanotify_user.c: not in the uapi headers). */
#define RECORD_ALIGN 4

static const struct {
	uint64_t mask;
	const char *name;
} kinds[SG_CHANGE_KINDS] = {
	{ FAN_CREATE, "create" },  { FAN_DELETE, "delete" },
	{ FAN_RENAME, "rename" },  { FAN_ATTRIB, "attrib" },
	{ FAN_MODIFY, "modify" },  { FAN_CLOSE_WRITE, "close-write" },
};

unsigned sg_change_kinds(uint64_t mask)
{
	unsigned k = 0;

	for (unsigned i = 0; i < SG_CHANGE_KINDS; i++)
		if (mask & kinds[i].mask)
			k |= 1u << i;
	return k;
}

const char *sg_change_kind_name(unsigned i)
{
	return i < SG_CHANGE_KINDS ? kinds[i].name : "?";
}

char *sg_change_kinds_format(unsigned k, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < SG_CHANGE_KINDS && n < size; i++)
		if (k & (1u << i))
			n += (size_t)snprintf(buf + n, size - n, "%s%s",
					      n ? "," : "", kinds[i].name);
	return buf;
}

/*
 * One FID record: fsid, a struct file_handle, and for the *_NAME types a
 * NUL-terminated name, all within hdr->len. NULL name for a FID without
 * one. -EPROTO if anything sticks out.
 */
static int parse_fid(const struct fanotify_event_info_header *hdr,
		     bool named, struct sg_change_dirent *ret)
{
	const struct fanotify_event_info_fid *fid = (const void *)hdr;
	const struct file_handle *fh;
	size_t fixed = sizeof(*fid) + sizeof(*fh), end;
	const char *name;

	if (hdr->len < fixed)
		return -EPROTO;
	fh = (const void *)fid->handle;
	end = fixed + fh->handle_bytes;
	if (fh->handle_bytes > MAX_HANDLE_SZ || end > hdr->len)
		return -EPROTO;
	name = (const char *)fid->handle + sizeof(*fh) + fh->handle_bytes;
	if (named && !memchr(name, '\0', hdr->len - end))
		return -EPROTO;
	*ret = (struct sg_change_dirent){ &fid->fsid, fh, named ? name : "" };
	return 0;
}

static int parse_record(const struct fanotify_event_info_header *hdr,
			struct sg_change_event *ev)
{
	switch (hdr->info_type) {
	case FAN_EVENT_INFO_TYPE_PIDFD:
		if (hdr->len < sizeof(struct fanotify_event_info_pidfd))
			return -EPROTO;
		ev->pidfd = ((const struct fanotify_event_info_pidfd *)hdr)->pidfd;
		if (ev->pidfd < 0) /* FAN_NOPIDFD, FAN_EPIDFD */
			ev->pidfd = -1;
		return 0;
	case FAN_EVENT_INFO_TYPE_DFID_NAME:
	case FAN_EVENT_INFO_TYPE_OLD_DFID_NAME:
		ev->has_from = true;
		return parse_fid(hdr, true, &ev->from);
	case FAN_EVENT_INFO_TYPE_DFID:
	case FAN_EVENT_INFO_TYPE_FID:
		ev->has_from = true;
		return parse_fid(hdr, false, &ev->from);
	case FAN_EVENT_INFO_TYPE_NEW_DFID_NAME:
		ev->has_to = true;
		return parse_fid(hdr, true, &ev->to);
	default:
		return -EPROTO;
	}
}

int sg_change_event_parse(const void *buf, size_t len,
			  struct sg_change_event *ret)
{
	struct fanotify_event_metadata m;
	struct sg_change_event ev = { .pidfd = -1 };
	size_t off;
	int r = 0;

	/* Events are only 4-byte aligned in the buffer (FID records are
	 * padded to 4), the metadata wants 8: copy it out. */
	if (len < sizeof(m)) {
		*ret = ev; /* a tail shorter than any event: stop here */
		return -EPROTO;
	}
	memcpy(&m, buf, sizeof(m));
	/* The kernel pads every record, so every event, to
	 * FANOTIFY_EVENT_ALIGN: lengths off that grid would put the next
	 * record (read in place, through its struct) at a misaligned
	 * address, and are not what the kernel writes. */
	if (m.vers != FANOTIFY_METADATA_VERSION || m.event_len > len ||
	    m.metadata_len < sizeof(m) || m.metadata_len > m.event_len ||
	    m.metadata_len % RECORD_ALIGN ||
	    m.event_len % RECORD_ALIGN) {
		*ret = ev; /* len 0: nothing of the buffer can be trusted */
		return -EPROTO;
	}
	ev.len = m.event_len;
	ev.mask = m.mask;
	ev.pid = m.pid;
	for (off = m.metadata_len; r == 0 && off < m.event_len;) {
		const struct fanotify_event_info_header *hdr =
			(const void *)((const char *)buf + off);

		if (m.event_len - off < sizeof(*hdr) ||
		    hdr->len < sizeof(*hdr) || hdr->len > m.event_len - off ||
		    hdr->len % RECORD_ALIGN)
			r = -EPROTO;
		else
			r = parse_record(hdr, &ev);
		if (r == 0)
			off += hdr->len;
	}
	*ret = ev;
	return r;
}

size_t sg_change_events_each(const void *buf, size_t len,
			     sg_change_event_cb cb, void *userdata)
{
	size_t off = 0;

	while (off < len) {
		struct sg_change_event ev;
		int r = sg_change_event_parse((const char *)buf + off,
					      len - off, &ev);

		cb(&ev, r, userdata);
		if (!ev.len)
			break;
		off += ev.len;
	}
	return off;
}

static bool str_eq_null(const char *a, const char *b)
{
	return a == b || (a && b && streq(a, b));
}

static void change_free(struct sg_change *c)
{
	free(c->path);
	free(c->new_path);
	free(c->actor);
	*c = (struct sg_change){ 0 };
}

static struct sg_change *find_same(struct sg_change_batch *b,
				   const struct sg_change *c)
{
	for (size_t i = 0; i < b->n; i++) {
		struct sg_change *e = &b->v[i];

		if (e->pid == c->pid && e->dir == c->dir &&
		    streq(e->path, c->path) &&
		    str_eq_null(e->new_path, c->new_path))
			return e;
	}
	return NULL;
}

struct sg_change *sg_change_batch_add(struct sg_change_batch *b,
				      struct sg_change *c)
{
	struct sg_change *e = find_same(b, c);

	if (e) {
		e->kinds |= c->kinds;
		e->count = e->count + c->count < e->count ? UINT32_MAX :
							    e->count + c->count;
		if (!e->actor) { /* the later event may know the actor */
			e->actor = TAKE_PTR(c->actor);
			e->expected = c->expected;
			e->from_hook = c->from_hook;
		}
		change_free(c);
		return e;
	}
	if (b->n == SG_CHANGE_BATCH)
		return NULL;
	e = &b->v[b->n++];
	*e = *c;
	*c = (struct sg_change){ 0 };
	return e;
}

void sg_change_batch_clear(struct sg_change_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		change_free(&b->v[i]);
	b->n = 0;
}

int sg_change_join(const char *dir, const char *name, char *buf, size_t size)
{
	int n;

	if (!*name || streq(name, "."))
		n = snprintf(buf, size, "%s", dir);
	else
		n = snprintf(buf, size, "%s%s%s", dir,
			     streq(dir, "/") ? "" : "/", name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}
