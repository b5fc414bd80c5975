#!/usr/bin/env bash
# 94-selftest.sh - `sealguard selftest` against the sandboxed daemon: with
# the daemon enforcing, the write-open of the canary, the exec of a
# dropped file and a listener no rule allows are each refused (EPERM,
# EPERM, the listener destroyed) and logged, and it exits 0; in
# permissive mode it exits 1 and names all three; with the daemon stopped
# it exits 2. The canary's bytes never change, the dropped file is
# removed, the verdict is valid JSON with --json and is in the journal.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter_netns "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

S=$SG_BUILD/sealguard
ST_ID=2a382623d45a4f3b89c278a2f017dd14
HB=d5e7f95d00d0426092ca798d9b181ec7
WRITE_DENIED=c78e863500844543a68fdeb6331cee0e
EXEC_DENIED=c044eee549834822aacd7cfe525b6bc9
LISTEN_DESTROYED=2d02cc6943b543e184b6bd129b0fd7b2
WRITE_WOULD=af6dea96d5cf4463b33c813b978cfda7
EXEC_WOULD=83dd8e9f4f7f467b9f8fe89dccbc6061
LISTEN_WOULD=56d96e84fd944d1981fac7c5a9452fd1
STATE=$SB_ROOT/sealguard-state
has() { case "$2" in *"$1"*) return 0 ;; esac; return 1; }

fx_setup
CANARY=$FX_FS/etc/canary
printf 'sealguard canary: opened for writing by sealguard selftest, never written\n' >"$CANARY"
LISTEN="[listen]
allow = tcp 8000 loopback
scan_interval_ms = 10

[tether]
heartbeat_interval = 1"
fx_policy enforce "" "$LISTEN"
t_ok "baseline builds" fx_baseline
canary_sha=$(fx_sha "$CANARY")

# st ARGS...: the selftest pointed at the sandbox; sets rc, out (stdout),
# err (stderr), took (ms).
st() {
	local t0 t1
	rc=0
	t0=$(date +%s%N)
	out=$(timeout 30 "$S" selftest --state-dir "$STATE" --canary "$CANARY" \
		--exec-dir "$FX_SCRATCH" "$@" 2>"$SB_ROOT/st.err") || rc=$?
	t1=$(date +%s%N)
	err=$(cat "$SB_ROOT/st.err")
	took=$(((t1 - t0) / 1000000))
}
# jfield FILTER: jq FILTER of the last --json output
jfield() { printf '%s\n' "$out" | jq -r "$1"; }
# left_over: dropped directories the selftest did not remove
left_over() { find "$FX_SCRATCH" -maxdepth 1 -name 'sealguard-selftest.*' | wc -l; }

sb_start_journald

# ---------------------------------------------------------------- not running
st --policy "$FX_POLICY"
t_eq "no daemon yet: exit 2" 2 "$rc"
t_ok "no daemon yet: says sealguardd is not running" has "sealguardd is not running" "$err"
st --policy "$FX_POLICY" --json
t_eq "no daemon yet, --json: exit 2" 2 "$rc"
t_ok "no daemon yet, --json: valid JSON" python3 -m json.tool <<<"$out"
t_eq "no daemon yet, --json: result error" error "$(jfield .result)"
t_journal "no daemon yet: the verdict is in the journal" \
	MESSAGE_ID=$ST_ID SEALGUARD_EVENT=selftest SEALGUARD_SELFTEST_RESULT=error

# ---------------------------------------------------------------- enforce
sb_start_daemon "$FX_POLICY"
SB_JOURNAL_WAIT=3 t_journal "heartbeat before any selftest: result none" \
	MESSAGE_ID=$HB _PID="$SB_DAEMON_PID" SEALGUARD_SELFTEST_RESULT=none SEALGUARD_SELFTEST_AT=0
st --policy "$FX_POLICY"
t_eq "enforce: exit 0" 0 "$rc"
t_ok "enforce: write enforced" grep -Eq "^write +enforced +$CANARY: EPERM, logged" <<<"$out"
t_ok "enforce: exec enforced" grep -Eq "^exec +enforced +$FX_SCRATCH/sealguard-selftest\.[A-Za-z0-9]{6}/probe: EPERM, logged" <<<"$out"
t_ok "enforce: listen enforced" grep -Eq "^listen +enforced +127\.0\.0\.1:[0-9]+: ECONNABORTED, logged" <<<"$out"
t_ok "enforce: last line says pass" grep -qx "selftest: pass" <<<"$out"
t_ok "enforce: in about a second (took ${took} ms)" test "$took" -lt 3000
t_eq "enforce: the canary's bytes are unchanged" "$canary_sha" "$(fx_sha "$CANARY")"
t_eq "enforce: the dropped file and its directory are gone" 0 "$(left_over)"
t_journal "enforce: the daemon's write denial of the canary" \
	MESSAGE_ID=$WRITE_DENIED SEALGUARD_PATH="$CANARY" SEALGUARD_COMM=sealguard
