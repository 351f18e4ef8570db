#!/bin/bash
# Excel as it really is (issue 15 items 9 and 10): the sample files written
# by spreadsheet software (tests/data/samples: a GB18030 CSV with CRLF, no
# BOM, 1946/3/15 dates and extra columns; an xlsx from LibreOffice) import
# as they are; every bad cell of every row is named; an id card Excel turned
# into 4.40304E+17 is explained; --encoding overrides the detection; and
# list --xlsx -> import gives back the same records in another replica.
. "$(dirname "$0")/lib.sh"

S="$HEARTH_SRC/tests/data/samples"
start_server s
P=$PORT_s
client a1 branch1 "$P"     # two offices of branch b001
client a2 branch1 "$P"
client c1 branch1 1        # offline replicas: these imports never connect
client c2 branch1 1
client c3 branch1 1
count() { h "$1" "$2" list --json | grep -o '"id":' | wc -l | tr -d ' '; }
csv_noid() { h "$1" "$2" list --csv --reveal 2>/dev/null | cut -d, -f2-; }

# ---- the GB18030 sample CSV, as it is
out=$(h c1 member import "$S/members-excel-gb18030.csv" 2>"$T/gb.err"); rc=$?
expect_eq "the GB18030 sample imports" 0 "$rc"
expect_eq "four members added" "imported $S/members-excel-gb18030.csv: 4 added, 0 updated, 0 unchanged" "$out"
expect_eq "one warning names the ignored columns" \
	"hearth: member import: $S/members-excel-gb18030.csv: warning: ignoring 2 columns that are not fields of member records: 序号, 微信号 (the headers 'hearth member list --csv' writes are the fields)" \
	"$(cat "$T/gb.err")"
js=$(h c1 member list --json --reveal 2>/dev/null)
expect_contains "1946/3/15 stored as 1946-03-15" '"name":"王秀英","gender":"female","ethnicity":"汉族","birth_date":"1946-03-15","id_card":"371302194603150027","category":"full","join_date":"1970-07-01"' "$js"
expect_contains "预备党员 maps to the probationary category" '"name":"刘洋","gender":"male","ethnicity":"汉族","birth_date":"1995-06-18","id_card":"371302199506180032","category":"probationary"' "$js"
expect_contains "a quoted comma kept" '"address":"临沂市兰山区,北城新区"' "$js"
expect_contains "doubled quotes kept" '"notes":"老党员，\"光荣在党50年\"纪念章已发"' "$js"
expect_contains "a leading 0 of a phone kept" '"phone":"05398120003"' "$js"

# ---- the xlsx sample, as it is: the same records as the CSV
out=$(h c2 member import "$S/members.xlsx" 2>"$T/x.err"); rc=$?
expect_eq "the xlsx sample imports" 0 "$rc"
expect_eq "four members from the xlsx" "imported $S/members.xlsx: 4 added, 0 updated, 0 unchanged" "$out"
expect_contains "the xlsx warning names the ignored columns" "ignoring 2 columns that are not fields of member records: 序号, 微信号" "$(cat "$T/x.err")"
if [ "$(csv_noid c1 member)" == "$(csv_noid c2 member)" ]; then
	pass "the xlsx and the GB18030 CSV give the same records"
else
	fail "xlsx and CSV differ: $(diff <(csv_noid c1 member) <(csv_noid c2 member) | head -5)"
fi

