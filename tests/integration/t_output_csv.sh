#!/bin/bash
# CSV formula injection (issue 12 item 12): `list --csv` writes a cell that a
# spreadsheet would run as a formula with one leading quote, and import takes
# exactly that quote back, so export -> import -> export is byte for byte.
. "$(dirname "$0")/lib.sh"

client b1 branch1 1   # offline: these commands do not connect
client b2 branch1 1
names=("=cmd|' /C calc'!A0" "+1+1" "@SUM(1)" "-2+3" '=HYPERLINK("http://evil.example/","点我")'
       "'=已有引号" "''两个引号" "普通姓名")
for n in "${names[@]}"; do
	h b1 member add --name "$n" --phone "+8613900001111" >/dev/null || fail "member add --name $n"
done
h b1 member list --csv --reveal > "$T/e1.csv" 2>/dev/null
csv=$(cat "$T/e1.csv")
for want in ",'=cmd|' /C calc'!A0," ",'+1+1," ",'@SUM(1)," ",'-2+3," \
            ",\"'=HYPERLINK(\"\"http://evil.example/\"\",\"\"点我\"\")\"," \
            ",''=已有引号," ",'''两个引号," ",普通姓名," ",'+8613900001111,"; do
	expect_contains "list --csv writes $want" "$want" "$csv"
done
# No cell of the export starts a formula (HYPERLINK's comma is inside
# quotes, so the split sees its quoted first part only).
bad=$(tr -d '\r' < "$T/e1.csv" | awk -F, 'NR > 1 { for (i = 1; i <= NF; i++) if ($i ~ /^[=+@-]/) print $i }')
expect_eq "no field begins with = + - @" "" "$bad"

# Round trip: import into an empty replica, export again, compare without ids.
noid() { awk 'NR == 1 { print; next } { sub(/^[^,]*/, ""); print }' "$1"; }
noid "$T/e1.csv" > "$T/e1-noid.csv"
out=$(h b2 member import "$T/e1-noid.csv" 2>&1); rc=$?
expect_eq "the neutralised export imports" 0 "$rc"
expect_eq "import adds every row" "imported $T/e1-noid.csv: ${#names[@]} added, 0 updated, 0 unchanged" "$out"
h b2 member list --csv --reveal > "$T/e2.csv" 2>/dev/null
noid "$T/e2.csv" > "$T/e2-noid.csv"
if cmp -s "$T/e1-noid.csv" "$T/e2-noid.csv"; then
	pass "export -> import -> export is byte for byte the same"
else
	fail "round trip differs: $(diff "$T/e1-noid.csv" "$T/e2-noid.csv" | head -5)"
fi
# The records hold the values as typed, without the quotes.
json=$(h b2 member list --json --reveal 2>/dev/null)
for n in "=cmd|' /C calc'!A0" "+1+1" "@SUM(1)" "-2+3" "'=已有引号" "''两个引号"; do
	expect_contains "imported name is $n" "\"name\":\"$n\"" "$json"
done
expect_contains "imported phone keeps its +" '"phone":"+8613900001111"' "$json"
# Re-importing the export with ids into the same replica changes nothing.
out=$(h b1 member import "$T/e1.csv" 2>&1)
expect_eq "re-import of the export is unchanged" "imported $T/e1.csv: 0 added, 0 updated, ${#names[@]} unchanged" "$out"
finish
