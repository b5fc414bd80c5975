# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# sandbox.sh - the sandbox every integration test and the demo run in.
#
#   #!/usr/bin/env bash
#   set -euo pipefail
#   . "$(dirname "$0")/../lib/sandbox.sh"
#   sb_enter "$@"              # first thing: everything below runs sandboxed
#   m=$(sb_mount_tmpfs prot)
#   sb_start_journald
#   sb_start_daemon "$policy"
#   t_eq "write to a protected file is denied" EPERM "$(sb_try open-wronly "$m/f")"
#
# Safety (../../../shared/docs/design.md, "Safety rules"): a test runs as
# PID 1 of its own pid namespace, in its own mount namespace with every
# mount private, bounded by timeout. It marks and mounts only what it
# created there: tmpfs and loop-mounted ext4 under $SB_ROOT, which is a
# tmpfs of its own. Every process it starts is stopped by pid at exit, and
# whatever is left of the pid namespace dies with it. The host's journal
# directories and sockets are shadowed by empty tmpfs mounts, so neither
# the daemon nor journalctl ever reaches the host's journal.
#
# Output: the assertions print "PASS: desc" or "FAIL: desc (expected X,
# got Y)" on stdout, one line each; tests/run.sh counts those lines and
# nothing else on stdout (and "SKIP: desc (reason)" from t_skip, a part
# that cannot run in this pass: counted and shown, never silent). The
# library's own messages go to stderr.
#
# Variables (set by the caller, all optional):
#   SG_BUILD           build tree to test, default <repo>/build; a relative
#                      path is taken relative to the repo root
#   SB_TIMEOUT         hard bound of the whole test in seconds (180)
#   SB_DAEMON_TIMEOUT  hard bound of one daemon run in seconds (120)
#   SB_DAEMON_BIN      the daemon to start, default $SG_BUILD/sealguardd
#   SB_READY_TIMEOUT   how long sb_start_daemon waits for READY=1 (10)
#   SB_STOP_TIMEOUT    how long sb_stop_daemon waits after SIGTERM before
#                      SIGKILL (10; a daemon under valgrind needs more)
#   SB_DAEMON_ARGS     more daemon options for every start, e.g.
#                      "--seccomp trap" to name a syscall the filter lacks
#   SB_JOURNAL_WAIT    how long journal look-ups wait for an entry (5)
#   SB_TRY_TIMEOUT     bound of one sb_try in seconds (20)
#   SB_JOURNALD_BIN    default /lib/systemd/systemd-journald
#   SB_RECORD          a file the test appends "scratch DIR" and "mntns NS"
#                      to, so tests/run.sh can check nothing leaked
#   SB_NETNS           1: also a new network namespace (sb_enter_netns sets
#                      it), with only the loopback interface, up
# Set by the library:
#   SB_ROOT            the test's scratch directory (a private tmpfs)
#   SB_TOOLS           $SG_BUILD/tools (sgtry, notifywait), put on PATH
#   SB_HOST_MNTNS      the mount namespace the test was started from
#   SB_DAEMON_PID      pid of the running sealguardd (SB_DAEMON_TPID: its
#                      timeout wrapper), SB_NOTIFY_FILE: its sd_notify lines
#   SB_PASS, SB_FAIL   assertion counts

