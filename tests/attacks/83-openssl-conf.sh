#!/usr/bin/env bash
# 83-openssl-conf.sh - code loaded into sealguard itself through
# libcrypto's configuration. OpenSSL reads openssl.cnf (or $OPENSSL_CONF)
# on its first use, and a provider section there names a module that
# libcrypto dlopens into the process: root edits the file, and the next
# start of sealguardd (or a `sealguard baseline build`) runs the
# attacker's code inside the guard. A provider that fails to load takes
# SHA-256 down with it: a guard that cannot start.
#
# Both programs set libcrypto up without the config (src/common/hash.c).
# Tried here with a real shared object whose constructor leaves a mark,
# named by a hostile config in both places OpenSSL looks: the file itself
# (bind-mounted over /etc/ssl/openssl.cnf in this test's private mount
# namespace) and $OPENSSL_CONF. The mark must not appear, the baseline
# must build, the daemon must start and still judge execs by hash (an
# program not in the baseline denied, a trusted one run).
set -euo pipefail
# shellcheck source=tests/lib/sandbox.sh
. "$(dirname "$0")/../lib/sandbox.sh"
sb_enter "$@"
# shellcheck source=tests/lib/fixture.sh
. "$(dirname "$0")/../lib/fixture.sh"
# shellcheck source=tests/lib/attack.sh
. "$(dirname "$0")/../lib/attack.sh"
ATK_DOOR=openssl-conf

fx_setup
MARKS=$ATK_MARKS
mkdir -p "$MARKS"
cat >"$SB_ROOT/provider.c" <<EOF
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void payload(void)
{
	int fd = open("$MARKS/loaded", O_WRONLY | O_CREAT | O_APPEND, 0644);

	if (fd >= 0) {
		(void)write(fd, "ran\n", 4);
		(void)close(fd);
	}
}
EOF
EVIL=$SB_ROOT/evil-provider.so
cc -shared -fPIC -o "$EVIL" "$SB_ROOT/provider.c"
CONF=$SB_ROOT/openssl.cnf
cat >"$CONF" <<EOF
config_diagnostics = 1
openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
evil = evil_sect
[evil_sect]
module = $EVIL
activate = 1
EOF
# the host's file, replaced in this namespace only
mount --bind "$CONF" /etc/ssl/openssl.cnf
export OPENSSL_CONF=$CONF

# The config is live: openssl(1), which lets libcrypto read it, loads the
# module (tests/install-deps.sh installs openssl for the tether test too)
openssl version >/dev/null 2>&1 || true
t_ok "the hostile config is live: openssl(1) loaded its module" \
	test -s "$MARKS/loaded"
rm -f "$MARKS/loaded"

fx_policy enforce
t_ok "sealguard baseline build works under the hostile config" fx_baseline
atk_blocked "cli-loads-provider" ignored \
	"$([ -e "$MARKS/loaded" ] && echo loaded || echo ignored)"
sb_start_journald
sb_start_daemon "$FX_POLICY"
t_ok "sealguardd started (READY) under the hostile config" \
	sb__alive "$SB_DAEMON_PID"
atk_blocked "daemon-loads-provider" ignored \
	"$([ -e "$MARKS/loaded" ] && echo loaded || echo ignored)"

# the guard still judges execs: a baseline program runs, a dropped one
# is denied
t_eq "a trusted program runs" ok "$(sb_try exec "$FX_FS/bin/tool")"
t_eq "a dropped program is denied" EPERM "$(sb_try exec "$FX_SCRATCH/dropped")"
sb_stop_daemon
t_ok "no module was loaded by sealguard" test ! -e "$MARKS/loaded"
