#!/bin/bash
# History and the audit views in words (issue 15 item 6): `hearth history`,
# `audit log` and `audit show` print each changed field by its Chinese
# label, references by name (never the id), money in 元, enum labels, yes/no
# as 是/否, and progress notes, contacts and talk needs as text, under zh_CN,
# through the one core printer (audit_text.c) that `hearth ui` uses too.
. "$(dirname "$0")/lib.sh"

zh() { local name=$1; shift; LC_ALL=zh_CN.UTF-8 h "$name" "$@"; }

start_server s
client a1 branch1 "$PORT_s"
client adm admin "$PORT_s"

m1=$(h a1 member add --name 王秀英 --gender 女 --birth-date 1946-03-15 --join-date 1970-07-01)
m2=$(h a1 member add --name 李建国 --gender 男 --birth-date 1958-10-01 --join-date 1983-07-01 --mobile 是)
vi=$(h a1 visit add --members 王秀英 --occasion 春节 --date 2026-02-10 --visitors 李书记 --cash 300 --fund-source 党费)
pa=$(h a1 pairing add --mode 党员结对 --helper 张三 --member 李建国 --start-date 2026-01-01)
h a1 sync >/dev/null 2>&1
h a1 visit edit "$vi" --cash 1,500.50 --members 王秀英、李建国 >/dev/null
h a1 pairing note "$pa" --date 2026-03-01 --note 上门了解情况 --by 书记 >/dev/null
h a1 member note 李建国 --date 2026-03-02 --channel 微信 --note 在外务工 >/dev/null
h a1 member need 李建国 --reason 矛盾 --date 2026-03-05 --note 邻里纠纷 >/dev/null
h a1 member edit 李建国 --lost-contact 是 >/dev/null
h a1 sync >/dev/null 2>&1

# --- the visit: money in 元, members by name
out=$(zh a1 history "$vi" 2>&1); rc=$?
expect_eq "history exits 0" 0 "$rc"
expect_contains "the create: 慰问金 in 元" "    慰问金: （空） → 300.00元" "$out"
expect_contains "the create: 走访对象 by name" "    走访对象: （空） → 王秀英" "$out"
expect_contains "the create: 慰问事由 by its label" "    慰问事由: （空） → 春节" "$out"
expect_contains "the edit: old and new amount in 元" "    慰问金: 300.00元 → 1500.50元" "$out"
expect_contains "the edit: members by name, a Chinese list" "    走访对象: 王秀英 → 王秀英、李建国" "$out"
expect_not_contains "no member id in the history" "$m1" "$out"
expect_not_contains "nor the other's" "$m2" "$out"
expect_not_contains "no internal field name" "cash" "$out"
expect_not_contains "no fen" "150050" "$out"

# --- a record typed by name; contacts, talk needs and flags as text
out=$(zh a1 history 李建国 2>&1); rc=$?
expect_eq "history NAME exits 0" 0 "$rc"
expect_contains "the heading names the member" "李建国（$m2）的修改历史" "$out"
expect_contains "a contact as text" "    联系记录: （空） → 2026-03-02 微信: 在外务工" "$out"
expect_contains "a talk need as text" "    需谈话事项: （空） → 2026-03-05 矛盾: 邻里纠纷" "$out"
expect_contains "yes/no as 是/否" "    失联党员: 否 → 是" "$out"
expect_contains "an enum by its label" "    性别: （空） → 男" "$out"
expect_not_contains "never raw protobuf" "(message)" "$out"

out=$(zh a1 history "$pa" 2>&1)
expect_contains "a progress note as text" "    帮扶进展: （空） → 2026-03-01: 上门了解情况 (书记)" "$out"
expect_contains "the pairing's member by name" "    帮扶对象: （空） → 李建国" "$out"

# --- audit log: the record by name, the change in words (names come from
# the reader's replica: the admin's holds every branch once synced)
h adm sync >/dev/null 2>&1
out=$(zh adm audit log --record "$vi" 2>&1); rc=$?
expect_eq "audit log --record exits 0" 0 "$rc"
expect_contains "audit log: money in 元 and names" "走访对象: 王秀英 → 王秀英、李建国; 慰问金: 300.00元 → 1500." "$out"
expect_not_contains "audit log: no member id" "$m1" "$out"
out=$(zh adm audit log --record 李建国 --action record.update 2>&1)
expect_contains "audit log: a member's record column shows the name" "李建国" "$out"
expect_not_contains "audit log: not the first digits every id shares" "${m2:0:8} " "$out"

# --- audit show: label (field), names, 元
seq=$(h adm audit log --json --record "$vi" --action record.update | grep -o '"seq":[0-9]*' | head -1 | cut -d: -f2)
out=$(zh adm audit show "$seq" 2>&1); rc=$?
expect_eq "audit show exits 0" 0 "$rc"
expect_contains "audit show: 慰问金 in 元" "  慰问金 (cash): 300.00元 → 1500.50元" "$out"
expect_contains "audit show: members by name" "  走访对象 (members): 王秀英 → 王秀英、李建国" "$out"
expect_not_contains "audit show: no member id" "$m1" "$out"

# --- --json keeps ids and the bytes for programs
js=$(h adm audit show "$seq" --json)
expect_contains "audit show --json: the members' ids stay" "$m2" "$js"
finish