SB_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SB_REPO=$(cd "$SB_LIB_DIR/../.." && pwd)
SG_BUILD=${SG_BUILD:-build}
case "$SG_BUILD" in /*) ;; *) SG_BUILD=$SB_REPO/$SG_BUILD ;; esac
SB_TOOLS=$SG_BUILD/tools
SB_JOURNALD_BIN=${SB_JOURNALD_BIN:-/lib/systemd/systemd-journald}
SB_PASS=0
SB_FAIL=0
SB_PIDS=()   # timeout-wrapper pids of background processes, oldest first
SB_MOUNTS=() # mounts made outside $SB_ROOT, oldest first
SB_CGROUPS=() # cgroups made by sb_make_cgroup (absolute directories)
SB_ROOT=${SB_ROOT:-}
SB_DAEMON_PID=""
SB_DAEMON_TPID=""
SB_NOTIFY_FILE=""
SB_NOTIFY_TPID=""
SB_JOURNALD_TPID=""

sb__log() { printf 'sandbox: %s\n' "$*" >&2; }

# sb__abort REASON: the harness itself cannot go on; counts as a failure.
# Called in a subshell (m=$(sb_mount_tmpfs x)), it leaves the reason in
# $SB_ROOT/.abort and SIGTERMs the test's main shell, which reports it.
sb__abort() {
	sb__log "aborting: $*"
	if [ "$BASHPID" != "$$" ] && [ "$$" = 1 ] && [ -d "${SB_ROOT:-}" ]; then
		printf '%s\n' "$*" >"$SB_ROOT/.abort"
		kill -TERM 1
		exit 1
	fi
	t_fail "sandbox" "$*"
	exit 1
}

# The main shell's TERM trap: an abort from a subshell, or a timeout.
sb__on_term() {
	[ "$BASHPID" = 1 ] || exit 143
	if [ -s "${SB_ROOT:-}/.abort" ]; then
		t_fail "sandbox" "$(cat "$SB_ROOT/.abort")"
		exit 1
	fi
	exit 143
}

# ================================================================ entering

# sb_enter "$@": call first, with the script's arguments. Outside the
# sandbox it records the current mount namespace in SB_HOST_MNTNS and
# re-executes the script as PID 1 of new mount and pid namespaces, under
# timeout (SB_TIMEOUT, SIGKILL 10 s later); the script's exit status is
# the sandboxed run's. Inside, it checks that the namespaces really are
# new (aborting loudly otherwise), makes every mount private, mounts a
# tmpfs on a fresh /tmp/sgtest.XXXXXX ($SB_ROOT), shadows the journal
# directories (and libmount's utab), and installs the EXIT trap that stops
# and unmounts everything. Test scripts must set their shell options (set -euo
# pipefail) in the body: the re-exec is "bash SCRIPT ARGS".
sb_enter() {
	local t d
	if [ "${SB_INSIDE:-}" != 1 ]; then
		[ "$(id -u)" = 0 ] || sb__abort "must run as root"
		for t in unshare timeout mount umount findmnt mkfs.ext4; do
			command -v "$t" >/dev/null || sb__abort "missing tool: $t"
		done
		SB_HOST_MNTNS=$(readlink /proc/self/ns/mnt) ||
			sb__abort "cannot read /proc/self/ns/mnt"
		SB_HOST_NETNS=$(readlink /proc/self/ns/net) ||
			sb__abort "cannot read /proc/self/ns/net"
		export SB_HOST_MNTNS SB_HOST_NETNS SB_INSIDE=1
		local net=()
		[ "${SB_NETNS:-}" != 1 ] || net=(--net)
		exec timeout --kill-after=10 "${SB_TIMEOUT:-180}" \
			unshare --mount --propagation private --pid --fork \
			"${net[@]}" --mount-proc --kill-child bash "$0" "$@"
	fi
	sb__check_namespaces
	[ "${SB_NETNS:-}" != 1 ] || sb__enter_netns
	mount --make-rprivate / || sb__abort "mount --make-rprivate / failed"
	if grep -q ' shared:' /proc/self/mountinfo; then
		sb__abort "a mount still propagates to the host"
	fi
	trap sb__cleanup EXIT
	if [[ $- == *e* ]]; then
		set -E
		trap 'sb__errexit "$?" "$LINENO" "$BASH_COMMAND"' ERR
	fi
	trap sb__on_term TERM
	trap 'exit 130' INT
	trap 'exit 129' HUP

	for d in /run/systemd /run/log /var/log/journal; do
		sb__shadow "$d"
	done
	# libmount records mounts with user-space options in /run/mount/utab, a
	# file the host shares: keep this namespace's records private.
	export LIBMOUNT_UTAB=/run/systemd/sandbox-utab
	SB_ROOT=$(mktemp -d /tmp/sgtest.XXXXXX) || sb__abort "mktemp failed"
	mount -t tmpfs -o mode=0755 sgtest "$SB_ROOT" ||
		sb__abort "cannot mount a tmpfs on $SB_ROOT"
	if [ -n "${SB_RECORD:-}" ]; then
		printf 'scratch %s\nmntns %s\n' "$SB_ROOT" \
			"$(readlink /proc/self/ns/mnt)" >>"$SB_RECORD"
	fi
	for t in sgtry notifywait; do
		[ -x "$SB_TOOLS/$t" ] ||
			sb__abort "$SB_TOOLS/$t is not built (make tests)"
	done
	PATH=$SB_TOOLS:$PATH
	export SB_ROOT SB_TOOLS SG_BUILD PATH
}

# sb_enter_netns "$@": sb_enter in a new network namespace as well, for
# tests that listen (design.md: network tests run in their own network
# namespace and listen only on loopback).
sb_enter_netns() {
	SB_NETNS=1
	export SB_NETNS
	sb_enter "$@"
}

# Inside: prove the network namespace is new, and bring loopback up.
sb__enter_netns() {
	local self
	self=$(readlink /proc/self/ns/net) || sb__abort "cannot read own network namespace"
	[ -n "${SB_HOST_NETNS:-}" ] && [ "$self" != "$SB_HOST_NETNS" ] ||
		sb__abort "still in the host network namespace $self"
	command -v ip >/dev/null || sb__abort "missing tool: ip"
	ip link set lo up || sb__abort "cannot bring lo up"
	[ "$(ip -o link show | wc -l)" = 1 ] ||
		sb__abort "the network namespace has interfaces besides lo"
}

# ERR trap of set -e scripts: say where the main shell stopped, as a FAIL
# line (tests/run.sh would count the non-zero exit as one failure anyway).
# Subshells inherit the trap (set -E) and stay silent.
sb__errexit() {
	[ "$BASHPID" = 1 ] || return 0
	trap - ERR
	t_fail "script stopped" "'$3' exited $1 at ${BASH_SOURCE[2]:-$0}:$2"
}

# The marker SB_INSIDE alone proves nothing: check the kernel's view.
sb__check_namespaces() {
	local self
	self=$(readlink /proc/self/ns/mnt) || sb__abort "cannot read own mount namespace"
	[ -n "${SB_HOST_MNTNS:-}" ] || sb__abort "SB_HOST_MNTNS is not set"
	[ "$self" != "$SB_HOST_MNTNS" ] ||
		sb__abort "still in the host mount namespace $self"
	[ "$$" = 1 ] || sb__abort "not PID 1 of a new pid namespace (pid $$)"
}

# sb__shadow DIR: make DIR an empty private tmpfs without creating
# anything on a host filesystem. If DIR does not exist, its nearest
# existing ancestor is shadowed instead (unless that already lies on a
# tmpfs of ours) and DIR is created inside.
sb__shadow() {
	local dir=$1 top=$1 m
	while [ ! -d "$top" ]; do top=$(dirname "$top"); done
	if [ "$top" != "$dir" ]; then
		m=$(findmnt -n -o TARGET --target "$top") || m=""
		if sb__is_ours "$m"; then
			mkdir -p "$dir"
			return
		fi
	fi
	mount -t tmpfs -o mode=0755 sgtest "$top" ||
		sb__abort "cannot shadow $top with a tmpfs"
	SB_MOUNTS+=("$top")
	mkdir -p "$dir"
}

sb__is_ours() {
	local m
	for m in "${SB_MOUNTS[@]}"; do [ "$m" = "$1" ] && return 0; done
	return 1
}

# ================================================================ mounts

sb__check_name() {
	case "$1" in
	'' | /* | *..*) sb__abort "bad mount name '$1'" ;;
	esac
}

# sb_mount_tmpfs NAME: mount a new tmpfs at $SB_ROOT/NAME and echo the
# path. Safe inside $(...): cleanup unmounts everything under $SB_ROOT.
sb_mount_tmpfs() {
	sb__check_name "${1:-}"
	local path=$SB_ROOT/$1
	mkdir -p "$path"
	mount -t tmpfs -o mode=0755 "sgtest-$1" "$path" ||
		sb__abort "cannot mount a tmpfs at $path"
	echo "$path"
}

# sb_mount_ext4 NAME SIZE_MB: make $SB_ROOT/NAME.img (mkfs.ext4), loop-mount
# it at $SB_ROOT/NAME and echo the path. The loop device is set to
# autoclear: unmounting it (cleanup does) detaches it.
sb_mount_ext4() {
	sb__check_name "${1:-}"
	local path=$SB_ROOT/$1 img=$SB_ROOT/$1.img size=${2:-}
	case "$size" in '' | *[!0-9]*) sb__abort "sb_mount_ext4: bad size '$size'" ;; esac
	mkdir -p "$path"
	if ! { truncate -s "${size}M" "$img" &&
		timeout 60 mkfs.ext4 -q -F "$img" &&
		timeout 60 mount -t ext4 -o loop "$img" "$path"; }; then
		sb__abort "cannot make or mount an ext4 image at $path"
	fi
	echo "$path"
}

# sb_make_cgroup NAME: make an empty child cgroup of the cgroup v2
# hierarchy (the one mount everyone shares: cgroups cannot be made
# private) for the test's own processes, echo its directory, and record it:
# cleanup thaws it, kills what is left in it and removes it. The name
# carries the scratch directory's so that parallel runs never share one.
sb_make_cgroup() {
	sb__check_name "${1:-}"
	local root dir
	# the type follows the "-" that ends the optional fields
	root=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") {
		if ($(i + 1) == "cgroup2") { print $5; exit }
		break } }' /proc/self/mountinfo)
	[ -n "$root" ] || sb__abort "sb_make_cgroup: no cgroup v2 hierarchy is mounted"
	dir=$root/sealguard-${SB_ROOT##*/}-$1
	mkdir "$dir" || sb__abort "cannot make cgroup $dir"
	echo "$dir" >>"$SB_ROOT/.cgroups"
	echo "$dir"
}

