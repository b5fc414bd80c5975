#!/usr/bin/env bash
# listen-latency.sh - benchmark of the listener guard (not a test): how
# long a listener not allowed lives, and what the scan costs while idle.
#
#   sudo tests/bench/listen-latency.sh [TRIALS] [SCAN_INTERVAL_MS] [IDLE_S]
#
# Defaults: 500 trials, the policy default interval (20 ms), 30 s idle.
# Runs in the test sandbox with its own network namespace (loopback
# only), the real daemon from $SG_BUILD (default build/), confined.
#  1. latency: tests/bench/listen-latency.c opens 127.0.0.1:PORT at a
#     random phase of the scan period and times listen() -> the kernel's
#     abort (SOCK_DESTROY), TRIALS times;
#  2. idle cost: with 20 allowed listeners open and nothing else
#     happening, the daemon's CPU time (all threads, schedstat) over
#     IDLE_S seconds, as a percentage of one core; the same with the
#     listener guard off (no [listen] section) for comparison.
set -euo pipefail
. "$(dirname "$0")/../lib/sandbox.sh"
SB_TIMEOUT=${SB_TIMEOUT:-600}
sb_enter_netns "$@"
. "$(dirname "$0")/../lib/fixture.sh"

TRIALS=${1:-500}
INTERVAL=${2:-20}
IDLE=${3:-30}
BIN=$SB_ROOT/listen-latency
cc -O2 -Wall -Wextra -o "$BIN" "$SB_REPO/tests/bench/listen-latency.c"

fx_setup
fx_policy enforce
fx_baseline >/dev/null

# cpu_ns PID: CPU time of every thread of PID, in ns.
cpu_ns() {
	awk '{ s += $1 } END { printf "%d\n", s }' /proc/"$1"/task/*/schedstat
}

# idle_pct PID SECONDS: CPU use of PID over SECONDS, % of one core.
idle_pct() {
	local a b
	a=$(cpu_ns "$1")
	sleep "$2"
	b=$(cpu_ns "$1")
	awk -v a="$a" -v b="$b" -v s="$2" 'BEGIN { printf "%.3f\n", (b - a) / (s * 1e9) * 100 }'
}

echo "== listener guard: scan every $INTERVAL ms, $TRIALS trials, $(nproc) CPUs, $(uname -r)"
fx_policy enforce "" "[listen]
allow = tcp 30000-30019 loopback
scan_interval_ms = $INTERVAL"
sb_start_daemon "$FX_POLICY" --log-target stderr
# listen() -> destroyed; random phase over two scan periods
"$BIN" "$TRIALS" 8080 $((2 * INTERVAL)) "$SB_ROOT/raw.txt" | sed 's/^/latency: /'

sb_bg holders "$SB_TOOLS/sglisten" burst tcp 127.0.0.1 30000 20 $((IDLE + 30))
sleep 2
echo "idle: 20 allowed listeners, guard on: $(idle_pct "$SB_DAEMON_PID" "$IDLE") % of one core over $IDLE s"
sb_stop_daemon || true

fx_policy enforce
fx_baseline >/dev/null
sb_start_daemon "$FX_POLICY" --log-target stderr
sleep 1
echo "idle: listener guard off (no [listen]): $(idle_pct "$SB_DAEMON_PID" "$IDLE") % of one core over $IDLE s"
sb_stop_daemon || true
