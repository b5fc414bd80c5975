/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clock.h - the clocks sealguard reads, in the units it uses them.
 *
 * Intervals, timeouts and rate-limit windows use CLOCK_MONOTONIC (never
 * stepped by the wall clock); a lifetime uses CLOCK_BOOTTIME (it counts
 * suspended time too); journal timestamps use CLOCK_REALTIME. clock_gettime
 * cannot fail for these clocks on Linux, so the readers return the value.
 */
#ifndef SEALGUARD_CLOCK_H
#define SEALGUARD_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Nanoseconds of clock id, since its epoch. */
uint64_t sg_clock_ns(clockid_t id);

static inline uint64_t sg_clock_s(clockid_t id)
{
	return sg_clock_ns(id) / 1000000000u;
}

/* CLOCK_MONOTONIC in milliseconds and microseconds. */
static inline uint64_t sg_now_ms(void)
{
	return sg_clock_ns(CLOCK_MONOTONIC) / 1000000u;
}

static inline uint64_t sg_now_us(void)
{
	return sg_clock_ns(CLOCK_MONOTONIC) / 1000u;
}

/* CLOCK_REALTIME in microseconds (the journal's own unit). */
static inline uint64_t sg_realtime_us(void)
{
	return sg_clock_ns(CLOCK_REALTIME) / 1000u;
}

#endif
