#!/usr/bin/env bash
# exec-latency.sh - first and repeated exec of trusted programs, with no
# guard and under sealguardd, in the test sandbox (private namespaces,
# marks only on the sandbox's own ext4 image):
#
#   sudo tests/bench/exec-latency.sh [COPIES] [REPEATS]
#
# COPIES distinct copies of /bin/true (35 KB: hashed in the event loop)
# and of bash (1.2 MB: hashed by the hasher thread) are each
# exec'd once (the guard's first sight: a hash) and then REPEATS times
# (the kernel-side cache). Prints the medians and the ratios.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${SB_INSIDE:-}" != 1 ]; then
	make -C "$repo" -j2 tests >/dev/null
	mkdir -p "$repo/build/bench"
	cc -O2 -Wall -Wextra -o "$repo/build/bench/exec-latency" "$repo/tests/bench/exec-latency.c"
fi
# shellcheck source=tests/lib/sandbox.sh
. "$repo/tests/lib/sandbox.sh"
sb_enter "$@"
COPIES=${1:-100}
REPEATS=${2:-10}
EL=$SG_BUILD/bench/exec-latency
fs=$(sb_mount_ext4 fs 256)
mkdir -p "$fs/bin" "$fs/big"
for i in $(seq "$COPIES"); do
	cp /bin/true "$fs/bin/t$i"
	cp "$(readlink -f /bin/bash)" "$fs/big/b$i" # reads stdin: /dev/null
done
small=("$fs"/bin/t*)
cfg=$(sb_mount_tmpfs cfg)
cat >"$cfg/policy.conf" <<EOF
[sealguard]
mode = enforce
baseline = $cfg/baseline

[protect]
path = $fs

[exec]
scope = paths
path = $fs
EOF
"$SG_BUILD/sealguard" baseline build --policy "$cfg/policy.conf" --quiet
measure() { "$EL" "$REPEATS" "$@" </dev/null; }
base_small=$(measure "${small[@]}")
sb_start_daemon "$cfg/policy.conf" --log-target stderr
guard_small=$(measure "${small[@]}")
guard_big=$(measure "$fs"/big/b*)
sb_stop_daemon || true
base_big=$(measure "$fs"/big/b*) # page cache warm for both by now
kv() { sed -n "s/.*$1=\\([0-9.]*\\).*/\\1/p" <<<"$2"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '| program | no guard: first / repeated µs | sealguard: first / repeated µs | ratio first / repeated |\n|---|---|---|---|\n'
for row in "true:$base_small:$guard_small" "bash:$base_big:$guard_big"; do
	IFS=: read -r name b g <<<"$row"
	printf '| %s (%s copies) | %s / %s | %s / %s | %s× / %s× |\n' "$name" "$COPIES" \
		"$(kv first_median_us "$b")" "$(kv repeat_median_us "$b")" \
		"$(kv first_median_us "$g")" "$(kv repeat_median_us "$g")" \
		"$(ratio "$(kv first_median_us "$g")" "$(kv first_median_us "$b")")" \
		"$(ratio "$(kv repeat_median_us "$g")" "$(kv repeat_median_us "$b")")"
done
