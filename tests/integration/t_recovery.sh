#!/bin/bash
# Every replica is a backup (issue 13 item 10): three replicas of two
# branches work through several syncs, the server is lost and restored from
# an older backup, an admin puts it in recovery mode (a restore notice
# signed with the audit key), every replica accepts the shorter log once and
# re-pushes what the server lost; then every acknowledged record is on the
# server exactly once and all replicas converge. A replayed or forged notice
# is refused with exit 5, and without a notice the old refusal stays.
. "$(dirname "$0")/lib.sh"

KEY="$CERTS/audit-ed25519.key"

restart_same() {
	local portvar="PORT_$1"
	start_server "$1" --listen "127.0.0.1:${!portvar}"
}

# names NAME: the sorted member names a replica shows (deleted ones not)
names() { h "$1" member list --json 2>/dev/null | grep -o '"name":"[^"]*"' | sort | tr '\n' ' '; }

start_server s
client a1 branch1 "$PORT_s"
client a2 branch1 "$PORT_s"
client b1 branch2 "$PORT_s"

# ---- before the backup: what the backup will hold
m1=$(h a1 member add --name 王秀英 --gender 女 --join-date 1998-07-01)
h a1 sync >/dev/null 2>&1
expect_eq "a1 first sync" 0 "$?"
h a2 sync >/dev/null 2>&1
expect_eq "a2 first sync" 0 "$?"
n1=$(h b1 member add --name 刘德明 --gender 男)
h b1 sync >/dev/null 2>&1
expect_eq "b1 first sync" 0 "$?"

"$HEARTHD" backup --data "$T/s.data" --to "$T/week-old.mdb" >"$T/backup.out" 2>&1
expect_eq "backup of the live store" 0 "$?"

# ---- after the backup: acknowledged work the backup lacks, in several syncs
m2=$(h a1 member add --name 李建国 --gender 男 --join-date 2001-07-01)
h a1 sync >"$T/w1.out" 2>&1
expect_contains "a1 adds 李建国" "applied 1" "$(cat "$T/w1.out")"
h a2 sync >/dev/null 2>&1
h a2 member edit "$m1" --address 北京市海淀区 >/dev/null
v1=$(h a2 visit add --members "$m2" --occasion 春节 --date 2026-02-10 --visitors 张三 --cash 500 --fund-source 党费)
h a2 sync >"$T/w2.out" 2>&1
expect_contains "a2 edits 王秀英 and visits 李建国" "applied 2" "$(cat "$T/w2.out")"
n2=$(h b1 member add --name 张桂兰 --gender 女)
h b1 member add --name 陈志强 --gender 男 >/dev/null
h b1 sync >/dev/null 2>&1
h b1 member delete "$n1" >/dev/null
h b1 sync >"$T/w3.out" 2>&1
expect_contains "b1 deletes 刘德明" "applied 1" "$(cat "$T/w3.out")"
h a1 sync >/dev/null 2>&1
m4=$(h a1 member add --name 赵铁柱 --gender 男)
h a1 sync >"$T/w4.out" 2>&1
expect_eq "a1's last sync before the disaster" 0 "$?"
# b1old: b1 as it stands now, never told of any notice (for the last case)
cp -a "$T/home.b1" "$T/home.b1old"

# ---- the disaster: the server is restored from the older backup
stop_server s
"$HEARTHD" restore --from "$T/week-old.mdb" --data "$T/s.data" --force >"$T/restore.out" 2>&1
expect_eq "restore from the week-old backup" 0 "$?"
"$HEARTHD" recovery start --data "$T/s.data" >"$T/rs0.out" 2>&1
expect_eq "recovery start without --audit-key is bad usage" 2 "$?"
expect_contains "it says the notice needs the audit key" "--audit-key KEY is required" "$(cat "$T/rs0.out")"
"$HEARTHD" recovery start --data "$T/s.data" --audit-key "$KEY" >"$T/rs.out" 2>&1
expect_eq "recovery start" 0 "$?"
expect_contains "recovery start names the checkpoint" "restored to audit checkpoint size=" "$(cat "$T/rs.out")"
"$HEARTHD" recovery start --data "$T/s.data" --audit-key "$KEY" >"$T/rs2.out" 2>&1
expect_eq "a second recovery start is refused" 2 "$?"
expect_contains "it says the store is in recovery mode" "already in recovery mode" "$(cat "$T/rs2.out")"
# A copy of the store in recovery mode, for the replay case below.
cp -a "$T/s.data" "$T/s.notice"
restart_same s

