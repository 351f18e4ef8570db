#!/bin/bash
# Talks the rules require (需谈话事项) and the contact log of mobile members
# (流动党员), issue 15 item 12, under zh_CN as a secretary works: `hearth
# member need` records one (member, reason = a talk trigger, date) and
# `due` owes it until a talk with that trigger and that member is held on or
# after the date; `hearth member note --channel` logs a contact and `due`
# reminds when a mobile member has none for 90 days. Both sync through the
# server, which validates them with the same rules (common/kinds.c).
. "$(dirname "$0")/lib.sh"

if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	echo "SKIP: the zh_CN.UTF-8 locale is not installed (.ci/deps.sh generates it)"
	exit 0
fi
zh() { LC_ALL=zh_CN.UTF-8 h "$@"; }

start_server s
P=$PORT_s
client a branch1 "$P"
client b branch1 "$P"
export HEARTH_TODAY=2027-04-01
due_json() { zh "$1" due --json; }

zs=$(zh a member add --name 张三 --gender 男 --join-date 1990-07-01 --category 正式)
ls=$(zh a member add --name 李四 --gender 女 --join-date 2000-07-01 --category 正式 --mobile 是 --destination 深圳)
zh a member add --name 王五 --gender 男 --join-date 2010-07-01 --category 正式 >/dev/null

# ---- a talk owed: recorded, then tracked by due
out=$(zh a member need 张三 --reason 矛盾 --date 2027-03-10 --note 邻里纠纷); rc=$?
expect_eq "member need exits 0" 0 "$rc"
expect_eq "member need says what it recorded" "已为张三登记需谈话事项（矛盾，自 2027-03-10 起）" "$out"
js=$(due_json a)
expect_contains "due owes the talk from its date" "{\"what\":\"talk\",\"member\":\"$zs\",\"member_name\":\"张三\",\"record\":\"$zs\",\"reason\":\"需谈话事项：矛盾，邻里纠纷\",\"since\":\"2027-03-10\",\"days\":22,\"deadline\":\"2027-04-09\",\"overdue\":false,\"detail\":\"期限 2027-04-09，还剩 8 天\"}" "$js"
out=$(zh a due)
expect_contains "the due table in Chinese" "谈心谈话 张三 需谈话事项：矛盾，邻里纠纷 2027-03-10 22 期限 2027-04-09，还剩 8 天" "$(tr -s ' ' <<<"$out")"
out=$(zh a member show 张三)
expect_contains "member show lists the talk owed" "需谈话事项" "$out"
expect_contains "member show: date, reason, note" "2027-03-10  矛盾  邻里纠纷" "$out"

# a talk with another trigger, or with this one before the date, does not settle it
zh a talk add --trigger 日常 --talker 书记 --members 张三 --date 2027-03-20 --topic 日常谈心 >/dev/null
zh a talk add --trigger 矛盾 --talker 书记 --members 张三 --date 2027-03-01 --topic 早先的谈话 >/dev/null
expect_contains "another trigger does not settle it" '"reason":"需谈话事项：矛盾，邻里纠纷"' "$(due_json a)"
out=$(HEARTH_TODAY=2027-04-20 zh a due --json)
expect_contains "after the window it is overdue" '"reason":"需谈话事项：矛盾，邻里纠纷","since":"2027-03-10","days":41,"deadline":"2027-04-09","overdue":true,"detail":"期限 2027-04-09，已逾期 11 天"' "$out"
# the talk with that trigger on or after the date settles it
zh a talk add --trigger 矛盾 --talker 书记 --members 张三 --date 2027-03-25 --topic 化解纠纷 >/dev/null
expect_not_contains "a talk with that trigger settles it" "需谈话事项" "$(due_json a)"
# promotion: owed until the talk; other members untouched
zh a member need 王五 --reason 提拔 --date 2027-03-31 >/dev/null
js=$(due_json a)
expect_contains "王五 owes a promotion talk" '"member_name":"王五","record":' "$js"
expect_contains "…with no note" '"reason":"需谈话事项：提拔","since":"2027-03-31","days":1' "$js"
expect_not_contains "a need dated in the future is not owed yet" "2027-05-01" "$(zh a member need 张三 --reason 失误 --date 2027-05-01 >/dev/null; due_json a)"

