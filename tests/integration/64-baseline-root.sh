#!/usr/bin/env bash
# 64-baseline-root.sh - `sealguard baseline build --root DIR` builds the
# baseline of an image tree on the machine that builds the image: every
# path recorded as it will be on the host (no DIR prefix), the image's
# own policy and baseline location by default, symlinks resolved inside
# the image (a merged-/usr /lib, an absolute link that would lead to the
# build machine's files), nothing of the build machine recorded. The
# result signs and checks with the public key alone. A missing or
# non-directory DIR is an error that writes nothing.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"

SG=$SG_BUILD/sealguard
W=$(sb_mount_tmpfs imgroot)
IMG=$W/image
HOST=$W/hostside # stands for the build machine's own files

# ---------------------------------------------------------------- the image
mkdir -p "$IMG/usr/bin" "$IMG/usr/lib/app" "$IMG/etc/sealguard" \
	"$IMG/var/lib/sealguard" "$IMG$HOST/conf.d" "$IMG/srv" "$HOST/conf.d"
cp /bin/true "$IMG/usr/bin/tool"
cp /bin/false "$IMG/usr/bin/other"
printf 'image library\n' >"$IMG/usr/lib/app/lib.txt"
ln -s usr/lib "$IMG/lib" # merged /usr, as Debian 12 images have it
printf 'image-host\n' >"$IMG/etc/hostname"
ln -s /etc/shadow "$IMG/etc/evil" # recorded as a link, never followed
# /srv/app leads, by an absolute link, to a path that exists on the
# build machine too: inside the image it must be the image's
ln -s "$HOST" "$IMG/srv/app"
printf 'the image app\n' >"$IMG$HOST/conf.d/app.conf"
printf 'the BUILD MACHINE app\n' >"$HOST/conf.d/app.conf"
printf 'build machine only\n' >"$HOST/conf.d/secret"
cat >"$IMG/etc/sealguard/policy.conf" <<-EOF
	[sealguard]
	mode = enforce
	baseline = /var/lib/sealguard/baseline

	[protect]
	path = /etc
	path = /usr
	path = /lib/app

	[exec]
	trusted = /srv/app/conf.d
EOF
chmod -R go-w "$IMG"
OUT=$IMG/var/lib/sealguard/baseline

# ---------------------------------------------------------------- build
err=$("$SG" baseline build --root "$IMG" 2>&1) && rc=0 || rc=$?
t_eq "baseline build --root IMG exits 0" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$err" | sed 's/^/  build: /' >&2
t_ok "it used the image's policy and wrote the baseline where it names, under IMG" test -s "$OUT"
t_ok "the summary names the image" grep -q "of the image $IMG" <<<"$err"
t_eq "no recorded path carries the image's directory" "" \
	"$(grep -F "$IMG" "$OUT" | head -3)"
t_eq "the roots are the host's paths" "root /etc root /lib/app root /srv/app/conf.d root /usr" \
	"$(grep '^root ' "$OUT" | paste -sd' ' -)"
sha=$(sha256sum <"$IMG/usr/bin/tool" | cut -d' ' -f1)
t_eq "/usr/bin/tool is recorded with the image file's SHA-256" 1 \
	"$(grep -c "^f $sha [0-9]* 0755 0 0 - /usr/bin/tool\$" "$OUT")"
t_eq "/etc/hostname: the image's, not the build machine's" \
	"$(sha256sum <"$IMG/etc/hostname" | cut -d' ' -f1)" \
	"$(awk '$1 == "f" && $NF == "/etc/hostname" { print $2 }' "$OUT")"
t_eq "the absolute link /etc/evil is recorded as a link to /etc/shadow" 1 \
	"$(grep -c '^l 0 0 - /etc/shadow /etc/evil$' "$OUT")"
t_eq "/lib/app (through the image's /lib -> usr/lib) holds the image's library" \
	"$(sha256sum <"$IMG/usr/lib/app/lib.txt" | cut -d' ' -f1)" \
	"$(awk '$1 == "f" && $NF == "/lib/app/lib.txt" { print $2 }' "$OUT")"
t_eq "/srv/app -> $HOST resolved inside the image: the image's app.conf" \
	"$(sha256sum <"$IMG$HOST/conf.d/app.conf" | cut -d' ' -f1)" \
	"$(awk '$1 == "f" && $NF == "/srv/app/conf.d/app.conf" { print $2 }' "$OUT")"
t_eq "nothing of the build machine's $HOST is recorded" "" \
	"$(grep -E 'secret|BUILD' "$OUT" || true)"
# /etc and /usr as find sees them, plus /lib/app/lib.txt and
# /srv/app/conf.d/app.conf reached through the two links
t_eq "every regular file of the image's protected trees, and no other" \
	"$(($(cd "$IMG" && find etc usr -type f | wc -l) + 2))" "$(grep -c '^f ' "$OUT")"

