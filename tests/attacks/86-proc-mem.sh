#!/usr/bin/env bash
# 86-proc-mem.sh - door 13: root writes into the guard's memory without
# attaching to it (no tracer for the tracer watch of 70-debugger to
# see): through /proc/PID/mem, which root may open on any process, even a
# non-dumpable one, or with process_vm_writev(2). One write of the right
# bytes turns the guard permissive. This kernel has no Yama and no LSM
# (/sys/kernel/security is not even mounted), so nothing refuses either
# write here; what is tested:
#  - through the host's /proc: the tripwire (an inotify watch on each
#    mem file, PID/mem and every thread's task/TID/mem, kept open: the
#    daemon watches its own and its responder's, the responder the
#    daemon's) sees the write within a second; it is
#    logged at alert (SEALGUARD_EVENT=tamper, SEALGUARD_VIA=proc-mem) by
#    each watcher, carried by the heartbeat, and the host asks to be
#    replaced, once. An open that only reads is logged at warning
#    (memory-read), nothing more;
#  - the two ways around the tripwire are real, and stated as the
#    kernel's limits: a procfs mounted afresh (its own superblock since
#    Linux 5.8, so its mem file is another inode) and process_vm_writev
#    (no file at all). What shuts them is the kernel's: Yama ptrace_scope
#    = 3 ([harden], 72-harden.sh), or an LSM.
# Each write puts back the bytes it read: the daemon runs on unharmed.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
# shellcheck source=tests/lib/tamper.sh
. "$(dirname "$0")/../lib/tamper.sh"
ATK_DOOR=proc-mem


tamper_start
D=$SB_DAEMON_PID
W=$SB_TOOLS/sgmemwrite
tampers() { sb_journal_count MESSAGE_ID="$MSG_TAMPER" "$@"; }
sleep 1
t_eq "no tamper entry before the attack" 0 "$(tampers)"

# ---------------------------------------------------------------- read only
: <"/proc/$D/mem"
t_journal "an open of the daemon's memory that reads nothing: a warning" \
	MESSAGE_ID="$MSG_TAMPER" PRIORITY=4 SEALGUARD_EVENT=memory-read \
	SEALGUARD_TARGET=daemon SEALGUARD_PID="$D" SEALGUARD_VIA=proc-mem
t_eq "... and no tamper" 0 "$(tampers SEALGUARD_EVENT=tamper)"

# ---------------------------------------------------------------- /proc/PID/mem
t_eq "write-daemon: root's write through /proc/$D/mem succeeds (no Yama here)" \
	ok "$("$W" proc "$D")"
atk_detected write-daemon 1 MESSAGE_ID="$MSG_TAMPER" PRIORITY=1 \
	SEALGUARD_EVENT=tamper SEALGUARD_TARGET=daemon SEALGUARD_PID="$D" \
	SEALGUARD_VIA=proc-mem
t_journal "write-daemon: the responder saw it too, and logged it on its own" \
	MESSAGE_ID="$MSG_TAMPER" PRIORITY=1 SEALGUARD_EVENT=tamper \
	SEALGUARD_WATCHER=responder SEALGUARD_TARGET=daemon SEALGUARD_VIA=proc-mem
t_journal "write-daemon: ... as did the daemon" \
	MESSAGE_ID="$MSG_TAMPER" PRIORITY=1 SEALGUARD_EVENT=tamper \
	SEALGUARD_WATCHER=daemon SEALGUARD_TARGET=daemon SEALGUARD_VIA=proc-mem
t_ok "write-daemon: the host asks to be replaced" eval \
	'SB_JOURNAL_WAIT=3 sb_journal_wait MESSAGE_ID="$MSG_REPROVISION" SEALGUARD_REASON=tamper >/dev/null'