# ---- --encoding
h c3 member import --encoding utf-8 "$S/members-excel-gb18030.csv" >/dev/null 2>"$T/e1.err"; rc=$?
expect_eq "--encoding utf-8 on a GB18030 file exits 2" 2 "$rc"
expect_contains "--encoding utf-8 names the first line that is not UTF-8" "$S/members-excel-gb18030.csv:1: the text is not UTF-8" "$(cat "$T/e1.err")"
out=$(h c3 member import --encoding gb18030 --dry-run "$S/members-excel-gb18030.csv" 2>/dev/null); rc=$?
expect_eq "--encoding gb18030 reads it" 0 "$rc"
expect_contains "--encoding gb18030: four good rows" "4 rows are good: 4 to add" "$out"
out=$(h c3 member import --encoding latin1 "$S/members-excel-gb18030.csv" 2>&1); rc=$?
expect_eq "an unknown --encoding exits 2" 2 "$rc"
expect_eq "an unknown --encoding is named" 'hearth: member import: --encoding "latin1" is not one hearth reads; use utf-8 or gb18030' "$out"
printf 'name\r\nok\r\n\xff\xfe\r\n' > "$T/junk.csv"
h c3 member import "$T/junk.csv" >/dev/null 2>"$T/junk.err"; rc=$?
expect_eq "bytes that are neither UTF-8 nor GB18030 exit 2" 2 "$rc"
expect_contains "and are named with their line" "$T/junk.csv:3: the text is neither UTF-8 nor GB18030 (GBK); save the sheet as \"CSV UTF-8\", or name the encoding with --encoding utf-8|gb18030" "$(cat "$T/junk.err")"
out=$(h c3 member import --encoding gb18030 "$S/members.xlsx" 2>&1); rc=$?
expect_eq "--encoding with an xlsx exits 2" 2 "$rc"
expect_contains "--encoding with an xlsx is explained" "--encoding applies to CSV files" "$out"

# ---- every bad cell of every row, in a file as Excel saves it (GB18030,
# CRLF); a 年月日 date and 1970-7-1 are fine; nothing is imported.
printf '序号,姓名,性别,出生日期,身份证号,入党日期,类别,微信号\r\n' > "$T/bad.u8"
printf '1,甲,男,1946/2/30,4.40304E+17,1970/7/1,正式党员,x\r\n' >> "$T/bad.u8"
printf '2,乙,机器人,1950年13月1日,371302194603150027,1970-7-1,党员,y\r\n' >> "$T/bad.u8"
printf '3,丙,女,1960-01-01,,1950/1/1,预备党员,\r\n' >> "$T/bad.u8"
printf '4,丁,女,1960年1月1日,,1980/1/1,,\r\n' >> "$T/bad.u8"
iconv -f UTF-8 -t GB18030 "$T/bad.u8" > "$T/bad.csv"
h c3 member import "$T/bad.csv" >/dev/null 2>"$T/bad.err"; rc=$?
err=$(cat "$T/bad.err")
expect_eq "a file with bad cells exits 2" 2 "$rc"
expect_contains "the id card Excel made a number" "$T/bad.csv:2: 身份证号: \"4.40304E+17\": Excel converted this id card number to a number, which keeps only 15 digits; format the column as Text (设置单元格格式 → 文本) and type the 18 digits again, or type them with a leading '" "$err"
expect_contains "and the bad date of the same row" "$T/bad.csv:2: 出生日期: birth_date 1946/2/30 is not a date that exists (YYYY-MM-DD)" "$err"
expect_contains "a bad enum" "$T/bad.csv:3: 性别: \"机器人\" is not a value of gender" "$err"
expect_contains "a second bad enum of the row" "$T/bad.csv:3: 类别: \"党员\" is not a value of category" "$err"
expect_contains "a third bad cell of the row" "$T/bad.csv:3: 出生日期: birth_date 1950年13月1日 is not a date that exists (YYYY-MM-DD)" "$err"
expect_contains "dates out of order" "$T/bad.csv:4: 入党日期: join_date 1950-01-01 is not after birth_date 1960-01-01" "$err"
expect_eq "exactly six bad cells are reported" 6 "$(grep -c "^$T/bad.csv:" "$T/bad.err")"
expect_contains "the summary" "hearth: member import: $T/bad.csv: 3 of 4 rows are bad; nothing was imported" "$err"
expect_eq "nothing was stored, not even the good row" 0 "$(count c3 member)"

