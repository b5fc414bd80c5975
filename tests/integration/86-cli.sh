#!/usr/bin/env bash
# 86-cli.sh - the operator's CLI says exactly what it does:
#  - every command (main.c's table) has its own --help (and `help
#    COMMAND`), not the global text; each option of the code's tables
#    (opt_table.c, and fleet's own in cmd_fleet.c) that a command's --help
#    lists is taken by that command, and each it does not list is
#    refused; sealguard(1)'s synopsis of the command lists the same
#    options, and its OPTIONS section describes every one;
#  - the bash completion completes every command, action and option of
#    each command (run for real), and the zsh completion the same (its own
#    dispatcher run in zsh, with _arguments and _describe stubbed);
#  - the exit statuses of sealguard(1): check 1 for problems, 2 for a
#    file it cannot read (check -p /nonexistent), and the others;
#  - check --json and status --json are read by Python's json, with the
#    exit status in the document, a \xff byte as U+FFFD, and the running
#    daemon's real status.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"

R=$SB_REPO
S=$SG_BUILD/sealguard
MAN=$R/packaging/man/sealguard.1
W=$SB_ROOT/work
mkdir -p "$W"

# missing WANT HAVE: the words of WANT (one a line) not in HAVE.
missing() { comm -23 <(sort -u <<<"$1") <(sort -u <<<"$2") | paste -sd' ' -; }
# same A B: the two word lists, sorted, one a line
words() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -u | paste -sd' ' -; }
man_text() { LC_ALL=C MANWIDTH=400 man --nh --nj -l "$1" 2>/dev/null | col -bx; }
longopts() { grep -oE -- '--[a-z][a-z-]*' | sort -u; }

# ================================================================ the code's tables
# main.c: { "check", "sealguard check", cmd_check }
top=$(sed -nE 's/^[[:space:]]*\{ "([a-z]+)", "sealguard [a-z]+", cmd_[a-z_]+ \},$/\1/p' \
	"$R/src/cli/main.c" | sort)
t_ok "main.c's command table read (at least 7 commands)" test "$(wc -l <<<"$top")" -ge 7
# opt_table.c: { "policy", 'p', ...
table=$(sed -n '/^const struct cli_opt cli_opts\[CLI_NOPTS\] = {/,/^};/p' "$R/src/cli/opt_table.c" |
	sed -nE 's/^[[:space:]]*\{ "([a-z-]+)", .*/--\1/p' | grep -vx -- --help | sort)
t_ok "opt_table.c's option table read (at least 9 options)" test "$(wc -l <<<"$table")" -ge 9
# fleet, selftest and maintenance have their own parsers: their own
# getopt_long tables
own_table() {
	sed -n '/static const struct option opts\[\] = {/,/^[[:space:]]*};/p' \
		"$R/src/cli/cmd_$1.c" | sed -nE 's/^[[:space:]]*\{ "([a-z-]+)", .*/--\1/p' |
		grep -vx -- --help | sort
}
fleet_table=$(own_table fleet)
t_ok "cmd_fleet.c's option table read (at least 10 options)" test "$(wc -l <<<"$fleet_table")" -ge 10
selftest_table=$(own_table selftest)
t_ok "cmd_selftest.c's option table read (at least 6 options)" test "$(wc -l <<<"$selftest_table")" -ge 6
maintenance_table=$(own_table maintenance)
t_ok "cmd_maintenance.c's option table read (at least 5 options)" test "$(wc -l <<<"$maintenance_table")" -ge 5

# The commands --help lists: "  check           validate ..."
global=$("$S" --help)
cmds=$(sed -n '/^Commands:/,/^$/p' <<<"$global" | sed -nE 's/^  ([a-z]+( [a-z]+)?)  +.*/\1/p')
t_eq "sealguard --help lists every command of main.c's table (baseline as its actions)" \
	"$(words "$top")" "$(words "$(cut -d' ' -f1 <<<"$cmds" | sort -u)")"
t_eq "the baseline actions are build and sign" "baseline build baseline sign" \
	"$(grep '^baseline ' <<<"$cmds" | paste -sd' ' -)"

