/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tamper.h - the daemon's watch for a debugger: every SG_TAMPER_WATCH_MS
 * it reads the tracer of each of its own threads and of the responder's
 * (sys/tracer.h), whether the responder is stopped, and what the
 * tripwire on both memory files saw (sys/memwatch.h). A tracer found
 * is logged at alert (SG_MSGID_TAMPER, SEALGUARD_EVENT=tamper), killed
 * ("would" in permissive mode), a stopped responder resumed, and the
 * host asks to be replaced when [respond] has a reprovision program. The
 * responder watches the daemon the same way (respond/responder_tamper.c):
 * a daemon the tracer stopped cannot log, its responder does.
 */
#ifndef SEALGUARD_TAMPER_H
#define SEALGUARD_TAMPER_H

#include <stdint.h>

#include "daemon.h"
#include "errlist.h"

#define SG_TAMPER_WATCH_MS 200

struct sg_tamper;

/* Before the seal (it makes a timerfd). 0 or a negative errno. */
int sg_tamper_start(const struct sg_daemon *d, struct sg_tamper **ret,
		    struct errlist *errs);
int sg_tamper_fd(const struct sg_tamper *t);
/* The timer fired: look. Never blocks. */
void sg_tamper_process(struct sg_tamper *t);
/* Tampers found since start (the heartbeat's "tamper" count). */
uint64_t sg_tamper_found(const struct sg_tamper *t);
void sg_tamper_free(struct sg_tamper *t);

#endif
