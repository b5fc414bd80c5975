#!/usr/bin/env bash
# 40-block-device.sh - door 4: the block device under a protected
# filesystem. Root opens the loop device holding the protected ext4 for
# writing, rewrites a protected file's blocks and a trusted binary's, and
# drops those files' page cache: without the guard both change, and the
# trusted binary runs the new bytes (its kernel ignore mark stays: no
# notification fires). fanotify raises no event for device nodes, so the
# guard refuses write-opens and mknod of the device with a cgroup device
# program (fan/devcg.c), by device number, through any node; here it is
# attached to a cgroup of the test's own (--device-cgroup), where the
# attacker runs, never to the host's root. The loop device's backing file
# is denied through fanotify, new nodes in /dev are reported, and
# read-only opens still work.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
ATK_DOOR=block-device
MSGID_WRITE_DENIED=$(sed -n 's/^#define SG_MSGID_WRITE_DENIED "\(.*\)"/\1/p' "$SB_REPO/include/messages.h")
MSGID_NODE=$(sed -n 's/^#define SG_MSGID_BLOCKDEV_NODE "\(.*\)"/\1/p' "$SB_REPO/include/messages.h")
MSGID_DEVGUARD=$(sed -n 's/^#define SG_MSGID_DEVGUARD "\(.*\)"/\1/p' "$SB_REPO/include/messages.h")
MSGID_KERNEL=$(sed -n 's/^#define SG_MSGID_BLOCKDEV_KERNEL "\(.*\)"/\1/p' "$SB_REPO/include/messages.h")

fx_setup
dev=$(findmnt -n -o SOURCE "$FX_FS")
img=$SB_ROOT/fs.img
case "$dev" in /dev/loop*) ;; *) sb__abort "$FX_FS is not on a loop device ($dev)" ;; esac
t_eq "the loop device's backing file is the test's image" "$img" \
	"$(cat "/sys/dev/block/$(($(stat -c '0x%t' "$dev"))):$(($(stat -c '0x%T' "$dev")))/loop/backing_file")"
majmin="$(($(stat -c '0x%t' "$dev"))):$(($(stat -c '0x%T' "$dev")))"
bs=$(stat -f -c %S "$FX_FS")
sync
# Where the victims' first blocks are (debugfs reads the device).
blk_conf=$(debugfs -R "bmap /etc/app.conf 0" "$dev" 2>/dev/null)
blk_tool=$(debugfs -R "bmap /bin/tool 0" "$dev" 2>/dev/null)
case "$blk_conf$blk_tool" in '' | *[!0-9]*) sb__abort "debugfs bmap failed" ;; esac
# The payloads: a block each. The tool becomes a shell script (the rest
# of the old ELF bytes after "exit 0" are never read).
payload_conf=$SB_ROOT/conf.blk payload_tool=$SB_ROOT/tool.blk
{ printf 'pwned\n'; head -c $((bs - 6)) /dev/zero; } >"$payload_conf"
{ printf '#!/bin/sh\necho pwned\nexit 0\n'; head -c $((bs - 27)) /dev/zero | tr '\0' '\n'; } >"$payload_tool"
tool_sha=$(fx_sha "$FX_FS/bin/tool")

# Nodes made before the guard starts (by root, as a way in later): one on
# a marked tmpfs, one on a tmpfs the daemon does not mark.
plain=$(sb_mount_tmpfs plain)
mknod "$FX_SCRATCH/disk" b "${majmin%:*}" "${majmin#*:}"
mknod "$plain/disk" b "${majmin%:*}" "${majmin#*:}"

cg=$(sb_make_cgroup attacker)
# in_cg CMD...: run CMD in the cgroup the device guard is attached to.
in_cg() { bash -c 'echo $BASHPID >"$0/cgroup.procs" && exec "$@"' "$cg" "$@"; }
# cg_try OP ARGS...: sgtry in that cgroup, as sb_try prints it.
cg_try() {
	local out rc=0
	out=$(timeout -k 2 20 bash -c 'echo $BASHPID >"$0/cgroup.procs" && exec "$@"' \
		"$cg" "$SB_TOOLS/sgtry" "$@") || rc=$?
	if [ "$rc" = 0 ]; then echo "$out"; else echo "sgtry-exit=$rc"; fi
}

fx_policy enforce
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY" --device-cgroup "$cg"
t_ok "the daemon says whether the kernel refuses writes to mounted block devices" \
	sb_journal_wait MESSAGE_ID="$MSGID_KERNEL"

# The trusted binary runs (and is cached in the kernel by an ignore mark).
t_eq "the trusted tool runs" "0:" "$("$FX_FS/bin/tool" && echo "0:")"

