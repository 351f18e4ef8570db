#!/bin/bash
# Issue 13 item 5: deleting a member that other records refer to needs an
# explicit confirmation that names what refers to her, on the client and
# on the server (an old client that never asks is refused too); a deleted
# record can be restored (a new revision, audited) until its tombstone is
# purged; `list --deleted` lists deleted records; references to a deleted
# member show her name marked （已删除）.
. "$(dirname "$0")/lib.sh"

hexid() { echo "$1" | tr -d -; }
repoint() { sed -i "s/^server = .*/server = 127.0.0.1:$2/" "$T/home.$1/profile.ini"; }

start_server s
P=$PORT_s
client a branch1 "$P"
client b branch1 "$P"
client adm admin "$P"
m=$(h a member add --name 王秀英 --gender 女 --category 正式 --join-date 1998-07-01)
m2=$(h a member add --name 李建国 --gender 男 --category 正式 --join-date 2003-07-01)
h a hardship add --member "$m" --types 患病 --level 特别困难 --certified-at 2026-01-05 --year 2026 --status 在册 >/dev/null
v1=$(h a visit add --members "$m" --occasion 春节 --date 2026-02-10 --visitors 张三 --cash 500 --fund-source 党费)
h a visit add --members "$m,$m2" --occasion 七一 --date 2026-07-01 --visitors 张三 >/dev/null
h a talk add --form 个别 --trigger 困难 --talker 李书记 --members "$m" --date 2026-02-11 --topic 生活情况 >/dev/null
h a visit add --members "$m" --occasion 住院 --date 2026-10-29 --visitors 张三 >/dev/null
h a visit add --members "$m" --occasion 其他 --date 2026-09-25 --visitors 张三 >/dev/null
h a sync >/dev/null 2>&1; expect_eq "a syncs" 0 $?
h b sync >/dev/null 2>&1; expect_eq "b syncs" 0 $?

# --- the client refuses, naming what refers to her
h a member delete "$m" >"$T/d1.out" 2>"$T/d1.err"; rc=$?
expect_eq "an unconfirmed delete of a referenced member is refused (exit 2)" 2 "$rc"
expect_eq "the refusal names kind, count and a few dates" \
	"hearth: member delete: 王秀英 ($m) is referenced by 6 records (hardship 困难党员 ×1: 2026-01-05; visit 走访慰问 ×4: 2026-02-10, 2026-07-01, 2026-10-29, ...; talk 谈心谈话 ×1: 2026-02-11), which would show the member as deleted. To delete anyway, run 'hearth member delete $m --confirm-referenced'" \
	"$(cat "$T/d1.err")"
expect_contains "she is still there" '"deleted":false' "$(h a member show "$m" --json)"
expect_contains "nothing is queued" '"pending_ops":0,' "$(h a status --json)"
expect_contains "help names the flag" "--confirm-referenced" "$(h a member delete --help)"