# sb__remove_cgroups: for each cgroup sb_make_cgroup made (a subshell made
# it: the list is in a file), thaw, kill, wait for it to empty, remove.
sb__remove_cgroups() {
	local dir i
	[ -f "$SB_ROOT/.cgroups" ] || return 0
	while read -r dir; do
		[ -d "$dir" ] || continue
		echo 0 >"$dir/cgroup.freeze" 2>/dev/null
		echo 1 >"$dir/cgroup.kill" 2>/dev/null
		for ((i = 0; i < 100; i++)); do
			grep -q '^populated 0' "$dir/cgroup.events" 2>/dev/null && break
			sleep 0.05
		done
		rmdir "$dir" || sb__log "cannot remove cgroup $dir"
	done <"$SB_ROOT/.cgroups"
}

# ================================================================ processes

# sb_bg NAME CMD...: run CMD in the background under timeout (SB_TIMEOUT),
# stdout and stderr appended to $SB_ROOT/NAME.log; its wrapper pid goes
# to SB_BG_PID and to the list cleanup stops. Not inside $(...).
sb_bg() {
	local name=$1
	shift
	timeout -k 5 "${SB_TIMEOUT:-180}" "$@" >>"$SB_ROOT/$name.log" 2>&1 &
	SB_BG_PID=$!
	SB_PIDS+=("$SB_BG_PID")
}