# A value each option's argument can take, read before --help is seen.
"$S" keygen --output "$W/k" 2>/dev/null
printf 'x\n' >"$W/afile"
declare -A ARG=([--threads]=1 [--silent-after]=1 [--since]=10
	[--baseline-sha]=$(printf 'a%.0s' {1..64}) [--key-sha]=$(printf 'a%.0s' {1..64})
	[--baseline-key]=$W/k.pub [--baseline]=$W/afile [--file]=$W/afile [--timeout]=60)
# takes CMD OPT: `sealguard CMD OPT [ARG] --help` gets to its help
takes() {
	local -a cmd argv
	read -ra cmd <<<"$1"
	argv=("$2")
	if "$S" "${cmd[@]}" --help | grep -qE -- "^ +(-[a-zA-Z], )?$2 [A-Z]"; then
		argv+=("${ARG[$2]:-$W/afile}")
	fi
	"$S" "${cmd[@]}" "${argv[@]}" --help 2>"$W/takes.err" | grep -q "^Usage: sealguard $1 "
}

man=$(man_text "$MAN")
man_opts=$(sed -n '/^OPTIONS/,/^EXIT STATUS/p' <<<"$man" | grep -E '^       -' | longopts)
while read -r c; do
	read -ra cw <<<"$c"
	help=$("$S" "${cw[@]}" --help 2>&1) && rc=0 || rc=$?
	t_eq "$c --help: exit 0, its own usage (not the global text)" \
		"0 Usage: sealguard $c " "$rc $(head -c $((${#c} + 18)) <<<"$help")"
	t_eq "help $c prints the same text" "$help" "$("$S" help "${cw[@]}" 2>&1)"
	t_ok "$c --help has an Exit status section" grep -q '^Exit status:' <<<"$help"
	flags=$(sed -n '/^Options:/,/^$/p' <<<"$help" | grep -E '^  ' | longopts | grep -vx -- --help || true)
	if [ "$c" = fleet ]; then
		code=$fleet_table
	elif [ "$c" = selftest ]; then
		code=$selftest_table
	elif [ "$c" = maintenance ]; then
		code=$maintenance_table
	else
		code=$table
	fi
	if [ "$c" != help ]; then
		t_ok "$c --help lists --help" grep -qE -- '^  -h, --help' <<<"$help"
	fi
	if [ "$c" = fleet ] || [ "$c" = selftest ] || [ "$c" = maintenance ]; then
		t_eq "$c --help lists every option of cmd_$c.c's table" "" "$(missing "$code" "$flags")"
	fi
	t_eq "$c --help lists only options of the code's table" "" "$(missing "$flags" "$code")"
	refused=""
	taken=""
	for o in $code; do
		if grep -qx -- "$o" <<<"$flags"; then
			takes "$c" "$o" || taken+="$o($(head -c 80 "$W/takes.err")) "
		elif [ "$c" != fleet ] && [ "$c" != selftest ] && [ "$c" != maintenance ]; then
			! takes "$c" "$o" || refused+="$o "
		fi
	done
	t_eq "$c takes every option its --help lists" "" "${taken% }"
	t_eq "$c refuses every option of the table its --help does not list" "" "${refused% }"
	if [ "$c" != fleet ] && [ "$c" != help ]; then
		# maintenance passes its COMMAND's status through: its own
		# errors are 125, as env(1)'s and timeout(1)'s (its --help says so)
		usage_rc=2
		[ "$c" != maintenance ] || usage_rc=125
		out=$("$S" "${cw[@]}" --no-such-option 2>&1 >/dev/null) && rc=0 || rc=$?
		t_eq "$c: an unknown option is refused with exit $usage_rc and a pointer to its help" \
			"$usage_rc Try 'sealguard $c --help'." "$rc $(tail -1 <<<"$out")"
	fi
	# sealguard(1): the synopsis line of the command
	syn=$(grep -E "^       sealguard $c( |\$)" <<<"$man" | head -1)
	t_eq "sealguard(1)'s synopsis of $c lists exactly its --help's options" \
		"$(words "$flags")" "$(words "$(longopts <<<"$syn" | paste -sd' ' -)")"
	t_eq "sealguard(1)'s OPTIONS describe every option of $c" "" "$(missing "$flags" "$man_opts")"
done <<<"$cmds"

