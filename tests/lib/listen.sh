# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# listen.sh - helpers of the listener guard's tests (50-listen*.sh), for
# use after sb_enter_netns (a private network namespace, loopback up).
#
#   ln_start NAME CMD...        start CMD in the background (sb_bg), log in
#                               $SB_ROOT/NAME.log; its wrapper pid in LN_PID
#   ln_pid NAME PORT PROTO      the pid of the process holding that listener
#   ln_wait_log NAME PATTERN    wait (5 s) for a line matching PATTERN in
#                               NAME's log; 0 or 1
#   ln_listening PROTO PORT     0 if something listens on PORT (ss)
#   ln_wait_listening PROTO PORT [0|1]  wait (5 s) until it is (1) / is not (0)
#   ln_wait_gone PID            wait (5 s) until PID has exited
#   ln_try ARGS...              sglisten ARGS, bounded to 10 s
#   ln_field FIELD MATCHES...   FIELD of the newest journal entry matching
#   ln_log NAME                 NAME's log on one line, without "pid=" lines
#   ln_logged_pid NAME          the pid sglisten printed in NAME's log
#   ln_journal_to_stderr        the guard's journal entries, for the .err log

# ln_start NAME CMD...: like sb_bg; LN_PID is the command's own pid. A
# shell prints its pid and execs CMD, so the pid is known even when the
# guard kills CMD at once.
ln_start() {
	local name=$1
	shift
	sb_bg "$name" sh -c 'echo "pid=$$"; exec "$@"' sh "$@"
	LN_PID=""
	ln_wait_log "$name" '^pid=' || sb__log "ln_start $name: no pid in its log"
	LN_PID=$(ln_logged_pid "$name")
}

ln_wait_log() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -Eq "$2" "$SB_ROOT/$1.log" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# ss filter for a protocol: listening TCP, or unconnected UDP.
ln__ss() {
	case "$1" in
	tcp) ss -Hltn "sport = :$2" ;;
	udp) ss -Huan "sport = :$2" ;;
	esac
}

ln_listening() { [ -n "$(ln__ss "$1" "$2")" ]; }

ln_wait_listening() {
	local i want=${3:-1}
	for ((i = 0; i < 100; i++)); do
		if ln_listening "$1" "$2"; then
			[ "$want" = 1 ] && return 0
		else
			[ "$want" = 0 ] && return 0
		fi
		sleep 0.05
	done
	return 1
}

ln_wait_gone() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	return 1
}

ln_try() { timeout -k 2 10 "$SB_TOOLS/sglisten" "$@" 2>&1 || true; }

# ln_field FIELD MATCHES...: the value of FIELD in the newest entry that
# matches, waiting SB_JOURNAL_WAIT s for one; empty if none.
ln_field() {
	local field=$1
	shift
	sb_journal_wait "$@" | tail -n 1 |
		/usr/bin/python3 -c 'import json,sys
line = sys.stdin.readline()
print(json.loads(line).get(sys.argv[1], "") if line.strip() else "")' "$field"
}

ln_log() { grep -v '^pid=' "$SB_ROOT/$1.log" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }

ln_logged_pid() { sed -n 's/^pid=//p' "$SB_ROOT/$1.log" 2>/dev/null | head -n 1; }

ln_journal_to_stderr() {
	journalctl -q --no-pager -o short-monotonic SYSLOG_IDENTIFIER=sealguardd >&2 || true
}
