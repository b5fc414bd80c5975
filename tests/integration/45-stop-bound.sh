#!/usr/bin/env bash
# 45-stop-bound.sh - a stop is never slow: SIGTERM under a load of opens
# and execs, while periodic verify passes run, ends the daemon within
# STOP_BOUND seconds (2, in the ASan build too), with a clean status, and
# leaves no process blocked in an open or exec on the guarded mounts:
# every queued permission event was answered before the group closed.
# Three rounds, so that the bound is proven rather than met by luck.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

STOP_BOUND_MS=2000
ROUNDS=3
fx_setup
# Enough for a verify pass to take a while: 400 small files and a few
# large ones (hashed by several threads, cancelled between files).
mkdir -p "$FX_FS/etc/many"
for i in $(seq 400); do printf 'file %d\n' "$i" >"$FX_FS/etc/many/f$i"; done
for i in 1 2 3; do head -c 3M /dev/urandom >"$FX_FS/bin/blob$i"; done
fx_policy enforce "" "[changes]
verify_interval = 1"
t_ok "baseline builds" fx_baseline
sb_start_journald

# pids of every process of our namespace whose kernel wait is fanotify's
blocked_on_guard() {
	local p w
	for p in /proc/[0-9]*; do
		w=$(cat "$p/wchan" 2>/dev/null) || continue
		case "$w" in *fanotify*) echo "${p#/proc/}" ;; esac
	done
}

# ---------------------------------------------------------------- the probe
# The check must be able to fail: an opener on a stopped daemon shows.
sb_start_daemon "$FX_POLICY"
kill -STOP "$SB_DAEMON_PID"
( sb_try block-open "$FX_FS/etc/app.conf" >/dev/null ) &
probe=$!
seen=""
for _ in $(seq 40); do
	seen=$(blocked_on_guard)
	[ -z "$seen" ] || break
	sleep 0.05
done
t_ok "the probe sees an opener blocked on a stopped guard (wchan fanotify)" test -n "$seen"
kill -CONT "$SB_DAEMON_PID"
wait "$probe" || true
rc=0
sb_stop_daemon || rc=$?
t_eq "probe round: clean stop" 0 "$rc"

# ---------------------------------------------------------------- rounds
for round in $(seq "$ROUNDS"); do
	sb_start_daemon "$FX_POLICY"
	stop=$SB_ROOT/stop.$round
	out=$SB_ROOT/load.$round
	sb_bg "load$round" "$SB_TOOLS/sgload" -p 8 -s 40 -f "$stop" \
		"read:$FX_FS/etc/app.conf" "write:$FX_FS/etc/app.conf" \
		"exec:$FX_FS/bin/tool" "exec:$FX_SCRATCH/dropped" \
		"read:$FX_ETC2/hosts" "write:$FX_FS/etc/many/f7"
	load=$SB_BG_PID
	# the load is on, a verify pass done (round 1) or running
	sleep 1.5
	passes=$(grep -o 'changes: [^;]*' "$SB_NOTIFY_FILE" | tail -n 1 || true)
	t0=$(date +%s%N)
	kill -TERM "$SB_DAEMON_PID"
	for _ in $(seq 200); do
		sb__alive "$SB_DAEMON_TPID" || break
		sleep 0.01
	done
	ms=$((($(date +%s%N) - t0) / 1000000))
	left=$(blocked_on_guard)
	rc=0
	sb_stop_daemon || rc=$?
	t_ok "round $round: the daemon stopped within $STOP_BOUND_MS ms (took $ms ms)" \
		test "$ms" -le "$STOP_BOUND_MS"
	t_eq "round $round: clean exit status" 0 "$rc"
	t_eq "round $round: no process left blocked on the guard" "" "$left"
	t_eq "round $round: it said it stopped" "$((round + 1))" \
		"$(sb_journal_count MESSAGE_ID=2d1f093952d64ab394c04abe28aec33d)"
	touch "$stop"
	for _ in $(seq 100); do
		sb__alive "$load" || break
		sleep 0.05
	done
	t_ok "round $round: every load process finished after the stop" \
		bash -c "! kill -0 $load 2>/dev/null"
	wait "$load" || true
	tot=$(grep '^total' "$SB_ROOT/load$round.log" || true)
	denied=$(sed -n 's/.* EPERM=\([0-9]*\) .*/\1/p' <<<"$tot")
	t_ok "round $round: the load ran and was denied before the stop ($tot)" \
		test "${denied:-0}" -gt 0
	t_ok "round $round: no open or exec failed other than EPERM ($tot)" \
		grep -q '^total .* EACCES=0 other=0 ' "$SB_ROOT/load$round.log"
	t_ok "round $round: no operation took longer than the bound ($tot)" \
		test "$(sed -n 's/.*max_ms=\([0-9]*\).*/\1/p' <<<"$tot")" -le "$STOP_BOUND_MS"
	t_ok "round $round: a verify pass was running or done at the stop ($passes)" \
		grep -Eq 'verifying|[1-9][0-9]* verify passes' <<<"$passes"
done
