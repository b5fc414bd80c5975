#!/usr/bin/env bash
# run.sh - the whole test suite (the README's test command).
#
#   tests/run.sh [--quick] [--only PATTERN]
#
#   --quick         the normal build only (no ASan+UBSan, no clang build)
#   --only PATTERN  only the unit binaries and integration scripts whose
#                   name matches PATTERN (an extended regex)
#
# Steps: tests/install-deps.sh; `make tests`, `make SANITIZE=1 tests` and
# `make CC=clang tests` (compile only)
# (-k: one broken file does not hide every other result); every unit test
# binary of each build (cmocka); a few seconds of each libFuzzer harness
# (tests/fuzz/, built with clang into build-fuzz/; not with --quick unless
# --only names one); every tests/integration/[0-9]*.sh and
# tests/attacks/[0-9]*.sh against each build, each in its own sandbox
# (tests/lib/sandbox.sh), and a summary of the attack catalogue. After each
# script it checks from the host that the script left no mount and no
# process behind. Logs go to build/test-logs/; a second run of the same
# checkout waits for the first (build/.run.lock). The last line is
# "N passed, N failed"; the exit status is 1 if anything failed.
#
# Counting: a unit binary counts its cmocka tests; one that crashes, exits
# non-zero with no failed test, or reports no test at all counts one
# failure more. A script counts its PASS:/FAIL: lines; one that exits
# non-zero (a timeout too) without a FAIL line, or prints no PASS line,
# counts one failure. A failed build counts one failure. A "SKIP: reason"
# line is a part of a script that could not run in this pass (say,
# valgrind against the ASan build): it is neither a pass nor a failure,
# but it is counted, shown under the script's line with its reason, and
# summed in a "N skipped" line above the last one.
set -uo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO" || exit 1
LOGS=$REPO/build/test-logs
# Two runs of one checkout would share build/ and its logs, and each
# would count the other's leftovers: the second waits for the first.
mkdir -p "$REPO/build"
exec 9>"$REPO/build/.run.lock"
if ! flock -n 9; then
	echo "run.sh: another run of this checkout is in progress; waiting" >&2
	flock 9
fi
SCRIPT_TIMEOUT=${SB_TIMEOUT:-180}

