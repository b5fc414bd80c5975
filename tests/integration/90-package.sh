#!/usr/bin/env bash
# 90-package.sh - the package path, on this machine as on a fresh CI one:
# build the .deb from the source tree (packaging/build-deb.sh, i.e.
# dpkg-buildpackage -b), lint it, install it with apt-get, check what it
# installed and that installing neither started nor enabled the guard, run
# the installed CLI, run the installed daemon through the sandbox smoke
# test (a private mount and pid namespace, marking only its own mounts),
# check that the journal catalog and the man pages are found, then remove
# and purge it and check that nothing is left.
#
# It installs a real package on the host, so it runs once per suite, with
# the normal build. Under build-asan it only checks that the machine is
# clean (no sealguard package, file or process), which the normal build's
# run must have left. It refuses to touch a machine where sealguard is
# already installed (FAIL, nothing changed). If it is interrupted, the next
# run purges what it had installed (the marker in /run says so).
#
# Host-side work happens here; the sandboxed smoke test is this script
# again, with --smoke.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
# shellcheck source=tests/lib/installed.sh
. "$(dirname "$0")/../lib/installed.sh"

REPO=$SB_REPO
VERSION=$(sed -n 's/^VERSION := //p' "$REPO/Makefile")
MARKER=/run/sealguard-package-test.installed
LOCK=/run/sealguard-package-test.lock
ids_h=$(sed -nE 's/^#define SG_MSGID_[A-Z0-9_]+ "([0-9a-f]{32})".*/\1/p' "$REPO/include/messages.h")

# ================================================================ smoke test
# In the sandbox: the installed CLI and daemon on the fixture's mounts.
if [ "${1:-}" = --smoke ]; then
	sb_enter "$@"
	# shellcheck source=tests/lib/fixture.sh
	. "$REPO/tests/lib/fixture.sh"
	FX_SEALGUARD=/usr/bin/sealguard
	D=/usr/sbin/sealguardd

	t_eq "the packaged daemon is a release build (no test hooks)" \
		"sealguardd $VERSION" "$(timeout 20 "$D" --version 2>&1)"
	out=$(timeout 20 "$D" --policy /etc/sealguard/policy.conf --confine "$SB_ROOT" \
		--log-target stderr --check 2>&1) && rc=0 || rc=$?
	t_eq "installed daemon, installed policy, no baseline yet: refuses with 78" 78 "$rc"
	t_ok "... and says it refuses to start" grep -q "refusing to start" <<<"$out"

	fx_setup
	fx_policy enforce
	t_ok "installed CLI: sealguard baseline build" fx_baseline
	t_ok "installed CLI: sealguard check on policy and baseline" \
		/usr/bin/sealguard check --policy "$FX_POLICY"
	sb_start_journald
	# With the installed unit's privileges: its capability bounding set,
	# no inheritable capabilities, no_new_privs.
	unit=/lib/systemd/system/sealguard.service
	bset=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr ' ' '\n' |
		sed 's/^CAP_/+/' | tr 'A-Z' 'a-z' | paste -sd, -)
	t_ok "the installed unit has a CapabilityBoundingSet" test -n "$bset"
	printf '#!/bin/sh\nexec setpriv --no-new-privs --inh-caps=-all --bounding-set=-all,%s %s "$@"\n' \
		"$bset" "$D" >"$SB_ROOT/as-unit"
	chmod 0755 "$SB_ROOT/as-unit"
	if SB_DAEMON_BIN=$SB_ROOT/as-unit sb_start_daemon "$FX_POLICY"; then
		t_pass "the installed sealguardd, with the unit's privileges, seals the sandbox (READY=1)"
	fi
	t_eq "the running guard is the installed binary" "$D" \
		"$(readlink "/proc/$SB_DAEMON_PID/exe" 2>&1)"
	t_eq "a write to a protected file is denied" EPERM \
		"$(sb_try openat-wronly "$FX_FS/etc/app.conf")"
	t_file_content "the protected file is unchanged" "$FX_FS/etc/app.conf" golden
	t_eq "a dropped binary is denied" EPERM "$(sb_try exec "$FX_SCRATCH/dropped")"
	t_eq "a program of the baseline runs" ok "$(sb_try exec "$FX_FS/bin/tool")"
	# the installed selftest, pointed at the sandbox (the fixture's policy
	# has no [listen]: that check is skipped)
	out=$(timeout 30 /usr/bin/sealguard selftest --policy "$FX_POLICY" \
		--state-dir "$SB_ROOT/sealguard-state" --canary "$FX_FS/etc/app.conf" \
		--exec-dir "$FX_SCRATCH" --json 2>&1) && rc=0 || rc=$?
	t_eq "the installed sealguard selftest passes against the installed daemon" 0 "$rc"
	t_eq "... write and exec enforced, listen skipped" "enforced enforced skipped" \
		"$(jq -r '[.checks[].status] | join(" ")' <<<"$out" 2>&1)"
	t_journal "journalctl SEALGUARD_EVENT=exec shows the exec denial" \
		SEALGUARD_EVENT=exec SEALGUARD_ACTION=deny SEALGUARD_PATH="$FX_SCRATCH/dropped" \
		MESSAGE_ID=c044eee549834822aacd7cfe525b6bc9
	# The host's catalog database, which the package's catalog went into.
	t_ok "journalctl -x explains the denial from the installed catalog" \
		grep -q 'Subject: sealguard denied running an untrusted program' \
		<<<"$(journalctl -x --no-pager -q MESSAGE_ID=c044eee549834822aacd7cfe525b6bc9 2>&1)"
	rc=0
	sb_stop_daemon || rc=$?
	t_eq "SIGTERM: the installed daemon exits 0" 0 "$rc"
	exit 0
