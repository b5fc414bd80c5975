#!/usr/bin/env bash
# installed.sh - the files an install of sealguard puts on a Debian host,
# one list for `make install` (85-packaging.sh) and the .deb
# (90-package.sh), so a file added to the package is added once here.
#
#   sg_installed_files REPO [deb]
#
# prints them sorted, one a line; with `deb`, the man pages compressed and
# the Debian package's own documents (README.Debian, changelog.gz,
# copyright, the lintian overrides) too.

sg_installed_files() {
	local repo=$1 deb=${2:-} man=""
	local -a files=(/etc/sealguard/policy.conf
		/lib/systemd/system/sealguard-selftest.service
		/lib/systemd/system/sealguard-selftest.timer
		/lib/systemd/system/sealguard.service
		/usr/bin/sealguard /usr/lib/sealguard/canary
		/usr/lib/systemd/catalog/sealguard.catalog /usr/sbin/sealguardd
		/usr/share/bash-completion/completions/sealguard
		/usr/share/doc/sealguard/examples/policy.conf
		/usr/share/doc/sealguard/examples/sealguard.service.d/local.conf
		/usr/share/zsh/vendor-completions/_sealguard)
	[ -z "$deb" ] || {
		man=.gz
		files+=(/usr/share/doc/sealguard/README.Debian
			/usr/share/doc/sealguard/changelog.gz
			/usr/share/doc/sealguard/copyright
			/usr/share/lintian/overrides/sealguard)
	}
	files+=("/usr/share/man/man1/sealguard.1$man" "/usr/share/man/man5/sealguard.policy.5$man"
		"/usr/share/man/man8/sealguardd.8$man")
	{
		printf '%s\n' "${files[@]}"
		# the documents the installed texts cite, under their own names
		(cd "$repo/docs" && ls -- *.md) | sed 's|^|/usr/share/doc/sealguard/|'
		# the tether's drop-ins, as examples
		(cd "$repo/packaging/tether" && ls -- *.conf) |
			sed 's|^|/usr/share/doc/sealguard/examples/tether/|'
	} | sort
}