QUICK=0
ONLY=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ;;
	--only) ONLY=${2:?--only needs a PATTERN}; shift ;;
	--only=*) ONLY=${1#*=} ;;
	-h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done

PASSED=0
FAILED=0
SKIPPED=0
SELECTED=0
T0=$(date +%s%N)

say() { printf '%s\n' "$*"; }
indent() { sed 's/^/    /'; }
elapsed() { awk -v a="$1" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f s", (b - a) / 1e9 }'; }
selected() { [ -z "$ONLY" ] || [[ $1 =~ $ONLY ]]; }

finish() {
	if [ "$SELECTED" = 0 ]; then
		say "no test selected${ONLY:+ by --only \"$ONLY\"}"
		FAILED=$((FAILED + 1))
	fi
	say "total time $(elapsed "$T0"); logs in ${LOGS#"$REPO"/}/"
	[ "$SKIPPED" = 0 ] || say "$SKIPPED skipped (each SKIP: line above says why)"
	say "$PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
	exit
}

rm -rf "$LOGS"
mkdir -p "$LOGS"

# ---------------------------------------------------------------- deps
if ! tests/install-deps.sh >"$LOGS/install-deps.log" 2>&1; then
	say "FAIL: tests/install-deps.sh (see $LOGS/install-deps.log)"
	tail -n 10 "$LOGS/install-deps.log" | indent
	FAILED=$((FAILED + 1))
	SELECTED=1
	finish
fi

# ---------------------------------------------------------------- builds
BUILDS=(build)
[ "$QUICK" = 1 ] || BUILDS+=(build-asan)

make_flags() { [ "$1" = build-asan ] && echo SANITIZE=1; }

for b in "${BUILDS[@]}"; do
	t=$(date +%s%N)
	# shellcheck disable=SC2046 # make_flags is empty or one word
	if timeout 1800 make -k -j2 $(make_flags "$b") tests >"$LOGS/make-$b.log" 2>&1; then
		say "build $b: ok ($(elapsed "$t"))"
	else
		say "FAIL: build $b: make $(make_flags "$b") tests failed ($(elapsed "$t")); first errors:"
		grep -m 15 -E ': (fatal )?error:|undefined reference|\*\*\* ' "$LOGS/make-$b.log" | indent
		FAILED=$((FAILED + 1))
	fi
done

# The same tree with clang: warning-free with both compilers is a
# property of the code, so it is checked on every run (compile only: the
# tests run against the gcc builds above).
if [ "$QUICK" = 0 ]; then
	t=$(date +%s%N)
	if timeout 1800 make -k -j2 CC=clang BUILD=build-clang tests >"$LOGS/make-build-clang.log" 2>&1; then
		say "build build-clang: ok ($(elapsed "$t"))"
	else
		say "FAIL: build build-clang: make CC=clang tests failed ($(elapsed "$t")); first errors:"
		grep -m 15 -E ': (fatal )?error:|undefined reference|\*\*\* ' "$LOGS/make-build-clang.log" | indent
		FAILED=$((FAILED + 1))
	fi
fi

# Sanitizer run-time options. Leak detection needs ptrace-like access that
# some containers deny: probe it once instead of trusting it.
ASAN_ENV=()
if [ "$QUICK" = 0 ]; then
	leaks=0
	printf '#include <stdlib.h>\nvoid *p;\nint main(void) { p = malloc(7); p = 0; return 0; }\n' >"$LOGS/lsan-probe.c"
	probe=$(cc -fsanitize=address -o "$LOGS/lsan-probe" "$LOGS/lsan-probe.c" 2>&1 &&
		ASAN_OPTIONS=detect_leaks=1 timeout 30 "$LOGS/lsan-probe" 2>&1)
	if [[ $probe == *"LeakSanitizer: detected memory leaks"* ]]; then
		leaks=1
	else
		say "note: LeakSanitizer does not work here: build-asan runs without leak checks"
	fi
	ASAN_ENV=("ASAN_OPTIONS=detect_leaks=$leaks:abort_on_error=1"
		"UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
fi

run_env() { # run_env BUILD CMD...: CMD with the environment of BUILD's tests
	if [ "$1" = build-asan ]; then
		env "${ASAN_ENV[@]}" "${@:2}"
	else
		"${@:2}"
	fi
}

# ---------------------------------------------------------------- unit tests
# cmocka's summary lines: "[  PASSED  ] N test(s)." and
# "[  FAILED  ] N test(s), listed below:" (one pair per group).
cmocka_sum() { # cmocka_sum PASSED|FAILED LOG
	sed -n "s/^\[  $1  \] \([0-9][0-9]*\) test(s).*/\1/p" "$2" |
		awk '{ n += $1 } END { print n + 0 }'
}

run_unit() { # run_unit BUILD SRC
	local b=$1 name bin log rc=0 p f extra="" t
	name=$(basename "$2" .c)
	bin=$b/tests/$name
	log=$LOGS/$b-$name.log
	selected "$name" || return 0
	SELECTED=$((SELECTED + 1))
	if [ ! -x "$bin" ]; then
		say "FAIL: unit $bin: not built"
		FAILED=$((FAILED + 1))
		return 0
	fi
	t=$(date +%s%N)
	run_env "$b" env -u CMOCKA_MESSAGE_OUTPUT SG_TEST_DATA="$REPO/tests/unit" \
		timeout 300 "$bin" >"$log" 2>&1 || rc=$?
	p=$(cmocka_sum PASSED "$log")
	f=$(cmocka_sum FAILED "$log")
	if [ $((p + f)) = 0 ]; then
		extra="ran no test (exit $rc)"
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		extra="exit $rc after its tests (crash, leak or sanitizer report)"
	fi
	[ -z "$extra" ] || f=$((f + 1))
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	say "unit $bin: $p passed, $f failed ($(elapsed "$t"))${extra:+: $extra}"
	if [ "$f" != 0 ]; then
		grep -E '^\[  (FAILED|ERROR)|Sanitizer|runtime error|: error' "$log" |
			head -n 20 | indent
	fi
}

for b in "${BUILDS[@]}"; do
	for src in tests/unit/test_*.c; do
		[ -e "$src" ] || continue
		run_unit "$b" "$src"
	done
done

# ---------------------------------------------------------------- fuzz smoke
# Each libFuzzer harness (tests/fuzz/, docs/testing.md), built with clang
# into build-fuzz/, replays its seed corpus (every crash found is kept
# there) and fuzzes for FUZZ_SMOKE_SECONDS (default 2) from the seeds
# alone (--fresh: the time does not grow from run to run): the eleven
# targets take under a minute. Not with --quick, unless --only names
# targets. A target counts one pass, or one failure (a crash, a broken
# property, a leak, a timeout).
FUZZ_SMOKE_SECONDS=${FUZZ_SMOKE_SECONDS:-2}
fuzz_targets=()
if [ "$QUICK" = 0 ] || [ -n "$ONLY" ]; then
	for src in tests/fuzz/fuzz_*.c; do
		[ -e "$src" ] || continue
		name=$(basename "$src" .c)
		selected "$name" && fuzz_targets+=("$name")
	done
fi
if [ ${#fuzz_targets[@]} -gt 0 ]; then
	SELECTED=$((SELECTED + ${#fuzz_targets[@]}))
	t=$(date +%s%N)
	if timeout 1800 make -k -j2 FUZZ=1 fuzz-build >"$LOGS/make-build-fuzz.log" 2>&1; then
		say "build build-fuzz: ok ($(elapsed "$t"))"
		for name in "${fuzz_targets[@]}"; do
			t=$(date +%s%N)
			line=$(ASAN_OPTIONS="detect_leaks=${leaks:-1}" tests/fuzz/run.sh \
				--fresh --seconds "$FUZZ_SMOKE_SECONDS" "$name" 2>&1 | tail -n 1)
			if [[ $line == "PASS: fuzz $name:"* ]]; then
				PASSED=$((PASSED + 1))
				say "fuzz $name: 1 passed, 0 failed ($(elapsed "$t")):${line#"PASS: fuzz $name:"}"
			else
				FAILED=$((FAILED + 1))
				say "FAIL: fuzz $name ($(elapsed "$t")): ${line:-no result}"
				tail -n 15 "build-fuzz/logs/$name.log" 2>/dev/null | indent
			fi
		done
	else
		say "FAIL: build build-fuzz: make FUZZ=1 fuzz-build failed ($(elapsed "$t")); first errors:"
		grep -m 15 -E ': (fatal )?error:|undefined reference|\*\*\* ' "$LOGS/make-build-fuzz.log" | indent
		FAILED=$((FAILED + ${#fuzz_targets[@]}))
	fi
fi

# ---------------------------------------------------------------- integration
# leak_check RECORD: what the script's sandbox left on the host.
leak_check() {
	local kind val p left=""
	while read -r kind val; do
		case "$kind" in
		scratch)
			if grep -qF " $val" /proc/self/mountinfo; then
				left+=" mount under $val;"
			fi
			if [ -e "$val" ]; then
				left+=" directory $val;"
				rmdir "$val" 2>/dev/null || true
			fi
			;;
		mntns)
			for p in /proc/[0-9]*; do
				[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$val" ] &&
					left+=" process ${p#/proc/} ($(tr '\0' ' ' <"$p/cmdline" 2>/dev/null));"
			done
			;;
		esac
	done <"$1"
	echo "$left"
}

run_script() { # run_script BUILD SCRIPT
	local b=$1 s=$2 name out err rec rc=0 p f k extra="" left t
	name=$(basename "$s")
	selected "$name" || return 0
	SELECTED=$((SELECTED + 1))
	out=$LOGS/$b-$name.out
	err=$LOGS/$b-$name.err
	rec=$LOGS/$b-$name.record
	: >"$rec"
	t=$(date +%s%N)
	run_env "$b" env SG_BUILD="$b" SB_RECORD="$rec" SB_TIMEOUT="$SCRIPT_TIMEOUT" \
		timeout --kill-after=10 $((SCRIPT_TIMEOUT + 30)) bash "$s" \
		>"$out" 2>"$err" </dev/null || rc=$?
	p=$(grep -c '^PASS: ' "$out")
	f=$(grep -c '^FAIL: ' "$out")
	k=$(grep -c '^SKIP: ' "$out")
	if [ "$f" = 0 ]; then
		if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
			extra="timed out (exit $rc)"
		elif [ "$rc" != 0 ]; then
			extra="exited $rc without a FAIL line"
		elif [ "$p" = 0 ]; then
			extra="no PASS line: a test must assert something"
		fi
	fi
	[ -z "$extra" ] || f=$((f + 1))
	left=$(leak_check "$rec")
	if [ -n "$left" ]; then
		f=$((f + 1))
		extra="${extra:+$extra; }left behind:$left"
	fi
	PASSED=$((PASSED + p))
	FAILED=$((FAILED + f))
	SKIPPED=$((SKIPPED + k))
	say "integration $b $name: $p passed, $f failed$([ "$k" = 0 ] || echo ", $k skipped") ($(elapsed "$t"))${extra:+: $extra}"
	grep '^SKIP: ' "$out" | indent
	if [ "$f" != 0 ]; then
		grep '^FAIL: ' "$out" | indent
		tail -n 15 "$err" | indent
	fi
}

for b in "${BUILDS[@]}"; do
	for s in tests/integration/[0-9]*.sh tests/attacks/[0-9]*.sh; do
		[ -e "$s" ] || continue
		run_script "$b" "$s"
	done
done

# ---------------------------------------------------------------- attacks
# The catalogue's rows (tests/lib/attack.sh), summed per build: every
# attack is blocked or detected, or the run has already failed.
attack_summary() { # attack_summary BUILD
	local rows
	rows=$(cat "$LOGS/$1"-[0-9]*.sh.out 2>/dev/null | grep '^ATTACK: ') || return 0
	say "attacks $1: $(printf '%s\n' "$rows" | awk '
		{ n[$4]++ }
		END { printf "%d blocked, %d detected, %d missed, %d false positives, %d legitimate uses checked, %d kernel limits stated",
			n["BLOCKED"], n["DETECTED"], n["MISSED"], n["FALSE-POSITIVE"], n["ALLOWED"], n["LIMIT"] }')"
}
for b in "${BUILDS[@]}"; do
	attack_summary "$b"
done

finish
