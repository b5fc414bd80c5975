# shellcheck shell=bash
# tamper.sh - the set-up the tamper doors share (tests/attacks/70-*,
# 85-*, 86-*): a daemon with a responder, a reprovision program that
# records each run, and a heartbeat every second. Source after
# sandbox.sh, fixture.sh and attack.sh.
#
#   tamper_start    fx_setup, the policy, the baseline, journald and the
#                   daemon; sets RESP (the responder's pid) and OUT
#   reprovisions    how many times the reprovision program ran
#   last_tamper     SEALGUARD_TAMPER of the newest heartbeat

msgid() { grep -o "$1 \"[0-9a-f]*\"" "$SB_REPO/include/messages.h" | cut -d'"' -f2; }
MSG_TAMPER=$(msgid SG_MSGID_TAMPER)
MSG_REPROVISION=$(msgid SG_MSGID_REPROVISION)
MSG_HEARTBEAT=$(msgid SG_MSGID_HEARTBEAT)

reprovisions() { find "$OUT" -maxdepth 1 -name 'reprovision.*' | wc -l; }

last_tamper() {
	journalctl -q --no-pager -o json MESSAGE_ID="$MSG_HEARTBEAT" 2>/dev/null |
		tail -n 1 | jq -r '.SEALGUARD_TAMPER // "(none)"'
}

tamper_start() {
	fx_setup
	OUT=$FX_SCRATCH/out
	mkdir -p "$OUT"
	# The reprovision program records each run's environment.
	printf '#!/bin/sh\nd=%s/reprovision.$$\nmkdir "$d"\nenv | grep "^SEALGUARD_" | sort >"$d/env"\nexit 0\n' \
		"$OUT" >"$FX_FS/bin/reprovision.sh"
	chmod 0755 "$FX_FS/bin/reprovision.sh"
	# reprovision_on = exec is only the trigger the policy requires; a
	# tamper asks to be replaced whatever it says.
	fx_policy enforce "" "[respond]
reprovision = $FX_FS/bin/reprovision.sh
reprovision_on = exec

[tether]
heartbeat_interval = 1"
	t_ok "baseline builds" fx_baseline
	sb_start_journald
	sb_start_daemon "$FX_POLICY"
	RESP=$(pgrep -P "$SB_DAEMON_PID" -x sealguard-resp || true)
	t_ok "the responder runs" test -n "$RESP"
}
