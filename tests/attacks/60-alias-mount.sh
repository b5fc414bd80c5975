#!/usr/bin/env bash
# 60-alias-mount.sh - door 6: a new name through an alias mount.
# `mount --bind /etc /tmp/alias; echo x >/tmp/alias/ld.so.preload`: the
# new name has no inode the guard knew at seal time, and the path it was
# opened through (/tmp/alias/...) is not a protected path. The guard must
# judge it by the directory it lands in, whatever mount leads there, and
# log the real (canonical) path; what fanotify cannot block (a rename
# into the directory through the alias) must be reported by the change
# watch under the real path. Reads and writes that the policy allows stay
# allowed through an alias.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
ATK_DOOR=alias-mount

fx_setup
mkdir -p "$FX_FS/etc/sub"
# An exec path that is a subdirectory of its filesystem: the only exec
# scope the guard decides by path (whole mounts are in scope as a whole).
APPS=$(sb_mount_tmpfs apps)
mkdir -p "$APPS/bin" "$APPS/data"
fx_policy enforce "path = $APPS/bin" "[changes]"
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

E=$FX_FS/etc
W=c78e863500844543a68fdeb6331cee0e # SG_MSGID_WRITE_DENIED
X=c044eee549834822aacd7cfe525b6bc9 # SG_MSGID_EXEC_DENIED
C=bd8ed0d140ba41aa9bd13e003c648878 # SG_MSGID_CHANGE

# alias NAME TARGET: a bind mount of TARGET at $SB_ROOT/NAME (this test's
# own namespace and scratch tmpfs: nothing outside the sandbox moves).
alias_of() {
	local at=$SB_ROOT/$1
	mkdir -p "$at"
	mount --bind "$2" "$at"
	echo "$at"
}
# denied_write ID ERRNO-GOT REAL-PATH: blocked, logged under the real path.
denied_write() {
	atk_blocked "$1" EPERM "$2" MESSAGE_ID=$W SEALGUARD_ACTION=deny \
		SEALGUARD_PATH="$3"
}

A=$(alias_of alias "$E")
sleep 0.3 # let the daemon see the mount (it must not depend on it)

# ---------------------------------------------------------------- new names
denied_write creat-through-alias "$(sb_try openat-creat "$A/ld.so.preload")" \
	"$E/ld.so.preload"
t_journal "the denial also names the path the attacker used" MESSAGE_ID=$W \
	SEALGUARD_PATH="$E/ld.so.preload" SEALGUARD_PATH_SEEN="$A/ld.so.preload"
denied_write creat-syscall-through-alias "$(sb_try creat "$A/preload2")" \
	"$E/preload2"
# The kernel made the file before the permission event (design.md): the
# change watch names it by its real path.
atk_detected created-name-reported 5 MESSAGE_ID=$C SEALGUARD_CHANGE=create \
	SEALGUARD_PATH="$E/ld.so.preload"

# ---------------------------------------------------------------- old names
golden=$(fx_sha "$E/app.conf")
denied_write trunc-through-alias "$(sb_try open-trunc "$A/app.conf")" \
	"$E/app.conf"
t_eq "the protected file kept its bytes" "$golden" "$(fx_sha "$E/app.conf")"

# ---------------------------------------------------------------- deeper
S=$(alias_of subalias "$E/sub")
denied_write creat-through-subdir-alias "$(sb_try openat-creat "$S/new")" \
	"$E/sub/new"
A2=$(alias_of alias2 "$A")
denied_write creat-through-alias-of-alias \
	"$(sb_try openat-creat "$A2/again")" "$E/again"
S2=$(alias_of subalias2 "$S")
denied_write creat-through-alias-of-subdir-alias \
	"$(sb_try openat-creat "$S2/deeper")" "$E/sub/deeper"
# A symlink is resolved by the kernel before the open: the event's file
# already has its real path. Proven here, not assumed.
ln -s "$E" "$FX_SCRATCH/to-etc"
denied_write creat-through-symlink \
	"$(sb_try openat-creat "$FX_SCRATCH/to-etc/via-link")" "$E/via-link"

