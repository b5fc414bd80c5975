#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 46-fault-sigstop.sh - fault: the daemon is SIGSTOPped (a debugger, a
# stray kill -STOP) and stops answering. The policy has no [respond]:
# with one, the responder resumes a stopped daemon within 200 ms
# (attacks/70-debugger.sh). A frozen cgroup holds it the same way, and
# is not seen as tamper (its threads show S, not T).
#
# Stated outcome:
#  - Openers on the guarded mounts block: a read, a write-open, an exec
#    of a baselined program and of a dropped one all sit in a fanotify
#    wait (/proc/PID/wchan) and are still there STOP_HOLD s later: the
#    kernel has no timeout for a permission event.
#  - On SIGCONT every one is answered as if nothing happened, within
#    ANSWER_BOUND_MS: write-open EPERM, read ok, baselined exec ok,
#    dropped exec EPERM.
#  - The watchdog: with WATCHDOG_USEC=1 s and WATCHDOG_PID set to the
#    daemon's pid (as systemd sets them for WatchdogSec=), WATCHDOG=1
#    pings reach the notify socket from the event loop while it runs, none
#    while it is stopped (STOP_HOLD s, more than the 1 s watchdog), and
#    they come back on SIGCONT. With WATCHDOG_PID naming another process
#    there are none (the pings above are the watchdog's, not a default).
#  - What systemd then does is systemd's, not tested here: after
#    WatchdogSec (10 s in packaging/systemd/sealguard.service.in) without
#    a ping it sends the watchdog signal, SIGABRT, followed by SIGCONT (as
#    for every signal it sends), and Restart=always starts the guard again
#    200 ms later. That sequence is replayed by hand here: SIGABRT then
#    SIGCONT to the stopped daemon releases every blocked opener within
#    ANSWER_BOUND_MS (the crash handler closes the fanotify group, or,
#    under ASan, which keeps its own handlers, the process's death does;
#    a write-open the loop answered first is EPERM, one released by the
#    close is allowed), the daemon ends with 134 (SIGABRT), and the next
#    start reports the unclean end (PRIORITY=1, naming the pid).
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

STOP_HOLD=2.5
ANSWER_BOUND_MS=1000
PREV=d977b100ecf64e72956e71ca7cf59fb9

fx_setup
fx_policy enforce
t_ok "baseline builds" fx_baseline
sb_start_journald

# systemd sets WATCHDOG_PID to the main pid it forked: the same process
# after exec, so the wrapper names itself.
wrap=$SB_ROOT/watchdog-wrap
printf '#!/bin/sh\nexport WATCHDOG_USEC=1000000 WATCHDOG_PID="${WD_PID:-$$}"\nexec "%s" "$@"\n' \
	"$SG_BUILD/sealguardd" >"$wrap"
chmod 0755 "$wrap"

blocked_on_guard() {
	local p w
	for p in /proc/[0-9]*; do
		w=$(cat "$p/wchan" 2>/dev/null) || continue
		case "$w" in *fanotify*) echo "${p#/proc/}" ;; esac
	done
}
pings() { grep -c 'WATCHDOG=1' "$SB_NOTIFY_FILE" || true; }

# start_openers: four openers in the background (pids in OPENERS),
# results in $SB_ROOT/o.{read,write,tool,dropped}; waits until all four
# are seen in a fanotify wait, and sets WAITING to how many were. (Not
# in $(...): that would wait for the openers' inherited stdout.)
start_openers() {
	local n=0
	rm -f "$SB_ROOT"/o.*
	OPENERS=()
	( sb_try block-open "$FX_FS/etc/app.conf" >"$SB_ROOT/o.read" ) &
	OPENERS+=("$!")
	( sb_try openat-wronly "$FX_FS/etc/app.conf" >"$SB_ROOT/o.write" ) &
	OPENERS+=("$!")
	( sb_try exec "$FX_FS/bin/tool" >"$SB_ROOT/o.tool" ) &
	OPENERS+=("$!")
	( sb_try exec "$FX_SCRATCH/dropped" >"$SB_ROOT/o.dropped" ) &
	OPENERS+=("$!")
	for _ in $(seq 100); do
		n=$(blocked_on_guard | wc -l)
		[ "$n" -lt 4 ] || break
		sleep 0.05
	done
	WAITING=$n
}

# wait_openers T0: wait for every opener (each bounded by sb_try's
# timeout); set WAITED_MS to the ms since T0. Not in $(...): the openers
# are this shell's children, and wait in a subshell returns at once.
wait_openers() {
	local p
	for p in "${OPENERS[@]}"; do wait "$p" || true; done
	WAITED_MS=$((($(date +%s%N) - $1) / 1000000))
}
results() { echo "$(cat "$SB_ROOT/o.read") $(cat "$SB_ROOT/o.write") $(cat "$SB_ROOT/o.tool") $(cat "$SB_ROOT/o.dropped")"; }

