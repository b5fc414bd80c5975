#!/usr/bin/env bash
# 48-fault-clock.sh - fault: the wall clock jumps under the running daemon.
# The host's clock is shared with everything and is never set here:
# libfaketime is preloaded into the daemon alone (FAKETIME_NO_CACHE=1,
# the offset re-read from a file the test rewrites), faking CLOCK_REALTIME
# and time() only (FAKETIME_DONT_FAKE_MONOTONIC=1: monotonic and boottime
# time cannot jump on a real host). It starts a year ahead (the status
# file's started= proves the preload took), jumps a year back, then ten
# years ahead. Audit (grep of src/daemon): every timer and interval is
# CLOCK_MONOTONIC (the loop's and the listener guard's timerfds,
# sg_now_ms for rate limits, verify_interval, hook timeouts and the
# reprovision retry), the lifetime is CLOCK_BOOTTIME, and wall time is
# used only as a timestamp (status started=, SEALGUARD_TIME_USEC of
# hooks and reprovision requests). Stated outcome: across the jumps the
# heartbeat keeps its 1 s period, the watchdog pings go on, verify passes
# keep running every second, the rate limit still holds identical denials
# to its burst, denials stay correct and the daemon neither stops nor
# floods. Limit: a jump of CLOCK_MONOTONIC itself is not tested (it does
# not happen on a running kernel); nor is suspend (CLOCK_BOOTTIME).
# WATCHDOG_USEC is 3 s, so the loop ticks once a second (a faster tick
# is 93-heartbeat.sh's case).
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

FAKETIME_LIB=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
MSGID_HEARTBEAT=d5e7f95d00d0426092ca798d9b181ec7
MSGID_VERIFY=671c242cdda64d3e95d73af927090772
MSGID_WRITE_DENIED=c78e863500844543a68fdeb6331cee0e

if [ ! -r "$FAKETIME_LIB" ]; then
	t_fail "libfaketime" "expected $FAKETIME_LIB (apt-get install faketime), got none"
	exit 1
fi
fx_setup
fx_policy enforce "" "[log]
ratelimit_interval = 30
ratelimit_burst = 2

[changes]
verify_interval = 1

[tether]
heartbeat_interval = 1"
t_ok "baseline builds" fx_baseline
sb_start_journald
# libfaketime: a preloaded process that finds no FAKETIME_SHARED creates
# a semaphore and a shared memory object named by its pid, and unlinks
# them in its destructor at exit: an unlink(2) the daemon's allowlist
# refuses (SIGSYS, exit 159). The daemon became that process whenever its
# parent's names were taken: objects left on the host's /dev/shm by
# killed processes of earlier runs, whose small pids each sandbox's pid
# namespace hands out again. So the test's /dev/shm is a tmpfs of its own
# (nothing is left on the host's), and a holder (the faketime wrapper,
# which removes them when its child ends) owns the objects the daemon is
# handed by name.
mount -t tmpfs -o mode=1777 sgtest-shm /dev/shm ||
	sb__abort "cannot mount a tmpfs at /dev/shm"
SB_MOUNTS+=(/dev/shm)
sb_bg ftholder faketime -f +0 sh -c \
	'printf %s "$FAKETIME_SHARED" >"$1.tmp" && mv "$1.tmp" "$1" && exec sleep 600' \
	sh "$SB_ROOT/ftshared"
for _ in $(seq 100); do [ -s "$SB_ROOT/ftshared" ] && break; sleep 0.05; done
t_ok "the faketime holder made the shared objects" test -s "$SB_ROOT/ftshared"
OFFSET=$SB_ROOT/faketime
echo "+365d" >"$OFFSET"
year_now=$(date +%Y)
# ASan must come first in the list of libraries; with the preload it
# cannot, and says so: tell it not to check
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
	LD_PRELOAD=$FAKETIME_LIB FAKETIME_SHARED=$(cat "$SB_ROOT/ftshared") \
	FAKETIME_TIMESTAMP_FILE=$OFFSET \
	FAKETIME_NO_CACHE=1 FAKETIME_DONT_FAKE_MONOTONIC=1 \
	WATCHDOG_USEC=3000000 sb_start_daemon "$FX_POLICY"
pid=$SB_DAEMON_PID
started=$(sed -n 's/^started=//p' "$SB_ROOT/sealguard-state/status")
t_eq "the daemon's wall clock is a year ahead (status started=)" \
	$((year_now + 1)) "$(date -d "@${started:-0}" +%Y)"

count() { sb_journal_count MESSAGE_ID="$1"; }
pings() { grep -c 'WATCHDOG=1' "$SB_NOTIFY_FILE" || true; }
# phase NAME OFFSET: jump, then 3 s of normal life
phase() {
	local hb0 v0 w0 p0 hb v w p res i
	echo "$2" >"$OFFSET"
	hb0=$(count $MSGID_HEARTBEAT)
	v0=$(count $MSGID_VERIFY)
	w0=$(count $MSGID_WRITE_DENIED)
	p0=$(pings)
	res=""
	for i in 1 2 3 4 5; do res+="$(sb_try open-wronly "$FX_FS/etc/app.conf") "; done
	sleep 3
	hb=$(($(count $MSGID_HEARTBEAT) - hb0))
	v=$(($(count $MSGID_VERIFY) - v0))
	w=$(($(count $MSGID_WRITE_DENIED) - w0))
	p=$(($(pings) - p0))
	t_eq "$1: 5 write-opens of a protected file are EPERM" \
		"EPERM EPERM EPERM EPERM EPERM " "$res"
	t_ok "$1: heartbeats keep the 1 s period ($hb in 3 s, 2..5)" test "$hb" -ge 2 -a "$hb" -le 5
	t_ok "$1: verify passes go on every second ($v in 3 s, 1..5)" test "$v" -ge 1 -a "$v" -le 5
	t_ok "$1: watchdog pings go on ($p in 3 s, at least 2)" test "$p" -ge 2
	t_ok "$1: the rate limit holds ($w write-denied entries for 5 identical, at most 2)" \
		test "$w" -le 2
	t_ok "$1: the daemon is running" sb__alive "$pid"
}
phase "a year ahead" "+365d"
phase "jumped a year back" "-365d"
phase "jumped ten years ahead" "+3650d"
t_eq "after the jumps a trusted read is allowed" ok "$(sb_try open-rdonly "$FX_FS/etc/app.conf")"
t_eq "after the jumps an untrusted exec is refused" EPERM "$(sb_try exec "$FX_SCRATCH/dropped")"
rc=0
sb_stop_daemon || rc=$?
t_eq "clean stop" 0 "$rc"
