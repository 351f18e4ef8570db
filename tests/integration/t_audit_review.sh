#!/bin/bash
# Audit review as an auditor does it (issue 15 item 13): `audit log` is
# newest first and pages with --before; logins are left out unless asked
# for; --record takes a member's name (several of one name are listed to
# choose from); conflict entries carry both values (digests for sensitive
# fields) and the resolution says which side it kept; the auditor exports
# CSV for a spreadsheet.
. "$(dirname "$0")/lib.sh"

start_server s --audit-key "$CERTS/audit-ed25519.key" --branch b001=第一党支部
P=$PORT_s
client a1 branch1 "$P"
client adm admin "$P"
client aud auditor "$P"
seqs() { grep -o '"seq":[0-9]*' | cut -d: -f2 | tr '\n' ' '; }

id=$(h a1 member add --name 王秀英 --gender 女 --join-date 1998-07-01 --birth-date 1946-03-15 --phone 13812345678)
h a1 member edit "$id" --address 北京市 >/dev/null
h a1 sync >/dev/null
h adm sync --branch b001 >/dev/null

# --- newest first, paged with --before
all=$(h aud audit log --json --limit 100000 | seqs)
desc=$(echo "$all" | tr ' ' '\n' | grep . | sort -rn | tr '\n' ' ')
expect_eq "newest first by default" "$desc" "$all"
asc=$(h aud audit log --json --limit 100000 --oldest-first | seqs)
expect_eq "--oldest-first gives log order" "$(echo "$all" | tr ' ' '\n' | grep . | sort -n | tr '\n' ' ')" "$asc"
p1=$(h aud audit log --json --limit 3 | seqs)
h aud audit log --limit 3 >/dev/null 2>"$T/p1.err"
last=$(echo "$p1" | awk '{print $3}')
expect_contains "a cut list says how to go on" "older entries follow; add --before $last" "$(cat "$T/p1.err")"
p2=$(h aud audit log --json --limit 3 --before "$last" | seqs)
expect_eq "--before continues below the page, nothing skipped or doubled" \
	"$(echo "$all" | awk '{print $1, $2, $3, $4, $5, $6}' | xargs)" "$(echo "$p1$p2" | xargs)"
# A branch reads through the branch index, a record through the record
# index: both newest first, and paged across the index's prefix.
b=$(h a1 audit log --json --limit 100000 | seqs)
expect_eq "a branch's list is newest first" "$(echo "$b" | tr ' ' '\n' | grep . | sort -rn | xargs)" "$(echo "$b" | xargs)"
r1=$(h adm audit log --json --limit 1 --record "$id" | seqs | xargs)
r2=$(h adm audit log --json --limit 100 --record "$id" --before "$r1" | seqs)
rall=$(h adm audit log --json --limit 100 --record "$id" | seqs)
expect_eq "a record's pages join up" "$(echo "$rall" | xargs)" "$(echo "$r1 $r2" | xargs)"
out=$(h aud audit log --after 3 2>&1); rc=$?
expect_eq "--after without --oldest-first is bad usage" 2 "$rc"
expect_contains "and says what to use" \
	"audit log: --after pages an oldest-first list; add --oldest-first, or page a newest-first list with --before SEQ" "$out"
out=$(h aud audit log --before 3 --oldest-first 2>&1); rc=$?
expect_eq "--before with --oldest-first is bad usage" 2 "$rc"

# --- logins are hidden unless asked for
expect_not_contains "no login entries by default" '"action":"login"' "$(h aud audit log --json --limit 100000)"
expect_contains "--logins shows them" '"action":"login"' "$(h aud audit log --json --limit 100000 --logins)"
expect_contains "--action login shows them" '"action":"login"' "$(h aud audit log --json --limit 100000 --action login)"

