#!/usr/bin/env bash
# 49-valgrind.sh - the daemon's event loop under valgrind memcheck (issue
# #16): one run through real work with every part of the loop busy, and
# no memory error, no leak, no descriptor left open.
#
# The work: write-opens of protected files denied (EPERM), trusted reads,
# trusted execs allowed and untrusted ones denied, a forbidden listener
# destroyed ([listen]), a change detected ([changes]) that runs a hook
# ([respond], in the forked responder), periodic verify passes finding
# that change as drift, heartbeats, then SIGTERM. Asserted: each decision
# (the errno seen, the journal entry), the exit status is the daemon's
# clean 0 (not valgrind's 99), and for the daemon and its responder
# valgrind's summary says 0 errors, 0 bytes definitely and 0 indirectly
# lost, and no descriptor the process opened itself is still open at exit.
#
# Builds: valgrind and ASan do not mix (both own the allocator and the
# address space). The valgrind part runs only when $SG_BUILD is not a
# sanitized build (told from the binary: ASan's __asan_init), i.e. in the
# normal build's pass of tests/run.sh. In the ASan pass the same work
# runs against the ASan daemon without valgrind (ASan and UBSan then do
# the checking), and the valgrind part is reported as one SKIP: line with
# its reason, which tests/run.sh counts and shows.
#
# The daemon runs with --seccomp off: valgrind makes system calls of its
# own (translations need executable memory, signal frames, its own
# descriptors) that the allowlist would kill. That switch is checked
# here too: a crit entry with its own MESSAGE_ID, "off" in the status
# record (`sealguard status`), no filter in /proc and in the heartbeat,
# no_new_privs still set. The responder is forked, not exec'd: valgrind
# follows it without --trace-children (the hooks it execs run natively).
#
# Valgrind is slow (20-50 times): READY, journal look-ups and the stop
# get longer bounds (the run itself takes about 10 s here).
#
# To dig into a finding: VG_ARGS="--show-leak-kinds=all" adds options to
# valgrind's command line; VG_KEEP=DIR keeps the valgrind logs, the
# journal and the sandbox's logs in DIR.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter_netns "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/listen.sh
. "$(dirname "$0")/../lib/listen.sh"

MSG_SECCOMP_OFF=a1b648368e324f6790fb2b06c47f13f3
MSG_DESTROYED=2d02cc6943b543e184b6bd129b0fd7b2
MSG_CHANGE=bd8ed0d140ba41aa9bd13e003c648878
MSG_RESPONSE=9083347e02684a05a308f24458a9b6c9
MSG_VERIFY=671c242cdda64d3e95d73af927090772
MSG_DRIFT=13da0571c1bd43c6a197021366dda9ff
MSG_HEARTBEAT=d5e7f95d00d0426092ca798d9b181ec7
MSG_STOPPED=2d1f093952d64ab394c04abe28aec33d
DAEMON=$SG_BUILD/sealguardd
VG_LOGS=$SB_ROOT/vg
VG_KEEP=${VG_KEEP:-}

if grep -qa __asan_init "$DAEMON"; then
	VALGRIND=0
	printf '49-valgrind: %s is an ASan build: the work runs without valgrind here (valgrind and ASan do not mix); the normal build pass runs it under memcheck\n' \
		"$DAEMON" >&2
else
	VALGRIND=1
	command -v valgrind >/dev/null ||
		sb__abort "valgrind is not installed (tests/install-deps.sh)"
	# The daemon as valgrind's client: one log per process (%p: the
	# daemon, the forked responder, each hook until its exec).
	mkdir -p "$VG_LOGS"
	VG_WRAPPER=$SB_ROOT/vg-sealguardd
	cat >"$VG_WRAPPER" <<-EOF
		#!/bin/sh
		exec valgrind --tool=memcheck --leak-check=full \\
			--errors-for-leak-kinds=definite,indirect --error-exitcode=99 \\
			--track-fds=yes --track-origins=yes --num-callers=30 \\
			--log-file=$VG_LOGS/vg.%p.log ${VG_ARGS:-} $DAEMON "\$@"
	EOF
	chmod 0755 "$VG_WRAPPER"
	export SB_DAEMON_BIN=$VG_WRAPPER
	# start-up hashes the baseline under the emulator; the stop runs
	# the leak check of a daemon and a responder
	export SB_READY_TIMEOUT=60 SB_STOP_TIMEOUT=60 SB_JOURNAL_WAIT=20
