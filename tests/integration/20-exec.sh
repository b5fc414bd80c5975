#!/usr/bin/env bash
# 20-exec.sh - only files of the baseline run, with their baseline
# content: a dropped binary, a changed one, an untrusted script and the
# loader run directly on an untrusted file are all denied; trusted
# programs keep running, repeatedly (the kernel-side cache), until they
# change.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

loader=$(readlink -f /lib64/ld-linux-x86-64.so.2)
fx_setup
# Large enough (> 256 KiB) to be hashed by the hasher thread.
cp "$(command -v bash)" "$FX_FS/opt/big"
fx_policy enforce
t_ok "baseline builds" fx_baseline
# Drift before the seal: a protected binary whose bytes changed.
cp "$FX_FS/bin/tool" "$FX_FS/bin/drifted"
fx_baseline
printf 'garbage' >>"$FX_FS/bin/drifted"
sb_start_journald
sb_start_daemon "$FX_POLICY"

# ---------------------------------------------------------------- trusted
t_eq "trusted binary runs" ok "$(sb_try exec "$FX_FS/bin/tool")"
for i in 1 2 3 4; do
	t_eq "trusted binary runs again ($i)" ok "$(sb_try exec "$FX_FS/bin/tool")"
done
# STATUS= is sent every second; the last one counts what happened so far.
sleep 1.2
status=$(grep -o 'STATUS=[^	]*' "$SB_NOTIFY_FILE" | tail -n 1)
case "$status" in
*" 1 files hashed, 1 execs cached in the kernel"*)
	t_pass "five execs of a trusted binary: hashed once, then cached in the kernel" ;;
*) t_fail "five execs of a trusted binary: hashed once, then cached in the kernel" "got: $status" ;;
esac
t_eq "trusted script run directly" ok "$(sb_try exec "$FX_FS/bin/script.sh")"
t_eq "trusted file outside protection (trusted=) runs" ok \
	"$(sb_try exec "$FX_FS/opt/app")"
t_eq "loader run directly on a trusted binary" ok \
	"$(sb_try ldso "$loader" "$FX_FS/bin/tool")"

# ---------------------------------------------------------------- untrusted
t_eq "dropped binary in scratch: EPERM" EPERM "$(sb_try exec "$FX_SCRATCH/dropped")"
t_eq "dropped script run directly: EPERM" EPERM "$(sb_try exec "$FX_SCRATCH/dropped.sh")"
t_eq "binary whose hash drifted before the seal: EPERM" EPERM \
	"$(sb_try exec "$FX_FS/bin/drifted")"
t_eq "loader run directly on a dropped binary: refused (exit 127)" exit=127 \
	"$(sb_try ldso "$loader" "$FX_SCRATCH/dropped")"
# A data file read once (remembered as "not ELF"), then overwritten in
# place with a program: the loader must still be refused.
# Same size, so only the ctime tells the two apart.
head -c "$(stat -c %s /bin/true)" /dev/zero >"$FX_SCRATCH/later"
cat "$FX_SCRATCH/later" >/dev/null
dd if=/bin/true of="$FX_SCRATCH/later" conv=notrunc status=none
t_eq "loader on a data file that became a program in place: refused" exit=127 \
	"$(sb_try ldso "$loader" "$FX_SCRATCH/later")"
cp "$FX_FS/bin/tool" "$FX_FS/var/copy"
t_eq "copy of a trusted binary under a new name (match=path): EPERM" EPERM \
	"$(sb_try exec "$FX_FS/var/copy")"

# A trusted, unprotected binary that changes loses its trust at once: the
# kernel's cached allow is cleared by the write.
t_eq "trusted= binary runs before it changes" ok "$(sb_try exec "$FX_FS/opt/app")"
printf 'x' >>"$FX_FS/opt/app"
t_eq "trusted= binary after a write: EPERM (hash-mismatch)" EPERM \
	"$(sb_try exec "$FX_FS/opt/app")"

# Large files are hashed off the event loop; same verdicts.
t_eq "large trusted binary (hasher thread) runs" ok \
	"$(sb_try exec "$FX_FS/opt/big" -c true)"
printf 'X' | dd of="$FX_FS/opt/big" bs=1 seek=300000 conv=notrunc status=none
t_eq "large binary changed in place, same size: EPERM (hash-mismatch)" EPERM \
	"$(sb_try exec "$FX_FS/opt/big" -c true)"

# ---------------------------------------------------------------- journal
t_journal "journal: dropped binary, not-in-baseline" \
	SEALGUARD_EVENT=exec SEALGUARD_ACTION=deny SEALGUARD_REASON=not-in-baseline \
	SEALGUARD_PATH="$FX_SCRATCH/dropped" MESSAGE_ID=c044eee549834822aacd7cfe525b6bc9
t_journal "journal: drifted binary, hash-mismatch" \
	SEALGUARD_EVENT=exec SEALGUARD_REASON=hash-mismatch SEALGUARD_PATH="$FX_FS/bin/drifted"
t_journal "journal: changed trusted= binary, hash-mismatch" \
	SEALGUARD_EVENT=exec SEALGUARD_REASON=hash-mismatch SEALGUARD_PATH="$FX_FS/opt/app"
t_journal "journal: loader use is an exec, via loader, by the loader" \
	SEALGUARD_EVENT=exec SEALGUARD_ACTION=deny SEALGUARD_VIA=loader \
	SEALGUARD_PATH="$FX_SCRATCH/dropped" SEALGUARD_EXE="$loader"
t_journal "journal: large changed binary, hash-mismatch" \
	SEALGUARD_EVENT=exec SEALGUARD_REASON=hash-mismatch SEALGUARD_PATH="$FX_FS/opt/big"
t_journal "journal: script denial" \
	SEALGUARD_EVENT=exec SEALGUARD_PATH="$FX_SCRATCH/dropped.sh"
t_eq "journal: trusted execs are not logged by default" 0 \
	"$(sb_journal_count SEALGUARD_EVENT=exec SEALGUARD_ACTION=allow)"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly" 0 "$rc"

# ---------------------------------------------------------------- match=content
fx_policy enforce "match = content" "[log]
allowed = exec"
sb_start_daemon "$FX_POLICY"
t_eq "match=content: copy of a trusted binary under a new name runs" ok \
	"$(sb_try exec "$FX_FS/var/copy")"
t_eq "match=content: dropped copy of /bin/true in scratch runs" ok \
	"$(sb_try exec "$FX_SCRATCH/dropped")"
t_eq "match=content: untrusted script still denied" EPERM \
	"$(sb_try exec "$FX_SCRATCH/dropped.sh")"
t_journal "journal: allowed exec logged when [log] allowed = exec" \
	SEALGUARD_EVENT=exec SEALGUARD_ACTION=allow SEALGUARD_REASON=trusted \
	SEALGUARD_PATH="$FX_FS/var/copy" MESSAGE_ID=b9ad49dbf307408ab05c1902dca5dd88
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly (match=content)" 0 "$rc"
