/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_changes.c - the pure half of change detection (changes_event.c):
 * which kinds a fanotify mask stands for, parsing FID events as the kernel
 * packs them (4-byte aligned, names NUL-padded, a pidfd record, both names
 * of a rename) and refusing ones that do not fit, merging a flood into a
 * batch, and joining directory and name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "watch/changes.h"
#include "util.h"

/* ---------------------------------------------------------------- kinds */

static void test_kinds(void **state)
{
	char buf[96];

	assert_int_equal(sg_change_kinds(0), 0);
	assert_int_equal(sg_change_kinds(FAN_ONDIR), 0);
	assert_int_equal(sg_change_kinds(FAN_Q_OVERFLOW), 0);
	assert_int_equal(sg_change_kinds(FAN_CREATE | FAN_ONDIR),
			 SG_CHANGE_CREATE);
	assert_int_equal(sg_change_kinds(FAN_MODIFY | FAN_CLOSE_WRITE),
			 SG_CHANGE_MODIFY | SG_CHANGE_CLOSE_WRITE);
	assert_int_equal(sg_change_kinds(FAN_RENAME), SG_CHANGE_RENAME);
	assert_int_equal(sg_change_kinds(FAN_DELETE), SG_CHANGE_DELETE);
	assert_int_equal(sg_change_kinds(FAN_ATTRIB), SG_CHANGE_ATTRIB);
	/* not watched, so never a kind */
	assert_int_equal(sg_change_kinds(FAN_ACCESS | FAN_OPEN |
					 FAN_CLOSE_NOWRITE),
			 0);
	assert_string_equal(sg_change_kinds_format(0, buf, sizeof(buf)), "");
	assert_string_equal(sg_change_kinds_format(SG_CHANGE_CREATE |
							   SG_CHANGE_ATTRIB |
							   SG_CHANGE_CLOSE_WRITE,
						   buf, sizeof(buf)),
			    "create,attrib,close-write");
	assert_string_equal(sg_change_kinds_format((1u << SG_CHANGE_KINDS) - 1,
						   buf, sizeof(buf)),
			    "create,delete,rename,attrib,modify,close-write");
	/* a short buffer is cut, never overrun */
	assert_string_equal(sg_change_kinds_format(SG_CHANGE_DELETE |
							   SG_CHANGE_MODIFY,
						   buf, 5),
			    "dele");
	assert_int_equal(sg_change_kinds(~0ULL), (1u << SG_CHANGE_KINDS) - 1);
	assert_string_equal(sg_change_kind_name(SG_CHANGE_KINDS), "?");
}

/* ---------------------------------------------------------------- parsing */

/* An event buffer built the way the kernel packs one. */
struct evbuf {
	unsigned char b[4096] __attribute__((aligned(8)));
	size_t n;     /* bytes written */
	size_t start; /* where the current event starts */
};

static void put(struct evbuf *e, const void *p, size_t len)
{
	assert_true(e->n + len <= sizeof(e->b));
	memcpy(e->b + e->n, p, len);
	e->n += len;
}

static void begin(struct evbuf *e, uint64_t mask, int32_t pid)
{
	struct fanotify_event_metadata m = {
		.vers = FANOTIFY_METADATA_VERSION,
		.metadata_len = sizeof(m),
		.mask = mask,
		.fd = FAN_NOFD,
		.pid = pid,
	};

	e->start = e->n;
	put(e, &m, sizeof(m));
}

/* Close the event: its length in its metadata. */
static void end(struct evbuf *e)
{
	uint32_t len = (uint32_t)(e->n - e->start);

	memcpy(e->b + e->start + offsetof(struct fanotify_event_metadata,
					  event_len),
	       &len, sizeof(len));
}

/* A FID record: header, fsid, file_handle, handle bytes, name, padding
 * to 4 bytes (FANOTIFY_EVENT_ALIGN). */
