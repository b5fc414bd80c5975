# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# stress.sh - the stress run shared by `make stress` (tests/stress/run.sh)
# and its short form in the suite (tests/integration/47-stress.sh). Source
# it after sandbox.sh and fixture.sh, inside sb_enter_netns (the load
# listens), then:
#
#   st_setup        the fixture, the stress policy, the baseline, journald
#                   and the daemon
#   st_run          the load, with the daemon sampled throughout
#   st_check        the assertions (t_eq/t_ok: PASS/FAIL lines)
#   st_summary      the figures, as a table
#
# The load: STRESS_PROCS processes (16) for STRESS_SECONDS (60), two
# sgload runs at once (tests/tools/sgload.c, which checks every outcome
# itself):
#   files      STRESS_PROCS - LISTENERS processes: reads, writes, creates
#              and execs, trusted and untrusted, on protected and
#              unprotected paths (ST_FILE_ITEMS below, each with the
#              outcome it must have)
#   listeners  LISTENERS = max(2, STRESS_PROCS / 4) processes: allowed
#              listeners that must stay up, forbidden ones that must be
#              destroyed (ST_LISTEN_ITEMS)
# Listeners get processes of their own because an allowed one is held
# ST_HOLD_MS to prove it stays: in the same round robin the holds would
# set the pace of every other operation.
#
# The policy enables [changes] and [respond] with hook as the only
# response for every kind of violation. kill or freeze would end or stop
# the load's own workers (every one of them violates on purpose), and the
# run would measure nothing after the first round; a hook exercises the
# whole response path (the request to the responder, its fork and exec
# of the hook program, the result read back, the journal entries) while
# the workers go on. The hook only appends its kind to
# $SB_ROOT/hooks/runs (a tmpfs no one marks), so its runs can be counted.
#
# What "must" means (the bounds, all overridable):
#   STRESS_BOUND_MS    2000: no operation, and no denial of a listener,
#                      may take longer (sgload's slow= and hung=)
#   STRESS_FD_SLACK    64: descriptors the daemon may hold above its idle
#                      count while under load (each event in flight holds
#                      the event's file, a pidfd, ...); idle after the load
#                      it must be back at exactly its idle count
#   threads            exactly the idle count in every sample (the daemon
#                      starts all its threads before it seals itself)
#   STRESS_RSS_TOL_PCT 10 (with STRESS_RSS_TOL_KB 1024 on top): the last
#                      RSS sample under load may exceed the first sample
#                      after the warm-up by at most this much; checked
#                      only with ST_CHECK_RSS=1 (the default; the ASan
#                      build's quarantine grows on purpose)
#   warm-up            STRESS_WARMUP seconds (10, or a quarter of a run
#                      shorter than 40 s)

ST_SECONDS=${STRESS_SECONDS:-60}
ST_PROCS=${STRESS_PROCS:-16}
ST_BOUND_MS=${STRESS_BOUND_MS:-2000}
ST_FD_SLACK=${STRESS_FD_SLACK:-64}
ST_RSS_TOL_PCT=${STRESS_RSS_TOL_PCT:-10}
ST_RSS_TOL_KB=${STRESS_RSS_TOL_KB:-1024}
ST_CHECK_RSS=${ST_CHECK_RSS:-1}
ST_HOLD_MS=200
ST_SAMPLE_S=0.5
ST_ALLOWED_PORT=18000
ST_DENIED_PORT=18001
ST_SCAN_MS=10
for v in ST_SECONDS ST_PROCS ST_BOUND_MS ST_FD_SLACK ST_RSS_TOL_PCT ST_RSS_TOL_KB; do
	case "${!v}" in '' | *[!0-9]*) sb__abort "stress: $v must be a number, not '${!v}'" ;; esac
done
[ "$ST_PROCS" -ge 3 ] && [ "$ST_PROCS" -le 256 ] ||
	sb__abort "stress: STRESS_PROCS must be 3..256, not $ST_PROCS"
[ "$ST_SECONDS" -ge 2 ] || sb__abort "stress: STRESS_SECONDS must be at least 2"
if [ -n "${STRESS_WARMUP:-}" ]; then
	ST_WARMUP=$STRESS_WARMUP
elif [ "$ST_SECONDS" -ge 40 ]; then
	ST_WARMUP=10
else
	ST_WARMUP=$((ST_SECONDS / 4 > 0 ? ST_SECONDS / 4 : 1))
