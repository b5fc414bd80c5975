#!/usr/bin/env bash
# 87-cli-badinput.sh - bad input to every sealguard command: a missing
# option argument, a file that does not exist, a directory or a FIFO
# where a file is expected, a path longer than PATH_MAX, a name that is
# not UTF-8, a bad number. Each gives exit status 2 (sealguard(1): an
# error), an error on stderr that names the problem (one line: no usage
# dump), nothing on stdout, within a bound (a FIFO must not hang it),
# and changes nothing on disk. 86-cli.sh covers unknown options and
# --help; this script covers what the options are given.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

S=$SG_BUILD/sealguard
fx_setup
fx_policy enforce
t_ok "baseline builds" fx_baseline
W=$SB_ROOT/work
mkdir -p "$W/dir"
mkfifo "$W/fifo"
long=$W/$(printf 'x%.0s' $(seq 5000))
nonutf=$W/$'\xff\xfe'bad
# everything a command could touch: the fixture's trees and the work dir
snapshot() {
	find "$FX_FS" "$FX_ETC2" "$FX_CFG" "$W" -xdev -printf '%p %s %m %T@\n' 2>/dev/null |
		sort | sha256sum
}
before=$(snapshot)

# bad DESC CMD...: exit 2, stderr one line that says what is wrong (and
# at most a second that points to --help), empty stdout, < 10 s
bad() {
	local desc=$1 rc=0 err out
	shift
	out=$(timeout 10 "$S" "$@" 2>"$SB_ROOT/.err" </dev/null) || rc=$?
	err=$(cat "$SB_ROOT/.err")
	t_eq "$desc: exit 2" 2 "$rc"
	t_ok "$desc: a short error on stderr ($(head -n 1 <<<"$err" | head -c 160))" \
		test -n "$err" -a "$(wc -l <<<"$err")" -le 2
	t_eq "$desc: nothing on stdout" "" "$out"
}

# A directory or a FIFO named as the policy or the baseline cannot be
# read as one: exit 2, as for a missing file (not 1, "problems found").
P=$FX_POLICY
B=$FX_CFG/baseline
for c in check verify; do
	bad "$c -p (no argument)" $c -p
	bad "$c -p NONEXISTENT" $c -p "$W/none"
	bad "$c -p LONG" $c -p "$long"
	bad "$c -p NON-UTF-8" $c -p "$nonutf"
done
for c in check verify; do
	bad "$c -p DIRECTORY" $c -p "$W/dir"
	bad "$c -p FIFO" $c -p "$W/fifo"
done
# check reports file by file: the valid policy's OK line stays on stdout
for f in dir fifo; do
	rc=0
	out=$(timeout 10 "$S" check -p "$P" -b "$W/$f" 2>"$SB_ROOT/.err") || rc=$?
	t_eq "check -b ${f^^}: exit 2" 2 "$rc"
	t_eq "check -b ${f^^}: the baseline is named as not a regular file" \
		"$W/$f: not a regular file" "$(head -n 1 "$SB_ROOT/.err")"
	t_eq "check -b ${f^^}: stdout has only the policy's OK" \
		"policy $P: OK" "$out"
done
bad "verify -b DIRECTORY" verify -p "$P" -b "$W/dir"
bad "verify -b FIFO" verify -p "$P" -b "$W/fifo"
bad "verify -j NOT-A-NUMBER" verify -p "$P" -j many
bad "baseline build -p NONEXISTENT" baseline build -p "$W/none"
bad "baseline build -o (no argument)" baseline build -p "$P" -o
bad "baseline build -o into a missing directory" baseline build -p "$P" -o "$W/none/b" -q
bad "baseline build -o LONG" baseline build -p "$P" -o "$long" -q
bad "baseline build -j NOT-A-NUMBER" baseline build -p "$P" -j -1
bad "baseline sign without a key file" baseline sign -p "$P" -k "$W/none.key"
bad "baseline sign -k DIRECTORY" baseline sign -p "$P" -k "$W/dir"
bad "baseline sign -k FIFO" baseline sign -p "$P" -k "$W/fifo"
bad "keygen -o (no argument)" keygen -o
bad "keygen -o into a missing directory" keygen -o "$W/none/k"
bad "keygen -o LONG" keygen -o "$long"
bad "fleet --file NONEXISTENT" fleet --file "$W/none.journal"
bad "fleet -D NONEXISTENT" fleet -D "$W/none"
bad "fleet --since NOT-A-NUMBER" fleet -D "$W/dir" --since soon
bad "status with an argument" status extra
bad "a command that does not exist, not UTF-8" $'\xff'

t_eq "nothing changed on disk" "$before" "$(snapshot)"
