#!/usr/bin/env bash
# 40-lifecycle.sh - the daemon refuses to start rather than guess (bad
# policy, missing or corrupt baseline, a mark outside its confinement),
# tells systemd when it is ready, follows mounts that appear under a
# protected path, logs to stderr in the journal's shape when there is no
# journal, and releases a process blocked on it when it stops.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

D=$SG_BUILD/sealguardd
fx_setup
fx_policy enforce
t_ok "baseline builds" fx_baseline

# run_refused ARGS...: run the daemon that must refuse; echo "status|stderr"
run_refused() {
	local out rc=0
	out=$(timeout 20 "$D" --confine "$SB_ROOT" --log-target stderr "$@" 2>&1) || rc=$?
	printf '%s|%s' "$rc" "$out"
}
has() { case "$2" in *"$1"*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------- refusals
bad=$SB_ROOT/bad.conf
sed 's/^mode = enforce/mode = enforcing/' "$FX_POLICY" >"$bad"
printf 'bogus = 1\n' >>"$bad"
res=$(run_refused --policy "$bad")
t_eq "bad policy: exit status 78" 78 "${res%%|*}"
t_ok "bad policy: the error names file:line of the bad value" has "$bad:2:" "$res"
t_ok "bad policy: every error is reported (the unknown key too)" has "bogus" "$res"
t_ok "bad policy: it says it refuses to start" has "refusing to start" "$res"

cp "$FX_POLICY" "$SB_ROOT/open.conf"
chmod 0666 "$SB_ROOT/open.conf"
res=$(run_refused --policy "$SB_ROOT/open.conf")
t_eq "policy writable by others: exit status 78" 78 "${res%%|*}"
t_ok "policy writable by others: says why" has "writable by group or others" "$res"

# A protected path named through a symlink would match nothing: the
# kernel reports real paths. (/lib on Debian 12 is such a link.)
ln -s "$FX_FS/etc" "$SB_ROOT/etc-link"
sed "s|^path = $FX_FS/etc\$|path = $SB_ROOT/etc-link|" "$FX_POLICY" >"$SB_ROOT/link.conf"
line=$(grep -n "^path = $SB_ROOT/etc-link\$" "$SB_ROOT/link.conf" | cut -d: -f1)
res=$(run_refused --policy "$SB_ROOT/link.conf")
t_eq "protect path through a symlink: exit status 78" 78 "${res%%|*}"
t_ok "protect path through a symlink: names file:line and the real path" \
	has "$SB_ROOT/link.conf:$line: [protect] path '$SB_ROOT/etc-link' goes through a symlink (it is '$FX_FS/etc')" "$res"
out=$("$SG_BUILD/sealguard" check --policy "$SB_ROOT/link.conf" 2>&1) && rc=0 || rc=$?
t_ok "sealguard check refuses it too (non-zero, same message)" \
	test "$rc" != 0 -a -n "$(has "goes through a symlink" "$out" && echo y)"

cp "$FX_POLICY" "$SB_ROOT/p2.conf"
sed -i "s|^baseline = .*|baseline = $SB_ROOT/missing|" "$SB_ROOT/p2.conf"
res=$(run_refused --policy "$SB_ROOT/p2.conf")
t_eq "missing baseline: exit status 78" 78 "${res%%|*}"
t_ok "missing baseline: says which file" has "$SB_ROOT/missing" "$res"

cp "$FX_CFG/baseline" "$SB_ROOT/corrupt"
fline=$(grep -n '^f ' "$SB_ROOT/corrupt" | head -n 1 | cut -d: -f1)
sed -i "${fline}s/ [0-9a-f]\{64\} / 00zz /" "$SB_ROOT/corrupt"
sed -i "s|^baseline = .*|baseline = $SB_ROOT/corrupt|" "$SB_ROOT/p2.conf"
res=$(run_refused --policy "$SB_ROOT/p2.conf")
t_eq "corrupt baseline: exit status 78" 78 "${res%%|*}"
t_ok "corrupt baseline: names file:line" has "$SB_ROOT/corrupt:$fline:" "$res"

# A policy that names a baseline key: only a baseline signed by it runs.
S=$SG_BUILD/sealguard
"$S" keygen --output "$SB_ROOT/image" 2>/dev/null
"$S" keygen --output "$SB_ROOT/other" 2>/dev/null
sed "s|^baseline = .*|&\nbaseline_key = $SB_ROOT/image.pub|" "$FX_POLICY" >"$SB_ROOT/signed.conf"
res=$(run_refused --policy "$SB_ROOT/signed.conf")
t_eq "unsigned baseline under baseline_key: exit status 78" 78 "${res%%|*}"
t_ok "unsigned baseline: says how to sign it" has "sealguard baseline sign" "$res"
"$S" baseline sign --policy "$SB_ROOT/signed.conf" --key "$SB_ROOT/other.key" 2>/dev/null
res=$(run_refused --policy "$SB_ROOT/signed.conf")
t_eq "baseline signed with another key: exit status 78" 78 "${res%%|*}"
t_ok "another key: says the signature does not verify" has "signature does not verify" "$res"
"$S" baseline sign --policy "$SB_ROOT/signed.conf" --key "$SB_ROOT/image.key" 2>/dev/null
res=$(timeout 20 "$D" --policy "$SB_ROOT/signed.conf" --check 2>&1) && rc=0 || rc=$?
t_eq "baseline signed with the policy's key: --check passes" 0 "$rc"
printf 'f %064d 1 0644 0 0 - %s/etc/zzz\n' 0 "$FX_FS" >>"$FX_CFG/baseline"
res=$(run_refused --policy "$SB_ROOT/signed.conf")
t_eq "a line added to the signed baseline on the host: exit status 78" 78 "${res%%|*}"
"$S" baseline build --policy "$SB_ROOT/signed.conf" --quiet

res=$(timeout 20 "$D" --policy "$FX_POLICY" --confine "$FX_ETC2" --log-target stderr 2>&1) && rc=0 || rc=$?
t_eq "a mark outside --confine: refused with exit 1" 1 "$rc"
t_ok "a mark outside --confine: says which mount" has "refusing to mark" "$res"
t_eq "after every refusal no mark is left: a write goes through" ok \
	"$(sb_try openat-wronly "$FX_ETC2/hosts")"

res=$(timeout 20 "$D" --policy "$FX_POLICY" --check 2>&1) && rc=0 || rc=$?
t_eq "--check on a good policy and baseline: exit 0" 0 "$rc"

# ---------------------------------------------------------------- stderr shape
sb_start_daemon "$FX_POLICY" --log-target stderr
sb_try openat-wronly "$FX_FS/etc/app.conf" >/dev/null
sleep 0.3
line=$(grep -m1 'SEALGUARD_EVENT=write' "$SB_ROOT/daemon.log" || true)
t_ok "no journal: denial on stderr with the journal's fields" \
	has "SEALGUARD_ACTION=deny SEALGUARD_REASON=write-intent SEALGUARD_PATH=$FX_FS/etc/app.conf" "$line"
t_ok "no journal: MESSAGE_ID on the stderr line" has "MESSAGE_ID=c78e863500844543a68fdeb6331cee0e" "$line"
t_ok "sd_notify: READY=1 was sent" grep -q 'READY=1' "$SB_NOTIFY_FILE"
sleep 1.2
t_ok "sd_notify: STATUS= with counters" grep -q 'STATUS=enforce: .* 1 write denials' "$SB_NOTIFY_FILE"
t_eq "sd_notify: no WATCHDOG=1 when the unit sets no watchdog" 0 \
	"$(grep -c 'WATCHDOG=1' "$SB_NOTIFY_FILE" || true)"

rc=0
sb_stop_daemon || rc=$?
t_eq "stderr-logging daemon stops cleanly" 0 "$rc"

# ---------------------------------------------------------------- watchdog
# As systemd does for WatchdogSec=1s: the event loop pings every 0.5 s.
WATCHDOG_USEC=1000000 sb_start_daemon "$FX_POLICY" --log-target stderr
sleep 1.6
n=$(grep -c 'WATCHDOG=1' "$SB_NOTIFY_FILE" || true)
if [ "$n" -ge 2 ]; then
	t_pass "sd_notify: WATCHDOG=1 from the event loop (got $n in 1.6 s)"
else
	t_fail "sd_notify: WATCHDOG=1 from the event loop" "expected >= 2 pings in 1.6 s, got $n"
fi

# ---------------------------------------------------------------- mounts
# A filesystem mounted under a protected path after the seal is marked.
late=$(sb_mount_tmpfs late-src)
printf 'late\n' >"$late/f"
mkdir -p "$FX_FS/etc/late"
mount --move "$late" "$FX_FS/etc/late"
sleep 0.3
t_eq "file on a mount that appeared under a protected path: write denied" EPERM \
	"$(sb_try openat-wronly "$FX_FS/etc/late/f")"
t_ok "the new mark is logged" grep -q "marked new filesystem at $FX_FS/etc/late" "$SB_ROOT/daemon.log"
umount "$FX_FS/etc/late"
t_eq "after that mount went away, the guard still answers" EPERM \
	"$(sb_try openat-wronly "$FX_FS/etc/app.conf")"

# ---------------------------------------------------------------- SIGHUP
kill -HUP "$SB_DAEMON_PID"
sleep 0.3
t_ok "SIGHUP does not stop the guard" kill -0 "$SB_DAEMON_PID"
t_ok "SIGHUP says the policy is not reloaded" grep -q 'SIGHUP ignored' "$SB_ROOT/daemon.log"
t_eq "after SIGHUP the guard still denies" EPERM "$(sb_try openat-wronly "$FX_FS/etc/app.conf")"

# ---------------------------------------------------------------- stop while blocked
kill -STOP "$SB_DAEMON_PID"
out=$SB_ROOT/blocked.out
( sb_try block-open "$FX_FS/etc/app.conf" >"$out" ) &
blocked=$!
sleep 0.5
t_eq "an open waits while the daemon is stopped" "" "$(cat "$out")"
rc=0
sb_stop_daemon || rc=$? # SIGTERM then SIGCONT
wait "$blocked" || true
t_eq "a process blocked on the stopped daemon is released when it stops" ok "$(cat "$out")"
t_eq "the daemon stopped cleanly with an event pending" 0 "$rc"
t_ok "its last words are on stderr" grep -q 'stopped on signal 15' "$SB_ROOT/daemon.log"
