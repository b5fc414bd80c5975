#!/usr/bin/env bash
# 95-tether.sh - the tether end to end (docs/fleet.md): a guarded host and
# a collector in two network namespaces joined by a veth pair, the real
# systemd-journal-upload on the host's private journald and the real
# systemd-journal-remote on the collector, over HTTPS with client
# certificates made here by openssl. A denial reaches the collector within
# 5 s and can be filtered there by SEALGUARD_* fields; entries made while
# the collector was down arrive after it returns; a host with another
# baseline is reported; the daemon killed with SIGKILL makes `sealguard
# fleet --check` on the collector critical within 3 heartbeat intervals.
#
# Safety: everything runs in the sandbox's mount and pid namespaces; the
# host side is the test's own network namespace, the collector a second
# one made here (unshare --net); the only addresses are on the veth pair
# between the two (10.213.0.1 and 10.213.0.2), which exists only inside.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter_netns "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

S=$SG_BUILD/sealguard
HB=d5e7f95d00d0426092ca798d9b181ec7
REMOTE=/lib/systemd/systemd-journal-remote
UPLOAD=/lib/systemd/systemd-journal-upload
for t in "$REMOTE" "$UPLOAD"; do
	[ -x "$t" ] || { t_fail "tether tools" "no $t (apt-get install systemd-journal-remote)"; exit 1; }
done
HOST_IP=10.213.0.1
COLL_IP=10.213.0.2
PORT=19532

# ---------------------------------------------------------------- network
# The collector's namespace: a process that only holds it.
sb_bg collector-ns unshare --net sleep 600
sleep 0.2
CNS=$(sb__child_of "$SB_BG_PID")
[ -n "$CNS" ] || sb__abort "no collector namespace"
[ "$(readlink /proc/"$CNS"/ns/net)" != "$(readlink /proc/self/ns/net)" ] ||
	sb__abort "the collector shares our network namespace"
in_coll() { nsenter -t "$CNS" -n "$@"; }
ip link add sg-host type veth peer name sg-coll
ip link set sg-coll netns "/proc/$CNS/ns/net"
ip addr add "$HOST_IP/30" dev sg-host
ip link set sg-host up
in_coll ip link set lo up
in_coll ip addr add "$COLL_IP/30" dev sg-coll
in_coll ip link set sg-coll up
t_eq "the collector's end of the veth is up" UP \
	"$(in_coll ip -o link show sg-coll | grep -o 'state [A-Z]*' | cut -d' ' -f2 || true)"

# ---------------------------------------------------------------- certificates
PKI=$SB_ROOT/pki
mkdir -p "$PKI"
ossl() { openssl "$@" >>"$SB_ROOT/openssl.log" 2>&1; }
ossl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=sealguard test CA" \
	-keyout "$PKI/ca.key" -out "$PKI/ca.pem"
mkcert() { # NAME SAN
	ossl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$PKI/$1.key" -out "$PKI/$1.csr"
	printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$2" >"$PKI/$1.ext"
	ossl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.pem" -CAkey "$PKI/ca.key" \
		-CAcreateserial -days 2 -extfile "$PKI/$1.ext" -out "$PKI/$1.pem"
}
mkcert collector "IP:$COLL_IP"
mkcert host1 "DNS:host1"
t_ok "test certificates made by openssl" openssl verify -CAfile "$PKI/ca.pem" "$PKI/collector.pem" "$PKI/host1.pem"

# ---------------------------------------------------------------- the host
fx_setup
fx_policy enforce "" "[tether]
heartbeat_interval = 1"
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

COLL_DIR=$SB_ROOT/collector
mkdir -p "$COLL_DIR"
# Debian 12's systemd-journal-remote has no --trust ("Option --trust is
# not available": built without GnuTLS certificate checks), so it serves
# HTTPS but cannot check client certificates; the uploader does check the
# collector's (docs/fleet.md, "Who may send").
start_collector() {
	sb_bg collector nsenter -t "$CNS" -n "$REMOTE" --listen-https="$COLL_IP:$PORT" \
		--key="$PKI/collector.key" --cert="$PKI/collector.pem" \
		--split-mode=host --output="$COLL_DIR/"
	COLL_TPID=$SB_BG_PID
}
# The uploader as its unit runs it (Restart=always, RestartSec=1): it
# exits when the collector cannot be reached and resumes from its state.
UPLOAD_STATE=$SB_ROOT/upload.state
sb_bg uploader bash -c "while :; do '$UPLOAD' --url=https://$COLL_IP:$PORT \
	--key='$PKI/host1.key' --cert='$PKI/host1.pem' --trust='$PKI/ca.pem' \
	--save-state='$UPLOAD_STATE'; sleep 1; done"
start_collector

# cj MATCHES...: the collector's journal, as JSON lines
cj() { journalctl -q --no-pager -D "$COLL_DIR" -o json "$@" 2>/dev/null || true; }
cj_wait() { # SECONDS MATCHES...
	local n=$(($1 * 10)) i
	shift
	for ((i = 0; i < n; i++)); do
		[ -z "$(cj "$@")" ] || return 0
		sleep 0.1
	done
	return 1
}
t_ok "heartbeats reach the collector" cj_wait 10 MESSAGE_ID=$HB
fleet() { timeout 20 "$S" fleet -D "$COLL_DIR" "$@"; }
rc=0; out=$(fleet --check --silent-after 2 --baseline "$FX_CFG/baseline") || rc=$?
t_eq "fleet --check: one sealed host, nothing happened: OK (0)" 0 "$rc"
case "$out" in *"FLEET OK - 0 of 1 host(s) not ok"*) t_pass "fleet --check says OK" ;;
*) t_fail "fleet --check says OK" "got: $out" ;; esac

