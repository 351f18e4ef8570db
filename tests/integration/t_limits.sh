#!/bin/bash
# Limits and lifecycle: the handshake timeout closes a silent client; 200
# concurrent clients all complete Hello and Ping; connections past
# max_connections are refused while the others keep working; SIGTERM with
# clients connected drains and exits 0.
. "$(dirname "$0")/lib.sh"

cat > "$T/hearthd.ini" <<INI
[limits]
handshake_timeout_ms = 500
max_connections = 300
INI
start_server s --config "$T/hearthd.ini"
P=$PORT_s
C=(--port "$P" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")

# A client that connects and sends nothing is closed by the handshake timeout.
start=$(date +%s%N)
out=$(probe --port "$P" --raw-tcp --wait-ms 5000)
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect_eq "silent client closed" "closed" "$out"
[ "$ms" -lt 4000 ] && pass "closed by the 500 ms handshake timeout, not the 5 s wait (${ms} ms)" \
	|| fail "silent client took ${ms} ms to close"
expect_contains "timeout logged" 'reason="handshake timeout"' "$(cat "$T/s.log")"

# Slowloris during the handshake: a byte every 200 ms is still cut at 500 ms.
out=$(probe --port "$P" --raw-tcp --send 160301020000010001fc0303 --stall-ms 200 --wait-ms 5000)
expect_eq "slow handshake closed" "closed" "$out"

# 200 concurrent clients, all held open together, each Hello + Ping.
out=$("$HEARTH_TOOLS/loadgen" "${C[@]}" --clients 200 --pings 2 2>&1)
expect_contains "200 concurrent clients" "opened=200 pinged=200 failed=0" "$out"

# Past max_connections: 300 held open, the 301st is refused, the held ones still work.
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID_s/status" 2>/dev/null; }
rss_before=$(rss)
"$HEARTH_TOOLS/loadgen" "${C[@]}" --clients 300 --pings 1 --hold-ms 4000 >"$T/held.out" 2>&1 &
HELD=$!
for _ in $(seq 1 100); do
	grep -q "opened=" "$T/held.out" 2>/dev/null && break
	sleep 0.1
done
expect_contains "300 held" "opened=300 pinged=300" "$(cat "$T/held.out")"
client extra branch2 "$P"
out=$(h extra whoami 2>&1); rc=$?
expect_eq "connection past the limit refused" 3 "$rc"
expect_contains "refusal logged" 'reason="max_connections reached"' "$(cat "$T/s.log")"
rss_during=$(rss)
wait "$HELD"
expect_eq "held clients unaffected" 0 $?
sleep 0.5
echo "figures: 300 held + refused past the limit: server rss_kb before=$rss_before during=$rss_during after=$(rss)"
out=$(h extra whoami 2>&1); expect_contains "served again once below the limit" "role:        branch" "$out"

# SIGTERM with clients connected: drains and exits 0.
"$HEARTH_TOOLS/loadgen" "${C[@]}" --clients 20 --pings 1 --hold-ms 3000 >"$T/held2.out" 2>&1 &
HELD=$!
for _ in $(seq 1 100); do
	grep -q "opened=" "$T/held2.out" 2>/dev/null && break
	sleep 0.1
done
stop_server s
expect_eq "SIGTERM with 20 clients connected exits 0" 0 "$STOP_RC"
expect_contains "stop logged" "event=stopped" "$(cat "$T/s.log")"
wait "$HELD" 2>/dev/null
finish
