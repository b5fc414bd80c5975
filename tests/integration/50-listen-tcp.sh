#!/usr/bin/env bash
# 50-listen-tcp.sh - the listener guard against TCP listeners, in a private
# network namespace: allowed listeners stay up, IPv4 and IPv6, wildcard and
# loopback; a listener on a port, address or with an executable the policy
# does not allow is destroyed (its accept() fails, clients are refused, the
# port is free again) and logged with its owner; a burst of a hundred is
# destroyed whole.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter_netns "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/listen.sh
. "$(dirname "$0")/../lib/listen.sh"

PY=/usr/bin/python3
SGL=$SB_TOOLS/sglisten
DESTROYED_ID=2d02cc6943b543e184b6bd129b0fd7b2
fx_setup
# A pinned server program in the baseline (protected, so it cannot change).
cp "$(command -v socat)" "$FX_FS/bin/socat"
fx_policy enforce "" "[listen]
allow = tcp 8000 loopback
allow = tcp 8100 loopback
allow = tcp6 8006 ::1
allow = tcp 9000 loopback $FX_FS/bin/socat
scan_interval_ms = 10"
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

# ---------------------------------------------------------------- allowed
ln_start http8000 "$PY" -m http.server 8000 --bind 127.0.0.1
http_pid=$LN_PID
ln_wait_listening tcp 8000 || true
sleep 0.3 # thirty scans
t_eq "allowed: python3 http.server on 127.0.0.1:8000 answers" ok \
	"$(ln_try connect tcp 127.0.0.1 8000)"
t_eq "allowed: a real HTTP GET gets 200" 200 \
	"$("$PY" -c 'import urllib.request as u; print(u.urlopen("http://127.0.0.1:8000/", timeout=5).status)' 2>&1)"
t_ok "allowed: the server is still running" kill -0 "$http_pid"

ln_start v6ok "$SGL" serve tcp ::1 8006
ln_wait_log v6ok '^ready$' || true
sleep 0.3
t_eq "allowed: IPv6 [::1]:8006 answers" ok "$(ln_try connect tcp ::1 8006)"
t_eq "allowed: its accept() never failed" ready "$(ln_log v6ok)"

# ---------------------------------------------------------------- destroyed
sb_bg deny4 "$SGL" serve tcp 127.0.0.1 8001
ln_wait_log deny4 '^accept:' || true
deny4_pid=$(ln_logged_pid deny4)
t_eq "not allowed: 127.0.0.1:8001, the owner's accept() fails" \
	"ready accept:EINVAL" "$(ln_log deny4)"
t_eq "not allowed: a client is refused" ECONNREFUSED "$(ln_try connect tcp 127.0.0.1 8001)"
t_eq "not allowed: the port is free again" ok "$(ln_try bind tcp 127.0.0.1 8001)"
t_journal "journal: destroyed, with protocol, address, owner and MESSAGE_ID" \
	SEALGUARD_EVENT=listen SEALGUARD_ACTION=destroyed SEALGUARD_REASON=not-allowed \
	SEALGUARD_PROTO=tcp SEALGUARD_LOCAL=127.0.0.1:8001 SEALGUARD_PID="$deny4_pid" \
	SEALGUARD_EXE="$SGL" SEALGUARD_UID=0 MESSAGE_ID=$DESTROYED_ID PRIORITY=4

# An allowed port on an address the rule does not cover: the wildcard.
ln_start http_wild "$PY" -m http.server 8100 --bind 0.0.0.0
t_journal "allowed port, wildcard bind (rule says loopback): destroyed" \
	SEALGUARD_ACTION=destroyed SEALGUARD_LOCAL=0.0.0.0:8100 \
	SEALGUARD_EXE="$(readlink -f "$PY")" SEALGUARD_PID="$LN_PID"
t_eq "allowed port, wildcard bind: a client is refused" ECONNREFUSED \
	"$(ln_try connect tcp 127.0.0.1 8100)"

sb_bg deny6 "$SGL" serve tcp :: 8007
ln_wait_log deny6 '^accept:' || true
t_eq "IPv6 wildcard [::]:8007: accept() fails" "ready accept:EINVAL" \
	"$(ln_log deny6)"
t_eq "IPv6 wildcard [::]:8007: a client is refused" ECONNREFUSED \
	"$(ln_try connect tcp ::1 8007)"
t_journal "journal: IPv6 listener destroyed, address in brackets" \
	SEALGUARD_ACTION=destroyed SEALGUARD_PROTO=tcp SEALGUARD_FAMILY=ipv6 \
	SEALGUARD_LOCAL="[::]:8007"

sb_bg nc "$(command -v nc)" -l 127.0.0.1 8008
t_journal "netcat (nc -l) on a port not allowed: destroyed" \
	SEALGUARD_ACTION=destroyed SEALGUARD_LOCAL=127.0.0.1:8008 \
	SEALGUARD_EXE="$(readlink -f "$(command -v nc)")"

# ---------------------------------------------------------------- pinned
ln_start pinned "$FX_FS/bin/socat" -u TCP4-LISTEN:9000,bind=127.0.0.1,reuseaddr,fork -
ln_wait_listening tcp 9000 || true
sleep 0.3
t_eq "pinned: the allowed executable listens on 9000 and stays up" ok \
	"$(ln_try connect tcp 127.0.0.1 9000)"
ln_start unpinned "$(command -v socat)" -u TCP4-LISTEN:9000,bind=127.0.0.2,reuseaddr,fork -
t_journal "pinned port, another executable (/usr/bin/socat): destroyed, exe-mismatch" \
	SEALGUARD_ACTION=destroyed SEALGUARD_REASON=exe-mismatch \
	SEALGUARD_LOCAL=127.0.0.2:9000 SEALGUARD_EXE="$(readlink -f "$(command -v socat)")"
t_eq "pinned port, another executable: a client is refused" ECONNREFUSED \
	"$(ln_try connect tcp 127.0.0.2 9000)"
t_eq "the pinned program still answers" ok "$(ln_try connect tcp 127.0.0.1 9000)"
t_eq "journal: the allowed listeners were never destroyed" 0 \
	"$(( $(sb_journal_count SEALGUARD_LOCAL=127.0.0.1:9000) + \
	     $(sb_journal_count SEALGUARD_LOCAL=127.0.0.1:8000) + \
	     $(sb_journal_count SEALGUARD_LOCAL='[::1]:8006') ))"

# ---------------------------------------------------------------- burst
sb_bg burst "$SGL" burst tcp 127.0.0.1 20000 100 5
ln_wait_log burst '^destroyed=' || true
t_eq "a burst of 100 listeners at once: all destroyed" "destroyed=100 alive=0" \
	"$(grep '^destroyed=' "$SB_ROOT/burst.log" || echo none)"
sleep 0.5
n=$(journalctl -q --no-pager -o json SEALGUARD_EVENT=listen SEALGUARD_ACTION=destroyed |
	grep -c '"SEALGUARD_LOCAL":"127.0.0.1:2[0-9]*"' || true)
t_eq "a burst of 100: one journal entry each" 100 "$n"
t_ok "the daemon still runs" kill -0 "$SB_DAEMON_PID"
status_counts() {
	local i
	for ((i = 0; i < 30; i++)); do
		grep -q 'listeners: 10[0-9] destroyed' "$SB_NOTIFY_FILE" && return 0
		sleep 0.1
	done
	return 1
}
t_ok "STATUS= counts the destroyed listeners" status_counts

rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly" 0 "$rc"
ln_journal_to_stderr
