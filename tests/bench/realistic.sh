#!/bin/sh
# realistic.sh TREE BIN - the "realistic" workload of `make bench`: what a
# busy host does to files and programs, run by the guarded copy of dash
# so that every program it starts is an exec the guard checks:
#   tar of the whole tree into a pipe; 200 x (cat a file, ls a directory,
#   true); grep -r over the tree.
tree=$1 bin=$2
"$bin/tar" cf - -C "$tree" . | "$bin/cat" >/dev/null
i=0
while [ "$i" -lt 200 ]; do
	"$bin/cat" "$tree/d$((i % 100))/f$((i % 100))" >/dev/null
	"$bin/ls" "$tree/d$((i % 100))" >/dev/null
	"$bin/true"
	i=$((i + 1))
done
"$bin/grep" -r -q nomatch-anywhere "$tree" || true
