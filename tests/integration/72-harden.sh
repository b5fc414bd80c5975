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
sb_stop_daemon || true

# [harden] ptrace_scope = 3: Yama forbids every ptrace attach, root's too.
# kernel.yama.ptrace_scope is global (no namespace) and cannot be lowered
# once 3 until reboot: the daemon must never reach the host's. With Yama,
# a file stands in for it, bind-mounted in this private mount namespace
# only; without Yama (no such file), the daemon must refuse to start.
sed -i 's/^memfd_noexec = yes$/memfd_noexec = no\nptrace_scope = 3/' "$FX_POLICY"
t_ok "the policy asks for ptrace_scope = 3" grep -qx 'ptrace_scope = 3' "$FX_POLICY"
yama=/proc/sys/kernel/yama/ptrace_scope
if [ -e "$yama" ]; then
	stand_in=$SB_ROOT/ptrace_scope
	echo 7 >"$stand_in" # no real value: it tells the stand-in apart
	mount --bind "$stand_in" "$yama"
	# never go on with the host's file in reach
	[ "$(cat "$yama")" = 7 ] ||
		sb__abort "the stand-in for $yama is not in place"
	t_pass "Yama: the stand-in hides the host's ptrace_scope"
	sb_start_daemon "$FX_POLICY"
	t_eq "ptrace_scope = 3: the (stand-in) sysctl is 3" 3 "$(cat "$stand_in")"
	t_journal "journal: the change is logged with the old value" \
		--grep "kernel.yama.ptrace_scope = 3 \\(was 7\\)"
	sb_stop_daemon || true
else
	rc=0
	timeout -k 2 20 "$SG_BUILD/sealguardd" --policy "$FX_POLICY" \
		--confine "$SB_ROOT" --log-target stderr >"$SB_ROOT/refusal.log" 2>&1 || rc=$?
	t_ok "no Yama: the daemon refuses to start (exit $rc)" test "$rc" != 0
	t_ok "no Yama: it says why" grep -q \
		"cannot set kernel.yama.ptrace_scope = 3: No such file or directory (the kernel lacks it)" \
		"$SB_ROOT/refusal.log"
fi
