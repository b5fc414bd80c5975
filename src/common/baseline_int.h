/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline_int.h - what the files of the baseline module share; not part
 * of its interface (baseline.h).
 */
#ifndef SEALGUARD_BASELINE_INT_H
#define SEALGUARD_BASELINE_INT_H

#include <stdbool.h>

/* A byte the file format writes as \xHH: outside 0x21..0x7e, or '\'. */
static inline bool sg_bl_byte_needs_escape(unsigned char c)
{
	return c < 0x21 || c > 0x7e || c == '\\';
}

#endif