# ---------------------------------------------------------------- sign, check
"$SG" keygen --output "$W/img" 2>/dev/null
t_ok "baseline sign of the image's baseline" \
	"$SG" baseline sign --key "$W/img.key" --baseline "$OUT" -p "$IMG/etc/sealguard/policy.conf"
out=$("$SG" check -p "$IMG/etc/sealguard/policy.conf" -b "$OUT" -k "$W/img.pub" 2>&1) && rc=0 || rc=$?
t_eq "check with the public key alone accepts it" 0 "$rc"
t_ok "... signature verified" grep -q 'signature verified' <<<"$out"

# ---------------------------------------------------------------- -o, -p
"$SG" baseline build --root "$IMG" -o "$W/outside" -q 2>/dev/null && rc=0 || rc=$?
t_eq "-o writes outside the image" "0 yes" "$rc $(cmp -s "$W/outside" "$OUT" && echo yes)"
cp "$IMG/etc/sealguard/policy.conf" "$W/usr-only.conf"
sed -i '/^path = \/etc$/d; /^path = \/lib\/app$/d; /^trusted/d' "$W/usr-only.conf"
"$SG" baseline build --root "$IMG" -p "$W/usr-only.conf" -o "$W/usr-only" -q 2>/dev/null && rc=0 || rc=$?
t_eq "-p: a policy from outside the image, applied to it" "0 root /usr" \
	"$rc $(grep '^root ' "$W/usr-only" | paste -sd' ' -)"

# ---------------------------------------------------------------- errors
before=$(sha256sum <"$OUT")
err=$("$SG" baseline build --root "$W/nonexistent" 2>&1) && rc=0 || rc=$?
t_eq "--root of a missing directory: exit 2, named" "2 yes" \
	"$rc $(grep -q "$W/nonexistent: No such file or directory" <<<"$err" && echo yes)"
err=$("$SG" baseline build --root "$IMG/etc/hostname" -o "$W/nothing" 2>&1) && rc=0 || rc=$?
t_eq "--root of a file: exit 2, not a directory, nothing written" "2 yes no" \
	"$rc $(grep -q 'not a directory' <<<"$err" && echo yes) $([ -e "$W/nothing" ] && echo yes || echo no)"
rm "$IMG/usr/lib/app/lib.txt"
mkdir "$W/unread" && cp -a "$IMG" "$W/unread/img"
rm "$W/unread/img/var/lib/sealguard/baseline"
# a protected root that is missing in the image fails the build
sed -i 's|^path = /usr$|path = /usr\npath = /opt/missing|' "$W/unread/img/etc/sealguard/policy.conf"
err=$("$SG" baseline build --root "$W/unread/img" 2>&1) && rc=0 || rc=$?
t_eq "a protected path missing in the image: exit 2, named as on the host, nothing written" \
	"2 yes no" "$rc $(grep -q '/opt/missing' <<<"$err" && echo yes) $([ -e "$W/unread/img/var/lib/sealguard/baseline" ] && echo yes || echo no)"
t_eq "the image's first baseline is unchanged by the failed builds" "$before" "$(sha256sum <"$OUT")"

# ---------------------------------------------------------------- a real tree
# The build machine's own /etc and /usr/sbin copied as an image tree (the
# package archive is not reachable for mmdebstrap in CI): every file,
# directory and symlink find(1) sees there is recorded, under its host
# path, and an absolute link such as /etc/localtime keeps its target.
R=$W/real
mkdir -p "$R/usr" "$R/etc/sealguard"
cp -a /etc/. "$R/etc/"
cp -a /usr/sbin "$R/usr/sbin"
rm -rf "$R/etc/sealguard" && mkdir -p "$R/etc/sealguard" "$R/var/lib/sealguard"
cat >"$R/etc/sealguard/policy.conf" <<-EOF2
	[sealguard]
	mode = enforce
	baseline = /var/lib/sealguard/baseline

	[protect]
	path = /etc
	path = /usr/sbin
EOF2
"$SG" baseline build --root "$R" -q 2>"$W/real.err" && rc=0 || rc=$?
t_eq "a copy of /etc and /usr/sbin as an image: built" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/  real: /' "$W/real.err" | head -5 >&2
RB=$R/var/lib/sealguard/baseline
for kind in f:f d:d l:l; do
	t_eq "every '${kind%%:*}' of find -type ${kind#*:} in the image is recorded" \
		"$(cd "$R" && find etc usr/sbin -type "${kind#*:}" | wc -l)" \
		"$(grep -c "^${kind%%:*} " "$RB")"
done
t_ok "the copy's /etc/localtime is an absolute symlink (Debian's)" test -L "$R/etc/localtime"
t_eq "/etc/localtime: recorded with its own target, not the image's path" 1 \
	"$(grep -cxF "l 0 0 - $(readlink "$R/etc/localtime") /etc/localtime" "$RB")"
t_eq "no path of the real tree carries the image's directory" 0 "$(grep -cF "$R" "$RB" || true)"
