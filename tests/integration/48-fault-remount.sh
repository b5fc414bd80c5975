#!/usr/bin/env bash
# 48-fault-remount.sh - fault: the filesystem of a protected path is
# swapped under the running daemon. The protected path P is a tmpfs the
# test mounted on another tmpfs ("top", not in the policy, so not marked
# at the start). 40-lifecycle.sh covers a new mount appearing *below* a
# protected path; here the mount *at* P and *above* P changes:
#  1. a new tmpfs stacked on P (mount --move, no unmount);
#  2. the stacked tmpfs unmounted again (P's own filesystem shows again);
#  3. P's tmpfs detached (umount -l): P is now a plain directory on "top",
#     a filesystem the daemon had no reason to mark before;
#  4. a fresh tmpfs, with a file, mounted at P;
#  5. a new tmpfs, holding its own p/f, stacked on "top", P's parent;
#  6. an already-marked filesystem (the exec-only scratch mount) bound on P.
# Stated outcome for each: the daemon sees the mount table change
# (mountinfo POLLPRI), marks whatever filesystem now holds P, logs it
# (SG_MSGID_MOUNTS_CHANGED, when there is a filesystem new to its plan),
# and from then on a write-open or create under P is EPERM; the bound
# from the mount to the first EPERM is asserted (MARK_BOUND_MS). What the
# kernel does not allow: a mount is usable before any listener hears of
# it, so opens made in the window between the mount and the mark are not
# seen; the test counts the opens that got through in that window (each
# PASS line names the number; 0 in every case and run so far, gcc and
# ASan: the mark came within about 5 ms, before the first sgtry, which
# comes as fast as fork+exec allows; the test does not assert 0). While the scratch mount is bound at P its
# files are protected through its own path too (a file is judged by its
# names under the policy's mounts, guard_path.c, issue #12 door 6). A
# refused create leaves an empty file (the kernel asks once the name
# exists), as in 10-write-deny.sh.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

MSGID_MOUNTS_CHANGED=e751ff297f9049a38f185649c1190435
MARK_BOUND_MS=2000

fx_setup
top=$(sb_mount_tmpfs top)
P=$top/p
mkdir "$P"
mount -t tmpfs -o mode=0755 sgtest-p "$P"
printf 'golden\n' >"$P/f"
FX_POLICY=$FX_CFG/policy.conf
cat >"$FX_POLICY" <<EOF
[sealguard]
mode = enforce
baseline = $FX_CFG/baseline

[protect]
path = $P
path = $FX_FS/etc

[exec]
scope = paths
path = $FX_FS
path = $FX_SCRATCH
EOF
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

t_eq "at start: write-open of P/f is denied" EPERM "$(sb_try open-wronly "$P/f")"
t_eq "at start: read of P/f is allowed" ok "$(sb_try open-rdonly "$P/f")"

# stage NAME: a tmpfs at $SB_ROOT/NAME holding p/f and f, to be moved
stage() {
	local s
	s=$(sb_mount_tmpfs "$1")
	mkdir "$s/p"
	printf 'staged\n' >"$s/f"
	printf 'staged\n' >"$s/p/f"
	echo "$s"
}

# until_denied OP PATH: retry OP on PATH until EPERM or MARK_BOUND_MS;
# echo "MS ALLOWED" (ALLOWED: how many tries got through first), or
# "timeout ALLOWED"
until_denied() {
	local t0 ms allowed=0 res
	t0=$(date +%s%N)
	while :; do
		res=$(sb_try "$1" "$2")
		ms=$((($(date +%s%N) - t0) / 1000000))
		if [ "$res" = EPERM ]; then
			echo "$ms $allowed"
			return 0
		fi
		allowed=$((allowed + 1))
		if [ "$ms" -gt "$MARK_BOUND_MS" ]; then
			echo "timeout $allowed"
			return 0
		fi
	done
}

# check_guarded CASE OP PATH MOUNT-CMD...: run the mount command, then
# assert that OP on PATH is denied within the bound
check_guarded() {
	local what=$1 op=$2 path=$3 res
	shift 3
	"$@"
	res=$(until_denied "$op" "$path")
	t_ok "$what: $op $path is EPERM within $MARK_BOUND_MS ms (after ${res% *} ms; ${res#* } tries got through in the window)" \
		test "${res% *}" != timeout
}

