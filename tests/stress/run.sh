#!/usr/bin/env bash
# run.sh - `make stress`: the daemon under a bounded mixed load, every
# decision checked, its resources shown flat.
#
#   make stress [STRESS_SECONDS=60] [STRESS_PROCS=16] [STRESS_BOUND_MS=2000]
#   tests/stress/run.sh
#
# STRESS_PROCS processes (16; 8..32 is the intended range) for
# STRESS_SECONDS (60) open, write, create, exec and listen, trusted and
# untrusted, on protected and unprotected paths, while sealguardd runs
# with [listen], [changes] and [respond] (hooks) enabled. The load, the
# policy and every bound are described in tests/lib/stress.sh. The run
# fails (exit 1, FAIL lines) on any wrong decision, any operation over
# the bound or never finished, a thread or descriptor count that moved,
# or RSS growth past the tolerance. It ends with a summary table
# (markdown) on stdout; docs/testing.md ("Stress") has one run's figures
# and what each means.
#
# Safety (design.md): everything runs in the test sandbox
# (tests/lib/sandbox.sh): private mount, pid and network namespaces,
# marks only on the mounts made there, bounded by timeout (SB_TIMEOUT,
# by default the run's length plus 120 s).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
SB_TIMEOUT=${SB_TIMEOUT:-$((${STRESS_SECONDS:-60} + 120))}
SB_DAEMON_TIMEOUT=$SB_TIMEOUT
# shellcheck source=tests/lib/sandbox.sh
. "$here/../lib/sandbox.sh"
sb_enter_netns "$@"
# shellcheck source=tests/lib/fixture.sh
. "$here/../lib/fixture.sh"
# shellcheck source=tests/lib/stress.sh
. "$here/../lib/stress.sh"

echo "stress: $ST_PROCS processes for $ST_SECONDS s ($SG_BUILD)" >&2
st_setup
st_run
st_check
echo
st_summary
