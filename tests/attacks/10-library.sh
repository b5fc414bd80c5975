#!/usr/bin/env bash
# 10-library.sh - door 1: an untrusted library loaded into a trusted
# program. No exec permission event fires when the loader maps a library,
# so the open the loader makes (read-only, O_CLOEXEC) of an ELF object
# not in the baseline is judged as an exec of it. Each route the loader
# offers is tried with a real shared object whose constructor leaves a
# mark; the mark must not appear, the loader's open must have failed, and
# the journal must hold the exec denial (SEALGUARD_VIA=library or
# loader). A plain read of the same file (cp, a checksum) must still work,
# and so must a library the baseline lists.
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
ATK_DOOR=library

fx_setup
MARKS=$ATK_MARKS
mkdir -p "$MARKS"
# The payload: a constructor that runs inside whatever program loads it
# and writes its name under $MARKS. Built here, by the test, from source.
cat >"$SB_ROOT/payload.c" <<'EOF'
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
__attribute__((constructor)) static void payload(void)
{
	const char *mark = getenv("SG_MARK");
	int fd;

	if (!mark)
		return;
	fd = open(mark, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		(void)write(fd, "ran\n", 4);
		(void)close(fd);
	}
}
EOF
EVIL=$FX_SCRATCH/evil.so
GOOD=$FX_FS/bin/good.so
cc -shared -fPIC -o "$EVIL" "$SB_ROOT/payload.c"
cp "$EVIL" "$GOOD"                      # the same code, in the baseline
mkdir -p "$FX_SCRATCH/lib"
cp "$EVIL" "$FX_SCRATCH/lib/libc.so.6"  # for a LD_LIBRARY_PATH swap
LOADER=$(readlink -f /lib64/ld-linux-x86-64.so.2)
TOOL=$FX_FS/bin/tool
fx_policy enforce
t_ok "baseline builds" fx_baseline
sb_start_journald
sb_start_daemon "$FX_POLICY"

# glibc's loader says "cannot be preloaded ... ignored" without an errno
# for LD_PRELOAD and LD_AUDIT, so those two are judged by the mark alone
# and by the journal entry, and the program must still have run.
preload_result() {
	local name=$1
	shift
	rm -f "$MARKS/$name"
	if SG_MARK=$MARKS/$name timeout 10 "$@" >/dev/null 2>&1 &&
		[ ! -e "$MARKS/$name" ]; then
		echo EPERM
	elif [ -e "$MARKS/$name" ]; then
		echo ran
	else
		echo "program-failed"
	fi
}

atk_blocked "ld-preload" EPERM \
	"$(preload_result preload env LD_PRELOAD="$EVIL" "$TOOL")" \
	SEALGUARD_VIA=library SEALGUARD_PATH="$EVIL"
atk_blocked "ld-audit" EPERM \
	"$(preload_result audit env LD_AUDIT="$EVIL" "$TOOL")" \
	SEALGUARD_VIA=library SEALGUARD_PATH="$EVIL"
atk_blocked "loader-preload-option" EPERM \
	"$(preload_result option "$LOADER" --preload "$EVIL" "$TOOL")" \
	SEALGUARD_VIA=loader SEALGUARD_PATH="$EVIL"
# the loader skips a library it cannot open and takes the next in its
# path: the program runs with the real libc, the payload never loads
atk_blocked "ld-library-path-swap" EPERM \
	"$(preload_result swap env LD_LIBRARY_PATH="$FX_SCRATCH/lib" "$TOOL")" \
	SEALGUARD_VIA=library SEALGUARD_PATH="$FX_SCRATCH/lib/libc.so.6"
atk_blocked "dlopen" EPERM \
	"$(atk_ran dlopen python3 -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1])' "$EVIL")" \
	SEALGUARD_VIA=library SEALGUARD_PATH="$EVIL"
atk_blocked "open-as-the-loader-does" EPERM \
	"$(sb_try openat-cloexec "$EVIL")" \
	SEALGUARD_VIA=library SEALGUARD_PATH="$EVIL"
# /etc/ld.so.preload is read by the same loader, which then makes the same
# open; the file itself lies under a protected /etc on a real host
# (docs/policy.md), so it is not rewritten here, outside the sandbox's
# own mounts.

# What must keep working.
atk_allowed "trusted-library-preloads" \
	"$(preload_result good env LD_PRELOAD="$GOOD" "$TOOL")" ran
t_eq "the trusted library's constructor ran (its mark is there)" ran \
	"$(cat "$MARKS/good" 2>/dev/null || echo missing)"
atk_allowed "plain-read-of-untrusted-library" "$(sb_try openat-rdonly "$EVIL")"
atk_allowed "cp-of-untrusted-library" \
	"$(cp "$EVIL" "$SB_ROOT/copy.so" && cmp -s "$EVIL" "$SB_ROOT/copy.so" && echo ok)"
atk_allowed "checksum-of-untrusted-library" \
	"$([ "$(fx_sha "$EVIL")" = "$(fx_sha "$SB_ROOT/copy.so")" ] && echo ok)"
t_eq "no plain read of the library was logged as a denial" 0 \
	"$(sb_journal_count SEALGUARD_PATH="$EVIL" SEALGUARD_EXE="$(readlink -f "$(command -v cp)")")"
t_eq "the untrusted library itself is unchanged" \
	"$(fx_sha "$SB_ROOT/copy.so")" "$(fx_sha "$EVIL")"
sb_stop_daemon

# An [exec] inspector may open it the loader's way too, and is logged.
SGTRY=$(readlink -f "$SB_TOOLS/sgtry")
fx_policy enforce "inspector = $SGTRY"
t_ok "baseline builds (with an inspector)" fx_baseline
sb_start_daemon "$FX_POLICY"
atk_allowed "inspector-opens-untrusted-library" "$(sb_try openat-cloexec "$EVIL")"
t_journal "the inspector's open is logged as such" \
	SEALGUARD_REASON=inspector SEALGUARD_PATH="$EVIL" SEALGUARD_EXE="$SGTRY"
atk_blocked "ld-preload-with-an-inspector-listed" EPERM \
	"$(preload_result preload2 env LD_PRELOAD="$EVIL" "$TOOL")" \
	SEALGUARD_VIA=library SEALGUARD_PATH="$EVIL" SEALGUARD_EXE="$(readlink -f "$TOOL")"
sb_stop_daemon