fi

# ================================================================ upgrade
# In the sandbox: the package upgraded on a sealed host. The host is a
# chroot of the test's own: overlays of /usr, /etc and /var (upper dirs
# on a tmpfs), so dpkg in it writes only there and the machine's own
# package database and files are never touched, and the guard marks only
# the overlays. The old package is installed in it, the installed (old)
# sealguardd guards it, and `dpkg -i` of the new package is refused until
# it runs under `sealguard maintenance`.
if [ "${1:-}" = --upgrade ]; then
	OLD_DEB=$2 NEW_DEB=$3
	shift 3
	sb_enter --upgrade "$OLD_DEB" "$NEW_DEB" "$@"
	R=$SB_ROOT/host
	U=$(sb_mount_tmpfs upper)
	for d in usr etc var; do
		mkdir -p "$U/$d" "$U/$d.work" "$R/$d"
		mount -t overlay "sgtest-$d" -o "lowerdir=/$d,upperdir=$U/$d,workdir=$U/$d.work" "$R/$d" ||
			sb__abort "cannot mount an overlay of /$d at $R/$d"
	done
	for l in bin sbin lib lib64; do ln -s "usr/$l" "$R/$l"; done
	mkdir -p "$R/proc" "$R/dev" "$R/tmp" "$R/run" "$R/root"
	mount --bind /proc "$R/proc" && mount --bind /dev "$R/dev" &&
		mount -t tmpfs sgtest-tmp "$R/tmp" && mount -t tmpfs sgtest-run "$R/run" ||
		sb__abort "cannot make the chroot's /proc, /dev, /tmp, /run"
	cp "$OLD_DEB" "$R/tmp/old.deb"
	cp "$NEW_DEB" "$R/tmp/new.deb"
	in_host() { env PATH=/usr/sbin:/usr/bin DEBIAN_FRONTEND=noninteractive chroot "$R" "$@"; }
	version() { in_host dpkg-query -W -f='${db:Status-Status} ${Version}' sealguard 2>&1; }
	old_v=$(dpkg-deb -f "$OLD_DEB" Version)
	new_v=$(dpkg-deb -f "$NEW_DEB" Version)
	new_sha=$(dpkg-deb --fsys-tarfile "$NEW_DEB" | tar -xOf - ./usr/sbin/sealguardd | sha256sum | cut -c1-64)

	rc=0
	in_host dpkg -i /tmp/old.deb >"$SB_ROOT/old.log" 2>&1 || rc=$?
	t_eq "the chroot host: dpkg -i of the old package ($old_v)" "0 installed $old_v" "$rc $(version)"
	[ "$rc" = 0 ] || tail -n 15 "$SB_ROOT/old.log" | sed 's/^/old.log: /' >&2
	t_eq "the machine's own package database is untouched" not-installed \
		"$(dpkg-query -W -f='${db:Status-Status}' sealguard 2>/dev/null || echo not-installed)"

	C=$(sb_mount_tmpfs cfg)
	cat >"$C/policy.conf" <<-EOF
		[sealguard]
		mode = enforce
		baseline = $C/baseline

		[protect]
		path = $R/usr/bin
		path = $R/usr/sbin
		path = $R/usr/lib/sealguard
		path = $R/etc/sealguard

		[exec]
		scope = paths
		path = $R/usr/bin
		path = $R/usr/sbin
	EOF
	CLI=$R/usr/bin/sealguard
	"$CLI" baseline build --policy "$C/policy.conf" --quiet ||
		t_fail "the installed CLI builds the host's baseline" "exit $?"
	sb_start_journald
	SB_DAEMON_BIN=$R/usr/sbin/sealguardd sb_start_daemon "$C/policy.conf"
	old_sha=$(sha256sum "$R/usr/sbin/sealguardd" | cut -c1-64)
	t_eq "the old package's sealguardd guards the host" "$old_sha" \
		"$(sha256sum "/proc/$SB_DAEMON_PID/exe" | cut -c1-64)"

	rc=0
	in_host dpkg -i /tmp/new.deb >"$SB_ROOT/denied.log" 2>&1 || rc=$?
	t_ok "sealed: dpkg -i of the new package fails (exit $rc)" test "$rc" != 0
	t_ok "... because its writes were denied (EPERM)" \
		grep -q 'Operation not permitted' "$SB_ROOT/denied.log"
	t_eq "... the installed daemon is still the old one" "$old_sha" \
		"$(sha256sum "$R/usr/sbin/sealguardd" | cut -c1-64)"
	t_journal "... and the guard logged the denied write" \
		MESSAGE_ID=c78e863500844543a68fdeb6331cee0e SEALGUARD_EXE="$R/usr/bin/dpkg"

	rc=0
	timeout 120 "$CLI" maintenance --state-dir "$SB_ROOT/sealguard-state" \
		--policy "$C/policy.conf" --no-restart -- \
		env PATH=/usr/sbin:/usr/bin DEBIAN_FRONTEND=noninteractive \
		chroot "$R" dpkg -i /tmp/new.deb >"$SB_ROOT/upgrade.log" 2>&1 || rc=$?
	t_eq "sealguard maintenance -- dpkg -i new.deb: exit 0" 0 "$rc"
	[ "$rc" = 0 ] || tail -n 20 "$SB_ROOT/upgrade.log" | sed 's/^/upgrade.log: /' >&2
	t_eq "dpkg says the new package ($new_v) is installed" "installed $new_v" "$(version)"
	t_ok "the postinst saw the window and left the restart to sealguard maintenance" \
		grep -q '^sealguard: upgraded in maintenance window [0-9]*-[0-9]*: sealguard maintenance restarts the guard' \
		"$SB_ROOT/upgrade.log"
	t_eq "the installed daemon is the new package's" "$new_sha" \
		"$(sha256sum "$R/usr/sbin/sealguardd" | cut -c1-64)"
	t_journal "the window's writes were journaled as maintenance-window" \
		MESSAGE_ID=46922b0c92e845a9b762c3617a168e3e SEALGUARD_REASON=maintenance-window
	t_journal "the window opened and closed in the journal" \
		MESSAGE_ID=3c84bb66f0d3499db09ade961156b5a9 SEALGUARD_REASON="closed by its command"
	t_eq "until the restart the old daemon refuses the new CLI (old baseline)" EPERM \
		"$(sb_try exec "$CLI" --version)"
	t_eq "after the window: a write to the host's binaries is EPERM again" EPERM \
		"$(sb_try openat-wronly "$R/usr/sbin/sealguardd")"
	rc=0
	sb_stop_daemon || rc=$?
	t_eq "the old daemon stops cleanly" 0 "$rc"
	SB_DAEMON_BIN=$R/usr/sbin/sealguardd sb_start_daemon "$C/policy.conf"
	t_eq "restarted: the new package's sealguardd guards the host" "$new_sha" \
		"$(sha256sum "/proc/$SB_DAEMON_PID/exe" | cut -c1-64)"
	t_eq "restarted: the new CLI runs (trusted by the rebuilt baseline)" ok \
		"$(sb_try exec "$R/usr/bin/sealguard" --version)"
	t_eq "restarted: a write to the host's binaries is EPERM" EPERM \
		"$(sb_try openat-wronly "$R/usr/bin/sealguard")"
	rc=0
	"$CLI" verify --policy "$C/policy.conf" >"$SB_ROOT/verify.out" 2>&1 || rc=$?
	t_eq "the baseline was rebuilt in the window: sealguard verify finds no drift" 0 "$rc"
	rc=0
	sb_stop_daemon || rc=$?
	t_eq "the new daemon stops cleanly" 0 "$rc"
	exit 0
