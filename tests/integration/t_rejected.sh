#!/bin/bash
# A change the server rejects is never lost (issue 13 item 1): two offices
# of b001 record dues for one member and month offline; the second is
# REJECTED, and stays in its replica with the server's reason and the id of
# the record it clashes with, counted by status, listed by `hearth
# rejected`, not resent as it is, sent again once edited, or dropped only by
# an explicit discard. The same for an edit of an existing record and for a
# reason that is not a uniqueness clash.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client a2 branch1 "$P"
json_field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2 | tr -d '"'; }

m=$(h a1 member add --name 李建国 --gender 男 --join-date 1990-07-01 --category 正式)
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1

# --- both offices record 2026-09 while they cannot reach each other
d1=$(h a1 dues add --member "$m" --month 2026-09 --paid 30 --paid-date 2026-09-02 --status paid)
d2=$(h a2 dues add --member "$m" --month 2026-09 --paid 25 --paid-date 2026-09-04 --status paid)
h a1 sync >/dev/null 2>&1
h a2 sync >"$T/s2.out" 2>"$T/s2.err"; rc=$?
expect_eq "a sync that leaves a rejected change exits 1" 1 "$rc"
expect_contains "the rejection is reported with the server's reason" "dues for member $m in 2026-09 already exist (record $d1)" "$(cat "$T/s2.err")"
expect_contains "sync says the change is kept and how to see it" "1 rejected change is kept in this replica; see 'hearth rejected'" "$(cat "$T/s2.err")"
js=$(h a2 dues show "$d2" --json 2>&1)
expect_contains "the secretary's entry is still there (show)" '"paid_date":"2026-09-04"' "$js"
expect_contains "with its amount" '2500' "$js"
expect_contains "status counts it" "rejected:        1" "$(h a2 status)"
expect_contains "status --json counts it" '"rejected":1,' "$(h a2 status --json)"
expect_contains "status does not count it as waiting to be sent" '"pending_ops":0,' "$(h a2 status --json)"
rj=$(h a2 rejected --json)
expect_contains "rejected --json names the record" "\"id\":\"$d2\",\"kind\":\"dues\",\"code\":\"ERR_INVALID\"" "$rj"
expect_contains "rejected --json names the record it clashes with" "\"clashes_with\":\"$d1\"" "$rj"
expect_contains "rejected --json keeps the reason and field" "\"reason\":\"record $d2: dues for member $m in 2026-09 already exist (record $d1)\",\"field\":\"month\"" "$rj"
tbl=$(h a2 rejected)
expect_contains "rejected lists it for people" "$d2  dues  month" "$tbl"
expect_contains "rejected says what to do" "Edit the record to send it again at the next sync, or 'hearth rejected discard ID' to drop it." "$tbl"
h a2 sync >"$T/s3.out" 2>"$T/s3.err"; rc=$?
expect_eq "a second sync still exits 1" 1 "$rc"
expect_contains "the rejected change is not resent as it is" "pushed 0 (" "$(cat "$T/s3.out")"
expect_contains "and is still there" '"paid_date":"2026-09-04"' "$(h a2 dues show "$d2" --json 2>&1)"

# --- the secretary corrects the month: re-queued, sent, accepted
h a2 dues edit "$d2" --month 2026-10 >/dev/null
expect_eq "an edit re-queues the rejected change" "no rejected changes" "$(h a2 rejected)"
expect_contains "and it waits to be sent" '"pending_ops":1,"rejected":0,' "$(h a2 status --json)"
h a2 sync >"$T/s4.out" 2>&1; rc=$?
expect_eq "the corrected change syncs (exit 0)" 0 "$rc"
expect_contains "it is applied" "applied 1" "$(cat "$T/s4.out")"
h a1 sync >/dev/null 2>&1
js=$(h a1 dues show "$d2" --json 2>&1)
expect_contains "the other office sees the corrected entry" '"month":"2026-10"' "$js"
expect_contains "with everything the secretary typed" '"paid_date":"2026-09-04"' "$js"

# --- a rejected edit of an existing record: discard brings the server's copy back
h a1 dues add --member "$m" --month 2026-11 --paid 30 --paid-date 2026-11-02 --status paid >/dev/null
h a2 dues edit "$d2" --month 2026-11 >/dev/null
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1; rc=$?
expect_eq "a rejected edit of an existing record: exit 1" 1 "$rc"
expect_contains "the local edit is kept" '"month":"2026-11"' "$(h a2 dues show "$d2" --json 2>&1)"
out=$(h a2 rejected discard "${d2:0:8}" 2>&1); rc=$?
expect_eq "discard succeeds" 0 "$rc"
expect_contains "discard names what is dropped" "discarded the rejected change to dues $d2 (1 local edit, rejected: record $d2: dues for member $m in 2026-11 already exist (record " "$out"
expect_contains "and what the record is now" "the record is back to the server's revision 1" "$out"
expect_contains "the server's copy is the view again" '"month":"2026-10"' "$(h a2 dues show "$d2" --json 2>&1)"
h a2 sync >/dev/null 2>&1; rc=$?
expect_eq "after the discard sync exits 0" 0 "$rc"

# --- another reason: a visit for a member deleted meanwhile on the server
m2=$(h a1 member add --name 王秀英 --gender 女 --join-date 1998-07-01 --category 正式)
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1
h a1 member delete "$m2" >/dev/null
h a1 sync >/dev/null 2>&1
v=$(h a2 visit add --members "$m2" --occasion 春节 --date 2026-02-10 --visitors 张三 --cash 500 --fund-source 党费)
h a2 sync >/dev/null 2>&1; rc=$?
expect_eq "a visit for a deleted member is rejected: exit 1" 1 "$rc"
rj=$(h a2 rejected --json)
expect_contains "the visit is kept with the reason" "\"id\":\"$v\",\"kind\":\"visit\"" "$rj"
expect_contains "the reason names the member" "no such member in branch b001" "$rj"
expect_contains "no clash is named for this reason" '"clashes_with":null' "$rj"
expect_contains "the visit is still shown" "spring_festival" "$(h a2 visit show "$v" --json 2>&1)"
out=$(h a2 rejected discard "$v" 2>&1)
expect_contains "discard of a record the server never had says it is gone" "the server never had this record, so it is gone" "$out"
h a2 visit show "$v" >/dev/null 2>&1; rc=$?
expect_eq "after discarding, the visit is gone on purpose" 2 "$rc"
out=$(h a2 rejected discard "$v" 2>&1); rc=$?
expect_eq "discarding twice fails" 1 "$rc"
expect_contains "and says why" "hearth: rejected discard: no record $v has a rejected change; 'hearth rejected' lists them" "$out"
h a2 sync >/dev/null 2>&1; rc=$?
expect_eq "nothing rejected left: sync exits 0" 0 "$rc"

finish