static void put_fid(struct evbuf *e, uint8_t type, int32_t fsid,
		    const char *handle, const char *name)
{
	size_t hlen = strlen(handle), nlen = name ? strlen(name) + 1 : 0;
	size_t len = sizeof(struct fanotify_event_info_fid) +
		     sizeof(struct file_handle) + hlen + nlen;
	struct fanotify_event_info_header hdr = { .info_type = type };
	__kernel_fsid_t f = { { fsid, 0 } };
	struct file_handle fh = { .handle_bytes = (unsigned)hlen,
				  .handle_type = 1 };
	static const char zeros[4];

	len = (len + 3) & ~(size_t)3;
	hdr.len = (uint16_t)len;
	put(e, &hdr, sizeof(hdr));
	put(e, &f, sizeof(f));
	put(e, &fh, sizeof(fh));
	put(e, handle, hlen);
	if (name)
		put(e, name, nlen);
	put(e, zeros, len - (sizeof(hdr) + sizeof(f) + sizeof(fh) + hlen + nlen));
}

static void put_pidfd(struct evbuf *e, int32_t pidfd)
{
	struct fanotify_event_info_pidfd p = {
		.hdr = { .info_type = FAN_EVENT_INFO_TYPE_PIDFD,
			 .len = sizeof(p) },
		.pidfd = pidfd,
	};

	put(e, &p, sizeof(p));
}

static void test_parse_create(void **state)
{
	struct evbuf e = { 0 };
	struct sg_change_event ev;

	begin(&e, FAN_CREATE | FAN_ONDIR, 42);
	put_fid(&e, FAN_EVENT_INFO_TYPE_DFID_NAME, 7, "HANDLE01", "newdir");
	put_pidfd(&e, 9);
	end(&e);
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), 0);
	assert_int_equal(ev.len, e.n);
	assert_int_equal(ev.mask, FAN_CREATE | FAN_ONDIR);
	assert_int_equal(ev.pid, 42);
	assert_int_equal(ev.pidfd, 9);
	assert_true(ev.has_from);
	assert_false(ev.has_to);
	assert_int_equal(ev.from.fsid->val[0], 7);
	assert_int_equal(ev.from.handle->handle_bytes, 8);
	assert_memory_equal(ev.from.handle->f_handle, "HANDLE01", 8);
	assert_string_equal(ev.from.name, "newdir");
}

static void test_parse_rename(void **state)
{
	struct evbuf e = { 0 };
	struct sg_change_event ev;

	begin(&e, FAN_RENAME, 5);
	put_fid(&e, FAN_EVENT_INFO_TYPE_OLD_DFID_NAME, 1, "olddir", "a");
	put_fid(&e, FAN_EVENT_INFO_TYPE_NEW_DFID_NAME, 1, "newdirhandle", "bb");
	put_pidfd(&e, FAN_NOPIDFD); /* the actor has exited */
	end(&e);
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), 0);
	assert_true(ev.has_from && ev.has_to);
	assert_string_equal(ev.from.name, "a");
	assert_string_equal(ev.to.name, "bb");
	assert_memory_equal(ev.to.handle->f_handle, "newdirhandle", 12);
	assert_int_equal(ev.pidfd, -1);
}

/* Two events back to back, the second at an offset only 4-aligned (as a
 * FID event padded to 4 leaves it): read as they are, no misaligned
 * access (UBSan would say). */
static void test_parse_unaligned_sequence(void **state)
{
	struct evbuf e = { 0 };
	struct sg_change_event ev;
	size_t first;

	begin(&e, FAN_ATTRIB | FAN_ONDIR, 1);
	put_fid(&e, FAN_EVENT_INFO_TYPE_DFID_NAME, 3, "abcde", ".");
	end(&e);
	first = e.n;
	assert_int_equal(first % 8, 4);
	begin(&e, FAN_DELETE, 2);
	put_fid(&e, FAN_EVENT_INFO_TYPE_DFID_NAME, 3, "abcde", "gone");
	end(&e);
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), 0);
	assert_int_equal(ev.len, first);
	assert_string_equal(ev.from.name, ".");
	assert_int_equal(sg_change_event_parse(e.b + first, e.n - first, &ev), 0);
	assert_int_equal(ev.mask, FAN_DELETE);
	assert_int_equal(ev.pid, 2);
	assert_string_equal(ev.from.name, "gone");
	assert_int_equal(ev.pidfd, -1); /* no pidfd record at all */
}

