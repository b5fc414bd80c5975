/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_hasher.c - the hasher thread: verdict data for every job, in
 * order, exactly once; a full queue says so; stop finishes what is queued.
 */
#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fan/hasher.h"
#include "util.h"

/* sha256("hello\n") and sha256("") (published values). */
static const char *const hello_hex =
	"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
static const char *const empty_hex =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct seen {
	int n;
	int cookies[16];
	int rs[16];
	char hex[16][SG_SHA256_HEX_LEN + 1];
	uint64_t sizes[16];
};

static void on_done(void *cookie, int r, const unsigned char *sha,
		    uint64_t size, void *userdata)
{
	struct seen *s = userdata;

	assert_true(s->n < 16);
	s->cookies[s->n] = (int)(intptr_t)cookie;
	s->rs[s->n] = r;
	s->sizes[s->n] = size;
	if (r == 0)
		sg_hex_encode(sha, SG_SHA256_LEN, s->hex[s->n]);
	s->n++;
}

static int memfile(const char *content)
{
	int fd = memfd_create("hasher-test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_true(write(fd, content, strlen(content)) ==
		    (ssize_t)strlen(content));
	return fd;
}

/* Wait (bounded) until the hasher says results are ready, then collect. */
static void collect_all(struct sg_hasher *h, struct seen *s, int want)
{
	for (int tries = 0; s->n < want && tries < 200; tries++) {
		struct pollfd p = { sg_hasher_fd(h), POLLIN, 0 };

		(void)poll(&p, 1, 50);
		sg_hasher_collect(h, on_done, s);
	}
	assert_int_equal(s->n, want);
}

static void test_hashes_in_order(void **state)
{
	struct sg_hasher *h = NULL;
	struct seen s = { 0 };
	int a = memfile("hello\n"), b = memfile("");

	assert_int_equal(sg_hash_init(), 0);
	assert_int_equal(sg_hasher_start(4, &h), 0);
	assert_true(sg_hasher_tid(h) > 0);
	assert_true(sg_hasher_tid(h) != getpid());
	assert_int_equal(sg_hasher_submit(h, a, (void *)1), 0);
	assert_int_equal(sg_hasher_submit(h, b, (void *)2), 0);
	collect_all(h, &s, 2);
	assert_int_equal(s.cookies[0], 1);
	assert_int_equal(s.cookies[1], 2);
	assert_int_equal(s.rs[0], 0);
	assert_string_equal(s.hex[0], hello_hex);
	assert_int_equal(s.sizes[0], 6);
	assert_string_equal(s.hex[1], empty_hex);
	assert_int_equal(s.sizes[1], 0);
	assert_int_equal(sg_hasher_pending(h), 0);
	sg_hasher_free(h);
	(void)close(a);
	(void)close(b);
}

static void test_error_is_reported(void **state)
{
	struct sg_hasher *h = NULL;
	struct seen s = { 0 };
	int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	assert_int_equal(sg_hasher_start(4, &h), 0);
	assert_int_equal(sg_hasher_submit(h, dir, (void *)7), 0);
	collect_all(h, &s, 1);
	assert_int_equal(s.cookies[0], 7);
	assert_int_equal(s.rs[0], -EISDIR);
	sg_hasher_free(h);
	(void)close(dir);
}

static void test_full_queue_and_stop(void **state)
{
	struct sg_hasher *h = NULL;
	struct seen s = { 0 };
	int fd = memfile("hello\n");

	assert_int_equal(sg_hasher_start(2, &h), 0);
	assert_int_equal(sg_hasher_submit(h, fd, (void *)1), 0);
	assert_int_equal(sg_hasher_submit(h, fd, (void *)2), 0);
	/* two submitted, none collected: the queue is full */
	assert_int_equal(sg_hasher_submit(h, fd, (void *)3), -EAGAIN);
	assert_int_equal(sg_hasher_pending(h), 2);
	/* stop finishes what was queued; results stay collectable */
	sg_hasher_stop(h);
	sg_hasher_collect(h, on_done, &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.hex[1], hello_hex);
	assert_int_equal(sg_hasher_submit(h, fd, (void *)4), -EAGAIN);
	sg_hasher_free(h);
	(void)close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hashes_in_order),
		cmocka_unit_test(test_error_is_reported),
		cmocka_unit_test(test_full_queue_and_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
