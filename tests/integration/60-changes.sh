#!/usr/bin/env bash
# 60-changes.sh - with a [changes] section, every change fanotify cannot
# deny (mkdir, unlink, rmdir, rename both ways, link, symlink, chmod,
# chown, setxattr, utimes, truncate, the empty file a denied O_CREAT
# leaves, writes through a descriptor opened before the seal) is one
# journal entry SEALGUARD_EVENT=change with the right path(s) and kind,
# on an ext4 and a tmpfs protected path and the daemon's own files;
# unprotected and excluded paths stay quiet; a live actor is named; a
# flood of writes is merged and rate-limited; mounts appearing,
# disappearing and remounted under or over a protected path (or showing
# it elsewhere) are reported.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

fx_setup
mkdir -p "$FX_FS/etc/cache" "$FX_FS/etc/sub"
printf 'x\n' >"$FX_FS/etc/victim"
printf 'y\n' >"$FX_FS/etc/gone"
printf 'z\n' >"$FX_FS/etc/flood"
printf 'w\n' >"$FX_FS/etc/held"
printf 'o\n' >"$FX_FS/etc/owned"
fx_policy enforce "" "[protect]
exclude = $FX_FS/etc/cache

[log]
ratelimit_interval = 2

[changes]"
t_ok "baseline builds" fx_baseline

E=$FX_FS/etc
conf=$E/app.conf
# Descriptors opened before the seal: writes through them raise no
# permission event at all (design.md).
exec 7>>"$E/flood"
sb_bg held "$SB_TOOLS/sgtry" hold-open "$E/held" 3
for _ in $(seq 50); do grep -q ready "$SB_ROOT/held.log" 2>/dev/null && break; sleep 0.1; done
sb_start_journald
sb_start_daemon "$FX_POLICY"

# change KIND PATH [MORE MATCHES]: a change entry of that kind and path.
change() {
	local kind=$1 path=$2
	shift 2
	t_journal "change entry: $kind $path${*:+ ($*)}" SEALGUARD_EVENT=change \
		SEALGUARD_CHANGE="$kind" SEALGUARD_PATH="$path" \
		MESSAGE_ID=bd8ed0d140ba41aa9bd13e003c648878 "$@"
}

# ---------------------------------------------------------------- namespace
t_eq "mkdir under a protected path is not blocked by fanotify" ok "$(sb_try mkdir "$E/newdir")"
change create "$E/newdir" SEALGUARD_OBJECT=dir PRIORITY=4
t_eq "symlink" ok "$(sb_try symlink /etc/shadow "$E/link")"
change create "$E/link" SEALGUARD_OBJECT=file
t_eq "hardlink of an unprotected file into a protected directory" ok \
	"$(sb_try link "$FX_FS/var/data" "$E/hl")"
change create "$E/hl"
t_eq "chmod" ok "$(sb_try chmod "$E/victim" 600)"
change attrib "$E/victim"
t_eq "chown" ok "$(sb_try chown "$E/owned" 1 1)"
change attrib "$E/owned"
t_eq "setxattr" ok "$(sb_try setxattr "$E/app.conf" user.sg evil)"
change attrib "$E/app.conf"
t_eq "utimes" ok "$(sb_try utimes "$E/sub")"
change attrib "$E/sub" SEALGUARD_OBJECT=dir
t_eq "rename within protected" ok "$(sb_try rename "$E/hl" "$E/hl2")"
change rename "$E/hl" SEALGUARD_NEW_PATH="$E/hl2"
printf 'dropped\n' >"$FX_FS/var/dropped"
t_eq "rename from unprotected into protected" ok \
	"$(sb_try rename "$FX_FS/var/dropped" "$E/dropped")"
change rename "$FX_FS/var/dropped" SEALGUARD_NEW_PATH="$E/dropped"
t_eq "rename a protected file out" ok "$(sb_try rename "$E/dropped" "$FX_FS/var/out")"
change rename "$E/dropped" SEALGUARD_NEW_PATH="$FX_FS/var/out"
t_eq "unlink" ok "$(sb_try unlink "$E/gone")"
change delete "$E/gone" SEALGUARD_OBJECT=file
t_eq "rmdir" ok "$(sb_try rmdir "$E/newdir")"
change delete "$E/newdir" SEALGUARD_OBJECT=dir
t_eq "truncate(2) raises no open event" ok "$(sb_try truncate "$E/victim" 0)"
change modify "$E/victim"
t_eq "a denied O_CREAT open still creates the file" EPERM \
	"$(sb_try openat-creat "$E/empty")"
change create "$E/empty"
t_journal "... and the open itself is denied" SEALGUARD_EVENT=write \
	SEALGUARD_ACTION=deny SEALGUARD_PATH="$E/empty"

# ---------------------------------------------------------------- writes
for _ in $(seq 100); do grep -qx ok "$SB_ROOT/held.log" && break; sleep 0.1; done
t_eq "a write through a descriptor held from before the seal: not denied" \
	"ready ok" "$(tr '\n' ' ' <"$SB_ROOT/held.log" | sed 's/ $//')"
t_file_content "... and it wrote" "$E/held" x
change modify "$E/held"
change close-write "$E/held"

