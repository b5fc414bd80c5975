#!/usr/bin/env bash
# install-deps.sh - install what a fresh Debian 12 needs to build and test
# sealguard. Idempotent: it asks dpkg first and touches apt (update, then
# install) only when a package is missing, so a second run is fast and
# works offline. Needs root when something is missing.
set -euo pipefail

PKGS=(
	build-essential pkg-config                   # compiler, make
	clang                                        # the second compiler CI builds with
	libclang-rt-14-dev                           # libFuzzer, ASan, UBSan for clang (make fuzz; only Recommended by clang)
	libcap-dev libseccomp-dev libinih-dev         # the daemon's libraries
	libsystemd-dev libssl-dev
	libcmocka-dev                                # unit tests
	liburing-dev                                 # sgtry's io_uring open
	e2fsprogs util-linux mount                   # mkfs.ext4; unshare, findmnt, setpriv; mount, losetup
	iproute2                                     # ip (network namespaces)
	systemd                                      # systemd-journald, journalctl, systemd-cat, systemd-notify
	bsdutils                                     # logger --journald
	python3 socat netcat-openbsd procps          # test actors, ps
	dpkg-dev debhelper lintian                   # the Debian package (packaging/build-deb.sh)
	man-db bsdextrautils                         # man -w, man --warnings, col
	systemd-journal-remote openssl jq            # the tether test: upload, remote, certificates, JSON
	zsh                                          # the zsh completion's test (86-cli.sh)
	busybox                                      # an interpreter called by applet (test_scriptarg)
	libcap2-bin                                  # setcap: file capabilities in 63-verify-kinds.sh
	faketime                                     # libfaketime: the daemon under a moved wall clock (48-fault-clock.sh)
	valgrind                                     # memcheck: the daemon's event loop without errors or leaks (49-valgrind.sh)
)

# One dpkg-query for all: "name status" for each known package.
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PKGS[@]}" \
	2>/dev/null | awk '$2 == "installed" { print $1 }') || true
missing=()
for p in "${PKGS[@]}"; do
	grep -qxF "$p" <<<"$installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all ${#PKGS[@]} packages present"
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: must run as root to install packages" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