# ---- recovery: every replica syncs; a1 and b1 hold what the server lost
h a1 sync >"$T/r1.out" 2>"$T/r1.err"
expect_eq "a1 recovers (exit 0)" 0 "$?"
expect_contains "a1 accepts the restore notice" "presents a valid restore notice" "$(cat "$T/r1.err")"
expect_contains "a1 re-pushes what the server lost" "recovery: re-pushed" "$(cat "$T/r1.err")"
h a2 sync >"$T/r2.out" 2>"$T/r2.err"
expect_eq "a2 recovers (exit 0)" 0 "$?"
expect_contains "a2 finds its records already recovered" "0 restored" "$(cat "$T/r2.err")"
h b1 sync >"$T/r3.out" 2>"$T/r3.err"
expect_eq "b1 recovers (exit 0)" 0 "$?"
for r in a1 a2 b1; do h "$r" sync >/dev/null 2>&1; expect_eq "$r syncs cleanly after recovery" 0 "$?"; done
h a1 sync >"$T/r4.err" 2>&1
expect_not_contains "a notice is used once: no second recovery" "re-pushed" "$(cat "$T/r4.err")"

# every acknowledged record is on the server exactly once: a fresh admin
# replica pulls them all
client adm admin "$PORT_s"
h adm sync >"$T/adm.out" 2>&1
expect_eq "a fresh admin replica syncs" 0 "$?"
all=$(h adm member list --json 2>/dev/null)
for who in 王秀英 李建国 赵铁柱 张桂兰 陈志强; do
	expect_eq "$who is on the server exactly once" 1 "$(grep -o "\"name\":\"$who\"" <<<"$all" | wc -l)"
done
expect_not_contains "the deleted member stays deleted" 刘德明 "$all"
expect_contains "a2's edit of 王秀英 is recovered" 北京市海淀区 "$(h adm member show "$m1" 2>&1)"
expect_contains "a2's visit is recovered" 春节 "$(h adm visit show "$v1" 2>&1)"
# all replicas converge on the server's copies
expect_eq "a1 and a2 converge" "$(names a1)" "$(names a2)"
expect_eq "a1 shows branch 1's three members" "李建国 王秀英 赵铁柱" "$(names a1 | sed 's/"name":"//g; s/"//g; s/ $//')"
expect_eq "b1 shows branch 2's two members" "张桂兰 陈志强" "$(names b1 | sed 's/"name":"//g; s/"//g; s/ $//')"
expect_eq "a1 and a2 agree on 王秀英's revision" "$(h a1 member show "$m1" --json | grep -o '"rev":[0-9]*')" \
	"$(h a2 member show "$m1" --json | grep -o '"rev":[0-9]*')"

# the audit log names the replica and the principal; the author is claimed
rec=$(h adm audit log --action record.recovered --json 2>&1)
expect_eq "one recovered entry per record the server lost" 7 "$(grep -o '"action":"record.recovered"' <<<"$rec" | wc -l)"
expect_contains "the entry names the replica" "recovered from replica" "$rec"
expect_contains "the author and time are marked as claimed" "claimed by that replica" "$rec"
expect_eq "each was checked against the audit entry its replica witnessed" 7 \
	"$(grep -o 'matched audit entry [0-9]* (leaf [0-9a-f]*) that replica witnessed' <<<"$rec" | wc -l)"
expect_contains "the start of recovery is audited" "recovery.start" "$(h adm audit log --action recovery.start --json 2>&1)"
h adm audit verify >/dev/null 2>&1
expect_eq "the audit chain verifies after recovery" 0 "$?"