# ---------------------------------------------------------------- running
SB_DAEMON_BIN=$wrap sb_start_daemon "$FX_POLICY"
t_eq "watchdog on: the daemon is the wrapper's pid (WATCHDOG_PID matches)" \
	"$SG_BUILD/sealguardd" "$(readlink "/proc/$SB_DAEMON_PID/exe")"
sleep 2
n=$(pings)
t_ok "running: WATCHDOG=1 pings from the event loop (got $n in 2 s, want >= 3)" test "$n" -ge 3

# ---------------------------------------------------------------- stopped
kill -STOP "$SB_DAEMON_PID"
sleep 0.6 # a ping sent just before the stop has arrived
before=$(pings)
start_openers
t_eq "stopped: all four openers wait on the guard (wchan fanotify)" 4 "$WAITING"
sleep "$STOP_HOLD"
t_eq "stopped: $STOP_HOLD s later they still wait (no timeout)" 4 "$(blocked_on_guard | wc -l)"
t_eq "stopped: none was answered meanwhile" "" "$(cat "$SB_ROOT"/o.*)"
after=$(pings)
t_eq "stopped: no WATCHDOG=1 in $STOP_HOLD s (systemd's 1 s watchdog would fire)" "$before" "$after"
t0=$(date +%s%N)
kill -CONT "$SB_DAEMON_PID"
wait_openers "$t0"
ms=$WAITED_MS
t_ok "SIGCONT: every opener answered in $ms ms (bound $ANSWER_BOUND_MS)" test "$ms" -le "$ANSWER_BOUND_MS"
t_eq "SIGCONT: answered correctly (read ok, write EPERM, tool ok, dropped EPERM)" \
	"ok EPERM ok EPERM" "$(results)"
t_eq "SIGCONT: the protected file's bytes are unchanged" golden "$(cat "$FX_FS/etc/app.conf")"
sleep 1.2
t_ok "SIGCONT: the pings are back ($(pings) > $after)" test "$(pings)" -gt "$after"
t_eq "after the stop the guard still denies" EPERM "$(sb_try openat-wronly "$FX_FS/etc/app.conf")"

# ---------------------------------------------------------------- systemd's answer, by hand
kill -STOP "$SB_DAEMON_PID"
start_openers
t_eq "stopped again: four openers wait" 4 "$WAITING"
abrt_pid=$SB_DAEMON_PID
t0=$(date +%s%N)
kill -ABRT "$SB_DAEMON_PID"
kill -CONT "$SB_DAEMON_PID"
wait_openers "$t0"
ms=$WAITED_MS
t_ok "SIGABRT+SIGCONT: every opener released in $ms ms (bound $ANSWER_BOUND_MS)" \
	test "$ms" -le "$ANSWER_BOUND_MS"
res=$(results)
t_ok "SIGABRT+SIGCONT: read and tool ok, write and dropped answered or allowed ($res)" \
	grep -Eqx 'ok (EPERM|ok) ok (EPERM|ok)' <<<"$res"
t_eq "no process left in a fanotify wait" "" "$(blocked_on_guard)"
rc=0
sb_stop_daemon || rc=$?
t_eq "the daemon died of SIGABRT (status 134)" 134 "$rc"
t_eq "the protected file's bytes are unchanged" golden "$(cat "$FX_FS/etc/app.conf")"

# What Restart=always then does, by hand: the next start reports it.
sb_start_daemon "$FX_POLICY"
e=$(sb_journal_wait "MESSAGE_ID=$PREV" "_PID=$SB_DAEMON_PID" |
	python3 -c 'import json,sys; d=json.loads(sys.stdin.readline()); print(d["PRIORITY"], d["MESSAGE"].split(" (killed")[0])' 2>/dev/null || true)
t_eq "restart: the watchdog kill is reported as an unclean end (alert, naming the pid)" \
	"1 the previous instance (pid $abrt_pid) ended uncleanly" "$e"
rc=0
sb_stop_daemon || rc=$?
t_eq "clean stop" 0 "$rc"

# ---------------------------------------------------------------- the pid check
WD_PID=1 SB_DAEMON_BIN=$wrap sb_start_daemon "$FX_POLICY"
sleep 1.6
t_eq "WATCHDOG_PID naming another process: no WATCHDOG=1" 0 "$(pings)"
rc=0
sb_stop_daemon || rc=$?
t_eq "clean stop" 0 "$rc"
