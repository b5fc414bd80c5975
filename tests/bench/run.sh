#!/usr/bin/env bash
# run.sh - `make bench`: what sealguard costs the host, side by side with
# no guard and with the two reference limits of its design, in one run:
#
#   make bench [BENCH_ARGS="--quick | --rounds N | --out FILE"]
#   tests/bench/run.sh [--quick] [--rounds N] [--out FILE]
#
# Guards (tests/bench/reflisten.c for the two limits):
#   none           no listener at all
#   allow          answers every permission event "allow": the floor of any
#                  fanotify permission guard
#   allow-syscall  reads /proc/<tid>/syscall first and denies write-opens:
#                  the floor of a guard that tells writes from reads
#   sealguard      sealguardd from $SG_BUILD (default build/), protecting
#                  the whole benchmark mount and checking every exec on it
#   fapolicyd      only when installed: see docs in README (not started
#                  here; its row says so)
#
# Safety (design.md): everything runs in the test sandbox
# (tests/lib/sandbox.sh): a private mount, pid and network namespace, marks
# only on the ext4 image and tmpfs the benchmark makes there, bounded by
# timeout (SB_TIMEOUT, 900 s). Progress goes to stderr, the report (markdown)
# to stdout and to --out FILE.
#
# Sections: per-operation cost (rounds with the guard order rotated, the
# median of each round's statistic); parallel workers; scale (RSS and
# start-up with a 100,000-file baseline; BENCH_SCALE=N for another size);
# trusted exec cache and hash rate; the listener guard (destroy latency
# with 100 and 10,000 existing sockets, idle CPU); baseline build and
# verify rates. Each goal of the performance issue is printed with its
# figure and whether it is met. BENCH_TRACE=1 traces the sandboxed run.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${SB_INSIDE:-}" != 1 ]; then
	make -C "$repo" -s -j2 tests >/dev/null
	mkdir -p "$repo/build/bench"
	for t in driver reflisten listen-latency; do
		cc -std=gnu11 -O2 -Wall -Wextra -D_GNU_SOURCE \
			-o "$repo/build/bench/$t" "$repo/tests/bench/$t.c"
	done
fi
SB_TIMEOUT=${SB_TIMEOUT:-900}
SB_DAEMON_TIMEOUT=$SB_TIMEOUT
# shellcheck source=tests/lib/sandbox.sh
. "$repo/tests/lib/sandbox.sh"
# shellcheck source=tests/bench/scale.sh
. "$repo/tests/bench/scale.sh"
sb_enter_netns "$@"
[ -z "${BENCH_TRACE:-}" ] || set -x

ROUNDS=5 QUICK=0 OUT=""
while [ $# -gt 0 ]; do
	case "$1" in
	--quick) QUICK=1 ROUNDS=3 ;;
	--rounds) ROUNDS=${2:?--rounds N}; shift ;;
	--out) OUT=${2:?--out FILE}; shift ;;
	*) echo "bench: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
B=$SG_BUILD/bench
D=$B/driver
PASSES=6 WRITES=2000 EXECS=1000 PAR_S=4 LISTEN_TRIALS=300
[ "$QUICK" = 0 ] || { PASSES=3 WRITES=500 EXECS=300 PAR_S=2 LISTEN_TRIALS=100; }
SCALE=${BENCH_SCALE:-100000}
T0=$(date +%s)

say() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
# kv KEY LINE: the value of KEY=... in a driver line
kv() { sed -n "s/.*\\<$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
# meets VALUE OP LIMIT: "met" or "NOT met"
meets() { awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
	ok = (op == "<=") ? v <= l : v >= l; print ok ? "met" : "NOT met" }'; }

# ---------------------------------------------------------------- the mount
say "making the benchmark mount (10,000 small files, program copies)"
fs=$(sb_mount_ext4 bench 512)
mkdir -p "$fs/tree" "$fs/bin" "$fs/untrusted" "$fs/protected"
for ((d = 0; d < 100; d++)); do
	mkdir "$fs/tree/d$d"
	for ((f = 0; f < 100; f++)); do
		printf 'file %d of directory %d\n' "$f" "$d" >"$fs/tree/d$d/f$f"
	done
done
for p in true cat ls tar grep; do cp "$(type -P "$p")" "$fs/bin/$p"; done
cp "$(readlink -f /bin/dash)" "$fs/bin/sh"
cp "$repo/tests/bench/realistic.sh" "$fs/bin/realistic.sh"
cp /bin/true "$fs/untrusted/true"
printf 'config\n' >"$fs/protected/config"
# a large trusted program for the hash rate: /bin/true followed by
# 256 MiB of data (the loader maps only what its headers name)
{ cat /bin/true; head -c $((256 << 20)) /dev/zero; } >"$fs/bin/big"
chmod 0755 "$fs/bin/big"
FILES=("$fs"/tree/d*/f*)
SOME=("$fs"/tree/d1/f*)

cfg=$(sb_mount_tmpfs cfg)
policy=$cfg/policy.conf
cat >"$policy" <<EOF
[sealguard]
mode = enforce
baseline = $cfg/baseline

[protect]
path = $fs
exclude = $fs/untrusted

[exec]
scope = paths
path = $fs
EOF
bl_t0=$(date +%s%N)
"$SG_BUILD/sealguard" baseline build --policy "$policy" --quiet
BUILD_MS=$(( ($(date +%s%N) - bl_t0) / 1000000 ))

# ---------------------------------------------------------------- guards
GUARDS=(none allow allow-syscall sealguard)
REF_PID=""
start_guard() {
	case "$1" in
	none) ;;
	allow | allow-syscall)
		: >"$SB_ROOT/ref-$1.log"
		sb_bg "ref-$1" "$B/reflisten" "$1" "$fs"
		REF_PID=$SB_BG_PID
		for ((i = 0; i < 100; i++)); do
			grep -q ready "$SB_ROOT/ref-$1.log" && return 0
			sleep 0.05
		done
		sb__abort "reflisten $1 did not start: $(cat "$SB_ROOT/ref-$1.log")" ;;
	sealguard) sb_start_daemon "$policy" --log-target stderr ||
		sb__abort "sealguardd did not start" ;;
	esac
}
stop_guard() {
	case "$1" in
	none) ;;
	allow | allow-syscall) sb_stop_pid "$REF_PID"; REF_PID="" ;;
	sealguard) local rc=0; sb_stop_daemon || rc=$?
		[ "$rc" = 0 ] || sb__abort "sealguardd stopped with status $rc" ;;
	esac
}

declare -A R # R[guard:metric] = the per-round values
put() { R[$1:$2]="${R[$1:$2]:-} $3"; }
get() { # get GUARD METRIC: the median over rounds
	# shellcheck disable=SC2086 # the values are numbers, split on purpose
	median ${R[$1:$2]:-0}
}

measure_round() { # measure_round GUARD
	local g=$1 line t
	line=$("$D" open "$PASSES" "${FILES[@]}")
	put "$g" open_first "$(kv first_med "$line")"
	put "$g" open_med "$(kv med "$line")"
	put "$g" open_p99 "$(kv p99 "$line")"
	line=$("$D" write "$WRITES" "$fs/protected/config")
	put "$g" write_med "$(kv med "$line")"
	R[$g:write_result]=$(kv result "$line")
	line=$("$D" exec "$EXECS" "$fs/bin/true")
	put "$g" exec_med "$(kv med "$line")"
	put "$g" exec_p99 "$(kv p99 "$line")"
	line=$("$D" exec 1 "$fs/untrusted/true")
	R[$g:untrusted]=$([ "$(kv fails "$line")" = 0 ] && echo runs || echo denied)
	t=$(date +%s%N)
	"$fs/bin/sh" "$fs/bin/realistic.sh" "$fs/tree" "$fs/bin"
	put "$g" realistic "$(awk -v a="$t" -v b="$(date +%s%N)" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')"
}

