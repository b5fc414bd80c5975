#!/usr/bin/env bash
# 93-heartbeat.sh - the tether's heartbeat (docs/fleet.md): one entry
# right after READY=1 and then one every heartbeat_interval seconds, with
# the hashes of the policy and baseline it really runs, the fingerprint of
# the baseline's key, the seal as the kernel shows it, the counters, the
# tamper hook, the boot id and the uptime. A bad interval is refused with
# file:line.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

S=$SG_BUILD/sealguard
HB=d5e7f95d00d0426092ca798d9b181ec7
has() { case "$2" in *"$1"*) return 0 ;; esac; return 1; }
# last_field FIELD: FIELD of the newest heartbeat
last_field() {
	journalctl -q --no-pager -o json MESSAGE_ID=$HB 2>/dev/null |
		tail -n 1 | jq -r ".$1 // \"(none)\""
}
# first_field FIELD: FIELD of the oldest heartbeat
first_field() {
	journalctl -q --no-pager -o json MESSAGE_ID=$HB 2>/dev/null |
		head -n 1 | jq -r ".$1 // \"(none)\""
}

fx_setup
fx_policy enforce "" "[tether]
heartbeat_interval = 1"
# a signed baseline: the beat names the key by its fingerprint
"$S" keygen --output "$FX_CFG/image" 2>/dev/null
sed -i "s|^baseline = .*|&\nbaseline_key = $FX_CFG/image.pub|" "$FX_POLICY"
t_ok "baseline builds" fx_baseline
t_ok "baseline is signed" "$S" baseline sign --policy "$FX_POLICY" --key "$FX_CFG/image.key"
want_policy=$(fx_sha "$FX_POLICY")
want_baseline=$(fx_sha "$FX_CFG/baseline")
# Ed25519 SubjectPublicKeyInfo: the raw key is the DER's last 32 bytes
want_key=$(openssl pkey -pubin -in "$FX_CFG/image.pub" -outform DER |
	tail -c 32 | sha256sum | cut -c1-64)

# ---------------------------------------------------------------- bad values
for bad in 0 86401 60s; do
	sed "s|^heartbeat_interval = 1\$|heartbeat_interval = $bad|" "$FX_POLICY" >"$SB_ROOT/bad.conf"
	line=$(grep -n '^heartbeat_interval' "$SB_ROOT/bad.conf" | cut -d: -f1)
	rc=0
	out=$(timeout 20 "$SG_BUILD/sealguardd" --policy "$SB_ROOT/bad.conf" \
		--confine "$SB_ROOT" --log-target stderr 2>&1) || rc=$?
	t_eq "heartbeat_interval = $bad: refused (78)" 78 "$rc"
	t_ok "heartbeat_interval = $bad: names file:line" has "$SB_ROOT/bad.conf:$line:" "$out"
done

# ---------------------------------------------------------------- beats
sb_start_journald
sb_start_daemon "$FX_POLICY"
SB_JOURNAL_WAIT=2 t_journal "the first heartbeat comes right after READY" \
	MESSAGE_ID=$HB SEALGUARD_EVENT=heartbeat SEALGUARD_HEARTBEAT_SEQ=0
t_eq "denied write" EPERM "$(sb_try open-wronly "$FX_FS/etc/app.conf")"
sleep 4.3
n=$(sb_journal_count MESSAGE_ID=$HB)
if [ "$n" -ge 4 ] && [ "$n" -le 6 ]; then
	t_pass "about one heartbeat a second (got $n in ~4.5 s)"
else
	t_fail "about one heartbeat a second" "expected 4..6 in ~4.5 s, got $n"