fi

fx_setup
E=$FX_FS/etc
conf=$E/app.conf
OUT=$FX_SCRATCH/hook
mkdir -p "$OUT"
# The hook: records its SEALGUARD_* environment, one directory a run.
cat >"$FX_FS/bin/hook.sh" <<-EOF
	#!/bin/sh
	d=$OUT/.run.\$\$
	mkdir "\$d"
	env | grep '^SEALGUARD_' | sort >"\$d/env"
	cat >"\$d/stdin"
	mv "\$d" $OUT/run.\$\$
EOF
chmod 0755 "$FX_FS/bin/hook.sh"
fx_policy enforce "" "[listen]
scan_interval_ms = 50

[changes]
verify_interval = 2

[respond]
change = hook
hook = $FX_FS/bin/hook.sh

[tether]
heartbeat_interval = 1"
t_ok "baseline builds" fx_baseline
sb_start_journald
golden=$(fx_sha "$conf")

sb_start_daemon "$FX_POLICY" --seccomp off
P=$SB_DAEMON_PID
# the responder: the daemon's child that is not a hook
RESP=$(cat "/proc/$P/task/$P/children" 2>/dev/null | awk '{ print $1 }')

# ---------------------------------------------------------------- --seccomp off
t_journal "--seccomp off: one crit entry of its own" MESSAGE_ID=$MSG_SECCOMP_OFF \
	PRIORITY=2 _PID="$P"
t_eq "--seccomp off: no filter on the daemon (/proc Seccomp: 0)" 0 \
	"$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$P/status")"
t_eq "--seccomp off: no_new_privs is still set" 1 \
	"$(awk '$1 == "NoNewPrivs:" { print $2 }' "/proc/$P/status")"
out=$("$FX_SEALGUARD" status --state-dir "$SB_ROOT/sealguard-state" 2>&1) || true
t_ok "sealguard status: seccomp off (--seccomp off)" \
	grep -Eq '^seccomp +off \(--seccomp off\)$' <<<"$out"
t_ok "sealguard status: no_new_privs yes" grep -Eq '^no_new_privs +yes$' <<<"$out"
t_journal "heartbeat: seccomp none" MESSAGE_ID=$MSG_HEARTBEAT SEALGUARD_SECCOMP=none

# ---------------------------------------------------------------- decisions
for i in 1 2 3; do
	t_eq "write-open of a protected file denied ($i)" EPERM "$(sb_try open-wronly "$conf")"
done
t_eq "O_TRUNC of a protected file on the tmpfs denied" EPERM \
	"$(sb_try openat-trunc "$FX_ETC2/hosts")"
t_eq "the protected file is unchanged" "$golden" "$(fx_sha "$conf")"
t_eq "trusted read" golden "$(cat "$conf")"
t_eq "trusted read on the tmpfs" "127.0.0.1 localhost" "$(cat "$FX_ETC2/hosts")"
t_eq "trusted exec (baseline)" ok "$(sb_try exec "$FX_FS/bin/tool")"
t_eq "trusted exec (trusted directory)" ok "$(sb_try exec "$FX_FS/opt/app")"
t_eq "untrusted exec denied" EPERM "$(sb_try exec "$FX_SCRATCH/dropped")"
t_eq "untrusted script denied" EPERM "$(sb_try exec "$FX_SCRATCH/dropped.sh")"
t_journal "journal: the write denial" SEALGUARD_EVENT=write SEALGUARD_ACTION=deny \
	SEALGUARD_PATH="$conf"
t_journal "journal: the exec denial" SEALGUARD_EVENT=exec SEALGUARD_ACTION=deny \
	SEALGUARD_PATH="$FX_SCRATCH/dropped"

