#!/usr/bin/env bash
# 50-listen-modes.sh - the listener guard's start-up scan (listeners that
# exist before the seal are judged and the allowed ones logged: the
# listening surface), the kill action (every owner, TCP), permissive mode,
# a listener that closes itself before any scan, and [listen] policy
# errors, each named file:line.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter_netns "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/listen.sh
. "$(dirname "$0")/../lib/listen.sh"

PY=/usr/bin/python3
PYEXE=$(readlink -f "$PY")
SGL=$SB_TOOLS/sglisten
fx_setup
fx_policy enforce
t_ok "baseline builds" fx_baseline
sb_start_journald

# listen_policy LINES...: the fixture policy with a [listen] section.
listen_policy() {
	local IFS=$'\n'
	fx_policy "$1" "" "[listen]
${*:2}"
}

# ---------------------------------------------------------------- start-up
ln_start http "$PY" -m http.server 8000 --bind 127.0.0.1
http_pid=$LN_PID
ln_wait_listening tcp 8000 || true
sb_bg pre4 "$SGL" serve tcp 127.0.0.1 8003
ln_wait_log pre4 '^ready$' || true
pre4_pid=$(ln_logged_pid pre4)
sb_bg preu "$SGL" serve udp 127.0.0.1 5399
ln_wait_log preu '^ready$' || true
preu_pid=$(ln_logged_pid preu)
# A listener no process holds: its only reference is in flight in a unix
# socket message. Nobody can be named as its owner.
ln_start orphan "$PY" -c '
import socket, array, time
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8011)); s.listen()
a.sendmsg([b"x"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [s.fileno()]))])
s.close()
print("ready", flush=True)
time.sleep(100)'
ln_wait_log orphan '^ready$' || true

listen_policy enforce "allow = tcp 8000 loopback" "scan_interval_ms = 10"
rule_line=$(grep -n '^allow = tcp 8000' "$FX_POLICY" | cut -d: -f1)
sb_start_daemon "$FX_POLICY"
t_journal "start-up: one summary entry with the number of listeners" \
	MESSAGE_ID=866f2f9e59a94385a605a0940fcbdd6d SEALGUARD_EVENT=listen-start \
	SEALGUARD_LISTENERS=4 SEALGUARD_ALLOWED=1
t_journal "start-up: the allowed listener is logged, with owner and rule line" \
	SEALGUARD_EVENT=listen SEALGUARD_ACTION=allow SEALGUARD_REASON=allowed \
	SEALGUARD_LOCAL=127.0.0.1:8000 SEALGUARD_PID="$http_pid" \
	SEALGUARD_EXE="$PYEXE" SEALGUARD_RULE_LINE="$rule_line" \
	MESSAGE_ID=ac70ffcf8632459abb9259afc4a2db51 PRIORITY=6
t_eq "start-up: the allowed listener still answers" ok "$(ln_try connect tcp 127.0.0.1 8000)"
t_journal "start-up: a TCP listener present before the seal is destroyed" \
	SEALGUARD_ACTION=destroyed SEALGUARD_LOCAL=127.0.0.1:8003 \
	SEALGUARD_PID="$pre4_pid" SEALGUARD_EXE="$SGL"
t_eq "start-up: its accept() failed" "ready accept:EINVAL" "$(ln_log pre4)"
t_ok "start-up: a UDP listener present before the seal: owner killed" \
	ln_wait_gone "$preu_pid"
t_journal "start-up: ... and logged as killed" SEALGUARD_ACTION=killed \
	SEALGUARD_PROTO=udp SEALGUARD_LOCAL=127.0.0.1:5399 SEALGUARD_PID="$preu_pid"
t_journal "a listener no process holds is destroyed all the same (pid 0)" \
	SEALGUARD_ACTION=destroyed SEALGUARD_LOCAL=127.0.0.1:8011 \
	SEALGUARD_PID=0 SEALGUARD_OWNERS=0 SEALGUARD_EXE=?
t_eq "... and refuses clients" ECONNREFUSED "$(ln_try connect tcp 127.0.0.1 8011)"
sleep 0.3
t_eq "start-up: the allowed listener is not logged again by later scans" 1 \
	"$(sb_journal_count SEALGUARD_LOCAL=127.0.0.1:8000)"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly (start-up)" 0 "$rc"

# ---------------------------------------------------------------- kill
listen_policy enforce "allow = tcp 8000 loopback" "action = kill" \
	"scan_interval_ms = 10"
sb_start_daemon "$FX_POLICY"
ln_start httpkill "$PY" -m http.server 8200 --bind 127.0.0.1
pid=$LN_PID
t_ok "action = kill: python3 http.server on a port not allowed is killed" \
	ln_wait_gone "$pid"
t_journal "action = kill: logged as killed" SEALGUARD_ACTION=killed \
	SEALGUARD_PROTO=tcp SEALGUARD_LOCAL=127.0.0.1:8200 SEALGUARD_PID="$pid" \
	SEALGUARD_EXE="$PYEXE" SEALGUARD_KILLED=1 \
	MESSAGE_ID=5026e293d34446e2b2e709fcda993daf
