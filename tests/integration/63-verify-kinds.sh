#!/usr/bin/env bash
# 63-verify-kinds.sh - `sealguard verify` sees what AIDE sees: the
# baseline (format 2) records directories, symlinks, device nodes, FIFOs,
# setuid/setgid bits and file capabilities, and verify reports each
# change with its kind, in text and in --json: a retargeted symlink, a
# directory chmod-ed, chown-ed, added or removed, a new setuid and setgid
# bit, a new and a changed capability, a new FIFO and a new device node.
# An unchanged tree exits 0. A baseline of the old format is refused by
# verify, check, sign and the daemon (78, naming the file), never read.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"

SG=$SG_BUILD/sealguard
D=$SG_BUILD/sealguardd
T=$(sb_mount_tmpfs kinds)
C=$(sb_mount_tmpfs kcfg)
has() { case "$2" in *"$1"*) return 0 ;; esac; return 1; }

# ---------------------------------------------------------------- the tree
mkdir -m 0755 "$T/bin" "$T/lib" "$T/gone" "$T/owned" "$T/share"
cp /bin/true "$T/bin/tool"
cp /bin/true "$T/bin/capme"
cp /bin/true "$T/bin/hascap"
cp /bin/true "$T/bin/sgidme"
chmod 0755 "$T/bin/"*
setcap cap_net_raw+ep "$T/bin/hascap"
printf 'lib one\n' >"$T/lib/one"
printf 'lib two\n' >"$T/lib/two"
ln -s one "$T/lib/current"
mkfifo -m 0600 "$T/share/fifo"
mknod -m 0666 "$T/share/null" c 1 3
chmod 0755 "$T"
cat >"$C/policy.conf" <<-EOF
	[sealguard]
	mode = enforce
	baseline = $C/baseline

	[protect]
	path = $T
EOF
t_ok "baseline builds" "$SG" baseline build -p "$C/policy.conf" -q
t_eq "the header carries format 2" "sealguard-baseline 2" "$(head -n 1 "$C/baseline")"
t_eq "the symlink is recorded with its target" 1 \
	"$(grep -c "^l 0 0 - one $T/lib/current\$" "$C/baseline")"
t_eq "a directory is recorded with mode and owner" 1 \
	"$(grep -c "^d 0755 0 0 - $T/owned\$" "$C/baseline")"
t_eq "the device node with its numbers" 1 \
	"$(grep -c "^c 0666 0 0 1 3 - $T/share/null\$" "$C/baseline")"
t_eq "the FIFO" 1 "$(grep -c "^p 0600 0 0 - $T/share/fifo\$" "$C/baseline")"
t_eq "the file capability, as setcap wrote it" 1 \
	"$(grep -c " security.capability=[0-9a-f]* $T/bin/hascap\$" "$C/baseline")"

verify() { "$SG" verify -p "$C/policy.conf" "$@" 2>"$SB_ROOT/verify.err"; }
out=$(verify) && rc=0 || rc=$?
t_eq "unchanged tree: exit 0, nothing printed" "0:" "$rc:$out"
t_ok "the summary counts the other entries" \
	grep -q ', 9 other entries, 0 drifted' "$SB_ROOT/verify.err"
json=$(verify --json) && rc=0 || rc=$?
t_eq "unchanged tree, --json: exit 0" 0 "$rc"
t_eq "unchanged tree, --json: no drift" "0 0 2" \
	"$(jq -r '"\(.drifted) \(.drift | length) \(.format)"' <<<"$json")"

# ---------------------------------------------------------------- each change
ln -sfn two "$T/lib/current"      # a retargeted symlink
chmod 0777 "$T/lib"               # a directory chmod-ed
chown 1:2 "$T/owned"              # a directory chown-ed
mkdir "$T/newdir"                 # a new directory
rmdir "$T/gone"                   # a removed directory
chmod u+s "$T/bin/tool"           # a new setuid bit
chmod g+s "$T/bin/sgidme"         # a new setgid bit
setcap cap_net_raw+ep "$T/bin/capme"       # a new file capability
setcap cap_net_admin+ep "$T/bin/hascap"    # a changed file capability
mkfifo "$T/share/newfifo"         # a new FIFO
mknod "$T/share/newnull" c 1 3    # a new device node

want=$(cat <<-EOF
	changed file $T/bin/capme (caps)
	changed file $T/bin/hascap (caps)
	changed file $T/bin/sgidme (mode,setgid)
	changed file $T/bin/tool (mode,setuid)
	removed dir $T/gone
	changed dir $T/lib (mode)
	changed symlink $T/lib/current (target)
	added dir $T/newdir
	changed dir $T/owned (uid,gid)
	added fifo $T/share/newfifo
	added char-device $T/share/newnull
EOF
)
out=$(verify) && rc=0 || rc=$?
t_eq "drift: exit 1" 1 "$rc"
t_eq "each change once, with its kind, in path order, nothing else" "$want" "$out"
t_ok "the summary counts them" grep -q ', 11 drifted' "$SB_ROOT/verify.err"

