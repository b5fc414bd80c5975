# bash completion for sealguard(1)                         -*- shell-script -*-
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The commands and the options of each are those of `sealguard COMMAND
# --help` (src/cli/help.c, src/cli/opt_table.c, src/cli/cmd_fleet.c, src/cli/cmd_selftest.c,
# src/cli/cmd_maintenance.c);
# tests/integration/86-cli.sh checks that every command and option is
# completed. Installed as /usr/share/bash-completion/completions/sealguard.

# _sealguard_opts COMMAND: its long options.
_sealguard_opts()
{
	case $1 in
	"baseline build") echo --policy --output --root --threads --quiet --help ;;
	"baseline sign") echo --policy --baseline --key --help ;;
	check) echo --policy --baseline --key --verbose --json --help ;;
	fleet) echo --directory --file --since --json --check --silent-after \
		--baseline --baseline-sha --baseline-key --key-sha --help ;;
	help) ;;
	keygen) echo --output --help ;;
	maintenance) echo --policy --state-dir --timeout --no-rebuild --no-restart \
		--help ;;
	selftest) echo --policy --state-dir --canary --exec-dir --directory --json \
		--help ;;
	status) echo --state-dir --json --help ;;
	verify) echo --policy --baseline --key --threads --quiet --json --help ;;
	esac
}

_sealguard()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local commands="baseline check fleet help keygen maintenance selftest status verify"
	local cmd=${COMP_WORDS[1]-} first=2

	COMPREPLY=()
	if [ "$COMP_CWORD" -eq 1 ]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--help --version" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		fi
		return 0
	fi
	if [ "$cmd" = baseline ]; then
		if [ "$COMP_CWORD" -eq 2 ]; then
			mapfile -t COMPREPLY < <(compgen -W "build sign" -- "$cur")
			return 0
		fi
		cmd="baseline ${COMP_WORDS[2]}"
		first=3
	fi
	if [ "$cmd" = help ]; then
		[ "$COMP_CWORD" -eq 2 ] &&
			mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
		return 0
	fi
	# after maintenance's "--": the command and its arguments
	if [ "$cmd" = maintenance ]; then
		local i
		for ((i = 2; i < COMP_CWORD; i++)); do
			[ "${COMP_WORDS[i]}" = -- ] || continue
			if [ "$i" -eq $((COMP_CWORD - 1)) ]; then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			else
				mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			fi
			return 0
		done
	fi
	# the argument of the option before (never the command's own words)
	if [ "$COMP_CWORD" -gt "$first" ]; then
		case $prev in
		-p | --policy | -b | --baseline | -o | --output | -k | --key | \
			--file | --baseline-key | --canary)
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return 0 ;;
		-s | --state-dir | -D | --directory | --exec-dir | -r | --root)
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
			return 0 ;;
		-j | --threads | --since | --silent-after | --baseline-sha | --key-sha | \
			-t | --timeout)
			return 0 ;;
		esac
	fi
	mapfile -t COMPREPLY < <(compgen -W "$(_sealguard_opts "$cmd")" -- "$cur")
	return 0
}
complete -F _sealguard sealguard