t_eq "help NOSUCH: exit 2" 2 "$("$S" help nosuch >/dev/null 2>&1 || echo $?)"
t_ok "baseline --help prints both actions' help" \
	test "$("$S" baseline --help | grep -c '^Usage: sealguard baseline ')" = 2

# ================================================================ completion
# complete WORDS...: what the bash completion offers for the last word
# (the last argument, "" for a new word) after the others.
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_sealguard; printf "%s\n" "${COMPREPLY[@]}"' _ \
		"$R/packaging/completion/sealguard.bash" sealguard "$@" | sort -u | paste -sd' ' -
}
# zsh_complete WORDS...: the long options the zsh completion offers after
# the command's WORDS, through its own dispatcher: _arguments and
# _describe are stubs (the first, -C, call sets state=args as zsh does
# once a command is typed; the command's own call prints its specs).
zsh_complete() {
	zsh -fc '
		_arguments() {
			if [[ $1 == -C ]]; then state=args; return 0; fi
			local s
			for s in "$@"; do s=${s#\(*\)}; s=${s#\*}; print -r -- ${s%%\[*}; done
		}
		_describe() { print -r -- describe; }
		source "$1" >/dev/null
		shift
		words=("$@" "")
		CURRENT=$(( $# + 1 ))
		_sealguard' _ "$R/packaging/completion/_sealguard" "$@" 2>&1 |
		grep -- '^--' | sort -u | paste -sd' ' -
}
t_eq "bash: the first word completes every command" "$(words "$top")" "$(complete_words "")"
t_eq "bash: baseline completes its actions" "build sign" "$(complete_words baseline "")"
t_eq "bash: help completes every command" "$(words "$top")" "$(complete_words help "")"
t_eq "bash: --help and --version before a command" "--help --version" "$(complete_words -)"
while read -r c; do
	[ "$c" != help ] || continue
	read -ra cw <<<"$c"
	flags=$("$S" "${cw[@]}" --help | sed -n '/^Options:/,/^$/p' | grep -E '^  ' | longopts)
	t_eq "bash: $c completes exactly its options" "$(words "$flags")" \
		"$(complete_words "${cw[@]}" --)"
	t_eq "zsh: $c completes exactly its options" "$(words "$flags")" \
		"$(zsh_complete "${cw[@]}")"
done <<<"$cmds"
bopt=$(complete_words check --policy "$W/af")
t_eq "bash: --policy completes a file name" "$W/afile" "$bopt"
t_eq "zsh: the completion parses (zsh -n)" "0:" \
	"$(zsh -n "$R/packaging/completion/_sealguard" 2>&1 && echo 0 || echo $?):"
t_eq "zsh: every command is listed" "$(words "$top")" \
	"$(zsh -fc 'source "$1" >/dev/null 2>&1; print -r -- ${_sealguard_commands%%:*}' _ \
		"$R/packaging/completion/_sealguard" 2>&1 | tr ' ' '\n' | sort | paste -sd' ' -)"

# ================================================================ exit statuses
fx_setup
fx_policy enforce
t_ok "baseline builds" fx_baseline
rc_of() { "$@" >/dev/null 2>&1 && echo 0 || echo $?; }
t_eq "check: a valid policy and baseline: 0" 0 "$(rc_of "$S" check -p "$FX_POLICY")"
t_eq "check -p /nonexistent: 2 (a file it cannot read), as sealguard(1) says" 2 \
	"$(rc_of "$S" check -p /nonexistent)"
t_ok "sealguard(1) says check -p /nonexistent is 2" \
	grep -qF "2: the policy, the baseline or its signature cannot be read at all (for example check --policy /nonexistent" \
	<<<"$(tr -s ' \n' '  ' <<<"$man")"
printf '[sealguard]\nmode = bogus\n' >"$W/bad.conf"
t_eq "check: an invalid policy: 1 (problems found)" 1 "$(rc_of "$S" check -p "$W/bad.conf")"
t_eq "check: a missing baseline: 2" 2 "$(rc_of "$S" check -p "$FX_POLICY" -b "$W/none")"
cp "$FX_CFG/baseline" "$W/baseline.bad"
printf 'garbage line\n' >>"$W/baseline.bad"
t_eq "check: a corrupt baseline: 1" 1 "$(rc_of "$S" check -p "$FX_POLICY" -b "$W/baseline.bad")"
t_eq "verify: no drift: 0" 0 "$(rc_of "$S" verify -p "$FX_POLICY")"
t_eq "verify -p /nonexistent: 2" 2 "$(rc_of "$S" verify -p /nonexistent)"
printf 'drift\n' >"$FX_FS/etc/new.conf"
t_eq "verify: drift: 1" 1 "$(rc_of "$S" verify -p "$FX_POLICY")"
rm "$FX_FS/etc/new.conf"
t_eq "status: no record: 3" 3 "$(rc_of "$S" status -s "$W/nostate")"
t_eq "keygen without --output: 2" 2 "$(rc_of "$S" keygen)"
t_eq "an unknown command: 2" 2 "$(rc_of "$S" nosuch)"

# ================================================================ --json
# pyget FILE EXPR: EXPR of the JSON document d in FILE, by Python's json
pyget() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
r = eval(sys.argv[2])
print(" ".join(map(str, r)) if isinstance(r, tuple) else r)' "$1" "$2" 2>&1
}
"$S" check -p "$FX_POLICY" --json >"$W/c.json" 2>/dev/null && rc=0 || rc=$?
t_eq "check --json: valid: ok, exit 0 both ways, policy and baseline valid, no problem" \
	"0 True 0 True True []" \
	"$rc $(pyget "$W/c.json" 'd["ok"], d["exit_status"], d["policy"]["valid"], d["baseline"]["valid"], d["problems"]')"
t_ok "check --json: the baseline has files" test "$(pyget "$W/c.json" 'd["baseline"]["files"]')" -ge 4
"$S" check -p "$W/bad.conf" --json >"$W/bad.json" 2>/dev/null && rc=0 || rc=$?
t_eq "check --json: invalid policy: exit 1 both ways, the problem listed" \
	"1 1 False True" \
	"$rc $(pyget "$W/bad.json" 'd["exit_status"], d["policy"]["valid"], any("must be one of" in p for p in d["problems"])')"
"$S" check -p /nonexistent --json >"$W/none.json" 2>/dev/null && rc=0 || rc=$?
t_eq "check --json -p /nonexistent: exit 2 both ways" "2 2" \
	"$rc $(pyget "$W/none.json" 'd["exit_status"]')"
"$S" check -p "$FX_POLICY" -v --json >"$W/v.json" 2>/dev/null || true
t_ok "check --json --verbose: the normalised policy is in it" \
	grep -q '^\[protect\]$' <<<"$(pyget "$W/v.json" 'd["policy"]["normalised"]')"

mkdir -p "$W/state"
printf 'seq=1\nstate=stopped\npid=1\nstarted=100\nmode=enforce\npolicy=/p\xffq\nevents=12\nsummary=a "q"\nend=1\n' \
	>"$W/state/status"
"$S" status -s "$W/state" --json >"$W/s.json" && rc=0 || rc=$?
t_eq "status --json: a stopped daemon: exit 3, running false, counters as numbers, \\xff as U+FFFD" \
	"3 False stopped 12 /p\\ufffdq" \
	"$rc $(pyget "$W/s.json" 'd["running"], d["state"], d["events"] + 0, ascii(d["policy"])[1:-1]')"
"$S" status -s "$W/nostate" --json >"$W/n.json" && rc=0 || rc=$?
t_eq "status --json: no record: exit 3, state absent" "3 False absent" \
	"$rc $(pyget "$W/n.json" 'd["running"], d["state"]')"

sb_start_journald
if sb_start_daemon "$FX_POLICY"; then
	"$S" status -s "$SB_ROOT/sealguard-state" --json >"$W/live.json" && rc=0 || rc=$?
	t_eq "status --json: the running daemon: exit 0, running, its pid, enforce, a filter" \
		"0 True running $SB_DAEMON_PID enforce filter" \
		"$rc $(pyget "$W/live.json" 'd["running"], d["state"], d["pid"], d["mode"], d["seccomp"].split()[0]')"
	t_eq "status --json: the policy's SHA-256" "$(fx_sha "$FX_POLICY")" \
		"$(pyget "$W/live.json" 'd["policy_sha256"]')"
	t_ok "status --json: an uptime" test "$(pyget "$W/live.json" 'd["uptime_s"]')" -ge 0
	sb_stop_daemon || true
fi
