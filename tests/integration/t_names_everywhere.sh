#!/bin/bash
# A name wherever a member, a record or a conflict is typed (issue 15 item
# 6): `KIND show/edit/delete/restore NAME` finds the one record of that kind
# about the member, `history NAME`, `conflicts show NAME`, `resolve NAME`,
# `resolve --set member=NAME` and `--members NAME、NAME`; a name shared by
# two members, or a member with two records of the kind, lists the
# candidates (members with birth and join dates) in Chinese under zh_CN.
. "$(dirname "$0")/lib.sh"

zh() { local name=$1; shift; LC_ALL=zh_CN.UTF-8 h "$name" "$@"; }

start_server s
client a1 branch1 "$PORT_s"
client a2 branch1 "$PORT_s"

m1=$(h a1 member add --name 王秀英 --gender 女 --birth-date 1946-03-15 --join-date 1970-07-01)
m2=$(h a1 member add --name 李建国 --gender 男 --birth-date 1958-10-01 --join-date 1983-07-01)
hs=$(h a1 hardship add --member 王秀英 --types 患病 --level 特别困难 --certified-at 2026-01-05)
v1=$(h a1 visit add --members 李建国 --occasion 春节 --date 2026-02-10 --visitors 李书记)
v2=$(h a1 visit add --members 李建国、王秀英 --occasion 七一 --date 2026-07-01 --visitors 李书记)

# --- KIND show/edit NAME: the one record of that kind about the member
out=$(h a1 hardship show 王秀英 --json 2>&1); rc=$?
expect_eq "hardship show NAME" 0 "$rc"
expect_contains "finds that member's hardship entry" "\"id\":\"$hs\"" "$out"
h a1 hardship edit 王秀英 --description 独居无子女 >/dev/null 2>&1; rc=$?
expect_eq "hardship edit NAME" 0 "$rc"
expect_contains "the edit landed on it" "独居无子女" "$(h a1 hardship show "$hs")"
out=$(zh a1 visit show 李建国 2>&1); rc=$?
expect_eq "two visits of one member: bad usage" 2 "$rc"
expect_eq "two visits: listed with their dates, in Chinese" \
"hearth: visit show: 李建国有 2 条走访慰问记录；请给出你要找的那条的编号：
  走访慰问 2026-02-10，编号 $v1
  走访慰问 2026-07-01，编号 $v2" "$out"
out=$(zh a1 pairing show 王秀英 2>&1); rc=$?
expect_eq "no record of that kind: bad usage" 2 "$rc"
expect_eq "no record of that kind: said in Chinese" "hearth: pairing show: 王秀英在本地副本中没有结对帮扶记录" "$out"

# --- delete and restore by name (of a record the server holds: one that
# never left this replica is simply dropped)
h a1 sync >/dev/null 2>&1
h a1 hardship delete 王秀英 >/dev/null 2>&1; rc=$?
expect_eq "hardship delete NAME" 0 "$rc"
expect_contains "it is deleted" '"deleted":true' "$(h a1 hardship list --deleted --json)"
out=$(h a1 hardship restore 王秀英 2>&1); rc=$?
expect_eq "hardship restore NAME" 0 "$rc"
expect_eq "restore names what it restored" "restored $hs" "$out"
out=$(zh a1 hardship restore 王秀英 2>&1); rc=$?
expect_eq "nothing deleted left: bad usage" 2 "$rc"
expect_eq "nothing deleted left: said in Chinese" "hearth: hardship restore: 王秀英在本地副本中没有已删除的困难党员记录" "$out"

# --- a shared name: the members listed with birth and join dates
m3=$(h a1 member add --name 王秀英 --gender 女 --birth-date 1980-01-02 --join-date 2010-07-01)
out=$(zh a1 hardship show 王秀英 2>&1); rc=$?
expect_eq "a shared name: bad usage" 2 "$rc"
expect_eq "a shared name: both members, with dates, in Chinese" \
"hearth: hardship show: 有 2 名党员叫 王秀英；请给出你要找的那名党员的编号：
  王秀英  出生于 1946-03-15，入党于 1970-07-01，编号 $m1
  王秀英  出生于 1980-01-02，入党于 2010-07-01，编号 $m3" "$out"
out=$(zh a1 visit add --members 王秀英 --occasion 春节 --date 2026-02-11 --visitors 李书记 2>&1); rc=$?
expect_eq "--members with a shared name: bad usage" 2 "$rc"
expect_contains "--members with a shared name: listed" "王秀英  出生于 1980-01-02，入党于 2010-07-01，编号 $m3" "$out"
out=$(zh a1 visit list --member 王秀英 2>&1); rc=$?
expect_eq "--member filter with a shared name: bad usage" 2 "$rc"
expect_contains "--member filter: the members listed with dates" "王秀英  出生于 1946-03-15，入党于 1970-07-01，编号 $m1" "$out"
expect_contains "--member filter: the tail form finds one" "$v2" "$(h a1 visit list --member "王秀英 (…${m1: -12})" --json 2>&1)"
out=$(h a1 hardship show "王秀英 (…${m1: -12})" --json 2>&1); rc=$?
expect_eq "the name as listings print it, with the id's tail" 0 "$rc"
expect_contains "finds that member's entry" "\"id\":\"$hs\"" "$out"
out=$(h a1 history "王秀英 (…${m3: -12})" 2>&1)
expect_contains "history of a shared name by its tail" "$m3" "$out"

# --- conflicts by name
h a1 sync >/dev/null 2>&1; h a2 sync >/dev/null 2>&1
h a1 member edit 李建国 --address 临沂市 >/dev/null
h a2 member edit 李建国 --address 济南市 >/dev/null
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1; rc=$?
expect_eq "the same field edited twice conflicts" 4 "$rc"
cid=$(h a2 conflicts --json | grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)
out=$(h a2 conflicts show 李建国 2>&1); rc=$?
expect_eq "conflicts show NAME" 0 "$rc"
expect_contains "shows that conflict" "conflict $cid" "$out"
expect_contains "with both values" "济南市" "$out"
out=$(h a2 conflicts show "${cid: -12}" 2>&1); rc=$?
expect_eq "conflicts show TAIL (last 12 digits)" 0 "$rc"
expect_contains "the tail finds it" "conflict $cid" "$out"
out=$(zh a2 conflicts show 王秀英 2>&1); rc=$?
expect_eq "no conflict about her: bad usage" 2 "$rc"
expect_contains "said in Chinese" "本地副本中没有关于 王秀英 (…${m1: -12})" "$(zh a2 conflicts show "王秀英 (…${m1: -12})" 2>&1)"
out=$(h a2 resolve 李建国 --keep mine 2>&1); rc=$?
expect_eq "resolve NAME" 0 "$rc"
expect_eq "resolve names the conflict it settled" "resolved $cid; run 'hearth sync' to send it" "$out"
h a2 sync >/dev/null 2>&1

# --- resolve --set of a reference by name
h a1 sync >/dev/null 2>&1
h a1 hardship edit "$hs" --member 李建国 >/dev/null
h a2 hardship edit "$hs" --member "王秀英 (…${m3: -12})" >/dev/null
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1
c2=$(h a2 conflicts --json | grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)
out=$(h a2 resolve "$c2" --set member=李建国 2>&1); rc=$?
expect_eq "resolve --set member=NAME" 0 "$rc"
expect_contains "the member set by name" "\"member\":\"$m2\"" "$(h a2 hardship show "$hs" --json)"
finish