for _ in $(seq 30); do [ "$(reprovisions)" -ge 1 ] && break; sleep 0.1; done
t_eq "write-daemon: the reprovision program ran once" 1 "$(reprovisions)"
sleep 1.2
# the last watcher's words: the daemon's or the responder's
hb=$(last_tamper)
case "$hb" in *"memory"*"written through /proc/$D/mem"*) t_pass "write-daemon: the heartbeat carries it ($hb)" ;;
*) t_fail "write-daemon: the heartbeat carries it" "SEALGUARD_TAMPER=$hb" ;; esac

t_eq "write-responder: root's write through /proc/$RESP/mem succeeds" \
	ok "$("$W" proc "$RESP")"
atk_detected write-responder 1 MESSAGE_ID="$MSG_TAMPER" PRIORITY=1 \
	SEALGUARD_EVENT=tamper SEALGUARD_TARGET=responder \
	SEALGUARD_PID="$RESP" SEALGUARD_VIA=proc-mem
# Each thread's task/TID/mem is another inode, the same memory: the main
# thread's (seen by both watchers) and a helper thread's (by the daemon:
# it had no threads yet when its responder started watching it).
m=(MESSAGE_ID="$MSG_TAMPER" SEALGUARD_EVENT=tamper SEALGUARD_TARGET=daemon SEALGUARD_VIA=proc-mem)
n_d=$(sb_journal_count "${m[@]}" SEALGUARD_WATCHER=daemon)
n_r=$(sb_journal_count "${m[@]}" SEALGUARD_WATCHER=responder)
t_eq "write-main-thread: through /proc/$D/task/$D/mem succeeds" \
	ok "$("$W" proc "$D" /proc "$D")"
atk_detected_again write-main-thread 1 "$n_d" "${m[@]}" SEALGUARD_WATCHER=daemon
atk_detected_again write-main-thread-responder 1 "$n_r" "${m[@]}" SEALGUARD_WATCHER=responder
helper=$(find "/proc/$D/task" -mindepth 1 -maxdepth 1 ! -name "$D" -printf '%f\n' | head -n 1)
t_ok "the daemon has a helper thread ($helper)" test -n "$helper"
n_d=$(sb_journal_count "${m[@]}" SEALGUARD_WATCHER=daemon)
t_eq "write-helper-thread: through /proc/$D/task/$helper/mem succeeds" \
	ok "$("$W" proc "$D" /proc "$helper")"
atk_detected_again write-helper-thread 1 "$n_d" "${m[@]}" SEALGUARD_WATCHER=daemon

t_eq "the guard still denies a protected write" EPERM \
	"$(sb_try open-wronly "$FX_FS/etc/app.conf")"
atk_allowed read-after "$(sb_try open-rdonly "$FX_FS/etc/app.conf")"

# ---------------------------------------------------------------- around it
n0=$(tampers SEALGUARD_EVENT=tamper)
mkdir -p "$SB_ROOT/proc2"
mount -t proc proc "$SB_ROOT/proc2"
t_eq "fresh-proc: the write through another procfs mount succeeds" \
	ok "$("$W" proc "$D" "$SB_ROOT/proc2")"
t_eq "vm-writev: process_vm_writev succeeds" ok "$("$W" vm "$D")"
sleep 1
t_eq "neither is seen: no new tamper entry (the limit stated below)" "$n0" \
	"$(tampers SEALGUARD_EVENT=tamper)"
umount "$SB_ROOT/proc2"
atk_limit fresh-proc \
	"each procfs mount is its own superblock (Linux >= 5.8): a proc mounted afresh has another PID/mem inode, which no watch of ours is on" \
	"Yama ptrace_scope = 3 ([harden], 72-harden.sh) or an LSM refuses the open; the tripwire above catches the host's /proc"
atk_limit vm-writev \
	"process_vm_writev(2) is no file operation: nothing reports it to the target" \
	"Yama ptrace_scope = 3 ([harden], 72-harden.sh) or an LSM refuses it"

t_ok "the daemon is still running" sb__alive "$D"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly" 0 "$rc"
