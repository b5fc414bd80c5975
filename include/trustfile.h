/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trustfile.h - may a configuration file be trusted? The policy and the
 * baseline decide what the guard allows: a file that someone other than
 * its owner (root, or the user running the tool) could have written is
 * refused, as OpenBSD daemons refuse such configs.
 */
#ifndef SEALGUARD_TRUSTFILE_H
#define SEALGUARD_TRUSTFILE_H

#include "errlist.h"

/*
 * Check the file open on fd (named path in messages): a regular file, not
 * writable by group or others, owned by root or by our effective uid.
 * Returns 0, -EINVAL (not a regular file), -EPERM (with a message in
 * errs) or the errno of fstat.
 */
int sg_check_trusted_file(int fd, const char *path, struct errlist *errs);

#endif