json=$(verify --json) && rc=0 || rc=$?
t_eq "drift, --json: exit 1" 1 "$rc"
t_ok "--json is one valid JSON document" jq -e . <<<"$json"
t_eq "--json: the same drift as the text" "$want" \
	"$(jq -r '.drift[] | "\(.change) \(.type) \(.path)" +
		(if (.what | length) > 0 then " (\(.what | join(",")))" else "" end)' <<<"$json")"
t_eq "--json: the symlink's old and new target" "one two" \
	"$(jq -r '.drift[] | select(.type == "symlink") | "\(.want.target) \(.have.target)"' <<<"$json")"
t_eq "--json: the directory's old and new mode" "0755 0777" \
	"$(jq -r --arg p "$T/lib" '.drift[] | select(.path == $p) | "\(.want.mode) \(.have.mode)"' <<<"$json")"
t_eq "--json: the new device's numbers" "1 3" \
	"$(jq -r '.drift[] | select(.type == "char-device") | "\(.have.major) \(.have.minor)"' <<<"$json")"
t_ok "--json: the new capability's value" \
	jq -e --arg p "$T/bin/capme" '.drift[] | select(.path == $p) |
		(.want.xattrs == "") and (.have.xattrs | startswith("security.capability="))' <<<"$json"
t_eq "--json: counted" 11 "$(jq -r .drifted <<<"$json")"

# A file turned into a symlink is the one gone and the other added.
rm "$T/lib/one" && ln -s two "$T/lib/one"
out=$(verify) || true
t_ok "a file replaced by a symlink: removed file, then added symlink" \
	grep -qzF "removed file $T/lib/one"$'\n'"added symlink $T/lib/one" <<<"$out"

# After a rebuild, the new state is the baseline: exit 0 again.
t_ok "rebuild" "$SG" baseline build -p "$C/policy.conf" -q
out=$(verify) && rc=0 || rc=$?
t_eq "rebuilt: exit 0, no drift" "0:" "$rc:$out"

# ---------------------------------------------------------------- old format
old=$C/old-baseline
printf 'sealguard-baseline 1\nroot %s\nf %s 8 0644 0 0 %s/lib/two\n' "$T" \
	"$(sha256sum "$T/lib/two" | cut -c1-64)" "$T" >"$old"
chmod 0600 "$old"
sed "s|^baseline = .*|baseline = $old|" "$C/policy.conf" >"$C/old.conf"
chmod 0644 "$C/old.conf"
out=$("$SG" verify -b "$old" 2>&1) && rc=0 || rc=$?
t_eq "verify of a format-1 baseline: exit 2 (refused, not drift)" 2 "$rc"
t_ok "verify: names the file and says to rebuild" \
	has "$old:1: baseline format 1, this sealguard reads only format 2: rebuild the baseline with 'sealguard baseline build'" "$out"
t_eq "verify: that one message, nothing read as records" 1 "$(wc -l <<<"$out")"
out=$("$SG" check -p "$C/old.conf" 2>&1) && rc=0 || rc=$?
t_ok "check refuses it too" test "$rc" -ne 0 -a -n "$(has "sealguard baseline build" "$out" && echo y)"
"$SG" keygen --output "$C/key" 2>/dev/null
out=$("$SG" baseline sign -b "$old" --key "$C/key.key" 2>&1) && rc=0 || rc=$?
t_eq "sign refuses to sign it" 2 "$rc"
t_ok "no signature was written" test ! -e "$old.sig"
out=$(timeout 20 "$D" --confine "$SB_ROOT" --log-target stderr \
	--policy "$C/old.conf" --check 2>&1) && rc=0 || rc=$?
t_eq "the daemon refuses to start on it: exit status 78" 78 "$rc"
t_ok "the daemon names the file and says to rebuild" \
	has "$old:1: baseline format 1, this sealguard reads only format 2: rebuild" "$out"
printf 'sealguard-baseline 3\nroot %s\n' "$T" >"$old"
out=$(timeout 20 "$D" --confine "$SB_ROOT" --log-target stderr \
	--policy "$C/old.conf" --check 2>&1) && rc=0 || rc=$?
t_eq "an unknown, newer format: 78 too" 78 "$rc"
t_ok "it names that version" has "$old:1: baseline format 3," "$out"
