#!/usr/bin/env bash
# 30-mount-namespace.sh - door 3: a filesystem mounted in another mount
# namespace. Root (`unshare -m`) or any user (`unshare -Urm`) mounts a
# fresh tmpfs over an exec-checked path in a namespace of its own and runs
# a binary from it: the new filesystem is in no mount table of the
# daemon's. The daemon finds every namespace /proc shows (the sandbox is
# a pid namespace: only the test's processes) and marks each new
# filesystem in exec scope in it (fan/guard_ns.c). The kernel tells
# nothing synchronously: between the mount and the mark there is a
# window, measured here (200 attacks, mount then exec at once); a program
# that slipped through and still runs is found when the filesystem is
# marked, reported and killed ([respond] exec = kill).
#
# Safety: the attacker's namespaces are children of the sandbox's; under
# --confine the daemon marks there only filesystems mounted nowhere in its
# own namespace (new tmpfs the test made), below $SB_ROOT.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
ATK_DOOR=mount-namespace

fx_setup
APPS=$(sb_mount_tmpfs apps)
mkdir -p "$APPS/bin"
chmod 0755 "$SB_ROOT"
fx_policy enforce "path = $APPS/bin"
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

X=c044eee549834822aacd7cfe525b6bc9  # SG_MSGID_EXEC_DENIED
MK=d5f49c0036454ee683a5b1a6848173a3 # SG_MSGID_MNTNS_MARKED
SL=7dadb68c75924c3091d002790b404661 # SG_MSGID_MNTNS_EXEC
B=$APPS/bin
# the holders' control files: writable by the unprivileged one too
C=$SB_ROOT/ctl
mkdir -p "$C"
chmod 0777 "$C"

# holder NAME [PREFIX...] -- UNSHARE-FLAGS: a namespace that mounts a new
# tmpfs on $B, drops a copy of /bin/true there, says so ($SB_ROOT/NAME.up),
# waits for $SB_ROOT/NAME.go and runs each line of $SB_ROOT/NAME.cmd
# (sgtry calls), their output in $SB_ROOT/NAME.out. Sets HOLDER_PID.
holder() {
	local name=$1
	shift
	: >"$C/$name.cmd"
	chmod 0644 "$C/$name.cmd"
	# shellcheck disable=SC2016
	"$@" sh -c 'mount -t tmpfs attacker "$1" && cp /bin/true "$1/evil" &&
		: >"$2.up" && while [ ! -e "$2.go" ]; do sleep 0.05; done &&
		while read -r op arg; do "$3/sgtry" "$op" "$arg"; done <"$2.cmd"
		' sh "$B" "$C/$name" "$SB_TOOLS" >"$C/$name.out" 2>&1 &
	HOLDER_PID=$!
	SB_PIDS+=("$HOLDER_PID")
}
# run_in NAME: run the queued commands and wait for them (not in $(...):
# the holder is the main shell's child); their output is in $C/NAME.out.
run_in() {
	: >"$C/$1.go"
	wait "$HOLDER_PID" || true
}
# up_then NAME SECONDS: the namespace has mounted; give the daemon SECONDS.
up_then() {
	local i
	for ((i = 0; i < 100; i++)); do [ -e "$C/$1.up" ] && break; sleep 0.05; done
	sleep "$2"
}

# ---------------------------------------------------------------- root
holder root unshare -m --propagation private
printf 'exec %s\nopenat-creat %s\nexec %s\n' "$B/evil" "$B/scratch-file" \
	"$FX_FS/opt/app" >"$C/root.cmd"
up_then root 1.5
run_in root
out=$(cat "$C/root.out")
atk_blocked root-unshare-tmpfs-exec EPERM "$(sed -n 1p <<<"$out")" \
	MESSAGE_ID=$X SEALGUARD_PATH="$B/evil"
t_journal "the new filesystem was marked in its namespace" MESSAGE_ID=$MK \
	SEALGUARD_PATH="$B"
atk_allowed write-on-the-namespace-tmpfs "$(sed -n 2p <<<"$out")"
atk_allowed trusted-exec-in-other-namespace "$(sed -n 3p <<<"$out")"

# ---------------------------------------------------------------- unprivileged
holder unpriv setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urm
printf 'exec %s\nexec %s\n' "$B/evil" "$FX_FS/opt/app" >"$C/unpriv.cmd"
up_then unpriv 1.5
run_in unpriv
out=$(cat "$C/unpriv.out")
atk_blocked unpriv-userns-tmpfs-exec EPERM "$(sed -n 1p <<<"$out")" \
	MESSAGE_ID=$X SEALGUARD_PATH="$B/evil"
atk_allowed trusted-exec-in-user-namespace "$(sed -n 2p <<<"$out")"

# ---------------------------------------------------------------- bind
# A bind mount of an exec-checked filesystem of ours in another namespace:
# the same superblock, marked from the start (no window).
got=$(unshare -m --propagation private sh -c \
	'mount --bind "$1" "$2" && "$3/sgtry" exec "$2/dropped"' \
	sh "$FX_SCRATCH" "$B" "$SB_TOOLS" 2>&1) || true
atk_blocked bind-mount-in-other-namespace EPERM "$got" MESSAGE_ID=$X

