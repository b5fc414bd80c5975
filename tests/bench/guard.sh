#!/usr/bin/env bash
# guard.sh - run sealguardd as the "custom" guard of the shared benchmark
# harness (../shared/bench/run.sh), which calls it inside its own private
# mount namespace with the ext2 mount it created:
#
#   ../shared/bench/run.sh --guards none,allow,allow-syscall,fapolicyd,custom \
#       --guard-name sealguard \
#       --guard-cmd "$PWD/tests/bench/guard.sh {MNT} {POLICY_DIR} $PWD/build"
#
# The whole mount is write-protected and exec-checked; untrusted/ (the
# harness's untrusted copy of bin/true) is excluded from the baseline, so
# its exec must be denied. --confine keeps the daemon on MNT alone, and
# --log-target stderr keeps the harness's denials out of the host journal.
set -euo pipefail
mnt=${1:?MNT} dir=${2:?POLICY_DIR} build=${3:?BUILD_DIR}
policy=$dir/sealguard.conf
cat >"$policy" <<EOF
[sealguard]
mode = enforce
baseline = $dir/sealguard.baseline

[protect]
path = $mnt
exclude = $mnt/untrusted

[exec]
scope = paths
path = $mnt
EOF
# The tree is the same every round: build the baseline once.
[ -s "$dir/sealguard.baseline" ] ||
	"$build/sealguard" baseline build --policy "$policy" --quiet
exec "$build/sealguardd" --policy "$policy" --confine "$mnt" --log-target stderr