# ---------------------------------------------------------------- load
# Four workers for 3 s: the loop, the hasher threads and the rate limit
# busy at once, every result checked by sgload (wrong decisions, hung
# operations). The bound is generous: valgrind runs one thread at a time.
out=$("$SB_TOOLS/sgload" -p 4 -s 3 -b 10000 "read:$conf=ok" "write:$conf=EPERM" \
	"read:$FX_ETC2/hosts=ok" "write:$FX_ETC2/hosts=EPERM" \
	"exec:$FX_FS/bin/tool=ok" "exec:$FX_SCRATCH/dropped=EPERM" \
	"listen:127.0.0.1:18003=destroyed" 2>&1) && rc=0 || rc=$?
tot=$(grep '^total' <<<"$out" || true)
t_eq "load: sgload's checks hold (exit 0: no wrong decision, none hung or slow)" 0 "$rc"
t_ok "load: it ran, and was denied ($tot)" \
	grep -Eq '^total n=[1-9][0-9]* ok=[1-9][0-9]* EPERM=[1-9][0-9]* .*destroyed=[1-9][0-9]* wrong=0 ' <<<"$tot"
t_eq "the protected files are unchanged after the load" "$golden" "$(fx_sha "$conf")"

# ---------------------------------------------------------------- listener
sb_bg deny "$SB_TOOLS/sglisten" serve tcp 127.0.0.1 8001
ln_wait_log deny '^accept:' || true
t_eq "forbidden listener destroyed: its accept() fails" "ready accept:EINVAL" \
	"$(ln_log deny)"
t_journal "journal: the listener destroyed" MESSAGE_ID=$MSG_DESTROYED \
	SEALGUARD_ACTION=destroyed SEALGUARD_LOCAL=127.0.0.1:8001

# ---------------------------------------------------------------- change, hook
t_eq "mkdir under a protected path (not deniable)" ok "$(sb_try mkdir "$E/newdir")"
t_journal "change detected" MESSAGE_ID=$MSG_CHANGE SEALGUARD_CHANGE=create \
	SEALGUARD_PATH="$E/newdir"
hook_entry=(MESSAGE_ID=$MSG_RESPONSE SEALGUARD_RESPONSE=hook SEALGUARD_KIND=change)
result=$(ln_field SEALGUARD_RESULT "${hook_entry[@]}")
if [ "$VALGRIND" = 1 ] && [ "$result" = failed ] &&
	grep -q 'unhandled amd64-linux syscall: 434$' "$VG_LOGS/vg.$RESP.log" 2>/dev/null; then
	# valgrind 3.19 (Debian 12) has no pidfd_open: the responder spawns
	# the hook, cannot watch it, kills it and answers with the errno
	t_eq "hook under a valgrind without pidfd_open: the responder's error path answers once, ENOSYS" \
		"failed|Function not implemented|1" \
		"$result|$(ln_field SEALGUARD_ERROR "${hook_entry[@]}")|$(sb_journal_count "${hook_entry[@]}")"
	t_skip "a hook run to its end under memcheck" \
		"$(valgrind --version) has no pidfd_open (syscall 434): the responder cannot watch the hook; its error path was checked instead"
else
	t_eq "the hook ran for the change and exited 0" done "$result"
	run=$(find "$OUT" -maxdepth 1 -name 'run.*' | sed -n 1p)
	t_ok "the hook got the change in its environment" \
		grep -qx "SEALGUARD_PATH=$E/newdir" "${run:-/nonexistent}/env"
	t_eq "the hook got the event as JSON on stdin" "change $E/newdir" \
		"$(python3 -c 'import json, sys; d = json.load(open(sys.argv[1]))
print(d["event"], d["path"])' "${run:-/nonexistent}/stdin" 2>&1)"
fi

# ---------------------------------------------------------------- verify
t_journal "a periodic verify pass reports the new directory as drift" \
	MESSAGE_ID=$MSG_DRIFT SEALGUARD_CHANGE=added SEALGUARD_PATH="$E/newdir"
t_journal "the pass ends with its counts" MESSAGE_ID=$MSG_VERIFY \
	SEALGUARD_WHY=interval SEALGUARD_DRIFTED=1
t_eq "still denying after all that" EPERM "$(sb_try open-wronly "$conf")"

# ---------------------------------------------------------------- stop
rc=0
sb_stop_daemon || rc=$?
t_eq "SIGTERM: the daemon's clean exit status (0; valgrind's would be 99)" 0 "$rc"
t_journal "journal: it said it stopped on SIGTERM" MESSAGE_ID=$MSG_STOPPED \
	_PID="$P"

