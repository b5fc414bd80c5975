#!/usr/bin/env bash
# 84-index-race.sh - door 11: racing the protected-inode index. The
# daemon is READY before it has walked the protected paths (the walk runs
# in a thread from the marks on, #14). A root who writes a protected file
# through a hard link under an unprotected name, right after a start or a
# restart, asks the one question only the index can answer. The write
# must wait for the index and be denied; nothing else may wait for it:
# reads, writes under protected names, execs. A stop during the walk
# decides what waited as protected; a walk that fails (here EMFILE) leaves
# no answer, so every file of a protected filesystem counts as protected
# from then on (fail closed), reported at crit.
#
# The race is made certain rather than hoped for: sghold holds every open
# of one protected directory (a fanotify group of its own), so the walk
# stalls there for as long as the test needs.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
ATK_DOOR=index-race

W=c78e863500844543a68fdeb6331cee0e # SG_MSGID_WRITE_DENIED
I=5cd2d6b8e9a94ea186844880f474ab59 # SG_MSGID_INDEX

fx_setup
mkdir -p "$FX_FS/etc/hold/sub"
printf 'held\n' >"$FX_FS/etc/hold/file"
# the protected file's second name, on the same filesystem, unprotected
ln "$FX_FS/etc/app.conf" "$FX_FS/var/link"
fx_policy enforce
t_ok "baseline builds" fx_baseline
sb_start_journald
golden=$(fx_sha "$FX_FS/etc/app.conf")

# hold_walk LOG: the walk's stall, every open of etc/hold waits for
# sghold (HOLD: its pid) until SIGUSR1. Not through sb_bg's timeout(1),
# which would take the signal; sghold lets go after 60 s by itself.
hold_walk() {
	"$SB_TOOLS/sghold" "$FX_FS/etc/hold" 60 >"$1" 2>&1 &
	HOLD=$!
	SB_PIDS+=("$HOLD")
	for ((i = 0; i < 100; i++)); do
		grep -qx ready "$1" 2>/dev/null && break
		sleep 0.05
	done
}
# wait_held LOG: until sghold holds an open (the walk reached etc/hold)
wait_held() {
	for ((i = 0; i < 100; i++)); do
		grep -q '^held ' "$1" && return 0
		sleep 0.05
	done
	return 1
}
hold_walk "$SB_ROOT/hold.log"
t_eq "sghold holds opens of the protected directory" ready \
	"$(head -n 1 "$SB_ROOT/hold.log")"

sb_start_daemon "$FX_POLICY"
# the walk reached etc/hold: a thread of the daemon's is held there
tid=""
for ((i = 0; i < 100; i++)); do
	tid=$(sed -n 's/^held \([0-9]*\)$/\1/p' "$SB_ROOT/hold.log" | head -n 1)
	[ -n "$tid" ] && break
	sleep 0.05
done
t_ok "the index walk (a daemon thread) is held, after READY" \
	test -n "$tid" -a -d "/proc/$SB_DAEMON_PID/task/${tid:-0}"
t_eq "no index entry while the walk is held" 0 \
	"$(sb_journal_count MESSAGE_ID=$I)"

# ---------------------------------------------------------------- during the walk
# bg NAME OP ARGS...: sgtry in the background, its line in NAME.out
bg() {
	local name=$1
	shift
	timeout -k 2 30 "$SB_TOOLS/sgtry" "$@" >"$SB_ROOT/$name.out" 2>&1 &
	eval "PID_$name=\$!"
}
bg link write "$FX_FS/var/link" forged
bg plain write "$FX_FS/var/data" "rewritten"
sleep 0.5
t_ok "the write through the hard link waits for the index" sb__alive "$PID_link"
t_ok "a write under another unprotected name waits too" sb__alive "$PID_plain"
# what the index is not needed for is answered at once
t_eq "a read under an unprotected name does not wait" ok \
	"$(SB_TRY_TIMEOUT=3 sb_try openat-rdonly "$FX_FS/var/data")"
t_eq "a write under a protected name is denied at once" EPERM \
	"$(SB_TRY_TIMEOUT=3 sb_try openat-wronly "$FX_FS/etc/app.conf")"
t_eq "a trusted exec does not wait" ok \
	"$(SB_TRY_TIMEOUT=3 sb_try exec "$FX_FS/bin/tool")"

# ---------------------------------------------------------------- the walk ends
kill -USR1 "$HOLD"
wait "$PID_link" "$PID_plain" 2>/dev/null || true
atk_blocked write-through-link-during-walk EPERM "$(cat "$SB_ROOT/link.out")" \
	MESSAGE_ID=$W SEALGUARD_ACTION=deny SEALGUARD_PATH="$FX_FS/var/link"