t_eq "action = kill: the port is free again" ok "$(ln_try bind tcp 127.0.0.1 8200)"
# A listener shared by a parent and its child: both are owners, both die.
ln_start forked "$PY" -c '
import os, socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8201))
if os.fork() == 0:
    print("child=%d" % os.getpid(), flush=True)
else:
    time.sleep(0.3)
    s.listen()
time.sleep(100)'
parent=$LN_PID
ln_wait_log forked '^child=' || true
child=$(sed -n 's/^child=//p' "$SB_ROOT/forked.log")
t_ok "action = kill: the parent holding the listener is killed" ln_wait_gone "$parent"
t_ok "action = kill: the child holding it too" ln_wait_gone "$child"
t_journal "action = kill: both owners counted" SEALGUARD_ACTION=killed \
	SEALGUARD_LOCAL=127.0.0.1:8201 SEALGUARD_OWNERS=2 SEALGUARD_KILLED=2
t_ok "action = kill: the allowed server is alive" kill -0 "$http_pid"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly (kill)" 0 "$rc"

# ---------------------------------------------------------------- permissive
listen_policy permissive "allow = tcp 8000 loopback" "scan_interval_ms = 10"
sb_start_daemon "$FX_POLICY"
sb_bg perm "$SGL" serve tcp 127.0.0.1 8400
ln_wait_log perm '^ready$' || true
pid=$(ln_logged_pid perm)
t_journal "permissive: a listener not allowed is logged as would-deny" \
	SEALGUARD_EVENT=listen SEALGUARD_ACTION=would-deny SEALGUARD_PROTO=tcp \
	SEALGUARD_LOCAL=127.0.0.1:8400 SEALGUARD_PID="$pid" SEALGUARD_EXE="$SGL" \
	SEALGUARD_MODE=permissive MESSAGE_ID=56d96e84fd944d1981fac7c5a9452fd1
sleep 0.3
t_eq "permissive: it still accepts clients" ok "$(ln_try connect tcp 127.0.0.1 8400)"
t_eq "permissive: its accept() never failed" ready "$(ln_log perm)"
sb_bg permu "$SGL" serve udp 127.0.0.1 5400
ln_wait_log permu '^ready$' || true
sleep 0.3
t_ok "permissive: a UDP owner is not killed" kill -0 "$(ln_logged_pid permu)"
t_eq "permissive: one entry per listener, not one per scan" 1 \
	"$(sb_journal_count SEALGUARD_LOCAL=127.0.0.1:8400)"
t_eq "permissive: nothing destroyed or killed" 0 \
	"$(( $(sb_journal_count SEALGUARD_ACTION=destroyed SEALGUARD_MODE=permissive) + \
	     $(sb_journal_count SEALGUARD_ACTION=killed SEALGUARD_MODE=permissive) ))"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly (permissive)" 0 "$rc"

# ---------------------------------------------------------------- closes itself
# One scan a second: twenty listeners opened and closed at once all live
# and die between two scans. Nothing is logged about them; a listener that
# stays is still destroyed by the next scan.
listen_policy enforce "allow = tcp 8000 loopback" "scan_interval_ms = 1000"
sb_start_daemon "$FX_POLICY"
t_eq "a listener closing itself at once (20 times)" done \
	"$(ln_try flash tcp 127.0.0.1 8300 20)"
sb_bg after "$SGL" serve tcp 127.0.0.1 8301
SB_JOURNAL_WAIT=3 t_journal "the next listener is destroyed at the next scan" \
	SEALGUARD_ACTION=destroyed SEALGUARD_LOCAL=127.0.0.1:8301
t_eq "nothing was logged about the listeners that closed themselves" 0 \
	"$(sb_journal_count SEALGUARD_LOCAL=127.0.0.1:8300)"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly (closes itself)" 0 "$rc"

# ---------------------------------------------------------------- policy errors
listen_policy enforce "allow = tcp 70000" "allow = tcp 22 somewhere" \
	"udp_action = destroy" "allow = tcp4 22 ::1"
res=$(timeout 20 "$SG_BUILD/sealguardd" --policy "$FX_POLICY" --confine "$SB_ROOT" \
	--log-target stderr 2>&1) && rc=0 || rc=$?
t_eq "[listen] errors: the daemon refuses to start (78)" 78 "$rc"
for key in "allow = tcp 70000" "allow = tcp 22 somewhere" "udp_action = destroy" \
	"allow = tcp4 22 ::1"; do
	line=$(grep -n "^$key\$" "$FX_POLICY" | cut -d: -f1)
	case "$res" in
	*"$FX_POLICY:$line: "*) t_pass "[listen] error named at file:line: $key" ;;
	*) t_fail "[listen] error named at file:line: $key" "no '$FX_POLICY:$line:' in: $res" ;;
	esac
done
ln_journal_to_stderr
