#!/bin/bash
# Exports name people, not ids (issue 15 item 6): `KIND list --csv/--xlsx`
# writes each reference by name (走访对象, 党员) and keeps the ids in a
# column of their own (走访对象ID, 党员ID); `KIND import` takes such a file
# back: the ids decide, the names must still match them (a name changed
# while its id stayed is refused, in Chinese under zh_CN), and a row that
# gives only names is found by them, a shared name by its printed tail.
. "$(dirname "$0")/lib.sh"

zh() { local name=$1; shift; LC_ALL=zh_CN.UTF-8 h "$name" "$@"; }

start_server s
client a1 branch1 "$PORT_s"
client a2 branch1 "$PORT_s"

m1=$(h a1 member add --name 王秀英 --gender 女 --birth-date 1946-03-15 --join-date 1970-07-01)
m2=$(h a1 member add --name 李建国 --gender 男 --birth-date 1958-10-01 --join-date 1983-07-01)
m3=$(h a1 member add --name 王秀英 --gender 女 --birth-date 1980-01-02 --join-date 2010-07-01)
vi=$(h a1 visit add --members "$m1,$m2" --occasion 春节 --date 2026-02-10 --visitors 李书记 --cash 300 --fund-source 党费)
hs=$(h a1 hardship add --member 李建国 --types 患病 --level 特别困难 --certified-at 2026-01-05)

# --- CSV: names, then ids
h a1 visit list --csv >"$T/v.csv"
head=$(head -1 "$T/v.csv")
expect_contains "the header has the names column and the ids column" "走访对象,走访对象ID," "$head"
row=$(sed -n 2p "$T/v.csv")
expect_contains "the members by name, a shared name with its tail" ",王秀英 (…${m1: -12})、李建国,$m1、$m2," "$row"
h a1 hardship list --csv >"$T/h.csv"
expect_contains "hardship: 党员 and 党员ID" "党员,党员ID," "$(head -1 "$T/h.csv")"
expect_contains "hardship: the member by name, then the id" ",李建国,$m2," "$(sed -n 2p "$T/h.csv")"

# --- the same replica, --dry-run: nothing to say, nothing changed
out=$(h a1 visit import "$T/v.csv" --dry-run 2>&1); rc=$?
expect_eq "dry-run import of the export exits 0" 0 "$rc"
expect_contains "dry-run: every row unchanged" "0 to add, 0 to update, 1 unchanged" "$out"
out=$(h a1 hardship import "$T/h.csv" --dry-run 2>&1); rc=$?
expect_eq "hardship export re-imports" 0 "$rc"
expect_contains "hardship: unchanged" "0 to add, 0 to update, 1 unchanged" "$out"

# --- a fresh replica of the branch, after its first sync, takes the file
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1
out=$(h a2 visit import "$T/v.csv" 2>&1); rc=$?
expect_eq "the export imports into a fresh replica" 0 "$rc"
expect_contains "with no errors, nothing to change" "0 added, 0 updated, 1 unchanged" "$out"

# --- new rows by name only: the id columns empty
printf 'id,党员,党员ID,困难类型,困难程度,认定日期,状态\n,李建国,,患病,特别困难,2026-01-05,在册\n' >"$T/new.csv"
h a2 hardship delete "$hs" >/dev/null 2>&1
out=$(h a2 hardship import "$T/new.csv" 2>&1); rc=$?
expect_eq "a row with only the name imports" 0 "$rc"
expect_contains "as a new record" "1 added" "$out"
expect_contains "referring to the member of that name" "\"member\":\"$m2\"" "$(h a2 hardship list --json)"
# a shared name, typed back as the listing prints it
printf '走访对象,慰问事由,走访日期,走访人\n王秀英 (…%s),七一,2026-07-01,李书记\n' "${m3: -12}" >"$T/tail.csv"
out=$(h a2 visit import "$T/tail.csv" 2>&1); rc=$?
expect_eq "a shared name with its tail imports" 0 "$rc"
expect_contains "the tail picks that member" "$m3" "$(h a2 visit list --json)"
printf '走访对象,慰问事由,走访日期,走访人\n王秀英,七一,2026-07-02,李书记\n' >"$T/shared.csv"
out=$(zh a2 visit import "$T/shared.csv" 2>&1); rc=$?
expect_eq "a shared name alone is refused" 2 "$rc"
expect_contains "and the candidates are listed" "王秀英  born 1946-03-15, joined 1970-07-01, id $m1" "$(h a2 visit import "$T/shared.csv" 2>&1)"

# --- a name changed in the sheet while the id stayed: refused, named
sed '2s/、李建国,/、张三,/' "$T/v.csv" >"$T/edited.csv"
out=$(zh a1 visit import "$T/edited.csv" 2>&1); rc=$?
expect_eq "a name that no longer matches its id is refused" 2 "$rc"
expect_contains "in Chinese, naming both columns and what the ids are" \
	"“王秀英 (…${m1: -12})、张三”与走访对象ID中的编号不符，那些编号是王秀英 (…${m1: -12})、李建国的；如要更换人员，请清空走访对象ID单元格" "$out"

# --- xlsx: the same two columns, and back again
h a1 visit list --xlsx "$T/v.xlsx" >/dev/null 2>&1; rc=$?
expect_eq "xlsx export" 0 "$rc"
out=$(h a1 visit import "$T/v.xlsx" --dry-run 2>&1); rc=$?
expect_eq "xlsx export re-imports" 0 "$rc"
expect_contains "xlsx: unchanged" "0 to add, 0 to update, 1 unchanged" "$out"
unzip -p "$T/v.xlsx" xl/sharedStrings.xml >"$T/ss.xml" 2>/dev/null || unzip -p "$T/v.xlsx" 'xl/worksheets/sheet1.xml' >"$T/ss.xml"
expect_contains "xlsx: the ids column" "走访对象ID" "$(cat "$T/ss.xml")"
expect_contains "xlsx: the names" "李建国" "$(cat "$T/ss.xml")"
finish
