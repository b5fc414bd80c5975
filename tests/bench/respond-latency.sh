#!/usr/bin/env bash
# respond-latency.sh - benchmark of [respond] (not a test): how long each
# response takes, from the violation to its effect.
#
#   sudo tests/bench/respond-latency.sh [TRIALS]
#
# Default 200 trials each. Runs in the test sandbox, the real daemon from
# $SG_BUILD (default build/), confined, logging to stderr (a file):
#  1. deny: a write-open of a protected file returns EPERM (no response),
#     timed from "go" to the writer reaped;
#  2. kill (write = kill): the same, the writer killed in its open;
#  3. freeze (exec = freeze): an untrusted exec, timed to its cgroup's
#     cgroup.events saying "frozen 1";
#  4. hook (write = hook): a denied write, timed to the moment the hook (a
#     small C program, so that a shell's start-up is not what is measured)
#     wrote its clock.
set -euo pipefail
. "$(dirname "$0")/../lib/sandbox.sh"
SB_TIMEOUT=${SB_TIMEOUT:-900}
sb_enter "$@"
. "$(dirname "$0")/../lib/fixture.sh"

TRIALS=${1:-200}
BIN=$SB_ROOT/respond-latency
cc -O2 -Wall -Wextra -o "$BIN" "$SB_REPO/tests/bench/respond-latency.c"

fx_setup
STAMP=$FX_SCRATCH/stamp
printf '%s\n' '#include <stdio.h>' '#include <time.h>' \
	'int main(void) { struct timespec t; FILE *f;' \
	'  clock_gettime(CLOCK_MONOTONIC, &t);' \
	"  f = fopen(\"$STAMP.tmp\", \"w\"); if (!f) return 1;" \
	'  fprintf(f, "%llu\n", (unsigned long long)t.tv_sec * 1000000000ull + t.tv_nsec);' \
	"  fclose(f); return rename(\"$STAMP.tmp\", \"$STAMP\") != 0; }" >"$SB_ROOT/stamp.c"
cc -O2 -o "$FX_FS/bin/stamp" "$SB_ROOT/stamp.c"
cg=$(sb_make_cgroup bench)
conf=$FX_FS/etc/app.conf

# run NAME RESPOND-LINES...: the daemon with [respond], then the bench
run() {
	local mode=$1 IFS=$'\n'
	shift
	fx_policy enforce "" "[log]
ratelimit_burst = 10000
${*:+
[respond]
$*}"
	fx_baseline >/dev/null
	sb_start_daemon "$FX_POLICY" --log-target stderr
	case $mode in
	freeze) "$BIN" freeze "$TRIALS" "$FX_SCRATCH/dropped" "$cg" ;;
	hook) "$BIN" hook "$TRIALS" "$conf" "$STAMP" ;;
	*) "$BIN" "$mode" "$TRIALS" "$conf" ;;
	esac
	sb_stop_daemon || true
}

echo "== [respond] latency: $TRIALS trials each, $(nproc) CPUs, $(uname -r)"
run deny
run kill "write = kill"
run freeze "exec = freeze"
run hook "write = hook" "hook = $FX_FS/bin/stamp"
