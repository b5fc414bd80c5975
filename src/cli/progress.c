/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * progress.c - one updating line on a terminal while `baseline build`
 * or `verify` hashes: files done of those found (the total once the walk
 * is over), MB, MB/s and, with the total known, the time left. A thread
 * of its own reads the build's counters (struct sg_build_progress) four
 * times a second. Nothing at all when stderr is not a terminal (a log, a
 * pipe, a timer's journal) or with --quiet: the summary line stays the
 * one thing scripts read.
 */
#include <pthread.h>
#include <time.h>

#include "cli.h"
#include "clock.h"

#define TICK_NS (250 * 1000 * 1000L)

static double seconds_since(uint64_t start_ns)
{
	return (double)(sg_clock_ns(CLOCK_MONOTONIC) - start_ns) / 1e9;
}

/* "1234/5678 files  512.0 MB  210.4 MB/s  ETA 0:07" */
void cli_progress_format(const struct sg_build_progress *p, double secs,
			 char *buf, size_t size)
{
	uint64_t found = atomic_load_explicit(&p->found, memory_order_relaxed);
	uint64_t done = atomic_load_explicit(&p->hashed, memory_order_relaxed);
	double mb = (double)atomic_load_explicit(&p->bytes,
						 memory_order_relaxed) / 1e6;
	bool total = atomic_load(&p->walk_done);
	int n;

	n = snprintf(buf, size, "%" PRIu64 "%s%" PRIu64 " files  %.1f MB  %.1f MB/s",
		     done, total ? "/" : " hashed, found ", found, mb,
		     secs > 0 ? mb / secs : 0.0);
	if (n < 0 || (size_t)n >= size)
		return;
	if (total && done > 0 && done < found && secs > 0) {
		double left = (double)(found - done) * secs / (double)done;
		long l = (long)(left + 0.5);

		snprintf(buf + n, size - (size_t)n, "  ETA %ld:%02ld", l / 60,
			 l % 60);
	} else if (!total) {
		snprintf(buf + n, size - (size_t)n, "  (walking)");
	}
}

static void *progress_thread(void *userdata)
{
	struct cli_progress *cp = userdata;
	struct timespec tick = { .tv_nsec = TICK_NS };
	char line[160];

	while (!atomic_load(&cp->stop)) {
		cli_progress_format(cp->p, seconds_since(cp->start_ns), line,
				    sizeof(line));
		/* \r and erase-to-end: one line, rewritten in place */
		fprintf(stderr, "\r\033[K%s: %s", cp->what, line);
		fflush(stderr);
		(void)nanosleep(&tick, NULL);
	}
	return NULL;
}

void cli_progress_start(struct cli_progress *cp, const char *what,
			struct sg_build_progress *p, bool quiet)
{
	*cp = (struct cli_progress){ .what = what, .p = p,
				     .start_ns = sg_clock_ns(CLOCK_MONOTONIC) };
	if (quiet || !isatty(STDERR_FILENO))
		return;
	cp->running = pthread_create(&cp->tid, NULL, progress_thread, cp) == 0;
}

void cli_progress_stop(struct cli_progress *cp)
{
	if (!cp->running)
		return;
	atomic_store(&cp->stop, true);
	(void)pthread_join(cp->tid, NULL);
	cp->running = false;
	fputs("\r\033[K", stderr); /* the summary line takes its place */
	fflush(stderr);
}
