#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# 46-fault-policy.sh - fault: the policy file is made invalid on disk
# while the daemon runs (a bad edit, a broken deploy). The daemon guards
# its own policy, so an edit in place is refused; what gets through is a
# replace by rename(2) (how editors and configuration tools save), which
# no fanotify permission event can stop. The new file sets mode =
# permissive (were it read, every denial would become a would-deny) and
# has an invalid line.
#
# Stated outcome:
#  - (a) the running daemon is not affected: a write-open of the policy
#    is EPERM and its bytes stay; the rename goes through and is reported
#    ([changes]: a rename entry naming the policy as the new path), and
#    the new file at that path is write-protected in turn; the
#    daemon keeps enforcing the policy it started with (write-open of a
#    protected file EPERM, untrusted exec EPERM, trusted read and exec
#    ok), and `sealguard status` still names its mode and sha256. SIGHUP,
#    as sealguardd(8) says, is logged ("SIGHUP ignored: the policy is not
#    reloaded", PRIORITY=5) and changes nothing: the daemon runs on, with
#    the same decisions.
#  - (b) `sealguardd --check` and a restart with the invalid policy are
#    refused with exit status 78; the restart logs the error naming
#    file:line (SG_MSGID_START_FAILED in the journal, the same text on
#    stderr with --log-target stderr) and "refusing to start", leaves no
#    process and no mark behind (the host is unguarded: a write-open goes
#    through). A valid policy starts again.
#  - (c) the unit does not loop on it: the unit `make install` renders has
#    Restart=always and RestartPreventExitStatus=78, the refusal's status;
#    `systemd-analyze verify` accepts that unit (its ExecStart pointed at
#    the build's daemon). The daemon is never run through systemd here.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

D=$SG_BUILD/sealguardd
S=$SG_BUILD/sealguard
STATE=$SB_ROOT/sealguard-state
MSGID_START_FAILED=4f523790d417466792372df16466e740
MSGID_CHANGE=bd8ed0d140ba41aa9bd13e003c648878

fx_setup
fx_policy enforce "" "[changes]"
t_ok "baseline builds" fx_baseline
sb_start_journald
good_sha=$(fx_sha "$FX_POLICY")
cp "$FX_POLICY" "$SB_ROOT/good.conf"

