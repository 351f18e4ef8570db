#!/bin/bash
# Issue 12 item 8: client-reported audit events (AuditNote) are checked
# before they are stored: one line of clean UTF-8 text (no ESC, no line
# break that forges a second row, no invalid bytes), and a branch may report
# events only about its own branch's records, with the answer of a missing
# record for another branch's. A protocol-level client sends what hearth
# never would.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client b2 branch2 "$P"
client adm admin "$P"
B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
ADM=(--cert "$CERTS/admin.pem" --key "$CERTS/admin.key" --ca "$CERTS/ca.pem")
hexid() { echo "$1" | tr -d -; }
note1() { "$HEARTH_TOOLS/auditnote" --port "$P" "${B1[@]}" "$@"; }

ours=$(h a1 member add --name 王自己 --gender 男 --join-date 1990-07-01 --category 正式 --phone 13800001111)
h a1 sync >/dev/null 2>&1
theirs=$(h b2 member add --name 李秘密 --gender 女 --join-date 1990-07-01 --category 正式 --phone 13911112222)
h b2 sync >/dev/null 2>&1
OURS=(--record "$(hexid "$ours")" --kind 1 --field phone)

out=$(note1 "${OURS[@]}")
expect_eq "a clean reveal of b001's own record is recorded" "ack recorded=1" "$out"

# ESC sequence (colours the terminal of whoever reads the log)
out=$(note1 "${OURS[@]}" --detail-hex 1b5b33316d726564)
expect_eq "ESC in detail: refused" \
	"error code=ERR_INVALID field=events[0].detail message=event 0: detail contains a control or invisible character U+001B" "$out"

# A newline that would forge a second row in `hearth audit show`
forged=$(printf 'show --reveal\n2026-12-02 03:00:00  管理员 (admin)  record.delete' | od -An -tx1 | tr -d ' \n')
out=$(note1 "${OURS[@]}" --detail-hex "$forged")
expect_eq "newline in detail: refused" \
	"error code=ERR_INVALID field=events[0].detail message=event 0: detail contains a control or invisible character U+000A" "$out"

# Invalid UTF-8
out=$(note1 "${OURS[@]}" --detail-hex 73686f77ff)
expect_eq "invalid UTF-8 in detail: refused" \
	"error code=ERR_INVALID field=events[0].detail message=event 0: detail is not valid UTF-8" "$out"

# A field name that is not the kind's own
out=$("$HEARTH_TOOLS/auditnote" --port "$P" "${B1[@]}" "${OURS[@]}" --field nosuch)
expect_eq "unknown field name: refused" \
	"error code=ERR_INVALID field=events[0].fields message=event 0: fields[1] is not a field of a member" "$out"

# Another branch's record id: the answer for a missing record
out=$(note1 --record "$(hexid "$theirs")" --kind 1 --field phone)
expect_eq "b002's record: NOT_FOUND like a missing record" \
	"error code=ERR_NOT_FOUND field=events[0].record_id message=event 0: record $theirs does not exist" "$out"
out=$(note1 --record 0190bbbb00007000800000000000dead --kind 1 --field phone)
expect_eq "a missing record: the same answer" \
	"error code=ERR_NOT_FOUND field=events[0].record_id message=event 0: record 0190bbbb-0000-7000-8000-00000000dead does not exist" "$out"

# The admin sees every branch and may report about b002's record.
out=$("$HEARTH_TOOLS/auditnote" --port "$P" "${ADM[@]}" --record "$(hexid "$theirs")" --kind 1 --field phone --branch b002)
expect_eq "the admin may report about any branch's record" "ack recorded=1" "$out"

# What was stored: one reveal by b001 (its own record), nothing forged.
h adm sync --branch "" >/dev/null 2>&1
log=$(h adm audit log --action reveal --limit 100 2>&1)
expect_not_contains "no ESC stored" $'\e' "$log"
expect_not_contains "no forged row" "record.delete" "$log"
hist=$(h adm history "$theirs" 2>&1)
expect_not_contains "b002's history shows no b001 user revealing it" "branch b001" "$hist"
expect_contains "... but shows the admin's reveal" "reveal" "$hist"
expect_contains "b001's own reveal is in its record's history" "reveal" "$(h adm history "$ours" 2>&1)"
finish
