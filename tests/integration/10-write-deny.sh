#!/usr/bin/env bash
# 10-write-deny.sh - every way of opening a protected file for writing is
# denied with EPERM before a byte changes, whatever the syscall, the flag,
# the name (hardlink) or the mount (bind mount) it comes through; reads
# keep working; each denial is one journal entry with its fields.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

fx_setup
fx_policy enforce
t_ok "baseline builds" fx_baseline
# A hardlink made before the seal, under an unprotected name.
ln "$FX_FS/etc/app.conf" "$FX_FS/var/alias-before"
sb_start_journald
sb_start_daemon "$FX_POLICY"

conf=$FX_FS/etc/app.conf
golden=$(fx_sha "$conf")

# ---------------------------------------------------------------- write opens
for op in open-wronly open-rdwr open-trunc open-append open-creat \
	openat-wronly openat-rdwr openat-trunc openat-append openat-creat \
	creat by-handle-wronly openat2-wronly uring-wronly; do
	t_eq "$op of a protected file: EPERM" EPERM "$(sb_try "$op" "$conf")"
done
t_eq "protected file unchanged after every write attempt" "$golden" "$(fx_sha "$conf")"
t_eq "write DATA through openat(O_TRUNC): EPERM" EPERM "$(sb_try write "$conf" evil)"
t_file_content "bytes on disk are still the golden ones" "$conf" golden

# Unknown intent fails closed even for a read.
t_eq "openat2 read of a protected file: EPERM (intent unknown)" EPERM \
	"$(sb_try openat2-rdonly "$conf")"
t_eq "io_uring read of a protected file: EPERM (intent unknown)" EPERM \
	"$(sb_try uring-rdonly "$conf")"

# ---------------------------------------------------------------- reads
for op in open-rdonly openat-rdonly by-handle-rdonly; do
	t_eq "$op of a protected file: allowed" ok "$(sb_try "$op" "$conf")"
done
t_eq "cat reads a protected file" golden "$(cat "$conf")"

# ---------------------------------------------------------------- other names
t_eq "second protected path (tmpfs): write denied" EPERM \
	"$(sb_try openat-wronly "$FX_ETC2/hosts")"
t_eq "protected directory: a new file is denied (left empty)" EPERM \
	"$(sb_try openat-creat "$FX_FS/etc/new.conf")"
t_eq "hardlink made before the seal: write through it denied" EPERM \
	"$(sb_try openat-wronly "$FX_FS/var/alias-before")"
ln "$conf" "$FX_FS/var/alias-after"
t_eq "hardlink made after the seal: write through it denied" EPERM \
	"$(sb_try openat-rdwr "$FX_FS/var/alias-after")"
bind=$SB_ROOT/bind-etc
mkdir -p "$bind"
mount --bind "$FX_FS/etc" "$bind"
t_eq "bind mount of a protected tree: write through it denied" EPERM \
	"$(sb_try openat-wronly "$bind/app.conf")"
t_eq "bind mount: read through it allowed" ok "$(sb_try openat-rdonly "$bind/app.conf")"
t_eq "bind mount: a new name through it denied" EPERM \
	"$(sb_try openat-creat "$bind/via-bind.conf")"
umount "$bind"

# ---------------------------------------------------------------- its own files
# Protected whatever the policy says (it names neither).
t_eq "its own policy file: write denied" EPERM "$(sb_try openat-append "$FX_POLICY")"
t_eq "its own baseline: write denied" EPERM "$(sb_try openat-trunc "$FX_CFG/baseline")"
t_eq "its own baseline: read allowed" ok "$(sb_try openat-rdonly "$FX_CFG/baseline")"
t_eq "next to them, a new file can be created" ok "$(sb_try openat-creat "$FX_CFG/notes")"

# ---------------------------------------------------------------- unprotected
t_eq "unprotected file on the same filesystem: write allowed" ok \
	"$(sb_try write "$FX_FS/var/data" changed)"
t_file_content "unprotected file was written" "$FX_FS/var/data" changed
: >"$FX_SCRATCH/x"
t_eq "exec-checked scratch tmpfs: write allowed" ok "$(sb_try write "$FX_SCRATCH/x" y)"

# ---------------------------------------------------------------- journal
t_journal "journal: write denial with its fields" \
	SEALGUARD_EVENT=write SEALGUARD_ACTION=deny SEALGUARD_REASON=write-intent \
	SEALGUARD_PATH="$conf" SEALGUARD_COMM=sgtry SEALGUARD_UID=0 \
	MESSAGE_ID=c78e863500844543a68fdeb6331cee0e PRIORITY=4
t_journal "journal: unknown intent logged as intent-unknown" \
	SEALGUARD_EVENT=write SEALGUARD_REASON=intent-unknown SEALGUARD_PATH="$conf"
t_journal "journal: the acting program is named" \
	SEALGUARD_EVENT=write SEALGUARD_EXE="$SB_TOOLS/sgtry"
# (a denial through the bind mount of a file denied before shares its
# rate-limit entry: the same file, the same name)
t_journal "journal: denial through the bind mount names the real path and the one used" \
	SEALGUARD_EVENT=write SEALGUARD_ACTION=deny SEALGUARD_PATH="$FX_FS/etc/via-bind.conf" \
	SEALGUARD_PATH_SEEN="$bind/via-bind.conf"
t_eq "journal: no entry for reads (allows are not logged by default)" 0 \
	"$(sb_journal_count SEALGUARD_ACTION=allow)"
t_journal "journal: a write to its own policy is logged" \
	SEALGUARD_EVENT=write SEALGUARD_ACTION=deny SEALGUARD_PATH="$FX_POLICY"
t_journal "journal: start entry lists the marks" SEALGUARD_EVENT=start \
	MESSAGE_ID=c5ee8a02da054c3b9aedaa7a998fbd7f

rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly on SIGTERM" 0 "$rc"
t_journal "journal: stop entry" MESSAGE_ID=2d1f093952d64ab394c04abe28aec33d
t_eq "after the stop, writes work again (no mark left)" ok \
	"$(sb_try write "$FX_ETC2/hosts" changed)"
