#!/usr/bin/env bash
# 61-roseal.sh - [protect] seal makes a protected path a read-only bind
# mount of itself (submounts included): every namespace change and every
# write fails with EROFS in the kernel, and nothing is left behind. A
# remount read-write (of the seal or of a mount below it) or an unmount
# is reported and restored; a plain umount is refused while the daemon
# holds the seal. A clean stop lifts the seal, a kill leaves it, and the
# next start adopts it instead of stacking another. With reseal = no a
# broken seal is reported and left broken.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

fx_setup
E=$FX_FS/etc
mkdir -p "$E/emptydir" "$E/sub"
printf 'keep\n' >"$E/keep"
mount -t tmpfs sgtest-sub "$E/sub" # a submount: sealed with it
printf 'sub\n' >"$E/sub/f"
seal_policy() { # seal_policy RESEAL
	fx_policy enforce "" "[protect]
seal = $E
reseal = $1

[changes]"
}
seal_policy yes
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

# opts POINT: the per-mount options of the topmost mount at POINT
opts() { findmnt -n -o VFS-OPTIONS --mountpoint "$1" | tail -n1 | cut -d, -f1; }
# mounts POINT: how many mounts are stacked at POINT
mounts() { findmnt -n -o TARGET --mountpoint "$1" | wc -l; }
# wait_ro POINT: until the topmost mount at POINT is read-only again
wait_ro() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(opts "$1")" = ro ] && return 0
		sleep 0.1
	done
	return 1
}

t_journal "the seal is logged" MESSAGE_ID=28cc0b0c7732416c915d9131d1bc683a \
	SEALGUARD_EVENT=seal SEALGUARD_ACTION=seal SEALGUARD_PATH="$E"
t_eq "the protected path is a read-only mount" ro "$(opts "$E")"
t_eq "... and so is the mount below it" ro "$(opts "$E/sub")"

# ---------------------------------------------------------------- EROFS
try() { # try DESC OP ARGS...: the op fails with EROFS
	local desc=$1
	shift
	t_eq "sealed: $desc: EROFS" EROFS "$(sb_try "$@")"
}
try mkdir mkdir "$E/new"
try rmdir rmdir "$E/emptydir"
try unlink unlink "$E/keep"
try rename rename "$E/keep" "$E/kept"
try link link "$E/keep" "$E/hl"
try symlink symlink /x "$E/sym"
try chmod chmod "$E/keep" 600
try chown chown "$E/keep" 1 1
try setxattr setxattr "$E/keep" user.sg evil
try utimes utimes "$E/keep"
try truncate truncate "$E/keep" 0
try "open(O_CREAT) of a new file" openat-creat "$E/new"
try "open for writing" openat-wronly "$E/keep"
try creat creat "$E/keep"
try "mkdir in the submount" mkdir "$E/sub/new"
t_eq "sealed: a rename in from another mount: EXDEV" EXDEV \
	"$(sb_try rename "$FX_FS/var/data" "$E/data")"
t_ok "nothing was created" test ! -e "$E/new" -a ! -e "$E/hl" -a ! -e "$E/sym"
t_file_content "nothing was changed" "$E/keep" keep
t_eq "reads work" ok "$(sb_try openat-rdonly "$E/keep")"
# The trade-off: the kernel refuses before fanotify sees anything.
t_eq "refused calls are neither denials nor changes in the journal" 0 \
	"$(($(sb_journal_count SEALGUARD_ACTION=deny) + $(sb_journal_count SEALGUARD_EVENT=change SEALGUARD_OBJECT=file)))"
t_eq "an unsealed protected path is guarded as before" EPERM \
	"$(sb_try openat-wronly "$FX_ETC2/hosts")"

# ---------------------------------------------------------------- restore
mount -o remount,rw "$E"
t_journal "remount read-write is reported" MESSAGE_ID=dc722a3f73a24e0ab88a87e96a266693 \
	SEALGUARD_CHANGE=remount-rw SEALGUARD_PATH="$E"
t_journal "... and the seal restored" MESSAGE_ID=1c8a19be9ed94d8b975831a553f440e4 \
	SEALGUARD_ACTION=restore SEALGUARD_PATH="$E"
t_ok "read-only again" wait_ro "$E"
try "mkdir after the restore" mkdir "$E/new"

mount -o remount,bind,rw "$E/sub"
t_journal "remount read-write below the seal is reported" \
	SEALGUARD_CHANGE=remount-rw SEALGUARD_PATH="$E/sub"
t_ok "... and made read-only again" wait_ro "$E/sub"
try "mkdir in the submount after the restore" mkdir "$E/sub/new"

t_ok "a plain umount of the seal is refused (busy)" sh -c "! umount '$E' 2>/dev/null"
umount -l "$E"
t_journal "an unmount is reported" SEALGUARD_CHANGE=unmount SEALGUARD_PATH="$E"
t_journal "... and the seal made again" SEALGUARD_ACTION=restore \
	SEALGUARD_PATH="$E" MESSAGE="restored the read-only seal of $E (it was unmounted)"
t_ok "read-only again after the unmount" wait_ro "$E"
t_eq "one seal at the path, not a stack" 1 "$(mounts "$E")"
try "mkdir after the unmount" mkdir "$E/new"
t_eq "its own remounts are not reported as changes" 0 \
	"$(sb_journal_count SEALGUARD_CHANGE=remount-ro SEALGUARD_PATH="$E")"
status_restored() { grep -q 'seals: 1 of 1 held, 3 restored' "$SB_NOTIFY_FILE"; }
for _ in $(seq 30); do status_restored && break; sleep 0.1; done
t_ok "STATUS= counts the three restores" status_restored

# ---------------------------------------------------------------- lifetime
kill -KILL "$SB_DAEMON_PID"
rc=0
sb_stop_daemon || rc=$?
t_eq "killed" 137 "$rc"
try "a killed daemon leaves the seal" mkdir "$E/new"
sb_start_daemon "$FX_POLICY"
t_journal "the next start adopts it" SEALGUARD_EVENT=seal SEALGUARD_ACTION=adopt \
	SEALGUARD_PATH="$E"
t_eq "still one seal at the path" 1 "$(mounts "$E")"
rc=0
sb_stop_daemon || rc=$?
t_eq "stops cleanly" 0 "$rc"
t_journal "a clean stop lifts the seal" SEALGUARD_ACTION=unseal SEALGUARD_PATH="$E"
t_eq "writable again after the stop" ok "$(sb_try mkdir "$E/after-stop")"
t_eq "no seal left" 0 "$(mounts "$E")"

# ---------------------------------------------------------------- reseal = no
seal_policy no
sb_start_daemon "$FX_POLICY"
mount -o remount,rw "$E"
t_journal "reseal = no: a broken seal is reported" \
	MESSAGE_ID=1c8a19be9ed94d8b975831a553f440e4 SEALGUARD_ACTION=broken \
	SEALGUARD_PATH="$E" PRIORITY=4
sleep 0.5
t_eq "... and left broken" ok "$(sb_try mkdir "$E/broken")"
rc=0
sb_stop_daemon || rc=$?
t_eq "stops cleanly" 0 "$rc"
