#!/bin/bash
# `hearth ui` and a member's 需谈话事项 and 流动党员 contact log (issue 15
# item 12): the member's page lists them (/api/member-log) and adds one
# through the same core as `hearth member need` / `member note`
# (client/core/member_log.c); a bad reason or date is refused with the
# CLI's Chinese sentence; the CLI's `member show` and the 首页's 应办事项
# (due) see what the page added. Under zh_CN.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	echo "SKIP: the zh_CN.UTF-8 locale is not installed (.ci/deps.sh generates it)"
	exit 77
fi
export LC_ALL=zh_CN.UTF-8 LANGUAGE=
export HEARTH_TODAY=2027-04-01

client a branch1 127.0.0.1:1
zs=$(h a member add --name 张三 --gender 男 --join-date 1990-07-01 --category 正式)
ls=$(h a member add --name 李四 --gender 女 --join-date 2000-07-01 --category 正式 --mobile 是 --destination 深圳)

ui_start a
get() { curl -s --max-time 20 -b "$T/jar" "$B$1"; }
post() {
	curl -s --max-time 20 -b "$T/jar" -X POST -H 'Content-Type: application/json' -H "Origin: $B" \
		-H "X-CSRF-Token: $CSRF" -w '\n%{http_code}' --data "$2" "$B$1"
}

expect_eq "a member with nothing logged" '{"mobile":false,"talk_needs":[],"contacts":[]}' "$(get "/api/member-log?id=$zs")"
expect_eq "a mobile member is said to be one" '{"mobile":true,"talk_needs":[],"contacts":[]}' "$(get "/api/member-log?id=$ls")"

out=$(post /api/member-log/add "{\"id\":\"$zs\",\"what\":\"need\",\"reason\":\"矛盾\",\"date\":\"2027-03-10\",\"note\":\"邻里纠纷\",\"by\":\"王书记\"}")
expect_eq "a talk owed is added" '{}
200' "$out"
expect_eq "the page lists it" \
	'{"mobile":false,"talk_needs":[{"reason":"矛盾","date":"2027-03-10","note":"邻里纠纷","by":"王书记"}],"contacts":[]}' \
	"$(get "/api/member-log?id=$zs")"
expect_contains "member show lists it too" "2027-03-10  矛盾  邻里纠纷" "$(h a member show 张三)"
home=$(get /api/home)
expect_contains "首页's 应办事项 owes the talk" \
	"{\"what\":\"talk\",\"label\":\"谈心谈话\",\"member\":\"张三\",\"record\":\"$zs\",\"reason\":\"需谈话事项：矛盾，邻里纠纷\",\"since\":\"2027-03-10\"" "$home"
expect_contains "and the mobile member owes a contact" \
	"\"what\":\"mobile_contact\",\"label\":\"流动党员联系\",\"member\":\"李四\",\"record\":\"$ls\",\"reason\":\"流动党员：深圳\"" "$home"

out=$(post /api/member-log/add "{\"id\":\"$ls\",\"what\":\"contact\",\"date\":\"2027-03-01\",\"channel\":\"电话\",\"note\":\"在深圳务工，近况良好\"}")
expect_eq "a contact is added" '{}
200' "$out"
expect_eq "the page lists it" \
	'{"mobile":true,"talk_needs":[],"contacts":[{"date":"2027-03-01","channel":"电话","note":"在深圳务工，近况良好","by":""}]}' \
	"$(get "/api/member-log?id=$ls")"
expect_contains "member show lists it too" "2027-03-01  电话  在深圳务工，近况良好" "$(h a member show 李四)"
expect_not_contains "the contact settles 首页's reminder" '"what":"mobile_contact"' "$(get /api/home)"

# ---- bad input, word for word
out=$(post /api/member-log/add "{\"id\":\"$zs\",\"what\":\"need\",\"reason\":\"吵架\",\"date\":\"2027-03-10\"}")
expect_eq "an unknown reason is refused with the CLI's sentence" \
	'{"error":"--reason“吵架”不是谈话起因（困难、矛盾、失误、问题、提拔、日常、思想波动、组织关系转接、表彰）","field":"reason","label":"reason"}
422' "$out"
out=$(post /api/member-log/add "{\"id\":\"$ls\",\"what\":\"contact\",\"date\":\"2027-02-30\",\"note\":\"x\"}")
expect_eq "a date that does not exist is refused (422)" 422 "$(echo "$out" | tail -1)"
expect_contains "naming the date" "2027-02-30" "$out"
out=$(post /api/member-log/add "{\"id\":\"$zs\",\"what\":\"gossip\"}")
expect_eq "an unknown what is refused" '{"error":"“what”必须是“need”（需谈话事项）或“contact”（联系记录）","field":"what","label":"what"}
400' "$out"
expect_eq "nothing bad was stored" 1 "$(get "/api/member-log?id=$zs" | grep -o '"reason":' | wc -l | tr -d ' ')"
expect_contains "the page draws the lists and forms" 'post("/api/member-log/add"' "$(get /pages.js)"

kill -TERM "$UI_PID"; wait "$UI_PID"
expect_eq "hearth ui stops cleanly" 0 "$?"
finish
