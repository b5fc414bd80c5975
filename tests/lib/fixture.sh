# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# fixture.sh - the golden tree the enforcement tests guard, built on
# mounts the test itself made (source after sandbox.sh, after sb_enter):
#
#   $FX_FS      ext4 image:  etc/app.conf  bin/tool (a copy of /bin/true)
#                            bin/script.sh  var/ (not protected)
#                            opt/app (trusted for exec, not protected)
#   $FX_ETC2    tmpfs:       hosts          (a second protected path)
#   $FX_SCRATCH tmpfs:       dropped/untrusted files (like /tmp)
#   $FX_CFG     tmpfs:       policy.conf, baseline (the daemon protects its
#                            own files, so they get a mount of their own and
#                            the test's scratch root is never marked)
#
# fx_policy MODE [EXTRA-INI] writes $FX_CFG/policy.conf protecting
# $FX_FS/etc, $FX_FS/bin and $FX_ETC2, checking execs on all three mounts;
# fx_baseline builds the baseline with the real CLI.

FX_SEALGUARD=$SG_BUILD/sealguard

fx_setup() {
	FX_FS=$(sb_mount_ext4 fs 32)
	FX_ETC2=$(sb_mount_tmpfs etc2)
	FX_SCRATCH=$(sb_mount_tmpfs scratch)
	FX_CFG=$(sb_mount_tmpfs cfg)
	mkdir -p "$FX_FS/etc" "$FX_FS/bin" "$FX_FS/var" "$FX_FS/opt"
	printf 'golden\n' >"$FX_FS/etc/app.conf"
	printf '127.0.0.1 localhost\n' >"$FX_ETC2/hosts"
	cp /bin/true "$FX_FS/bin/tool"
	printf '#!/bin/sh\nexit 0\n' >"$FX_FS/bin/script.sh"
	chmod 0755 "$FX_FS/bin/script.sh"
	cp /bin/true "$FX_FS/opt/app"
	cp /bin/true "$FX_SCRATCH/dropped"
	printf '#!/bin/sh\necho dropped\n' >"$FX_SCRATCH/dropped.sh"
	chmod 0755 "$FX_SCRATCH/dropped.sh"
	printf 'scratch data\n' >"$FX_FS/var/data"
	export FX_FS FX_ETC2 FX_SCRATCH FX_CFG
}

# fx_policy MODE [EXEC-LINES] [MORE-SECTIONS]: EXEC-LINES go into [exec]
# (e.g. "match = content"), MORE-SECTIONS are appended (e.g. a [log]).
fx_policy() {
	FX_POLICY=$FX_CFG/policy.conf
	cat >"$FX_POLICY" <<-EOF
		[sealguard]
		mode = $1
		baseline = $FX_CFG/baseline

		[protect]
		path = $FX_FS/bin
		path = $FX_FS/etc
		path = $FX_ETC2

		[exec]
		scope = paths
		path = $FX_FS
		path = $FX_ETC2
		path = $FX_SCRATCH
		trusted = $FX_FS/opt
		${2:-}

		${3:-}
	EOF
	export FX_POLICY
}

fx_baseline() {
	"$FX_SEALGUARD" baseline build --policy "$FX_POLICY" --quiet
}

# fx_sha PATH: the file's SHA-256, to prove its bytes did not change.
fx_sha() { sha256sum "$1" | cut -c1-64; }
