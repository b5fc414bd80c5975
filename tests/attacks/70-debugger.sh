#!/usr/bin/env bash
# 70-debugger.sh - door 7: a debugger on the daemon. Root attaches to
# sealguardd (or its responder) with ptrace and could flip the mode or
# add its own pid to the daemon's own-thread list. Non-dumpable stops
# only callers without CAP_SYS_PTRACE, and Yama's ptrace_scope = 3 (the
# [harden] key, tests/integration/72-harden.sh) is global to the host and
# cannot be lowered until reboot: it is never set for real here. What is
# tested is the watch that works whatever the kernel: the daemon and its
# responder look at each other every 200 ms (TracerPid of every thread,
# the stop state), and a tracer or a stop is logged at alert
# (SEALGUARD_EVENT=tamper) within a second and answered: the tracer is
# killed (a stopped daemon woken) and the host asks to be replaced.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
# shellcheck source=tests/lib/tamper.sh
. "$(dirname "$0")/../lib/tamper.sh"
ATK_DOOR=debugger


tamper_start
# No false alarm: the daemon's own helper threads and a quiet second.
sleep 1
t_eq "no tamper entry without a tracer" 0 \
	"$(sb_journal_count MESSAGE_ID="$MSG_TAMPER")"
t_ok "the heartbeat says tamper none" eval \
	'sb_journal_wait MESSAGE_ID="$MSG_HEARTBEAT" SEALGUARD_TAMPER=none >/dev/null'

# tracer NAME MODE PID: start sgptrace in the background; TRACER is its
# pid (its own first line: the guard can kill it before pgrep would see
# it), once it printed "ok" (the attach succeeded), else the test fails.
tracer() {
	local i log=$SB_ROOT/$1.log
	sb_bg "$1" "$SB_TOOLS/sgptrace" "$2" "$3" 60
	for ((i = 0; i < 100; i++)); do
		grep -qx ok "$log" 2>/dev/null && break
		grep -qx 'E[A-Z]*' "$log" 2>/dev/null && break
		sleep 0.05
	done
	TRACER=$(sed -n 's/^tracer \([0-9][0-9]*\)$/\1/p' "$log" 2>/dev/null)
	t_eq "$1: the attach succeeded (the kernel allows root's ptrace)" \
		"tracer $TRACER ok" "$(tr '\n' ' ' <"$log" 2>/dev/null | sed 's/ $//')"
}

# answered ID: the tracer was killed within 2 s, and the guard still
# answers (a daemon left stopped would hang this open: TIMEOUT).
answered() {
	if sb__wait_gone "$TRACER" 2; then
		t_pass "$1: the tracer was killed"
	else
		t_fail "$1: the tracer was killed" "pid $TRACER still runs"
		kill -KILL "$TRACER" 2>/dev/null || true
	fi
	t_eq "$1: the guard still denies a protected write" EPERM \
		"$(SB_TRY_TIMEOUT=5 sb_try open-wronly "$FX_FS/etc/app.conf")"
}

# 1. PTRACE_SEIZE the daemon: traced, not stopped. The daemon sees its
# own tracer (and the responder too).
tracer seize-daemon seize "$SB_DAEMON_PID"
atk_detected seize-daemon 1 MESSAGE_ID="$MSG_TAMPER" PRIORITY=1 \
	SEALGUARD_EVENT=tamper SEALGUARD_TARGET=daemon \
	SEALGUARD_TRACER_PID="$TRACER"
answered seize-daemon
t_eq "seize-daemon: the host asks to be replaced, once" 1 \
	"$(SB_JOURNAL_WAIT=2 sb_journal_wait MESSAGE_ID="$MSG_REPROVISION" \
		SEALGUARD_REASON=tamper | grep -c '^{' || true)"

# 2. PTRACE_ATTACH every thread of the daemon, as gdb does: the daemon
# is stopped and cannot log; its responder logs on its own journal
# socket, kills the tracer, and the daemon runs on.
tracer attach-daemon attach "$SB_DAEMON_PID"
atk_detected attach-daemon 1 MESSAGE_ID="$MSG_TAMPER" PRIORITY=1 \
	SEALGUARD_EVENT=tamper SEALGUARD_WATCHER=responder \
	SEALGUARD_TARGET=daemon SEALGUARD_TRACER_PID="$TRACER"
answered attach-daemon

# 3, 4. The responder, seized and attached: the daemon watches it.
for mode in seize attach; do
	tracer "$mode-responder" "$mode" "$RESP"
	atk_detected "$mode-responder" 1 MESSAGE_ID="$MSG_TAMPER" PRIORITY=1 \
		SEALGUARD_EVENT=tamper SEALGUARD_WATCHER=daemon \
		SEALGUARD_TARGET=responder SEALGUARD_TRACER_PID="$TRACER"
	answered "$mode-responder"
done
t_ok "the responder survived its tracers" sb__alive "$RESP"

# 5. SIGSTOP the daemon: no tracer, but a stopped guard blocks every
# opener and logs nothing. The responder sees state T and wakes it.
kill -STOP "$SB_DAEMON_PID"
atk_detected sigstop-daemon 1 MESSAGE_ID="$MSG_TAMPER" PRIORITY=1 \
	SEALGUARD_EVENT=tamper SEALGUARD_WATCHER=responder \
	SEALGUARD_TARGET=daemon SEALGUARD_STATE=T SEALGUARD_TRACER_PID=0
t_eq "sigstop-daemon: the guard was woken and still denies" EPERM \
	"$(SB_TRY_TIMEOUT=5 sb_try open-wronly "$FX_FS/etc/app.conf")"
# Stopped again and again, faster than the responder looks (every 200
# ms): every look that finds it stopped wakes it, not only the first of
# a stop.
for _ in $(seq 10); do kill -STOP "$SB_DAEMON_PID"; sleep 0.05; done
t_eq "sigstop-again: stopped again within a look, the guard is woken and denies" EPERM \
	"$(SB_TRY_TIMEOUT=5 sb_try open-wronly "$FX_FS/etc/app.conf")"

# The answers: one reprovision run, with the tamper's reason.
t_eq "the reprovision program ran once" 1 "$(reprovisions)"
t_ok "its environment says why: SEALGUARD_REASON=tamper" \
	grep -qx SEALGUARD_REASON=tamper "$OUT"/reprovision.*/env

# The heartbeat carries it off the host (SEALGUARD_TAMPER, no longer
# "none"): the last tracer or stop found.
sleep 1.2
t_ok "a later heartbeat carries the tamper" eval \
	'journalctl -q --no-pager -o json MESSAGE_ID="$MSG_HEARTBEAT" | tail -n 1 | grep -q "\"SEALGUARD_TAMPER\":\"[^n]"'

atk_limit ptrace-scope-3 \
	"Yama ptrace_scope = 3 (EPERM for every attach, root's too) is global and sticky until reboot, so it is not set on the test host" \
	"the tracer watch above; [harden] ptrace_scope = 3 on production hosts (72-harden checks the key)"
sb_stop_daemon
