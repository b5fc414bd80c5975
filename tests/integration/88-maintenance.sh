#!/usr/bin/env bash
# 88-maintenance.sh - `sealguard maintenance -- COMMAND` against the
# sandboxed daemon. Before: a write to a protected file and the exec of a
# new program are EPERM. The command rewrites a protected file, copies a
# new program under a protected path and runs it, creates and removes a
# file: all allowed, journaled (SEALGUARD_REASON=maintenance-window, the
# window's id), its changes logged as maintenance-window at notice and
# interval verify passes held while the window is open. The window opens
# and closes in the journal (warning, the CLI's pid and command line, the
# counts), the baseline is rebuilt (verify: no drift), and afterwards the
# guard denies again; the restarted daemon trusts the new program. A
# failing command keeps its exit status (3) and leaves the baseline as it
# was; a missing command is 127; bad usage, a stopped daemon and a signed
# baseline are 125 with nothing changed. What an attacker might try with
# a window is tests/attacks/82-maintenance.sh.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

S=$FX_SEALGUARD
STATE=$SB_ROOT/sealguard-state
OPEN=58a8a5a1272040a59579e098889300ed
CLOSED=3c84bb66f0d3499db09ade961156b5a9
REFUSED=9701c3dd6b18456eaac4b90799cca119
msgid() { sed -nE "s/^#define SG_MSGID_$1 \"([0-9a-f]{32})\".*/\1/p" "$SB_REPO/include/messages.h"; }
WRITE_ALLOWED=$(msgid WRITE_ALLOWED)
EXEC_ALLOWED=$(msgid EXEC_ALLOWED)
CHANGE=$(msgid CHANGE)
VERIFY=$(msgid VERIFY_DONE)
t_eq "the message ids of the window are the header's" \
	"$OPEN $CLOSED $REFUSED" "$(msgid MAINTENANCE_OPEN) $(msgid MAINTENANCE_CLOSED) $(msgid MAINTENANCE_REFUSED)"

fx_setup
fx_policy enforce "" "[changes]
verify_interval = 1

[tether]
heartbeat_interval = 1"
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

# maint ARGS...: the CLI pointed at the sandbox's state; sets rc, out, err.
maint() {
	rc=0
	out=$(timeout 60 "$S" maintenance --state-dir "$STATE" "$@" 2>"$SB_ROOT/m.err") || rc=$?
	err=$(cat "$SB_ROOT/m.err")
}
field() { # field JSON-LINE NAME
	python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get(sys.argv[2], ""))' "$1" "$2"
}
newest() { sb_journal_wait "$@" | tail -n 1; }

t_eq "before: a write-open of a protected file is EPERM" EPERM \
	"$(sb_try openat-wronly "$FX_FS/etc/app.conf")"
cp /bin/echo "$FX_SCRATCH/newtool"
t_eq "before: a new program is refused (EPERM)" EPERM "$(sb_try exec "$FX_SCRATCH/newtool")"
baseline_sha=$(fx_sha "$FX_CFG/baseline")

# ---------------------------------------------------------------- a window
cat >"$SB_ROOT/work.sh" <<EOF
set -e
printf 'maintained\n' >"$FX_FS/etc/app.conf"
cp "$FX_SCRATCH/newtool" "$FX_FS/bin/newtool"
"$FX_FS/bin/newtool" ran-in-window >"$SB_ROOT/newtool.out"
: >"$FX_FS/etc/tmpfile"
rm "$FX_FS/etc/tmpfile"
sleep 2.5
cp "$STATE/status" "$SB_ROOT/status.during"
EOF
t_ok "interval verify passes run (one before the window)" sb_journal_wait MESSAGE_ID=$VERIFY
maint --no-restart -- sh "$SB_ROOT/work.sh"
t_eq "the command ran and maintenance returned its status 0" 0 "$rc"
t_file_content "the protected file was rewritten in the window" "$FX_FS/etc/app.conf" maintained
t_file_content "the new program ran in the window" "$SB_ROOT/newtool.out" ran-in-window
t_ok "stderr says the window opened" grep -q 'window .* open for at most 900 s' <<<"$err"
t_ok "stderr says it closed and to restart the daemon" grep -q 'restart sealguardd to load the new baseline' <<<"$err"

o=$(newest MESSAGE_ID=$OPEN)
id=$(field "$o" SEALGUARD_MAINTENANCE_ID)
t_ok "journal: the window opened, with an id ($id)" test -n "$id"
t_eq "journal: the open is a warning" 4 "$(field "$o" PRIORITY)"
t_ok "journal: the open names the CLI's command line" \
	grep -q "maintenance --state-dir $STATE --no-restart -- sh $SB_ROOT/work.sh" <<<"$(field "$o" SEALGUARD_COMMAND)"
