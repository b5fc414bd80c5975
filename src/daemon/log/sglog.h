/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sglog.h - structured logging to the systemd journal.
 *
 * Every entry is a list of KEY=value fields (MESSAGE, MESSAGE_ID,
 * PRIORITY, SEALGUARD_*). The event loop must never wait on the journal
 * (fapolicyd's worst hangs came from logging inside the decision path), so
 * while the writer thread runs, sg_log_submit() only queues: a full queue
 * drops the entry and counts it, and the writer reports the loss. The
 * writer never blocks either (journal.h): a journal that stops reading is
 * retried until it reads again, or, once a stop is asked for, for half a
 * second; what is then left is counted lost and reported on stderr.
 * Without a journal socket (or journald), entries go to stderr in the
 * same shape, one line each.
 */
#ifndef SEALGUARD_SGLOG_H
#define SEALGUARD_SGLOG_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/types.h>
#include <syslog.h>

#include "util.h"

enum sg_log_target {
	SG_LOG_AUTO,    /* the journal if its socket exists, else stderr */
	SG_LOG_JOURNAL,
	SG_LOG_STDERR,
};

struct sg_log_entry;

/* Parse "auto", "journal" or "stderr". 0 or -EINVAL. */
int sg_log_target_parse(const char *s, enum sg_log_target *ret);

/* Choose where entries go. Call before anything is logged. */
void sg_log_set_target(enum sg_log_target t);

/* A new entry with PRIORITY and MESSAGE_ID set; NULL on ENOMEM. */
struct sg_log_entry *sg_log_entry_new(int priority, const char *message_id);

/* The same with MESSAGE from fmt, or fallback when there is no memory
 * to format it. NULL on ENOMEM. */
struct sg_log_entry *sg_log_entry_newv(int priority, const char *message_id,
				       const char *fallback, const char *fmt,
				       va_list ap) _printf_(4, 0);

/* Add KEY=value (value printf-formatted). 0 or -ENOMEM; on -ENOMEM the
 * entry stays valid without the field. */
int sg_log_add(struct sg_log_entry *e, const char *key, const char *fmt, ...)
	_printf_(3, 4);

/* The same with a va_list. */
int sg_log_addv(struct sg_log_entry *e, const char *key, const char *fmt,
		va_list ap) _printf_(3, 0);

void sg_log_entry_free(struct sg_log_entry *e);

/* Hand the entry over (NULL is ignored). Never blocks once the writer
 * thread runs; before sg_log_start and after sg_log_stop it writes now. */
void sg_log_submit(struct sg_log_entry *e);

/* Start the writer thread with a queue of queue_len entries. 0 or -errno. */
int sg_log_start(unsigned queue_len);

/* The writer thread's tid (0 before sg_log_start). */
pid_t sg_log_writer_tid(void);

/* Write what is queued, stop and join the writer thread; bounded when
 * the journal takes nothing (see above). */
void sg_log_stop(void);

/* The last call of the process: the journal's socket is closed (a later
 * entry opens it again). */
void sg_log_close(void);

/* Entries dropped because the queue was full, since start. */
uint64_t sg_log_dropped(void);

/* A plain entry: PRIORITY, MESSAGE_ID (may be NULL) and MESSAGE. */
void sg_log(int priority, const char *message_id, const char *fmt, ...)
	_printf_(3, 4);

#endif
