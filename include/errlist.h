/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * errlist.h - a list of human-readable error messages collected by a
 * parser or checker. Library code fills it and never prints; the caller
 * decides where the messages go (stderr for the CLI, the journal for the
 * daemon). Every message of a file-based error starts with "file:line: ".
 */
#ifndef SEALGUARD_ERRLIST_H
#define SEALGUARD_ERRLIST_H

#include <stddef.h>

#include "util.h"

struct errlist {
	char **msgs;
	size_t n;
};

/* Append a formatted message. Returns 0 or -ENOMEM. */
int errlist_add(struct errlist *l, const char *fmt, ...) _printf_(2, 3);
/*
 * A step failed with r (negative errno): make sure the list says so.
 * When the step left no message, add "what: <strerror(r)>", so that a
 * failure is never reported as nothing. r >= 0 changes nothing.
 */
void errlist_explain(struct errlist *l, int r, const char *what);
/* Print each message on its own line, prefixed with "prefix: " if given. */
void errlist_print(const struct errlist *l, FILE *out, const char *prefix);
void errlist_free(struct errlist *l);

#endif
