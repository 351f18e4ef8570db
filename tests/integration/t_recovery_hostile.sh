#!/bin/bash
# RecoverRequest from a protocol-level client (issue 13 item 10): outside
# recovery mode nothing is taken; in recovery mode a branch recovers only its
# own branch's records, an auditor none, a record the server holds at that
# revision is left alone, a copy contradicting its witnessed audit entry is
# refused, and a flood of empty records is refused before it is unpacked.
. "$(dirname "$0")/lib.sh"

B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
AUD=(--cert "$CERTS/auditor.pem" --key "$CERTS/auditor.key" --ca "$CERTS/ca.pem")
ID=01a2356b15667323ab5bcff6d9b98d61
rec() { "$HEARTH_TOOLS/recoverop" --port "$PORT_s" "$@"; }

start_server s
out=$(rec "${B1[@]}" --branch b001 --name 王秀英 --id "$ID" --rev 3)
expect_contains "outside recovery mode a re-pushed record is refused" "status=RECOVER_REJECTED code=ERR_FORBIDDEN" "$out"
expect_contains "it says why and what to do" "the server is not in recovery mode; only a restored server in recovery mode ('hearthd recovery start') takes re-pushed records" "$out"
stop_server s

"$HEARTHD" recovery start --data "$T/s.data" --audit-key "$CERTS/audit-ed25519.key" >/dev/null 2>&1
expect_eq "recovery start" 0 "$?"
start_server s --listen "127.0.0.1:$PORT_s"

out=$(rec "${B1[@]}" --branch b002 --name 越界)
expect_contains "another branch's record is refused" "status=RECOVER_REJECTED code=ERR_FORBIDDEN field=branch_id" "$out"
expect_contains "naming the branch and the rule" "belongs to branch b002; this certificate recovers only its own branch's records" "$out"
out=$(rec "${AUD[@]}" --branch b001 --name 审计)
expect_contains "an auditor cannot recover records" "error code=ERR_FORBIDDEN" "$out"
out=$(rec "${B1[@]}" --branch b001 --name 王秀英 --id "$ID" --rev 3)
expect_contains "a record the server lacks is restored at its claimed revision" "status=RECOVER_RESTORED rev=3" "$out"
expect_contains "the answer carries a signed checkpoint" "checkpoint=yes" "$out"
out=$(rec "${B1[@]}" --branch b001 --name 王秀英 --id "$ID" --rev 2)
expect_contains "an older revision of it is left alone" "status=RECOVER_PRESENT rev=3" "$out"
out=$(rec "${B1[@]}" --branch b001 --name "" )
expect_contains "an invalid body is refused with the field" "status=RECOVER_REJECTED code=ERR_INVALID field=name" "$out"
out=$(rec "${B1[@]}" --branch b001 --name 李建国 --witness-bad)
expect_contains "a copy that contradicts its witnessed entry is refused" "status=RECOVER_REJECTED code=ERR_CONFLICT" "$out"
expect_contains "naming the entry and what differs" "does not match audit entry 99, which the replica witnessed: its body differs" "$out"
out=$(rec "${B1[@]}" --empty 500000)
expect_contains "a flood of empty records is refused from its wire bytes" "error code=ERR_TOO_LARGE field=records" "$out"
expect_contains "before unpacking, naming the limit" "recovery of 500000 records and audit entries exceeds the limit of 1000 records per request" "$out"
kill -0 "$PID_s" 2>/dev/null
expect_eq "the server is still running" 0 "$?"

# what the one restored record left in the audit log
client adm admin "$PORT_s"
log=$(h adm audit log --action record.recovered --json 2>&1)
expect_eq "one record.recovered entry" 1 "$(grep -o '"action":"record.recovered"' <<<"$log" | wc -l)"
expect_contains "it names the claimed author" "claimed by that replica: revision 3 by 原作者 (0123456789abcdef)" "$log"
h adm sync >/dev/null 2>&1
show=$(h adm member show 01a2356b-1566-7323-ab5b-cff6d9b98d61 --json 2>&1)
expect_contains "the record keeps the claimed author" '"updated_by_name":"原作者"' "$show"
finish