# ---------------------------------------------------------------- elsewhere
# An alias made in a mount namespace of the attacker's own: its mount ids
# are in no table of ours; the opener's own mountinfo names the mount.
got=$(unshare -m --propagation private sh -c '
	mkdir -p "$2" && mount --bind "$1" "$2" && "$3/sgtry" openat-creat "$2/ns-new"
	' sh "$E" "$SB_ROOT/nsalias" "$SB_TOOLS" 2>&1) || true
denied_write creat-through-alias-in-other-namespace "$got" "$E/ns-new"
atk_detected created-in-other-namespace-reported 5 MESSAGE_ID=$C \
	SEALGUARD_CHANGE=create SEALGUARD_PATH="$E/ns-new"
# A detached mount (open_tree(OPEN_TREE_CLONE)) is in no mountinfo at
# all: no name can be told, so the guard fails closed and logs the path
# the descriptor showed.
got=$(timeout 20 "$SB_TOOLS/sgtree" "$E" detached-new)
atk_blocked creat-through-detached-mount EPERM "$got" MESSAGE_ID=$W \
	SEALGUARD_ACTION=deny SEALGUARD_PATH=? SEALGUARD_PATH_SEEN=/detached-new

# ---------------------------------------------------------------- rename
# fanotify cannot deny a rename: the change watch must report it with the
# real path, even when the attacker used an alias of the whole filesystem
# (a rename across two mounts is EXDEV, so it is done inside the alias).
R=$(alias_of whole "$FX_FS")
printf 'evil\n' >"$FX_FS/var/payload"
got=$(sb_try rename "$R/var/payload" "$R/etc/ld.so.conf")
t_eq "rename into the protected directory through an alias: not blockable" ok "$got"
atk_detected rename-through-alias 5 MESSAGE_ID=$C SEALGUARD_CHANGE=rename \
	SEALGUARD_PATH="$FX_FS/var/payload" SEALGUARD_NEW_PATH="$E/ld.so.conf"

# ---------------------------------------------------------------- exec
# A binary dropped in an exec-checked directory (not a protected one),
# run through an alias that is outside every exec path: still in scope.
cp /bin/true "$APPS/bin/dropped"
XA=$(alias_of xalias "$APPS/bin")
atk_blocked exec-through-alias EPERM "$(sb_try exec "$XA/dropped")" \
	MESSAGE_ID=$X SEALGUARD_PATH="$APPS/bin/dropped"

# ---------------------------------------------------------------- false positives
V=$(alias_of varalias "$FX_FS/var")
atk_allowed write-unprotected-through-alias "$(sb_try openat-creat "$V/fresh")"
atk_allowed write-unprotected-through-whole-alias \
	"$(sb_try openat-creat "$R/var/fresh2")"
atk_allowed read-protected-through-alias "$(sb_try open-rdonly "$A/app.conf")"
atk_allowed trusted-exec-through-alias "$(sb_try exec "$R/opt/app")"
D=$(alias_of dalias "$APPS/data")
atk_allowed exec-out-of-scope-through-alias \
	"$(cp /bin/true "$APPS/data/tool" && sb_try exec "$D/tool")"
# A service in a mount namespace of its own (systemd's PrivateTmp and
# the like) writes new files where the policy lets it.
got=$(unshare -m --propagation private "$SB_TOOLS/sgtry" openat-creat \
	"$FX_FS/var/from-other-ns" 2>&1) || true
atk_allowed write-unprotected-from-other-namespace "$got"
t_eq "no write denial for the allowed writes" 0 \
	"$(sb_journal_count MESSAGE_ID=$W SEALGUARD_PATH="$FX_FS/var/fresh")"

sb_stop_daemon

# ---------------------------------------------------------------- sealed
# A read-only seal of $E is a bind mount on top of it: an alias of the
# whole filesystem (not recursive) shows the writable directory beneath.
# The kernel does not refuse there; the guard must, by the name.
for m in "$R" "$A2" "$A" "$S2" "$S" "$XA" "$V" "$D"; do umount "$m"; done
fx_policy enforce "path = $APPS/bin" "[protect]
seal = $E"
sb_start_daemon "$FX_POLICY"
R=$(alias_of whole-sealed "$FX_FS")
denied_write creat-beneath-seal-through-alias \
	"$(sb_try openat-creat "$R/etc/beneath-seal")" "$E/beneath-seal"
A=$(alias_of alias-sealed "$E")
atk_blocked creat-through-alias-of-seal EROFS \
	"$(sb_try openat-creat "$A/through-seal")"
sb_stop_daemon