sb__alive() { kill -0 "$1" 2>/dev/null; }

# sb__wait_gone PID SECONDS: poll until PID is gone; 1 on timeout.
sb__wait_gone() {
	local i n=$(($2 * 20))
	for ((i = 0; i < n; i++)); do
		sb__alive "$1" || return 0
		sleep 0.05
	done
	! sb__alive "$1"
}

# sb_stop_pid PID: SIGTERM (and SIGCONT, in case it is stopped) once a
# second for up to 5 s, then SIGKILL; reaps it if it is our child. Always
# returns 0. (The repeat matters: a TERM that reaches a just-forked child
# before it execs runs bash's inherited trap and is lost.)
sb_stop_pid() {
	local pid=$1
	local i
	for ((i = 0; i < 5; i++)); do
		sb__alive "$pid" || break
		kill -CONT "$pid" 2>/dev/null || true # before: see sb_stop_daemon
		kill -TERM "$pid" 2>/dev/null || true
		sb__wait_gone "$pid" 1 && break
	done
	if sb__alive "$pid"; then
		sb__log "pid $pid ignored SIGTERM for 5 s: SIGKILL"
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
}

# Every process of our pid namespace but us (we are PID 1 in it).
sb__leftover_pids() {
	local p pid
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = 1 ] || [ "$pid" = "$BASHPID" ] || echo "$pid"
	done
}

