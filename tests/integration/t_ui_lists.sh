#!/bin/bash
# `hearth ui`'s lists answer a page of rows at a time (issue 14 item 7):
# 100 rows with the total, the next page with offset (the page's 显示更多),
# a search counted over every row and paged the same way, and a bad offset
# refused with what is wrong. Only the rows shown are described, so a list
# of a large replica stays fast (tests/bench/ui.sh measures it).
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
client a branch1 127.0.0.1:1

{
	echo "姓名,性别,入党日期,类别"
	for i in $(seq -w 1 225); do echo "党员$i,男,2001-07-01,正式"; done
	for i in $(seq -w 1 5); do echo "王秀$i,女,1998-07-01,正式"; done
} > "$T/m.csv"
expect_eq "230 members imported" 0 "$(h a member import "$T/m.csv" >/dev/null; echo $?)"
h a visit add --members "$(h a member list --csv 2>/dev/null | sed -n 2p | cut -d, -f1)" --occasion 春节 \
	--date 2026-02-10 --visitors 张三 --cash 300 --fund-source 党费 >/dev/null

# 205 honours, each of which asks for a talk (应办事项 on 首页)
{
	echo "年度,表彰名称,受表彰党员,事迹,状态"
	h a member list --csv 2>/dev/null | tail -n +2 | cut -d, -f1 | head -205 | while read -r id; do
		echo "2026,优秀共产党员,$id,事迹,已颁发"
	done
} > "$T/o.csv"
expect_eq "205 honours imported" 0 "$(h a honor import "$T/o.csv" >/dev/null; echo $?)"

ui_start a LC_ALL=C.UTF-8 LANGUAGE=
get() { curl -s --max-time 20 -b "$T/jar" "$B$1"; }
rows() { grep -o '"fields":' | wc -l; }

p1=$(get "/api/records?kind=member")
expect_eq "the first page has 100 rows" 100 "$(echo "$p1" | rows)"
expect_contains "and the total of 230" '"total":230' "$p1"
expect_contains "from offset 0" '"offset":0' "$p1"
p2=$(get "/api/records?kind=member&offset=100")
expect_eq "the next page has 100 more" 100 "$(echo "$p2" | rows)"
expect_eq "the last page the other 30" 30 "$(get "/api/records?kind=member&offset=200" | rows)"
expect_contains "at offset 100" '"offset":100' "$p2"
last1=$(echo "$p1" | grep -o '"id":"[0-9a-f-]*"' | tail -1)
first2=$(echo "$p2" | grep -o '"id":"[0-9a-f-]*"' | head -1)
[ "$last1" != "$first2" ] && pass "the pages do not overlap" || fail "page two repeats $first2"
expect_eq "past the end: no rows" 0 "$(get "/api/records?kind=member&offset=500" | rows)"
s=$(get "/api/records?kind=member&q=%E7%8E%8B%E7%A7%80")
expect_eq "a search finds the five 王秀" 5 "$(echo "$s" | rows)"
expect_contains "and counts them" '"total":5' "$s"
expect_eq "a search pages too" 2 "$(get "/api/records?kind=member&q=%E7%8E%8B%E7%A7%80&offset=3" | rows)"
expect_eq "a bad offset is 400" 400 "$(curl -s -o /dev/null -w '%{http_code}' -b "$T/jar" "$B/api/records?kind=member&offset=-1")"
expect_eq "and says why" '{"error":"\"offset\" must be a row number","field":"offset","label":"offset"}' \
	"$(get "/api/records?kind=member&offset=x")"
v=$(get "/api/records?kind=visit")
expect_contains "another kind's list holds only its own records" '"total":1' "$v"
expect_eq "the empty kind's list is empty" '{"kind":"hardship","rows":[],"total":0,"offset":0}' "$(get "/api/records?kind=hardship")"
home=$(get /api/home)
expect_eq "首页 lists the 200 most urgent 应办事项" 200 "$(echo "$home" | grep -o '"what":' | wc -l)"
expect_contains "and says how many there are" '"due_total":205' "$home"
kill -TERM "$UI_PID"; wait "$UI_PID"
expect_eq "hearth ui stops cleanly" 0 "$?"
finish