fi

# ================================================================ host side
[ "$(id -u)" = 0 ] || { t_fail "package test" "must run as root"; exit 1; }

# What a sealguard package or install would leave on this machine.
leftovers() {
	local st p pid exe n
	st=$(dpkg-query -W -f='${db:Status-Status}' sealguard 2>/dev/null) || st=not-installed
	[ "$st" = not-installed ] || printf 'package:%s ' "$st"
	for p in /usr/sbin/sealguardd /usr/bin/sealguard /etc/sealguard /var/lib/sealguard \
		/lib/systemd/system/sealguard.service /usr/lib/systemd/system/sealguard.service \
		/etc/systemd/system/multi-user.target.wants/sealguard.service \
		/var/lib/systemd/deb-systemd-helper-enabled/sealguard.service.dsh-also \
		/lib/systemd/system/sealguard-selftest.service /lib/systemd/system/sealguard-selftest.timer \
		/etc/systemd/system/timers.target.wants/sealguard-selftest.timer \
		/var/lib/systemd/deb-systemd-helper-enabled/sealguard-selftest.timer.dsh-also \
		/usr/lib/sealguard \
		/usr/lib/systemd/catalog/sealguard.catalog /usr/share/doc/sealguard \
		/usr/share/lintian/overrides/sealguard \
		/usr/share/bash-completion/completions/sealguard \
		/usr/share/zsh/vendor-completions/_sealguard \
		/usr/share/man/man8/sealguardd.8.gz /usr/share/man/man1/sealguard.1.gz \
		/usr/share/man/man5/sealguard.policy.5.gz; do
		[ ! -e "$p" ] && [ ! -L "$p" ] || printf '%s ' "$p"
	done
	for pid in $(pgrep -x sealguardd || true); do
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null) || continue
		[[ $exe != /usr/sbin/sealguardd* ]] || printf 'process:%s ' "$pid"
	done
	n=$(journalctl --list-catalog 2>/dev/null | grep -c ' sealguard: ' || true)
	[ "$n" = 0 ] || printf 'catalog:%s-entries ' "$n"
}

