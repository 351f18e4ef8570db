#!/bin/bash
# Per-connection memory (issue 12 item 10): a push over the op count is
# refused from its wire bytes with ERR_TOO_LARGE naming the limit (2 M
# empty ops in one 4 MiB frame, which unpacked peaked at 316 MB), and the
# partial frames of all connections share one budget: over it, the
# connection holding the most is answered ERR_BUSY and closed.
. "$(dirname "$0")/lib.sh"

cat > "$T/hearthd.ini" <<INI
[limits]
max_frame = 1M
partial_frame_budget = 2M
INI
start_server s --config "$T/hearthd.ini"
P=$PORT_s
B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
rss() { awk "/^$1:/ { print \$2 }" "/proc/$PID_s/status" 2>/dev/null; }

# 500,000 empty ops: 1,000,004 bytes, inside the 1 MiB frame limit.
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --empty-ops 500000)
expect_contains "over-count push refused before unpacking" \
	"error code=ERR_TOO_LARGE field=ops message=push of 500000 ops exceeds the limit of 1000 ops per push; send smaller batches" "$out"
expect_contains "connection carries on after the refusal" "still_open" "$out"
echo "figures: after a 500,000-op push: VmRSS=$(rss VmRSS) kB VmHWM=$(rss VmHWM) kB"

# Three connections each hold 1 MiB - 1 byte of a frame: 3 MiB against a
# 2 MiB budget.  One of them is answered and closed; the server serves on.
out=$("$HEARTH_TOOLS/partialframe" --port "$P" "${B1[@]}" --clients 3 --frame-bytes 1048576 --hold-ms 500)
expect_contains "three connections opened" "opened=3" "$out"
expect_contains "the one over the budget is told why" \
	"error code=ERR_BUSY field=frame message=partial frames of all clients exceed the server's partial_frame_budget of 2097152 bytes and this connection held the most" "$out"
expect_contains "only one dropped" "answered=1" "$out"
expect_contains "budget logged" "event=partial_budget_exceeded" "$(cat "$T/s.log")"
client a branch1 "$P"
out=$(h a whoami 2>&1); expect_contains "server serves on" "role:        branch" "$out"
finish
