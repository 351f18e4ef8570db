#!/bin/bash
# Issue 13 item 4: a server started once with its clock 401 days ahead
# must not purge a tombstone made a minute earlier. The purge measures age
# against the store's newest change; a clock later than that plus the
# retention plus a day is implausible: nothing is purged and one key=value
# line says so, until an admin confirms the clock.
. "$(dirname "$0")/lib.sh"

repoint() { sed -i "s/^server = .*/server = 127.0.0.1:$2/" "$T/home.$1/profile.ini"; }

start_server s
client a branch1 "$PORT_s"
client b branch1 "$PORT_s"
id=$(h a member add --name "王秀英" --gender female --category full --join-date 2001-07-01)
h a member add --name "李建国" --gender male --category full --join-date 2003-07-01 >/dev/null
h a sync >/dev/null 2>&1; expect_eq "a syncs two members" 0 $?
h b sync >/dev/null 2>&1; expect_eq "b syncs, then goes away" 0 $?
h a member delete "$id" >/dev/null
h a sync >/dev/null 2>&1; expect_eq "a syncs the delete" 0 $?
stop_server s

HEARTHD_TEST_NOW_OFFSET_DAYS=401 start_server s2 --data "$T/s.data"
for _ in $(seq 1 100); do grep -q 'event=retention_postponed\|event=retention_done\|event=retention_failed' "$T/s2.log" && break; sleep 0.05; done
log=$(cat "$T/s2.log")
expect_contains "the purge is postponed with a key=value line" "event=retention_postponed reason=clock_ahead now_ms=" "$log"
expect_contains "it names the retention" "days=400 note=" "$log"
expect_not_contains "nothing is purged" "event=retention_done" "$log"

# b was away since before the delete: it still learns of it (no reset, no purge).
repoint b "$PORT_s2"
out=$(h b sync 2>&1); rc=$?
expect_eq "b syncs" 0 "$rc"
expect_not_contains "no re-pull from zero" "from zero" "$out"
expect_contains "b learned of the delete (the tombstone is still there)" '"deleted":true,"name":"王秀英"' "$(h b member list --all --json 2>/dev/null)"
expect_contains "b keeps the other member" '"name":"李建国"' "$(h b member list --all --json 2>/dev/null)"
stop_server s2
finish
