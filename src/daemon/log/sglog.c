/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sglog.c - journal entries, queued to a writer thread. See sglog.h.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include "clock.h"
#include "messages.h"
#include "log/journal.h"
#include "log/sglog.h"
#include "worker.h"

#define JOURNAL_GRACE_MS 500 /* how long a stop waits for a full journal */

struct sg_log_entry {
	char **fields; /* "KEY=value" */
	size_t n;
	struct sg_log_entry *next;
};

static struct {
	enum sg_log_target target;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	pid_t thread_tid;
	bool running;
	bool stopping;
	struct sg_log_entry *head, *tail;
	unsigned queued, queue_len;
	atomic_uint_fast64_t dropped;
	uint64_t dropped_reported;
	uint64_t unwritten; /* given up at a stop: the journal took nothing */
	bool stuck;         /* the last write gave up on a full journal */
} q = {
	.target = SG_LOG_AUTO,
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.wake = PTHREAD_COND_INITIALIZER,
};

int sg_log_target_parse(const char *s, enum sg_log_target *ret)
{
	static const char *const names[] = { "auto", "journal", "stderr" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (streq(s, names[i])) {
			*ret = (enum sg_log_target)i;
			return 0;
		}
	return -EINVAL;
}

void sg_log_set_target(enum sg_log_target t)
{
	if (t == SG_LOG_AUTO)
		t = access(SG_JOURNAL_SOCKET, W_OK) == 0 ? SG_LOG_JOURNAL :
							SG_LOG_STDERR;
	q.target = t;
}

struct sg_log_entry *sg_log_entry_new(int priority, const char *message_id)
{
	struct sg_log_entry *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	(void)sg_log_add(e, "PRIORITY", "%d", priority);
	(void)sg_log_add(e, "SYSLOG_IDENTIFIER", "sealguardd");
	if (message_id)
		(void)sg_log_add(e, "MESSAGE_ID", "%s", message_id);
	return e;
}

int sg_log_addv(struct sg_log_entry *e, const char *key, const char *fmt,
		va_list ap)
{
	_cleanup_free_ char *value = NULL;
	char *field, **grown;

	if (vasprintf(&value, fmt, ap) < 0) {
		value = NULL;
		return -ENOMEM;
	}
	if (asprintf(&field, "%s=%s", key, value) < 0)
		return -ENOMEM;
	grown = realloc(e->fields, (e->n + 1) * sizeof(*grown));
	if (!grown) {
		free(field);
		return -ENOMEM;
	}
	grown[e->n++] = field;
	e->fields = grown;
	return 0;
}

int sg_log_add(struct sg_log_entry *e, const char *key, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = sg_log_addv(e, key, fmt, ap);
	va_end(ap);
	return r;
}

void sg_log_entry_free(struct sg_log_entry *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->n; i++)
		free(e->fields[i]);
	free(e->fields);
	free(e);
}

/* One line on stderr: "<prio> MESSAGE | KEY=value ..." with the value
 * escaped so that an attacker-chosen path cannot forge a second line. */
static void write_escaped(FILE *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f || c == '\\')
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
}

static const char *field_value(const struct sg_log_entry *e, const char *key)
{
	size_t n = strlen(key);

	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->fields[i], key, n) == 0 && e->fields[i][n] == '=')
			return e->fields[i] + n + 1;
	return NULL;
}

static void write_stderr(const struct sg_log_entry *e)
{
	const char *prio = field_value(e, "PRIORITY");
	const char *msg = field_value(e, "MESSAGE");

	flockfile(stderr);
	fprintf(stderr, "sealguardd: <%s> ", prio ? prio : "?");
	write_escaped(stderr, msg ? msg : "");
	for (size_t i = 0; i < e->n; i++) {
		if (strncmp(e->fields[i], "MESSAGE=", 8) == 0 ||
		    strncmp(e->fields[i], "PRIORITY=", 9) == 0 ||
		    strncmp(e->fields[i], "SYSLOG_IDENTIFIER=", 18) == 0)
			continue;
		fputs(" ", stderr);
		write_escaped(stderr, e->fields[i]);
	}
	fputc('\n', stderr);
	funlockfile(stderr);
	(void)fflush(stderr);
}

/* Write e where entries go. -EAGAIN: the journal took nothing for
 * SG_JOURNAL_SEND_WAIT_MS (its socket queue is full), e is not written.
 * Any other failure to send (no socket file, no journald) writes e to
 * stderr instead. */
static int write_entry(const struct sg_log_entry *e)
{
	if (q.target == SG_LOG_JOURNAL) {
		int r = sg_journal_send(e->fields, e->n);

		if (r == 0 || r == -EAGAIN)
			return r;
	}
	write_stderr(e);
	return 0;
}

static bool stop_asked(void)
{
	bool stopping;

	pthread_mutex_lock(&q.lock);
	stopping = q.stopping;
	pthread_mutex_unlock(&q.lock);
	return stopping;
}

/*
 * Write e, waiting while the journal is full: journald stopped reading
 * (SIGSTOP, a hang) and its socket queue filled. The event loop goes on
 * meanwhile: its entries queue, then are dropped and counted. Gives up
 * (false) after JOURNAL_GRACE_MS when patient is false (the caller is not
 * the writer thread) or a stop was asked for: a stop must not wait for a
 * journal that may never read again. Once given up, later writes of that
 * kind do not wait again until the journal takes one.
 */
static bool write_waiting(const struct sg_log_entry *e, bool patient)
{
	uint64_t since = sg_now_ms();

	/* each try waits up to SG_JOURNAL_SEND_WAIT_MS for room */
	while (write_entry(e) == -EAGAIN) {
		uint64_t grace = q.stuck ? 0 : JOURNAL_GRACE_MS;

		if (sg_now_ms() - since >= grace && (!patient || stop_asked())) {
			q.stuck = true;
			return false;
		}
	}
	q.stuck = false;
	return true;
}

