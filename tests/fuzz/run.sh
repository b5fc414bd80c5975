#!/usr/bin/env bash
# run.sh - run the libFuzzer harnesses built by `make FUZZ=1 fuzz-build`.
#
#   tests/fuzz/run.sh [--seconds N] [--build DIR] [--fresh] [TARGET...]
#
#   --seconds N   how long each target runs (default: $FUZZ_SECONDS or 60)
#   --build DIR   where the fuzzers are (default build-fuzz)
#   --fresh       start from the seeds alone, keep no new input (the CI
#                 smoke: its time does not grow with earlier runs)
#   TARGET        fuzz_policy ... (default: every tests/fuzz/fuzz_*.c)
#
# Each target first replays its seed corpus, tests/fuzz/corpus/TARGET/
# (the regressions: every crash found is kept there), then fuzzes for N
# seconds. New inputs go to DIR/corpus/TARGET/ (never into the
# repository; it grows from run to run), a crash to DIR/crashes/TARGET-*,
# the log to DIR/logs/TARGET.log. One line per target, as tests/run.sh counts them:
#   PASS: fuzz TARGET: R runs, E exec/s, cov C, ft F, corpus K, rss M MB
#   FAIL: fuzz TARGET: <what libFuzzer found> (artifact)
# The exit status is 1 if any target failed.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$REPO" || exit 1
SECONDS_EACH=${FUZZ_SECONDS:-60}
BUILD=build-fuzz
FRESH=0
TARGETS=()
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) SECONDS_EACH=${2:?--seconds needs N}; shift ;;
	--build) BUILD=${2:?--build needs DIR}; shift ;;
	--fresh) FRESH=1 ;;
	-h | --help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "fuzz/run.sh: unknown option $1" >&2; exit 2 ;;
	*) TARGETS+=("$1") ;;
	esac
	shift
done
if [ ${#TARGETS[@]} = 0 ]; then
	for src in tests/fuzz/fuzz_*.c; do
		TARGETS+=("$(basename "$src" .c)")
	done
fi

# The libFuzzer line "#N DONE cov: C ft: F corp: K/..." and the final
# stats (-print_final_stats=1): "stat::average_exec_per_sec: E".
field() { # field LOG NAME: the value after "NAME: " on the last DONE line
	grep -aE '^#[0-9]+[[:space:]]+DONE' "$1" | tail -n 1 |
		sed -n "s/.* $2: \([0-9][0-9]*\).*/\1/p"
}
final_stat() { # final_stat LOG NAME
	grep -a "^stat::$2:" "$1" | sed -n "s/^stat::$2:[[:space:]]*\([0-9][0-9]*\).*/\1/p" | tail -n 1
}

failed=0
for t in "${TARGETS[@]}"; do
	bin=$BUILD/fuzz/$t
	seeds=tests/fuzz/corpus/$t
	work=$BUILD/corpus/$t
	[ "$FRESH" = 0 ] || work=$(mktemp -d "${TMPDIR:-/tmp}/sg-fuzz-corpus.XXXXXX")
	log=$BUILD/logs/$t.log
	if [ ! -x "$bin" ]; then
		echo "FAIL: fuzz $t: $bin not built (make FUZZ=1 fuzz-build)"
		failed=1
		continue
	fi
	if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
		echo "FAIL: fuzz $t: no seed corpus in $seeds"
		failed=1
		continue
	fi
	mkdir -p "$work" "$BUILD/crashes" "$BUILD/logs"
	rc=0
	# -timeout: one input taking 10 s is a hang; -rss_limit_mb: a leak
	# or an allocation the size of the input's claims is a finding too
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
		UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
		timeout --kill-after=10 $((SECONDS_EACH + 120)) \
		"$bin" -max_total_time="$SECONDS_EACH" -timeout=10 \
		-rss_limit_mb=2048 -max_len=8192 -print_final_stats=1 \
		-artifact_prefix="$BUILD/crashes/$t-" "$work" "$seeds" \
		>"$log" 2>&1 </dev/null || rc=$?
	[ "$FRESH" = 0 ] || rm -rf "$work"
	if [ "$rc" != 0 ]; then
		what=$(grep -a -m 1 -E '^==[0-9]+==ERROR|runtime error:|property broken|ALARM|out-of-memory|deadly signal' "$log")
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		echo "FAIL: fuzz $t: exit $rc: ${what:-see $log}${art:+ ($art)}"
		failed=1
		continue
	fi
	echo "PASS: fuzz $t: $(final_stat "$log" number_of_executed_units) runs," \
		"$(final_stat "$log" average_exec_per_sec) exec/s, cov $(field "$log" cov)," \
		"ft $(field "$log" ft), corpus $(field "$log" corp)," \
		"rss $(final_stat "$log" peak_rss_mb) MB"
done
exit "$failed"
