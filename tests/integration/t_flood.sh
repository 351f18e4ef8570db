#!/bin/bash
# Pre-auth flood (issue 12 item 9): 1,030 plain TCP sockets that never
# start TLS, replaced as soon as the server closes them, must not lock out
# real clients.  max_connections is 64 so the flood is far past it; the
# pre-auth pool (max_preauth, clamped to max_connections, and
# max_preauth_per_addr = 32 by default) evicts the oldest silent socket for
# every newcomer.  The handshake timeout is long (30 s) so that it cannot
# rotate the flood away during the test: only eviction can let clients in.
# The flood comes from 127.0.0.2 and the clients from 127.0.0.1, as an
# attacker and an office would: from one address, with 1,030 sockets
# churning, a client's own handshake can be evicted by the flood's
# newcomers at that same address, which is the cap working, not a defect,
# and made this test fail now and then on a loaded machine.
. "$(dirname "$0")/lib.sh"

# --check-config names a per-address cap larger than the pool.
cat > "$T/bad.ini" <<INI
[limits]
max_preauth = 100
max_preauth_per_addr = 300
INI
out=$("$HEARTHD" --config "$T/bad.ini" --cert "$CERTS/server.pem" --key "$CERTS/server.key" \
	--ca "$CERTS/ca.pem" --audit-key "$CERTS/audit-ed25519.key" --dev --check-config 2>&1); rc=$?
expect_eq "check-config refuses the per-address cap" 2 "$rc"
expect_contains "names both values" \
	"max_preauth_per_addr (300) is larger than max_preauth (100); lower it or raise max_preauth" "$out"

cat > "$T/hearthd.ini" <<INI
[limits]
max_connections = 64
handshake_timeout_ms = 30000
INI
start_server s --config "$T/hearthd.ini"
P=$PORT_s
client a branch1 "$P"
out=$(h a whoami 2>&1); expect_contains "whoami before the flood" "role:        branch" "$out"

"$HEARTH_TOOLS/tcpflood" --port "$P" --source 127.0.0.2 --sockets 1030 --hold-ms 15000 --reconnect >"$T/flood.out" 2>&1 &
FLOOD=$!
PIDS+=("$FLOOD")
for _ in $(seq 1 150); do
	grep -q "opened=" "$T/flood.out" 2>/dev/null && break
	sleep 0.1
done
expect_contains "flood opened its sockets" "opened=1030 failed=0" "$(cat "$T/flood.out")"

ok=0
for i in $(seq 1 6); do
	out=$(timeout 10 "$HEARTH" --home "$T/home.a" whoami 2>&1) && [[ "$out" == *"role:        branch"* ]] &&
		ok=$((ok + 1)) || echo "whoami $i: $out" >>"$T/misses"
	out=$(timeout 10 "$HEARTH" --home "$T/home.a" sync 2>&1) && ok=$((ok + 1)) ||
		echo "sync $i: $out" >>"$T/misses"
done
expect_eq "12 of 12 whoami/sync succeed during the flood" 12 "$ok"
[[ -s "$T/misses" ]] && cat "$T/misses" >&2
kill -0 "$FLOOD" 2>/dev/null && pass "flood still running while the clients were served" ||
	fail "flood ended before the clients ran"
expect_contains "eviction logged" 'reason="evicted: max_preauth_per_addr reached"' "$(cat "$T/s.log")"
wait "$FLOOD"
expect_contains "flood ran to its end" "done open=" "$(cat "$T/flood.out")"
out=$(h a whoami 2>&1); expect_contains "whoami after the flood" "role:        branch" "$out"
finish
