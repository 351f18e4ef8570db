#!/bin/bash
# Command lines: --help everywhere, --check-config names every problem with
# its line, bad flags and bad values get exact errors and exit 2.
. "$(dirname "$0")/lib.sh"

out=$("$HEARTHD" --help); rc=$?
expect_eq "hearthd --help exit" 0 "$rc"
expect_contains "hearthd --help lists --listen" "--listen HOST:PORT" "$out"
expect_contains "hearthd --version" "hearthd 0.1.0" "$("$HEARTHD" --version)"

out=$("$HEARTHD" --bogus 2>&1); rc=$?
expect_eq "hearthd unknown flag exit" 2 "$rc"
out=$("$HEARTHD" --listen nonsense 2>&1); rc=$?
expect_eq "hearthd bad --listen exit" 2 "$rc"
expect_contains "hearthd bad --listen message" '--listen: "nonsense" is not HOST:PORT' "$out"
out=$("$HEARTHD" --map-size 12Q 2>&1); rc=$?
expect_eq "hearthd bad --map-size exit" 2 "$rc"

cat > "$T/bad.ini" <<INI
[server]
listen = 127.0.0.1:notaport
colour = blue

[limits]
max_connections = -4
idle_timeout_ms = 1000
this line has no equals sign
[store]
group_commit = maybe
INI
out=$("$HEARTHD" --config "$T/bad.ini" --check-config 2>&1); rc=$?
expect_eq "check-config on a bad file exits 2" 2 "$rc"
expect_contains "line 2: listen" "bad.ini:2: listen: \"127.0.0.1:notaport\" is not HOST:PORT" "$out"
expect_contains "line 3: unknown key" "bad.ini:3: unknown setting \"colour\" in section [server]" "$out"
expect_contains "line 6: bad number" "bad.ini:6: max_connections: \"-4\" is not a number" "$out"
expect_contains "line 8: syntax" "bad.ini:8: syntax error" "$out"
expect_contains "line 10: bad bool" "bad.ini:10: group_commit: \"maybe\" is not true or false" "$out"

cat > "$T/good.ini" <<INI
[server]
listen = 127.0.0.1:0
org = demo
dev = true
[tls]
cert = $CERTS/server.pem
key = $CERTS/server.key
ca = $CERTS/ca.pem
[audit]
key = $CERTS/audit-ed25519.key
INI
out=$("$HEARTHD" --config "$T/good.ini" --check-config 2>&1); rc=$?
expect_eq "check-config on a good file" 0 "$rc"
expect_contains "check-config OK" "configuration OK" "$out"
out=$("$HEARTHD" --config "$T/good.ini" --cert /nonexistent.pem --check-config 2>&1); rc=$?
expect_eq "check-config missing cert" 2 "$rc"
expect_contains "check-config names the file" "tls cert: cannot read /nonexistent.pem" "$out"
out=$("$HEARTHD" --config "$T/missing.ini" 2>&1); rc=$?
expect_eq "missing config file" 2 "$rc"
expect_contains "missing config named" "cannot open $T/missing.ini" "$out"

# hearth: help on every command.
out=$("$HEARTH" --help); expect_contains "hearth --help lists whoami" "whoami" "$out"
for cmd in init whoami ping; do
	out=$("$HEARTH" "$cmd" --help); rc=$?
	expect_eq "hearth $cmd --help exit" 0 "$rc"
	expect_contains "hearth $cmd --help usage" "usage: hearth $cmd" "$out"
done
out=$("$HEARTH" frobnicate 2>&1); rc=$?
expect_eq "unknown command exit" 2 "$rc"
expect_contains "unknown command message" 'unknown command "frobnicate"' "$out"

out=$("$HEARTH" --home "$T/h" whoami 2>&1); rc=$?
expect_eq "whoami without a profile" 2 "$rc"
expect_contains "says to run init" "run 'hearth init --server HOST:PORT" "$out"
out=$("$HEARTH" --home "$T/h" init --server 127.0.0.1 --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" 2>&1); rc=$?
expect_eq "init bad --server" 2 "$rc"
expect_contains "init bad --server message" '--server "127.0.0.1" is not HOST:PORT' "$out"
out=$("$HEARTH" --home "$T/h" init --server 127.0.0.1:1 --cert /nope.pem --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" 2>&1); rc=$?
expect_eq "init missing cert" 2 "$rc"
expect_contains "init names the missing cert" "--cert /nope.pem: cannot read it" "$out"
out=$("$HEARTH" --home "$T/h" init --server 127.0.0.1:1 2>&1); rc=$?
expect_eq "init missing flags" 2 "$rc"
out=$("$HEARTH" --home "$T/h" ping --count 0 2>&1); rc=$?
expect_eq "ping --count 0" 2 "$rc"
finish