purge_quietly() {
	DEBIAN_FRONTEND=noninteractive dpkg --purge sealguard >/dev/null 2>&1 || true
	rm -f "$MARKER"
}

# One package test at a time on this machine (another suite may run).
exec 9>"$LOCK"
if ! flock -w 600 9; then
	t_fail "package test" "another package test held $LOCK for 10 minutes"
	exit 1
fi

if [ "$(basename "$SG_BUILD")" != build ]; then
	t_eq "the machine has no sealguard package, file or process left" "" "$(leftovers)"
	exit 0
fi

if [ -e "$MARKER" ]; then
	echo "90-package: purging what an interrupted earlier run installed" >&2
	purge_quietly
fi
left=$(leftovers)
if [ -n "$left" ]; then
	t_fail "package test" "refusing to install over sealguard already on this machine: ${left% }"
	exit 1
fi

OUT=$(mktemp -d /tmp/sealguard-pkgtest.XXXXXX)
installed=0
cleanup() {
	local rc=$?
	trap - EXIT TERM INT
	[ "$installed" = 0 ] || purge_quietly
	rm -rf "$OUT"
	[ "$SB_FAIL" = 0 ] || [ "$rc" != 0 ] || rc=1
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# ---------------------------------------------------------------- build
arch=$(dpkg --print-architecture)
deb=$OUT/sealguard_${VERSION}_$arch.deb
# No maintainer named: build-deb.sh invents none, it refuses (exit 2)
# before building anything.
env -u DEBEMAIL -u DEBFULLNAME -u SEALGUARD_MAINTAINER \
	"$REPO/packaging/build-deb.sh" "$OUT/nomaint" >"$OUT/nomaint.log" 2>&1 && rc=0 || rc=$?
t_eq "build-deb.sh without DEBEMAIL: exit 2, says what to set" \
	"2 yes" "$rc $(grep -q 'Set DEBEMAIL' "$OUT/nomaint.log" && echo yes)"
t_eq "... and built nothing" "" "$(ls "$OUT/nomaint" 2>/dev/null)"
SEALGUARD_MAINTAINER='bad|name <a@b>' "$REPO/packaging/build-deb.sh" "$OUT/nomaint" \
	>"$OUT/nomaint.log" 2>&1 && rc=0 || rc=$?
t_eq "build-deb.sh with a maintainer that is not 'Name <address>': exit 2" 2 "$rc"
MAINT="sealguard CI <ci@sealguard.test>"
DEBFULLNAME="sealguard CI" DEBEMAIL=ci@sealguard.test DEB_BUILD_OPTIONS="parallel=$(nproc)" \
	"$REPO/packaging/build-deb.sh" "$OUT" >"$OUT/build.log" 2>&1 && rc=0 || rc=$?
t_eq "packaging/build-deb.sh (dpkg-buildpackage -b -us -uc) exits 0" 0 "$rc"
[ "$rc" = 0 ] || { tail -n 25 "$OUT/build.log" | sed 's/^/build.log: /' >&2; exit 1; }
t_ok "it built sealguard_${VERSION}_$arch.deb" test -f "$deb"
t_ok "the build ran the unit tests" grep -q 'PASSED' "$OUT/build.log"
t_eq "the package's Maintainer is the builder's DEBFULLNAME <DEBEMAIL>" "$MAINT" \
	"$(dpkg-deb -f "$deb" Maintainer 2>&1)"
t_eq "no @PLACEHOLDER@ and no example.org in the package's control data" "" \
	"$(dpkg-deb -I "$deb" 2>&1 | grep -oE '@[A-Z]+@|example\.org' | paste -sd' ' -)"

lint=$(lintian --tag-display-limit 0 "$OUT/sealguard_${VERSION}_$arch.changes" 2>/dev/null) || true
t_eq "lintian on the .changes, .buildinfo and .deb: no error, no warning" "" \
	"$(grep -E '^[EW]: ' <<<"$lint" | paste -sd'|' -)"
t_eq "the .deb's version is the Makefile's" "$VERSION" "$(dpkg-deb -f "$deb" Version)"
t_eq "the policy is a conffile" /etc/sealguard/policy.conf \
	"$(dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles 2>&1)"

# ---------------------------------------------------------------- install
touch "$MARKER"
installed=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	-o DPkg::Lock::Timeout=120 "$deb" >"$OUT/install.log" 2>&1 && rc=0 || rc=$?
t_eq "apt-get install ./sealguard_*.deb exits 0" 0 "$rc"
[ "$rc" = 0 ] || tail -n 15 "$OUT/install.log" | sed 's/^/install.log: /' >&2
t_eq "dpkg says sealguard $VERSION is installed" "installed $VERSION" \
	"$(dpkg-query -W -f='${db:Status-Status} ${Version}' sealguard 2>&1)"

# tests/lib/installed.sh: the documents shipped under their own names
# (not compressed: debian/rules), the man pages compressed
expected=$(sg_installed_files "$REPO" deb)
t_eq "dpkg -L: the installed files" "$expected" \
	"$(dpkg -L sealguard 2>&1 | while read -r f; do [ ! -f "$f" ] || echo "$f"; done | sort)"
cited=$(cat /etc/sealguard/policy.conf /lib/systemd/system/sealguard.service \
	/usr/lib/systemd/catalog/sealguard.catalog 2>/dev/null |
	grep -oE '[a-z]+\.md\b' | sort -u)
t_eq "every document the installed policy, unit and catalog cite is in /usr/share/doc/sealguard" "" \
	"$(for d in $cited; do [ -f "/usr/share/doc/sealguard/$d" ] || printf '%s ' "$d"; done)"
t_eq "the installed bash completion completes the commands" "check" \
	"$(bash -c '. /usr/share/bash-completion/completions/sealguard
		COMP_WORDS=(sealguard ch); COMP_CWORD=1; _sealguard; echo "${COMPREPLY[*]}"' 2>&1)"
t_ok "dpkg -L: the state directory is the package's" grep -qx /var/lib/sealguard <<<"$(dpkg -L sealguard)"
t_eq "the state directory is root's only (0700 root)" "700 root" \
	"$(stat -c '%a %U' /var/lib/sealguard 2>&1)"
t_eq "the installed daemon and CLI are executable" "755 755" \
	"$(stat -c %a /usr/sbin/sealguardd /usr/bin/sealguard 2>&1 | paste -sd' ' -)"
t_ok "dpkg knows the policy as a conffile" \
	grep -q '^ /etc/sealguard/policy.conf [0-9a-f]' <<<"$(dpkg-query -W -f='${Conffiles}\n' sealguard)"

# Installing must not seal the host: nothing started, nothing enabled.
running=""
for pid in $(pgrep -x sealguardd || true); do
	[[ $(readlink "/proc/$pid/exe" 2>/dev/null) != /usr/sbin/sealguardd* ]] || running+="$pid "
done
t_eq "installing started no /usr/sbin/sealguardd" "" "$running"
t_ok "installing enabled nothing (no multi-user.target.wants link)" \
	test ! -e /etc/systemd/system/multi-user.target.wants/sealguard.service
t_eq "systemctl is-enabled sealguard: disabled" disabled \
	"$(systemctl is-enabled sealguard.service 2>&1 || true)"
t_eq "systemctl is-enabled sealguard-selftest.timer: disabled" disabled \
	"$(systemctl is-enabled sealguard-selftest.timer 2>&1 || true)"
t_eq "the canary is root's, 0644" "644 root" "$(stat -c '%a %U' /usr/lib/sealguard/canary 2>&1)"

# ---------------------------------------------------------------- installed CLI
t_eq "sealguard --version" "sealguard $VERSION" "$(sealguard --version 2>&1)"
out=$(sealguard check 2>"$OUT/check.err") && rc=0 || rc=$?
t_eq "sealguard check: the installed policy is valid" \
	"policy /etc/sealguard/policy.conf: OK" "$out"
t_eq "sealguard check: exit 2, because there is no baseline yet to read" 2 "$rc"
t_ok "sealguard check: it names the missing baseline" \
	grep -q '/var/lib/sealguard/baseline' "$OUT/check.err"

# ---------------------------------------------------------------- catalog, man
# The systemd package's dpkg trigger on /usr/lib/systemd/catalog already
# compiled it; then by hand, as the README says.
t_eq "after install the journal catalog lists every MESSAGE_ID" "" \
	"$(comm -23 <(sort -u <<<"$ids_h") <(journalctl --list-catalog 2>/dev/null |
		sed -nE 's/^([0-9a-f]{32}) sealguard: .*/\1/p' | sort -u) | paste -sd' ' -)"
