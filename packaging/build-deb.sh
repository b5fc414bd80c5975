#!/usr/bin/env bash
# build-deb.sh - build the Debian binary package from this source tree.
#
#   packaging/build-deb.sh [OUTDIR]          (default OUTDIR: build/deb)
#
# Debian's tools want the packaging in ./debian: this copies the source
# tree (the files git knows, committed or not, minus ignored ones; or,
# outside a git checkout, everything but build output) to a temporary
# directory, puts packaging/debian there as debian/, runs
# `dpkg-buildpackage -b -us -uc` in it, and moves the .deb files, the
# .changes and the .buildinfo to OUTDIR. Extra dpkg-buildpackage options
# come from DPKG_BUILDPACKAGE_OPTS (e.g. "-Pnocheck"). Needs the build
# dependencies of packaging/debian/control (tests/install-deps.sh).
#
# The package's Maintainer is whoever builds it for their fleet, named as
# Debian's tools name a packager: DEBFULLNAME and DEBEMAIL (or
# SEALGUARD_MAINTAINER="Name <address>"). sealguard has no public address
# to put there, and this script does not invent one: without an address
# it refuses to build.
set -euo pipefail

if [ -n "${SEALGUARD_MAINTAINER:-}" ]; then
	maintainer=$SEALGUARD_MAINTAINER
elif [ -n "${DEBEMAIL:-}" ]; then
	maintainer="${DEBFULLNAME:-sealguard packager} <${DEBEMAIL}>"
else
	echo "build-deb.sh: who maintains this package? Set DEBEMAIL (and DEBFULLNAME)," >&2
	echo "build-deb.sh: e.g. DEBFULLNAME='Ops team' DEBEMAIL=ops@your.domain $0" >&2
	exit 2
fi
name_addr='^[^<>@|]+ <[^<>|[:space:]]+@[^<>|[:space:]]+>$'
if ! [[ $maintainer =~ $name_addr ]]; then
	echo "build-deb.sh: not 'Name <address>': '$maintainer'" >&2
	exit 2
fi

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$repo/build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/sealguard-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/sealguard
mkdir "$src"

if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# Tracked and untracked files, not ignored ones (build/, objects);
	# files deleted from the work tree are skipped.
	git -C "$repo" ls-files -z --cached --others --exclude-standard |
		(cd "$repo" && while IFS= read -r -d '' f; do
			[ -e "$f" ] && printf '%s\0' "$f"
		done) |
		tar -C "$repo" --null -T - -cf - | tar -C "$src" -xf -
else
	tar -C "$repo" --exclude=./build --exclude=./build-asan --exclude=./.git \
		-cf - . | tar -C "$src" -xf -
fi
rm -rf "$src/debian"
cp -a "$src/packaging/debian" "$src/debian"
# '|' cannot be in a name or an address the check above let through
sed -i "s|@MAINTAINER@|${maintainer}|" "$src/debian/control" "$src/debian/changelog"

# shellcheck disable=SC2086 # options are words
(cd "$src" && dpkg-buildpackage -b -us -uc ${DPKG_BUILDPACKAGE_OPTS:-})

shopt -s nullglob
files=("$work"/*.deb "$work"/*.changes "$work"/*.buildinfo)
[ ${#files[@]} -gt 0 ] || { echo "build-deb.sh: no package was built" >&2; exit 1; }
mv -f "${files[@]}" "$out"/
printf 'build-deb.sh: %s\n' "${files[@]##*/}" >&2
