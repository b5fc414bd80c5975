# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=bash
#
# scale.sh - the scale step's tree and policy, sourced by run.sh (make
# bench) and scale-probe.sh (the step alone), so that both measure the
# same thing.

# scale_tree DIR N: N small files under DIR, 1,000 to a directory.
scale_tree() {
	local dir=$1 n=$2 per=1000 d f
	for ((d = 0; d * per < n; d++)); do
		mkdir "$dir/d$d"
		for ((f = 0; f < per && d * per + f < n; f++)); do
			printf '%d %d\n' "$d" "$f" >"$dir/d$d/f$f"
		done
	done
}

# scale_policy FILE DIR BASELINE: enforce, DIR protected and exec-checked.
scale_policy() {
	cat >"$1" <<POLICY
[sealguard]
mode = enforce
baseline = $3

[protect]
path = $2

[exec]
scope = paths
path = $2
POLICY
}