err=$(journalctl --update-catalog 2>&1) && rc=0 || rc=$?
t_eq "journalctl --update-catalog: no complaint" "0:" "$rc:$err"
t_eq "journalctl --list-catalog then shows every sealguard entry" \
	"$(wc -l <<<"$ids_h")" \
	"$(journalctl --list-catalog 2>/dev/null | grep -c ' sealguard: ' || true)"
t_eq "man -w sealguardd" /usr/share/man/man8/sealguardd.8.gz "$(man -w sealguardd 2>&1)"
t_eq "man -w sealguard" /usr/share/man/man1/sealguard.1.gz "$(man -w sealguard 2>&1)"
t_eq "man -w 5 sealguard.policy" /usr/share/man/man5/sealguard.policy.5.gz \
	"$(man -w 5 sealguard.policy 2>&1)"
t_ok "man 5 sealguard.policy renders" \
	grep -q 'what sealguard protects' <<<"$(MANWIDTH=80 man 5 sealguard.policy 2>/dev/null)"

# ---------------------------------------------------------------- smoke test
smoke_rc=0
SB_DAEMON_BIN=/usr/sbin/sealguardd bash "$0" --smoke | tee "$OUT/smoke.out" || smoke_rc=$?
if [ "$smoke_rc" != 0 ] && ! grep -q '^FAIL: ' "$OUT/smoke.out"; then
	t_fail "sandbox smoke test of the installed daemon" "exit $smoke_rc without a FAIL line"
