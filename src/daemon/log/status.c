/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * status.c - publish the daemon's state for `sealguard status`. See
 * status.h. Everything that needs a file or a syscall the seccomp filter
 * refuses (hashing the policy, reading capabilities) is done before the
 * seal; publishing is one pwrite.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/capability.h>
#include <time.h>

#include "hash.h"
#include "messages.h"
#include "policy.h"
#include "log/sglog.h"
#include "log/status.h"

static struct {
	struct sg_state state;
	const struct sg_policy *policy;
	time_t started;
	char policy_sha[SG_SHA256_HEX_LEN + 1];
	char baseline_sha[SG_SHA256_HEX_LEN + 1];
	char caps[512];
	char seccomp[64];
} st = { .state = { .fd = -1 } };

static void file_sha(const char *path, char *hex)
{
	unsigned char sha[SG_SHA256_LEN];
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	strcpy(hex, "?");
	if (fd < 0)
		return;
	if (sg_sha256_fd(fd, sha, NULL) == 0)
		sg_hex_encode(sha, SG_SHA256_LEN, hex);
	(void)close(fd);
}

int sg_status_init(const char *dir, const struct sg_policy *p,
		   struct errlist *errs)
{
	int r = sg_state_open(&st.state, dir, errs);

	if (r < 0)
		return r;
	st.policy = p;
	st.started = time(NULL);
	file_sha(p->file, st.policy_sha);
	file_sha(p->baseline, st.baseline_sha);
	strcpy(st.caps, "?");
	strcpy(st.seccomp, "none");
	return 0;
}

void sg_status_log_previous(void)
{
	const struct sg_state *s = &st.state;

	if (!s->prev_found)
		sg_log(LOG_NOTICE, SG_MSGID_PREVIOUS_END,
		       "no previous instance recorded in this boot");
	else if (s->prev_clean)
		sg_log(LOG_NOTICE, SG_MSGID_PREVIOUS_END,
		       "the previous instance (pid %d) stopped cleanly",
		       (int)s->prev_pid);
	else
		sg_log(LOG_ALERT, SG_MSGID_PREVIOUS_END,
		       "the previous instance (pid %d) ended uncleanly (killed, "
		       "crashed or stopped by the seccomp filter): the host "
		       "was unguarded until now",
		       (int)s->prev_pid);
}

void sg_status_sealed(const char *seccomp)
{
	cap_t caps = cap_get_proc();
	char *text = caps ? cap_to_text(caps, NULL) : NULL;

	snprintf(st.caps, sizeof(st.caps), "%s", text ? text : "?");
	snprintf(st.seccomp, sizeof(st.seccomp), "%s", seccomp);
	cap_free(text);
	cap_free(caps);
}

void sg_status_publish(const char *state, const struct sg_status_counts *c,
		       const char *summary)
{
	const struct sg_policy *p = st.policy;
	char body[SG_STATE_RECORD_SIZE - 64];
	int n;

	if (st.state.fd < 0)
		return;
	n = snprintf(body, sizeof(body),
		     "state=%s\npid=%d\nstarted=%lld\nmode=%s\n"
		     "policy=%s\npolicy_sha256=%s\nbaseline=%s\n"
		     "baseline_sha256=%s\nbaseline_key=%s\n"
		     "capabilities=%s\nseccomp=%s\nno_new_privs=%s\n"
		     "events=%" PRIu64 "\ndenied_write=%" PRIu64
		     "\ndenied_exec=%" PRIu64 "\nwould_deny=%" PRIu64
		     "\nsuppressed=%" PRIu64 "\nsummary=%s\n",
		     state, (int)getpid(), (long long)st.started,
		     sg_mode_name(p->mode), p->file, st.policy_sha, p->baseline,
		     st.baseline_sha,
		     p->baseline_key ? p->baseline_key : "none (unsigned)",
		     st.caps, st.seccomp,
		     streq(st.seccomp, "none") ? "no" : "yes", c->events,
		     c->denied_write, c->denied_exec, c->would_deny,
		     c->suppressed, summary ? summary : "");
	if (n > 0 && (size_t)n < sizeof(body))
		(void)sg_state_write(&st.state, body);
}

void sg_status_close(void)
{
	sg_state_close(&st.state);
}
