#!/bin/bash
# Issue 12 item 7: one principal cannot flood the audit log. Client events
# (AuditNote) and denials beyond a per-principal budget become one coalesced
# entry with their count; pipelined notes count in max_inflight. A bounded
# flood from one branch into a small map leaves the store's growth bounded,
# and another branch's push still succeeds.
. "$(dirname "$0")/lib.sh"

cat >"$T/hearthd.ini" <<INI
[limits]
audit_events_per_minute = 200
audit_event_window_ms = 1500
max_inflight = 64
INI
start_server s --config "$T/hearthd.ini" --map-size 8M
P=$PORT_s
client a1 branch1 "$P"
client b2 branch2 "$P"
client adm admin "$P"
B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
hexid() { echo "$1" | tr -d -; }

ours=$(h a1 member add --name 王自己 --gender 男 --join-date 1990-07-01 --category 正式 --phone 13800001111)
h a1 sync >/dev/null 2>&1
before=$(stat -c %s "$T/s.data/data.mdb")

# The flood: 60 pipelined notes of 500 reveals with a 1,300-character
# detail each (30,000 events; one by one they would need well over 8 MiB).
long=$(head -c 1300 /dev/zero | tr '\0' 'x')
out=$("$HEARTH_TOOLS/auditnote" --port "$P" "${B1[@]}" --record "$(hexid "$ours")" --kind 1 --field phone \
	--detail "$long" --events 500 --notes 60)
expect_contains "every note of the flood is answered" "acks=60 recorded=30000 errors=0" "$out"
after=$(stat -c %s "$T/s.data/data.mdb")
echo "figures: data.mdb $before bytes before the flood, $after after"
[ $((after - before)) -lt $((3 * 1024 * 1024)) ] && pass "store growth bounded (< 3 MiB)" ||
	fail "store grew by $((after - before)) bytes"

# More notes pipelined than max_inflight: the excess is refused BUSY.
out=$("$HEARTH_TOOLS/auditnote" --port "$P" "${B1[@]}" --record "$(hexid "$ours")" --kind 1 --field phone \
	--events 1 --notes 200)
expect_contains "notes count in max_inflight" \
	"error code=ERR_BUSY field=requests message=more than 64 requests in flight on this connection; wait for answers" "$out"

# Another branch is not starved.
h b2 member add --name 李照常 --gender 女 --join-date 1990-07-01 --category 正式 >/dev/null
h b2 sync >"$T/b2sync" 2>&1; rc=$?
expect_eq "b002's push succeeds after the flood" 0 "$rc"
expect_not_contains "no STORE_FULL for b002" "full" "$(cat "$T/b2sync")"

# Once the window has passed, the excess is written as one entry per window.
sleep 1.7
"$HEARTH_TOOLS/auditnote" --port "$P" "${B1[@]}" --record "$(hexid "$ours")" --kind 1 --field phone >/dev/null
sleep 0.3
log=$(h adm audit log --action audit.coalesced --json --limit 1000 2>&1)
expect_contains "the coalesced entry is in the audit log" '"action":"audit.coalesced"' "$log"
expect_contains "... with its count" "client events and 0 denials beyond the budget of 200 per 1500 ms" "$log"
stored=$(h adm audit log --action reveal --json --limit 100000 2>/dev/null | grep -o '"action":"reveal"' | wc -l)
coalesced=$(echo "$log" | grep -o 'count=[0-9]*' | cut -d= -f2 | paste -sd+ | bc)
echo "figures: $stored reveals stored one by one, $coalesced coalesced"
busy_recorded=$(echo "$out" | grep -o 'recorded=[0-9]*' | cut -d= -f2)
expect_eq "every event acknowledged is either stored or counted" $((30000 + busy_recorded + 1)) $((stored + coalesced))
finish
