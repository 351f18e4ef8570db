#!/bin/bash
# Hostile bytes on the wire: garbage and plain-text TCP, an oversize frame,
# a frame that is not an Envelope, an unknown message, a zero-length frame.
# Each closes only that connection, with the exact error where the peer got
# far enough to receive one; the server keeps serving others throughout.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client b1 branch1 "$P"
C=(--port "$P" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")

# A session that stays open through the abuse below and must keep working.
"$HEARTH_TOOLS/loadgen" --port "$P" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" \
	--ca "$CERTS/ca.pem" --clients 1 --pings 1 --hold-ms 6000 >"$T/held.out" 2>&1 &
HELD=$!

out=$(probe --port "$P" --raw-tcp --send 00112233445566778899aabbccddeeff --wait-ms 3000)
expect_eq "garbage bytes: closed" "closed" "$out"
out=$(probe --port "$P" --raw-tcp --send "$(printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' | od -An -tx1 | tr -d ' \n')" --wait-ms 3000)
expect_eq "plain HTTP: closed" "closed" "$out"

out=$(probe "${C[@]}" --frame-len 4294967295 --wait-ms 3000)
expect_contains "length 2^32-1: TOO_LARGE" "error code=ERR_TOO_LARGE field=frame message=frame of 4294967295 bytes exceeds the limit of 4194304 bytes" "$out"
expect_contains "length 2^32-1: then closed" "closed" "$out"

out=$(probe "${C[@]}" --frame-len 5000000 --wait-ms 3000)
expect_contains "5 MB frame: TOO_LARGE" "error code=ERR_TOO_LARGE" "$out"

out=$(probe "${C[@]}" --frame-len 0 --wait-ms 3000)
expect_contains "zero-length frame: PROTOCOL" "error code=ERR_PROTOCOL field=frame" "$out"

# A valid frame holding bytes that are not a protobuf Envelope.
out=$(probe "${C[@]}" --frame-len 4 --send ffffffff --wait-ms 3000)
expect_contains "not an Envelope: PROTOCOL" "error code=ERR_PROTOCOL field=envelope" "$out"
expect_contains "not an Envelope: closed" "closed" "$out"

# A valid Envelope whose body a client may not send: Welcome (field 11, empty).
out=$(probe "${C[@]}" --frame-len 4 --send 08015a00 --wait-ms 3000)
expect_contains "unknown message: PROTOCOL" 'error code=ERR_PROTOCOL field=body message=unexpected message "welcome"' "$out"

# An Envelope with no body at all (only request_id).
out=$(probe "${C[@]}" --frame-len 2 --send 0801 --wait-ms 3000)
expect_contains "empty envelope: PROTOCOL" "error code=ERR_PROTOCOL" "$out"

# A truncated frame (header says 100, 3 bytes follow) then the client goes away.
out=$(probe "${C[@]}" --frame-len 100 --send 010203 --wait-ms 500)
expect_contains "truncated frame: no answer" "timeout" "$out"

# A TLS record header claiming more than TLS allows is refused at once.
out=$(probe --port "$P" --raw-tcp --send 160301ffff --wait-ms 3000)
expect_eq "bogus TLS record: closed" "closed" "$out"

out=$(h b1 ping 2>&1); expect_contains "server still answers pings" "pong from" "$out"
wait "$HELD"; held_rc=$?
expect_eq "held session survived the abuse" 0 "$held_rc"
expect_contains "held session pinged" "pinged=1" "$(cat "$T/held.out")"
kill -0 "$PID_s" && pass "server alive" || fail "server died"
finish
