#!/bin/bash
# Issue 13 item 4: when the retention purge removes the newest change of a
# scope, pull lifts a replica's cursor to the purge horizon; the digest
# must report the same cursor, or every replica of that scope (a fresh one
# and the admin too) fails every sync with "replica is ahead ... even after
# a full re-pull" until someone writes there.
#
# Time is simulated with HEARTHD_TEST_NOW_OFFSET_DAYS; the tombstone is a
# minute old by the store's own clock, so the admin confirms the clock with
# HEARTHD_RETENTION_CLOCK_CONFIRMED=1 (see t_purge_clock.sh for the refusal).
. "$(dirname "$0")/lib.sh"

repoint() { sed -i "s/^server = .*/server = 127.0.0.1:$2/" "$T/home.$1/profile.ini"; }

start_server s
client a branch1 "$PORT_s"
client b branch1 "$PORT_s"
h a member add --name "王秀英" --gender female --category full --join-date 2001-07-01 >/dev/null
id=$(h a member add --name "李建国" --gender male --category full --join-date 2003-07-01)
h a sync >/dev/null 2>&1; expect_eq "a syncs two members" 0 $?
h a member delete "$id" >/dev/null
h a sync >/dev/null 2>&1; expect_eq "a syncs the delete: the newest change of b001" 0 $?
h b sync >/dev/null 2>&1; expect_eq "b syncs" 0 $?
stop_server s

HEARTHD_TEST_NOW_OFFSET_DAYS=401 HEARTHD_RETENTION_CLOCK_CONFIRMED=1 start_server s2 --data "$T/s.data"
for _ in $(seq 1 100); do grep -q 'event=retention_done\|event=retention_failed' "$T/s2.log" && break; sleep 0.05; done
expect_contains "the purge removed the newest change" "event=retention_done purged=1" "$(cat "$T/s2.log")"

client c branch1 "$PORT_s2"
client adm admin "$PORT_s2"
for r in a b; do repoint $r "$PORT_s2"; done
for r in a b c adm; do
	for round in 1 2; do
		out=$(h $r sync 2>&1); rc=$?
		expect_eq "replica $r sync $round exits 0" 0 "$rc"
		expect_not_contains "replica $r sync $round: no 'ahead'" "ahead" "$out"
	done
	expect_contains "replica $r holds 王秀英" '"name":"王秀英"' "$(h $r member list --all --json 2>/dev/null)"
done
finish
