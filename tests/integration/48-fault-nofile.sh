#!/usr/bin/env bash
# 48-fault-nofile.sh - fault: the daemon runs out of file descriptors
# (its soft RLIMIT_NOFILE lowered under it with prlimit to the lowest
# descriptor number it does not hold, so that it cannot take one more).
#
# The kernel makes a descriptor for every permission event it hands the
# daemon (fs/notify/fanotify/fanotify_user.c, copy_event_to_user ->
# create_fd). When that fails, fanotify_read() answers the event FAN_DENY
# itself and returns the error (EMFILE) to the read. Stated outcome:
#  - no wrong allow: write-opens of protected files are EPERM, execs of
#    untrusted binaries are refused, the protected bytes do not change;
#  - fail-closed, not fail-open, for the rest too: while the limit holds,
#    reads of protected files and execs of trusted binaries are refused as
#    well (EPERM, the kernel's answer): legitimate work fails, nothing is
#    let through unseen;
#  - the daemon stays up (before the fix in guard_event.c it took the
#    EMFILE of the read as fatal, exited "event loop failed: Too many open
#    files", and its group closed: every later open and exec was allowed),
#    logs the condition (SG_MSGID_EVENT_UNDELIVERED, SEALGUARD_ERRNO=24),
#    and does not spin (CPU time while limited and idle stays near zero);
#  - once the limit is raised again everything is back to normal: trusted
#    read and exec ok, write and untrusted exec denied by the daemon (with
#    their journal entries), and a clean stop.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

MSGID_UNDELIVERED=5b0c3f6e8a2d4c71b9e4d07a6f31c28e
MSGID_WRITE_DENIED=c78e863500844543a68fdeb6331cee0e
MSGID_EXEC_DENIED=c044eee549834822aacd7cfe525b6bc9
MSGID_STOPPED=2d1f093952d64ab394c04abe28aec33d

fx_setup
fx_policy enforce
t_ok "baseline builds" fx_baseline
sha=$(fx_sha "$FX_FS/etc/app.conf")
sb_start_journald
sb_start_daemon "$FX_POLICY"
pid=$SB_DAEMON_PID

# the daemon's user+system CPU time in clock ticks
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
# the lowest descriptor number the daemon does not hold: a limit of that
# many lets it open nothing more
lowest_free_fd() {
	local n=0
	while [ -e "/proc/$pid/fd/$n" ]; do n=$((n + 1)); done
	echo "$n"
}

t_eq "before: a trusted read is allowed" ok "$(sb_try open-rdonly "$FX_FS/etc/app.conf")"
orig=$(prlimit --pid "$pid" --nofile --noheadings --raw --output SOFT,HARD)
soft=${orig%% *}
hard=${orig##* }
nfd=$(lowest_free_fd)
# the soft limit only: raising it back needs no privilege
prlimit --pid "$pid" --nofile="$nfd:$hard"
t_eq "the daemon's descriptor limit is now $nfd" "$nfd $hard" \
	"$(prlimit --pid "$pid" --nofile --noheadings --raw --output SOFT,HARD)"

# ---------------------------------------------------------------- limited
t_eq "limited: write-open of a protected file is denied" EPERM \
	"$(sb_try open-wronly "$FX_FS/etc/app.conf")"
t_eq "limited: write through openat O_TRUNC is denied" EPERM \
	"$(sb_try write "$FX_FS/etc/app.conf" evil)"
t_eq "limited: write-open on the second protected mount is denied" EPERM \
	"$(sb_try open-wronly "$FX_ETC2/hosts")"
t_eq "limited: exec of an untrusted binary is refused" EPERM \
	"$(sb_try exec "$FX_SCRATCH/dropped")"
t_eq "limited: exec of an untrusted script is refused" EPERM \
	"$(sb_try exec "$FX_SCRATCH/dropped.sh")"
# fail-closed: the kernel refuses what it cannot ask about
t_eq "limited (fail-closed): a trusted read is refused too" EPERM \
	"$(sb_try open-rdonly "$FX_FS/etc/app.conf")"
t_eq "limited (fail-closed): a trusted exec is refused too" EPERM \
	"$(sb_try exec "$FX_FS/bin/tool")"
t_ok "limited: the daemon is still running" sb__alive "$pid"
t_journal "limited: the daemon logged the undelivered event with errno EMFILE" \
	MESSAGE_ID=$MSGID_UNDELIVERED SEALGUARD_ERRNO=24

# a burst of refused opens, then idle: no busy loop on the error
for _ in $(seq 50); do sb_try open-rdonly "$FX_FS/etc/app.conf" >/dev/null; done
c0=$(cpu_ticks)
sleep 2
c1=$(cpu_ticks)
t_ok "limited: the daemon does not spin (CPU $((c1 - c0)) ticks in 2 s idle, at most 20)" \
	test $((c1 - c0)) -le 20
t_ok "limited: still running after the burst" sb__alive "$pid"
n_und=$(sb_journal_count MESSAGE_ID=$MSGID_UNDELIVERED)
t_ok "limited: the entries are rate-limited ($n_und for 56 refusals)" \
	test "$n_und" -ge 1 -a "$n_und" -lt 56

# ---------------------------------------------------------------- restored
prlimit --pid "$pid" --nofile="$soft:$hard"
t_eq "restored: a trusted read is allowed again" ok "$(sb_try open-rdonly "$FX_FS/etc/app.conf")"
t_eq "restored: a trusted exec is allowed again" ok "$(sb_try exec "$FX_FS/bin/tool")"
w_before=$(sb_journal_count MESSAGE_ID=$MSGID_WRITE_DENIED)
x_before=$(sb_journal_count MESSAGE_ID=$MSGID_EXEC_DENIED)
t_eq "restored: write-open of a protected file is denied" EPERM \
	"$(sb_try open-wronly "$FX_FS/etc/app.conf")"
t_eq "restored: exec of an untrusted binary is denied" EPERM \
	"$(sb_try exec "$FX_SCRATCH/dropped")"
SB_JOURNAL_WAIT=5
wait_more() { # MSGID BEFORE: an entry more than BEFORE within 5 s
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(sb_journal_count MESSAGE_ID="$1")" -gt "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
t_ok "restored: the daemon decided the write itself (a new write-denied entry)" \
	wait_more $MSGID_WRITE_DENIED "$w_before"
t_ok "restored: the daemon decided the exec itself (a new exec-denied entry)" \
	wait_more $MSGID_EXEC_DENIED "$x_before"
t_eq "restored: the protected file's bytes did not change" "$sha" "$(fx_sha "$FX_FS/etc/app.conf")"
rc=0
sb_stop_daemon || rc=$?
t_eq "restored: clean stop" 0 "$rc"
t_eq "it never stopped on its own (one stop entry, the requested one)" 1 \
	"$(sb_journal_count MESSAGE_ID=$MSGID_STOPPED)"