static void test_parse_overflow(void **state)
{
	struct evbuf e = { 0 };
	struct sg_change_event ev;

	begin(&e, FAN_Q_OVERFLOW, 0);
	end(&e);
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), 0);
	assert_int_equal(ev.mask, FAN_Q_OVERFLOW);
	assert_false(ev.has_from);
	assert_int_equal(ev.len, sizeof(struct fanotify_event_metadata));
}

/* Patch byte off of the buffer (within the first event). */
static void poke16(struct evbuf *e, size_t off, uint16_t v)
{
	memcpy(e->b + off, &v, sizeof(v));
}

static void poke32(struct evbuf *e, size_t off, uint32_t v)
{
	memcpy(e->b + off, &v, sizeof(v));
}

static const size_t META = sizeof(struct fanotify_event_metadata);
static const size_t FH_AT = sizeof(struct fanotify_event_metadata) +
			    sizeof(struct fanotify_event_info_fid);

static void one_event(struct evbuf *e)
{
	*e = (struct evbuf){ 0 };
	begin(e, FAN_CREATE, 1);
	put_fid(e, FAN_EVENT_INFO_TYPE_DFID_NAME, 1, "hh", "name");
	put_pidfd(e, 12);
	end(e);
}

static void test_parse_malformed(void **state)
{
	struct evbuf e;
	struct sg_change_event ev;

	/* shorter than its metadata */
	one_event(&e);
	assert_int_equal(sg_change_event_parse(e.b, META - 1, &ev), -EPROTO);
	/* event longer than what was read: stop reading the buffer */
	one_event(&e);
	assert_int_equal(sg_change_event_parse(e.b, e.n - 1, &ev), -EPROTO);
	assert_int_equal(ev.len, 0);
	/* another metadata version */
	one_event(&e);
	e.b[offsetof(struct fanotify_event_metadata, vers)]++;
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), -EPROTO);
	assert_int_equal(ev.len, 0);
	/* a record longer than the event: skip the event (len kept) */
	one_event(&e);
	poke16(&e, META + 2, (uint16_t)(e.n - META + 4));
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), -EPROTO);
	assert_int_equal(ev.len, e.n);
	/* a record shorter than its header */
	one_event(&e);
	poke16(&e, META + 2, 2);
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), -EPROTO);
	/* a handle longer than its record */
	one_event(&e);
	poke32(&e, FH_AT, 200);
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), -EPROTO);
	/* a handle longer than any handle */
	one_event(&e);
	poke32(&e, FH_AT, MAX_HANDLE_SZ + 1);
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), -EPROTO);
	/* a name without its NUL: the padding byte overwritten too */
	one_event(&e);
	memset(e.b + FH_AT + sizeof(struct file_handle) + 2, 'x', 6);
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), -EPROTO);
	/* an unknown record type */
	one_event(&e);
	e.b[META] = 99;
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), -EPROTO);
}

/* A tail shorter than any event (issue #16: the caller then used a
 * length and a pidfd the parser never wrote): len 0 and no pidfd. */
static void test_parse_short_tail_written(void **state)
{
	struct evbuf e;
	struct sg_change_event ev;

	one_event(&e);
	memset(&ev, 0x5a, sizeof(ev)); /* what was on the stack before */
	assert_int_equal(sg_change_event_parse(e.b, META - 1, &ev), -EPROTO);
	assert_int_equal(ev.len, 0);
	assert_int_equal(ev.pidfd, -1);
	memset(&ev, 0x5a, sizeof(ev));
	assert_int_equal(sg_change_event_parse(e.b, 0, &ev), -EPROTO);
	assert_int_equal(ev.len, 0);
	assert_int_equal(ev.pidfd, -1);
}

/* Lengths off the kernel's 4-byte grid (fuzz_fan_changes found a
 * metadata_len of 37 reading the next record misaligned). */