for ((r = 0; r < ROUNDS; r++)); do
	say "round $((r + 1))/$ROUNDS"
	for ((k = 0; k < ${#GUARDS[@]}; k++)); do
		g=${GUARDS[$(((k + r) % ${#GUARDS[@]}))]}
		start_guard "$g"
		measure_round "$g"
		stop_guard "$g"
		say "  $g: open $(get "$g" open_med) µs, exec $(get "$g" exec_med) µs"
	done
done

# ---------------------------------------------------------------- parallel
declare -A P
say "parallel workers"
for g in none allow-syscall sealguard; do
	start_guard "$g"
	for w in 1 2 4 8; do
		line=$("$D" parallel "$w" "$PAR_S" "$fs/bin/true" "${SOME[@]}")
		P[$g:$w]="$(kv ops_per_s "$line") $(kv p99 "$line")"
	done
	stop_guard "$g"
done

# ---------------------------------------------------------------- exec cache, hash rate
say "first and repeated exec of a 256 MiB trusted program"
start_guard sealguard
first=$("$D" exec 1 "$fs/bin/big")
again=$("$D" exec 20 "$fs/bin/big")
stop_guard sealguard
none_big=$("$D" exec 20 "$fs/bin/big")
HASH_MS=$(awk -v a="$(kv med "$first")" -v b="$(kv med "$none_big")" 'BEGIN { printf "%.1f", (a - b) / 1e3 }')
HASH_GBS=$(awk -v ms="$HASH_MS" 'BEGIN { if (ms > 0) printf "%.2f", (256 / 1024) / (ms / 1e3); else print "-" }')
BIG_RATIO=$(ratio "$(kv med "$again")" "$(kv med "$none_big")")

# ---------------------------------------------------------------- scale
say "scale: a $SCALE-file baseline (tmpfs tree, RSS and start-up)"
big=$(sb_mount_tmpfs scale)
scale_tree "$big" "$SCALE"
spolicy=$cfg/scale.conf
scale_policy "$spolicy" "$big" "$cfg/scale.baseline"
t=$(date +%s%N)
"$SG_BUILD/sealguard" baseline build --policy "$spolicy" --quiet
SCALE_BUILD_S=$(awk -v a="$t" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
t=$(date +%s%N)
"$SG_BUILD/sealguard" verify --policy "$spolicy" >/dev/null 2>&1
SCALE_VERIFY_S=$(awk -v a="$t" -v b="$(date +%s%N)" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
line=$("$D" ready 60 "$SG_BUILD/sealguardd" --policy "$spolicy" --confine "$SB_ROOT" --log-target stderr 2>>"$SB_ROOT/scale-daemon.log") ||
	sb__abort "sealguardd with a $SCALE-file baseline did not start: $(tail -n 5 "$SB_ROOT/scale-daemon.log")"
spid=$(kv pid "$line")
START_MS=$(kv ready_ms "$line")
sleep 0.5
# the protected-inode index, walked by a thread from the marks on
INDEX_MS=-
for ((i = 0; i < 200; i++)); do
	INDEX_MS=$(sed -n 's/.*protected-inode index complete: [0-9]* inode(s) in \([0-9]*\) ms.*/\1/p' "$SB_ROOT/scale-daemon.log" | tail -n 1)
	[ -n "$INDEX_MS" ] && break
	sleep 0.1
done
RSS_MB=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$spid/status")
sb_stop_pid "$spid"

# ---------------------------------------------------------------- listener guard
say "listener guard: destroy latency and idle CPU"
cpu_pct() { # cpu_pct PID SECONDS: CPU use of PID (all threads), % of one core
	local a b
	a=$(awk '{ s += $1 } END { print s }' /proc/"$1"/task/*/schedstat)
	sleep "$2"
	b=$(awk '{ s += $1 } END { print s }' /proc/"$1"/task/*/schedstat)
	awk -v a="$a" -v b="$b" -v s="$2" 'BEGIN { printf "%.2f", (b - a) / (s * 1e9) * 100 }'
}
lpolicy=$cfg/listen.conf
{ cat "$policy"; printf '\n[listen]\nallow = tcp 30000-40000 loopback\n'; } >"$lpolicy"
declare -A L
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
for n in 100 10000; do
	sb_bg "holders-$n" "$SG_BUILD/tools/sglisten" burst tcp 127.0.0.1 30000 "$n" 600
	hp=$SB_BG_PID
	for ((i = 0; i < 200; i++)); do
		grep -qs ready "$SB_ROOT/holders-$n.log" && break
		sleep 0.05
	done
	policy_saved=$policy policy=$lpolicy
	start_guard sealguard
	policy=$policy_saved
	line=$("$B/listen-latency" "$LISTEN_TRIALS" 8080 40)
	L[$n:p99]=$(awk '{ for (i = 1; i < NF; i++) if ($i == "p99") print $(i + 1) }' <<<"$line")
	L[$n:med]=$(awk '{ for (i = 1; i < NF; i++) if ($i == "median") print $(i + 1) }' <<<"$line")
	L[$n:misses]=$(awk '{ for (i = 1; i < NF; i++) if ($i == "misses") print $(i + 1) }' <<<"$line")
	L[$n:idle]=$(cpu_pct "$SB_DAEMON_PID" 10)
	stop_guard sealguard
	sb_stop_pid "$hp"
done

# ---------------------------------------------------------------- report
n() { get none "$1"; }
report() {
	local g
	echo "# sealguard benchmark (make bench)"
	echo
	echo "- $(date -u '+%Y-%m-%d %H:%M UTC'); kernel $(uname -r); $(nproc) CPUs; $(. /etc/os-release && echo "$PRETTY_NAME")"
	echo "- $ROUNDS rounds, guard order rotated each round; cells are medians over rounds of each round's median; run time $(($(date +%s) - T0)) s"
	echo "- mount: ext4 image in a private mount namespace, 10,000 files of ~25 bytes; open = open+read(1)+close, passes 2..$PASSES; exec = fork+execve+waitpid of a copy of /bin/true on the mount; write-attempt = open(O_WRONLY) of a protected file; realistic = tests/bench/realistic.sh run by a dash copy on the mount"
	echo "- fapolicyd: $(command -v fapolicyd >/dev/null && echo "installed, not run by this benchmark (its private configuration is not written here yet)" || echo "not installed: no row")"
	echo
	echo "| guard | open µs med / p99 | open ×none | write-attempt µs | write result | exec µs med / p99 | exec ×none | untrusted exec | realistic s | realistic ×none |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	for g in "${GUARDS[@]}"; do
		echo "| $g | $(get "$g" open_med) / $(get "$g" open_p99) | $(ratio "$(get "$g" open_med)" "$(n open_med)")× | $(get "$g" write_med) | ${R[$g:write_result]} | $(get "$g" exec_med) / $(get "$g" exec_p99) | $(ratio "$(get "$g" exec_med)" "$(n exec_med)")× | ${R[$g:untrusted]} | $(get "$g" realistic) | $(ratio "$(get "$g" realistic)" "$(n realistic)")× |"
	done
	echo
	echo "Parallel (each worker: one pass of opens over 100 files, then one exec; $PAR_S s): ops/s and the worst worker's p99 µs"
	echo
	echo "| guard | 1 worker | 2 workers | 4 workers | 8 workers |"
	echo "|---|---|---|---|---|"
	for g in none allow-syscall sealguard; do
		printf '| %s |' "$g"
		for w in 1 2 4 8; do
			read -r ops p99 <<<"${P[$g:$w]}"
			printf ' %s ops/s, p99 %s |' "$ops" "$p99"
		done
		echo
	done
	echo
	local sg_open sys_open sys_p99 sg_p99 allow_open
	sg_open=$(get sealguard open_med) sys_open=$(get allow-syscall open_med)
	sg_p99=$(get sealguard open_p99) sys_p99=$(get allow-syscall open_p99)
	allow_open=$(get allow open_med)
	local par1 par8
	read -r _ par1 <<<"${P[sealguard:1]}"
	read -r _ par8 <<<"${P[sealguard:8]}"
	echo "| goal | measured | |"
	echo "|---|---|---|"
	echo "| open median ≤ 1.0× allow-syscall | $(ratio "$sg_open" "$sys_open")× | $(meets "$(ratio "$sg_open" "$sys_open")" "<=" 1.0) |"
	echo "| open p99 ≤ 1.1× allow-syscall | $(ratio "$sg_p99" "$sys_p99")× | $(meets "$(ratio "$sg_p99" "$sys_p99")" "<=" 1.1) |"
	echo "| open median ≤ 1.1× allow | $(ratio "$sg_open" "$allow_open")× | $(meets "$(ratio "$sg_open" "$allow_open")" "<=" 1.1) |"
	echo "| write-deny ≤ 1.1× allow-syscall's denial | $(ratio "$(get sealguard write_med)" "$(get allow-syscall write_med)")× | $(meets "$(ratio "$(get sealguard write_med)" "$(get allow-syscall write_med)")" "<=" 1.1) |"
	echo "| parallel: 8-worker p99 ≤ 2× 1-worker p99 | $(ratio "$par8" "$par1")× | $(meets "$(ratio "$par8" "$par1")" "<=" 2.0) |"
	echo "| RSS with a $SCALE-file baseline ≤ 20 MB | $RSS_MB MB | $(meets "$RSS_MB" "<=" 20) |"
	echo "| start-up (policy, baseline, marks, READY) ≤ 200 ms | $START_MS ms (then the protected-inode index, walked from the marks on in a thread: ${INDEX_MS:-?} ms) | $(meets "$START_MS" "<=" 200) |"
	echo "| repeated trusted exec ≤ 1.02× none | $(ratio "$(get sealguard exec_med)" "$(n exec_med)")× (256 MiB program: ${BIG_RATIO}×) | $(meets "$(ratio "$(get sealguard exec_med)" "$(n exec_med)")" "<=" 1.02) |"
	echo "| first exec of a large trusted program hashed ≥ 1 GB/s | $HASH_GBS GiB/s (256 MiB in $HASH_MS ms) | $(meets "$HASH_GBS" ">=" 1.0) |"
	for k in 100 10000; do
		echo "| listener destroy p99 ≤ 20 ms, $k sockets | ${L[$k:p99]} ms (median ${L[$k:med]}, ${L[$k:misses]} missed) | $(meets "${L[$k:p99]}" "<=" 20) |"
		echo "| listener guard idle CPU ≤ 0.5 %, $k sockets | ${L[$k:idle]} % | $(meets "${L[$k:idle]}" "<=" 0.5) |"
	done
	echo "| baseline build / verify, $SCALE files | ${SCALE_BUILD_S} s / ${SCALE_VERIFY_S} s (benchmark mount: $BUILD_MS ms) | $(command -v aide >/dev/null && echo "AIDE installed: comparison not run here" || echo "AIDE not installed: no ratio") |"
}
if [ -n "$OUT" ]; then
	report | tee "$OUT"
else
	report
fi
