/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trustfile.h - may a configuration file be trusted? The policy and the
 * baseline decide what the guard allows: a file that someone other than
 * its owner (root, or the user running the tool) could have written is
 * refused, as OpenBSD daemons refuse such configs.
 */
#ifndef SEALGUARD_TRUSTFILE_H
#define SEALGUARD_TRUSTFILE_H

#include <stdio.h>

#include "errlist.h"

/*
 * Check the file open on fd (named path in messages): a regular file, not
 * writable by group or others, owned by root or by our effective uid.
 * Returns 0, -EISDIR (a directory) or -ENXIO (a FIFO, a device, a
 * socket: not a regular file), -EPERM (others may write it), each with a
 * message in errs, or the errno of fstat.
 */
int sg_check_trusted_file(int fd, const char *path, struct errlist *errs);

/*
 * Open path for reading and check it as above: the fd, or a negative
 * errno. An open that fails gets no message (the caller words it, with
 * a hint where one helps); a check that fails has its message in errs.
 * The open never blocks: a FIFO or a device named as a configuration
 * file is refused, not waited on.
 */
int sg_open_trusted(const char *path, struct errlist *errs);

/* The same as a stdio stream (*ret, on success). 0 or a negative errno. */
int sg_fopen_trusted(const char *path, FILE **ret, struct errlist *errs);

#endif