# --- the server refuses the same delete from a client that does not ask
out=$("$HEARTH_TOOLS/pushop" --port "$P" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" \
	--kind 1 --id "$(hexid "$m")" --base-rev 1 --delete --name 王秀英)
expect_contains "the server rejects an unconfirmed delete, naming what refers to her" \
	"status=OP_REJECTED code=ERR_INVALID field=delete message=record $m: member 王秀英 is referenced by 6 records (" "$out"
expect_contains "with the same summary" "visit 走访慰问 ×4: " "$out"
expect_contains "and says how to confirm" "delete it only with confirmation: hearth member delete ID --confirm-referenced" "$out"
expect_contains "the server still has her" '"name":"王秀英"' "$(h adm sync >/dev/null 2>&1; h adm member list --json)"

# --- 李建国 is in the group visit only: referenced too
h a member delete "$m2" >/dev/null 2>"$T/d2.err"; rc=$?
expect_eq "a member in a group visit is referenced too" 2 "$rc"
expect_contains "named with that visit" "visit 走访慰问 ×1: 2026-07-01" "$(cat "$T/d2.err")"

# --- confirmed: deleted, and the records keep her, marked
h a member delete "$m" --confirm-referenced >/dev/null; expect_eq "a confirmed delete is recorded" 0 $?
h a sync >"$T/s1.out" 2>&1; expect_eq "and syncs" 0 $?
expect_contains "the server applies it" "applied 1" "$(cat "$T/s1.out")"
h b sync >/dev/null 2>&1
expect_contains "show marks her deleted" "王秀英（已删除）" "$(h b visit show "$v1")"
expect_contains "list marks her deleted" "王秀英（已删除）" "$(h b visit list)"
expect_not_contains "李建国 is not marked" "李建国（已删除）" "$(h b visit list)"
expect_not_contains "member list leaves her out" "王秀英" "$(h b member list --json)"
del=$(h b member list --deleted --json)
expect_contains "list --deleted lists her" "\"id\":\"$m\"" "$del"
expect_not_contains "list --deleted lists only deleted records" "李建国" "$del"
expect_contains "list --deleted for people" "王秀英" "$(h b member list --deleted)"
out=$(h b member list --all --deleted 2>&1); rc=$?
expect_eq "--all and --deleted exclude each other (exit 2)" 2 "$rc"
expect_contains "and says so" "--all and --deleted exclude each other; pick one" "$out"

# --- restore
out=$(h b member restore "$m2" 2>&1); rc=$?
expect_eq "restoring a live record is refused (exit 2)" 2 "$rc"
expect_contains "saying it is not deleted" "record $m2 is not deleted; there is nothing to restore" "$out"
expect_eq "restore prints what it restored" "restored $m" "$(h b member restore "$m")"
expect_contains "she is back in b's list at once" "\"id\":\"$m\"" "$(h b member list --json)"
h b sync >"$T/s2.out" 2>&1; expect_eq "the restore syncs" 0 $?
expect_contains "the server applies it" "applied 1" "$(cat "$T/s2.out")"
h a sync >/dev/null 2>&1
js=$(h a member show "$m" --json)
expect_contains "a sees her again" '"deleted":false' "$js"
expect_contains "with the fields she had" '"join_date":"1998-07-01"' "$js"
expect_contains "as a new revision" '"rev":3' "$js"
expect_not_contains "the visit no longer marks her" "（已删除）" "$(h a visit show "$v1")"
h adm sync >/dev/null 2>&1
au=$(h adm audit log --json --limit 1000 --record "$m")
expect_contains "the delete is audited" '"action":"record.delete"' "$au"
expect_contains "the restore is audited as its own action" '"action":"record.restore"' "$au"

# --- after the purge: a clear error
h a visit delete "$v1" >/dev/null
h a sync >/dev/null 2>&1
h b sync >/dev/null 2>&1
stop_server s
HEARTHD_TEST_NOW_OFFSET_DAYS=401 HEARTHD_RETENTION_CLOCK_CONFIRMED=1 start_server s2 --data "$T/s.data"
for _ in $(seq 1 100); do grep -q 'event=retention_done\|event=retention_failed' "$T/s2.log" && break; sleep 0.05; done
expect_contains "the purge removed the visit's tombstone" "event=retention_done purged=1" "$(cat "$T/s2.log")"
repoint b "$PORT_s2"
expect_eq "b still holds the tombstone and restores it" "restored $v1" "$(h b visit restore "$v1")"
h b sync >/dev/null 2>"$T/s3.err"; rc=$?
expect_eq "the server refuses a restore after the purge (exit 1)" 1 "$rc"
expect_contains "saying why" "record $v1: its tombstone was purged by the retention; a deleted record can be restored only until then" "$(cat "$T/s3.err")"
client c branch1 "$PORT_s2"
h c sync >/dev/null 2>&1
out=$(h c visit restore "$v1" 2>&1); rc=$?
expect_eq "a replica that never saw it cannot restore it (exit 2)" 2 "$rc"
expect_eq "and is told why" "hearth: visit restore: no record matches \"$v1\"; a deleted record can be restored only until the server purges its tombstone ('hearth visit list --deleted' shows what is left)" "$out"
finish