t_journal "enforce: the daemon's exec denial of the dropped file" \
	MESSAGE_ID=$EXEC_DENIED SEALGUARD_COMM=sealguard
t_journal "enforce: the daemon destroyed the listener" \
	MESSAGE_ID=$LISTEN_DESTROYED SEALGUARD_COMM=sealguard
t_journal "enforce: the verdict is in the journal, one field a check" \
	MESSAGE_ID=$ST_ID SEALGUARD_EVENT=selftest SEALGUARD_SELFTEST_RESULT=pass \
	SEALGUARD_SELFTEST_WRITE=enforced SEALGUARD_SELFTEST_EXEC=enforced \
	SEALGUARD_SELFTEST_LISTEN=enforced SEALGUARD_DAEMON_PID="$SB_DAEMON_PID"
pids=$(journalctl -q --no-pager -o json MESSAGE_ID=$ST_ID SEALGUARD_SELFTEST_RESULT=pass |
	tail -n 1 | jq -r .SEALGUARD_SELFTEST_PIDS)
IFS=, read -r wpid xpid lpid <<<"$pids"
t_eq "the verdict names its probes' pids: the daemon's entries are theirs" "1 1 1" \
	"$(sb_journal_count MESSAGE_ID=$WRITE_DENIED SEALGUARD_PID="$wpid") $(sb_journal_count MESSAGE_ID=$EXEC_DENIED SEALGUARD_PID="$xpid") $(sb_journal_count MESSAGE_ID=$LISTEN_DESTROYED SEALGUARD_PID="$lpid")"
# a collector does not count the selftest's own denials as violations;
# a real one still counts
fleet_denials() { timeout 20 "$S" fleet --json | jq -r '.hosts[0].denials'; }
t_eq "sealguard fleet: the selftest's three refusals are no violation" 0 "$(fleet_denials)"
t_eq "a write to a protected file by someone else" EPERM "$(sb_try open-wronly "$FX_FS/etc/app.conf")"
SB_JOURNAL_WAIT=3 t_journal "its denial is logged" MESSAGE_ID=$WRITE_DENIED SEALGUARD_PATH="$FX_FS/etc/app.conf"
t_eq "sealguard fleet: that one is counted" 1 "$(fleet_denials)"
SB_JOURNAL_WAIT=3 t_journal "the daemon's next heartbeat carries the selftest's pass" \
	MESSAGE_ID=$HB _PID="$SB_DAEMON_PID" SEALGUARD_SELFTEST_RESULT=pass
at=$(journalctl -q --no-pager -o json MESSAGE_ID=$HB SEALGUARD_SELFTEST_RESULT=pass | tail -n 1 | jq -r .SEALGUARD_SELFTEST_AT)
now=$(date +%s)
t_ok "... and when it ran (within 10 s of now: $at, $now)" test "$((now - at))" -ge 0 -a "$((now - at))" -le 10

# the policy the daemon runs, from its status record, when -p is not given
st --json
t_eq "enforce, --json, the daemon's own policy: exit 0" 0 "$rc"
t_ok "enforce, --json: valid JSON (python3 -m json.tool)" python3 -m json.tool <<<"$out"
t_eq "enforce, --json: result" pass "$(jfield .result)"
t_eq "enforce, --json: the daemon" "$SB_DAEMON_PID enforce" "$(jfield '"\(.daemon.pid) \(.daemon.mode)"')"
t_eq "enforce, --json: checks, statuses and errnos" \
	"write enforced EPERM exec enforced EPERM listen enforced ECONNABORTED" \
	"$(jfield '[.checks[] | "\(.check) \(.status) \(.errno)"] | join(" ")')"
t_eq "enforce, --json: the MESSAGE_IDs found" "$WRITE_DENIED $EXEC_DENIED $LISTEN_DESTROYED" \
	"$(jfield '[.checks[].journal] | join(" ")')"
t_eq "enforce, --json: the canary is the target" "$CANARY" "$(jfield '.checks[0].target')"

# as sealguard-selftest.service runs it: root without any capability
rc=0
out=$(timeout 30 setpriv --no-new-privs --inh-caps=-all --bounding-set=-all \
	"$S" selftest --policy "$FX_POLICY" --state-dir "$STATE" --canary "$CANARY" \
	--exec-dir "$FX_SCRATCH" --json 2>&1) || rc=$?
