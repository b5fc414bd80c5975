/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * journal.h - one entry to journald's native socket, waiting a bounded
 * time.
 *
 * sd_journal_sendv() is not used for the daemon's entries: its sendmsg()
 * blocks on a socket libsystemd owns, so a journald that stops reading
 * (SIGSTOP, a hang) holds the journal writer once its socket queue is
 * full, and with it the daemon's stop; and when the socket file is gone
 * it returns success, the entry dropped unseen. This sender says which
 * happened and lets the caller decide (sglog.c: wait and count, or
 * write to stderr).
 */
#ifndef SEALGUARD_JOURNAL_H
#define SEALGUARD_JOURNAL_H

#include <stddef.h>

#define SG_JOURNAL_SOCKET "/run/systemd/journal/socket"
#define SG_JOURNAL_SEND_WAIT_MS 100 /* longest wait of one send */

/*
 * Send fields ("KEY=value", KEY in journald's field syntax) as one entry.
 * 0 when journald has it; -EAGAIN when its socket queue stayed full for
 * SG_JOURNAL_SEND_WAIT_MS (it is not reading: try again later, or give
 * up); another -errno when it cannot take it
 * (-ENOENT no socket, -ECONNREFUSED no journald, -EMSGSIZE too big).
 * Called from one thread at a time.
 */
int sg_journal_send(char *const *fields, size_t n);

/* Close the socket (at the process's end: a later send opens it again). */
void sg_journal_close(void);

#endif
