#!/usr/bin/env bash
# 70-seal.sh - the daemon gives away what it does not need and makes
# tampering loud: kept capabilities only, no_new_privs, a seccomp filter
# that kills it on anything else (the kernel's audit line says which
# syscall), its own files protected, a status record `sealguard status`
# reads, and each start says whether the previous instance ended cleanly.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

fx_setup
fx_policy enforce
t_ok "baseline builds" fx_baseline
# The daemon runs from a confined mount, so that its own binary is guarded
# too (a binary on the real root filesystem could not be marked here).
cp "$SG_BUILD/sealguardd" "$FX_CFG/sealguardd"
export SB_DAEMON_BIN=$FX_CFG/sealguardd
STATE=$SB_ROOT/sealguard-state
S=$SG_BUILD/sealguard
sb_start_journald
sb_start_daemon "$FX_POLICY"
P=$SB_DAEMON_PID

field() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$P/status"; }
# cap_dac_override, dac_read_search, kill, net_admin, ipc_lock,
# sys_ptrace, sys_admin: bits 1 2 5 12 14 19 21
KEPT=0000000000285026
t_eq "CapEff: exactly the kept capabilities" "$KEPT" "$(field CapEff)"
t_eq "CapPrm: the same" "$KEPT" "$(field CapPrm)"
t_eq "CapBnd: the same (the rest is gone for good)" "$KEPT" "$(field CapBnd)"
t_eq "CapInh: none" 0000000000000000 "$(field CapInh)"
t_eq "CapAmb: none" 0000000000000000 "$(field CapAmb)"
t_eq "NoNewPrivs: set" 1 "$(field NoNewPrivs)"
t_eq "Seccomp: a filter is in force" 2 "$(field Seccomp)"
for tid in /proc/"$P"/task/*; do
	t_eq "thread ${tid##*/}: filtered too" 2 \
		"$(awk '$1 == "Seccomp:" { print $2 }' "$tid/status")"
done
case "$("$SG_BUILD/sealguardd" --version)" in
*"test hooks"*) ;; # the sanitizer build does not lock memory (ASan)
*) t_ok "memory locked (VmLck > 0)" test "$(field VmLck)" -gt 0 ;;
esac

