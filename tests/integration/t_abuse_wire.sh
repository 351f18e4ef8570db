#!/bin/bash
# Abuse on the wire (issue 7, item 4): slowloris before and after the
# handshake is closed by the timeouts; a client that pipelines pulls of a
# big store and never reads is cut off at its output cap without the server
# growing; a flood of 2,000 handshakes from one process leaves the server
# serving. Prints the server's RSS before, during (peak) and after each.
# (Connections past max_connections: t_limits.sh.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../faults/common.sh"

# Sanitizer builds keep freed memory in quarantine: allow them more.
if ldd "$HEARTHD" 2>/dev/null | grep -q asan; then SLACK_KB=$((600 * 1024)); else SLACK_KB=$((64 * 1024)); fi

cat > "$T/hearthd.ini" <<INI
[limits]
handshake_timeout_ms = 1500
idle_timeout_ms = 2000
output_cap = 1M
INI
start_server s --config "$T/hearthd.ini"
P=$PORT_s
client b1 branch1 "$P"
B1=(--port "$P" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
ADM=(--port "$P" --cert "$CERTS/admin.pem" --key "$CERTS/admin.key" --ca "$CERTS/ca.pem")
elapsed_ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# --- slowloris during the TLS handshake: a byte a second.
start=$(date +%s%N)
out=$(probe --port "$P" --raw-tcp --send 160301020000010001fc0303 --stall-ms 1000 --wait-ms 8000)
ms=$(elapsed_ms "$start")
expect_eq "slowloris in the handshake: closed" "closed" "$out"
[ "$ms" -lt 5000 ] && pass "slowloris in the handshake cut by the 1.5 s handshake timeout (${ms} ms)" \
	|| fail "slowloris in the handshake took ${ms} ms to close"

# --- slowloris after Hello: a frame header and part of a frame, a byte a second.
start=$(date +%s%N)
out=$(probe "${B1[@]}" --frame-len 100 --send 0a0b0c0d0e0f --stall-ms 1000 --wait-ms 8000)
ms=$(elapsed_ms "$start")
expect_contains "slowloris after Hello: closed" "closed" "$out"
[ "$ms" -lt 6000 ] && pass "partial frame trickled after Hello cut by the 2 s idle timeout (${ms} ms)" \
	|| fail "partial frame trickle took ${ms} ms to close"
expect_contains "idle timeout logged" 'reason="idle timeout"' "$(cat "$T/s.log")"
echo "figures: slowloris closed after ${ms} ms (handshake_timeout 1500 ms, idle_timeout 2000 ms)"

# --- a client that never reads: 200 pipelined pulls of a ~3 MB store.
out=$("$HEARTH_TOOLS/loadgen" "${B1[@]}" --mode push --clients 2 --records 4000 --batch 500 2>&1)
expect_contains "store filled with 8000 records" "records=8000" "$out"
before=$(rss_kb "$PID_s")
peak_rss_kb "$PID_s" 8 "$T/peak1" &
SAMPLER=$!
out=$(probe "${ADM[@]}" --pipeline-pulls 200 --pull-limit 5000 --no-read-ms 5000 --wait-ms 3000)
wait "$SAMPLER"
during=$(cat "$T/peak1")
sleep 0.5
after=$(rss_kb "$PID_s")
responses=$(echo "$out" | grep -o 'responses=[0-9]*' | cut -d= -f2)
echo "figures: never-reading client: rss_kb before=$before during=$during after=$after output_cap=1024 responses=${responses:-0}/200"
expect_contains "200 pulls sent" "pulls_sent=200" "$out"
expect_contains "never-reading client cut off" 'reason="output cap reached and client is not reading"' "$(cat "$T/s.log")"
[ "${responses:-0}" -lt 200 ] && pass "not every pull was answered (${responses:-0} of 200)" \
	|| fail "the server answered all 200 pulls of a client that did not read"
[ $((during - before)) -lt "$SLACK_KB" ] && pass "server memory bounded while the client did not read (+$((during - before)) KiB)" \
	|| fail "server grew by $((during - before)) KiB for a client that did not read"
out=$(h b1 ping 2>&1); expect_contains "server answers after the never-reading client" "pong from" "$out"

# --- 2,000 handshakes from one process, while another client pushes.
before=$(rss_kb "$PID_s")
peak_rss_kb "$PID_s" 120 "$T/peak2" &
SAMPLER=$!
"$HEARTH_TOOLS/loadgen" "${B1[@]}" --mode push --clients 1 --records 2000 --batch 50 >"$T/push.out" 2>&1 &
PUSH=$!
start=$(date +%s%N)
out=$("$HEARTH_TOOLS/loadgen" "${B1[@]}" --mode flood --clients 4 --handshakes 2000 2>&1)
ms=$(elapsed_ms "$start")
wait "$PUSH"; push_rc=$?
kill "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null
during=$(cat "$T/peak2")
sleep 1
after=$(rss_kb "$PID_s")
echo "figures: handshake flood: $out"
echo "figures: handshake flood: rss_kb before=$before during=$during after=$after (${ms} ms)"
expect_contains "2000 handshakes all served" "handshakes=2000 ok=2000 failed=0" "$out"
expect_eq "a push during the flood succeeded" 0 "$push_rc"
[ $((after - before)) -lt "$SLACK_KB" ] && pass "server memory back near its level after the flood (+$((after - before)) KiB)" \
	|| fail "server kept $((after - before)) KiB after the flood"
out=$(h b1 ping 2>&1); expect_contains "server serving after the flood" "pong from" "$out"
kill -0 "$PID_s" && pass "server alive" || fail "server died"
finish