fi
seqs=$(journalctl -q --no-pager -o json MESSAGE_ID=$HB | jq -r .SEALGUARD_HEARTBEAT_SEQ | tr '\n' ' ')
t_eq "heartbeats are numbered without a gap" "$(seq -s ' ' 0 $((n - 1))) " "$seqs"
t_eq "heartbeat: interval" 1 "$(last_field SEALGUARD_HEARTBEAT_INTERVAL)"
t_eq "heartbeat: mode" enforce "$(last_field SEALGUARD_MODE)"
t_eq "heartbeat: policy path" "$FX_POLICY" "$(last_field SEALGUARD_POLICY)"
t_eq "heartbeat: policy SHA-256 is the real file's" "$want_policy" "$(last_field SEALGUARD_POLICY_SHA256)"
t_eq "heartbeat: baseline SHA-256 is the real file's" "$want_baseline" "$(last_field SEALGUARD_BASELINE_SHA256)"
t_eq "heartbeat: the baseline key's fingerprint (openssl's)" "$want_key" "$(last_field SEALGUARD_BASELINE_KEY)"
t_eq "heartbeat: seccomp filter in force" filter "$(last_field SEALGUARD_SECCOMP)"
t_eq "heartbeat: no_new_privs" yes "$(last_field SEALGUARD_NO_NEW_PRIVS)"
want_bnd=$(grep '^CapBnd:' "/proc/$SB_DAEMON_PID/status" | cut -f2)
t_eq "heartbeat: bounding set as the kernel shows it" "$want_bnd" "$(last_field SEALGUARD_CAP_BOUNDING)"
t_eq "heartbeat: tamper hook says none" none "$(last_field SEALGUARD_TAMPER)"
t_eq "heartbeat: the denied write is counted" 1 "$(last_field SEALGUARD_DENIED_WRITE)"
t_eq "heartbeat: before it, nothing was" 0 "$(first_field SEALGUARD_DENIED_WRITE)"
t_eq "heartbeat: boot id is the journal's" "$(last_field _BOOT_ID)" "$(last_field SEALGUARD_BOOT_ID)"
t_eq "heartbeat: boot id is the kernel's" "$(tr -d '-' </proc/sys/kernel/random/boot_id)" "$(last_field SEALGUARD_BOOT_ID)"
up=$(last_field SEALGUARD_UPTIME)
host_up=$(cut -d. -f1 /proc/uptime)
t_ok "heartbeat: host uptime within 10 s of /proc/uptime" test "$((host_up - up))" -ge 0 -a "$((host_up - up))" -le 10
dup=$(last_field SEALGUARD_DAEMON_UPTIME)
t_ok "heartbeat: daemon uptime 3..12 s (counted from start-up, not READY)" test "$dup" -ge 3 -a "$dup" -le 12
t_eq "heartbeat: written by the daemon itself" "$SB_DAEMON_PID" "$(last_field _PID)"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly" 0 "$rc"

# ---------------------------------------------------------------- fast tick
# systemd's watchdog at 1 s makes the loop tick every 500 ms: the beat must
# keep heartbeat_interval (it was due 500 ms early, so every tick beat).
wrap=$SB_ROOT/watchdog-wrap
printf '#!/bin/sh\nexport WATCHDOG_USEC=1000000 WATCHDOG_PID=$$\nexec "%s" "$@"\n' \
	"$SG_BUILD/sealguardd" >"$wrap"
chmod 0755 "$wrap"

before=$(sb_journal_count MESSAGE_ID=$HB)
SB_DAEMON_BIN=$wrap sb_start_daemon "$FX_POLICY"
sleep 4.3
pings=$(grep -c 'WATCHDOG=1' "$SB_NOTIFY_FILE" || true)
t_ok "watchdog 1 s: the loop ticks twice a second ($pings pings in ~4.5 s, want >= 7)" test "$pings" -ge 7
n=$(($(sb_journal_count MESSAGE_ID=$HB) - before))
if [ "$n" -ge 4 ] && [ "$n" -le 6 ]; then
	t_pass "watchdog 1 s: still one heartbeat a second (got $n in ~4.5 s)"
else
	t_fail "watchdog 1 s: one heartbeat a second" "expected 4..6 in ~4.5 s, got $n"
fi
rc=0
sb_stop_daemon || rc=$?
t_eq "watchdog 1 s: daemon stops cleanly" 0 "$rc"

# ---------------------------------------------------------------- default
# Without [tether]: every 60 s, so one beat (the first) in a few seconds.
sed -i '/^\[tether\]$/d; /^heartbeat_interval/d' "$FX_POLICY"
before=$(sb_journal_count MESSAGE_ID=$HB)
sb_start_daemon "$FX_POLICY"
sleep 2.5
t_eq "default interval: one heartbeat in the first seconds" $((before + 1)) "$(sb_journal_count MESSAGE_ID=$HB)"
t_eq "default interval is 60 s" 60 "$(last_field SEALGUARD_HEARTBEAT_INTERVAL)"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly (default interval)" 0 "$rc"
