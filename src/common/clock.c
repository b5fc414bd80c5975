/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * clock.c - clock readers (see clock.h).
 */
#include "clock.h"

uint64_t sg_clock_ns(clockid_t id)
{
	struct timespec ts;

	(void)clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
