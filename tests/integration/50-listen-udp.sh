#!/usr/bin/env bash
# 50-listen-udp.sh - the listener guard against UDP: an unconnected bound
# UDP socket is a listener. SOCK_DESTROY cannot close one (it stays bound
# and receiving), so a UDP violation is stopped by killing its owners
# (udp_action = kill, the default) and is never reported as "destroyed".
# Allowed ones keep receiving; connected sockets are not listeners; a
# socket that sent without bind() got an ephemeral port and is one.
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
KILLED_ID=5026e293d34446e2b2e709fcda993daf
fx_setup
fx_policy enforce "" "[listen]
allow = udp 5353 loopback
allow = udp6 5360 ::1
scan_interval_ms = 10"
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

# ---------------------------------------------------------------- allowed
sb_bg udpok "$SGL" serve udp 127.0.0.1 5353
ln_wait_log udpok '^ready$' || true
ok_pid=$(ln_logged_pid udpok)
sleep 0.3
t_eq "allowed: 127.0.0.1:5353 echoes" ok "$(ln_try connect udp 127.0.0.1 5353)"
t_ok "allowed: its owner still runs" kill -0 "$ok_pid"
sb_bg udp6ok "$SGL" serve udp ::1 5360
ln_wait_log udp6ok '^ready$' || true
sleep 0.3
t_eq "allowed: IPv6 [::1]:5360 echoes" ok "$(ln_try connect udp ::1 5360)"

# ---------------------------------------------------------------- killed
sb_bg udp1 "$SGL" serve udp 127.0.0.1 5354
ln_wait_log udp1 '^pid=' || true
pid=$(ln_logged_pid udp1)
t_ok "not allowed: the owner of 127.0.0.1:5354 is killed" ln_wait_gone "$pid"
t_journal "journal: killed, with protocol, address, owner, MESSAGE_ID" \
	SEALGUARD_EVENT=listen SEALGUARD_ACTION=killed SEALGUARD_REASON=not-allowed \
	SEALGUARD_PROTO=udp SEALGUARD_LOCAL=127.0.0.1:5354 SEALGUARD_PID="$pid" \
	SEALGUARD_EXE="$SGL" SEALGUARD_UID=0 SEALGUARD_KILLED=1 \
	MESSAGE_ID=$KILLED_ID PRIORITY=4
t_eq "not allowed: the port is free again" ok "$(ln_try bind udp 127.0.0.1 5354)"
t_eq "not allowed: nobody answers there" ECONNREFUSED "$(ln_try connect udp 127.0.0.1 5354)"

ln_start socat6 "$(command -v socat)" -u UDP6-RECV:5355 -
pid=$LN_PID
t_ok "IPv6 wildcard [::]:5355 (socat): its owner is killed" ln_wait_gone "$pid"
t_journal "journal: IPv6 UDP listener killed" SEALGUARD_ACTION=killed \
	SEALGUARD_PROTO=udp SEALGUARD_FAMILY=ipv6 SEALGUARD_LOCAL="[::]:5355" \
	SEALGUARD_EXE="$(readlink -f "$(command -v socat)")" SEALGUARD_PID="$pid"

ln_start ncu "$(command -v nc)" -u -l 127.0.0.1 5356
pid=$LN_PID
t_ok "netcat (nc -u -l) on a port not allowed: killed" ln_wait_gone "$pid"

ln_start pyudp "$PY" -c '
import socketserver
class H(socketserver.BaseRequestHandler):
    def handle(self): self.request[1].sendto(self.request[0], self.client_address)
socketserver.UDPServer(("0.0.0.0", 5357), H).serve_forever()'
pid=$LN_PID
t_ok "python3 socketserver.UDPServer on 0.0.0.0:5357: killed" ln_wait_gone "$pid"
t_journal "journal: its entry names python" SEALGUARD_ACTION=killed \
	SEALGUARD_LOCAL=0.0.0.0:5357 SEALGUARD_EXE="$(readlink -f "$PY")"

# A datagram sent without bind(): the kernel bound the socket to an
# ephemeral port, where it receives from anyone: a listener too.
ln_start autobind "$PY" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"x", ("127.0.0.1", 5353))
time.sleep(60)'
pid=$LN_PID
t_ok "a socket bound by sendto() (ephemeral port) is a listener: killed" ln_wait_gone "$pid"
t_journal "journal: it is logged with the wildcard address" SEALGUARD_ACTION=killed \
	SEALGUARD_PROTO=udp SEALGUARD_PID="$pid"

# A connected UDP socket only talks to its peer: not a listener.
ln_start connected "$PY" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", 5353)); s.send(b"x")
time.sleep(60)'
pid=$LN_PID
sleep 0.5
t_ok "a connected UDP socket is left alone" kill -0 "$pid"
t_eq "journal: nothing about it" 0 "$(sb_journal_count SEALGUARD_PID="$pid")"
t_eq "journal: no UDP listener is ever reported destroyed" 0 \
	"$(sb_journal_count SEALGUARD_PROTO=udp SEALGUARD_ACTION=destroyed)"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly" 0 "$rc"

# ---------------------------------------------------------------- udp_action = log
fx_policy enforce "" "[listen]
allow = udp 5353 loopback
udp_action = log
scan_interval_ms = 10"
sb_start_daemon "$FX_POLICY"
sb_bg udplog "$SGL" serve udp 127.0.0.1 5358
ln_wait_log udplog '^ready$' || true
pid=$(ln_logged_pid udplog)
t_journal "udp_action = log: would-deny" SEALGUARD_ACTION=would-deny \
	SEALGUARD_PROTO=udp SEALGUARD_LOCAL=127.0.0.1:5358 SEALGUARD_PID="$pid" \
	MESSAGE_ID=56d96e84fd944d1981fac7c5a9452fd1 PRIORITY=5
sleep 0.5 # fifty scans
t_ok "udp_action = log: the owner runs on" kill -0 "$pid"
t_eq "udp_action = log: the listener still receives" ok \
	"$(ln_try connect udp 127.0.0.1 5358)"
t_eq "udp_action = log: logged once, not at every scan" 1 \
	"$(sb_journal_count SEALGUARD_LOCAL=127.0.0.1:5358)"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly (udp_action = log)" 0 "$rc"
ln_journal_to_stderr