fi
ST_LISTENERS=$((ST_PROCS / 4 > 2 ? ST_PROCS / 4 : 2))
ST_FILE_PROCS=$((ST_PROCS - ST_LISTENERS))

st_setup() {
	fx_setup
	mkdir -p "$FX_FS/etc/drop" "$FX_FS/var/drop" "$SB_ROOT/hooks"
	ST_HOOK_RUNS=$SB_ROOT/hooks/runs
	: >"$ST_HOOK_RUNS"
	printf '#!/bin/sh\necho "$1" >>%s\n' "$ST_HOOK_RUNS" >"$FX_FS/bin/hook.sh"
	chmod 0755 "$FX_FS/bin/hook.sh"
	fx_policy enforce "" "[listen]
allow = tcp $ST_ALLOWED_PORT loopback
scan_interval_ms = $ST_SCAN_MS

[changes]

[respond]
write = hook
exec = hook
listen = hook
change = hook
hook = $FX_FS/bin/hook.sh
hook_timeout = 10"
	t_ok "stress: the baseline builds" fx_baseline
	sb_start_journald
	sb_start_daemon "$FX_POLICY"
	ST_FILE_ITEMS=(
		"read:$FX_FS/etc/app.conf=ok"       # a protected file, read
		"read:$FX_ETC2/hosts=ok"            # another protected mount
		"write:$FX_FS/etc/app.conf=EPERM"   # write-open of a protected file
		"write:$FX_ETC2/hosts=EPERM"
		"write:$FX_FS/var/data=ok"          # unprotected, same filesystem
		"read:$FX_SCRATCH/dropped=EPERM"    # untrusted ELF opened as the loader does (O_CLOEXEC)
		"read:$FX_SCRATCH/dropped.sh=ok"    # a script read by a non-interpreter: data
		"create:$FX_FS/etc/drop=EPERM"      # a new file in a protected tree ([changes] sees it)
		"create:$FX_FS/var/drop=ok"
		"exec:$FX_FS/bin/tool=ok"           # in the baseline, protected
		"exec:$FX_FS/opt/app=ok"            # in the baseline, trusted, not protected
		"exec:$FX_FS/bin/script.sh=ok"      # a trusted script
		"exec:$FX_SCRATCH/dropped=EPERM"    # not in the baseline
		"exec:$FX_SCRATCH/dropped.sh=EPERM" # an untrusted script
	)
	ST_LISTEN_ITEMS=(
		"listen:127.0.0.1:$ST_ALLOWED_PORT=ok"
		"listen:::1:$ST_ALLOWED_PORT=ok"
		"listen:127.0.0.1:$ST_DENIED_PORT=destroyed"
		"listen:::1:0=destroyed"            # a port the kernel picks
		"listen:127.0.0.1:0=destroyed"
	)
}

# st__responder: the daemon's responder (its child sealguard-resp)
st__responder() {
	local c
	for c in $(cat "/proc/$SB_DAEMON_PID/task/$SB_DAEMON_PID/children" 2>/dev/null); do
		[ "$(cat "/proc/$c/comm" 2>/dev/null)" = sealguard-resp ] && { echo "$c"; return; }
	done
}