# ---------------------------------------------------------------- window
# As an attacker would: a new namespace, a tmpfs, a binary, and the exec
# at once, 200 times. The namespace is unknown to the daemon until a scan
# finds it (every second, or on a mount notification of a namespace it
# already watches): the window is the time from the mount to the scan.
denied=0 ran=0 other=0
for ((i = 0; i < 200; i++)); do
	got=$(unshare -m --propagation private sh -c \
		'mount -t tmpfs attacker "$1" && cp /bin/true "$1/evil" &&
		"$2/sgtry" exec "$1/evil"' sh "$B" "$SB_TOOLS" 2>&1) || true
	case "$got" in
	EPERM) denied=$((denied + 1)) ;;
	ok) ran=$((ran + 1)) ;;
	*) other=$((other + 1)) ;;
	esac
done
echo "window: 200 immediate attacks: $denied denied, $ran ran, $other other" >&2
atk__row immediate-exec-200 MEASURED "denied=$denied ran=$ran other=$other"
t_eq "every immediate attack either ran or was denied" 0 "$other"
atk_limit immediate-exec-in-fresh-namespace \
	"no synchronous event for a new mount namespace or a mount in it: $ran of 200 immediate execs ran" \
	"programs still running when the filesystem is marked are killed ([respond]); [harden] user_namespaces = no for unprivileged users"

# The same, but the binary is copied from a marked filesystem (as it
# would be from /usr on a host): the copy's open is an event of an opener
# in a namespace not seen yet, and the daemon scans before answering it.
sync_denied=0 sync_ran=0 sync_other=0
for ((i = 0; i < 200; i++)); do
	got=$(unshare -m --propagation private sh -c \
		'mount -t tmpfs attacker "$1" && cp "$3" "$1/evil" &&
		"$2/sgtry" exec "$1/evil"' sh "$B" "$SB_TOOLS" "$FX_FS/opt/app" 2>&1) || true
	case "$got" in
	EPERM) sync_denied=$((sync_denied + 1)) ;;
	ok) sync_ran=$((sync_ran + 1)) ;;
	*) sync_other=$((sync_other + 1)) ;;
	esac
done
echo "window: 200 attacks copying from a marked filesystem: $sync_denied denied, $sync_ran ran, $sync_other other" >&2
if [ "$sync_denied" = 200 ]; then
	atk__row copy-from-marked-fs-exec-200 BLOCKED "errno=EPERM 200/200"
	t_pass "$ATK_DOOR/copy-from-marked-fs-exec-200: blocked 200 of 200"
else
	atk__row copy-from-marked-fs-exec-200 MISSED "denied=$sync_denied ran=$sync_ran other=$sync_other"
	t_fail "$ATK_DOOR/copy-from-marked-fs-exec-200: blocked" \
		"expected 200 of 200 denied, got $sync_denied (ran $sync_ran, other $sync_other)"
fi

# ---------------------------------------------------------------- detect
sb_stop_daemon
fx_policy enforce "path = $APPS/bin" "[respond]
exec = kill"
sb_start_daemon "$FX_POLICY"
# A program that slipped through and keeps running is found when its
# filesystem is marked (within the scan's second) and killed.
cp /bin/sleep "$SB_ROOT/sleeper"
unshare -m --propagation private sh -c \
	'mount -t tmpfs attacker "$1" && cp "$2" "$1/evil-sleep" && exec "$1/evil-sleep" 20' \
	sh "$B" "$SB_ROOT/sleeper" >/dev/null 2>&1 &
SLEEPER=$!
SB_PIDS+=("$SLEEPER")
atk_detected slipped-exec-found 3 MESSAGE_ID=$SL SEALGUARD_ACTION=detected
rc=0
timeout 5 tail --pid="$SLEEPER" -f /dev/null || rc=$?
t_eq "the slipped program was killed ([respond] exec = kill)" 0 "$rc"

sb_stop_daemon

# ---------------------------------------------------------------- harden
# [harden] user_namespaces = no: user.max_user_namespaces = 0. It is per
# user namespace and the sandbox shares the machine's: the daemon writes
# a stand-in file (--userns-sysctl, below $SB_ROOT), and refuses to start
# under --confine without one. What the setting does is shown in a user
# namespace the test makes itself (its own limits, nobody else's).
HS=$SB_ROOT/sysctl
mkdir -p "$HS"
echo 96367 >"$HS/max_user_namespaces"
fx_policy enforce "path = $APPS/bin" "[harden]
user_namespaces = no"
rc=0
timeout 20 "$SG_BUILD/sealguardd" --policy "$FX_POLICY" --confine "$SB_ROOT" \
	--log-target stderr >"$SB_ROOT/refused.log" 2>&1 || rc=$?
t_ok "under --confine without --userns-sysctl the daemon refuses to start" \
	test "$rc" != 0
t_ok "... and says why" grep -q 'needs --userns-sysctl' "$SB_ROOT/refused.log"
sb_start_daemon "$FX_POLICY" --userns-sysctl "$HS/max_user_namespaces"
t_file_content "user_namespaces = no: user.max_user_namespaces is set to 0" \
	"$HS/max_user_namespaces" 0
t_journal "journal: the change is logged with the old value" \
	MESSAGE_ID=1a51ccab80f949249ad34704c1c486a0 \
	--grep "user.max_user_namespaces = 0 \\(was 96367\\)"
sb_stop_daemon
got=$(unshare -U -r sh -c 'echo 0 >/proc/sys/user/max_user_namespaces &&
	unshare -U -r -m true 2>&1 && echo ran || echo refused' 2>&1) || true
t_eq "with user.max_user_namespaces = 0, unshare -Urm is refused" refused \
	"$(tail -n 1 <<<"$got")"
