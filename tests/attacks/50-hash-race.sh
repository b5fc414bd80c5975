#!/usr/bin/env bash
# 50-hash-race.sh - door 5: the content changing while it is hashed. A
# large trusted file (sparse: 128 MiB that cost no disk, hashed at memory
# speed, some 100 ms) is rewritten in place while the daemon hashes it for
# an exec. The exec must not run bytes the hash did not see, and no
# kernel ignore mark may be left on the rewritten file: a later exec of
# the new content is decided again, and denied.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
ATK_DOOR=hash-race

fx_setup
BIG=$FX_FS/opt/big
STILL=$FX_FS/opt/still
cp /bin/true "$BIG"
truncate -s 128M "$BIG"
cp --sparse=always "$BIG" "$STILL"
GOLDEN=$FX_SCRATCH/big.golden
cp --sparse=always "$BIG" "$GOLDEN"
# the byte the writer changes: in the zero padding after the ELF, which
# the hash passes within microseconds, so a write there lands behind it
OFF=$(($(stat -c %s /bin/true) + 4096))
fx_policy enforce
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

atk_allowed "unchanged-large-trusted-runs" "$(sb_try exec "$STILL")"
atk_allowed "unchanged-large-trusted-runs-again" "$(sb_try exec "$STILL")"

restore() { cp --sparse=always "$GOLDEN" "$BIG"; }
poke() { printf 'Z' | dd of="$BIG" bs=1 seek="$OFF" conv=notrunc status=none; }

raced=0 ran=0 later_ok=0 raced_saw=none
for delay in 0 0.001 0.002 0.004 0.008 0.016 0.03 0.05 0 0.004 0.01 0.02; do
	restore
	(sleep "$delay"; poke) &
	writer=$!
	before=$(sb_journal_count SEALGUARD_REASON=changed-while-hashed)
	first=$(sb_try exec "$BIG")
	wait "$writer" # only the writer: the daemon is a job of ours too
	[ "$first" = ok ] && ran=$((ran + 1))
	# what the attacker saw in a run whose write landed during the hash
	[ "$(SB_JOURNAL_WAIT=1 sb_journal_count \
		SEALGUARD_REASON=changed-while-hashed)" = "$before" ] ||
		raced_saw=$first
	# the file now holds the new byte whatever the first exec saw
	later=$(sb_try exec "$BIG")
	[ "$later" = ok ] && later_ok=$((later_ok + 1))
done
raced=$(sb_journal_count SEALGUARD_REASON=changed-while-hashed)
t_eq "no exec of the rewritten file ran after the write (no ignore mark left)" 0 "$later_ok"
if [ "$raced" -gt 0 ]; then
	atk_blocked "rewrite-during-hash" EPERM "$raced_saw" \
		SEALGUARD_REASON=changed-while-hashed
else
	t_fail "$ATK_DOOR/rewrite-during-hash: a write landed during a hash" \
		"no changed-while-hashed entry in 12 runs ($ran first execs ran)"
fi
t_eq "the rewritten content is denied as hash-mismatch later" EPERM \
	"$(sb_try exec "$BIG")"
sb_stop_daemon
