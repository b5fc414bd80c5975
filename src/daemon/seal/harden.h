/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * harden.h - host settings the policy's [harden] section asks for.
 */
#ifndef SEALGUARD_HARDEN_H
#define SEALGUARD_HARDEN_H

#include "errlist.h"

struct sg_policy;

/* Apply them (before the seal: it writes /proc/sys). userns_sysctl:
 * where user.max_user_namespaces is written (NULL: /proc/sys; a test's
 * stand-in file). 0 or a negative errno, with a message in errs: the
 * daemon then refuses to start. */
int sg_harden_apply(const struct sg_policy *p, const char *userns_sysctl,
		    struct errlist *errs);

#endif