# ---- xlsx: list --xlsx -> import. Cells are named by sheet and cell.
h c2 member list --xlsx "$T/masked.xlsx" 2>/dev/null
h c3 member import "$T/masked.xlsx" >/dev/null 2>"$T/xb.err"; rc=$?
expect_eq "an xlsx of records this replica lacks exits 2" 2 "$rc"
expect_contains "a bad xlsx cell is named by its reference" "$T/masked.xlsx:党员!A2: id: no member record" "$(cat "$T/xb.err")"
expect_eq "every bad xlsx row is named" 4 "$(grep -c "^$T/masked.xlsx:党员!A" "$T/xb.err")"
# The same replica: the masked export re-imports as unchanged.
out=$(h c2 member import "$T/masked.xlsx" 2>&1); rc=$?
expect_eq "re-importing a masked xlsx export exits 0" 0 "$rc"
expect_eq "and changes nothing" "imported $T/masked.xlsx: 0 added, 0 updated, 4 unchanged" "$out"
unzip -p "$T/masked.xlsx" xl/worksheets/sheet1.xml > "$T/sheet1.xml" 2>/dev/null || python3 -c 'import sys,zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("xl/worksheets/sheet1.xml"))' "$T/masked.xlsx" > "$T/sheet1.xml"
unzip -p "$T/masked.xlsx" xl/sharedStrings.xml > "$T/ss.xml" 2>/dev/null || python3 -c 'import sys,zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("xl/sharedStrings.xml"))' "$T/masked.xlsx" > "$T/ss.xml"
expect_contains "Chinese headers" "<t>姓名</t>" "$(cat "$T/ss.xml")"
expect_contains "column widths are set" 'customWidth="1"' "$(cat "$T/sheet1.xml")"
expect_contains "the birth date is a date serial (16876 = 1946-03-15)" "<v>16876</v>" "$(cat "$T/sheet1.xml")"

# Round trip into a fresh replica: a1 imports the sample and syncs, a2 (a
# fresh replica of the same branch) pulls the records; a1's --reveal
# export then imports into a2 as unchanged in every field, and for visits
# (money, a list of members, dates) and dues (a month, money) too.
h a1 member import "$S/members.xlsx" >/dev/null 2>&1
wid=$(h a1 member list --json | grep -o '"id":"[^"]*","rev":[0-9]*,"branch":"[^"]*","deleted":false,"name":"王秀英"' | cut -d'"' -f4)
lid=$(h a1 member list --json | grep -o '"id":"[^"]*","rev":[0-9]*,"branch":"[^"]*","deleted":false,"name":"李建国"' | cut -d'"' -f4)
h a1 visit add --members "$wid,$lid" --occasion 春节 --date 2026-02-10 --visitors 张三 --cash 500.30 --fund-source 党费 >/dev/null
h a1 dues add --member "$wid" --month 2026-01 --due 12.5 --status 未缴 >/dev/null
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1
for kind in member visit dues; do
	h a1 "$kind" list --xlsx "$T/rt-$kind.xlsx" --reveal 2>/dev/null
	n=$(count a1 "$kind")
	out=$(h a2 "$kind" import "$T/rt-$kind.xlsx" 2>&1); rc=$?
	expect_eq "$kind: the xlsx export imports into the other replica" 0 "$rc"
	expect_eq "$kind: every record comes back the same" "imported $T/rt-$kind.xlsx: 0 added, 0 updated, $n unchanged" "$out"
done
expect_eq "the visit was exported" 1 "$(count a1 visit)"
expect_eq "the dues record was exported" 1 "$(count a1 dues)"
# An edit made in the workbook is an edit: a1's export, with the visit's
# date cell as it is, imported where the cash differs, is an update.
h a2 visit edit "$(h a2 visit list --json | cut -d'"' -f4)" --cash 1 >/dev/null
out=$(h a2 visit import "$T/rt-visit.xlsx" 2>&1)
expect_eq "a changed record is updated from the xlsx" "imported $T/rt-visit.xlsx: 0 added, 1 updated, 0 unchanged" "$out"
expect_contains "the cash is back to 500.30 yuan" '"cash":50030' "$(h a2 visit list --json)"

# ---- hostile workbooks: a clear error, no crash
printf 'PK\003\004not really a zip' > "$T/fake.xlsx"
h c3 member import "$T/fake.xlsx" >/dev/null 2>"$T/fake.err"; rc=$?
expect_eq "a broken xlsx exits 2" 2 "$rc"
expect_contains "a broken xlsx is named" "hearth: member import: $T/fake.xlsx is not an .xlsx workbook hearth can read; nothing was imported" "$(cat "$T/fake.err")"
printf 'name\n' > "$T/notzip.xlsx"
h c3 member import "$T/notzip.xlsx" >/dev/null 2>"$T/nz.err"; rc=$?
expect_eq "a .xlsx that is not a zip exits 2" 2 "$rc"
expect_contains "and says so" "$T/notzip.xlsx: the file is not an .xlsx workbook (not a zip archive)" "$(cat "$T/nz.err")"

finish
