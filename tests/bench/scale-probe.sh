#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# scale-probe.sh - the scale part of make bench alone, with where the
# daemon's memory goes: start-up time to READY, the protected-inode
# index's walk (after READY, in a thread) and VmRSS (anonymous and
# file-backed) with an N-file baseline (BENCH_SCALE, default 100000), in
# the sandbox, three starts; then the time of the baseline's load alone
# (sealguardd --check). For working on the scale goal without a whole
# bench run. BENCH_PERF=1 also records one start under perf(1) and
# prints where its time went (the daemon with --seccomp off: perf's
# own calls would be refused).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${SB_INSIDE:-}" != 1 ]; then
	make -C "$repo" -s -j2 tests >/dev/null
	mkdir -p "$repo/build/bench"
	cc -std=gnu11 -O2 -Wall -Wextra -D_GNU_SOURCE \
		-o "$repo/build/bench/driver" "$repo/tests/bench/driver.c"
fi
# shellcheck source=tests/lib/sandbox.sh
. "$repo/tests/lib/sandbox.sh"
# shellcheck source=tests/bench/scale.sh
. "$repo/tests/bench/scale.sh"
sb_enter_netns "$@"

SG_BUILD=${SG_BUILD:-$repo/build}
D=$SG_BUILD/bench/driver
SCALE=${BENCH_SCALE:-100000}
cfg=$SB_ROOT/cfg
mkdir -p "$cfg"
big=$(sb_mount_tmpfs scale)
scale_tree "$big" "$SCALE"
scale_policy "$cfg/scale.conf" "$big" "$cfg/scale.baseline"
"$SG_BUILD/sealguard" baseline build --policy "$cfg/scale.conf" --quiet
for run in 1 2 3; do
	line=$("$D" ready 60 "$SG_BUILD/sealguardd" --policy "$cfg/scale.conf" \
		--confine "$SB_ROOT" --log-target stderr 2>>"$SB_ROOT/daemon.log")
	pid=$(sed -E 's/.*pid=([0-9]+).*/\1/' <<<"$line")
	sleep 0.5
	# the index's walk ends after READY: wait for its entry (60 s)
	for ((i = 0; i < 600; i++)); do
		index_ms=$(sed -n 's/.*protected-inode index complete: [0-9]* inode(s) in \([0-9]*\) ms.*/\1/p' "$SB_ROOT/daemon.log" | tail -n 1)
		[ -n "$index_ms" ] && [ "$(grep -c 'protected-inode index complete' "$SB_ROOT/daemon.log")" -ge "$run" ] && break
		sleep 0.1
	done
	echo "run $run: $line index_ms=$index_ms $(awk '/^(VmRSS|RssAnon|RssFile):/ { printf "%s %.1f MB ", $1, $2 / 1024 }' "/proc/$pid/status")"
	sb_stop_pid "$pid"
done
# the load alone: --check reads and validates the policy and the baseline
t=$(date +%s%N)
"$SG_BUILD/sealguardd" --check --policy "$cfg/scale.conf" >/dev/null 2>&1 || true
echo "check (policy and baseline load): $(( ($(date +%s%N) - t) / 1000000 )) ms"
# where start-up goes: BENCH_PERF=1 records one start under perf
if [ -n "${BENCH_PERF:-}" ]; then
	perf record -g -o "$SB_ROOT/perf.data" -- "$D" ready 60 "$SG_BUILD/sealguardd" --policy "$cfg/scale.conf" \
		--confine "$SB_ROOT" --log-target stderr --seccomp off 2>>"$SB_ROOT/daemon.log" >"$SB_ROOT/ready.line" || true
	pid=$(sed -E 's/.*pid=([0-9]+).*/\1/' "$SB_ROOT/ready.line")
	sb_stop_pid "$pid"
	perf report -i "$SB_ROOT/perf.data" --no-children --percent-limit 5 --stdio -g caller,0.5,callee --sort symbol 2>/dev/null | grep -v "^$" | head -60
fi
