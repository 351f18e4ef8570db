#!/bin/bash
# The auditor's pages of `hearth ui` at the protocol level (issue 14 item
# 5): with an auditor certificate the audit API answers the log newest
# first with its filters and paging, the witness and chain verification and
# a CSV export (itself recorded in the log); every other certificate gets
# 403 with a Chinese sentence, and the API only reads (a POST is refused
# like any change without its checks). curl sends exactly what each check
# needs; tests/browser/test_audit.py drives the same pages in Chromium.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
zh_ok=1
locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$' || zh_ok=0

start_server s
client b1 branch1 "$PORT_s"
client aud auditor "$PORT_s"

m=$(h b1 member add --name 王秀英 --gender 女 --join-date 1998-07-01 --category 正式)
h b1 member add --name 李建国 --gender 男 --join-date 2003-07-01 --category 正式 >/dev/null
h b1 member edit "$m" --address 北京市海淀区 >/dev/null
expect_eq "the branch syncs its members" 0 "$(h b1 sync >/dev/null 2>&1; echo $?)"
expect_eq "the auditor pulls them" 0 "$(h aud sync >/dev/null 2>&1; echo $?)"

# start_ui NAME [LOCALE]: `hearth ui --no-open --port 0` for NAME; sets
# UI_URL, B (its base), JAR (the session cookie after the token).
start_ui() {
	local out="$T/ui.$1.out"
	LC_ALL=${2:-C.UTF-8} LANGUAGE= "$HEARTH" --home "$T/home.$1" ui --no-open --port 0 >"$out" 2>"$T/ui.$1.err" &
	UI_PID=$!
	PIDS+=("$UI_PID")
	UI_URL=""
	for _ in $(seq 1 200); do
		UI_URL=$(grep -o 'http://127.0.0.1:[0-9]*/?token=[0-9a-f]*' "$out" | head -1)
		[ -n "$UI_URL" ] && break
		kill -0 "$UI_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$UI_URL" ] || { echo "hearth ui did not start:"; cat "$out" "$T/ui.$1.err"; exit 1; }
	B=$(echo "$UI_URL" | sed 's|\(http://127.0.0.1:[0-9]*\)/.*|\1|')
	JAR="$T/jar.$1"
	curl -s -o /dev/null -c "$JAR" --max-time 10 "$UI_URL"
}
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 30 -b "$JAR" "$@"; }
body() { curl -s --max-time 30 -b "$JAR" "$@"; }

# --- a branch certificate: 403, in Chinese under zh_CN
if [ "$zh_ok" = 1 ]; then
	start_ui b1 zh_CN.UTF-8
	expect_eq "the branch's audit log is 403" 403 "$(code "$B/api/audit/log")"
	expect_eq "the branch's verify is 403" 403 "$(code "$B/api/audit/verify")"
	expect_eq "the branch's audit export is 403" 403 "$(code "$B/api/audit/export")"
	expect_eq "the refusal says why, in Chinese" \
		'{"error":"审计页面只供审计员或管理员证书使用；本配置的证书不能使用（记录页面会显示该记录自己的历史）"}' \
		"$(body "$B/api/audit/log")"
	kill -TERM "$UI_PID"; wait "$UI_PID"
	expect_eq "the branch's ui stops cleanly" 0 "$?"
else
	echo "note: no zh_CN.UTF-8 locale; the Chinese refusal is not checked"
fi
start_ui b1
expect_eq "under C the branch's audit log is 403 too" 403 "$(code "$B/api/audit/log")"
expect_contains "with the English sentence" "the audit pages are for an auditor or admin certificate" "$(body "$B/api/audit/log")"
kill -TERM "$UI_PID"; wait "$UI_PID"

# --- the auditor
start_ui aud
CSRF=$(body "$B/api/session" | grep -o '"csrf":"[0-9a-f]*"' | cut -d'"' -f4)
expect_contains "the session says auditor" '"role":"auditor"' "$(body "$B/api/session")"
log=$(body "$B/api/audit/log")
expect_contains "the log answers entries" '"entries":[{"seq":' "$log"
first=$(echo "$log" | grep -o '"seq":[0-9]*' | head -1 | cut -d: -f2)
second=$(echo "$log" | grep -o '"seq":[0-9]*' | sed -n 2p | cut -d: -f2)
[ "$first" -gt "$second" ] && pass "newest first ($first before $second)" || fail "not newest first: $first then $second"
expect_not_contains "logins are left out" '"action":"login"' "$log"
expect_contains "each entry in words: the change, by the shared printer" "北京市海淀区" "$(body "$B/api/audit/log?action=record.update")"
expect_contains "the action by its label" '"action_label":"changed"' "$(body "$B/api/audit/log?action=record.update")"
expect_contains "with the toggle, logins show" '"action":"login"' "$(body "$B/api/audit/log?logins=1")"
only=$(body "$B/api/audit/log?action=record.create")
expect_eq "action filter: two members added" 2 "$(echo "$only" | grep -o '"action":"record.create"' | wc -l)"
expect_not_contains "and nothing else" '"action":"record.update"' "$only"
byname=$(body "$B/api/audit/log?record=王秀英")
expect_contains "the record filter takes a member's name" "\"record\":\"$m\"" "$byname"
expect_not_contains "and shows only that record" '李建国' "$byname"
expect_eq "an unknown name is 422" 422 "$(code "$B/api/audit/log?record=%E6%97%A0%E5%90%8D%E6%B0%8F")"
expect_eq "a bad date is 422 beside its field" '{"error":"\"2026-13-01\" is not a date (YYYY-MM-DD, or YYYY-MM-DD HH:MM)","field":"since","label":"since"}' \
	"$(body "$B/api/audit/log?since=2026-13-01")"
