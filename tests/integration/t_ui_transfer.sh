#!/bin/bash
# `hearth ui` and a transfer's summary (issue 15 item 5, read_only.h): once
# a transfer is accepted, the sending branch's list and record page show
# the summary as 已转出（只读） with the member's name and the receiving
# branch's name, as `transfer list` does; the record says it is read-only
# (the page then offers no 编辑/删除), and the API refuses an edit or a
# delete of it with the core's Chinese sentence. Under zh_CN.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	echo "SKIP: the zh_CN.UTF-8 locale is not installed (.ci/deps.sh generates it)"
	exit 77
fi
export LC_ALL=zh_CN.UTF-8 LANGUAGE=
export HEARTH_TODAY=2026-11-27

start_server s
P=$PORT_s
client a branch1 "$P"
client b branch2 "$P"
sync_rc() { h "$1" sync >"$T/sync.$1" 2>&1; echo $?; }

expect_eq "a learns the branches" 0 "$(sync_rc a)"
h a member add --name 周明 --gender 男 --birth-date 1970-03-02 --join-date 1998-07-01 >/dev/null
tr=$(h a transfer add --member 周明 --to-branch 第二党支部 --letter-no 组转〔2026〕17号 \
	--issued-date 2026-09-01 --valid-until 2026-12-01)
expect_eq "a syncs the transfer" 0 "$(sync_rc a)"
h a transfer edit "$tr" --status 已接收 --accepted-date 2026-09-05 >/dev/null
expect_eq "a syncs the acceptance" 0 "$(sync_rc a)"
expect_eq "b pulls the move" 0 "$(sync_rc b)"
expect_eq "a pulls its summary" 0 "$(sync_rc a)"
sid=$(h a transfer list --json | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
[ -n "$sid" ] && [ "$sid" != "$tr" ] && pass "a holds the summary $sid" || fail "no summary in a: $sid"

ui_start a
get() { curl -s --max-time 20 -b "$T/jar" "$B$1"; }
post() {
	curl -s --max-time 20 -b "$T/jar" -X POST -H 'Content-Type: application/json' -H "Origin: $B" \
		-H "X-CSRF-Token: $CSRF" -w '\n%{http_code}' --data "$2" "$B$1"
}
why="$sid 是本支部保留的组织关系转接只读摘要（周明转入第二党支部，接收日期 2026-09-05），不能修改、删除或恢复"

list=$(get "/api/records?kind=transfer")
expect_contains "the list holds the summary" "\"id\":\"$sid\"" "$list"
expect_contains "its row is read-only" '"read_only":true' "$list"
for want in '"name":"member","label":"党员","sensitive":false,"masked":false,"refs":' \
	'"text":"周明"' '"text":"b002 第二党支部"' '"text":"已转出（只读）"' '"text":"组转〔2026〕17号"'; do
	expect_contains "the row shows $want" "$want" "$list"
done
expect_not_contains "no member shows as unknown" "未知" "$list"
expect_contains "a search finds it by the member's name" "\"id\":\"$sid\"" \
	"$(get "/api/records?kind=transfer&q=%E5%91%A8%E6%98%8E")"
rec=$(get "/api/record?id=$sid")
expect_contains "the record page is told it is read-only" '"read_only":true' "$rec"
expect_contains "and why, in Chinese" "$why" "$rec"
expect_contains "it names the member" '"text":"周明"' "$rec"
expect_contains "and the receiving branch" '"text":"b002 第二党支部"' "$rec"
expect_contains "the page hides 编辑 and 删除 for it" '!r.deleted && !r.read_only' "$(get /app.js)"

out=$(post /api/save "{\"id\":\"$sid\",\"fields\":{\"letter_no\":\"组转〔2026〕18号\"}}")
expect_eq "an edit of it is refused (422)" 422 "$(echo "$out" | tail -1)"
expect_contains "with the core's Chinese sentence" "$why" "$out"
out=$(post /api/delete "{\"id\":\"$sid\"}")
expect_eq "a delete of it is refused (422)" 422 "$(echo "$out" | tail -1)"
expect_contains "with the same sentence" "$why" "$out"
expect_contains "nothing was queued" '"pending":false' "$(h a transfer show "$sid" --json)"

kill -TERM "$UI_PID"; wait "$UI_PID"
expect_eq "hearth ui stops cleanly" 0 "$?"
finish
