#!/usr/bin/env bash
# 48-fault-memory.sh - fault: the daemon cannot get more memory. Its
# RLIMIT_AS is lowered under it (prlimit) to its current VmSize, so every
# new mapping fails with ENOMEM: a malloc that needs more memory than its
# arenas hold returns NULL, and so do OpenSSL's, and the hasher's reads
# of a file. The test then makes it allocate: 300 denials of distinct
# files (a rate-limit slot, a label and a journal entry each), the exec
# of a new 8 MB untrusted file, and the exec of a trusted file it has
# not hashed yet. One trusted exec is hashed before the limit, so glibc
# has a freed hash buffer in its heap: the daemon maps each hash's
# buffer on its own (sg_hash_map_buffers), and this shows it (taken from
# malloc, the second hash was served from that heap and allowed: once
# in CI without this step, every time with it). Stated outcome:
#  - no wrong allow: every write-open is EPERM, the untrusted exec is
#    refused;
#  - an allocation failure fails closed: the trusted exec, whose hash
#    cannot be computed, is refused too, and logged with reason hash-error;
#  - the daemon keeps going (it does not exit: were it to, its group would
#    close and the kernel would allow every open, which is why the unit
#    restarts it), and once the limit is lifted it is back to normal:
#    the trusted exec is allowed, the rest still denied, a clean stop.
# Not done here, and why: a cgroup memory.max (with memory.swap.max 0).
# On this machine the memory controller is on the cgroup v1 hierarchy
# (cgroup2 holds only hugetlb), so sb_make_cgroup cannot limit memory;
# and with overcommit a memory cgroup does not make malloc fail, it
# reclaims and then OOM-kills: SIGKILL, the group closes and openers
# are allowed until systemd restarts the daemon, the outcome the SIGKILL
# fault (46-fault-*) states. RLIMIT_AS is the way to make allocations
# themselves fail. ASan build: ASAN_OPTIONS gets allocator_may_return_null=1
# for the daemon (ASan's default is to abort on a failed allocation).
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

MSGID_EXEC_DENIED=c044eee549834822aacd7cfe525b6bc9
N=300

fx_setup
mkdir -p "$FX_FS/etc/many"
for i in $(seq $N); do echo "$i" >"$FX_FS/etc/many/f$i"; done
cp /bin/true "$FX_FS/bin/warm"
head -c 8M /dev/urandom >"$FX_SCRATCH/big"
chmod 0755 "$FX_SCRATCH/big"
fx_policy enforce "" "[log]
ratelimit_burst = 1000"
t_ok "baseline builds" fx_baseline
sb_start_journald
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}allocator_may_return_null=1
sb_start_daemon "$FX_POLICY"
pid=$SB_DAEMON_PID

# A trusted exec before the limit: its hash's buffer has come and gone,
# and a daemon that took it from malloc would find it again in its heap.
t_eq "before the limit: a first trusted exec is allowed" ok "$(sb_try exec "$FX_FS/bin/warm")"

vm_kb=$(awk '/^VmSize/ { print $2 }' "/proc/$pid/status")
prlimit --pid "$pid" --as=$((vm_kb * 1024)):unlimited
t_eq "the daemon's address space limit is its current size ($vm_kb kB)" \
	$((vm_kb * 1024)) "$(prlimit --pid "$pid" --as --noheadings --raw --output SOFT)"

# ---------------------------------------------------------------- limited
res=$(for i in $(seq $N); do sb_try open-wronly "$FX_FS/etc/many/f$i"; done |
	sort | uniq -c | awk '{ printf "%s%s=%s", sep, $2, $1; sep = " " }')
t_eq "limited: all $N write-opens of distinct protected files are EPERM" "EPERM=$N" "$res"
t_eq "limited: exec of a new 8 MB untrusted file is refused" EPERM \
	"$(sb_try exec "$FX_SCRATCH/big")"
t_eq "limited (fail-closed): exec of a trusted file not hashed yet is refused" EPERM \
	"$(sb_try exec "$FX_FS/bin/tool")"
t_journal "limited: that refusal is logged as a hash error" \
	MESSAGE_ID=$MSGID_EXEC_DENIED SEALGUARD_PATH="$FX_FS/bin/tool" SEALGUARD_REASON=hash-error
t_eq "limited: a trusted read is allowed" ok "$(sb_try open-rdonly "$FX_FS/etc/app.conf")"
t_ok "limited: the daemon keeps going" sb__alive "$pid"

# ---------------------------------------------------------------- lifted
prlimit --pid "$pid" --as=unlimited:unlimited
t_eq "lifted: the trusted exec is allowed" ok "$(sb_try exec "$FX_FS/bin/tool")"
t_eq "lifted: a write-open is still denied" EPERM "$(sb_try open-wronly "$FX_FS/etc/many/f1")"
t_eq "lifted: the untrusted exec is still refused" EPERM "$(sb_try exec "$FX_SCRATCH/big")"
rc=0
sb_stop_daemon || rc=$?
t_eq "lifted: clean stop" 0 "$rc"