# st__probe PID: "RSS_KB THREADS FDS" of PID (no fork: /proc and a glob)
st__probe() {
	local line rss="" thr="" fds
	while read -r line; do
		case "$line" in
		VmRSS:*) rss=${line#VmRSS:}; rss=${rss% kB}; rss=${rss//[[:space:]]/} ;;
		Threads:*) thr=${line#Threads:}; thr=${thr//[[:space:]]/} ;;
		esac
	done <"/proc/$1/status" || return 1
	fds=("/proc/$1/fd"/*)
	# a field the status lacked stays a field ("-"): once, in CI on an
	# ASan daemon, VmRSS was missing and every later field slid left
	echo "${rss:--} ${thr:--} ${#fds[@]}"
}

# st__sample: one line "MS RSS THREADS FDS RESP_RSS RESP_THREADS RESP_FDS",
# MS since the load started
st__sample() {
	local d r
	d=$(st__probe "$SB_DAEMON_PID") || return 1
	r=$(st__probe "$ST_RESP_PID") || r="0 0 0"
	echo "$((($(date +%s%N) - ST_T0) / 1000000)) $d $r"
}

st__sampler() {
	set +e
	trap - ERR
	local line
	while :; do
		line=$(st__sample) || exit 0
		# a sample without the RSS is left out of the RSS figures
		case "$line" in *" - "*) ;; *) echo "$line" >>"$ST_SAMPLES" ;; esac
		sleep "$ST_SAMPLE_S"
	done
}

# st__kept PID: how many /proc/<tid>/syscall descriptors PID keeps (the
# guard keeps those of busy openers, and closes each after a tick unused:
# src/daemon/fan/syscallfd.h)
st__kept() {
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 -lname '/proc/*/syscall' 2>/dev/null | wc -l
}

# st__quiet: wait (up to 20 s) until the daemon keeps no openers'
# syscall descriptors and the hook count and the daemon's and responder's
# descriptor counts have not moved for 1 s
st__quiet() {
	local i prev="" now same=0
	for ((i = 0; i < 200; i++)); do
		now="$(wc -l <"$ST_HOOK_RUNS") $(st__probe "$SB_DAEMON_PID" | cut -d' ' -f3) $(st__probe "$ST_RESP_PID" | cut -d' ' -f3)"
		if [ "$(st__kept "$SB_DAEMON_PID")" != 0 ]; then
			same=0
		elif [ "$now" = "$prev" ]; then
			same=$((same + 1))
			[ "$same" -ge 10 ] && return 0
		else
			same=0
		fi
		prev=$now
		sleep 0.1
	done
	return 1
}

st_run() {
	local rc i
	ST_RESP_PID=$(st__responder)
	ST_SAMPLES=$SB_ROOT/samples
	: >"$ST_SAMPLES"
	sleep 1 # the start-up's work (journal entries, first scans) settles
	# and the set-up's openers are forgotten (closed a tick unused)
	for ((i = 0; i < 50; i++)); do
		[ "$(st__kept "$SB_DAEMON_PID")" = 0 ] && break
		sleep 0.1
	done
	ST_T0=$(date +%s%N)
	ST_IDLE0=$(st__sample)
	st__sampler &
	ST_SAMPLER=$!
	SB_PIDS+=("$ST_SAMPLER")
	sb_bg files "$SB_TOOLS/sgload" -p "$ST_FILE_PROCS" -s "$ST_SECONDS" \
		-b "$ST_BOUND_MS" "${ST_FILE_ITEMS[@]}"
	ST_FILES_PID=$SB_BG_PID
	sb_bg listeners "$SB_TOOLS/sgload" -p "$ST_LISTENERS" -s "$ST_SECONDS" \
		-b "$ST_BOUND_MS" -H "$ST_HOLD_MS" "${ST_LISTEN_ITEMS[@]}"
	ST_LISTEN_PID=$SB_BG_PID
	rc=0; wait "$ST_FILES_PID" || rc=$?
	ST_FILES_RC=$rc
	rc=0; wait "$ST_LISTEN_PID" || rc=$?
	ST_LISTEN_RC=$rc
	ST_LOAD_MS=$((($(date +%s%N) - ST_T0) / 1000000))
	kill "$ST_SAMPLER" 2>/dev/null || true
	wait "$ST_SAMPLER" 2>/dev/null || true
	ST_QUIET=0
	st__quiet || ST_QUIET=$?
	ST_IDLE1=$(st__sample)
	ST_ALIVE=0
	kill -0 "$SB_DAEMON_PID" 2>/dev/null || ST_ALIVE=1
	ST_HOOKS=$(wc -l <"$ST_HOOK_RUNS")
	ST_DROPPED=$(sb_journal_count SEALGUARD_EVENT=response SEALGUARD_RESULT=dropped)
	ST_ALLOWED_HIT=$(( $(sb_journal_count SEALGUARD_EVENT=listen SEALGUARD_LOCAL="127.0.0.1:$ST_ALLOWED_PORT") +
		$(sb_journal_count SEALGUARD_EVENT=listen SEALGUARD_LOCAL="[::1]:$ST_ALLOWED_PORT") ))
	ST_DESTROYED_J=$(sb_journal_count SEALGUARD_EVENT=listen SEALGUARD_ACTION=destroyed)
	ST_CHANGES_J=$(sb_journal_count SEALGUARD_EVENT=change)
	ST_STOP_RC=0
	sb_stop_daemon || ST_STOP_RC=$?
}

# st__field KEY LINE: the value of KEY=... in an sgload line
st__field() { sed -n "s/.*\\<$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
st__total() { grep '^total ' "$SB_ROOT/$1.log" || echo "total (none)"; }
# st__after_warmup: the samples taken after the warm-up
st__after_warmup() { awk -v w=$((ST_WARMUP * 1000)) '$1 >= w' "$ST_SAMPLES"; }

# st__explain_wrong LOAD: for each item with a wrong decision, its line
# and the journal's newest entries about its path, on stderr
st__explain_wrong() {
	local it path
	{ grep '^ITEM .* wrong=[1-9]' "$SB_ROOT/$1.log" || true; } | while read -r it; do
		echo "stress: wrong decisions: $it" >&2
		path=$(cut -d' ' -f2 <<<"$it" | sed 's/^[a-z]*://; s/=[a-zA-Z]*$//')
		journalctl -q --no-pager -o json SEALGUARD_PATH="$path" 2>/dev/null |
			tail -n 5 | sed 's/^/stress: journal: /' >&2 || true
	done
}

st_check() {
	local load tot it n bad samples first last
	for load in files listeners; do
		tot=$(st__total "$load")
		t_eq "stress $load: every worker finished its last operation (hung=0; $tot)" 0 \
			"$(st__field hung "$tot")"
		t_eq "stress $load: no wrong decision (wrong=0)" 0 "$(st__field wrong "$tot")"
		t_eq "stress $load: no operation took longer than $ST_BOUND_MS ms (slow=0, max_us=$(st__field max_us "$tot"))" \
			0 "$(st__field slow "$tot")"
		# every item ran: a load that never reached an operation proves nothing
		bad=""
		while read -r it; do
			n=$(st__field n "$it")
			[ "${n:-0}" -gt 0 ] || bad+=" $(cut -d' ' -f2 <<<"$it")"
		done < <(grep '^ITEM ' "$SB_ROOT/$load.log")
		t_eq "stress $load: every item ran at least once" "" "$bad"
		st__explain_wrong "$load"
	done
	t_eq "stress: sgload (files) exited 0" 0 "$ST_FILES_RC"
	t_eq "stress: sgload (listeners) exited 0" 0 "$ST_LISTEN_RC"
	t_eq "stress: the daemon ran through the load" 0 "$ST_ALIVE"
	t_eq "stress: it stopped cleanly after it" 0 "$ST_STOP_RC"
	t_eq "stress: after the load, hooks and descriptors settled within 20 s, no opener's syscall descriptor kept" 0 "$ST_QUIET"

	samples=$(st__after_warmup | wc -l)
	t_ok "stress: the daemon was sampled after the warm-up ($samples samples)" \
		test "$samples" -ge 2
	first=$(st__after_warmup | head -n 1)
	last=$(st__after_warmup | tail -n 1)
	read -r _ _ thr0 fd0 _ _ rfd0 <<<"$ST_IDLE0"
	read -r _ _ thr1 fd1 _ _ rfd1 <<<"$ST_IDLE1"
	t_eq "stress: threads: every sample has the idle count ($thr0)" "$thr0" \
		"$(awk '{ print $3 }' "$ST_SAMPLES" | sort -u | tr '\n' ' ' | sed 's/ $//')"
	t_eq "stress: threads after the load = before it" "$thr0" "$thr1"
	t_eq "stress: descriptors after the load = before it (daemon)" "$fd0" "$fd1"
	t_eq "stress: descriptors after the load = before it (responder)" "$rfd0" "$rfd1"
	ST_FD_MAX=$(awk 'BEGIN { m = 0 } $4 > m { m = $4 } END { print m }' "$ST_SAMPLES")
	t_ok "stress: descriptors under load stayed within idle + $ST_FD_SLACK (idle $fd0, max $ST_FD_MAX)" \
		test "$ST_FD_MAX" -le $((fd0 + ST_FD_SLACK))
	ST_RSS_WARM=$(cut -d' ' -f2 <<<"$first")
	ST_RSS_LAST=$(cut -d' ' -f2 <<<"$last")
	ST_RSS_PEAK=$(awk 'BEGIN { m = 0 } $2 > m { m = $2 } END { print m }' "$ST_SAMPLES")
	ST_RSS_LIMIT=$((ST_RSS_WARM + ST_RSS_WARM * ST_RSS_TOL_PCT / 100 + ST_RSS_TOL_KB))
	if [ "$ST_CHECK_RSS" = 1 ]; then
		t_ok "stress: RSS flat: last $ST_RSS_LAST kB <= warm-up $ST_RSS_WARM kB + $ST_RSS_TOL_PCT % + $ST_RSS_TOL_KB kB" \
			test "${ST_RSS_LAST:-999999999}" -le "$ST_RSS_LIMIT"
	fi

	for k in write exec listen change; do
		t_ok "stress: the $k hook ran under the load" grep -qx "$k" "$ST_HOOK_RUNS"
	done
	t_eq "stress: no allowed listener was ever reported" 0 "$ST_ALLOWED_HIT"
	t_ok "stress: the journal has the destroyed listeners ($ST_DESTROYED_J)" \
		test "$ST_DESTROYED_J" -gt 0
}

# st__rows LOG: one table row per item of an sgload log
st__rows() {
	awk '/^ITEM / {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		r = ""
		split("ok EPERM EACCES other destroyed", names, " ")
		for (k = 1; k <= 5; k++)
			if (f[names[k]] > 0)
				r = r (r == "" ? "" : " ") names[k] "=" f[names[k]]
		printf "| `%s` | %d | %s | %d | %d | %d | %d | %d |\n", $2, f["n"], r,
			f["wrong"], f["p50_us"], f["p99_us"], f["max_us"], f["slow"]
	}' "$1"
}

st_summary() {
	local ft lt fo lo
	ft=$(st__total files)
	lt=$(st__total listeners)
	fo=$(st__field ops_per_s "$ft")
	lo=$(st__field ops_per_s "$lt")
	echo "## Stress: $ST_PROCS processes ($ST_FILE_PROCS files, $ST_LISTENERS listeners), $ST_SECONDS s, bound $ST_BOUND_MS ms"
	echo
	echo "| item | n | results | wrong | p50 us | p99 us | max us | over bound |"
	echo "|---|---|---|---|---|---|---|---|"
	st__rows "$SB_ROOT/files.log"
	st__rows "$SB_ROOT/listeners.log"
	echo
	echo "| figure | value |"
	echo "|---|---|"
	echo "| operations/s (files + listeners) | $fo + $lo = $(awk -v a="$fo" -v b="$lo" 'BEGIN { print a + b }') |"
	echo "| operations (files, listeners) | $(st__field n "$ft"), $(st__field n "$lt") |"
	echo "| wrong decisions | $(( $(st__field wrong "$ft") + $(st__field wrong "$lt") )) |"
	echo "| hung workers | $(( $(st__field hung "$ft") + $(st__field hung "$lt") )) |"
	echo "| file decisions p99 / max | $(st__field p99_us "$ft") us / $(st__field max_us "$ft") us |"
	echo "| listener denials p99 / max | $(st__denial p99_us) us / $(st__denial max_us) us |"
	echo "| daemon RSS idle, after warm-up, last, peak (kB) | $(cut -d' ' -f2 <<<"$ST_IDLE0"), $ST_RSS_WARM, $ST_RSS_LAST, $ST_RSS_PEAK (limit $ST_RSS_LIMIT) |"
	echo "| daemon threads idle / after | $(cut -d' ' -f3 <<<"$ST_IDLE0") / $(cut -d' ' -f3 <<<"$ST_IDLE1") |"
	echo "| daemon fds idle / max under load / after | $(cut -d' ' -f4 <<<"$ST_IDLE0") / $ST_FD_MAX / $(cut -d' ' -f4 <<<"$ST_IDLE1") |"
	echo "| responder RSS kB, fds idle / after | $(cut -d' ' -f5 <<<"$ST_IDLE0") / $(cut -d' ' -f5 <<<"$ST_IDLE1"), $(cut -d' ' -f7 <<<"$ST_IDLE0") / $(cut -d' ' -f7 <<<"$ST_IDLE1") |"
	echo "| hook runs (write, exec, listen, change) | $ST_HOOKS ($(for k in write exec listen change; do grep -cx "$k" "$ST_HOOK_RUNS"; done | paste -sd, -)) |"
	echo "| hook requests dropped (queue full) | $ST_DROPPED |"
	echo "| journal: listeners destroyed, changes | $ST_DESTROYED_J, $ST_CHANGES_J |"
	echo "| samples (every $ST_SAMPLE_S s, warm-up $ST_WARMUP s) | $(wc -l <"$ST_SAMPLES") |"
}

# st__denial FIELD: the largest FIELD over the listener items that
# expect a destroy (the allowed ones take ST_HOLD_MS by construction)
st__denial() {
	grep '^ITEM .*=destroyed ' "$SB_ROOT/listeners.log" |
		sed -n "s/.*\\<$1=\\([0-9]*\\).*/\\1/p" | sort -n | tail -n 1
}
