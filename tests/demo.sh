#!/usr/bin/env bash
# demo.sh - build sealguard and show it working, in a safe sandbox.
#
#   sudo tests/demo.sh
#
# Installs what it needs (tests/install-deps.sh), builds, then in a private
# mount and pid namespace: makes a small golden tree on a loop-mounted ext4
# image and a /tmp-like tmpfs, builds and checks the baseline, starts a
# private journald and sealguardd, and tries what an intruder would: change
# a protected file, run a dropped binary, run it through the loader; shows
# what the journal recorded; then, with a [respond] section, the intruder's
# shell is killed and a hook gets the event. Nothing outside the sandbox
# is marked or changed.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
if [ "${SB_INSIDE:-}" != 1 ]; then
	"$repo/tests/install-deps.sh" >/dev/null
	make -C "$repo" -j2 tests >/dev/null
fi
# shellcheck source=tests/lib/sandbox.sh
. "$repo/tests/lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$repo/tests/lib/fixture.sh"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ %s\n' "$*"; "$@" 2>&1 || true; }
try() { printf '$ %s\n' "$*"; bash -c "$*" 2>&1 && echo "(allowed)" || echo "(exit $?)"; }

say "a golden tree: $SB_ROOT/fs (ext4), $SB_ROOT/etc2 and $SB_ROOT/scratch (tmpfs)"
fx_setup
fx_policy enforce
show cat "$FX_POLICY"

say "build and check the baseline (on a real host: at image build time)"
show "$FX_SEALGUARD" baseline build --policy "$FX_POLICY"
show "$FX_SEALGUARD" check --policy "$FX_POLICY"

say "seal: a private journald, then sealguardd (READY=1 once every mark is placed)"
sb_start_journald
sb_start_daemon "$FX_POLICY"
echo "sealguardd is running as pid $SB_DAEMON_PID"

say "an intruder tries to change a protected file"
try "echo evil >> $FX_FS/etc/app.conf"
try "cp /etc/hostname $FX_FS/bin/tool"
show cat "$FX_FS/etc/app.conf"

say "... to run a dropped binary, directly and through the loader"
try "$FX_SCRATCH/dropped"
try "$(readlink -f /lib64/ld-linux-x86-64.so.2) $FX_SCRATCH/dropped"

say "trusted programs keep working"
try "$FX_FS/bin/tool && cat $FX_FS/etc/app.conf"

sleep 0.5
say "what the journal recorded (journalctl SYSLOG_IDENTIFIER=sealguardd)"
journalctl --no-pager -q -o cat SYSLOG_IDENTIFIER=sealguardd
say "one entry with its fields (journalctl SEALGUARD_EVENT=exec SEALGUARD_VIA=loader -o verbose)"
journalctl --no-pager -q -o verbose SEALGUARD_EVENT=exec SEALGUARD_VIA=loader |
	grep -E '^ +(MESSAGE|MESSAGE_ID|PRIORITY|SEALGUARD_[A-Z_]+)=' | sort -u
sb_stop_daemon || true

say "responses ([respond], docs/respond.md): kill the writer, run a hook"
printf '#!/bin/sh\n# a hook: the event comes as SEALGUARD_* variables and as JSON on stdin\ncat >%s\n' \
	"$FX_SCRATCH/notified.json" >"$FX_FS/bin/notify"
chmod 0755 "$FX_FS/bin/notify"
fx_policy enforce "" "[respond]
write = kill, hook
hook = $FX_FS/bin/notify"
show tail -n 3 "$FX_POLICY"
"$FX_SEALGUARD" baseline build --policy "$FX_POLICY" --quiet
sb_start_daemon "$FX_POLICY"
try "echo evil >> $FX_FS/etc/app.conf; echo 'never printed: the shell was killed'"
sleep 0.5
show cat "$FX_SCRATCH/notified.json"
journalctl --no-pager -q -o cat SEALGUARD_EVENT=response
sb_stop_daemon || true
say "stopped; the sandbox and its mounts are gone when this script exits"
