#!/usr/bin/env bash
# 30-permissive.sh - permissive mode denies nothing but logs every
# decision enforce mode would deny as would-deny; repeated identical
# entries are rate-limited with a count.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

fx_setup
fx_policy permissive "" "[log]
ratelimit_interval = 2
ratelimit_burst = 3"
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

t_eq "permissive: write to a protected file goes through" ok \
	"$(sb_try write "$FX_FS/etc/app.conf" rolled-out)"
t_file_content "permissive: the write reached the disk" "$FX_FS/etc/app.conf" rolled-out
t_eq "permissive: dropped binary runs" ok "$(sb_try exec "$FX_SCRATCH/dropped")"
t_journal "journal: write logged as would-deny" \
	SEALGUARD_EVENT=write SEALGUARD_ACTION=would-deny SEALGUARD_REASON=write-intent \
	SEALGUARD_MODE=permissive SEALGUARD_PATH="$FX_FS/etc/app.conf" \
	MESSAGE_ID=af6dea96d5cf4463b33c813b978cfda7 PRIORITY=5
t_journal "journal: exec logged as would-deny" \
	SEALGUARD_EVENT=exec SEALGUARD_ACTION=would-deny SEALGUARD_REASON=not-in-baseline \
	SEALGUARD_PATH="$FX_SCRATCH/dropped" MESSAGE_ID=83dd8e9f4f7f467b9f8fe89dccbc6061
t_eq "journal: nothing logged as deny in permissive mode" 0 \
	"$(sb_journal_count SEALGUARD_ACTION=deny)"

# ---------------------------------------------------------------- rate limit
target=$FX_ETC2/hosts
# 50 write-opens from one shell, well inside one 2 s window
for _ in $(seq 50); do printf 'x' >>"$target"; done
sleep 2.5 # the window ends; the next sweep reports the suppressed count
t_journal "rate limit: a summary reports the suppressed entries" \
	MESSAGE_ID=652c20d8bdfc45f593f13107efcf631f
n=$(sb_journal_count SEALGUARD_EVENT=write SEALGUARD_PATH="$target")
t_eq "rate limit: 50 identical attempts in one window give 3 entries" 3 "$n"
summary=$(sb_journal_wait MESSAGE_ID=652c20d8bdfc45f593f13107efcf631f | head -n 1)
case "$summary" in
*"suppressed 47 more"*) t_pass "rate limit: the summary counts the other 47" ;;
*) t_fail "rate limit: the summary counts the other 47" "got: $summary" ;;
esac
# entries are counted by inode; the summary still names the file
case "$summary" in
*" $target"*) t_pass "rate limit: the summary names the file" ;;
*) t_fail "rate limit: the summary names the file" "got: $summary" ;;
esac
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly" 0 "$rc"
