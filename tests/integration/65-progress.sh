#!/usr/bin/env bash
# 65-progress.sh - `baseline build` and `verify` show one updating
# progress line on a terminal (files done of the total, MB, MB/s, the
# time left), rewritten in place and erased before the summary; nothing
# of it when stderr is not a terminal, and nothing at all with --quiet.
# The terminal is a real pty (script(1)).
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"

SG=$SG_BUILD/sealguard
T=$(sb_mount_tmpfs prog)
C=$(sb_mount_tmpfs progcfg)
mkdir -p "$T/tree/a" "$T/tree/b"
for i in $(seq 1 400); do printf '%s\n' "$i" >"$T/tree/a/f$i"; done
# a large sparse file (no memory on tmpfs) that takes a while to hash,
# so the line is drawn while the small files are done and it is not
truncate -s 2G "$T/tree/b/big"
cat >"$C/policy.conf" <<-EOF
	[sealguard]
	mode = enforce
	baseline = $C/baseline

	[protect]
	path = $T/tree
EOF

# on_tty CMD...: run CMD on a pty; its output (stdout and stderr) in $W/tty
W=$C
on_tty() {
	script -qec "$(printf '%q ' "$@")" /dev/null >"$W/tty" 2>&1
}

on_tty "$SG" baseline build -p "$C/policy.conf" -j 2 && rc=0 || rc=$?
t_eq "baseline build on a terminal exits 0" 0 "$rc"
t_ok "a progress line is drawn: 'baseline build: N/401 files  X MB  Y MB/s'" \
	grep -qaE $'baseline build: [0-9]+/401 files  [0-9.]+ MB  [0-9.]+ MB/s' "$W/tty"
t_ok "... with the time left while files remain" grep -qaE 'ETA [0-9]+:[0-9]{2}' "$W/tty"
t_ok "... rewritten in place (carriage return, erase to end of line)" \
	grep -qaF $'\r\033[K' "$W/tty"
t_ok "... and erased before the summary, which follows on the same line start" \
	grep -qaF $'\r\033[Ksealguard: wrote baseline' "$W/tty"

"$SG" baseline build -p "$C/policy.conf" -o "$C/b2" 2>"$W/notty" && rc=0 || rc=$?
t_eq "stderr not a terminal: exit 0" 0 "$rc"
t_eq "... no carriage return, no escape in stderr" 0 "$(grep -cP '\r|\e' "$W/notty" || true)"
t_ok "... the summary line only" grep -q '^sealguard: wrote baseline' "$W/notty"
t_eq "... one line" 1 "$(wc -l <"$W/notty")"

on_tty "$SG" baseline build -p "$C/policy.conf" -o "$C/b3" -q && rc=0 || rc=$?
t_eq "--quiet on a terminal: exit 0, nothing printed" "0 0" "$rc $(wc -c <"$W/tty")"

on_tty "$SG" verify -p "$C/policy.conf" -j 2 && rc=0 || rc=$?
t_eq "verify on a terminal: exit 0 (no drift)" 0 "$rc"
t_ok "verify draws its own line" grep -qaE 'verify: [0-9]+/401 files' "$W/tty"
t_ok "... erased before its summary" grep -qaF $'\r\033[Ksealguard: verified' "$W/tty"
on_tty "$SG" verify -p "$C/policy.conf" -q && rc=0 || rc=$?
t_eq "verify --quiet on a terminal: exit 0, nothing printed" "0 0" "$rc $(wc -c <"$W/tty")"