# a new entry of the mark log since COUNT, within a few seconds
logged_since() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(sb_journal_count MESSAGE_ID=$MSGID_MOUNTS_CHANGED)" -gt "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# ---------------------------------------------------------------- 1 stack on P
n=$(sb_journal_count MESSAGE_ID=$MSGID_MOUNTS_CHANGED)
s1=$(stage s1)
check_guarded "1 stacked on P" open-wronly "$P/f" mount --move "$s1" "$P"
t_file_content "1 stacked on P: P shows the new filesystem" "$P/f" staged
t_ok "1 stacked on P: the new mark is logged" logged_since "$n"
t_eq "1 stacked on P: a create under P is denied" EPERM "$(sb_try creat "$P/new1")"
# the kernel asks only once the name exists: a refused create leaves it empty
t_ok "1 stacked on P: the refused create is left empty" test ! -s "$P/new1"

# ---------------------------------------------------------------- 2 unstack
umount "$P"
t_file_content "2 unstacked: P shows its own filesystem again" "$P/f" golden
t_eq "2 unstacked: write-open of P/f is denied" EPERM "$(sb_try open-wronly "$P/f")"

# ---------------------------------------------------------------- 3 detach P
n=$(sb_journal_count MESSAGE_ID=$MSGID_MOUNTS_CHANGED)
check_guarded "3 P detached (umount -l): now a directory on top" creat "$P/new3" \
	umount -l "$P"
t_ok "3 P detached: the mark of the filesystem now holding P is logged" logged_since "$n"
t_eq "3 P detached: a second create under P is denied" EPERM "$(sb_try creat "$P/new3b")"
t_ok "3 P detached: the refused create is left empty" test ! -s "$P/new3b"
t_eq "3 P detached: top outside P is not protected (write allowed)" ok \
	"$(sb_try creat "$top/outside")"

# ---------------------------------------------------------------- 4 fresh tmpfs at P
n=$(sb_journal_count MESSAGE_ID=$MSGID_MOUNTS_CHANGED)
s4=$(stage s4)
check_guarded "4 fresh tmpfs at P" open-wronly "$P/f" mount --move "$s4" "$P"
t_ok "4 fresh tmpfs at P: the new mark is logged" logged_since "$n"
t_eq "4 fresh tmpfs at P: write through openat O_TRUNC is denied" EPERM \
	"$(sb_try write "$P/f" evil)"
t_file_content "4 fresh tmpfs at P: its file kept its bytes" "$P/f" staged

# ---------------------------------------------------------------- 5 stack on P's parent
n=$(sb_journal_count MESSAGE_ID=$MSGID_MOUNTS_CHANGED)
s5=$(stage s5)
check_guarded "5 stacked on P's parent" open-wronly "$P/f" mount --move "$s5" "$top"
t_ok "5 stacked on P's parent: the new mark is logged" logged_since "$n"
t_eq "5 stacked on P's parent: a create under P is denied" EPERM "$(sb_try creat "$P/new5")"
t_eq "5 stacked on P's parent: outside P is not protected" ok "$(sb_try creat "$top/outside5")"

# ---------------------------------------------------------------- 6 bind a marked fs on P
check_guarded "6 exec-only scratch bound on P" open-wronly "$P/dropped" \
	mount --bind "$FX_SCRATCH" "$P"
t_eq "6 bound on P: a create under P is denied" EPERM "$(sb_try creat "$P/new6")"
# door 6 (guard_path.c): a file is judged by its names through the
# policy's mounts, whichever mount the opener came through
t_eq "6 bound on P: the same file through the scratch mount's own path is protected too" EPERM \
	"$(sb_try open-wronly "$FX_SCRATCH/dropped")"
t_eq "6 bound on P: an untrusted exec through P is still refused" EPERM \
	"$(sb_try exec "$P/dropped")"

# ---------------------------------------------------------------- after
t_eq "after: the original protected tree still answers" EPERM \
	"$(sb_try open-wronly "$FX_FS/etc/app.conf")"
t_ok "after: the daemon is running" sb__alive "$SB_DAEMON_PID"
rc=0
sb_stop_daemon || rc=$?
t_eq "after: clean stop" 0 "$rc"
