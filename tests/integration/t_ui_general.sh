#!/bin/bash
# `hearth ui` for a general-branch certificate (issue 15 item 1): the
# session names the role and the branches below it with their names (the
# branch selector of a new record); list rows say whose they are; a new
# record goes to a branch of the subtree and no other (refused with the
# scope's Chinese sentence); while the admin has not allowed general
# edits, the server refuses the write and 被退回 (/api/rejected) shows its
# Chinese reason; once allowed, the same page's write is applied. zh_CN.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	echo "SKIP: the zh_CN.UTF-8 locale is not installed (.ci/deps.sh generates it)"
	exit 77
fi
if [ ! -s "$CERTS/general1.pem" ]; then
	"${HEARTH_SRC:?}/certs/mkcerts.sh" "$CERTS" >/dev/null || { echo "mkcerts failed"; exit 1; }
fi
export LC_ALL=zh_CN.UTF-8 LANGUAGE=

start_server s
P=$PORT_s
client adm admin "$P"
client b1 branch1 "$P"
client g general1 "$P"
h adm admin branch add g01 --name 第一党总支 >/dev/null
h adm admin branch add b009 --name 第九党支部 >/dev/null
h adm admin branch rename b001 --parent g01 >/dev/null
h adm admin branch rename b009 --parent g01 >/dev/null
h b1 member add --name 张大爷 --gender 男 --category 正式 >/dev/null
h b1 sync >/dev/null 2>&1
expect_eq "the general branch syncs" 0 "$(h g sync >"$T/g.sync" 2>&1; echo $?)"

ui_start g
get() { curl -s --max-time 30 -b "$T/jar" "$B$1"; }
post() {
	curl -s --max-time 60 -b "$T/jar" -X POST -H 'Content-Type: application/json' -H "Origin: $B" \
		-H "X-CSRF-Token: $CSRF" -w '\n%{http_code}' --data "$2" "$B$1"
}

ses=$(get /api/session)
expect_contains "the session names the general role" '"role":"general"' "$ses"
expect_contains "and the branches below it, with their names" \
	'"scope_branches":[{"id":"b001","name":"第一党支部"},{"id":"b009","name":"第九党支部"},{"id":"g01","name":"第一党总支"}]' "$ses"
list=$(get "/api/records?kind=member")
expect_contains "the list holds b001's member" '"text":"张大爷"' "$list"
expect_contains "and says whose the row is" '"branch":"b001"' "$list"
expect_contains "the page shows 新增 and a branch selector for it" 'S.session.scope_branches' "$(get /app.js)"

new='{"kind":"member","fields":{"name":"新党员","gender":"male","category":"正式"}'
out=$(post /api/save "$new,\"branch\":\"b002\"}")
expect_eq "a branch outside the subtree is refused" \
	'{"error":"支部 b002 不在本地副本的范围内：党总支 g01 下属支部为 b001,b009,g01","field":"branch","label":"branch"}
422' "$out"
out=$(post /api/save "$new,\"branch\":\"b009\"}")
expect_eq "a member for b009 below it is queued" 200 "$(echo "$out" | tail -1)"
mid=$(echo "$out" | head -1 | grep -o '"id":"[^"]*"' | cut -d'"' -f4)
expect_contains "it belongs to b009" '"branch":"b009"' "$(get "/api/records?kind=member")"

# --- general edits are off: the server refuses, 被退回 says why in Chinese
out=$(post /api/sync '{}')
expect_contains "the sync reports one rejected" '"rejected":1' "$out"
rej=$(get /api/rejected)
expect_contains "被退回 lists the member" "\"id\":\"$mid\"" "$rej"
expect_contains "with the server's Chinese reason" "\"reason\":\"记录 $mid 属于支部 b009：党总支 g01 可以查看但不能修改；管理员可用以下命令允许修改：hearth admin branch rename g01 --general-edits on\"" "$rej"

# --- allowed: the page's resend is applied
h adm admin branch rename g01 --general-edits on >/dev/null
out=$(post /api/save "{\"id\":\"$mid\",\"fields\":{\"phone\":\"13900001111\"}}")
expect_eq "the rejected member is edited again" 200 "$(echo "$out" | tail -1)"
out=$(post /api/sync '{}')
expect_contains "now the sync applies it" '"ok":true' "$out"
expect_contains "nothing is rejected" '"rejected":0' "$out"
expect_eq "被退回 is empty" '[]' "$(get /api/rejected)"

kill -TERM "$UI_PID"; wait "$UI_PID"
expect_eq "hearth ui stops cleanly" 0 "$?"
finish