# ---------------------------------------------------------------- elsewhere
t_eq "tmpfs protected path: mkdir" ok "$(sb_try mkdir "$FX_ETC2/d")"
change create "$FX_ETC2/d" SEALGUARD_OBJECT=dir
t_eq "its own policy: chmod" ok "$(sb_try chmod "$FX_POLICY" 600)"
change attrib "$FX_POLICY"
t_eq "its own baseline: utimes" ok "$(sb_try utimes "$FX_CFG/baseline")"
change attrib "$FX_CFG/baseline"

# ---------------------------------------------------------------- the actor
SGTRY_LINGER=2 "$SB_TOOLS/sgtry" chmod "$E/app.conf" 640 >/dev/null &
linger=$!
change attrib "$E/app.conf" SEALGUARD_EXE="$SB_TOOLS/sgtry" SEALGUARD_COMM=sgtry \
	SEALGUARD_UID=0 SEALGUARD_PID="$linger"
wait "$linger" || true
pid=$(sb_journal_wait SEALGUARD_EVENT=change SEALGUARD_PATH="$E/gone" |
	sed -n 's/.*"SEALGUARD_PID":"\([0-9]*\)".*/\1/p' | head -n1)
t_ok "an actor that exited is still named by its pid" test -n "$pid"

# ---------------------------------------------------------------- quiet
sb_try mkdir "$FX_FS/var/quiet" >/dev/null
sb_try mkdir "$E/cache/quiet" >/dev/null
sb_try mkdir "$FX_SCRATCH/quiet" >/dev/null
sb_try mkdir "$E/last" >/dev/null
change create "$E/last" # later than the quiet ones: they have been read
t_eq "no entry for an unprotected path on a protected filesystem" 0 \
	"$(sb_journal_count SEALGUARD_EVENT=change SEALGUARD_PATH="$FX_FS/var/quiet")"
t_eq "no entry for an excluded path" 0 \
	"$(sb_journal_count SEALGUARD_EVENT=change SEALGUARD_PATH="$E/cache/quiet")"
t_eq "no entry for an unprotected filesystem" 0 \
	"$(sb_journal_count SEALGUARD_EVENT=change SEALGUARD_PATH="$FX_SCRATCH/quiet")"

# ---------------------------------------------------------------- flood
for _ in $(seq 3000); do printf 'x' >&7; done
exec 7>&-
change modify "$E/flood"
sb_try mkdir "$E/after-flood" >/dev/null
change create "$E/after-flood"
n=$(sb_journal_count SEALGUARD_EVENT=change SEALGUARD_PATH="$E/flood")
t_ok "3000 writes are at most a burst of entries (5), not 3000: $n" \
	test "$n" -ge 1 -a "$n" -le 5
suppressed() {
	journalctl -q --no-pager -o cat MESSAGE_ID=652c20d8bdfc45f593f13107efcf631f |
		grep -q -F "identical entries: change modify $E/flood"
}
for _ in $(seq 50); do suppressed && break; sleep 0.1; done
t_ok "the rest is counted in one suppressed entry" suppressed

# ---------------------------------------------------------------- mounts
mnt=$E/sub
mount -t tmpfs sgtest-over "$mnt"
t_journal "mount under a protected path" SEALGUARD_EVENT=change \
	SEALGUARD_CHANGE=mount SEALGUARD_PATH="$mnt" SEALGUARD_OBJECT=mount \
	SEALGUARD_FSTYPE=tmpfs MESSAGE_ID=dc722a3f73a24e0ab88a87e96a266693
mount -o remount,ro "$mnt"
t_journal "remount read-only" SEALGUARD_CHANGE=remount-ro SEALGUARD_PATH="$mnt"
mount -o remount,rw "$mnt"
t_journal "remount read-write" SEALGUARD_CHANGE=remount-rw SEALGUARD_PATH="$mnt" PRIORITY=4
umount -l "$mnt" # the watcher holds a directory of it: a plain umount is busy
t_journal "unmount" SEALGUARD_CHANGE=unmount SEALGUARD_PATH="$mnt"
alias=$SB_ROOT/alias
mkdir -p "$alias"
mount --bind "$E" "$alias"
t_journal "a bind mount showing a protected tree elsewhere" \
	SEALGUARD_CHANGE=mount SEALGUARD_PATH="$alias" SEALGUARD_MOUNT_ROOT=/etc
umount "$alias"
other=$SB_ROOT/other
mkdir -p "$other"
mount -t tmpfs sgtest-other "$other"
mount -o remount,ro "$FX_ETC2"
t_journal "remount of a protected filesystem" SEALGUARD_CHANGE=remount-ro \
	SEALGUARD_PATH="$FX_ETC2"
t_eq "no entry for an unrelated mount" 0 \
	"$(sb_journal_count SEALGUARD_EVENT=change SEALGUARD_PATH="$other")"
mount -o remount,rw "$FX_ETC2"
umount "$other"

# ---------------------------------------------------------------- status
t_ok "STATUS= counts reported changes" grep -q 'changes: [1-9][0-9]* reported' "$SB_NOTIFY_FILE"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly" 0 "$rc"
