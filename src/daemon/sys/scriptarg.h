/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scriptarg.h - which file an interpreter was handed as its script, from
 * its command line.
 *
 * "sh /tmp/x", "python3 -u x", "perl -w ./x": the interpreter reads the
 * script like any data file, so the guard tells the script from the data
 * by its place among the arguments: the first one that is not an option
 * nor an option's value. Each family's options are read as that
 * interpreter reads them ("sh -e FILE" runs FILE, "perl -e CODE" has no
 * script file); where one option may or may not take a value (bash's
 * "-O shopt", python's "-O"), both readings are tried. An interpreter of
 * another family gets the reading that fails closed: any option may take
 * the next argument, and that argument is tried too.
 *
 * Names, not files: nothing is looked up, so an argument on a filesystem
 * that stalls (FUSE, NFS) cannot stall the guard.
 */
#ifndef SEALGUARD_SCRIPTARG_H
#define SEALGUARD_SCRIPTARG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "filekind.h"

/* Longest command line read; a longer one is -E2BIG (fail closed). */
#define SG_CMDLINE_MAX 8192

/*
 * Is a file named base (a name, no directory) the script of the command
 * line cmdline (n bytes of /proc/<pid>/cmdline: NUL-separated, argv[0]
 * first) of an interpreter of family f? The pure half, for the tests and
 * the fuzzer.
 */
bool sg_script_arg_is(const char *cmdline, size_t n, enum sg_interp_family f,
		      const char *base);

/*
 * The same for the running thread tid, its family taken from the name of
 * its executable (/proc/<tid>/exe: the program itself, not an argv[0] the
 * caller chose). 1 yes, 0 no, -E2BIG for a command line longer than
 * SG_CMDLINE_MAX, else a negative errno.
 */
int sg_proc_script_arg_is(int procfd, pid_t tid, const char *base);

#endif
