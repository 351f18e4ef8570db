#!/bin/bash
# check_rules.sh: checks what debian/rules asks of the package build without
# building (make -n): the unit tests are configured and run, and only they
# (ctest -R '^unit\.', certificates made inside the build tree), and
# DEB_BUILD_OPTIONS=nocheck neither builds nor runs them.
#
# Usage: tests/packaging/check_rules.sh   (from anywhere; needs make only).
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
fails=0
fail() { echo "check_rules: FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "check_rules: ok: $*"; }
# dry TARGET [VAR=VALUE...]: the commands debian/rules would run for TARGET.
dry() {
	local target=$1
	shift
	(cd "$root" && env -u DEB_BUILD_OPTIONS "$@" make -s -n -f debian/rules "$target" 2>&1)
}

out=$(dry override_dh_auto_configure)
[[ "$out" == *"-DHEARTH_TESTS=ON"* ]] && ok "tests are built" || fail "configure does not build the tests: [$out]"
[[ "$out" == *"-DHEARTH_TEST_CERTS=$root/build-deb/cmake/testcerts"* ]] &&
	ok "the tests' certificates are inside the build tree" || fail "test certificates not in the build tree: [$out]"
out=$(dry override_dh_auto_test)
[[ "$out" == *"certs/mkcerts.sh $root/build-deb/cmake/testcerts"* ]] &&
	ok "the check makes its certificates" || fail "no mkcerts in the check: [$out]"
[[ "$out" == *"ctest --output-on-failure -j1 -R '^unit\.'"* ]] &&
	ok "the check runs the unit tests only" || fail "the check does not run ctest -R '^unit\\.': [$out]"
out=$(dry override_dh_auto_test DEB_BUILD_OPTIONS="parallel=2")
[[ "$out" == *"ctest --output-on-failure -j2 -R"* ]] && ok "parallel=2 runs 2 at a time" ||
	fail "parallel=2 not honoured: [$out]"

out=$(dry override_dh_auto_configure DEB_BUILD_OPTIONS="nocheck")
[[ "$out" == *"-DHEARTH_TESTS=OFF"* ]] && ok "nocheck: tests not built" || fail "nocheck still builds tests: [$out]"
out=$(dry override_dh_auto_test DEB_BUILD_OPTIONS="nocheck parallel=2")
[[ "$out" != *ctest* && "$out" != *mkcerts* ]] && ok "nocheck: nothing run" || fail "nocheck still runs: [$out]"

if [ "$fails" -ne 0 ]; then
	echo "check_rules: $fails check(s) failed" >&2
	exit 1
fi
echo "check_rules: OK"
