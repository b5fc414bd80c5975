# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# attack.sh - the verdicts of the attack catalogue (tests/attacks/).
# Source after sandbox.sh, after sb_enter. Each attack is tried for real
# against the running daemon; its verdict is one of
#
#   BLOCKED   the attacker's step failed with the errno the guard gives,
#             and the journal holds the guard's entry for it
#   DETECTED  the kernel let the step happen, and the guard reported it
#             (and answered, where the policy says so) within a bound
#   MISSED    neither: the attacker got what it wanted unseen
#
# Every verdict prints one "ATTACK: DOOR ID VERDICT ..." line (the row of
# the catalogue tests/run.sh sums up at the end) and one PASS or FAIL
# line: BLOCKED and DETECTED pass when they were expected, MISSED always
# fails. A door the kernel cannot shut on this machine is never waved
# through here: the script says so with atk_limit, which states the kernel
# limit and the control that narrows it, and still fails if that control
# did not hold.
#
#   ATK_DOOR=library                       the door under attack
#   atk_blocked ID WANT_ERRNO GOT [JOURNAL MATCHES...]
#   atk_detected ID SECONDS JOURNAL MATCHES...
#   atk_allowed ID GOT [WANT]              a false positive check: the
#                                          legitimate use still works
#   atk_limit ID "kernel limit" "control"  a row for a door left ajar
#   atk_ran NAME CMD...                    did a payload run (see below)

ATK_DOOR=${ATK_DOOR:-unnamed}
ATK_MARKS=${ATK_MARKS:-$SB_ROOT/marks}

atk__row() { # atk__row ID VERDICT DETAIL
	printf 'ATTACK: %s %s %s %s\n' "$ATK_DOOR" "$1" "$2" "$3"
}

# atk__entry MATCHES...: the newest matching entry's MESSAGE_ID and
# SEALGUARD_EVENT, or nothing; waits like sb_journal_wait.
atk__entry() {
	local out
	out=$(sb_journal_wait "$@" | tail -n 1) || return 1
	printf '%s\n' "$out" | sed -n \
		's/.*"MESSAGE_ID":"\([0-9a-f]*\)".*/id=\1/p' | tr '\n' ' '
	printf '%s\n' "$out" | sed -n \
		's/.*"SEALGUARD_EVENT":"\([a-z_-]*\)".*/event=\1/p'
	return 0
}

# atk_blocked ID WANT_ERRNO GOT [JOURNAL MATCHES...]: the attack's step
# returned GOT (an errno name from sgtry, or "exit=N"); it is blocked when
# GOT is WANT_ERRNO and, when MATCHES are given, the journal holds a
# matching entry.
atk_blocked() {
	local id=$1 want=$2 got=$3 entry=""
	shift 3
	if [ "$got" != "$want" ]; then
		atk__row "$id" MISSED "the attacker saw '$got', not $want"
		t_fail "$ATK_DOOR/$id: blocked" "expected $want, got '$got'"
		return 0
	fi
	if [ $# -gt 0 ] && ! entry=$(atk__entry "$@"); then
		atk__row "$id" MISSED "blocked ($got) but no journal entry matching '$*'"
		t_fail "$ATK_DOOR/$id: blocked and logged" "no journal entry matching '$*'"
		return 0
	fi
	atk__row "$id" BLOCKED "errno=$got${entry:+ $entry}"
	t_pass "$ATK_DOOR/$id: blocked ($got)${entry:+, logged}"
}

# atk_detected ID SECONDS JOURNAL MATCHES...: the step succeeded (the
# kernel allows it); a matching entry must appear within SECONDS.
atk_detected() {
	local id=$1 entry
	shift
	local wait=$1
	shift
	if ! entry=$(SB_JOURNAL_WAIT=$wait atk__entry "$@"); then
		atk__row "$id" MISSED "no journal entry matching '$*' within $wait s"
		t_fail "$ATK_DOOR/$id: detected" "no journal entry matching '$*' within $wait s"
		return 0
	fi
	atk__row "$id" DETECTED "within=${wait}s $entry"
	t_pass "$ATK_DOOR/$id: detected within $wait s"
}

# atk_detected_again ID SECONDS BEFORE MATCHES...: as atk_detected, for
# a step whose entry looks like an earlier one: it is detected when more
# than BEFORE entries match (BEFORE: sb_journal_count MATCHES, taken
# before the step) within SECONDS.
atk_detected_again() {
	local id=$1 wait=$2 before=$3 n=0 i
	shift 3
	for ((i = 0; i <= wait * 10; i++)); do
		n=$(sb_journal_count "$@")
		[ "$n" -gt "$before" ] && break
		sleep 0.1
	done
	if [ "$n" -le "$before" ]; then
		atk__row "$id" MISSED "no new journal entry matching '$*' within $wait s"
		t_fail "$ATK_DOOR/$id: detected" "no new journal entry matching '$*' within $wait s (still $n)"
		return 0
	fi
	atk__row "$id" DETECTED "within=${wait}s entries=$n"
	t_pass "$ATK_DOOR/$id: detected within $wait s"
}

# atk_allowed ID GOT [WANT]: what a legitimate user does still works
# (WANT defaults to "ok", sgtry's success).
atk_allowed() {
	local want=${3:-ok}
	if [ "$2" = "$want" ]; then
		atk__row "$1" ALLOWED "legitimate use works"
		t_pass "$ATK_DOOR/$1: legitimate use still works"
	else
		atk__row "$1" FALSE-POSITIVE "expected '$want', got '$2'"
		t_fail "$ATK_DOOR/$1: legitimate use still works" "expected '$want', got '$2'"
	fi
}

# atk_limit ID LIMIT CONTROL: a door the kernel does not let us shut
# here, stated; the script must still test CONTROL with its own checks.
atk_limit() {
	atk__row "$1" LIMIT "kernel: $2; control: $3"
}

# atk_ran NAME CMD...: run CMD with SG_MARK=$ATK_MARKS/NAME, the file the
# attack's payload creates when it runs: "ran" if it did, EPERM if CMD
# reported an open refused (strerror's text on stderr), else what it said.
atk_ran() {
	local name=$1 err
	shift
	mkdir -p "$ATK_MARKS"
	rm -f "$ATK_MARKS/$name"
	err=$(SG_MARK=$ATK_MARKS/$name timeout 10 "$@" 2>&1 >/dev/null) || true
	if [ -e "$ATK_MARKS/$name" ]; then
		echo ran
	elif printf '%s' "$err" | grep -qi 'operation not permitted'; then
		echo EPERM
	else
		echo "not-run(${err:-no message})"
	fi
}