# decisions PHASE: the old policy's answers.
decisions() {
	local got
	got="$(sb_try openat-wronly "$FX_FS/etc/app.conf") $(sb_try openat-wronly "$FX_ETC2/hosts")"
	got+=" $(sb_try exec "$FX_SCRATCH/dropped") $(sb_try openat-rdonly "$FX_FS/etc/app.conf")"
	got+=" $(sb_try exec "$FX_FS/bin/tool")"
	t_eq "$1: write-opens EPERM, untrusted exec EPERM, read and baselined exec ok" \
		"EPERM EPERM EPERM ok ok" "$got"
}
# status_of: "mode sha256" of the running daemon's status record.
status_of() {
	"$S" status -s "$STATE" --json 2>/dev/null |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("mode"), d.get("policy_sha256"))' \
			2>/dev/null || true
}
# start_failed_entries: "PRIORITY MESSAGE" of every START_FAILED entry
# (start-up warnings have PRIORITY 4, refusals 3 and 2).
start_failed_entries() {
	journalctl -q --no-pager -o json "MESSAGE_ID=$MSGID_START_FAILED" 2>/dev/null |
		python3 -c 'import json,sys
for l in sys.stdin:
    d=json.loads(l); print(d["PRIORITY"], d["MESSAGE"])' 2>/dev/null || true
}
has() { case "$2" in *"$1"*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------- running
sb_start_daemon "$FX_POLICY"
pid=$SB_DAEMON_PID
decisions "before"
t_eq "before: the status names mode and policy sha256" "enforce $good_sha" "$(status_of)"

# ---------------------------------------------------------------- the fault
t_eq "an edit in place is refused: write-open of the policy EPERM" EPERM \
	"$(sb_try openat-append "$FX_POLICY")"
t_eq "the policy's bytes are unchanged" "$good_sha" "$(fx_sha "$FX_POLICY")"
new=$FX_CFG/policy.conf.new
sed 's/^mode = enforce$/mode = permissive/' "$FX_POLICY" >"$new"
printf '[sealguard]\nbogus = 1\n' >>"$new"
chmod 0644 "$new"
badline=$(grep -n '^bogus = 1$' "$new" | cut -d: -f1)
t_eq "a replace by rename goes through (fanotify cannot stop a rename)" ok \
	"$(sb_try rename "$new" "$FX_POLICY")"
t_ok "the policy on disk is now the invalid one (permissive, bogus at line $badline)" \
	grep -qx 'mode = permissive' "$FX_POLICY"
t_journal "the rename over the policy is reported ([changes])" \
	"MESSAGE_ID=$MSGID_CHANGE" SEALGUARD_CHANGE=rename "SEALGUARD_PATH=$new" \
	"SEALGUARD_NEW_PATH=$FX_POLICY" "_PID=$pid"
t_eq "the new file at the policy's path is guarded too: write-open EPERM" EPERM \
	"$(sb_try openat-append "$FX_POLICY")"
decisions "after the replace"
t_eq "after the replace: the status still names the old mode and sha256" \
	"enforce $good_sha" "$(status_of)"

# ---------------------------------------------------------------- SIGHUP
kill -HUP "$pid"
e=$(sb_journal_wait "_PID=$pid" PRIORITY=5 \
	"MESSAGE=SIGHUP ignored: the policy is not reloaded; restart sealguardd to apply a new one" || true)
t_ok "SIGHUP is logged as ignored (notice)" test -n "$e"
sleep 0.3
t_ok "SIGHUP: the daemon runs on (same pid)" sb__alive "$pid"
decisions "after SIGHUP"
t_eq "after SIGHUP: the status still names the old mode and sha256" \
	"enforce $good_sha" "$(status_of)"
t_eq "after SIGHUP: no start-up error was logged (PRIORITY <= 3)" "" \
	"$(start_failed_entries | grep '^[0-3] ' || true)"

# ---------------------------------------------------------------- restart
out=$(timeout 20 "$D" --policy "$FX_POLICY" --check --log-target stderr 2>&1) && rc=0 || rc=$?
t_eq "sealguardd --check on the invalid policy: exit status 78" 78 "$rc"
t_ok "--check names file:line of the bad key" has "$FX_POLICY:$badline:" "$out"
rc=0
sb_stop_daemon || rc=$?
t_eq "the running daemon stops cleanly" 0 "$rc"
# as systemd would start it: journal logging, the unit's policy path
timeout 20 "$D" --policy "$FX_POLICY" --confine "$SB_ROOT" >"$SB_ROOT/restart.out" 2>&1 && rc=0 || rc=$?
t_eq "restart with the invalid policy: refused, exit status 78" 78 "$rc"
sb_journal_wait "MESSAGE_ID=$MSGID_START_FAILED" >/dev/null || true
entries=$(start_failed_entries)
t_ok "restart: the journal names file:line of the bad key (error)" \
	grep -q "^3 $FX_POLICY:$badline: .*bogus" <<<"$entries"
t_ok "restart: the journal says it refuses to start (critical)" \
	grep -q "^2 refusing to start: invalid policy; nothing is protected$" <<<"$entries"
out=$(timeout 20 "$D" --policy "$FX_POLICY" --confine "$SB_ROOT" --log-target stderr 2>&1) && rc=0 || rc=$?
t_eq "restart logging to stderr: exit status 78" 78 "$rc"
t_ok "restart logging to stderr: names file:line of the bad key" has "$FX_POLICY:$badline:" "$out"
t_eq "restart: no daemon process is left" "" \
	"$(for p in /proc/[0-9]*; do [ "$(readlink "$p/exe" 2>/dev/null)" != "$D" ] || echo "${p#/proc/}"; done)"
t_eq "restart refused: nothing is marked, a write-open goes through (unguarded)" ok \
	"$(sb_try openat-wronly "$FX_FS/etc/app.conf")"

# ---------------------------------------------------------------- the unit
inst=$SB_ROOT/inst
san=()
[ "$(basename "$SG_BUILD")" != build-asan ] || san=(SANITIZE=1)
make -s -C "$SB_REPO" "${san[@]}" install DESTDIR="$inst" >"$SB_ROOT/make.log" 2>&1 && rc=0 || rc=$?
t_eq "make install DESTDIR=... exits 0" 0 "$rc"
unit=$inst/lib/systemd/system/sealguard.service
key() { grep -vE '^[[:space:]]*(#|;|$)' "$unit" | sed -n "s/^$1=//p" | paste -sd'|' -; }
t_eq "installed unit: Restart=always (a killed guard comes back)" always "$(key Restart)"
t_eq "installed unit: RestartPreventExitStatus=78 (a refused policy does not loop)" 78 \
	"$(key RestartPreventExitStatus)"
prevent=" $(key RestartPreventExitStatus) "
t_ok "the refusal's status 78 is one the unit does not restart on" has " 78 " "$prevent"
if command -v systemd-analyze >/dev/null; then
	vdir=$SB_ROOT/verify
	mkdir -p "$vdir"
	# verify checks that ExecStart's binary exists: point it at ours
	sed "s|^ExecStart=/usr/sbin/sealguardd |ExecStart=$D |" "$unit" >"$vdir/sealguard.service"
	t_ok "the verified unit runs the build's daemon" grep -q "^ExecStart=$D --policy" "$vdir/sealguard.service"
	out=$(systemd-analyze verify --man=no "$vdir/sealguard.service" 2>&1) && rc=0 || rc=$?
	t_eq "systemd-analyze verify accepts the installed unit" "0:" "$rc:$out"
else
	t_fail "systemd-analyze verify accepts the installed unit" "systemd-analyze is not installed"
fi

# ---------------------------------------------------------------- repaired
cp "$SB_ROOT/good.conf" "$FX_POLICY"
sb_start_daemon "$FX_POLICY"
decisions "the valid policy back, restarted"
rc=0
sb_stop_daemon || rc=$?
t_eq "clean stop" 0 "$rc"
