#!/bin/bash
# People, not ids (issue 15 item 6, first part): wherever a member or a
# record is typed, a member's name works, and so does a unique tail of the
# id (its last 12 hex digits, the random part: every record of a branch
# shares the time-ordered first digits). A name shared by two members lists
# both with birth and join dates; an unknown name says so.
. "$(dirname "$0")/lib.sh"

start_server s
client a1 branch1 "$PORT_s"

m1=$(h a1 member add --name 王秀英 --gender 女 --birth-date 1946-03-15 --join-date 1970-07-01)
m2=$(h a1 member add --name 李建国 --gender 男 --birth-date 1958-10-01 --join-date 1983-07-01)

# --- a member's name in a reference flag, single and in a list
hs=$(h a1 hardship add --member 王秀英 --types 患病 --level 特别困难 --income 800 --certified-at 2026-01-05 2>&1); rc=$?
expect_eq "hardship add --member NAME" 0 "$rc"
expect_contains "the reference is the member's id" "\"member\":\"$m1\"" "$(h a1 hardship show "$hs" --json)"
vi=$(h a1 visit add --members "王秀英、李建国" --occasion 春节 --date 2026-02-10 --visitors 李书记 2>&1); rc=$?
expect_eq "visit add --members NAME、NAME" 0 "$rc"
js=$(h a1 visit show "$vi" --json)
expect_contains "both members referenced by id" "\"$m1\"" "$js"
expect_contains "both members referenced by id (2)" "\"$m2\"" "$js"

# --- references read as names: alone while the name is unique
out=$(h a1 hardship show "$hs")
expect_contains "a reference shows the member's name" "王秀英" "$out"
expect_not_contains "and no id while the name is unique" "(…" "$out"
expect_not_contains "nor the shared first digits of every id" "(${m1:0:8})" "$out"

# --- a name where a record id goes
out=$(h a1 member show 王秀英 --json 2>&1); rc=$?
expect_eq "member show NAME" 0 "$rc"
expect_contains "shows that member" "\"id\":\"$m1\"" "$out"
h a1 member edit 李建国 --address 临沂市 >/dev/null
expect_contains "member edit NAME" "临沂市" "$(h a1 member show "$m2")"

# --- the id's random tail
tail12=${m2: -12}
out=$(h a1 member show "$tail12" --json 2>&1); rc=$?
expect_eq "member show TAIL (last 12 hex digits)" 0 "$rc"
expect_contains "the tail finds the record" "\"id\":\"$m2\"" "$out"

# --- unknown and shared names
out=$(h a1 member show 张无名 2>&1); rc=$?
expect_eq "unknown name: bad usage" 2 "$rc"
expect_eq "unknown name: said" "hearth: member show: no member named 张无名 in the local replica" "$out"
out=$(h a1 hardship add --member 张无名 --types 患病 --level 特别困难 --certified-at 2026-01-05 2>&1); rc=$?
expect_eq "unknown name in a flag: bad usage" 2 "$rc"
expect_contains "unknown name in a flag: said" "no member named 张无名 in the local replica" "$out"
m3=$(h a1 member add --name 王秀英 --gender 女 --birth-date 1980-01-02 --join-date 2010-07-01)
expect_contains "a shared name gets the id's random tail, which can be typed back" \
	"王秀英 (…${m1: -12})" "$(h a1 hardship show "$hs")"
expect_contains "the tail finds that member" "\"id\":\"$m1\"" "$(h a1 member show "${m1: -12}" --json)"
out=$(h a1 member show 王秀英 2>&1); rc=$?
expect_eq "shared name: bad usage" 2 "$rc"
expect_contains "shared name: how many" "2 members are named 王秀英; give the id of the one you mean:" "$out"
expect_contains "shared name: the first, with dates" "王秀英  born 1946-03-15, joined 1970-07-01, id $m1" "$out"
expect_contains "shared name: the second" "王秀英  born 1980-01-02, joined 2010-07-01, id $m3" "$out"
out=$(h a1 visit add --members 王秀英 --occasion 春节 --date 2026-02-11 --visitors 李书记 2>&1); rc=$?
expect_eq "shared name in a flag: bad usage" 2 "$rc"
expect_contains "shared name in a flag: listed" "2 members are named 王秀英" "$out"
expect_eq "everything syncs" 0 "$(h a1 sync >/dev/null 2>&1; echo $?)"
finish
