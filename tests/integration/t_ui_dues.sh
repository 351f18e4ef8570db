#!/bin/bash
# `hearth ui`'s 党费 page (issue 15 item 4, issue 14 "done when"): POST
# /api/dues/month runs the engine of `hearth dues month`
# (client/core/dues_month.c) — a 未缴 record for every active member in one
# step, idempotent, the members missing data listed with their ids for the
# page's links; GET /api/dues/month lists the month; POST /api/dues/paid
# marks one 已缴 as a validated edit the CLI then sees. A bad month, date or
# record is refused with its exact sentence; an auditor only reads.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
export HEARTH_TODAY=2026-09-20

client a branch1 127.0.0.1:1
zz=$(h a member add --name 张在职 --dues-group 在职 --dues-income 6,000 --join-date 2000-07-01)
ws=$(h a member add --name 王学生 --dues-group 学生 --join-date 2025-11-01)
cq=$(h a member add --name 陈缺类别 --join-date 2001-07-01)
zs=$(h a member add --name 褚缺收入 --dues-group 离退休 --join-date 2002-07-01)
wl=$(h a member add --name 卫后入党 --dues-group 学生 --join-date 2026-10-01)

ui_start a
get() { curl -s --max-time 20 -b "$T/jar" -w '\n%{http_code}' "$B$1"; }
post() {
	curl -s --max-time 20 -b "$T/jar" -X POST -H 'Content-Type: application/json' -H "Origin: $B" \
		-H "X-CSRF-Token: $CSRF" -w '\n%{http_code}' --data "$2" "$B$1"
}

# ---- bad months, word for word, and nothing stored
expect_eq "a month not written YYYY-MM is refused beside the field" \
	'{"error":"give the month as YYYY-MM (got \"2026-9\")","field":"month","label":"month"}
400' "$(post /api/dues/month '{"month":"2026-9"}')"
expect_eq "a month that does not exist" \
	'{"error":"give the month as YYYY-MM (got \"2026-13\")","field":"month","label":"month"}
400' "$(post /api/dues/month '{"month":"2026-13"}')"
expect_eq "no month at all" \
	'{"error":"give the month as YYYY-MM (got \"\")","field":"month","label":"month"}
400' "$(post /api/dues/month '{}')"
expect_eq "the list refuses a bad month too" \
	'{"error":"give the month as YYYY-MM (got \"09-2026\")","field":"month","label":"month"}
400' "$(get '/api/dues/month?month=09-2026')"
expect_eq "the refusals stored nothing" 0 "$(h a dues list --json | grep -o '"id":' | wc -l | tr -d ' ')"
expect_eq "a GET cannot create the month" "$(printf '%s\n200' '{"month":"2026-09","branch":"b001","records":[]}')" \
	"$(get '/api/dues/month?month=2026-09')"

# ---- the month, through the core
out=$(post /api/dues/month '{"month":"2026-09"}')
expect_eq "the month is created (200)" 200 "$(echo "$out" | tail -1)"
body=$(echo "$out" | head -1)
expect_contains "two records, two members already counted as active" '"month":"2026-09","branch":"b001","created":2,"had":0,"active":4' "$body"
expect_contains "a member without a dues group is named with her id, for the link" \
	"{\"id\":\"$cq\",\"name\":\"陈缺类别\",\"missing\":\"group\",\"text\":\"no dues group (党费类别): set it on the member's page\"}" "$body"
expect_contains "a member without income, with her group" \
	"{\"id\":\"$zs\",\"name\":\"褚缺收入\",\"missing\":\"income\",\"text\":\"no income (党费基数) for dues group 离退休: set it on the member's page\"}" "$body"
expect_not_contains "no one who joined after the month" "$wl" "$body"
cli=$(h a dues list --json)
expect_eq "the CLI sees the two records, computed by the table (1.5% of 6000, 0.2 元)" "9000 20" \
	"$(echo "$cli" | grep -o '"due":[0-9]*' | cut -d: -f2 | sort -rn | tr '\n' ' ' | sed 's/ $//')"