t_eq "with the unit's privileges (no capability, no_new_privs): exit 0" 0 "$rc"
t_eq "with the unit's privileges: every check enforced" "enforced enforced enforced" \
	"$(jfield '[.checks[].status] | join(" ")')"

# the journal is half the proof: a refusal the journal does not hold fails
jdir=$(find /run/log/journal -mindepth 1 -maxdepth 1 -type d | head -n 1)
st --policy "$FX_POLICY" -D "$jdir" --json
t_eq "-D the private journal's directory: exit 0" 0 "$rc"
t_eq "-D the private journal's directory: every check enforced" \
	"enforced enforced enforced" "$(jfield '[.checks[].status] | join(" ")')"
mkdir -p "$SB_ROOT/empty-journal"
st --policy "$FX_POLICY" -D "$SB_ROOT/empty-journal" --json
t_eq "-D an empty journal: exit 1 (refused, but not logged)" 1 "$rc"
t_eq "-D an empty journal: every check not-logged, errnos still seen" \
	"not-logged EPERM not-logged EPERM not-logged ECONNABORTED" \
	"$(jfield '[.checks[] | "\(.status) \(.errno)"] | join(" ")')"
st --policy "$FX_POLICY" -D "$SB_ROOT/no-such-journal"
t_eq "-D a journal that cannot be opened: exit 2" 2 "$rc"
t_ok "-D a journal that cannot be opened: says so" has "cannot open the journal" "$err"

# what the selftest refuses to run against
st --policy "$FX_POLICY" --canary "$FX_FS/var/data"
t_eq "a canary outside the protected paths: exit 2" 2 "$rc"
t_ok "a canary outside the protected paths: says so" has "is not under a protected path" "$err"
mkdir -p "$SB_ROOT/unchecked"
st --policy "$FX_POLICY" --exec-dir "$SB_ROOT/unchecked"
t_eq "an exec dir whose execs are not checked: exit 2" 2 "$rc"
t_ok "an exec dir whose execs are not checked: says so" has "does not check execs there" "$err"
rc=0
sb_stop_daemon || rc=$?
t_eq "enforce: daemon stops cleanly" 0 "$rc"

# ---------------------------------------------------------------- permissive
fx_policy permissive "" "$LISTEN"
sb_start_daemon "$FX_POLICY"
st --policy "$FX_POLICY"
t_eq "permissive: exit 1" 1 "$rc"
t_ok "permissive: write let through" grep -Eq "^write +let-through +$CANARY: logged as would-deny" <<<"$out"
t_ok "permissive: exec let through" grep -Eq "^exec +let-through .*logged as would-deny" <<<"$out"
t_ok "permissive: listen let through" grep -Eq "^listen +let-through .*logged as would-deny" <<<"$out"
t_ok "permissive: names what was let through" has "not enforced: write, exec, listen" "$err"
t_eq "permissive: the canary's bytes are unchanged (opened, never written)" "$canary_sha" "$(fx_sha "$CANARY")"
t_eq "permissive: the dropped file that ran is gone" 0 "$(left_over)"
st --policy "$FX_POLICY" --json
t_eq "permissive, --json: exit 1" 1 "$rc"
t_ok "permissive, --json: valid JSON" python3 -m json.tool <<<"$out"
t_eq "permissive, --json: result fail, mode permissive" "fail permissive" "$(jfield '"\(.result) \(.daemon.mode)"')"
t_eq "permissive, --json: every check let through, would-deny logged" \
	"let-through $WRITE_WOULD let-through $EXEC_WOULD let-through $LISTEN_WOULD" \
	"$(jfield '[.checks[] | "\(.status) \(.journal)"] | join(" ")')"
t_journal "permissive: the verdict in the journal names them" \
	MESSAGE_ID=$ST_ID SEALGUARD_SELFTEST_RESULT=fail SEALGUARD_SELFTEST_FAILED=write,exec,listen
SB_JOURNAL_WAIT=3 t_journal "permissive: the daemon's heartbeat carries the fail" \
	MESSAGE_ID=$HB _PID="$SB_DAEMON_PID" SEALGUARD_SELFTEST_RESULT=fail
rc=0
sb_stop_daemon || rc=$?
t_eq "permissive: daemon stops cleanly" 0 "$rc"

# ---------------------------------------------------------------- stopped
st --policy "$FX_POLICY"
t_eq "stopped: exit 2" 2 "$rc"
t_ok "stopped: says sealguardd is not running" has "sealguardd is not running" "$err"
t_eq "stopped: no check was tried" "" "$out"

