#!/usr/bin/env bash
# 85-packaging.sh - the packaging agrees with the code, without building a
# package (90-package.sh builds and installs the .deb):
#  - every SG_MSGID_* of include/messages.h has one catalog entry (with a
#    subject and what to do) and no entry is stale; journalctl compiles
#    the catalog, and `journalctl -x` explains a real denial with its
#    fields filled in;
#  - `make install` puts every file where the unit, the man pages and both
#    packages expect it, never replaces a policy, and `make uninstall`
#    takes back what it put; the unit names the daemon where PREFIX put it;
#  - the unit passes `systemd-analyze verify`, has the contract the daemon
#    keeps (Type=notify + READY=1, WatchdogSec + WATCHDOG=1, exit 78 =
#    RestartPreventExitStatus), the documented capability set, and none of
#    the sandboxing that would hide the host from the guard;
#  - the man pages render without warnings and cover every option of
#    both programs, every policy key and every MESSAGE_ID;
#  - one version everywhere; the Debian build dependencies and the RPM
#    BuildRequires cover the Makefile's libraries; the spec's %files is
#    exactly what `make install` installs with Fedora's directories.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/installed.sh
. "$(dirname "$0")/../lib/installed.sh"

R=$SB_REPO
P=$R/packaging
CATALOG=$P/sealguard.catalog
UNIT_IN=$P/systemd/sealguard.service.in
SPEC=$P/rpm/sealguard.spec
W=$SB_ROOT/work
mkdir -p "$W"

# make_install DESTDIR [VAR=VALUE...]: `make install` of the build under
# test (the ASan build is installed with SANITIZE=1, so that make never
# rebuilds its objects with other flags).
make_install() {
	local dest=$1 san=()
	shift
	[ "$(basename "$SG_BUILD")" != build-asan ] || san=(SANITIZE=1)
	make -s -C "$R" "${san[@]}" install DESTDIR="$dest" "$@" >>"$W/make.log" 2>&1
}
# lines FILE: the lines of FILE that are not comments (and not blank).
lines() { grep -vE '^[[:space:]]*(#|;|$)' "$1"; }
# man_text PAGE: the page rendered as plain ASCII, no hyphenation.
man_text() { LC_ALL=C MANWIDTH=200 man --nh --nj -l "$1" 2>/dev/null | col -bx; }
# missing WANT HAVE: the words of WANT (one a line) not in HAVE.
missing() { comm -23 <(sort -u <<<"$1") <(sort -u <<<"$2") | paste -sd' ' -; }

# ================================================================ catalog
ids_h=$(sed -nE 's/^#define (SG_MSGID_[A-Z0-9_]+) "([0-9a-f]{32})".*/\2/p' "$R/include/messages.h")
n_defines=$(grep -c '^#define SG_MSGID_' "$R/include/messages.h" || true)
t_ok "messages.h defines MESSAGE_IDs" test -n "$ids_h"
t_eq "every SG_MSGID_* define is a quoted 32-hex-digit id" "$n_defines" "$(wc -l <<<"$ids_h")"
t_eq "no MESSAGE_ID is used twice in messages.h" "" "$(sort <<<"$ids_h" | uniq -d | paste -sd' ' -)"

ids_cat=$(sed -nE 's/^-- ([0-9a-f]{32})$/\1/p' "$CATALOG")
t_eq "every MESSAGE_ID of messages.h has a catalog entry" "" "$(missing "$ids_h" "$ids_cat")"
t_eq "no catalog entry for a MESSAGE_ID messages.h does not define" "" "$(missing "$ids_cat" "$ids_h")"
t_eq "no MESSAGE_ID has two catalog entries" "" "$(sort <<<"$ids_cat" | uniq -d | paste -sd' ' -)"
t_eq "every '-- ' line of the catalog is a well-formed entry header" \
	"$(grep -c '^-- ' "$CATALOG")" "$(wc -l <<<"$ids_cat")"