# ---- without a notice the old refusal stays (recovery ended)
stop_server s
"$HEARTHD" recovery end --data "$T/s.data" >"$T/re.out" 2>&1
expect_eq "recovery end" 0 "$?"
"$HEARTHD" recovery end --data "$T/s.data" >"$T/re2.out" 2>&1
expect_eq "ending twice is refused" 2 "$?"
restart_same s
h b1old sync >"$T/old.out" 2>"$T/old.err"
expect_eq "a replica that missed the recovery is refused (exit 5)" 5 "$?"
expect_contains "with the old refusal" "REFUSED: the server's audit log cannot be trusted" "$(cat "$T/old.err")"
expect_contains "the late replica keeps its records" 张桂兰 "$(h b1old member list 2>&1)"
h a1 sync >/dev/null 2>&1
expect_eq "recovered replicas sync on after recovery ends" 0 "$?"

# ---- a replayed notice: the store in recovery mode comes back again
stop_server s
rm -rf "$T/s.data"
cp -a "$T/s.notice" "$T/s.data"
restart_same s
h a1 sync >"$T/rp.out" 2>"$T/rp.err"
expect_eq "a replayed notice is refused (exit 5)" 5 "$?"
expect_contains "it says the notice was used" "restore notice this replica already used" "$(cat "$T/rp.err")"
expect_contains "the replica keeps everything" 赵铁柱 "$(h a1 member list 2>&1)"

# ---- a forged notice: signed by a key witnesses do not trust
stop_server s
openssl genpkey -algorithm ed25519 -out "$T/other.key" 2>/dev/null
# The audit secret lives beside the key and must come along with the store
# (hearthd refuses a store with checkpoints whose secret is missing).
[ -f "$CERTS/audit_secret" ] && cp "$CERTS/audit_secret" "$T/audit_secret"
"$HEARTHD" restore --from "$T/week-old.mdb" --data "$T/s.data" --force >/dev/null 2>&1
"$HEARTHD" recovery start --data "$T/s.data" --audit-key "$T/other.key" >/dev/null 2>&1
expect_eq "a notice signed with another key can be made" 0 "$?"
restart_same s
h a2 sync >"$T/fg.out" 2>"$T/fg.err"
expect_eq "a forged notice is refused (exit 5)" 5 "$?"
expect_contains "it says the notice is not signed by the pinned key" "not signed by the pinned audit key" "$(cat "$T/fg.err")"
expect_contains "the replica keeps everything" 赵铁柱 "$(h a2 member list 2>&1)"

# ---- the audit key was lost: the committee publishes a new one and each
# witness is told with 'hearth init --audit-key'; the notice signed with the
# new key is then accepted, still only for a log the replica saw
stop_server s
openssl pkey -in "$T/other.key" -pubout -out "$T/other.pub" 2>/dev/null
"$HEARTHD" restore --from "$T/week-old.mdb" --data "$T/s.data" --force >/dev/null 2>&1
"$HEARTHD" recovery start --data "$T/s.data" --audit-key "$T/other.key" >/dev/null 2>&1
start_server s --listen "127.0.0.1:$PORT_s" --audit-key "$T/other.key"
h a2 sync >"$T/nk.out" 2>"$T/nk.err"
expect_eq "a server signing with a new key is refused until the witness is told" 5 "$?"
expect_contains "it says the key changed" "signs its checkpoints with another key" "$(cat "$T/nk.err")"
h a2 init --server "127.0.0.1:$PORT_s" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" \
	--ca "$CERTS/ca.pem" --audit-key "$T/other.pub" >"$T/init.out" 2>&1
expect_eq "init --audit-key with the published key" 0 "$?"
expect_contains "init says the replica trusts the new key" "now trusts the audit key" "$(cat "$T/init.out")"
h a2 sync >"$T/nk2.out" 2>"$T/nk2.err"
expect_eq "then the notice signed with the new key is accepted (exit 0)" 0 "$?"
expect_contains "and a2 re-pushes what the server lost" "recovery: re-pushed" "$(cat "$T/nk2.err")"
expect_contains "a2's edit is back on the server" 北京市海淀区 "$(h a2 member show "$m1" 2>&1)"
stop_server s
finish
