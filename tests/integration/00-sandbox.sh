#!/usr/bin/env bash
# 00-sandbox.sh - proves the harness itself, before any test trusts it:
# the namespaces are private, mounts stay inside (tests/run.sh checks the
# host's mount table after this script), the private journald works, sgtry
# reports what the kernel said, notifywait and the daemon plumbing work
# (with a stand-in daemon: no fanotify here).
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"

no_shared_mounts() { ! grep -q ' shared:' /proc/self/mountinfo; }
fstype() { findmnt -n -o FSTYPE --mountpoint "$1" || echo none; }
wait_for() { # wait_for SECONDS CMD...: poll CMD until it succeeds
	local i n=$(($1 * 20))
	shift
	for ((i = 0; i < n; i++)); do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}

# ---------------------------------------------------------------- namespaces
t_ok "mount namespace differs from the host's" \
	test "$(readlink /proc/self/ns/mnt)" != "$SB_HOST_MNTNS"
t_eq "the test is PID 1 of its own pid namespace" 1 "$$"
t_ok "no mount propagates to or from the host" no_shared_mounts
t_eq "scratch directory is a private tmpfs" tmpfs "$(fstype "$SB_ROOT")"
for d in /run/systemd /run/log /var/log/journal; do
	t_eq "$d is shadowed by a tmpfs of the test" sgtest \
		"$(findmnt -n -o SOURCE --target "$d")"
done

# ---------------------------------------------------------------- mounts
t=$(sb_mount_tmpfs t)
e=$(sb_mount_ext4 e 16)
t_eq "sb_mount_tmpfs mounts a tmpfs" tmpfs "$(fstype "$t")"
t_eq "sb_mount_ext4 mounts an ext4 image" ext4 "$(fstype "$e")"
t_eq "the ext4 image sits on a loop device" 1 \
	"$(losetup -j "$SB_ROOT/e.img" | wc -l)"
t_ok "both mounts appear in this namespace's mountinfo" \
	grep -q " $e .* ext4 " /proc/self/mountinfo

# ---------------------------------------------------------------- sgtry: opens
echo hello >"$t/f"
t_eq "open of a missing file: ENOENT" ENOENT "$(sb_try open-rdonly "$t/missing")"
for op in open-rdonly open-wronly open-rdwr open-append openat-rdonly \
	openat-wronly openat-rdwr openat-append openat2-rdonly openat2-wronly \
	by-handle-rdonly by-handle-wronly uring-rdonly uring-wronly block-open; do
	t_eq "$op of an existing file: ok" ok "$(sb_try "$op" "$t/f")"
done
t_eq "uring-rdonly of a missing file: ENOENT" ENOENT "$(sb_try uring-rdonly "$t/missing")"
t_eq "by-handle-rdonly of a missing file: ENOENT" ENOENT "$(sb_try by-handle-rdonly "$t/missing")"
t_eq "openat-creat creates a file" ok "$(sb_try openat-creat "$t/c1")"
t_eq "creat creates a file" ok "$(sb_try creat "$t/c2")"
t_ok "the created files exist" test -f "$t/c1" -a -f "$t/c2"
chmod 0600 "$t/f"
t_eq "open-rdonly of a 0600 root file as nobody: EACCES" EACCES \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups "$SB_TOOLS/sgtry" open-rdonly "$t/f")"

# ---------------------------------------------------------------- sgtry: writes
t_eq "write: ok" ok "$(sb_try write "$t/f" data)"
t_file_content "write replaced the content" "$t/f" data
t_eq "truncate: ok" ok "$(sb_try truncate "$t/f" 2)"
t_file_content "truncate shortened the file" "$t/f" da
t_eq "hold-open prints ready, then the write's result" $'ready\nok' \
	"$(sb_try hold-open "$t/f" 0.1)"
t_file_content "hold-open wrote through the early fd" "$t/f" xa
t_eq "open-trunc: ok" ok "$(sb_try open-trunc "$t/f")"
t_eq "open-trunc (O_RDONLY|O_TRUNC) emptied the file" 0 "$(stat -c %s "$t/f")"

mkdir "$SB_ROOT/ro"
mount --bind "$t" "$SB_ROOT/ro"
mount -o remount,bind,ro "$SB_ROOT/ro"
echo hello >"$t/g"
for op in open-wronly openat-rdwr openat2-wronly uring-wronly by-handle-wronly; do
	t_eq "$op on a read-only bind mount: EROFS" EROFS "$(sb_try "$op" "$SB_ROOT/ro/g")"
done
t_eq "truncate on a read-only bind mount: EROFS" EROFS "$(sb_try truncate "$SB_ROOT/ro/g" 0)"
t_eq "write on a read-only bind mount: EROFS" EROFS "$(sb_try write "$SB_ROOT/ro/g" x)"
t_eq "open-rdonly on a read-only bind mount: ok" ok "$(sb_try open-rdonly "$SB_ROOT/ro/g")"
t_file_content "the read-only view left the file alone" "$t/g" hello