# Each entry: Subject, Defined-By: sealguard, Documentation, a blank line,
# an explanation and a "What to do:" paragraph.
bad_entries=$(awk '
	function check() {
		if (id != "" && !(subj && by && doc && todo && body))
			printf "%s ", id
	}
	/^-- / { check(); id = $2; subj = by = doc = todo = body = 0; hdr = 1; next }
	id == "" { next }
	hdr && /^$/ { hdr = 0; next }
	hdr && /^Subject: sealguard / { subj = 1 }
	hdr && /^Defined-By: sealguard$/ { by = 1 }
	hdr && /^Documentation: man:/ { doc = 1 }
	!hdr && /^What to do: / { todo = 1 }
	!hdr && NF { body = 1 }
	END { check() }' "$CATALOG")
t_eq "every catalog entry has a subject, Defined-By, Documentation and what to do" "" "${bad_entries% }"

# journalctl compiles it (into a root of our own: nothing of the host's).
croot=$W/catalog-root
install -D -m 0644 "$CATALOG" "$croot/usr/lib/systemd/catalog/sealguard.catalog"
err=$(journalctl --root="$croot" --update-catalog 2>&1) && rc=0 || rc=$?
t_eq "journalctl --update-catalog compiles it without a complaint" "0:" "$rc:$err"
listed=$(journalctl --root="$croot" --list-catalog 2>/dev/null |
	sed -nE 's/^([0-9a-f]{32}) sealguard: .*/\1/p')
t_eq "journalctl --list-catalog lists every MESSAGE_ID" "" "$(missing "$ids_h" "$listed")"

# ================================================================ make install
inst=$W/inst
make_install "$inst" && rc=0 || rc=$?
t_eq "make install DESTDIR=... exits 0" 0 "$rc"
expected_files=$(sg_installed_files "$R")
got_files=$(cd "$inst" && find . -type f | sed 's|^\.||' | sort)
t_eq "make install installs exactly the expected files" "$expected_files" "$got_files"
modes=$(cd "$inst" && stat -c '%a %n' usr/sbin/sealguardd usr/bin/sealguard \
	etc/sealguard/policy.conf lib/systemd/system/sealguard.service \
	usr/lib/systemd/catalog/sealguard.catalog var/lib/sealguard 2>&1 | paste -sd' ' -)
t_eq "installed modes (binaries 755, policy/unit/catalog 644, state dir 700)" \
	"755 usr/sbin/sealguardd 755 usr/bin/sealguard 644 etc/sealguard/policy.conf 644 lib/systemd/system/sealguard.service 644 usr/lib/systemd/catalog/sealguard.catalog 700 var/lib/sealguard" \
	"$modes"
t_ok "the installed policy is the shipped example" cmp -s "$R/policy/policy.conf" "$inst/etc/sealguard/policy.conf"
t_ok "the installed catalog is packaging/sealguard.catalog" cmp -s "$CATALOG" "$inst/usr/lib/systemd/catalog/sealguard.catalog"
unit=$inst/lib/systemd/system/sealguard.service
t_eq "unit: ExecStart names the installed daemon and \$SEALGUARD_POLICY" \
	'ExecStart=/usr/sbin/sealguardd --policy ${SEALGUARD_POLICY}' "$(grep '^ExecStart=' "$unit")"
t_eq "unit: the default policy is the installed one" \
	"Environment=SEALGUARD_POLICY=/etc/sealguard/policy.conf" "$(grep '^Environment=' "$unit")"
t_eq "unit: no @PLACEHOLDER@ is left" "" "$(grep -o '@[A-Z]*@' "$unit" | paste -sd' ' -)"
stunit=$inst/lib/systemd/system/sealguard-selftest.service
t_eq "selftest unit: ExecStart names the installed CLI" \
	'ExecStart=/usr/bin/sealguard selftest' "$(grep '^ExecStart=' "$stunit")"
t_eq "selftest unit: no @PLACEHOLDER@ is left" "" "$(grep -o '@[A-Z]*@' "$stunit" | paste -sd' ' -)"
t_ok "the installed canary is packaging/canary" cmp -s "$P/canary" "$inst/usr/lib/sealguard/canary"
# What the installed files cite is installed: no docs/NAME.md of a source
# tree the host does not have (roff comments aside); each NAME.md they
# name is in /usr/share/doc/sealguard (the policy's header says so).
installed_texts=("$inst/etc/sealguard/policy.conf" "$unit" "$inst"/usr/share/doc/sealguard/examples/tether/*.conf
	"$inst/usr/lib/systemd/catalog/sealguard.catalog" "$inst"/usr/share/man/man*/*)
t_eq "the installed policy, unit, catalog and man pages cite no docs/*.md of the source" "" \
	"$(cat "${installed_texts[@]}" | grep -v '^\.\\"' | grep -o 'docs/[a-z]*\.md' | paste -sd' ' -)"
cited=$(cat "${installed_texts[@]}" | grep -v '^\.\\"' | grep -oE '[a-z]+\.md\b' | sort -u)
t_ok "they cite the documents (at least 5)" test "$(wc -l <<<"$cited")" -ge 5
t_eq "every document they cite is installed in /usr/share/doc/sealguard" "" \
	"$(for d in $cited; do [ -f "$inst/usr/share/doc/sealguard/$d" ] || printf '%s ' "$d"; done)"
t_ok "the installed policy says where the documents are" \
	grep -q '^; the NAME.md documents cited here are in /usr/share/doc/sealguard.$' "$inst/etc/sealguard/policy.conf"
t_ok "the unit cites them where this install put them" \
	grep -q "(/usr/share/doc/sealguard/respond.md)" "$unit"

printf '; the operator edited this\n' >"$inst/etc/sealguard/policy.conf"
make_install "$inst" || true
t_file_content "make install again keeps the operator's policy" \
	"$inst/etc/sealguard/policy.conf" "; the operator edited this"
san=()
[ "$(basename "$SG_BUILD")" != build-asan ] || san=(SANITIZE=1)
make -s -C "$R" "${san[@]}" uninstall DESTDIR="$inst" >>"$W/make.log" 2>&1 && rc=0 || rc=$?
t_eq "make uninstall exits 0" 0 "$rc"
t_eq "make uninstall removes every file but the policy" \
	"./etc/sealguard/policy.conf" "$(cd "$inst" && find . -type f | paste -sd' ' -)"
t_ok "make uninstall keeps the state directory" test -d "$inst/var/lib/sealguard"

local_inst=$W/local
make_install "$local_inst" PREFIX=/usr/local || true
t_eq "PREFIX=/usr/local: the unit runs /usr/local/sbin/sealguardd" \
	'ExecStart=/usr/local/sbin/sealguardd --policy ${SEALGUARD_POLICY}' \
	"$(grep '^ExecStart=' "$local_inst/lib/systemd/system/sealguard.service" 2>&1)"
t_ok "PREFIX=/usr/local: the daemon is there" test -x "$local_inst/usr/local/sbin/sealguardd"

# ================================================================ the unit
# systemd-analyze verify needs the ExecStart binary: point it at ours.
vdir=$W/verify
mkdir -p "$vdir"
sed -e "s|@SBINDIR@/sealguardd|$SG_BUILD/sealguardd|" -e 's|@SBINDIR@|/usr/sbin|g' \
	-e 's|@SYSCONFDIR@|/etc|g' "$UNIT_IN" >"$vdir/sealguard.service"
out=$(systemd-analyze verify --man=no "$vdir/sealguard.service" 2>&1) && rc=0 || rc=$?
t_eq "systemd-analyze verify: no complaint about the unit" "0:" "$rc:$out"
# the self-test's service and timer, the service pointed at our CLI
sed -e "s|@BINDIR@/sealguard|$SG_BUILD/sealguard|" -e 's|@BINDIR@|/usr/bin|g' \
	"$P/systemd/sealguard-selftest.service.in" >"$vdir/sealguard-selftest.service"
cp "$P/systemd/sealguard-selftest.timer" "$vdir/"
out=$(systemd-analyze verify --man=no "$vdir/sealguard-selftest.service" \
	"$vdir/sealguard-selftest.timer" 2>&1) && rc=0 || rc=$?
t_eq "systemd-analyze verify: no complaint about the selftest service and timer" "0:" "$rc:$out"
t_eq "unit: enabling the guard enables the hourly selftest (Also=)" \
	sealguard-selftest.timer "$(lines "$UNIT_IN" | sed -n 's/^Also=//p')"
t_eq "selftest timer: hourly" hourly "$(lines "$P/systemd/sealguard-selftest.timer" | sed -n 's/^OnCalendar=//p')"
t_eq "selftest service: oneshot, no capability" "oneshot|" \
	"$(lines "$P/systemd/sealguard-selftest.service.in" | sed -n 's/^Type=//p; s/^CapabilityBoundingSet=//p' | paste -sd'|' -)"
hiding=""
for k in ProtectSystem ProtectHome PrivateTmp PrivateDevices PrivateMounts \
	PrivateNetwork PrivateUsers ReadOnlyPaths TemporaryFileSystem BindPaths \
	RootDirectory NetworkNamespacePath; do
	[ -z "$(lines "$P/systemd/sealguard-selftest.service.in" | sed -n "s/^$k=//p")" ] || hiding+="$k "
done
t_eq "selftest service: no private view of /usr, /var/tmp or the network" "" "${hiding% }"

key() { lines "$UNIT_IN" | sed -n "s/^$1=//p" | paste -sd'|' -; }
t_eq "unit: Type=notify" notify "$(key Type)"
t_eq "unit: Restart=always" always "$(key Restart)"
t_eq "unit: WatchdogSec=10s" 10s "$(key WatchdogSec)"
t_eq "unit: ordered before network.target" network.target "$(key Before)"
t_eq "unit: wanted by multi-user.target" multi-user.target "$(key WantedBy)"
# What the sealed daemon keeps (sealguardd --list-seal), plus CAP_SETPCAP,
# which the seal needs to drop the rest.
kept=$("$SG_BUILD/sealguardd" --list-seal 2>/dev/null |
	awk '/^# syscalls/ { done = 1 } !done && /^cap_/ { print toupper($1) }')
# (awk reads to the end: an early exit would SIGPIPE the daemon under pipefail)
t_ok "sealguardd --list-seal lists the capabilities it keeps" test "$(wc -l <<<"$kept")" -ge 5
t_eq "unit: exactly the capabilities the guard uses (kept after the seal, and CAP_SETPCAP)" \
	"$(printf '%s\nCAP_SETPCAP\n' "$kept" | sort | paste -sd' ' -)" \
	"$(key CapabilityBoundingSet | tr ' ' '\n' | sort | paste -sd' ' -)"
# Each of these would give the guard a view of the host that is not the
# host's (a mount, user or network namespace of its own) or a limit whose
# hit kills it: see the comments in the unit.
hiding=""
for k in ProtectSystem ProtectHome PrivateTmp PrivateDevices PrivateMounts \
	PrivateNetwork PrivateUsers PrivateIPC DynamicUser User ProtectKernelModules \
	ProtectKernelTunables ProtectKernelLogs ProtectControlGroups ProtectProc \
	ProcSubset ReadOnlyPaths ReadWritePaths InaccessiblePaths TemporaryFileSystem \
	BindPaths BindReadOnlyPaths RootDirectory RootImage NetworkNamespacePath \
	MountFlags MemoryMax; do
	[ -z "$(key "$k")" ] || hiding+="$k "
done
t_eq "unit: no directive that hides the host from the guard" "" "${hiding% }"

# The daemon keeps the unit's contract (in this sandbox, marking only the
# fixture's mounts): READY=1, WATCHDOG=1 when the watchdog is on, the
# refusal status the unit does not restart on.
fx_setup
fx_policy enforce
t_ok "baseline builds" fx_baseline
cp "$FX_POLICY" "$SB_ROOT/nobaseline.conf"
sed -i "s|^baseline = .*|baseline = $SB_ROOT/none|" "$SB_ROOT/nobaseline.conf"
timeout 20 "$SG_BUILD/sealguardd" --policy "$SB_ROOT/nobaseline.conf" --confine "$SB_ROOT" \
	--log-target stderr >/dev/null 2>&1 && rc=0 || rc=$?
t_eq "a missing baseline ends the daemon with the unit's RestartPreventExitStatus" \
	"$(key RestartPreventExitStatus)" "$rc"

# The catalog database of this sandbox: our catalog only, so that
# `journalctl -x` explains the daemon's entries from packaging/.
sb__shadow /var/lib/systemd/catalog
cp "$croot/var/lib/systemd/catalog/database" /var/lib/systemd/catalog/database
sb_start_journald
# The daemon runs with what the unit gives it and nothing more: the
# unit's CapabilityBoundingSet, no inheritable capabilities, no_new_privs.
bset=$(key CapabilityBoundingSet | tr ' ' '\n' | sed 's/^CAP_/+/' | tr 'A-Z' 'a-z' | paste -sd, -)
printf '#!/bin/sh\nexec setpriv --no-new-privs --inh-caps=-all --bounding-set=-all,%s %s "$@"\n' \
	"$bset" "$SG_BUILD/sealguardd" >"$SB_ROOT/unit-privileges"
chmod 0755 "$SB_ROOT/unit-privileges"
if WATCHDOG_USEC=1000000 SB_DAEMON_BIN=$SB_ROOT/unit-privileges sb_start_daemon "$FX_POLICY"; then
	t_pass "with only the unit's capabilities the daemon seals (READY=1)"
fi
declare -A CAPBIT=([CAP_DAC_OVERRIDE]=1 [CAP_DAC_READ_SEARCH]=2 [CAP_FOWNER]=3
	[CAP_KILL]=5 [CAP_SETPCAP]=8 [CAP_NET_ADMIN]=12 [CAP_IPC_LOCK]=14
	[CAP_SYS_PTRACE]=19 [CAP_SYS_ADMIN]=21)
mask=0
for c in $(key CapabilityBoundingSet); do mask=$((mask | 1 << ${CAPBIT[$c]:-63})); done
bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' "/proc/$SB_DAEMON_PID/status" 2>/dev/null || true)
t_eq "... and it has no capability outside the unit's bounding set" 0 \
	"$(printf '%x' "$((0x${bnd:-ffffffffffffffff} & ~mask))")"
t_eq "a write to a protected file is denied" EPERM "$(sb_try openat-wronly "$FX_FS/etc/app.conf")"
t_eq "a dropped binary is denied" EPERM "$(sb_try exec "$FX_SCRATCH/dropped")"
t_eq "a program of the baseline runs" ok "$(sb_try exec "$FX_FS/bin/tool")"
sleep 1.2
t_ok "with WATCHDOG_USEC set the daemon sends WATCHDOG=1 (at least twice in 1.2 s)" \
	test "$(grep -c 'WATCHDOG=1' "$SB_NOTIFY_FILE")" -ge 2
t_journal "the denial is in the journal" MESSAGE_ID=c78e863500844543a68fdeb6331cee0e
explained=$(journalctl -x --no-pager -q MESSAGE_ID=c78e863500844543a68fdeb6331cee0e 2>&1 || true)
t_ok "journalctl -x shows the catalog's subject under the denial" \
	grep -q -- 'Subject: sealguard denied a write to a protected file' <<<"$explained"
t_ok "journalctl -x fills in the denied path" \
	grep -qF -- "$FX_FS/etc/app.conf for writing" <<<"$explained"
t_ok "journalctl -x says what to do" grep -q -- 'What to do: ' <<<"$explained"
explained=$(journalctl -x --no-pager -q MESSAGE_ID=c5ee8a02da054c3b9aedaa7a998fbd7f 2>&1 || true)
t_ok "journalctl -x explains the start entry with the policy's path" \
	grep -qF -- "loaded the policy $FX_POLICY" <<<"$explained"
rc=0
sb_stop_daemon || rc=$?
t_eq "SIGTERM: the daemon exits 0 (the unit's clean stop)" 0 "$rc"

# ================================================================ man pages
declare -A PAGE=([sealguardd]=$P/man/sealguardd.8 [sealguard]=$P/man/sealguard.1
	[sealguard.policy]=$P/man/sealguard.policy.5)
VERSION=$(sed -n 's/^VERSION := //p' "$R/Makefile")
for name in sealguardd sealguard sealguard.policy; do
	page=${PAGE[$name]}
	warn=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
	t_eq "man page $name renders without a groff warning" "" "$warn"
	t_eq "man page $name: .TH names it, its section and the version" \
		"$(tr a-z A-Z <<<"$name") ${page##*.} sealguard $VERSION" \
		"$(sed -nE 's/^\.TH ([^ ]+) ([0-9]) [^ ]+ "([^"]*)".*/\1 \2 \3/p' "$page")"
done
opts() { "$1" --help 2>&1 | grep -oE -- '--[a-z][a-z-]+' | sort -u; }
t_eq "sealguardd(8) documents every option of sealguardd --help" "" \
	"$(missing "$(opts "$SG_BUILD/sealguardd")" "$(man_text "${PAGE[sealguardd]}" | grep -oE -- '--[a-z][a-z-]+')")"
t_eq "sealguard(1) documents every option of sealguard --help" "" \
	"$(missing "$(opts "$SG_BUILD/sealguard")" "$(man_text "${PAGE[sealguard]}" | grep -oE -- '--[a-z][a-z-]+')")"
# SIGHUP: the code logs and ignores it (40-lifecycle.sh proves it); the
# page says so, not that it stops the daemon, and the unit has no reload.
signals=$(man_text "${PAGE[sealguardd]}" | sed -n '/^SIGNALS/,/^EXIT STATUS/p')
t_eq "sealguardd(8): SIGHUP is not among the signals that stop the daemon" "" \
	"$(grep -E '^       SIGTERM' <<<"$signals" | grep -o SIGHUP || true)"
t_ok "sealguardd(8): SIGHUP has its own entry: logged and otherwise ignored" \
	grep -qE '^       SIGHUP +Logged \(SIGHUP ignored: the policy is not reloaded\) and otherwise ignored' <<<"$signals"
t_ok "the daemon logs the words the page quotes" \
	grep -qF '"SIGHUP ignored: the policy is not reloaded; restart "' "$R/src/daemon/loop.c"
t_eq "unit: no ExecReload (a reload would do nothing)" "" "$(key ExecReload)"
t_eq "sealguardd(8) lists every MESSAGE_ID" "" \
	"$(missing "$ids_h" "$(man_text "${PAGE[sealguardd]}" | grep -oE '[0-9a-f]{32}')")"

# Every [section] key that `sealguard check -v` prints (all of them, with
# defaults; optional sections and keys switched on) is a "key = ..." term
# under that [section] heading of the page, and a number's default is the
# page's.
printf '[sealguard]\nmode = enforce\n[protect]\npath = /usr\nseal = /usr\n[listen]\n[changes]\n[harden]\n' >"$W/min.conf"
normal=$("$SG_BUILD/sealguard" check -v --policy "$W/min.conf" --baseline /nonexistent 2>/dev/null || true)
keys_cli=$(awk '/^\[/ { s = $1; next } match($0, /^;? ?[a-z_]+ = /) {
		k = $0; sub(/^; ?/, "", k); sub(/ = .*/, "", k); print s " " k }' <<<"$normal" | sort -u)
policy_text=$(man_text "${PAGE[sealguard.policy]}")
keys_man=$(awk '
	/^[^ ]/ { s = ($1 ~ /^\[[a-z]+\]$/) ? $1 : ""; next }
	s != "" && match($0, /^       [a-z_]+ = /) { k = $1; print s " " k }' <<<"$policy_text" | sort -u)
t_ok "sealguard check -v printed the policy keys" test "$(wc -l <<<"$keys_cli")" -ge 20
t_eq "sealguard.policy(5) documents every policy key in its section" "" \
	"$(missing "$keys_cli" "$keys_man" | sed 's/\] /]/g')"
# "section key number" for every numeric default, then the page's
# paragraph for that key must say "default NUMBER".
bad_defaults=""
while read -r sec k v; do
	para=$(awk -v s="$sec" -v k="$k" '
		/^[^ ]/ { in_s = ($1 == s); on = 0; next }
		in_s && /^       [a-z_]+ = / { on = ($1 == k); next }
		in_s && /^       [^ ]/ { on = 0 }
		on' <<<"$policy_text" | tr -s ' \n' '  ')
	[[ $para == *"default $v"[.,\ \)]* ]] || bad_defaults+="$sec$k=$v "
done < <(awk '/^\[/ { s = $1; next } /^[a-z_]+ = [0-9]+$/ { print s, $1, $3 }' <<<"$normal")
t_eq "sealguard.policy(5) gives the default of every numeric key" "" "${bad_defaults% }"
# The error messages: docs/policy.md's table is the reference.
errs_doc=$(sed -n '/^## Errors/,/^## Normalised/p' "$R/docs/policy.md" |
	sed -nE 's/^\| `([^`<]+)` \|.*/\1/p')
flat_policy=$(tr -s ' \n' '  ' <<<"$policy_text")
errs_missing=""
while IFS= read -r e; do
	[[ $flat_policy == *"$e"* ]] || errs_missing+="'$e'; "
done <<<"$errs_doc"
t_ok "docs/policy.md lists error messages" test "$(wc -l <<<"$errs_doc")" -ge 30
t_eq "sealguard.policy(5) lists every error message of docs/policy.md" "" "${errs_missing%; }"

# ================================================================ versions
deb_version=$(dpkg-parsechangelog -l "$P/debian/changelog" -S Version)
spec_version=$(sed -nE 's/^Version:[[:space:]]+//p' "$SPEC")
t_eq "debian/changelog has the Makefile's VERSION" "$VERSION" "$deb_version"
t_eq "the RPM spec has the Makefile's VERSION" "$VERSION" "$spec_version"
# (the ASan build says "(test build: test hooks)" after the version)
t_eq "sealguardd --version" "sealguardd $VERSION" "$("$SG_BUILD/sealguardd" --version | cut -d' ' -f1,2)"
t_eq "sealguard --version is the same version" 1 \
	"$("$SG_BUILD/sealguard" --version | grep -c -- "$VERSION")"

# ================================================================ build deps
# The -dev package of each pkg-config module the Makefile links against.
PKGS=$(sed -n 's/^PKGS := //p' "$R/Makefile")
devpkgs=$(for m in $PKGS; do
	pc=$(pkg-config --variable=pcfiledir "$m")/$m.pc
	dpkg -S "$(readlink -f "$pc")" 2>/dev/null | cut -d: -f1
done | sort -u)
bdeps=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$P/debian/control" | grep -oE '[a-z0-9][a-z0-9.+-]+' | sort -u)
t_ok "the Makefile's libraries resolve to -dev packages" test "$(wc -w <<<"$devpkgs")" -ge "$(wc -w <<<"$PKGS")"
t_eq "debian/control Build-Depends on the -dev package of every library" "" "$(missing "$devpkgs" "$bdeps")"
breq=$(sed -nE 's/^BuildRequires:[[:space:]]+pkgconfig\(([^)]+)\).*/\1/p' "$SPEC")
t_eq "the spec BuildRequires pkgconfig() of every library" "" "$(missing "$(tr ' ' '\n' <<<"$PKGS")" "$breq")"
out=$(dpkg-checkbuilddeps "$P/debian/control" 2>&1) && rc=0 || rc=$?
t_eq "the Debian build dependencies are installed (tests/install-deps.sh)" "0:" "$rc:$out"
t_eq "debian/source/format is 3.0 (native)" "3.0 (native)" "$(cat "$P/debian/source/format")"
t_ok "debian/rules is executable" test -x "$P/debian/rules"

# ================================================================ RPM %files
# Fedora's values of the macros the spec uses (systemd-rpm-macros and
# redhat-rpm-config); the %make_install arguments, expanded, go to make.
declare -A MAC=([_prefix]=/usr [_sbindir]=/usr/sbin [_bindir]=/usr/bin
	[_sysconfdir]=/etc [_mandir]=/usr/share/man [_pkgdocdir]=/usr/share/doc/sealguard
	[_unitdir]=/usr/lib/systemd/system [_journalcatalogdir]=/usr/lib/systemd/catalog
	[_sharedstatedir]=/var/lib [_datadir]=/usr/share)
expand() {
	local s=$1 m
	for m in "${!MAC[@]}"; do s=${s//"%{$m}"/${MAC[$m]}}; done
	printf '%s\n' "$s"
}
mapfile -t make_args < <(sed -n '/^%make_install/,/[^\\]$/p' "$SPEC" |
	grep -oE '[A-Z]+=[^ \\]+' | while read -r a; do expand "$a"; done)
t_ok "the spec's %make_install passes the install directories" test "${#make_args[@]}" -ge 8
rpm_inst=$W/rpm
make_install "$rpm_inst" "${make_args[@]}" && rc=0 || rc=$?
t_eq "make install with the spec's directories exits 0" 0 "$rc"
files_sec=$(sed -n '/^%files/,/^%changelog/p' "$SPEC" | sed '1d;$d' | grep -v '^$')
unexpanded=$({ expand "$files_sec" | grep -o "%{[^}]*}" || true; } | sort -u | paste -sd" " -)
t_eq "every macro in %files is one the test knows" "" "$unexpanded"
rpm_missing=""
rpm_extra=""
rpm_dirs=""
listed=()
while read -r line; do
	entry=$(expand "$line")
	path=${entry##* }
	# %license takes a file of the source tree, not of make install
	if [[ $entry == %license* ]]; then
		[ -f "$R/$path" ] || rpm_missing+="$path(source) "
		continue
	fi
	if [[ $entry == *%dir* ]]; then
		[ -d "$rpm_inst$path" ] || rpm_dirs+="$path "
		continue
	fi
	# shellcheck disable=SC2206 # a glob, expanded on purpose
	matches=($rpm_inst$path)
	[ -e "${matches[0]}" ] || rpm_missing+="$path "
	listed+=("${matches[@]#"$rpm_inst"}")
done <<<"$files_sec"
while read -r f; do
	printf '%s\n' "${listed[@]}" | grep -qxF "$f" || rpm_extra+="$f "
done < <(cd "$rpm_inst" && find . -type f | sed 's|^\.||')
t_eq "every %files entry is installed by make install" "" "${rpm_missing% }"
t_eq "every %dir entry is a directory make install creates" "" "${rpm_dirs% }"
t_eq "every file make install installs is in %files" "" "${rpm_extra% }"
t_eq "the unit goes to Fedora's unit directory" 1 \
	"$(find "$rpm_inst/usr/lib/systemd/system" -name sealguard.service 2>/dev/null | wc -l)"
t_eq "%files: the policy is %config(noreplace)" 1 \
	"$(grep -c '^%config(noreplace) %{_sysconfdir}/sealguard/policy.conf$' "$SPEC")"
t_eq "%files: the state directory is %attr(0700), as make install makes it" \
	"1 700" "$(grep -c '^%dir %attr(0700,root,root) %{_sharedstatedir}/sealguard$' "$SPEC") $(stat -c %a "$rpm_inst/var/lib/sealguard")"
t_eq "the spec has the systemd scriptlets for the unit and the selftest timer" 3 \
	"$(grep -cE '^%systemd_(post|preun|postun) sealguard.service sealguard-selftest.timer$' "$SPEC")"
# the restart after an upgrade is the spec's own, skipped under
# sealguard maintenance (which restarts the guard after its rebuild)
t_ok "the spec's %postun try-restarts the guard unless SEALGUARD_MAINTENANCE is set" \
	grep -qE '^if \[ "\$1" -ge 1 \] && \[ -z "\$\{SEALGUARD_MAINTENANCE:-\}" \] .*; then$' "$SPEC"
t_ok "... with systemctl try-restart sealguard.service" \
	grep -qE '^    systemctl try-restart sealguard.service ' "$SPEC"
