/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_proc_status.c - /proc/<pid>/status as the journal's actor reader
 * (sg_proc_status_parse) and the tamper watch (sg_tracer_status_parse)
 * read it: the Name: line is the process's own choice, every other line
 * the kernel's.
 *
 * Properties: no crash or undefined behaviour; the name and program are
 * never touched (the parser fills the numbers only); the tracer's
 * outputs are written only on success.
 */
#include "fuzz.h"
#include "sys/procinfo.h"
#include "sys/tracer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sg_procinfo p;
	char *text = fuzz_cstr(data, size);
	pid_t tracer;
	char state;

	if (!text)
		return 0;
	p = (struct sg_procinfo){ .uid = (uid_t)-1, .euid = (uid_t)-1 };
	strcpy(p.exe, "?");
	strcpy(p.comm, "?");
	sg_proc_status_parse(text, &p);
	fuzz_assert(strcmp(p.exe, "?") == 0 && strcmp(p.comm, "?") == 0);
	/* the tamper watch's reader of the same file */
	state = '#';
	tracer = -42;
	if (sg_tracer_status_parse(text, &state, &tracer) < 0)
		fuzz_assert(state == '#' && tracer == -42);
	free(text);
	return 0;
}
