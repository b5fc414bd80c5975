#!/usr/bin/env bash
# 72-harden.sh - [harden] memfd_noexec = yes closes the memfd bypass
# (memfd_create + fexecve runs code from no mount at all) by setting
# vm.memfd_noexec = 2 at start, logged. The setting is per pid namespace:
# the sandbox is a pid namespace of its own, so the host is untouched.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

fx_setup
fx_policy enforce
t_ok "baseline builds" fx_baseline
t_eq "before: vm.memfd_noexec is 0 in this pid namespace" 0 "$(cat /proc/sys/vm/memfd_noexec)"
t_eq "before: a memfd runs (the bypass)" ok "$(sb_try memfd-exec /bin/true)"

# Without [harden], the daemon leaves it alone.
sb_start_journald
sb_start_daemon "$FX_POLICY"
t_eq "no [harden]: vm.memfd_noexec stays 0" 0 "$(cat /proc/sys/vm/memfd_noexec)"
sb_stop_daemon || true

printf '\n[harden]\nmemfd_noexec = yes\n' >>"$FX_POLICY"
sb_start_daemon "$FX_POLICY"
t_eq "memfd_noexec = yes: vm.memfd_noexec is 2" 2 "$(cat /proc/sys/vm/memfd_noexec)"
t_eq "an executable memfd is refused" EACCES "$(sb_try memfd-exec /bin/true)"
t_journal "journal: the change is logged with the old value" \
	MESSAGE_ID="$(grep -o 'SG_MSGID_HARDENED "[0-9a-f]*"' "$SB_REPO/include/messages.h" | cut -d'"' -f2)" \
	--grep "vm.memfd_noexec = 2 \\(was 0\\)"