# ---------------------------------------------------------------- sgtry: exec
loader=$(readlink -f /lib64/ld-linux-x86-64.so.2)
cp /bin/true "$t/true"
t_eq "exec /bin/true: ok" ok "$(sb_try exec /bin/true)"
t_eq "exec of a copy of true on the tmpfs: ok" ok "$(sb_try exec "$t/true")"
t_eq "exec of a non-executable file: EACCES" EACCES "$(sb_try exec "$t/g")"
t_eq "exec of a missing file: ENOENT" ENOENT "$(sb_try exec "$t/missing")"
t_eq "ldso LOADER true: ok" ok "$(sb_try ldso "$loader" "$t/true")"
t_eq "ldso LOADER false: exit=1" exit=1 "$(sb_try ldso "$loader" /bin/false)"
t_eq "memfd-exec of true: ok" ok "$(sb_try memfd-exec /bin/true)"
nx=$(sb_mount_tmpfs nx)
mount -o remount,noexec "$nx"
cp /bin/true "$nx/true"
t_eq "exec on a noexec mount: EACCES" EACCES "$(sb_try exec "$nx/true")"
t_eq "ldso on a noexec mount: the loader fails with 127" exit=127 \
	"$(sb_try ldso "$loader" "$nx/true" 2>/dev/null)"

cp /bin/sleep "$t/sleep"
sb_bg sleeper "$t/sleep" 30
sleeper=$SB_BG_PID
running() { [ "$(readlink "/proc/$(sb__child_of "$sleeper")/exe")" = "$t/sleep" ]; }
wait_for 5 running || true
t_eq "open-wronly of a running executable: ETXTBSY" ETXTBSY "$(sb_try open-wronly "$t/sleep")"
sb_stop_pid "$sleeper"

# ---------------------------------------------------------------- journald
if sb_start_journald; then
	t_pass "a private journald starts and its entries are readable"
fi
tok=$RANDOM$RANDOM
echo "sandbox self-test" | systemd-cat -t "sgtest-$tok"
t_journal "systemd-cat entry found by its identifier" "SYSLOG_IDENTIFIER=sgtest-$tok"
printf 'MESSAGE=sandbox field test\nSGTEST_TOKEN=%s\n' "$tok" | logger --journald
t_journal "logger --journald entry found by a custom field" "SGTEST_TOKEN=$tok"
t_eq "exactly one entry carries the custom field" 1 "$(sb_journal_count "SGTEST_TOKEN=$tok")"
t_eq "no entry matches an unused value" 0 "$(sb_journal_count "SGTEST_TOKEN=none-$tok")"
t_eq "the journal lives on the private /run/log" \
	"/run/log/journal/$(cat /etc/machine-id)" \
	"$(find /run/log/journal -mindepth 1 -maxdepth 1 -type d)"

# ---------------------------------------------------------------- notifywait
sb_bg notify2 notifywait "$SB_ROOT/n2.sock" "$SB_ROOT/n2.out"
has_sock() { [ -S "$SB_ROOT/n2.sock" ]; }
wait_for 5 has_sock || true
NOTIFY_SOCKET=$SB_ROOT/n2.sock systemd-notify --no-block --ready --status="self test"
received() { grep -q "$1" "$SB_ROOT/n2.out" 2>/dev/null; }
wait_for 5 received READY=1 || true
t_file_content "notifywait writes one datagram as one tab-separated line" \
	"$SB_ROOT/n2.out" $'READY=1\tSTATUS=self test'
printf 'WATCHDOG=1' | socat -u -t 0 - "UNIX-SENDTO:$SB_ROOT/n2.sock"
wait_for 5 received WATCHDOG=1 || true
t_eq "notifywait receives a datagram sent with socat" WATCHDOG=1 \
	"$(tail -n 1 "$SB_ROOT/n2.out")"

# ---------------------------------------------------------------- daemon plumbing
# A stand-in daemon (a script) proves sb_start_daemon/sb_stop_daemon.
mkdir "$SB_ROOT/fake"
cat >"$SB_ROOT/fake/sealguardd" <<'EOF'
#!/bin/bash
echo "args: $*"
[ "${FAKE_MODE:-}" = fail ] && exit 3
trap 'echo "got TERM"; exit 7' TERM
systemd-notify --ready
while :; do sleep 0.05; done
EOF
chmod +x "$SB_ROOT/fake/sealguardd"
echo "[protect]" >"$SB_ROOT/policy.conf"
export SB_DAEMON_BIN=$SB_ROOT/fake/sealguardd
if sb_start_daemon "$SB_ROOT/policy.conf" --log-target stderr; then
	t_pass "sb_start_daemon returns once READY=1 arrives"
fi
t_ok "SB_DAEMON_PID is the daemon itself" \
	grep -q fake/sealguardd "/proc/$SB_DAEMON_PID/cmdline"
t_ok "the daemon got --policy, --confine and the extra arguments" \
	grep -qxF "args: --policy $SB_ROOT/policy.conf --confine $SB_ROOT --log-target stderr" \
	"$SB_ROOT/daemon.log"
rc=0
sb_stop_daemon || rc=$?
t_eq "sb_stop_daemon returns the daemon's exit status" 7 "$rc"
t_ok "the daemon saw SIGTERM" grep -qx "got TERM" "$SB_ROOT/daemon.log"
out=$(FAKE_MODE=fail sb_start_daemon "$SB_ROOT/policy.conf" 2>/dev/null) || true
t_eq "a daemon exiting before READY=1 is reported as a failure" \
	"FAIL: start sealguardd (expected READY=1, got: it exited, status 3)" "$out"
