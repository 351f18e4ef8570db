#!/bin/bash
# ci_install.sh: installs the built hearthd and hearth packages into a clean
# directory tree (dpkg -x) and runs what they installed: hearth --version,
# hearthd --version, and hearthd --check-config on the packaged
# /etc/hearth/hearthd.ini, which must exit 2 and name the missing
# certificate settings, then on a test copy pointing at the dev certificates
# (dev = true), which must exit 0.
#
# Usage: tests/packaging/ci_install.sh [DIR]   DIR holds the .deb files
# (default build-deb/, where `make deb` puts them). The dev certificates are
# $HEARTH_CERTS, default certs/dev (make certs). .ci/run calls this.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-$root/build-deb}
certs=${HEARTH_CERTS:-$root/certs/dev}
version=$(cd "$root" && dpkg-parsechangelog -S Version)
upstream=${version%-*}
arch=$(dpkg --print-architecture)
fails=0
fail() { echo "ci_install: FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ci_install: ok: $*"; }

inst=$(mktemp -d "${TMPDIR:-/tmp}/hearth-ci-install.XXXXXX")
trap 'rm -rf "$inst"' EXIT
for p in hearthd hearth; do
	deb=$dir/${p}_${version}_${arch}.deb
	[ -f "$deb" ] || { echo "ci_install: FAIL: $deb not found (run make deb)" >&2; exit 1; }
	dpkg -x "$deb" "$inst/root" || { echo "ci_install: FAIL: dpkg -x $deb" >&2; exit 1; }
done
R=$inst/root
ini=$R/etc/hearth/hearthd.ini
[ -f "$ini" ] || fail "the package has no etc/hearth/hearthd.ini"

# The installed programs run and say their version.
out=$("$R/usr/bin/hearth" --version 2>&1); rc=$?
[ "$rc" -eq 0 ] && [[ "$out" == *"$upstream"* ]] && ok "hearth --version: $out" ||
	fail "hearth --version: rc=$rc [$out], expected $upstream"
out=$("$R/usr/sbin/hearthd" --version 2>&1); rc=$?
[ "$rc" -eq 0 ] && [[ "$out" == *"$upstream"* ]] && ok "hearthd --version: $out" ||
	fail "hearthd --version: rc=$rc [$out], expected $upstream"

# The packaged config as shipped: no certificates yet, so exit 2 with every
# missing certificate setting named with its file and its flag.
if [ -e /etc/hearth/server.pem ] || [ -e /etc/hearth/server.key ] || [ -e /etc/hearth/ca.pem ]; then
	echo "ci_install: skip: /etc/hearth holds certificates on this machine; the shipped-config check needs them absent"
else
	out=$("$R/usr/sbin/hearthd" --check-config --config "$ini" 2>&1); rc=$?
	[ "$rc" -eq 2 ] && ok "shipped config: --check-config exits 2" || fail "shipped config: exit $rc, expected 2 [$out]"
	for want in \
		"tls cert: cannot read /etc/hearth/server.pem: No such file or directory; set it in the config or with --cert" \
		"tls key: cannot read /etc/hearth/server.key: No such file or directory; set it in the config or with --key" \
		"tls ca: cannot read /etc/hearth/ca.pem: No such file or directory; set it in the config or with --ca"; do
		[[ "$out" == *"$want"* ]] && ok "names: ${want%%:*}" || fail "shipped config: missing [$want] in [$out]"
	done
	[[ "$out" != *"configuration OK"* ]] || fail "shipped config: said OK [$out]"
fi

# A test copy of the packaged config on the dev certificates, with dev = true.
sed -e "s#^data = .*#data = $inst/data#" -e "s#^dev = .*#dev = true#" \
	-e "s#/etc/hearth/server.pem#$certs/server.pem#" -e "s#/etc/hearth/server.key#$certs/server.key#" \
	-e "s#/etc/hearth/ca.pem#$certs/ca.pem#" "$ini" > "$inst/test.ini"
grep -q '^dev = true' "$inst/test.ini" || fail "the packaged config has no 'dev =' line to set"
out=$("$R/usr/sbin/hearthd" --check-config --config "$inst/test.ini" 2>&1); rc=$?
[ "$rc" -eq 0 ] && [[ "$out" == *"configuration OK"* ]] && ok "test config on the dev certificates: exit 0" ||
	fail "test config: exit $rc, expected 0 [$out]"

if [ "$fails" -ne 0 ]; then
	echo "ci_install: $fails check(s) failed" >&2
	exit 1
fi
echo "ci_install: OK: both packages install into a clean tree and run"