static void test_parse_off_grid(void **state)
{
	struct evbuf e;
	struct sg_change_event ev;

	one_event(&e);
	poke16(&e, offsetof(struct fanotify_event_metadata, metadata_len),
	       (uint16_t)(META + 1));
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), -EPROTO);
	assert_int_equal(ev.len, 0);
	one_event(&e);
	poke32(&e, offsetof(struct fanotify_event_metadata, event_len),
	       (uint32_t)(e.n - 1));
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), -EPROTO);
	assert_int_equal(ev.len, 0);
	/* a pidfd record of 9 bytes: refused before it is read (the next
	 * one would start misaligned), the event skipped whole */
	e = (struct evbuf){ 0 };
	begin(&e, FAN_MODIFY, 3);
	put_pidfd(&e, 30);
	put(&e, "\0\0\0\0", 4);
	end(&e);
	poke16(&e, META + 2, 9);
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), -EPROTO);
	assert_int_equal(ev.pidfd, -1);
	assert_int_equal(ev.len, e.n);
}

struct seen {
	int n, parsed;
	int pidfds[4];
	uint32_t lens[4];
};

static void on_event(const struct sg_change_event *ev, int r, void *userdata)
{
	struct seen *s = userdata;

	assert_true(s->n < 4);
	s->pidfds[s->n] = ev->pidfd;
	s->lens[s->n++] = ev->len;
	s->parsed += r == 0;
}

/* The daemon's walk of one read: whole events, then a short tail that
 * stops it with nothing to close. */