# --- --record by a member's name
h aud sync >/dev/null 2>&1
by_name=$(h adm audit log --json --limit 100000 --record 王秀英 | seqs)
by_id=$(h adm audit log --json --limit 100000 --record "$id" | seqs)
expect_eq "--record NAME is the member's entries" "$by_id" "$by_name"
[ -n "$by_id" ] && pass "the member has entries" || fail "no entries for the member"
out=$(h adm audit log --record 李无名 2>&1); rc=$?
expect_eq "an unknown name is bad usage" 2 "$rc"
expect_contains "and is named" "audit log: no member named 李无名 in the local replica" "$out"
id2=$(h a1 member add --name 王秀英 --gender 女 --join-date 2010-07-01 --birth-date 1980-01-02)
h a1 sync >/dev/null
h adm sync --branch b001 >/dev/null
out=$(h adm audit log --record 王秀英 2>&1); rc=$?
expect_eq "an ambiguous name is bad usage" 2 "$rc"
expect_contains "it says how many" "2 members are named 王秀英; give the id of the one you mean:" "$out"
expect_contains "and lists the first with birth and join dates" "王秀英  born 1946-03-15, joined 1998-07-01, id $id" "$out"
expect_contains "and the second" "王秀英  born 1980-01-02, joined 2010-07-01, id $id2" "$out"

# --- a conflict's entries carry both values and the side kept
h a1 member edit "$id" --address 上海 --phone 13900000001 >/dev/null
h adm member edit "$id" --address 广州 --phone 13900000002 >/dev/null
h a1 sync >/dev/null
h adm sync --branch b001 >/dev/null 2>&1
js=$(h aud audit log --json --record "$id" --action conflict.open)
expect_contains "conflict.open: the server's value and the conflicting edit" \
	'"name":"address","label":"地址","digested":false,"old_value":"7a06e4b88ae6b5b7","new_value":"7a06e5b9bfe5b79e","old":"上海","new":"广州"' "$js"
expect_contains "conflict.open: a sensitive field as digests" '"name":"phone","label":"联系电话","digested":true' "$js"
expect_not_contains "conflict.open: neither phone number in clear" '1390000000' "$js"
cid=$(h adm conflicts --json | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
h adm resolve "$cid" --keep mine >/dev/null
h adm sync --branch b001 >/dev/null
js=$(h aud audit log --json --record "$id" --action conflict.resolve)
expect_contains "conflict.resolve: which side was kept, and whose" 'kept: phone=edit(王五), address=edit(王五)' "$js"
expect_contains "conflict.resolve: from the server's value to the kept one" \
	'"name":"address","label":"地址","digested":false,"old_value":"7a06e4b88ae6b5b7","new_value":"7a06e5b9bfe5b79e"' "$js"
expect_not_contains "conflict.resolve: no phone number in clear" '1390000000' "$js"
rseq=$(echo "$js" | grep -o '"seq":[0-9]*' | head -1 | cut -d: -f2)
out=$(h aud audit show "$rseq")
expect_contains "audit show decodes it" "地址 (address): 上海 → 广州" "$out"
expect_contains "audit show says what was kept" "kept: phone=edit(王五), address=edit(王五)" "$out"

# --- CSV export for a spreadsheet
out=$(h aud audit export --csv "$T/audit.csv" 2>&1); rc=$?
expect_eq "csv export succeeds" 0 "$rc"
expect_contains "csv export says how many" "entries written to $T/audit.csv" "$out"
expect_eq "the file starts with the UTF-8 byte order mark" "efbbbf" "$(head -c 3 "$T/audit.csv" | od -An -tx1 | tr -d ' \n')"
expect_contains "header row" "seq,time,actor,role/branch,action,kind,record,record branch,what changed or why,hash" \
	"$(head -1 "$T/audit.csv")"
expect_contains "a record change row, with the Chinese kind label" ",record.update,党员,$id,b001," "$(cat "$T/audit.csv")"
expect_not_contains "no phone number in clear" '13812345678' "$(cat "$T/audit.csv")"
rows=$(($(wc -l <"$T/audit.csv") - 1))
jn=$(h aud audit export --jsonl "$T/audit.jsonl" >/dev/null && wc -l <"$T/audit.jsonl")
[ "$rows" -ge 10 ] && [ "$jn" -ge "$rows" ] && pass "csv has every entry ($rows; jsonl $jn)" ||
	fail "csv rows $rows, jsonl lines $jn"
out=$(h aud audit export --csv a.csv --jsonl b.jsonl 2>&1); rc=$?
expect_eq "two formats at once is bad usage" 2 "$rc"
expect_contains "and says so" "audit export: give one of --jsonl FILE or --csv FILE" "$out"
finish