t_eq "journal: the open names the bound" 900 "$(field "$o" SEALGUARD_SECONDS)"
t_eq "journal: the root is the CLI ($(field "$o" SEALGUARD_EXE))" "$(readlink -f "$S")" "$(field "$o" SEALGUARD_EXE)"
w=$(newest MESSAGE_ID=$WRITE_ALLOWED SEALGUARD_PATH="$FX_FS/etc/app.conf")
t_eq "journal: the write was allowed for the window" "maintenance-window $id 5" \
	"$(field "$w" SEALGUARD_REASON) $(field "$w" SEALGUARD_MAINTENANCE_ID) $(field "$w" PRIORITY)"
e=$(newest MESSAGE_ID=$EXEC_ALLOWED SEALGUARD_PATH="$FX_FS/bin/newtool")
t_eq "journal: the new program's exec was allowed for the window" "maintenance-window $id" \
	"$(field "$e" SEALGUARD_REASON) $(field "$e" SEALGUARD_MAINTENANCE_ID)"
# the create is the shell's own (alive until the end): attributed; the
# removal is rm's, which may exit before its event is read: then it is
# a warning whose hooks are held while the window is open
ch=$(newest MESSAGE_ID=$CHANGE SEALGUARD_PATH="$FX_FS/etc/tmpfile" SEALGUARD_CHANGE=create)
t_eq "journal: the window's change is logged as expected, at notice, with its id" "maintenance-window 5 $id" \
	"$(field "$ch" SEALGUARD_REASON) $(field "$ch" PRIORITY) $(field "$ch" SEALGUARD_MAINTENANCE_ID)"
ch=$(newest MESSAGE_ID=$CHANGE SEALGUARD_PATH="$FX_FS/etc/tmpfile" SEALGUARD_CHANGE=delete)
t_ok "journal: rm's removal is attributed or held, with the window's id ($(field "$ch" SEALGUARD_REASON) $(field "$ch" PRIORITY))" \
	grep -qxE "maintenance-window 5 $id|maintenance-window-unattributed 4 $id" <<<"$(field "$ch" SEALGUARD_REASON) $(field "$ch" PRIORITY) $(field "$ch" SEALGUARD_MAINTENANCE_ID)"
c=$(newest MESSAGE_ID=$CLOSED SEALGUARD_MAINTENANCE_ID="$id")
t_eq "journal: the window closed at the CLI's request" "closed by its command" "$(field "$c" SEALGUARD_REASON)"
t_ok "journal: the close counts the writes ($(field "$c" SEALGUARD_WRITES)) and execs ($(field "$c" SEALGUARD_EXECS))" \
	test "$(field "$c" SEALGUARD_WRITES)" -ge 3 -a "$(field "$c" SEALGUARD_EXECS)" -ge 1
t_ok "journal: the duration is the command's (at least 2.5 s: $(field "$c" SEALGUARD_DURATION_MS) ms)" \
	test "$(field "$c" SEALGUARD_DURATION_MS)" -ge 2500
HEARTBEAT=$(msgid HEARTBEAT)
t_ok "the heartbeat carried the open window (SEALGUARD_MAINTENANCE=$id)" \
	sb_journal_wait MESSAGE_ID="$HEARTBEAT" SEALGUARD_MAINTENANCE="$id"
t_ok "the status record said the window was open" \
	grep -q "maintenance window $id open ([0-9]* s left)" "$SB_ROOT/status.during"