# sb_try OP ARGS...: sgtry bounded to 20 s; prints its line(s), or
# "TIMEOUT" if it hung (e.g. on a stopped daemon).
sb_try() {
	local out rc=0
	out=$(timeout -k 2 "${SB_TRY_TIMEOUT:-20}" "$SB_TOOLS/sgtry" "$@") || rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		echo TIMEOUT
	elif [ "$rc" != 0 ]; then
		echo "sgtry-exit=$rc"
	else
		echo "$out"
	fi
}

# ================================================================ journal

# sb_start_journald: start a private systemd-journald (standalone, it is
# not PID 1's service here) on the shadowed /run/systemd and /run/log,
# wait until a probe entry sent with logger --journald is visible through
# journalctl, and return 0; print a FAIL line and return 1 otherwise.
# What it needs to run standalone and stay private:
#  - /etc/machine-id (names the journal directory);
#  - SYSTEMD_LOG_TARGET=console: its own messages would otherwise go to
#    /dev/kmsg, i.e. to the host's kernel log;
#  - a drop-in in /run/systemd/journald.conf.d (on our tmpfs): volatile
#    storage, no forwarding to syslog, kmsg or wall (wall would write to
#    the host's terminals), no rate limit (tests flood on purpose), no
#    audit. journald 252 has no ReadKMSG=: it copies the kernel ring
#    buffer into the private journal, which is harmless.
sb_start_journald() {
	[ -z "$SB_JOURNALD_TPID" ] || return 0
	[ -x "$SB_JOURNALD_BIN" ] || { t_fail "start journald" "no $SB_JOURNALD_BIN"; return 1; }
	[ -s /etc/machine-id ] || { t_fail "start journald" "no /etc/machine-id"; return 1; }
	mkdir -p /run/systemd/journald.conf.d
	cat >/run/systemd/journald.conf.d/sealguard-test.conf <<-'EOF'
		[Journal]
		Storage=volatile
		RuntimeMaxUse=64M
		ForwardToSyslog=no
		ForwardToKMsg=no
		ForwardToConsole=no
		ForwardToWall=no
		RateLimitIntervalSec=0
		Audit=no
	EOF
	SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=info \
		sb_bg journald "$SB_JOURNALD_BIN"
	SB_JOURNALD_TPID=$SB_BG_PID
	local i token
	for ((i = 0; i < 200; i++)); do
		[ -S /run/systemd/journal/socket ] && break
		sb__alive "$SB_JOURNALD_TPID" || break
		sleep 0.05
	done
	token=probe-$$-$RANDOM$RANDOM
	printf 'MESSAGE=sandbox journal probe\nSB_PROBE=%s\n' "$token" |
		logger --journald 2>/dev/null || true
	if ! sb_journal_wait "SB_PROBE=$token" >/dev/null; then
		t_fail "start a private journald" "probe entry not readable"
		tail -n 20 "$SB_ROOT/journald.log" 2>&1 | sed 's/^/journald.log: /' >&2 || true
		return 1
	fi
}

