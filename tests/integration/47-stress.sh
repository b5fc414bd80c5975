#!/usr/bin/env bash
# 47-stress.sh - the short form of `make stress` (tests/lib/stress.sh):
# 8 processes for 10 s of mixed reads, writes, creates, execs and
# listeners, trusted and untrusted, on protected and unprotected paths,
# with [changes] and [respond] hooks on. Every operation's outcome is
# checked by sgload (wrong decisions: 0), none may take longer than 2 s
# nor hang, every item and every kind of hook must have run, the daemon's
# thread count must be the same in every sample and its (and the
# responder's) descriptor count back at its idle value after the load,
# bounded during it. RSS is reported, not asserted: in the ASan build it
# grows by design (the allocator's quarantine), and 10 s is too short a
# run to tell growth from warm-up; `make stress` asserts it.
# Then a group of four SO_REUSEPORT listeners on one forbidden port: each
# member must be destroyed within 500 ms (the kernel's lookup by address
# finds only one member of such a group; the guard used to destroy one
# per second).
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter_netns "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
STRESS_SECONDS=10 STRESS_PROCS=8 STRESS_BOUND_MS=2000 ST_CHECK_RSS=0
unset STRESS_WARMUP STRESS_FD_SLACK STRESS_RSS_TOL_PCT STRESS_RSS_TOL_KB
# shellcheck source=tests/lib/stress.sh
. "$(dirname "$0")/../lib/stress.sh"

st_setup
st_run
st_check
st_summary >&2

# ---------------------------------------------------------------- reuseport
sb_start_daemon "$FX_POLICY"
out=$("$SB_TOOLS/sgload" -p 4 -s 3 -b 500 "listen:127.0.0.1:18002=destroyed" || true)
tot=$(grep '^total ' <<<"$out" || echo "total (none)")
t_ok "reuseport group of 4: listeners were opened ($tot)" \
	test "$(st__field n "$tot")" -gt 10
t_eq "reuseport group of 4: every member destroyed within 500 ms (wrong=0)" 0 \
	"$(st__field wrong "$tot")"
t_eq "reuseport group of 4: none over the bound (slow=0)" 0 "$(st__field slow "$tot")"
t_eq "reuseport group of 4: no destroy failed (journal)" 0 \
	"$(sb_journal_count SEALGUARD_EVENT=listen SEALGUARD_ACTION=failed SEALGUARD_LOCAL=127.0.0.1:18002)"
rc=0
sb_stop_daemon || rc=$?
t_eq "reuseport: clean stop" 0 "$rc"