v1=$(journalctl -q --no-pager -o json MESSAGE_ID=$VERIFY | python3 -c '
import json, sys
o = int(sys.argv[1]); c = int(sys.argv[2])
n = sum(1 for l in sys.stdin if o < int(json.loads(l)["__REALTIME_TIMESTAMP"]) < c)
print(n)' "$(field "$o" __REALTIME_TIMESTAMP)" "$(field "$c" __REALTIME_TIMESTAMP)")
t_eq "no interval verify pass ran while the window was open (verify_interval = 1)" 0 "$v1"

t_ok "the baseline was rebuilt" test "$(fx_sha "$FX_CFG/baseline")" != "$baseline_sha"
rc=0
"$S" verify --policy "$FX_POLICY" >"$SB_ROOT/v.out" 2>&1 || rc=$?
t_eq "sealguard verify: no drift against the rebuilt baseline" 0 "$rc"

sleep 1.2
t_eq "after the window: the heartbeat says none" none \
	"$(field "$(sb_journal_wait MESSAGE_ID="$HEARTBEAT" | tail -n 1)" SEALGUARD_MAINTENANCE)"
t_eq "after the window: a write-open is EPERM again" EPERM \
	"$(sb_try openat-wronly "$FX_FS/etc/app.conf")"
t_eq "after the window: the running daemon still has the old baseline (new program EPERM)" \
	EPERM "$(sb_try exec "$FX_FS/bin/newtool")"
rc=0
sb_stop_daemon || rc=$?
t_eq "clean stop" 0 "$rc"
sb_start_daemon "$FX_POLICY"
t_eq "restarted: the new program is trusted" ok "$(sb_try exec "$FX_FS/bin/newtool")"
t_eq "restarted: a write-open is EPERM" EPERM "$(sb_try openat-wronly "$FX_FS/etc/app.conf")"

# ---------------------------------------------------------------- exit statuses
baseline_sha=$(fx_sha "$FX_CFG/baseline")
maint --no-restart -- sh -c "printf failed >'$FX_FS/etc/app.conf'; exit 3"
t_eq "a failing command: its own status (3)" 3 "$rc"
t_file_content "... its write happened in the window" "$FX_FS/etc/app.conf" failed
t_eq "... the baseline was not rebuilt" "$baseline_sha" "$(fx_sha "$FX_CFG/baseline")"
t_ok "... and stderr says so" grep -q 'the baseline was not rebuilt' <<<"$err"
t_eq "... the window was closed" "closed by its command" \
	"$(field "$(newest MESSAGE_ID=$CLOSED)" SEALGUARD_REASON)"
maint --no-restart -- /nonexistent/program
t_eq "a missing command: 127" 127 "$rc"
maint --no-restart -- sh -c 'kill -TERM $$'
t_eq "a command ended by SIGTERM: 143" 143 "$rc"
n_open=$(sb_journal_count MESSAGE_ID=$OPEN)
maint --timeout 0 -- true
t_eq "--timeout 0: bad usage, 125" 125 "$rc"
maint --timeout 3601 -- true
t_eq "--timeout 3601: bad usage, 125" 125 "$rc"
maint
t_eq "no command: bad usage, 125" 125 "$rc"
t_eq "bad usage opened no window" "$n_open" "$(sb_journal_count MESSAGE_ID=$OPEN)"
out=$("$S" maintenance --help) && rc=0 || rc=$?
t_eq "--help: 0" 0 "$rc"
t_ok "--help lists every option" grep -q -- '--no-restart' <<<"$out"

# ---------------------------------------------------------------- refusals
rc=0
sb_stop_daemon || rc=$?
t_eq "clean stop" 0 "$rc"
maint -- true
t_eq "sealguardd not running: 125" 125 "$rc"
t_ok "... and it says so" grep -q 'sealguardd is not running' <<<"$err"

"$S" keygen --output "$SB_ROOT/k" 2>/dev/null
cp "$SB_ROOT/k.pub" "$FX_CFG/baseline.pub"
sed -i "s|^baseline = .*|&\nbaseline_key = $FX_CFG/baseline.pub|" "$FX_POLICY"
"$S" baseline build --policy "$FX_POLICY" --quiet
"$S" baseline sign --policy "$FX_POLICY" --key "$SB_ROOT/k.key" 2>/dev/null
sb_start_daemon "$FX_POLICY"
n_ref=$(sb_journal_count MESSAGE_ID=$REFUSED)
maint -- sh -c "printf x >'$FX_FS/etc/app.conf'"
t_eq "a signed baseline: the CLI refuses, 125" 125 "$rc"
t_ok "... saying a fleet host is replaced" grep -q 'a fleet host is replaced' <<<"$err"
t_file_content "... and the command did not run" "$FX_FS/etc/app.conf" failed
# the daemon refuses too, whoever writes the record
printf 'seq=1\nrequest=open\nid=forged\npid=%d\nstart=%s\nseconds=60\nend=1\n' "$$" \
	"$(awk '{print $22}' /proc/$$/stat)" >"$STATE/maintenance"
kill -USR1 "$SB_DAEMON_PID"
r=$(newest MESSAGE_ID=$REFUSED SEALGUARD_MAINTENANCE_ID=forged)
t_ok "a signed baseline: the daemon refuses a written request" \
	grep -q 'the baseline is signed' <<<"$(field "$r" SEALGUARD_REASON)"
t_eq "... and answers it in the record" "answer=refused" "$(grep -m1 '^answer=' "$STATE/maintenance")"
t_eq "... a write-open stays EPERM" EPERM "$(sb_try openat-wronly "$FX_FS/etc/app.conf")"
rc=0
sb_stop_daemon || rc=$?
t_eq "clean stop" 0 "$rc"

# ------------------------------------------- the state on a guarded filesystem
# The state directory may share a filesystem with the policy, which the
# daemon protects. It opens its records there before it places marks:
# the maintenance record was once opened after them, the open waited for
# the daemon's own answer, and it never became READY.
cstate=$FX_CFG/state
t_ok "the state directory on the policy's filesystem: READY" \
	sb_start_daemon "$FX_POLICY" --state-dir "$cstate"
t_eq "... the maintenance record was made there, mode 0600" 600 "$(stat -c %a "$cstate/maintenance")"
t_eq "... and the guard is on: a write-open is EPERM" EPERM "$(sb_try openat-wronly "$FX_FS/etc/app.conf")"
rc=0
sb_stop_daemon || rc=$?
t_eq "clean stop" 0 "$rc"