# ---- bad input, word for word
out=$(zh a member need 张三 --reason 吵架 --date 2027-03-10 2>&1); rc=$?
expect_eq "an unknown reason exits 2" 2 "$rc"
expect_eq "an unknown reason is named" "hearth: member need: --reason“吵架”不是谈话起因（困难、矛盾、失误、问题、提拔、日常、思想波动、组织关系转接、表彰）" "$out"
out=$(zh a member need 张三 --reason 困难 2>&1); rc=$?
expect_eq "no date exits 2" 2 "$rc"
expect_eq "no date is named" "hearth: member need: 请给出 --reason（困难、矛盾、失误、问题、提拔……）和 --date YYYY-MM-DD" "$out"
out=$(zh a member need 张三 --reason 困难 --date 2027-02-30 2>&1); rc=$?
expect_eq "a date that does not exist exits 2" 2 "$rc"
expect_contains "a date that does not exist is named" "需谈话事项第 3 条：日期 2027-02-30 不是存在的日期（YYYY-MM-DD）" "$out"
out=$(zh a visit need 张三 --reason 困难 --date 2027-03-01 2>&1); rc=$?
expect_eq "need on another kind exits 2" 2 "$rc"
expect_eq "need on another kind" "hearth: visit need: 需谈话事项登记在党员上：“hearth member need 党员 ...”" "$out"

# ---- the contact log of a mobile member
js=$(due_json a)
expect_contains "李四 (mobile) has never been contacted" "{\"what\":\"mobile_contact\",\"member\":\"$ls\",\"member_name\":\"李四\",\"record\":\"$ls\",\"reason\":\"流动党员：深圳\"," "$js"
expect_contains "…counted from the day the record was made" '"detail":"无联系记录（建档 ' "$js"
expect_not_contains "a member who is not mobile is never owed a contact" '"what":"mobile_contact","member":"'"$zs" "$js"
out=$(zh a member note 李四 --date 2027-03-01 --channel 电话 --note 在深圳务工，近况良好); rc=$?
expect_eq "member note exits 0" 0 "$rc"
expect_not_contains "a contact within 90 days settles it" '"what":"mobile_contact"' "$(due_json a)"
out=$(HEARTH_TODAY=2027-06-15 zh a due --json)
expect_contains "106 days later it is due again" "{\"what\":\"mobile_contact\",\"member\":\"$ls\",\"member_name\":\"李四\",\"record\":\"$ls\",\"reason\":\"流动党员：深圳\",\"since\":\"2027-03-01\",\"days\":106,\"overdue\":true,\"detail\":\"上次联系 2027-03-01（电话）\"}" "$out"
expect_contains "the count" '"mobile_contact":1,' "$out"
out=$(HEARTH_TODAY=2027-06-15 zh a due)
expect_contains "the due table names it" "流动党员联系 李四 流动党员：深圳 2027-03-01 106 上次联系 2027-03-01（电话）" "$(tr -s ' ' <<<"$out")"
expect_contains "the due table sums it" "90 天内没有联系记录的流动党员：1" "$out"
printf '\n[due]\ncontact_gap_days = 120\n' >> "$T/home.a/profile.ini"
out=$(HEARTH_TODAY=2027-06-15 zh a due --json)
expect_not_contains "[due] contact_gap_days = 120: not yet" '"what":"mobile_contact"' "$out"
expect_contains "the threshold is reported" '"contact_gap_days":120' "$out"
out=$(zh a member show 李四)
expect_contains "member show lists the contact log" "2027-03-01  电话  在深圳务工，近况良好" "$out"
expect_contains "member show --json: the contact" '"contacts":[{"date":"2027-03-01","note":"在深圳务工，近况良好","by":"","channel":"电话"}]' "$(zh a member show 李四 --json)"
out=$(zh a member note 李四 --date 2027-03-02 --note 微信问候 2>&1); rc=$?
expect_eq "a contact without a channel exits 2" 2 "$rc"
expect_contains "a contact without a channel is named" "联系记录第 2 条：必须填写联系方式（电话、微信、上门……）" "$out"

# ---- both go through the server to the other replica
expect_eq "a syncs" 0 "$(h a sync >"$T/sync.a" 2>&1; echo $?)"
expect_eq "b syncs" 0 "$(h b sync >"$T/sync.b" 2>&1; echo $?)"
expect_contains "b has the contact log" '"channel":"电话"' "$(zh b member show 李四 --json)"
expect_contains "b has the talks owed" '"talk_needs":[{"reason":"conflict","date":"2027-03-10","note":"邻里纠纷"}' "$(zh b member show 张三 --json)"
expect_contains "b owes the same promotion talk" '"reason":"需谈话事项：提拔"' "$(due_json b)"

finish
