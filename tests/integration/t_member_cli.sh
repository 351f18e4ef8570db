#!/bin/bash
# Member commands offline: add/show/list/edit/delete on the local replica,
# CJK-aligned tables, JSON and CSV exports, masking, and exact errors (exit 2).
. "$(dirname "$0")/lib.sh"

client b1 branch1 1   # the port is never used: these commands do not connect
m() { h b1 member "$@"; }

# ---- help
out=$(m --help); rc=$?
expect_eq "member --help exit" 0 "$rc"
expect_contains "member --help usage" "usage: hearth member add|edit|delete|show|list" "$out"
expect_contains "member --help lists a generated flag with its label" "--birth-date YYYY-MM-DD" "$out"
expect_contains "member --help shows labels" "出生日期" "$out"
expect_contains "member --help shows enum choices" "male (男), female (女)" "$out"
for sub in add edit delete show list; do
	out=$(m "$sub" --help); rc=$?
	expect_eq "member $sub --help exit" 0 "$rc"
	expect_contains "member $sub --help usage" "usage: hearth member $sub" "$out"
done
out=$(m 2>&1); rc=$?
expect_eq "member without subcommand exits 2" 2 "$rc"
out=$(m frob 2>&1); rc=$?
expect_eq "unknown subcommand exit" 2 "$rc"
expect_contains "unknown subcommand message" 'member: unknown subcommand "frob"' "$out"

# ---- add with every field
id=$(m add --name 张三 --gender 男 --ethnicity 汉族 --birth-date 1950-03-05 \
	--id-card 110101195003051234 --education 本科 --category 正式 --join-date 1975-07-01 \
	--full-member-date 1976-07-01 --standing normal --mobile --destination 北京 \
	--phone 13800001234 --address "北京市东城区" --care-tags "高龄，独居、ill" --notes "第一行"); rc=$?