static struct sg_log_entry *dequeue_locked(void)
{
	struct sg_log_entry *e = q.head;

	if (e) {
		q.head = e->next;
		if (!q.head)
			q.tail = NULL;
		q.queued--;
	}
	return e;
}

/* Say how many entries a full queue dropped since the last report.
 * false if the journal took nothing until a stop (see write_waiting). */
static bool report_drops(void)
{
	uint64_t dropped = atomic_load(&q.dropped);
	struct sg_log_entry *e;
	bool written;

	if (dropped == q.dropped_reported)
		return true;
	e = sg_log_entry_new(LOG_ERR, SG_MSGID_LOG_LOST);
	if (!e)
		return true;
	(void)sg_log_add(e, "MESSAGE",
			 "%" PRIu64 " journal entries lost: log queue full",
			 dropped - q.dropped_reported);
	(void)sg_log_add(e, "SEALGUARD_LOST", "%" PRIu64,
			 dropped - q.dropped_reported);
	written = write_waiting(e, true);
	sg_log_entry_free(e);
	if (written)
		q.dropped_reported = dropped;
	return written;
}

static void *writer_main(void *arg)
{
	for (;;) {
		struct sg_log_entry *e;
		bool written;

		pthread_mutex_lock(&q.lock);
		while (!q.head && !q.stopping)
			pthread_cond_wait(&q.wake, &q.lock);
		e = dequeue_locked();
		pthread_mutex_unlock(&q.lock);
		if (!e)
			break; /* stopping and drained */
		written = write_waiting(e, true);
		sg_log_entry_free(e);
		if (!written) {
			q.unwritten++;
			return NULL; /* stopping: sg_log_stop counts the rest */
		}
		if (!report_drops())
			return NULL;
	}
	(void)report_drops();
	return NULL;
}

/*
 * After the writer is joined: what it could not write (the journal took
 * nothing during a stop) and what is still queued (written now, unless
 * the journal is the one that took nothing) is lost. Say so in one entry
 * on stderr, not to the journal that does not answer.
 */
static void report_unwritten(void)
{
	struct sg_log_entry *e;
	uint64_t lost;

	for (;;) {
		pthread_mutex_lock(&q.lock);
		e = dequeue_locked();
		pthread_mutex_unlock(&q.lock);
		if (!e)
			break;
		if (q.stuck || !write_waiting(e, false))
			q.unwritten++;
		sg_log_entry_free(e);
	}
	lost = q.unwritten + atomic_load(&q.dropped) - q.dropped_reported;
	if (lost == 0)
		return;
	e = sg_log_entry_new(LOG_ERR, SG_MSGID_LOG_LOST);
	if (!e)
		return;
	(void)sg_log_add(e, "MESSAGE",
			 "%" PRIu64 " journal entries lost at stop: the journal "
			 "took nothing for %d ms",
			 lost, JOURNAL_GRACE_MS);
	(void)sg_log_add(e, "SEALGUARD_LOST", "%" PRIu64, lost);
	write_stderr(e);
	sg_log_entry_free(e);
	q.dropped_reported = atomic_load(&q.dropped);
	q.unwritten = 0;
}

int sg_log_start(unsigned queue_len)
{
	int r;

	q.queue_len = queue_len;
	q.stopping = false;
	/* the guard must know this thread to let its opens through */
	r = sg_worker_start(writer_main, NULL, &q.thread, &q.thread_tid);
	if (r < 0)
		return r;
	q.running = true;
	return 0;
}

pid_t sg_log_writer_tid(void)
{
	return q.thread_tid;
}

void sg_log_stop(void)
{
	if (!q.running)
		return;
	pthread_mutex_lock(&q.lock);
	q.stopping = true;
	pthread_cond_signal(&q.wake);
	pthread_mutex_unlock(&q.lock);
	(void)pthread_join(q.thread, NULL);
	q.running = false;
	report_unwritten();
}

void sg_log_close(void)
{
	sg_log_stop();
	sg_journal_close();
}

uint64_t sg_log_dropped(void)
{
	return atomic_load(&q.dropped);
}

void sg_log_submit(struct sg_log_entry *e)
{
	if (!e)
		return;
	if (!q.running) { /* no writer thread: the caller's own write */
		if (!write_waiting(e, false))
			write_stderr(e);
		sg_log_entry_free(e);
		return;
	}
	pthread_mutex_lock(&q.lock);
	if (q.queued >= q.queue_len) {
		pthread_mutex_unlock(&q.lock);
		atomic_fetch_add(&q.dropped, 1);
		sg_log_entry_free(e);
		return;
	}
	e->next = NULL;
	if (q.tail)
		q.tail->next = e;
	else
		q.head = e;
	q.tail = e;
	q.queued++;
	pthread_cond_signal(&q.wake);
	pthread_mutex_unlock(&q.lock);
}

struct sg_log_entry *sg_log_entry_newv(int priority, const char *message_id,
				       const char *fallback, const char *fmt,
				       va_list ap)
{
	struct sg_log_entry *e = sg_log_entry_new(priority, message_id);

	if (!e)
		return NULL;
	if (sg_log_addv(e, "MESSAGE", fmt, ap) < 0)
		(void)sg_log_add(e, "MESSAGE", "%s", fallback);
	return e;
}

void sg_log(int priority, const char *message_id, const char *fmt, ...)
{
	struct sg_log_entry *e;
	va_list ap;

	va_start(ap, fmt);
	e = sg_log_entry_newv(priority, message_id, fmt, fmt, ap);
	va_end(ap);
	sg_log_submit(e); /* out of memory: the fallback is fmt */
}