# The documented lists are the compiled ones.
documented=$(awk '/^## Capabilities and allowed syscalls/ { on = 1; next }
	on && /^```$/ { if (inside) exit; inside = 1; next } inside' "$SB_REPO/docs/seal.md")
t_eq "docs/seal.md lists exactly what --list-seal prints" \
	"$("$SG_BUILD/sealguardd" --list-seal)" "$documented"

# ---------------------------------------------------------------- status
out=$("$S" status --state-dir "$STATE") && rc=0 || rc=$?
t_eq "sealguard status: exit 0 while it runs" 0 "$rc"
has() { case "$2" in *"$1"*) return 0 ;; esac; return 1; }
t_ok "status: running, with its pid" has "running, pid $P" "$out"
t_ok "status: the mode" has "enforce" "$out"
t_ok "status: the policy's SHA-256" has "$(fx_sha "$FX_POLICY")" "$out"
t_ok "status: the baseline's SHA-256" has "$(fx_sha "$FX_CFG/baseline")" "$out"
t_ok "status: the capabilities held" has "cap_dac_override,cap_dac_read_search,cap_kill,cap_net_admin,cap_ipc_lock,cap_sys_ptrace,cap_sys_admin=ep" "$out"
t_ok "status: the seccomp filter" has "filter (kill)" "$out"

# ---------------------------------------------------------------- its own files
# (the kernel itself refuses to write a running binary, before fanotify)
t_eq "its own binary: write refused while it runs" ETXTBSY \
	"$(sb_try openat-rdwr "$FX_CFG/sealguardd")"
t_eq "its own policy: truncation denied" EPERM "$(sb_try openat-trunc "$FX_POLICY")"
t_file_content "its own policy: unchanged" "$FX_POLICY" "$(cat "$FX_POLICY")"
t_journal "journal: the attempt on its policy" SEALGUARD_EVENT=write \
	SEALGUARD_ACTION=deny SEALGUARD_PATH="$FX_POLICY"

# ---------------------------------------------------------------- seccomp
if "$SG_BUILD/sealguardd" --version | grep -q "test hooks"; then
	# The test build's trigger: mkdir(2), which the filter must refuse.
	kill -USR2 "$P"
	rc=0
	wait "$SB_DAEMON_TPID" || rc=$?
	SB_DAEMON_PID="" SB_DAEMON_TPID=""
	t_eq "a syscall outside the allowlist kills it (SIGSYS)" 159 "$rc"
	t_journal "journal: the kernel's audit line names the syscall (83, mkdir)" \
		--grep "type=1326.*comm=\"sealguardd\".*syscall=83 " _TRANSPORT=kernel
else
	kill -USR2 "$P"
	sleep 0.3
	t_ok "production build: SIGUSR2 is no trigger, the guard runs on" kill -0 "$P"
	# without the hook, stand in for a crash: kill -9
	kill -KILL "$P"
	rc=0
	wait "$SB_DAEMON_TPID" || rc=$?
	SB_DAEMON_PID="" SB_DAEMON_TPID=""
	t_eq "kill -9 ends it" 137 "$rc"
fi
out=$("$S" status --state-dir "$STATE") && rc=0 || rc=$?
t_eq "sealguard status after the unclean end: exit 3" 3 "$rc"
t_ok "status says it ended uncleanly" has "ended uncleanly" "$out"

# ---------------------------------------------------------------- restart
# What Restart=always does: start it again. It says the host was unguarded.
t0=$(date +%s%N)
sb_start_daemon "$FX_POLICY"
t1=$(date +%s%N)
echo "restart to READY=1: $(((t1 - t0) / 1000000)) ms" >&2
t_journal "journal: the restart reports the unclean end" \
	MESSAGE_ID=d977b100ecf64e72956e71ca7cf59fb9 PRIORITY=1
t_eq "after the restart, the guard denies again" EPERM \
	"$(sb_try openat-wronly "$FX_FS/etc/app.conf")"
rc=0
sb_stop_daemon || rc=$?
t_eq "clean stop" 0 "$rc"
out=$("$S" status --state-dir "$STATE") && rc=0 || rc=$?
t_eq "sealguard status after a clean stop: exit 3" 3 "$rc"
t_ok "status says it stopped cleanly" has "stopped cleanly" "$out"
sb_start_daemon "$FX_POLICY"
t_journal "journal: the next start reports the clean stop" \
	MESSAGE_ID=d977b100ecf64e72956e71ca7cf59fb9 PRIORITY=5

# ---------------------------------------------------------------- watchdog
# A wedged loop stops the WATCHDOG=1 pings that systemd's WatchdogSec
# waits for; systemd then kills and restarts it. This test is that
# supervisor: it sees the pings stop while the daemon is SIGSTOPped.
rc=0
sb_stop_daemon || rc=$?
WATCHDOG_USEC=400000 sb_start_daemon "$FX_POLICY"
sleep 0.6
before=$(grep -c 'WATCHDOG=1' "$SB_NOTIFY_FILE" || true)
t_ok "pings arrive while the loop runs ($before in 0.6 s)" test "$before" -ge 2
kill -STOP "$SB_DAEMON_PID"
sleep 0.2 # a ping already sent may still be on its way
stopped=$(grep -c 'WATCHDOG=1' "$SB_NOTIFY_FILE" || true)
sleep 1
after=$(grep -c 'WATCHDOG=1' "$SB_NOTIFY_FILE" || true)
t_eq "no ping while the loop is stopped (1 s, WatchdogSec 0.4 s)" "$stopped" "$after"
kill -KILL "$SB_DAEMON_PID" # as systemd does after WatchdogSec
wait "$SB_DAEMON_TPID" || true
SB_DAEMON_PID="" SB_DAEMON_TPID=""
sb_start_daemon "$FX_POLICY"
t_eq "restarted after the watchdog kill: the guard denies" EPERM \
	"$(sb_try openat-wronly "$FX_FS/etc/app.conf")"
