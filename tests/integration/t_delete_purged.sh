#!/bin/bash
# Issue 13 item 4 (remainder): an edit of a record whose tombstone the
# retention purged is a CONFLICT like any edit of a deleted record, never a
# rejection. `resolve --keep mine` brings the record back as a new
# revision, `--keep theirs` leaves it deleted.
#
# Time is simulated as in t_purge_newest.sh: HEARTHD_TEST_NOW_OFFSET_DAYS
# with the clock confirmed by the admin.
. "$(dirname "$0")/lib.sh"

repoint() { sed -i "s/^server = .*/server = 127.0.0.1:$2/" "$T/home.$1/profile.ini"; }

start_server s
client a branch1 "$PORT_s"
client b branch1 "$PORT_s"
m1=$(h a member add --name 王秀英 --gender 女 --category 正式 --join-date 2001-07-01)
m2=$(h a member add --name 李建国 --gender 男 --category 正式 --join-date 2003-07-01)
m3=$(h a member add --name 赵红 --gender 女 --category 正式 --join-date 2005-07-01)
h a sync >/dev/null 2>&1; expect_eq "a syncs two members" 0 $?
h b sync >/dev/null 2>&1; expect_eq "b syncs" 0 $?
h a member delete "$m1" >/dev/null
h a member delete "$m2" >/dev/null
h a member delete "$m3" >/dev/null
h a sync >/dev/null 2>&1; expect_eq "a syncs the deletes" 0 $?
# b never learns of the deletes: it edits both while the server purges.
h b member edit "$m1" --phone 13800000001 >/dev/null
h b member edit "$m2" --phone 13800000002 >/dev/null
h b member delete "$m3" >/dev/null   # both sides want 赵红 gone: no conflict
stop_server s

HEARTHD_TEST_NOW_OFFSET_DAYS=401 HEARTHD_RETENTION_CLOCK_CONFIRMED=1 start_server s2 --data "$T/s.data"
for _ in $(seq 1 100); do grep -q 'event=retention_done\|event=retention_failed' "$T/s2.log" && break; sleep 0.05; done
expect_contains "the purge removed the three tombstones" "event=retention_done purged=3" "$(cat "$T/s2.log")"
for r in a b; do repoint $r "$PORT_s2"; done

out=$(h b sync 2>&1); rc=$?
expect_eq "b's sync of two edits of purged records ends with conflicts (exit 4)" 4 "$rc"
expect_contains "nothing is rejected: both edits are conflicts, the delete merges" "(applied 0, merged 1, conflicts 2, duplicate 0, rejected 0)" "$out"
expect_contains "status counts no rejected change" '"rejected":0,' "$(h b status --json)"
cf=$(h b conflicts --json)
expect_contains "conflicts lists the first edit" "$m1" "$cf"
expect_contains "conflicts lists the second edit" "$m2" "$cf"
c1=$(h b conflicts --json | grep -o '{[^{}]*"record":"'"$m1"'"[^{}]*' | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
c2=$(h b conflicts --json | grep -o '{[^{}]*"record":"'"$m2"'"[^{}]*' | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
client adm admin "$PORT_s2"
h adm sync >/dev/null 2>&1
expect_contains "the admin sees them too" "\"record\":\"$m1\"" "$(h adm conflicts --json 2>&1)"

h b resolve "$c1" --keep mine >/dev/null; expect_eq "resolve --keep mine" 0 $?
h b resolve "$c2" --keep theirs >/dev/null; expect_eq "resolve --keep theirs" 0 $?
out=$(h b sync 2>&1); rc=$?
expect_eq "the resolutions sync (exit 0)" 0 "$rc"
js=$(h b member show "$m1" --json --reveal 2>&1)
expect_contains "keep mine: 王秀英 lives again in b" '"name":"王秀英"' "$js"
expect_contains "with b's edit" '13800000001' "$js"
expect_not_contains "keep theirs: 李建国 stays deleted in b" "李建国" "$(h b member list --json 2>&1)"
h a sync >/dev/null 2>&1; expect_eq "a syncs" 0 $?
expect_contains "a sees 王秀英 again" '"name":"王秀英"' "$(h a member list --json 2>&1)"
expect_not_contains "a does not see 李建国" "李建国" "$(h a member list --json 2>&1)"
expect_contains "the revival is a new revision" '"rev":' "$(h a member show "$m1" --json 2>&1)"
finish
