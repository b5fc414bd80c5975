#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 46-fault-kill.sh - fault: the daemon is SIGKILLed (OOM killer, an
# operator's kill -9, a crash the handlers cannot catch).
#
# Stated outcome:
#  - Every process blocked on the guard is released at once: the fanotify
#    group closes with the process and the kernel allows what was queued
#    (fail open). Checked twice: mid-flood (sgload opens, write-opens and
#    execs on the guarded mounts), and with openers certainly queued (the
#    daemon SIGSTOPped first, the waits seen in /proc/PID/wchan, then
#    SIGKILL). Within KILL_BOUND_MS no process is left in a fanotify wait
#    and every load worker has finished; no operation failed with anything
#    but EPERM (the denials before the kill).
#  - Until the restart the host is unguarded: a write-open goes through.
#  - The next start says so: one journal entry MESSAGE_ID=d977b100...
#    (SG_MSGID_PREVIOUS_END) at PRIORITY=1 (alert) naming the killed pid
#    ("ended uncleanly"); `sealguard status` says the same before it. A
#    clean stop then restart gives the same MESSAGE_ID at PRIORITY=5
#    ("stopped cleanly"), so the check can fail.
# (40-lifecycle.sh covers a SIGTERM with an event pending, 45-stop-bound.sh
# the SIGTERM bound under load.)
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

KILL_BOUND_MS=1000
OP_BOUND_MS=2000 # slowest single operation of the flood, as 45-stop-bound
PREV=d977b100ecf64e72956e71ca7cf59fb9
S=$SG_BUILD/sealguard
STATE=$SB_ROOT/sealguard-state

fx_setup
fx_policy enforce
t_ok "baseline builds" fx_baseline
sb_start_journald

# pids of every process of our namespace whose kernel wait is fanotify's.
# Read with the shell's own read, not a cat per process: once the guard
# is gone the load workers spin on both CPUs, and a scan that forks for
# each process took over a second by itself (CI failed so, no process
# being in a fanotify wait at all).
blocked_on_guard() {
	local p w
	for p in /proc/[0-9]*; do
		w=
		{ IFS= read -r w <"$p/wchan"; } 2>/dev/null || [ -n "$w" ] || continue
		case "$w" in *fanotify*) echo "${p#/proc/}" ;; esac
	done
}

# wait_released: poll until no process waits on fanotify; echo the ms it
# took (or more than KILL_BOUND_MS when it never happened within 5 s).
wait_released() {
	local t0=$1 i
	for ((i = 0; i < 500; i++)); do
		[ -n "$(blocked_on_guard)" ] || break
		sleep 0.01
	done
	echo $((($(date +%s%N) - t0) / 1000000))
}

# kill_daemon: SIGKILL the daemon, echo nothing; sets KILLED_PID, KILL_T0.
kill_daemon() {
	KILLED_PID=$SB_DAEMON_PID
	KILL_T0=$(date +%s%N)
	kill -KILL "$SB_DAEMON_PID"
}