# rewrite BLOCK PAYLOAD: the attack's write, through the /dev node; dd's
# verdict as an errno name.
rewrite() {
	local err
	if err=$(in_cg dd if="$2" of="$dev" bs="$bs" seek="$1" count=1 conv=notrunc,fsync \
		status=none 2>&1); then
		echo ok
	else
		case "$err" in *"Operation not permitted"*) echo EPERM ;; *) echo "dd: $err" ;; esac
	fi
}
# drop_cache FILE: drop the file's clean pages (posix_fadvise DONTNEED by
# dd iflag=nocache; never the host-wide drop_caches), so that the next
# read comes from the device.
drop_cache() { dd if="$1" iflag=nocache count=0 status=none; }

atk_blocked dd-rewrite-conf EPERM "$(rewrite "$blk_conf" "$payload_conf")" \
	MESSAGE_ID="$MSGID_DEVGUARD" SEALGUARD_DEVICE="$majmin" SEALGUARD_ACTION=deny
atk_blocked dd-rewrite-tool EPERM "$(rewrite "$blk_tool" "$payload_tool")" \
	MESSAGE_ID="$MSGID_DEVGUARD" SEALGUARD_DEVICE="$majmin" SEALGUARD_ACTION=deny
drop_cache "$FX_FS/etc/app.conf"
drop_cache "$FX_FS/bin/tool"
t_eq "the protected file's bytes are unchanged" golden "$(cat "$FX_FS/etc/app.conf")"
t_eq "the trusted binary's bytes are unchanged" "$tool_sha" "$(fx_sha "$FX_FS/bin/tool")"
t_eq "the trusted binary still runs its own bytes" "0:" "$("$FX_FS/bin/tool" && echo "0:")"

atk_blocked open-wronly-dev EPERM "$(cg_try open-wronly "$dev")" \
	MESSAGE_ID="$MSGID_DEVGUARD" SEALGUARD_DEVICE="$majmin" SEALGUARD_ACTION=deny
atk_blocked open-rdwr-dev EPERM "$(cg_try open-rdwr "$dev")"
atk_blocked openat-wronly-dev EPERM "$(cg_try openat-wronly "$dev")"

# The loop device's backing file is the device too.
atk_blocked open-rdwr-backing-file EPERM "$(cg_try open-rdwr "$img")" \
	MESSAGE_ID="$MSGID_WRITE_DENIED" SEALGUARD_PATH="$img"
atk_blocked open-wronly-backing-file EPERM "$(cg_try open-wronly "$img")" \
	MESSAGE_ID="$MSGID_WRITE_DENIED" SEALGUARD_PATH="$img"

# Other nodes for the same device: the check is by device number.
atk_blocked node-on-marked-tmpfs EPERM "$(cg_try open-wronly "$FX_SCRATCH/disk")"
atk_blocked node-on-unmarked-tmpfs EPERM "$(cg_try open-rdwr "$plain/disk")" \
	MESSAGE_ID="$MSGID_DEVGUARD" SEALGUARD_DEVICE="$majmin" SEALGUARD_ACTION=deny
got=$(in_cg mknod "$SB_ROOT/newdisk" b "${majmin%:*}" "${majmin#*:}" 2>&1 && echo ok || true)
case "$got" in *"Operation not permitted"*) got=EPERM ;; esac
atk_blocked mknod-new-node EPERM "$got" \
	MESSAGE_ID="$MSGID_DEVGUARD" SEALGUARD_DEVICE="$majmin" SEALGUARD_ACTION=deny

# A new node in /dev (the host's devtmpfs, for the test's own loop device
# only, made outside the guarded cgroup): the walk of /dev finds it
# within a second and reports it; writing through it is refused.
node=/dev/sgtest-${SB_ROOT##*.}
mknod "$node" b "${majmin%:*}" "${majmin#*:}"
atk_detected new-node-in-dev 5 MESSAGE_ID="$MSGID_NODE" SEALGUARD_PATH="$node"
atk_blocked new-node-in-dev-write EPERM "$(cg_try open-wronly "$node")" \
	MESSAGE_ID="$MSGID_DEVGUARD" SEALGUARD_DEVICE="$majmin" SEALGUARD_ACTION=deny
rm -f "$node"

# Read-only opens of the device still work.
atk_allowed blkid-reads-dev "$(in_cg blkid -p -o value -s TYPE "$dev")" ext4
atk_allowed dd-reads-dev "$(in_cg dd if="$dev" of=/dev/null bs=512 count=1 status=none && echo ok)"
atk_allowed open-rdonly-dev "$(cg_try open-rdonly "$dev")"
atk_allowed open-rdonly-other-node "$(cg_try open-rdonly "$plain/disk")"
atk_allowed open-rdonly-backing-file "$(cg_try open-rdonly "$img")"
atk_allowed write-dev-null "$(in_cg sh -c 'echo x >/dev/null' && echo ok)"
sb_stop_daemon
