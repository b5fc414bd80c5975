#!/usr/bin/env bash
# 20-interpreter.sh - door 2: a script handed to a trusted interpreter.
# The interpreter only reads the script, so no exec permission event
# fires; its open of a script not in the baseline on an exec-checked path
# is judged as an exec. The interpreters here are copies of the host's
# dash, python3 and perl in the protected tree, so the daemon's default
# list (the baseline's shells, python and perl) covers them. Each attack
# script would leave a mark; the mark must not appear, the interpreter
# must have seen EPERM, and the journal must hold the exec denial
# (SEALGUARD_VIA=interpreter). Data an interpreter reads must still be
# read, and trusted scripts must still run. What no file guard can see
# (code on -c built from a file, standard input) is stated as the limit.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
ATK_DOOR=interpreter

fx_setup
MARKS=$ATK_MARKS
mkdir -p "$MARKS"
SH=$FX_FS/bin/sh
PY=$FX_FS/bin/python3
PL=$FX_FS/bin/perl
cp "$(readlink -f /bin/dash)" "$SH"
cp "$(readlink -f /usr/bin/python3)" "$PY"
cp "$(readlink -f /usr/bin/perl)" "$PL"
S=$FX_SCRATCH
printf '#!/bin/sh\ntouch "$SG_MARK"\n' >"$S/evil.sh"
printf 'touch "$SG_MARK"\n' >"$S/evil"            # no "#!", no suffix
printf 'touch "$SG_MARK"\n' >"$S/evil.txt"        # sourced, see below
printf 'import os\nopen(os.environ["SG_MARK"], "w").close()\n' >"$S/evil.py"
mkdir -p "$S/pymod"
printf 'import os\nopen(os.environ["SG_MARK"], "w").close()\n' >"$S/pymod/evilmod.py"
printf 'open(my $f, ">", $ENV{SG_MARK}); close($f);\n' >"$S/evil.pl"
printf 'line one\n' >"$S/data"
printf 'touch "$SG_MARK"\n' >"$FX_FS/bin/good.sh"
printf 'read l <"$1"; echo "$l"\n' >"$FX_FS/bin/reader.sh"
fx_policy enforce
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

t_journal "the default interpreter list names the baseline's shell" \
	MESSAGE="interpreter (from the baseline): $SH"

atk_blocked "sh-script" EPERM "$(atk_ran a "$SH" "$S/evil.sh")" \
	SEALGUARD_VIA=interpreter SEALGUARD_PATH="$S/evil.sh"
atk_blocked "sh-script-no-shebang-no-suffix" EPERM "$(atk_ran b "$SH" "$S/evil")" \
	SEALGUARD_VIA=interpreter SEALGUARD_PATH="$S/evil"
atk_blocked "sh-relative-name" EPERM "$(cd "$S" && atk_ran c "$SH" ./evil)" \
	SEALGUARD_VIA=interpreter SEALGUARD_PATH="$S/evil"
atk_blocked "sh-sources-script-from-c" EPERM "$(atk_ran d "$SH" -c ". $S/evil.sh")" \
	SEALGUARD_VIA=interpreter SEALGUARD_PATH="$S/evil.sh"
atk_blocked "python-script" EPERM "$(atk_ran e "$PY" "$S/evil.py")" \
	SEALGUARD_VIA=interpreter SEALGUARD_PATH="$S/evil.py"
atk_blocked "python-module-from-path" EPERM \
	"$(atk_ran f env PYTHONPATH="$S/pymod" "$PY" -c 'import evilmod')" \
	SEALGUARD_VIA=interpreter SEALGUARD_PATH="$S/pymod/evilmod.py"
atk_blocked "perl-script" EPERM "$(atk_ran g "$PL" "$S/evil.pl")" \
	SEALGUARD_VIA=interpreter SEALGUARD_PATH="$S/evil.pl"

# The limit: code the interpreter is given, not a file it opens.
t_eq "limit, proved: code on -c made from a file runs (no file guard sees it)" ran \
	"$(atk_ran h "$SH" -c "$(cat "$S/evil")")"
t_eq "limit, proved: a script on standard input runs" ran \
	"$(atk_ran i "$SH" <"$S/evil")"
t_eq "limit, proved: a file with no '#!' nor suffix sourced by -c code runs" ran \
	"$(atk_ran k "$SH" -c ". $S/evil.txt")"
atk_limit "code-on-c-or-stdin" \
	"the interpreter opens no script file for code given with -c or on stdin" \
	"ship no interpreter the image does not need; [listen] keeps code from arriving"

# What must keep working.
atk_allowed "trusted-script-runs" "$(atk_ran j "$SH" "$FX_FS/bin/good.sh")" ran
atk_allowed "trusted-script-reads-its-data-argument" \
	"$("$SH" "$FX_FS/bin/reader.sh" "$S/data")" "line one"
atk_allowed "shell-reads-data-by-redirect" \
	"$("$SH" -c "read l <'$S/data'; echo \"\$l\"")" "line one"
atk_allowed "python-reads-data" \
	"$("$PY" -c 'import sys; print(open(sys.argv[1]).read().strip())' "$S/data")" \
	"line one"
atk_allowed "cat-of-untrusted-script" "$(cat "$S/evil.sh" >/dev/null && echo ok)"
t_eq "no data read was logged as a denial" 0 \
	"$(sb_journal_count SEALGUARD_PATH="$S/data")"
sb_stop_daemon