fi
t_ok "the smoke test ran the installed daemon" grep -q '^PASS: the installed sealguardd, with' "$OUT/smoke.out"
SB_FAIL=$((SB_FAIL + $(grep -c '^FAIL: ' "$OUT/smoke.out" || true)))

# ---------------------------------------------------------------- remove, purge
printf 'operator state\n' >/var/lib/sealguard/baseline # what an operator would have
DEBIAN_FRONTEND=noninteractive apt-get remove -y -q -o DPkg::Lock::Timeout=120 sealguard \
	>"$OUT/remove.log" 2>&1 && rc=0 || rc=$?
t_eq "apt-get remove sealguard exits 0" 0 "$rc"
t_eq "after remove: only the configuration is left" config-files \
	"$(dpkg-query -W -f='${db:Status-Status}' sealguard 2>&1)"
t_ok "after remove: the binaries are gone" test ! -e /usr/sbin/sealguardd -a ! -e /usr/bin/sealguard
t_ok "after remove: the policy and the baseline are kept" \
	test -f /etc/sealguard/policy.conf -a -f /var/lib/sealguard/baseline
DEBIAN_FRONTEND=noninteractive apt-get purge -y -q -o DPkg::Lock::Timeout=120 sealguard \
	>"$OUT/purge.log" 2>&1 && rc=0 || rc=$?