# sb_journal_wait MATCHES...: poll journalctl (json) for up to
# SB_JOURNAL_WAIT seconds until at least one entry matches; echo the
# entries (one JSON object a line) and return 0, or return 1.
sb_journal_wait() {
	local i out n=$((${SB_JOURNAL_WAIT:-5} * 10))
	for ((i = 0; i <= n; i++)); do
		out=$(journalctl -q --no-pager -o json "$@" 2>/dev/null) || true
		if [ -n "$out" ]; then
			printf '%s\n' "$out"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# sb_journal_count MATCHES...: echo how many entries match now (no wait).
sb_journal_count() {
	journalctl -q --no-pager -o json "$@" 2>/dev/null | grep -c '^{' || true
}

# ================================================================ daemon

# sb_start_daemon POLICY [ARGS...]: start
#   $SB_DAEMON_BIN --policy POLICY --confine $SB_ROOT ARGS...
# under timeout (SB_DAEMON_TIMEOUT), NOTIFY_SOCKET at a notifywait socket
# in $SB_ROOT, output appended to $SB_ROOT/daemon.log; wait up to
# SB_READY_TIMEOUT s for READY=1. Sets SB_DAEMON_PID (the daemon) and
# SB_DAEMON_TPID (its timeout wrapper) and returns 0; on exit or timeout
# prints a FAIL line (the log tail to stderr), stops it, returns 1.
sb_start_daemon() {
	local policy=${1:?sb_start_daemon POLICY [ARGS...]} bin i why=""
	shift
	bin=${SB_DAEMON_BIN:-$SG_BUILD/sealguardd}
	[ -z "$SB_DAEMON_TPID" ] || sb__abort "sb_start_daemon: a daemon is already running"
	if [ ! -x "$bin" ]; then
		t_fail "start sealguardd" "expected an executable $bin, got none"
		return 1
	fi
	sb__start_notify
	: >"$SB_NOTIFY_FILE"
	NOTIFY_SOCKET=$SB_ROOT/notify.sock timeout -k 5 \
		"${SB_DAEMON_TIMEOUT:-120}" "$bin" --policy "$policy" \
		--confine "$SB_ROOT" "$@" ${SB_DAEMON_ARGS:-} >>"$SB_ROOT/daemon.log" 2>&1 &
	SB_DAEMON_TPID=$!
	SB_DAEMON_PID=""
	for ((i = 0; i < ${SB_READY_TIMEOUT:-10} * 20; i++)); do
		[ -n "$SB_DAEMON_PID" ] || SB_DAEMON_PID=$(sb__child_of "$SB_DAEMON_TPID")
		if grep -Eq $'(^|\t)READY=1(\t|$)' "$SB_NOTIFY_FILE"; then
			# READY may come between the look-up and here
			[ -n "$SB_DAEMON_PID" ] ||
				SB_DAEMON_PID=$(sb__child_of "$SB_DAEMON_TPID")
			[ -n "$SB_DAEMON_PID" ] && return 0
		fi
		if ! sb__alive "$SB_DAEMON_TPID"; then
			why="it exited"
			break
		fi
		sleep 0.05
	done
	[ -n "$why" ] || why="no READY=1 within ${SB_READY_TIMEOUT:-10} s"
	local rc=0
	sb_stop_daemon || rc=$?
	t_fail "start sealguardd" "expected READY=1, got: $why, status $rc"
	tail -n 20 "$SB_ROOT/daemon.log" 2>&1 | sed 's/^/daemon.log: /' >&2 || true
	return 1
}

sb__child_of() {
	local c
	c=$(cat "/proc/$1/task/$1/children" 2>/dev/null) || return 0
	echo "${c%% *}"
}

sb__start_notify() {
	[ -z "$SB_NOTIFY_TPID" ] || return 0
	SB_NOTIFY_FILE=$SB_ROOT/notify.log
	: >"$SB_NOTIFY_FILE"
	sb_bg notifywait "$SB_TOOLS/notifywait" "$SB_ROOT/notify.sock" "$SB_NOTIFY_FILE"
	SB_NOTIFY_TPID=$SB_BG_PID
	local i
	for ((i = 0; i < 100; i++)); do
		[ -S "$SB_ROOT/notify.sock" ] && return 0
		sleep 0.02
	done
	sb__abort "notifywait did not bind $SB_ROOT/notify.sock"
}

# Where each thread and child of a process that would not stop is
# waiting (a child may be a tracer, as LeakSanitizer's is): its state,
# tracer, pending signals, the kernel function it sleeps in, its system
# call and kernel stack. A hang at stop is otherwise seen only as a SIGKILL.
sb__dump_tasks() {
	local t
	for t in /proc/"$1"/task/* $(pgrep -P "$1" | sed 's|^|/proc/|'); do
		[ -d "$t" ] || continue
		sb__log "task ${t##*/} $(cat "$t/comm" 2>/dev/null)" \
			"$(grep -E '^(State|TracerPid|PPid|SigPnd|ShdPnd|SigBlk):' "$t/status" 2>/dev/null | tr -s '\t\n' '  ')" \
			"wchan=$(cat "$t/wchan" 2>/dev/null)" \
			"syscall=$(cat "$t/syscall" 2>/dev/null)"
		sed 's/^/    /' "$t/stack" >&2 2>/dev/null || true
	done
	# and where in our code, where a debugger is installed
	if command -v gdb > /dev/null; then
		timeout 30 gdb -p "$1" -batch -nx -ex 'thread apply all bt' 2>&1 |
			grep -vE '^(\[New LWP|Reading symbols|warning: )' |
			sed 's/^/    gdb: /' >&2 || true
	fi
}