# ---------------------------------------------------------------- kill, no [listen]
# [respond] write = kill: the probe is killed in its open (the selftest is
# not); without [listen] the listener check is skipped, which is no failure.
fx_policy enforce "" "[respond]
write = kill"
sb_start_daemon "$FX_POLICY"
st --policy "$FX_POLICY" --json
t_eq "respond kill, no [listen]: exit 0" 0 "$rc"
t_eq "respond kill: the write probe was killed, and it was logged" \
	"enforced true $WRITE_DENIED" "$(jfield '.checks[0] | "\(.status) \(.killed) \(.journal)"')"
t_eq "no [listen]: the listener check is skipped" skipped "$(jfield '.checks[2].status')"
t_eq "respond kill: the canary's bytes are unchanged" "$canary_sha" "$(fx_sha "$CANARY")"
rc=0
sb_stop_daemon || rc=$?
t_eq "respond kill: daemon stops cleanly" 0 "$rc"

# ---------------------------------------------------------------- sealed, freeze
# A read-only seal refuses the write-open with EROFS before the guard sees
# it (and nothing is logged): sealed, no failure. [respond] exec = freeze
# would freeze the selftest's own cgroup: that check is not tried.
fx_policy enforce "" "[respond]
exec = freeze"
sed -i "s|^path = $FX_FS/etc\$|&\nseal = $FX_FS/etc|" "$FX_POLICY"
sb_start_daemon "$FX_POLICY"
st --policy "$FX_POLICY" --json
t_eq "read-only seal, exec = freeze: exit 0" 0 "$rc"
t_eq "read-only seal: the write is sealed (EROFS), no entry expected" "sealed EROFS null" \
	"$(jfield '.checks[0] | "\(.status) \(.errno) \(.journal)"')"
t_eq "[respond] exec = freeze: the exec check is skipped, and says why" \
	"skipped [respond] answers exec violations with freeze: not tried" \
	"$(jfield '.checks[1] | "\(.status) \(.detail)"')"
t_eq "read-only seal: the dropped file's directory is gone" 0 "$(left_over)"
rc=0
sb_stop_daemon || rc=$?
t_eq "sealed, freeze: daemon stops cleanly" 0 "$rc"

# ---------------------------------------------------------------- the port
# This network namespace's ephemeral ports are 40000..40003 (a setting of
# the namespace, not the host's); the rules allow three of them: the
# listener must get the fourth, whatever order the kernel offers them in.
[ "$(readlink /proc/self/ns/net)" != "$SB_HOST_NETNS" ] ||
	sb__abort "not in a network namespace of our own"
echo "40000 40003" >/proc/sys/net/ipv4/ip_local_port_range
fx_policy enforce "" "[listen]
allow = tcp 40000-40002 loopback
scan_interval_ms = 10"
sb_start_daemon "$FX_POLICY"
st --policy "$FX_POLICY" --json
t_eq "three of four ephemeral ports allowed: exit 0" 0 "$rc"
t_eq "three of four ephemeral ports allowed: the listener got the fourth, destroyed" \
	"127.0.0.1:40003 enforced" "$(jfield '.checks[2] | "\(.target) \(.status)"')"
sed 's/^allow = tcp 40000-40002 loopback$/allow = tcp 40000-40003 loopback/' "$FX_POLICY" >"$SB_ROOT/all-allowed.conf"
st --policy "$SB_ROOT/all-allowed.conf" --json
t_eq "every ephemeral port allowed: exit 2 (no port to try)" 2 "$rc"
t_ok "every ephemeral port allowed: says so" has "outside the [listen] rules" "$(jfield '.checks[2].detail')"
t_eq "every ephemeral port allowed: the other checks still enforced" "enforced enforced error" \
	"$(jfield '[.checks[].status] | join(" ")')"

# any bytes in a path give valid JSON: an exec dir named with a space, a
# quote, a backslash and a byte that is not UTF-8
odd="$FX_SCRATCH/odd \"q\" \\ "$'\xff'
mkdir "$odd"
st --policy "$FX_POLICY" --exec-dir "$odd" --json
t_eq "an exec dir with odd bytes: exit 0" 0 "$rc"
t_ok "an exec dir with odd bytes: python3 -m json.tool parses it" python3 -m json.tool <<<"$out"
t_ok "an exec dir with odd bytes: the path escaped as in the baseline" \
	grep -Eq '^.*/odd\\x20"q"\\x20\\x5c\\x20\\xff/sealguard-selftest\..{6}/probe$' \
	<<<"$(jfield '.checks[1].target')"
rc=0
sb_stop_daemon || rc=$?
t_eq "port choice: daemon stops cleanly" 0 "$rc"