if [ "$VALGRIND" = 0 ]; then
	t_skip "the daemon and its responder under valgrind memcheck" \
		"$(basename "$SG_BUILD") is an ASan build and valgrind and ASan do not mix: the normal build's pass runs it"
	exit 0
fi

# ---------------------------------------------------------------- memcheck
# vg_num LOG REGEX: the first number after REGEX in the log ("" if none)
vg_num() { sed -nE "s/^==[0-9]+== +$2 *([0-9,]+) .*/\1/p" "$1" | sed -n 1p | tr -d ,; }
# vg_fds LOG: the descriptors open at exit that the process did not
# inherit, one "Open ...: NAME|function function ..." line each (the
# functions of the stack that opened it)
vg_fds() {
	sed 's/^==[0-9]*== \{0,1\}//' "$1" | awk '
		/^FILE DESCRIPTORS:/ { on = 1; next }
		/^HEAP SUMMARY:/ { on = 0 }
		!on { next }
		/^Open / { head = $0; stack = ""; next }
		/^ *(at|by) 0x/ { sub(/ \(.*/, ""); stack = stack " " $NF; next }
		/inherited from parent/ { head = ""; next }
		/^$/ { if (head != "") print head "|" stack; head = "" }'
}
# memcheck WHO PID KEPT: the summary of PID's log; KEPT (an ERE) matches
# the stacks of the descriptors it may legitimately hold at exit
memcheck() {
	local who=$1 log=$VG_LOGS/vg.$2.log fds
	if [ ! -s "$log" ]; then
		t_fail "memcheck: $who (pid $2) has a valgrind log" "no $log"
		return 0
	fi
	t_ok "memcheck: $who ran to valgrind's end (summary written)" \
		grep -q 'ERROR SUMMARY:' "$log"
	t_eq "memcheck: $who: 0 errors" 0 "$(vg_num "$log" 'ERROR SUMMARY:')"
	t_eq "memcheck: $who: 0 bytes definitely lost" 0 "$(vg_num "$log" 'definitely lost:')"
	t_eq "memcheck: $who: 0 bytes indirectly lost" 0 "$(vg_num "$log" 'indirectly lost:')"
	fds=$(vg_fds "$log")
	t_ok "memcheck: $who: the descriptors open at exit are listed (--track-fds)" \
		grep -q 'FILE DESCRIPTORS:' "$log"
	if [ -n "$3" ]; then
		t_eq "memcheck: $who: no descriptor left open at exit but $3" "" \
			"$(grep -Ev "\|.*($3)" <<<"$fds" | paste -sd';' -)"
	else
		t_eq "memcheck: $who: no descriptor left open at exit" "" \
			"$(paste -sd';' - <<<"$fds")"
	fi
	# what memcheck said, for the .err log of a failed run
	if [ "$(vg_num "$log" 'ERROR SUMMARY:')" != 0 ] || ! grep -q 'ERROR SUMMARY:' "$log"; then
		grep -v -- '--[0-9]*-- ' "$log" | head -n 150 | sed "s/^/49-valgrind: $who: /" >&2
	fi
	printf '49-valgrind: %s: %s\n' "$who" \
		"$(grep -E 'ERROR SUMMARY|in use at exit|definitely lost|indirectly lost|possibly lost|still reachable|FILE DESCRIPTORS' "$log" |
			sed 's/^==[0-9]*== *//' | paste -sd';' -)" >&2
}
# The daemon closes everything it opened (free_run), its journal socket
# last (log/journal.c).
memcheck daemon "$P" ''
# The responder _exits when the daemon goes, holding what setup() gave
# it (its socket, its journal socket, /proc, the cgroup root): nothing a
# hook run opened (the event's memfd, the hook's pidfd) may be left.
if [ -n "$RESP" ]; then
	memcheck responder "$RESP" ' setup responder_main'
else
	t_fail "memcheck: the responder" "no child of the daemon found at start"
fi
[ -z "$VG_KEEP" ] || { cp -r "$VG_LOGS" "$VG_KEEP/"; journalctl -q --no-pager -o verbose >"$VG_KEEP/journal.txt"; cp "$SB_ROOT"/*.log "$VG_KEEP/" 2>/dev/null || true; }