# sb_stop_daemon: SIGCONT the daemon by pid (in case a test left it
# stopped), then SIGTERM it, wait up to SB_STOP_TIMEOUT s, then SIGKILL; return its exit
# status (128+N if a signal ended it, 124 if its timeout did). Under set
# -e call it as: rc=0; sb_stop_daemon || rc=$?
sb_stop_daemon() {
	local tpid=$SB_DAEMON_TPID pid=${SB_DAEMON_PID:-$SB_DAEMON_TPID} rc=0
	if [ -z "$tpid" ]; then
		sb__log "sb_stop_daemon: no daemon was started"
		return 255
	fi
	# CONT first (a test may have stopped the daemon), never after the
	# TERM: a SIGCONT discards a pending SIGSTOP, and the ASan build's
	# LeakSanitizer, which ptrace-attaches the exiting daemon, waits for
	# that SIGSTOP for ever (seen as a daemon spinning in sched_yield).
	kill -CONT "$pid" 2>/dev/null || true
	kill -TERM "$pid" 2>/dev/null || true
	if ! sb__wait_gone "$tpid" "${SB_STOP_TIMEOUT:-10}"; then
		sb__log "sealguardd ignored SIGTERM for ${SB_STOP_TIMEOUT:-10} s: SIGKILL"
		sb__dump_tasks "$pid"
		kill -KILL "$pid" "$tpid" 2>/dev/null || true
	fi
	wait "$tpid" || rc=$?
	SB_DAEMON_PID=""
	SB_DAEMON_TPID=""
	return "$rc"
}

# ================================================================ cleanup

