#!/bin/bash
# Versioning (issue 8 item 3): a client built from the previous protocol
# description (tests/compat/hearth_v1_0.proto) syncs with the current server;
# a client older than the previous minor gets ERR_VERSION naming both
# versions and what to upgrade; fields unknown to the server (a newer
# client's) are kept byte for byte when records pass through it.
. "$(dirname "$0")/lib.sh"

OLD="$HEARTH_TOOLS/oldclient"
[ -x "$OLD" ] || { echo "FAIL: $OLD not built"; exit 1; }
old() { timeout 60 "$OLD" --port "$PORT_s" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" "$@"; }

start_server s
cur=$("$HEARTHD" --version)
expect_contains "server speaks protocol 1.1" "(protocol 1.1)" "$cur"

out=$(old --mode sync 2>&1); rc=$?
echo "$out"
expect_eq "1.0 client: push, pull, edit, digest all succeed" 0 "$rc"
expect_contains "1.0 client is welcomed by a 1.1 server" "speaks protocol 1.1; we said 1.0" "$out"
expect_contains "1.0 client's digest matches the server's" "digest matches" "$out"

# The current client sees what the old one wrote.
client cur branch1 "$PORT_s"
h cur sync >/dev/null 2>&1; rc=$?
expect_eq "current client syncs after the old one" 0 "$rc"
out=$(h cur member list 2>&1)
expect_contains "current client lists the old client's member" "李秀英（改）" "$out"

out=$(old --mode hello --major 0 --minor 9 2>&1); rc=$?
echo "$out"
expect_eq "0.9 client gets ERR_VERSION" 5 "$rc"
expect_contains "message names the client's version" "protocol 0.9" "$out"
expect_contains "message names the server's version" "speaks 1.1" "$out"
expect_contains "message names the oldest accepted" "accepts 1.0 or newer" "$out"
expect_contains "message says what to upgrade" "upgrade the client" "$out"
expect_contains "error field" "field=protocol_version" "$out"

out=$(old --mode hello --major 2 --minor 0 2>&1); rc=$?
expect_eq "a 2.0 client is refused too (another major)" 5 "$rc"

out=$(old --mode unknown 2>&1); rc=$?
echo "$out"
expect_eq "unknown field 100 survives the server" 0 "$rc"
expect_contains "byte-identical" "byte-identical to the pushed one" "$out"
expect_contains "kept through an edit" "field 100 is still there" "$out"

# And the current client still syncs a scope holding such a record.
h cur sync >/dev/null 2>&1; rc=$?
expect_eq "current client syncs a record with an unknown field" 0 "$rc"

finish