# prev_entry PID: the PREVIOUS_END entry the daemon PID logged, as
# "PRIORITY|MESSAGE" (empty if none within SB_JOURNAL_WAIT).
prev_entry() {
	sb_journal_wait "MESSAGE_ID=$PREV" "_PID=$1" |
		python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); print(d["PRIORITY"] + "|" + d["MESSAGE"])' \
			2>/dev/null || true
}
has() { case "$2" in *"$1"*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------- first start
sb_start_daemon "$FX_POLICY"
e=$(prev_entry "$SB_DAEMON_PID")
t_eq "first start: no previous instance (notice)" \
	"5|no previous instance recorded in this boot" "$e"

# ---------------------------------------------------------------- mid-flood
stop=$SB_ROOT/stop.flood
sb_bg flood "$SB_TOOLS/sgload" -p 8 -s 30 -f "$stop" \
	"read:$FX_FS/etc/app.conf" "write:$FX_FS/etc/app.conf" \
	"exec:$FX_FS/bin/tool" "exec:$FX_SCRATCH/dropped" \
	"read:$FX_ETC2/hosts" "write:$FX_ETC2/hosts"
load=$SB_BG_PID
sleep 1.5
kill_daemon
ms=$(wait_released "$KILL_T0")
t_ok "flood: no process in a fanotify wait $ms ms after SIGKILL (bound $KILL_BOUND_MS)" \
	test "$ms" -le "$KILL_BOUND_MS"
touch "$stop"
t0=$(date +%s%N)
for _ in $(seq 200); do
	sb__alive "$load" || break
	sleep 0.01
done
lms=$((($(date +%s%N) - t0) / 1000000))
t_ok "flood: every load worker finished $lms ms after the stop file (bound $KILL_BOUND_MS)" \
	test "$lms" -le "$KILL_BOUND_MS"
wait "$load" || true
rc=0
sb_stop_daemon || rc=$?
t_eq "flood: the daemon died of SIGKILL (status 137)" 137 "$rc"
tot=$(grep '^total' "$SB_ROOT/flood.log" || true)
t_ok "flood: the load ran and was denied before the kill ($tot)" \
	test "$(sed -n 's/.* EPERM=\([0-9]*\) .*/\1/p' <<<"$tot")" -gt 0
t_ok "flood: no open or exec failed other than EPERM ($tot)" \
	grep -q '^total .* EACCES=0 other=0 ' "$SB_ROOT/flood.log"
t_ok "flood: no operation took longer than $OP_BOUND_MS ms ($tot)" \
	test "$(sed -n 's/.*max_ms=\([0-9]*\).*/\1/p' <<<"$tot")" -le "$OP_BOUND_MS"
t_eq "killed: the host is unguarded, a write-open goes through (fail open)" ok \
	"$(sb_try openat-wronly "$FX_FS/etc/app.conf")"
t_eq "killed: the protected file's bytes are unchanged" golden "$(cat "$FX_FS/etc/app.conf")"
out=$("$S" status -s "$STATE" 2>&1) || true
t_ok "killed: sealguard status says pid $KILLED_PID ended uncleanly" \
	has "not running (pid $KILLED_PID ended uncleanly)" "$out"

# ---------------------------------------------------------------- restart
sb_start_daemon "$FX_POLICY"
e=$(prev_entry "$SB_DAEMON_PID")
t_eq "restart after SIGKILL: alert naming the killed pid" \
	"1|the previous instance (pid $KILLED_PID) ended uncleanly (killed, crashed or stopped by the seccomp filter): the host was unguarded until now" "$e"
t_eq "restart: the guard is back, write-open denied" EPERM \
	"$(sb_try openat-wronly "$FX_FS/etc/app.conf")"

# ---------------------------------------------------------------- queued
# Openers certainly queued at the kill: stop the daemon, let them block.
kill -STOP "$SB_DAEMON_PID"
outs=()
for i in 1 2 3 4; do
	( sb_try block-open "$FX_FS/etc/app.conf" >"$SB_ROOT/q.read$i" ) &
	outs+=("$!")
	( sb_try openat-wronly "$FX_ETC2/hosts" >"$SB_ROOT/q.write$i" ) &
	outs+=("$!")
done
( sb_try exec "$FX_FS/bin/tool" >"$SB_ROOT/q.exec" ) &
outs+=("$!")
n=0
for _ in $(seq 100); do
	n=$(blocked_on_guard | wc -l)
	[ "$n" -lt 9 ] || break
	sleep 0.05
done
t_eq "queued: 9 openers wait on the stopped guard (wchan fanotify)" 9 "$n"
kill_daemon
ms=$(wait_released "$KILL_T0")
t_ok "queued: all released $ms ms after SIGKILL (bound $KILL_BOUND_MS)" \
	test "$ms" -le "$KILL_BOUND_MS"
for p in "${outs[@]}"; do wait "$p" || true; done
got=$(cat "$SB_ROOT"/q.read* "$SB_ROOT"/q.write* "$SB_ROOT/q.exec" | sort | uniq -c | tr -s ' ')
t_eq "queued: the kernel allowed every queued open and the exec (fail open)" " 9 ok" "$got"
rc=0
sb_stop_daemon || rc=$?
t_eq "queued: the daemon died of SIGKILL (status 137)" 137 "$rc"

sb_start_daemon "$FX_POLICY"
e=$(prev_entry "$SB_DAEMON_PID")
t_eq "restart after the second SIGKILL: alert naming that pid" \
	"1|the previous instance (pid $KILLED_PID) ended uncleanly (killed, crashed or stopped by the seccomp filter): the host was unguarded until now" "$e"

# ---------------------------------------------------------------- clean
clean_pid=$SB_DAEMON_PID
rc=0
sb_stop_daemon || rc=$?
t_eq "clean stop: status 0" 0 "$rc"
out=$("$S" status -s "$STATE" 2>&1) || true
t_ok "clean stop: sealguard status says stopped cleanly" \
	has "not running (stopped cleanly, pid $clean_pid)" "$out"
sb_start_daemon "$FX_POLICY"
e=$(prev_entry "$SB_DAEMON_PID")
t_eq "restart after a clean stop: notice, stopped cleanly" \
	"5|the previous instance (pid $clean_pid) stopped cleanly" "$e"
t_eq "every start logged exactly one previous-end entry (4 starts)" 4 \
	"$(sb_journal_count "MESSAGE_ID=$PREV")"
rc=0
sb_stop_daemon || rc=$?
t_eq "last clean stop: status 0" 0 "$rc"