expect_eq "add exit" 0 "$rc"
if [[ "$id" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]; then
	pass "add prints only the new UUIDv7"
else
	fail "add output is not one id: [$id]"
fi
id2=$(m add --name Alice --gender female --category probationary --join-date 2024-01-02 --mobile=false)
expect_eq "second add exit" 0 "$?"

# ---- show
out=$(m show "$id"); rc=$?
expect_eq "show exit" 0 "$rc"
expect_contains "show id" "id        $id" "$out"
expect_contains "show name label" "姓名      张三" "$out"
expect_contains "show enum label" "性别      男" "$out"
expect_contains "show category label" "类别      正式党员" "$out"
expect_contains "show masks the id card" "身份证号  1****************4" "$out"
expect_contains "show masks the phone" "138****1234" "$out"
expect_contains "show bool" "流动党员  是" "$out"
expect_contains "show care tags" "关怀标签  高龄、独居、患病" "$out"
expect_contains "show pending" "pending" "$out"
expect_contains "show branch" "branch    b" "$out"
out=$(m show "$id" --reveal 2>"$T/reveal.err"); rc=$?
expect_eq "show --reveal exit" 0 "$rc"
expect_contains "show --reveal shows the id card" "110101195003051234" "$out"
expect_contains "show --reveal is reported" "revealed sensitive fields of $id" "$(cat "$T/reveal.err")"
out=$(m show "$id" --json)
expect_contains "show --json masks" '"id_card":"1****************4"' "$out"
expect_contains "show --json enums by short name" '"gender":"male"' "$out"
expect_contains "show --json repeated" '"care_tags":["elderly","lives_alone","ill"]' "$out"
expect_contains "show --json pending" '"pending":true' "$out"

# ---- list: table aligned by display width (张三 is 4 columns, Alice 5)
out=$(m list); rc=$?
expect_eq "list exit" 0 "$rc"
header=$(sed -n 1p <<<"$out")
expect_contains "list header has Chinese labels" "姓名" "$header"
line_zs=$(grep "张三" <<<"$out")
line_al=$(grep "Alice" <<<"$out")
# The 性别 column starts at the same display column on both lines: cut
# everything up to the gender cell and compare the display widths.
w() { python3 -c 'import sys,unicodedata as u; s=sys.argv[1]; print(sum(2 if u.east_asian_width(c) in "WF" else 1 for c in s))' "$1" 2>/dev/null || echo "${#1}"; }
if command -v python3 >/dev/null; then
	expect_eq "list aligns CJK and Latin names" "$(w "${line_zs%%男*}")" "$(w "${line_al%%女*}")"
fi
short=$(grep "张三" <<<"$out" | cut -d' ' -f1)
expect_contains "list id is a prefix of the full id" "$short" "$id"
out=$(m show "$short"); rc=$?
expect_eq "the listed short id addresses the record" 0 "$rc"
expect_contains "short id resolves to the right record" "$id" "$out"
if grep -q ' $' <<<"$(m list)"; then fail "list lines end in spaces"; else pass "no trailing spaces"; fi

out=$(m list --json); rc=$?
expect_eq "list --json exit" 0 "$rc"
if command -v python3 >/dev/null; then
	if python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==2 and d[0]["name"]=="张三" and d[0]["care_tags"]==["elderly","lives_alone","ill"]' <<<"$out"; then
		pass "list --json parses"
	else
		fail "list --json does not parse: $out"
	fi
else
	expect_contains "list --json is an array" '[{"id":"' "$out"
fi
expect_contains "list --json money-free member has category" '"category":"probationary"' "$out"

m list --csv --bom > "$T/m.csv"
expect_eq "list --csv --bom starts with the BOM" "ef bb bf" "$(head -c 3 "$T/m.csv" | od -An -tx1 | tr -s ' ' | sed 's/^ //;s/ $//')"
expect_contains "csv header" "id,姓名,性别" "$(head -1 "$T/m.csv")"
expect_eq "csv lines end in CRLF" "0d 0a" "$(head -1 "$T/m.csv" | tail -c 2 | od -An -tx1 | tr -s ' ' | sed 's/^ //;s/ $//')"
expect_contains "csv masks" "1****************4" "$(cat "$T/m.csv")"
out=$(m list --csv)
expect_eq "csv without --bom starts with id" "id," "${out:0:3}"

out=$(m list --gender female)
expect_contains "filter keeps Alice" "Alice" "$out"
expect_not_contains "filter drops 张三" "张三" "$out"
out=$(m list --year 1950)
expect_contains "year filter" "张三" "$out"
expect_not_contains "year filter drops Alice" "Alice" "$out"

# ---- edit
out=$(m edit "$id" --education 硕士 --phone "" --mobile=false); rc=$?
expect_eq "edit exit" 0 "$rc"
expect_eq "edit output" "updated $id" "$out"
out=$(m show "$id")
expect_contains "edit changed a field" "学历      硕士" "$out"
expect_contains "edit cleared a bool" "流动党员  否" "$out"
expect_not_contains "edit cleared the phone" "138****1234" "$out"

# ---- delete
out=$(m delete "$id2"); rc=$?
expect_eq "delete exit" 0 "$rc"
expect_eq "delete output" "deleted $id2" "$out"
out=$(m list)
expect_not_contains "delete hides it from list" "Alice" "$out"

# ---- exact errors, exit 2
err() { # err WHAT EXPECTED-MESSAGE ARGS...
	local what=$1 msg=$2; shift 2
	local o rc
	o=$(m "$@" 2>&1); rc=$?
	expect_eq "$what exits 2" 2 "$rc"
	expect_eq "$what message" "$msg" "$o"
}
err "bad date" 'hearth: member add: --birth-date "2026-02-30": birth_date 2026-02-30 is not a date that exists (YYYY-MM-DD)' \
	add --name 李四 --birth-date 2026-02-30
err "unknown enum" 'hearth: member add: --gender "robot": gender "robot" is not one of: male (男), female (女)' \
	add --name 李四 --gender robot
out=$(m add --name 李四 --join-date 2020-01-01 --full-member-date 2019-01-01 2>&1); rc=$?
expect_eq "join after full-member date exits 2" 2 "$rc"
expect_contains "join after full-member date names the field" 'hearth: member add: --full-member-date "2019-01-01": full_member_date' "$out"
out=$(m add --name "$(printf 'a\xffb')" 2>&1); rc=$?
expect_eq "invalid UTF-8 name exits 2" 2 "$rc"
expect_contains "invalid UTF-8 name message" 'hearth: member add: --name "a\xffb": name' "$out"
long=$(printf 'a%.0s' {1..65})
out=$(m add --name "$long" 2>&1); rc=$?
expect_eq "long name exits 2" 2 "$rc"
expect_contains "long name message" "hearth: member add: --name \"$long\": name" "$out"
expect_contains "long name names the limit" "64" "$out"
err "unknown id" 'hearth: member edit: no record matches "abcd"' edit abcd --name 王五
err "edit without fields" 'hearth: member edit: nothing to change; give at least one --FIELD' edit "$id"
err "unknown flag" "hearth: member add: unknown option \"--colour\"; see 'hearth member add --help'" add --name x --colour red
err "bad bool" 'hearth: member add: --mobile "maybe": mobile "maybe" is not true or false (yes/no, 1/0, 是/否)' add --name x --mobile=maybe
err "bad year" 'hearth: member list: --year "19x0" is not a year (YYYY)' list --year 19x0
err "show without id" 'hearth: member show: give the id of the member (full id or a unique prefix)' show
out=$(m add --gender male 2>&1); rc=$?
expect_eq "missing name exits 2" 2 "$rc"
expect_contains "missing name is named" "name" "$out"
out=$(m list)
expect_not_contains "refused adds stored nothing" "李四" "$out"

finish