expect_contains "since tomorrow: nothing" '"entries":[]' "$(body "$B/api/audit/log?since=$(date -d tomorrow +%F)")"
expect_contains "until yesterday: nothing" '"entries":[]' "$(body "$B/api/audit/log?until=$(date -d yesterday +%F)")"
expect_contains "today: the entries" '"seq":' "$(body "$B/api/audit/log?since=$(date +%F)&until=$(date +%F)")"
expect_contains "actor filter: the branch's person" '"who":"张三"' "$(body "$B/api/audit/log?actor=张三")"
expect_contains "an actor nobody is" '"entries":[]' "$(body "$B/api/audit/log?actor=nobody")"
# paging: two at a time, the next page below the last seq shown
p1=$(body "$B/api/audit/log?logins=1&limit=2")
expect_contains "a page of two says more follow" '"more":true' "$p1"
nb=$(echo "$p1" | grep -o '"next_before":[0-9]*' | cut -d: -f2)
last1=$(echo "$p1" | grep -o '"seq":[0-9]*' | tail -1 | cut -d: -f2)
expect_eq "the next page starts below the last shown" "$last1" "$nb"
p2=$(body "$B/api/audit/log?logins=1&limit=2&before=$nb")
top2=$(echo "$p2" | grep -o '"seq":[0-9]*' | head -1 | cut -d: -f2)
expect_eq "page two goes on from there" "$((nb - 1))" "$top2"
expect_eq "limit over 200 is 422" 422 "$(code "$B/api/audit/log?limit=201")"

# --- verify: the witness and the chain
v=$(body "$B/api/audit/verify")
expect_contains "the witness accepted the log" '"witness":{"ok":true' "$v"
expect_contains "the chain verifies" '"ok":true,"text":"' "$v"
expect_contains "in the words of audit verify" 'checkpoints: OK' "$v"
expect_eq "the CLI agrees" 0 "$(h aud audit verify >/dev/null 2>&1; echo $?)"

# --- export: a CSV of the rows the filters match, recorded in the log
curl -s --max-time 30 -b "$JAR" -D "$T/exp.h" -o "$T/exp.csv" "$B/api/audit/export?action=record.create"
tr -d '\r' <"$T/exp.h" >"$T/exp.hh"
expect_contains "a file to save" "Content-Disposition: attachment" "$(cat "$T/exp.hh")"
expect_contains "as CSV" "Content-Type: text/csv; charset=utf-8" "$(cat "$T/exp.hh")"
expect_eq "the header and two rows" 3 "$(wc -l <"$T/exp.csv")"
expect_contains "the header of audit export --csv" "seq,time,actor,role/branch,action,kind,record,record branch,what changed or why,hash" "$(head -1 "$T/exp.csv")"
expect_contains "a row names the member" "王秀英" "$(cat "$T/exp.csv")"
expect_contains "the export is recorded in the log" '"action":"export"' "$(body "$B/api/audit/log?action=export")"
curl -s --max-time 30 -b "$JAR" -D "$T/xl.h" -o "$T/exp.xlsx" "$B/api/audit/export?action=record.create&format=xlsx"
expect_contains "format=xlsx: a workbook" "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" "$(tr -d '\r' <"$T/xl.h")"
expect_eq "a zip file (PK)" "PK" "$(head -c 2 "$T/exp.xlsx")"
if command -v unzip >/dev/null; then
	expect_contains "its sheet holds the member" "王秀英" "$(unzip -p "$T/exp.xlsx" 'xl/sharedStrings.xml' 'xl/worksheets/sheet1.xml' 2>/dev/null)"
fi
expect_eq "another format is 400" '{"error":"\"format\" is csv or xlsx","field":"format","label":"format"}' \
	"$(body "$B/api/audit/export?format=pdf")"

# --- only reads: POST is refused by the checks, or as not a GET
expect_eq "a POST without the CSRF token is 403" 403 "$(code -X POST -H "Origin: $B" "$B/api/audit/log")"
expect_eq "a POST with its checks is 405" 405 "$(code -X POST -H "Origin: $B" -H "X-CSRF-Token: $CSRF" "$B/api/audit/log")"
expect_eq "without the session, 403" 403 "$(curl -s -o /dev/null -w '%{http_code}' "$B/api/audit/log")"

# --- a flipped byte in the store: verify names the entry
seq=$(body "$B/api/audit/log?action=record.update" | grep -o '"seq":[0-9]*' | head -1 | cut -d: -f2)
stop_server s
v=$(body "$B/api/audit/verify")
expect_contains "the server down: verify says it cannot reach it" "cannot reach the server" "$v"
"$HEARTH_TOOLS/audit_tamper" --data "$T/s.data" --seq "$seq" --flip >/dev/null
start_server s
sed -i "s/127.0.0.1:[0-9]*/127.0.0.1:$PORT_s/" "$T"/home.*/profile.ini
v=$(body "$B/api/audit/verify")
expect_contains "the damaged entry is named" "\"text\":\"entry $seq is damaged:" "$v"
expect_contains "and the chain is not OK" '"bad_seq":'"$seq" "$v"
kill -TERM "$UI_PID"; wait "$UI_PID"
expect_eq "the auditor's ui stops cleanly" 0 "$?"
finish
