#!/usr/bin/env bash
# 60-changes-overflow.sh - a flood of changes overflows the change
# notification queue (16384 events) while the daemon is stopped; the
# overflow is logged, and the verify pass it triggers reports every real
# change made in the meantime, each kind with its path: added, removed,
# renamed, content (hash, size), mode, owner. Meanwhile the guard keeps
# answering the verify pass's own opens (no deadlock).
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

fx_setup
E=$FX_FS/etc
for f in mode owner content samesize gone from; do printf '%s\n' "$f" >"$E/$f"; done
fx_policy enforce "" "[changes]"
t_ok "baseline builds" fx_baseline
exec 8<>"$E/samesize" # held from before the seal: writes raise no open event
sb_start_journald
sb_start_daemon "$FX_POLICY"

# While the daemon is stopped, nothing here may open a file on a marked
# filesystem (it would wait for the daemon): only namespace calls, and
# writes through descriptors already open.
kill -STOP "$SB_DAEMON_PID"
t_eq "chmod while stopped" ok "$(sb_try chmod "$E/mode" 600)"
t_eq "chown while stopped" ok "$(sb_try chown "$E/owner" 7 8)"
t_eq "truncate while stopped" ok "$(sb_try truncate "$E/content" 2)"
printf 'SAMESIZE\n' >&8
exec 8>&-
t_eq "unlink while stopped" ok "$(sb_try unlink "$E/gone")"
t_eq "hardlink in while stopped" ok "$(sb_try link "$FX_FS/var/data" "$E/added")"
t_eq "rename while stopped" ok "$(sb_try rename "$E/from" "$E/to")"
# 20000 directories made and removed in one process: more events than
# the queue holds, and none left behind (the baseline records
# directories: a directory left would be drift of its own)
mkdir "$FX_ETC2/flood"
(cd "$FX_ETC2/flood" && mkdir d{1..20000} && rmdir d{1..20000})
rmdir "$FX_ETC2/flood"
kill -CONT "$SB_DAEMON_PID"

SB_JOURNAL_WAIT=60
t_journal "the overflow is logged" MESSAGE_ID=b0a8f327ee2c45fdb647af96817032ad \
	SEALGUARD_EVENT=overflow SEALGUARD_ACTION=verify PRIORITY=3
t_journal "a verify pass follows, with the counts" \
	MESSAGE_ID=671c242cdda64d3e95d73af927090772 SEALGUARD_EVENT=verify \
	SEALGUARD_WHY=overflow SEALGUARD_ADDED=2 SEALGUARD_REMOVED=2 \
	SEALGUARD_CHANGED=4 SEALGUARD_UNREADABLE=0 SEALGUARD_DRIFTED=8

drift() { # drift KIND PATH [MATCHES...]
	local kind=$1 path=$2
	shift 2
	t_journal "verify: $kind ${path#"$E"/}${*:+ ($*)}" \
		MESSAGE_ID=13da0571c1bd43c6a197021366dda9ff SEALGUARD_EVENT=drift \
		SEALGUARD_CHANGE="$kind" SEALGUARD_PATH="$path" "$@"
}
drift changed "$E/mode" SEALGUARD_DRIFT=mode SEALGUARD_TYPE=file
drift changed "$E/owner" SEALGUARD_DRIFT=uid
drift changed "$E/owner" SEALGUARD_DRIFT=gid
drift changed "$E/content" SEALGUARD_DRIFT=hash
drift changed "$E/content" SEALGUARD_DRIFT=size
drift changed "$E/samesize" SEALGUARD_DRIFT=hash
t_eq "same-size rewrite: the size is not called changed" 0 \
	"$(sb_journal_count SEALGUARD_EVENT=drift SEALGUARD_PATH="$E/samesize" SEALGUARD_DRIFT=size)"
drift removed "$E/gone"
drift added "$E/added"
drift removed "$E/from"
drift added "$E/to"
t_eq "exactly the eight drifts, no more" 8 "$(sb_journal_count SEALGUARD_EVENT=drift)"
msg=$(journalctl -q --no-pager -o cat SEALGUARD_EVENT=drift SEALGUARD_PATH="$E/mode")
t_eq "the entry says what the mode was and is" \
	"drift from the baseline: changed file $E/mode (mode 0644->0600)" "$msg"

# The guard never stopped answering: the pass's opens went through it.
t_eq "reads still work" golden "$(cat "$E/app.conf")"
t_eq "writes are still denied" EPERM "$(sb_try openat-wronly "$E/app.conf")"
status_counts() {
	grep -q 'changes: .* [1-9][0-9]* overflows, [1-9][0-9]* verify passes (8 drifted)' "$SB_NOTIFY_FILE"
}
for _ in $(seq 50); do status_counts && break; sleep 0.1; done # once a second
t_ok "STATUS= counts the overflow and the pass" status_counts
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly" 0 "$rc"

# Periodic passes find the same drift, without any event lost.
fx_policy enforce "" "[changes]
verify_interval = 1"
sb_start_daemon "$FX_POLICY"
t_journal "verify_interval: a periodic pass reports the drift" \
	MESSAGE_ID=671c242cdda64d3e95d73af927090772 SEALGUARD_WHY=interval \
	SEALGUARD_DRIFTED=8 PRIORITY=4
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly during periodic passes" 0 "$rc"