# ---------------------------------------------------------------- a denial
t_eq "host: a write to a protected file is denied" EPERM "$(sb_try open-wronly "$FX_FS/etc/app.conf")"
start=$(date +%s%N)
if cj_wait 5 SEALGUARD_EVENT=write SEALGUARD_ACTION=deny SEALGUARD_PATH="$FX_FS/etc/app.conf"; then
	t_pass "the denial is on the collector within 5 s ($((($(date +%s%N) - start) / 1000000)) ms), filtered by SEALGUARD_* fields"
else
	t_fail "the denial is on the collector within 5 s" "not there"
fi
host=$(cj SEALGUARD_EVENT=write SEALGUARD_ACTION=deny | tail -n 1 | jq -r ._MACHINE_ID)
t_eq "the collector keeps the host's machine id" "$(cat /etc/machine-id)" "$host"
rc=0; out=$(fleet --check --silent-after 2 --baseline "$FX_CFG/baseline") || rc=$?
t_eq "fleet --check after a denial: WARNING (1)" 1 "$rc"
case "$out" in *violation*) t_pass "fleet says why: violation" ;;
*) t_fail "fleet says why: violation" "got: $out" ;; esac
json=$(fleet --json --baseline "$FX_CFG/baseline")
t_eq "fleet --json: the host's denials" 1 "$(jq -r '.hosts[0].denials' <<<"$json")"
t_eq "fleet --json: its baseline hash is the real one" "$(fx_sha "$FX_CFG/baseline")" "$(jq -r '.hosts[0].baseline_sha256' <<<"$json")"

# ---------------------------------------------------------------- collector down
sb_stop_pid "$COLL_TPID"
t_eq "host: a denial while the collector is down" EPERM "$(sb_try open-wronly "$FX_ETC2/hosts")"
sleep 2
t_eq "not on the collector while it is down" "" "$(cj SEALGUARD_PATH="$FX_ETC2/hosts")"
start_collector
t_ok "the entry made while it was down arrives after it returns" \
	cj_wait 20 SEALGUARD_EVENT=write SEALGUARD_PATH="$FX_ETC2/hosts"

# ---------------------------------------------------------------- another baseline
# A second host (an export stream in journal-remote's input format, as
# an uploader sends it) whose heartbeat names another baseline.
now=$(($(date +%s%N) / 1000))
journalctl -q --no-pager -o export MESSAGE_ID=$HB -n 1 |
	grep -E '^(MESSAGE_ID|SYSLOG_IDENTIFIER|SEALGUARD_[A-Z0-9_]*|PRIORITY|MESSAGE)=' |
	sed -e "s/^SEALGUARD_BASELINE_SHA256=.*/SEALGUARD_BASELINE_SHA256=$(printf other | sha256sum | cut -c1-64)/" \
		>"$SB_ROOT/host2.body"
{
	printf '__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=1\n' "$now"
	printf '_MACHINE_ID=%s\n_HOSTNAME=host2\n_BOOT_ID=%s\n' \
		0123456789abcdef0123456789abcdef fedcba9876543210fedcba9876543210
	cat "$SB_ROOT/host2.body"
	printf '\n'
} >"$SB_ROOT/host2.export"
t_ok "a second host's heartbeat is stored" timeout 20 "$REMOTE" \
	--output="$COLL_DIR/remote-host2.journal" "$SB_ROOT/host2.export"
out=$(fleet --baseline "$FX_CFG/baseline")
line=$(grep '^host2 ' <<<"$out" || true)
case "$line" in *CRITICAL*baseline-differs*) t_pass "fleet reports the host with another baseline" ;;
*) t_fail "fleet reports the host with another baseline" "got: $out" ;; esac
json=$(fleet --json)
echo "$json" >"$SB_ROOT/fleet.json"; cp "$SB_ROOT/host2.export" "$SB_ROOT/host2.log"
t_eq "fleet --json: two hosts" 2 "$(jq -r '.summary.hosts' <<<"$json")"
t_eq "fleet --json: host2's baseline as it sent it" "$(printf other | sha256sum | cut -c1-64)" \
	"$(jq -r '.hosts[] | select(.host == "host2") | .baseline_sha256' <<<"$json")"

# ---------------------------------------------------------------- SIGKILL
kill -KILL "$SB_DAEMON_PID"
killed=$(date +%s%N)
crit=""
for ((i = 0; i < 60; i++)); do
	rc=0; out=$(fleet --check --silent-after 2 --baseline "$FX_CFG/baseline") || rc=$?
	if [ "$rc" = 2 ] && grep -q "^$(hostname) .*silent" <<<"$out"; then
		crit=$((($(date +%s%N) - killed) / 1000000))
		break
	fi
	sleep 0.1
done
if [ -n "$crit" ] && [ "$crit" -le 3000 ]; then
	t_pass "SIGKILL: fleet --check is CRITICAL (silent) within 3 intervals (${crit} ms)"
else
	t_fail "SIGKILL: fleet --check is CRITICAL within 3 intervals of 1 s" "after ${crit:-more than 6000} ms; last: $out"
fi
rc=0
sb_stop_daemon || rc=$?
t_eq "the daemon was killed by SIGKILL" 137 "$rc"

if [ "$SB_FAIL" != 0 ]; then
	for f in collector uploader host2 fleet; do
		tail -n 30 "$SB_ROOT/$f.log" "$SB_ROOT/$f.json" 2>/dev/null | sed "s/^/$f.log: /" >&2 || true
	done
fi
