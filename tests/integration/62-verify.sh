#!/usr/bin/env bash
# 62-verify.sh - `sealguard verify` on a generated tree (nested
# directories, empty, small and large files, odd names) finds every kind
# of drift from its baseline and nothing else: added, removed, content
# (same size and new size), mode, owner, group, a file turned into a
# symlink or a directory (the file removed, the new type added), renames
# and hardlinks, directories added and removed; excluded trees are
# ignored. Exit 0 without drift, 1 with; the same with one thread.
# (63-verify-kinds.sh: the other types, setuid bits and capabilities.)
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"

SG=$SG_BUILD/sealguard
T=$(sb_mount_tmpfs tree)
C=$(sb_mount_tmpfs cfg)

# ---------------------------------------------------------------- the tree
for d in a b c; do
	for s in 1 2 3 4; do
		mkdir -p "$T/$d/s$s/deep"
		for f in 1 2 3 4 5 6 7 8 9 10; do
			printf '%s %s %s\n' "$d" "$s" "$f" >"$T/$d/s$s/f$f"
			printf '%s\n' "$RANDOM$RANDOM" >"$T/$d/s$s/deep/g$f"
		done
	done
done
: >"$T/a/empty"
head -c 600000 /dev/urandom >"$T/a/large" # hashed in chunks
printf 'odd\n' >"$T/a/name with space"
mkdir -p "$T/skip"
printf 'ignored\n' >"$T/skip/x"
cat >"$C/policy.conf" <<-EOF
	[sealguard]
	mode = enforce
	baseline = $C/baseline

	[protect]
	path = $T
	exclude = $T/skip
EOF
t_ok "baseline builds" "$SG" baseline build -p "$C/policy.conf" -q
verify() { "$SG" verify -p "$C/policy.conf" "$@" 2>"$SB_ROOT/verify.err"; }
out=$(verify) && rc=0 || rc=$?
t_eq "no drift: exit 0" "0:" "$rc:$out"
files=$(sed -n 's/.*: \([0-9]*\) files, .*/\1/p' "$SB_ROOT/verify.err")
t_eq "it read every file ($(cat "$SB_ROOT/verify.err"))" 243 "$files"
t_ok "it reports its speed" grep -Eq '[0-9]+ files/s, [0-9.]+ MB/s' "$SB_ROOT/verify.err"

# ---------------------------------------------------------------- drift
printf 'new\n' >"$T/a/added"
mkdir "$T/c/newdir" && printf 'n\n' >"$T/c/newdir/inside"
rm "$T/b/s1/f1"
rm -r "$T/b/s2/deep"
printf 'A S 1\n' >"$T/a/s1/f1"           # same size, other bytes
printf 'longer now\n' >"$T/a/s1/f2"      # other size
printf 'x' >>"$T/a/large"
chmod 0600 "$T/a/s1/f3"
chown 1 "$T/a/s1/f4"
chgrp 2 "$T/a/s1/f5"
chown 3:4 "$T/a/s1/f6"
rm "$T/a/s1/f7" && ln -s f8 "$T/a/s1/f7" # a symlink is not a file
rm "$T/a/s1/f9" && mkdir "$T/a/s1/f9" && printf 'd\n' >"$T/a/s1/f9/in"
mv "$T/a/s2/f1" "$T/a/s2/moved"
ln "$T/a/s2/f2" "$T/a/s2/linked"
chmod 0644 "$T/a/name with space" && printf 'ODD\n' >"$T/a/name with space"
printf 'changed\n' >"$T/skip/x"
printf 'ignored\n' >"$T/skip/new"

want=$(cat <<-EOF
	added file $T/a/added
	changed file $T/a/large (hash,size)
	changed file $T/a/name\x20with\x20space (hash)
	changed file $T/a/s1/f1 (hash)
	changed file $T/a/s1/f2 (hash,size)
	changed file $T/a/s1/f3 (mode)
	changed file $T/a/s1/f4 (uid)
	changed file $T/a/s1/f5 (gid)
	changed file $T/a/s1/f6 (uid,gid)
	removed file $T/a/s1/f7
	added symlink $T/a/s1/f7
	removed file $T/a/s1/f9
	added dir $T/a/s1/f9
	added file $T/a/s1/f9/in
	removed file $T/a/s2/f1
	added file $T/a/s2/linked
	added file $T/a/s2/moved
	removed file $T/b/s1/f1
	removed dir $T/b/s2/deep
	removed file $T/b/s2/deep/g1
	removed file $T/b/s2/deep/g10
	removed file $T/b/s2/deep/g2
	removed file $T/b/s2/deep/g3
	removed file $T/b/s2/deep/g4
	removed file $T/b/s2/deep/g5
	removed file $T/b/s2/deep/g6
	removed file $T/b/s2/deep/g7
	removed file $T/b/s2/deep/g8
	removed file $T/b/s2/deep/g9
	added dir $T/c/newdir
	added file $T/c/newdir/inside
EOF
)
out=$(verify) && rc=0 || rc=$?
t_eq "drift: exit 1" 1 "$rc"
t_eq "every drift, each once, in path order, nothing else" "$want" "$out"
t_ok "the summary counts them" grep -q ', 31 drifted' "$SB_ROOT/verify.err"
out1=$(verify -j 1) || true
t_eq "one thread finds the same" "$want" "$out1"