t_eq "apt-get purge sealguard exits 0" 0 "$rc"
t_eq "after purge: nothing of sealguard is left (files, state, catalog, process)" "" "$(leftovers)"
installed=0
rm -f "$MARKER"

# ---------------------------------------------------------------- upgrade on a sealed host
# The old package: this one repacked under a lower version, its two
# programs changed by trailing bytes (still the same ELF to the loader),
# so that the upgrade replaces them with different content.
old=$OUT/old
dpkg-deb -R "$deb" "$old"
sed -i "s/^Version: .*/Version: ${VERSION}~old1/" "$old/DEBIAN/control"
for f in usr/sbin/sealguardd usr/bin/sealguard; do
	printf '\nsealguard package test: the old build\n' >>"$old/$f"
	sum=$(cd "$old" && md5sum "$f")
	sed -i "s|^[0-9a-f]*  $f\$|$sum|" "$old/DEBIAN/md5sums"
done
dpkg-deb --root-owner-group -b "$old" "$OUT/old.deb" >/dev/null 2>"$OUT/old-deb.err" && rc=0 || rc=$?
t_eq "the old package ($VERSION~old1) is built" 0 "$rc"
up_rc=0
bash "$0" --upgrade "$OUT/old.deb" "$deb" | tee "$OUT/upgrade.out" || up_rc=$?
if [ "$up_rc" != 0 ] && ! grep -q '^FAIL: ' "$OUT/upgrade.out"; then
	t_fail "sandbox upgrade of the package on a sealed host" "exit $up_rc without a FAIL line"
fi
t_ok "the upgrade ran under the sealed old daemon" grep -q '^PASS: sealguard maintenance -- dpkg -i new.deb: exit 0' "$OUT/upgrade.out"
SB_FAIL=$((SB_FAIL + $(grep -c '^FAIL: ' "$OUT/upgrade.out" || true)))
t_eq "after the upgrade test: nothing of sealguard is left on the machine" "" "$(leftovers)"