t_eq "the protected file's bytes are unchanged" "$golden" \
	"$(fx_sha "$FX_FS/etc/app.conf")"
atk_allowed plain-write-after-walk "$(cat "$SB_ROOT/plain.out")"
t_eq "the unprotected file holds the write" rewritten \
	"$(cat "$FX_FS/var/data")"
t_journal "the index entry counts the two opens that waited" \
	MESSAGE_ID=$I SEALGUARD_EVENT=index SEALGUARD_WAITED=2 PRIORITY=6
n=$(sb_journal_wait MESSAGE_ID=$I | sed -n 's/.*"SEALGUARD_INODES":"\([0-9]*\)".*/\1/p' | tail -n 1)
t_ok "the index holds the protected files (SEALGUARD_INODES=$n)" \
	test "${n:-0}" -ge 3
# once complete, the link is known without waiting
t_eq "after the walk: the hard link is denied at once" EPERM \
	"$(SB_TRY_TIMEOUT=3 sb_try openat-wronly "$FX_FS/var/link")"

t_ok "daemon stops cleanly" sb_stop_daemon

# ---------------------------------------------------------------- a stop during the walk
# The walker stays stuck in the held directory. A stop does not wait for
# it: what waited for the index is decided at once, as protected. (The
# stop itself then ends only once sghold lets go: closing a fanotify
# group waits for every opener blocked on a mark of it, and the walker's
# opendir pins the guard's filesystem mark while sghold holds it: the
# kernel's fsnotify_destroy_group, user_waits. Any opener another
# listener holds on a marked filesystem delays a stop the same way.)
hold_walk "$SB_ROOT/hold2.log"
sb_start_daemon "$FX_POLICY"
t_ok "sghold holds the second walk" wait_held "$SB_ROOT/hold2.log"
bg stopped write "$FX_FS/var/link" forged
sleep 0.3
t_ok "the write waits for the held walk" sb__alive "$PID_stopped"
kill -TERM "$SB_DAEMON_PID"
for ((i = 0; i < 60; i++)); do
	[ -s "$SB_ROOT/stopped.out" ] && break
	sleep 0.05
done
t_eq "at the stop, the write that waited is denied (fail closed), the walk still held" \
	"EPERM held" "$(cat "$SB_ROOT/stopped.out") $(grep -c '^released' "$SB_ROOT/hold2.log" | sed 's/^0$/held/')"
t_journal "the index entry says it was given up" MESSAGE_ID=$I \
	SEALGUARD_EVENT=index-stopped SEALGUARD_WAITED=1 PRIORITY=6
kill -USR1 "$HOLD"
t_ok "once the walk is let go, the daemon stops cleanly" sb_stop_daemon
t_eq "the protected file's bytes are still unchanged" "$golden" \
	"$(fx_sha "$FX_FS/etc/app.conf")"

# ---------------------------------------------------------------- a walk that fails
# The walk fails for real: while it is held, the daemon's descriptor limit
# is lowered to the lowest free descriptor, so the walk's next opendir
# (etc/hold/sub) fails with EMFILE. An incomplete index answers nothing:
# every file on the protected filesystem counts as protected from then on
# (fail closed), and the journal says so at crit.
hold_walk "$SB_ROOT/hold3.log"
sb_start_daemon "$FX_POLICY"
t_ok "sghold holds the third walk" wait_held "$SB_ROOT/hold3.log"
lowest_free_fd() {
	local fd=0
	while [ -e "/proc/$1/fd/$fd" ]; do fd=$((fd + 1)); done
	echo "$fd"
}
nofile=$(prlimit --pid "$SB_DAEMON_PID" --nofile --noheadings --raw --output SOFT)
prlimit --pid "$SB_DAEMON_PID" --nofile="$(lowest_free_fd "$SB_DAEMON_PID")":
kill -USR1 "$HOLD"
t_journal "the failed walk is reported at crit" MESSAGE_ID=$I \
	SEALGUARD_EVENT=index-failed SEALGUARD_ERRNO=24 PRIORITY=2
prlimit --pid "$SB_DAEMON_PID" --nofile="$nofile":
atk_blocked write-through-link-no-index EPERM \
	"$(sb_try openat-wronly "$FX_FS/var/link")"
t_eq "fail closed: a write to an unprotected file of that filesystem is denied" \
	EPERM "$(sb_try openat-wronly "$FX_FS/var/data")"
t_eq "a read of it is still allowed" ok "$(sb_try openat-rdonly "$FX_FS/var/data")"
t_eq "a write on another filesystem is not affected" ok \
	"$(sb_try openat-wronly "$FX_SCRATCH/dropped.sh")"
t_eq "the unprotected file still holds the earlier write" rewritten \
	"$(cat "$FX_FS/var/data")"
t_ok "the daemon stops cleanly" sb_stop_daemon
