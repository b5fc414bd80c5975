#!/usr/bin/env bash
# 51-mmap-cached.sh - door 5, the sub-door: a trusted binary whose exec
# the kernel caches (an ignore mark on its inode) is rewritten through a
# shared writable mapping. That write raises no modify event, so the mark
# stays and the kernel would go on running the new bytes unasked. The
# periodic verify pass finds the content changed, logs the drift and
# drops the mark (SEALGUARD_EXEC_CACHE=dropped): from then on the exec is
# decided again, and denied. The window until that pass is the kernel's
# limit, stated as such.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
ATK_DOOR=mmap-cached

fx_setup
TOOL=$FX_FS/opt/mapped
cp /bin/true "$TOOL"
fx_policy enforce "" "[changes]
verify_interval = 2"
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

atk_allowed "trusted-binary-runs" "$(sb_try exec "$TOOL")"
atk_allowed "trusted-binary-runs-again (now cached in the kernel)" "$(sb_try exec "$TOOL")"
marks=$(sb_journal_count SEALGUARD_EVENT=drift)
# one byte of the ELF's padding changed through MAP_SHARED: no write(2),
# no open for write while it runs, no modify event for the ignore mark
python3 - "$TOOL" <<-'EOF'
	import mmap, os, sys
	fd = os.open(sys.argv[1], os.O_RDWR)
	m = mmap.mmap(fd, 0, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
	off = len(m) - 1
	m[off] = (m[off] + 1) % 256
	m.flush()
	m.close()
	os.close(fd)
EOF
t_ok "the content really changed" test "$(fx_sha "$TOOL")" != "$(fx_sha /bin/true)"
# the next verify pass (every 2 s) reports it and drops the mark
SB_JOURNAL_WAIT=8 sb_journal_wait SEALGUARD_EVENT=drift SEALGUARD_EXEC_CACHE=dropped \
	SEALGUARD_PATH="$TOOL" >/dev/null || true
t_eq "the verify pass logged the drift and dropped the kernel's cache of it" 1 \
	"$(sb_journal_count SEALGUARD_EVENT=drift SEALGUARD_EXEC_CACHE=dropped SEALGUARD_PATH="$TOOL")"
atk_blocked "exec-after-mmap-rewrite" EPERM "$(sb_try exec "$TOOL")" \
	SEALGUARD_REASON=hash-mismatch
atk_limit "until-the-next-verify-pass" \
	"a write through a shared mapping raises no fanotify modify event, so the kernel's cached exec runs the new bytes until the next verify pass" \
	"[changes] verify_interval bounds the window; the pass drops the cache"
t_ok "drift entries were new ones ($marks before)" test "$(sb_journal_count SEALGUARD_EVENT=drift)" -gt "$marks"
sb_stop_daemon
