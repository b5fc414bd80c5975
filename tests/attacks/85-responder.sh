#!/usr/bin/env bash
# 85-responder.sh - door 12: silencing the responder. The sealed daemon
# cannot fork; freezes, hooks and the reprovision program are run by its
# responder (sealguard-resp, its child, started before the seal). Root
# who stops or kills that process leaves the guard enforcing but mute:
# no freeze, no hook, no request to replace the host. The kernel lets
# root do both; neither may pass unseen:
#  - SIGSTOP: the daemon sees its responder stopped (state T, no tracer)
#    within a second, logs a tamper at alert, wakes it (SIGCONT), and the
#    host asks to be replaced (the woken responder runs the program);
#    stopped again and again, it is woken again;
#  - SIGKILL: the daemon logs the loss at crit with how it ended (signal
#    9), reaps it (no zombie whose pid could be taken for the responder's),
#    goes on enforcing, and every later heartbeat carries the loss
#    (SEALGUARD_TAMPER): `sealguard fleet` on the journal calls the host
#    critical.
# A responder that closes its socket without dying is not an attack a
# root needs (killing is simpler); it is logged the same way, as not
# reaped (not tested: it needs a descriptor stolen with pidfd_getfd).
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
ATK_DOOR=responder

MSG_LOST=$(msgid SG_MSGID_RESPONDER_LOST)

tamper_start
state() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null || echo gone; }
sleep 1.2
t_eq "no tamper in the heartbeat before the attack" none "$(last_tamper)"
t_eq "no tamper entry before the attack" 0 "$(sb_journal_count MESSAGE_ID="$MSG_TAMPER")"

# ---------------------------------------------------------------- SIGSTOP
kill -STOP "$RESP"
atk_detected sigstop-responder 1 MESSAGE_ID="$MSG_TAMPER" PRIORITY=1 \
	SEALGUARD_EVENT=tamper SEALGUARD_WATCHER=daemon \
	SEALGUARD_TARGET=responder SEALGUARD_PID="$RESP" SEALGUARD_STATE=T \
	SEALGUARD_TRACER_PID=0 "SEALGUARD_RESPONSE=resume the responder: done"
s=T
for _ in $(seq 20); do s=$(state "$RESP"); [ "$s" != T ] && break; sleep 0.05; done
t_ok "sigstop-responder: the responder was woken (state $s)" test "$s" = S -o "$s" = R
t_ok "sigstop-responder: the host asks to be replaced" eval \
	'SB_JOURNAL_WAIT=3 sb_journal_wait MESSAGE_ID="$MSG_REPROVISION" SEALGUARD_REASON=tamper >/dev/null'
for _ in $(seq 30); do [ "$(reprovisions)" -ge 1 ] && break; sleep 0.1; done
t_eq "sigstop-responder: the woken responder ran the reprovision program once" 1 "$(reprovisions)"
t_ok "sigstop-responder: its environment says why" \
	grep -qx SEALGUARD_REASON=tamper "$OUT"/reprovision.*/env
# Stopped again and again, faster than the watch looks (every 200 ms):
# every look that finds it stopped wakes it, not only the first of a
# stop (a second SIGSTOP between the wake-up and the next look would
# otherwise leave it stopped for good).
for _ in $(seq 10); do kill -STOP "$RESP"; sleep 0.05; done
s=T
for _ in $(seq 20); do s=$(state "$RESP"); [ "$s" != T ] && break; sleep 0.05; done
t_ok "sigstop-again: stopped again within a look, it is still woken (state $s)" \
	test "$s" = S -o "$s" = R
sleep 1.2
t_eq "sigstop-responder: the heartbeat carries it" \
	"sealguardd's responder stopped (state T)" "$(last_tamper)"

# ---------------------------------------------------------------- SIGKILL
kill -KILL "$RESP"
atk_detected sigkill-responder 2 MESSAGE_ID="$MSG_LOST" PRIORITY=2 \
	SEALGUARD_EVENT=responder-lost SEALGUARD_PID="$RESP" \
	SEALGUARD_RESULT=signal SEALGUARD_SIGNAL=9
t_ok "sigkill-responder: the message says how it ended" eval \
	'sb_journal_wait MESSAGE_ID="$MSG_LOST" | grep -q "killed by signal 9 (SIGKILL)"'
t_eq "sigkill-responder: reaped, no zombie left" gone "$(state "$RESP")"
t_eq "sigkill-responder: the guard still denies a protected write" EPERM \
	"$(sb_try open-wronly "$FX_FS/etc/app.conf")"
atk_allowed sigkill-responder-read "$(sb_try open-rdonly "$FX_FS/etc/app.conf")"
sleep 1.2
want="sealguardd's responder (pid $RESP) is gone: it was killed by signal 9 (SIGKILL)"
t_eq "sigkill-responder: the heartbeat carries it off the host" "$want" "$(last_tamper)"
rc=0
out=$(timeout 20 "$SG_BUILD/sealguard" fleet -D /run/log/journal --check \
	--silent-after 5 --baseline "$FX_CFG/baseline" 2>&1) || rc=$?
t_eq "sigkill-responder: sealguard fleet --check on its journal: CRITICAL (2)" 2 "$rc"
case "$out" in *CRITICAL*tamper*) t_pass "fleet names the tamper" ;;
*) t_fail "fleet names the tamper" "got: $out" ;; esac
t_ok "the daemon is still running" sb__alive "$SB_DAEMON_PID"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly" 0 "$rc"
