#!/bin/bash
# check_deb.sh: checks that the hearthd and hearth Debian packages hold the
# binaries, unit, man pages and conffile, and no key or certificate.
#
# Usage: tests/packaging/check_deb.sh [DIR]   DIR holds built .deb files;
# without it, `make deb` builds them into build-deb/. Not part of ctest
# (building packages needs debhelper and takes the whole tree).
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-}
if [ -z "$dir" ]; then
	make -C "$root" deb || { echo "check_deb: make deb failed" >&2; exit 1; }
	dir=$root/build-deb
fi
version=$(cd "$root" && dpkg-parsechangelog -S Version)
arch=$(dpkg --print-architecture)
fails=0
fail() { echo "check_deb: FAIL: $*" >&2; fails=$((fails + 1)); }

# expect DEB PATH...: each PATH is in DEB's file list.
expect() {
	local deb=$1 list p
	shift
	list=$(dpkg-deb -c "$deb" | awk '{print $6}') || { fail "$deb: dpkg-deb -c failed"; return; }
	for p in "$@"; do
		grep -qxF "./$p" <<<"$list" || fail "$(basename "$deb") lacks /$p"
	done
	# Keys and certificates are the site's, never the package's.
	if grep -E '\.(key|pem)$' <<<"$list"; then
		fail "$(basename "$deb") ships a key or certificate (listed above)"
	fi
}

hearthd=$dir/hearthd_${version}_${arch}.deb
hearth=$dir/hearth_${version}_${arch}.deb
for d in "$hearthd" "$hearth"; do
	[ -f "$d" ] || { echo "check_deb: FAIL: $d not found (run make deb)" >&2; exit 1; }
done

expect "$hearthd" usr/sbin/hearthd lib/systemd/system/hearthd.service \
	usr/share/man/man8/hearthd.8.gz etc/hearth/hearthd.ini
expect "$hearth" usr/bin/hearth usr/share/man/man1/hearth.1.gz

# The client carries nothing of the server, and the reverse.
dpkg-deb -c "$hearth" | grep -qE 'hearthd|/etc/' && fail "hearth ships server files"
dpkg-deb -c "$hearthd" | grep -qE 'usr/bin/hearth$' && fail "hearthd ships the client"

# Control data: the conffile, the user creation, the unit enabled by dh.
conffiles=$(dpkg-deb -I "$hearthd" conffiles 2>/dev/null)
grep -qxF /etc/hearth/hearthd.ini <<<"$conffiles" || fail "hearthd: /etc/hearth/hearthd.ini is not a conffile"
postinst=$(dpkg-deb -I "$hearthd" postinst 2>/dev/null)
grep -q 'adduser --system --group --home /var/lib/hearth' <<<"$postinst" ||
	fail "hearthd postinst does not create the system user hearth"
grep -q "deb-systemd-helper enable 'hearthd.service'" <<<"$postinst" ||
	fail "hearthd postinst does not enable hearthd.service"
dpkg-deb -I "$hearthd" | grep -q '^ Depends:.*adduser' || fail "hearthd does not depend on adduser"

if [ "$fails" -ne 0 ]; then
	echo "check_deb: $fails check(s) failed" >&2
	exit 1
fi
echo "check_deb: OK: $(basename "$hearthd"), $(basename "$hearth")"
