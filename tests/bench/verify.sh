#!/usr/bin/env bash
# verify.sh - how fast `sealguard verify` checks a tree against its
# baseline, next to sha256sum and AIDE on the same tree, in one run.
#
#   tests/bench/verify.sh [TREE] [BUILD]      (default /usr and build/)
#
# Only reading tools run here: no daemon, no mark, nothing written
# outside a fresh temporary directory. Each contender hashes every
# regular file of TREE with SHA-256 and compares it with a record made
# just before (AIDE also compares permissions, owner, group and size, as
# verify does). The page cache is warmed first and every contender runs
# warm, twice; the faster run counts. Prints one line per contender:
# seconds, files/s, MB/s (MB = 10^6 bytes; files and bytes are the
# tree's regular files, counted once).
set -euo pipefail
tree=${1:-/usr}
build=${2:-build}
sg=$build/sealguard
[ -x "$sg" ] || { echo "verify.sh: no $sg (make)" >&2; exit 2; }
work=$(mktemp -d /tmp/sg-bench-verify.XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 0700 "$work"

cat >"$work/policy.conf" <<EOF
[sealguard]
mode = enforce
baseline = $work/baseline

[protect]
path = $tree
EOF
cat >"$work/aide.conf" <<EOF
database_in=file:$work/aide.db
database_out=file:$work/aide.db.new
# what verify compares: content (SHA-256), size, permissions, owner, group
SG = p+u+g+s+sha256
$tree SG
EOF

files=$(find "$tree" -xdev -type f | wc -l)
bytes=$(find "$tree" -xdev -type f -printf '%s\n' | awk '{ n += $1 } END { printf "%.0f", n }')
echo "tree $tree: $files regular files, $(awk -v b="$bytes" 'BEGIN { printf "%.2f GB", b / 1e9 }'), $(nproc) CPUs"

# time_best NAME CMD...: the faster of two runs
time_best() {
	local name=$1 best="" t0 t1 s i
	shift
	for i in 1 2; do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || [ $? = 1 ] # verify and aide exit 1 on drift
		t1=$(date +%s%N)
		s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
		if [ -z "$best" ] || awk -v x="$s" -v y="$best" 'BEGIN { exit !(x < y) }'; then best=$s; fi
	done
	awk -v n="$name" -v s="$best" -v f="$files" -v b="$bytes" 'BEGIN {
		printf "%-34s %7.2f s %9.0f files/s %8.0f MB/s\n", n, s, f / s, b / 1e6 / s }'
}

# warm the cache, make the records the contenders compare against
find "$tree" -xdev -type f -print0 | xargs -0 -r cat >/dev/null 2>&1 || true
"$sg" baseline build -p "$work/policy.conf" -q
have_aide=0
if command -v aide >/dev/null; then
	aide --config="$work/aide.conf" --init >/dev/null 2>&1 || true
	if [ -s "$work/aide.db.new" ]; then
		mv "$work/aide.db.new" "$work/aide.db"
		have_aide=1
	fi
fi

sha_all() { find "$tree" -xdev -type f -print0 | xargs -0 -r -n64 -P"$(nproc)" sha256sum; }
sha_one() { find "$tree" -xdev -type f -print0 | xargs -0 -r sha256sum; }
time_best "sealguard verify (threads: $(nproc))" "$sg" verify -p "$work/policy.conf"
time_best "sealguard verify -j 1" "$sg" verify -p "$work/policy.conf" -j 1
time_best "sha256sum (xargs -P$(nproc))" sha_all
time_best "sha256sum (one process)" sha_one
if [ "$have_aide" = 1 ]; then
	time_best "aide --check (sha256 p u g s)" aide --config="$work/aide.conf" --check
else
	echo "aide: not installed or --init failed: not compared"
fi