# The EXIT trap: daemon first (it may hold other processes' opens), then
# every tracked process newest first, then whatever else is left in our
# pid namespace, then every mount, then the scratch directory. Exits 1 if
# any assertion failed, else with the script's own status. Only the test's
# main shell (PID 1) cleans up: a forked child that has not exec'd yet
# still carries the traps, and a TERM meant for it must not tear down the
# sandbox under the running test.
sb__cleanup() {
	local rc=$? i p
	[ "$BASHPID" = 1 ] || exit "$rc"
	set +e
	trap - EXIT TERM INT HUP
	[ -z "$SB_DAEMON_TPID" ] || sb_stop_daemon
	# A failed test keeps what the daemon said (run.sh saves stderr).
	if [ "$SB_FAIL" != 0 ] && [ -s "$SB_ROOT/daemon.log" ]; then
		tail -n 40 "$SB_ROOT/daemon.log" | sed 's/^/daemon.log: /' >&2
	fi
	for ((i = ${#SB_PIDS[@]} - 1; i >= 0; i--)); do
		sb_stop_pid "${SB_PIDS[i]}"
	done
	for p in $(sb__leftover_pids); do
		sb__log "killing leftover pid $p ($(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null))"
		kill -KILL "$p" 2>/dev/null
	done
	for p in $(sb__leftover_pids); do sb__wait_gone "$p" 5; done
	sb__remove_cgroups
	if [ -n "$SB_ROOT" ] && mountpoint -q "$SB_ROOT"; then
		timeout 30 umount -R "$SB_ROOT" || {
			sb__log "umount -R $SB_ROOT failed: detaching lazily"
			umount -R -l "$SB_ROOT"
		}
	fi
	for ((i = ${#SB_MOUNTS[@]} - 1; i >= 0; i--)); do
		umount "${SB_MOUNTS[i]}" || umount -l "${SB_MOUNTS[i]}"
	done
	[ -z "$SB_ROOT" ] || rmdir "$SB_ROOT"
	[ "$SB_FAIL" = 0 ] || [ "$rc" != 0 ] || rc=1
	exit "$rc"
}

# ================================================================ assertions
# Each prints exactly one PASS or FAIL line and always returns 0, so a
# failed assertion never stops a set -e test early.

t_pass() {
	SB_PASS=$((SB_PASS + 1))
	printf 'PASS: %s\n' "$1"
}

# t_fail DESC REASON
t_fail() {
	local why=${2:-failed}
	SB_FAIL=$((SB_FAIL + 1))
	printf 'FAIL: %s (%s)\n' "$1" "${why//$'\n'/\\n}"
}

# t_skip DESC REASON: DESC was not checked in this run, for REASON; one
# SKIP line, which tests/run.sh counts and shows (neither pass nor fail).
t_skip() {
	printf 'SKIP: %s (%s)\n' "$1" "${2//$'\n'/\\n}"
}

# t_eq DESC EXPECTED ACTUAL
t_eq() {
	if [ "$2" = "$3" ]; then
		t_pass "$1"
	else
		t_fail "$1" "expected '$2', got '$3'"
	fi
}

# t_ok DESC CMD...: CMD (a command or a function) exits 0.
t_ok() {
	local desc=$1 rc=0
	shift
	"$@" >/dev/null 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then
		t_pass "$desc"
	else
		t_fail "$desc" "expected exit 0, got $rc from: $*"
	fi
}

# t_journal DESC MATCHES...: a journal entry matching appears within
# SB_JOURNAL_WAIT seconds.
t_journal() {
	local desc=$1
	shift
	if sb_journal_wait "$@" >/dev/null; then
		t_pass "$desc"
	else
		t_fail "$desc" "expected a journal entry matching '$*', got none in ${SB_JOURNAL_WAIT:-5} s"
	fi
}

# t_file_content DESC PATH EXPECTED: PATH exists and holds EXPECTED
# (compared as $(cat PATH): trailing newlines do not count).
t_file_content() {
	local got
	if [ ! -e "$2" ]; then
		t_fail "$1" "expected '$3', got no file $2"
		return 0
	fi
	got=$(cat -- "$2" 2>&1) || true
	t_eq "$1" "$3" "$got"
}
