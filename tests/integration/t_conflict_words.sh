#!/bin/bash
# Conflicts in the words people use (issue 15 items 6 and 7): `conflicts`
# and `conflicts show` print both values of a field as `history` does
# (money in 元, members by name, enum labels, dates), and `resolve --set
# FIELD=VALUE` takes a value as the record commands do (yuan as 1,500.50
# or 1500元, members by name, labels, a field by its Chinese label), so
# what is shown can be typed back. Checked word for word under zh_CN.
. "$(dirname "$0")/lib.sh"

zh() { local name=$1; shift; LC_ALL=zh_CN.UTF-8 h "$name" "$@"; }

start_server s
client a1 branch1 "$PORT_s"
client a2 branch1 "$PORT_s"

m1=$(h a1 member add --name 王秀英 --gender 女 --birth-date 1946-03-15 --join-date 1970-07-01)
m2=$(h a1 member add --name 李建国 --gender 男 --birth-date 1958-10-01 --join-date 1983-07-01)
v=$(h a1 visit add --members 王秀英 --occasion 春节 --date 2026-02-10 --visitors 李书记 --cash 300 --fund-source 党费)
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1
h a1 visit edit "$v" --cash 1,500.50 --occasion 七一 --members 李建国 --date 2026-07-01 >/dev/null
h a2 visit edit "$v" --cash 200元 --occasion 住院 --members 王秀英、李建国 --date 2026-03-01 >/dev/null
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1; rc=$?
expect_eq "the same fields edited on two replicas conflict (exit 4)" 4 "$rc"
cid=$(h a2 conflicts --json | grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)

out=$(zh a2 conflicts show "$cid" 2>&1); rc=$?
expect_eq "conflicts show exits 0" 0 "$rc"
expect_eq "conflicts show: both values as people read them, in Chinese" \
"冲突 $cid  visit（走访慰问）$v
  服务器一方：张三，另一方：张三（本机）
  字段                        服务器                          另一方（本机）
  members 走访对象            李建国                          王秀英、李建国
  occasion 慰问事由           七一                            住院
  date 走访日期               2026-07-01                      2026-03-01
  cash 慰问金                 1500.50元                       200.00元" "$(sed '2s/^  [^；]*；/  /' <<<"$out")"
expect_contains "the listing prints them alike" "  cash 慰问金                 1500.50元                       200.00元" "$(zh a2 conflicts)"
expect_contains "--json keeps the typed form for programs" '"field":"cash","server":"150050","other":"20000"' \
	"$(h a2 conflicts --json)"

# --- a value that does not fit is refused, with the field and the value
out=$(zh a2 resolve "$cid" --set cash=12.345 2>&1); rc=$?
expect_eq "three decimals: bad usage" 2 "$rc"
expect_eq "three decimals: said in Chinese" "hearth: resolve：--set cash：慰问金“12.345”超过了两位小数（1 分 = 0.01 元）" "$out"
out=$(zh a2 resolve "$cid" --set 走访对象=张无忌 2>&1); rc=$?
expect_eq "a member nobody has: bad usage" 2 "$rc"
expect_eq "a member nobody has: said in Chinese" "hearth: resolve：--set members：本地副本中没有名叫 张无忌 的党员" "$out"
out=$(zh a2 resolve "$cid" --set phone=1 2>&1); rc=$?
expect_eq "a field that is not in conflict: bad usage" 2 "$rc"
expect_eq "a field not in conflict: the conflict's fields listed" \
	"hearth: resolve：--set phone：不是这个冲突中的字段（members 走访对象, occasion 慰问事由, date 走访日期, cash 慰问金）" "$out"
out=$(zh a2 resolve "$cid" --set occasion=赶集 2>&1); rc=$?
expect_eq "an enum word that is not one: bad usage" 2 "$rc"
expect_contains "the choices listed" "spring_festival (春节)" "$out"
expect_eq "nothing was resolved" 1 "$(h a2 conflicts --json | grep -o '"id":"[0-9a-f-]*"' | wc -l)"

# --- what is shown is typed back: the other side's values, as printed
out=$(zh a2 resolve "$cid" --set members=王秀英、李建国 --set 慰问事由=住院 --set date=2026-03-01 \
	--set cash=200.00元 2>&1); rc=$?
expect_eq "resolve --set with the values as printed" 0 "$rc"
expect_eq "said in Chinese" "已处理冲突 $cid；运行“hearth sync”同步后发送到服务器" "$out"
js=$(h a2 visit show "$v" --json)
expect_contains "the members by name" "\"members\":[\"$m1\",\"$m2\"]" "$js"
expect_contains "the amount in yuan" '"cash":20000' "$js"
expect_contains "the occasion by its label" '"occasion":"hospital"' "$js"
h a2 sync >/dev/null 2>&1; rc=$?
expect_eq "the resolution syncs" 0 "$rc"
expect_eq "no open conflict left" "[]" "$(h a2 conflicts --json)"
expect_eq "no open conflicts: said in Chinese" "没有未解决的冲突" "$(zh a2 conflicts)"

# --- money with thousands separators, on a second conflict
h a1 sync >/dev/null 2>&1
h a1 visit edit "$v" --cash 10 >/dev/null
h a2 visit edit "$v" --cash 20 >/dev/null
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1
c2=$(h a2 conflicts --json | grep -o '"id":"[0-9a-f-]*"' | head -1 | cut -d'"' -f4)
out=$(h a2 resolve "$c2" --set cash=1,500.50 2>&1); rc=$?
expect_eq "resolve --set cash=1,500.50" 0 "$rc"
expect_contains "1,500.50 is 150050 fen" '"cash":150050' "$(h a2 visit show "$v" --json)"

# --- the help says so
expect_contains "conflicts --help: the values can be typed back" "可以照原样填回" "$(zh a2 conflicts --help)"
expect_contains "resolve --help: money in yuan" "金额以元为单位（1,500.50、1500元）" "$(zh a2 resolve --help)"
finish