static void test_walk(void **state)
{
	struct evbuf e;
	struct seen s = { 0 };
	size_t first;
	static const unsigned char tail[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	one_event(&e);
	first = e.n;
	begin(&e, FAN_Q_OVERFLOW, 0);
	end(&e);
	put(&e, tail, sizeof(tail));
	assert_int_equal(sg_change_events_each(e.b, e.n, on_event, &s),
			 e.n - sizeof(tail));
	assert_int_equal(s.n, 3);
	assert_int_equal(s.parsed, 2);
	assert_int_equal(s.pidfds[0], 12);
	assert_int_equal(s.lens[0], first);
	assert_int_equal(s.pidfds[1], -1);
	assert_int_equal(s.lens[1], META);
	assert_int_equal(s.pidfds[2], -1);
	assert_int_equal(s.lens[2], 0);
}

/* A malformed record after the pidfd: the pidfd is still handed back,
 * so that the caller can close it. */
static void test_parse_pidfd_survives_error(void **state)
{
	struct evbuf e = { 0 };
	struct sg_change_event ev;
	static const unsigned char junk[8] = { 77, 0, 8, 0 };

	begin(&e, FAN_MODIFY, 3);
	put_pidfd(&e, 30);
	put(&e, junk, sizeof(junk));
	end(&e);
	assert_int_equal(sg_change_event_parse(e.b, e.n, &ev), -EPROTO);
	assert_int_equal(ev.pidfd, 30);
	assert_int_equal(ev.len, e.n);
}

/* ---------------------------------------------------------------- batch */

static struct sg_change change(unsigned kinds, const char *path,
			       const char *new_path, pid_t pid, bool dir)
{
	struct sg_change c = { .kinds = kinds, .dir = dir, .pid = pid,
			       .count = 1 };

	c.path = strdup(path);
	c.new_path = new_path ? strdup(new_path) : NULL;
	assert_non_null(c.path);
	return c;
}

static void test_batch_merge(void **state)
{
	struct sg_change_batch *b = calloc(1, sizeof(*b));
	struct sg_change c, *e;

	assert_non_null(b);
	c = change(SG_CHANGE_CREATE, "/usr/x", NULL, 10, false);
	e = sg_change_batch_add(b, &c);
	assert_ptr_equal(e, &b->v[0]);
	assert_null(c.path); /* taken */
	c = change(SG_CHANGE_ATTRIB, "/usr/x", NULL, 10, false);
	c.actor = calloc(1, sizeof(*c.actor));
	assert_non_null(c.actor);
	c.expected = "maintenance-writer";
	e = sg_change_batch_add(b, &c);
	assert_ptr_equal(e, &b->v[0]);
	assert_int_equal(b->n, 1);
	assert_int_equal(e->kinds, SG_CHANGE_CREATE | SG_CHANGE_ATTRIB);
	assert_int_equal(e->count, 2);
	assert_non_null(e->actor); /* the later event knew the actor */
	assert_string_equal(e->expected, "maintenance-writer");
	/* another pid, another type, another new name: three more entries */
	c = change(SG_CHANGE_ATTRIB, "/usr/x", NULL, 11, false);
	assert_ptr_equal(sg_change_batch_add(b, &c), &b->v[1]);
	c = change(SG_CHANGE_ATTRIB, "/usr/x", NULL, 10, true);
	assert_ptr_equal(sg_change_batch_add(b, &c), &b->v[2]);
	c = change(SG_CHANGE_RENAME, "/usr/x", "/usr/y", 10, false);
	assert_ptr_equal(sg_change_batch_add(b, &c), &b->v[3]);
	c = change(SG_CHANGE_RENAME, "/usr/x", "/usr/y", 10, false);
	assert_ptr_equal(sg_change_batch_add(b, &c), &b->v[3]);
	assert_int_equal(b->v[3].count, 2);
	assert_int_equal(b->n, 4);
	sg_change_batch_clear(b);
	assert_int_equal(b->n, 0);
	free(b);
}

static void test_batch_full(void **state)
{
	struct sg_change_batch *b = calloc(1, sizeof(*b));
	struct sg_change c;
	char path[32];

	assert_non_null(b);
	for (int i = 0; i < SG_CHANGE_BATCH; i++) {
		snprintf(path, sizeof(path), "/etc/f%d", i);
		c = change(SG_CHANGE_DELETE, path, NULL, 1, false);
		assert_non_null(sg_change_batch_add(b, &c));
	}
	c = change(SG_CHANGE_DELETE, "/etc/one-more", NULL, 1, false);
	assert_null(sg_change_batch_add(b, &c));
	assert_non_null(c.path); /* untouched: flush, then add again */
	free(c.path);
	/* a merge still works when full */
	c = change(SG_CHANGE_MODIFY, "/etc/f5", NULL, 1, false);
	assert_ptr_equal(sg_change_batch_add(b, &c), &b->v[5]);
	sg_change_batch_clear(b);
	c = change(SG_CHANGE_DELETE, "/etc/one-more", NULL, 1, false);
	assert_ptr_equal(sg_change_batch_add(b, &c), &b->v[0]);
	sg_change_batch_clear(b);
	free(b);
}

static void test_batch_count_saturates(void **state)
{
	struct sg_change_batch *b = calloc(1, sizeof(*b));
	struct sg_change c;

	assert_non_null(b);
	c = change(SG_CHANGE_MODIFY, "/f", NULL, 1, false);
	c.count = UINT32_MAX - 1;
	(void)sg_change_batch_add(b, &c);
	c = change(SG_CHANGE_MODIFY, "/f", NULL, 1, false);
	c.count = 5;
	assert_int_equal(sg_change_batch_add(b, &c)->count, UINT32_MAX);
	sg_change_batch_clear(b);
	free(b);
}

/* ---------------------------------------------------------------- join */

static void test_join(void **state)
{
	char buf[16];

	assert_int_equal(sg_change_join("/usr", "bin", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/usr/bin");
	assert_int_equal(sg_change_join("/", "usr", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/usr");
	assert_int_equal(sg_change_join("/usr", ".", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/usr");
	assert_int_equal(sg_change_join("/usr", "", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "/usr");
	assert_int_equal(sg_change_join("/usr/lib", "libxyzw", buf, 16),
			 -ENAMETOOLONG);
	assert_int_equal(sg_change_join("/usr/lib", "libxyz", buf, 16), 0);
	assert_string_equal(buf, "/usr/lib/libxyz");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_parse_create),
		cmocka_unit_test(test_parse_rename),
		cmocka_unit_test(test_parse_unaligned_sequence),
		cmocka_unit_test(test_parse_overflow),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_pidfd_survives_error),
		cmocka_unit_test(test_parse_short_tail_written),
		cmocka_unit_test(test_parse_off_grid),
		cmocka_unit_test(test_walk),
		cmocka_unit_test(test_batch_merge),
		cmocka_unit_test(test_batch_full),
		cmocka_unit_test(test_batch_count_saturates),
		cmocka_unit_test(test_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
