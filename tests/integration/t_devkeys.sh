#!/bin/bash
# hearthd never starts on development keys by accident (issue 17 item 4):
# the TLS defaults are the installed paths in /etc/hearth, a missing file is
# named with its setting, and a key under certs/dev or inside a git
# checkout is refused unless --dev (or dev = true) says so.
. "$(dirname "$0")/lib.sh"

# Defaults: run from an empty directory, no flags; nothing under certs/dev
# is looked for, the message names the installed path and the setting.
mkdir -p "$T/empty"
if [ -e /etc/hearth/server.pem ]; then
	echo "skip: /etc/hearth/server.pem exists on this machine; the defaults test needs it absent"
else
	out=$(cd "$T/empty" && "$HEARTHD" --data "$T/d0" --check-config 2>&1); rc=$?
	expect_eq "no flags, no /etc/hearth: exit 2" 2 "$rc"
	expect_contains "default cert is the installed path" \
		"tls cert: cannot read /etc/hearth/server.pem: No such file or directory; set it in the config or with --cert" "$out"
	expect_contains "default key is the installed path" "tls key: cannot read /etc/hearth/server.key" "$out"
	# No audit key set: none is asked for; the data directory's own is made
	# at the first start (t_auditkey.sh).
	expect_not_contains "no audit key set: none asked for" "audit key" "$out"
	[[ "$out" != *certs/dev* ]] && pass "no dev path in the message" || fail "dev path in the message: $out"
fi

# A named file that is missing: the file and the flag.
out=$("$HEARTHD" --data "$T/d1" --cert "$CERTS/server.pem" --key "$T/nope.key" --ca "$CERTS/ca.pem" \
	--audit-key "$CERTS/audit-ed25519.key" --dev --check-config 2>&1); rc=$?
expect_eq "missing key: exit 2" 2 "$rc"
expect_contains "missing key named" "tls key: cannot read $T/nope.key: No such file or directory; set it in the config or with --key" "$out"

DEVFLAGS=(--data "$T/d2" --cert "$CERTS/server.pem" --key "$CERTS/server.key" --ca "$CERTS/ca.pem"
	--audit-key "$CERTS/audit-ed25519.key")
# Dev keys without --dev: refused, before the server starts.
out=$("$HEARTHD" "${DEVFLAGS[@]}" --check-config 2>&1); rc=$?
expect_eq "dev keys without --dev: check-config exit 2" 2 "$rc"
expect_contains "tls key refused as a dev key" \
	"tls key: $CERTS/server.key is a development key (it is under a certs/dev directory); give the server's own key with --key" "$out"
expect_contains "audit key refused as a dev key" \
	"audit key: $CERTS/audit-ed25519.key is a development key (it is under a certs/dev directory)" "$out"
expect_contains "says how to allow it" "start with --dev (dev = true in [server])" "$out"
out=$(timeout 10 "$HEARTHD" "${DEVFLAGS[@]}" --listen 127.0.0.1:0 2>&1); rc=$?
expect_eq "dev keys without --dev: a real start exits 2" 2 "$rc"
[[ "$out" != *event=listening* ]] && pass "never listened" || fail "listened on dev keys: $out"

# With --dev, or dev = true in the config: accepted.
out=$("$HEARTHD" "${DEVFLAGS[@]}" --dev --check-config 2>&1); rc=$?
expect_eq "dev keys with --dev" 0 "$rc"
printf '[server]\ndev = true\n' > "$T/dev.ini"
out=$("$HEARTHD" --config "$T/dev.ini" "${DEVFLAGS[@]}" --check-config 2>&1); rc=$?
expect_eq "dev keys with dev = true" 0 "$rc"

# A key copied into a git checkout (not under certs/dev) is refused; the
# same files outside any checkout are accepted.
OUT=$(mktemp -d /tmp/hearth-devkeys.XXXXXX)
trap 'rm -rf "$OUT"; cleanup' EXIT
mkdir -p "$OUT/repo/.git" "$OUT/repo/keys" "$OUT/etc"
for f in server.pem server.key ca.pem audit-ed25519.key; do
	cp "$CERTS/$f" "$OUT/repo/keys/$f"; cp "$CERTS/$f" "$OUT/etc/$f"
done
out=$("$HEARTHD" --data "$T/d3" --cert "$OUT/repo/keys/server.pem" --key "$OUT/repo/keys/server.key" \
	--ca "$OUT/repo/keys/ca.pem" --audit-key "$OUT/repo/keys/audit-ed25519.key" --check-config 2>&1); rc=$?
expect_eq "key in a git checkout: exit 2" 2 "$rc"
expect_contains "git checkout named" "tls key: $OUT/repo/keys/server.key is a development key (it is inside a git checkout)" "$out"
if git -C /tmp rev-parse 2>/dev/null; then
	echo "skip: /tmp is inside a git checkout here"
else
	out=$("$HEARTHD" --data "$T/d4" --cert "$OUT/etc/server.pem" --key "$OUT/etc/server.key" \
		--ca "$OUT/etc/ca.pem" --audit-key "$OUT/etc/audit-ed25519.key" --check-config 2>&1); rc=$?
	expect_eq "the same keys outside a checkout: accepted" 0 "$rc"
	expect_contains "configuration OK" "configuration OK" "$out"
fi
finish
