#!/usr/bin/env bash
# 80-verify-sealed.sh - door 8: the offline check must run on a sealed
# host. `sealguard verify` reads every protected file while the guard
# runs; its reads must be seen as reads (allowed, no denial in the
# journal), so that drift the guard cannot block (a rewritten block
# device, a file changed while hashed) is still found on a live host.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
ATK_DOOR=verify-sealed

fx_setup
fx_policy enforce
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

verify() { "$FX_SEALGUARD" verify -p "$FX_POLICY" "$@" 2>"$SB_ROOT/verify.err"; }

out=$(verify) && rc=0 || rc=$?
atk_allowed "verify-clean-host" "$rc:$out" "0:"
t_eq "verify's reads were never denied (no write or exec denial by sealguard)" 0 \
	"$(sb_journal_count SEALGUARD_EXE="$(readlink -f "$FX_SEALGUARD")")"

# Drift the guard does not block (an unprotected, trusted file changed):
# verify on the sealed host reports it and exits 1.
printf 'x' >>"$FX_FS/opt/app"
out=$(verify) && rc=0 || rc=$?
t_eq "verify on the sealed host finds drift: exit 1" 1 "$rc"
case "$out" in
*"$FX_FS/opt/app"*) t_pass "verify names the changed file" ;;
*) t_fail "verify names the changed file" "got: $out" ;;
esac

# A protected file is still refused to a writer while verify can read it.
t_eq "a write-open of a protected file is still denied" EPERM \
	"$(sb_try open-wronly "$FX_FS/etc/app.conf")"
sb_stop_daemon
