#!/usr/bin/env bash
# 81-deep-tree.sh - door 8b: exhaust the verifier's stack. fanotify cannot
# deny mkdir, so root can build, under a protected path, a directory tree
# as deep as a path can name (PATH_MAX: about 2000 levels of one-letter
# names). The periodic verify pass walks protected trees recursively; a
# stack too small for that depth would crash the daemon, and a crashed
# guard fails open. The workers' stacks are sized for the deepest walk
# (src/common/worker.c): the pass must report the new directories as
# drift and the daemon must go on denying.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
ATK_DOOR=deep-tree
MSGID_VERIFY=671c242cdda64d3e95d73af927090772

fx_setup
fx_policy enforce "" "[changes]
verify_interval = 1"
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

# As deep as the walker's PATH_MAX buffer allows below $FX_FS/etc: each
# level adds "/d" (2 bytes). python3 makes it with relative mkdirs (a
# shell would need a path longer than the kernel takes).
base=$FX_FS/etc
levels=$(((4096 - ${#base} - 16) / 2))
python3 - "$base" "$levels" <<'EOF'
import os, sys
os.chdir(sys.argv[1])
for _ in range(int(sys.argv[2])):
    os.mkdir("d")
    os.chdir("d")
EOF
depth=$(python3 - "$base" <<'EOF'
import os, sys
os.chdir(sys.argv[1])
n = 0
while os.path.isdir("d"):
    os.chdir("d")
    n += 1
print(n)
EOF
)
t_ok "the tree is $depth levels deep (wanted $levels)" test "$depth" -eq "$levels"

# The next verify passes walk it: the daemon must survive them and say so.
v0=$(sb_journal_count MESSAGE_ID=$MSGID_VERIFY)
sleep 3.5
v=$(($(sb_journal_count MESSAGE_ID=$MSGID_VERIFY) - v0))
alive=yes
kill -0 "$SB_DAEMON_PID" 2>/dev/null || alive=no
t_eq "the daemon is alive after walking the tree" yes "$alive"
t_ok "verify passes ran over the deep tree ($v in 3.5 s)" test "$v" -ge 1
atk_detected "mkdir-deep-tree" 5 SEALGUARD_PATH="$base/d"
atk_blocked "write-after-deep-walk" EPERM "$(sb_try open-wronly "$FX_FS/etc/app.conf")" \
	SEALGUARD_EVENT=write SEALGUARD_PATH="$FX_FS/etc/app.conf"
rc=0
sb_stop_daemon || rc=$?
t_eq "daemon stops cleanly" 0 "$rc"