out=$(post /api/dues/month '{"month":"2026-09"}')
expect_contains "a second run creates nothing" '"created":0,"had":2,"active":4' "$out"
expect_contains "... and still lists who needs data" '"name":"陈缺类别"' "$out"
expect_eq "still two records" 2 "$(h a dues list --json | grep -o '"id":' | wc -l | tr -d ' ')"
out=$(h a dues month 2026-09)
expect_contains "the CLI agrees: the same engine" "nothing to create for 2026-09" "$out"

# ---- the month's list, and 已缴
list=$(get '/api/dues/month?month=2026-09')
expect_contains "the list names the member and the amount in 元" '"member":"张在职","member_id":"'"$zz"'","due":"90.00","paid":"0.00","status":1,"status_label":"未缴"' "$list"
expect_contains "... both records" '"member":"王学生"' "$list"
rid=$(echo "$list" | head -1 | grep -o '"id":"[0-9a-f-]*","member":"张在职"' | cut -d'"' -f4)
expect_eq "a bad paid date is refused" \
	'{"error":"\"2026-02-30\" is not a date (YYYY-MM-DD)","field":"paid_date","label":"paid_date"}
400' "$(post /api/dues/paid "{\"id\":\"$rid\",\"date\":\"2026-02-30\"}")"
expect_eq "a member is not a dues record" \
	'{"error":"only a dues record that is not deleted can be marked paid","field":"id","label":"id"}
422' "$(post /api/dues/paid "{\"id\":\"$zz\"}")"
expect_eq "marked paid, today by default" '{"paid_date":"2026-09-20"}
200' "$(post /api/dues/paid "{\"id\":\"$rid\"}")"
show=$(h a dues show "$rid")
expect_contains "the CLI sees it 已缴" "已缴" "$show"
expect_contains "... paid in full" "90.00" "$show"
expect_contains "... on the day" "2026-09-20" "$show"
expect_contains "the list shows it" '"member":"张在职","member_id":"'"$zz"'","due":"90.00","paid":"90.00","status":3,"status_label":"已缴"' \
	"$(get '/api/dues/month?month=2026-09')"
expect_eq "a GET cannot mark paid" 405 "$(curl -s -o /dev/null -w '%{http_code}' --max-time 20 -b "$T/jar" "$B/api/dues/paid")"
out=$(curl -s --max-time 20 -b "$T/jar" -X POST -H 'Content-Type: application/json' -H "Origin: $B" \
	-w '\n%{http_code}' --data '{"month":"2026-10"}' "$B/api/dues/month")
expect_eq "a POST without the CSRF token is refused" 403 "$(echo "$out" | tail -1)"
expect_eq "... and made nothing for 2026-10" 0 "$(h a dues list --month 2026-10 --json | grep -o '"id":' | wc -l | tr -d ' ')"
expect_contains "the page draws the month" 'post("/api/dues/month"' "$(curl -s --max-time 20 -b "$T/jar" "$B/dues.js")"
kill -TERM "$UI_PID"; wait "$UI_PID"
expect_eq "hearth ui stops cleanly" 0 "$?"

# ---- in Chinese, as the office runs it
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	ui_start a LC_ALL=zh_CN.UTF-8 LANGUAGE=
	expect_contains "the refusal is in Chinese under zh_CN" '"field":"month"' "$(post /api/dues/month '{"month":"2026-9"}')"
	expect_not_contains "... with no English left" 'give the month' "$(post /api/dues/month '{"month":"2026-9"}')"
	expect_contains "the page's words are Chinese" '"dues_run":"' "$(get /api/text)"
	kill -TERM "$UI_PID"; wait "$UI_PID"
	expect_eq "hearth ui stops cleanly (zh_CN)" 0 "$?"
fi
finish
