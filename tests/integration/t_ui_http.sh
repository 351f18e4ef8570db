#!/bin/bash
# `hearth ui`'s local web server is safe on a shared desktop (issue 14 items
# 1 and 4): it answers on loopback only, and only to a browser that came in
# through the token it printed (then its session cookie); a foreign Host
# (DNS rebinding) gets 421; a change must be a POST from our own Origin with
# the session's CSRF token; every answer carries a strict CSP and nosniff,
# and API answers are never cached. It works with the server down, and
# SIGTERM stops it with exit 0 (under ASan also the leak check).
# curl is the protocol-level client here: it sends exactly the headers
# each check needs, which a browser would not let a page forge.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

start_server s
client a branch1 "$PORT_s"

# start_ui NAME: runs `hearth ui --no-open --port 0` for client NAME; sets
# UI_URL, UI_PORT, UI_PID. English messages, so the texts below are exact.
start_ui() {
	local out="$T/ui.$1.out"
	LC_ALL=C.UTF-8 LANGUAGE= "$HEARTH" --home "$T/home.$1" ui --no-open --port 0 >"$out" 2>"$T/ui.$1.err" &
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
	UI_PORT=$(echo "$UI_URL" | sed 's|http://127.0.0.1:\([0-9]*\)/.*|\1|')
}

start_ui a
B="http://127.0.0.1:$UI_PORT"
TOKEN=${UI_URL##*token=}
JAR="$T/jar"
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
body() { curl -s --max-time 10 "$@"; }
hdrs() { curl -s -o /dev/null -D - --max-time 10 "$@" | tr -d '\r'; }

expect_contains "the URL carries a 64-hex-digit token" "token=" "$UI_URL"
expect_eq "token length" 64 "${#TOKEN}"

# --- no token, wrong token: 403, with the reason
expect_eq "GET / without a token or cookie is 403" 403 "$(code "$B/")"
expect_eq "GET /api/home without a token or cookie is 403" 403 "$(code "$B/api/home")"
expect_eq "GET /app.js without a token or cookie is 403" 403 "$(code "$B/app.js")"
wrong=$(printf '%064d' 0)
expect_eq "a wrong token is 403" 403 "$(code "$B/?token=$wrong")"
expect_eq "a wrong cookie is 403" 403 "$(code -b "hearth_session=$wrong" "$B/api/home")"
expect_eq "the token itself as the cookie is 403" 403 "$(code -b "hearth_session=$TOKEN" "$B/api/home")"
expect_eq "403 says what to do" "no valid session: open the address with the token that 'hearth ui' printed when it started" \
	"$(body "$B/api/home")"

# --- the token gives a cookie, and a redirect takes it out of the address bar
h1=$(hdrs -c "$JAR" "$UI_URL")
expect_contains "the token is answered with 303" "HTTP/1.1 303" "$h1"
expect_contains "and a session cookie: HttpOnly, SameSite=Strict" "; Path=/; HttpOnly; SameSite=Strict" "$h1"
expect_contains "the redirect goes to the path without the token" "Location: /" "$h1"
expect_not_contains "the cookie is not the token" "hearth_session=$TOKEN" "$h1"
SESSION=$(grep hearth_session "$JAR" | awk '{print $7}')
expect_eq "with the cookie, / is 200" 200 "$(code -b "$JAR" "$B/")"
expect_eq "with the cookie, /app.js is 200" 200 "$(code -b "$JAR" "$B/app.js")"
expect_eq "an unknown page is 404" 404 "$(code -b "$JAR" "$B/nope.html")"

# --- headers of every answer
h2=$(hdrs -b "$JAR" "$B/")
expect_contains "CSP: no inline or remote script" \
	"Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" "$h2"
expect_contains "nosniff" "X-Content-Type-Options: nosniff" "$h2"
expect_contains "no framing" "X-Frame-Options: DENY" "$h2"
expect_contains "the page is HTML" "Content-Type: text/html; charset=utf-8" "$h2"
h3=$(hdrs -b "$JAR" "$B/api/home")
expect_contains "API answers are not cached" "Cache-Control: no-store" "$h3"
expect_contains "API answers are JSON" "Content-Type: application/json; charset=utf-8" "$h3"
expect_contains "API answers carry the CSP too" "Content-Security-Policy: default-src 'none'" "$h3"
expect_contains "a 403 carries the CSP too" "Content-Security-Policy: default-src 'none'" "$(hdrs "$B/")"
html=$(body -b "$JAR" "$B/")
expect_not_contains "the page has no inline script" "<script>" "$html"
expect_not_contains "the page loads nothing remote" "https://" "$html"

# --- Host: only the loopback address and our port (DNS rebinding)
expect_eq "a foreign Host is 421, even with the cookie" 421 "$(code -b "hearth_session=$SESSION" -H "Host: evil.example:$UI_PORT" "$B/api/home")"
expect_eq "a foreign Host is 421 with the token too" 421 "$(code -H "Host: evil.example" "$UI_URL")"
expect_eq "another port in Host is 421" 421 "$(code -b "hearth_session=$SESSION" -H "Host: 127.0.0.1:1" "$B/api/home")"
expect_eq "localhost:PORT is allowed" 200 "$(code -b "hearth_session=$SESSION" -H "Host: localhost:$UI_PORT" "$B/api/home")"
expect_eq "421 says why" "this server answers only for 127.0.0.1, [::1] or localhost with its own port in the Host header; open the address 'hearth ui' printed" \
	"$(body -H "Host: evil.example" "$UI_URL")"

# --- state-changing requests: POST, our Origin, the CSRF token
CSRF=$(body -b "$JAR" "$B/api/session" | grep -o '"csrf":"[0-9a-f]*"' | cut -d'"' -f4)
expect_eq "the session answer gives a CSRF token" 64 "${#CSRF}"
post() { code -b "$JAR" -X POST -H 'Content-Type: application/json' "$@"; }
member='{"kind":"member","fields":{"name":"王秀英","gender":"female","join_date":"1998-07-01","category":"正式"}}'
expect_eq "a POST without the CSRF token is 403" 403 "$(post -H "Origin: $B" --data "$member" "$B/api/save")"
expect_eq "a POST with a wrong CSRF token is 403" 403 "$(post -H "Origin: $B" -H "X-CSRF-Token: $wrong" --data "$member" "$B/api/save")"
expect_eq "a POST from a foreign Origin is 403" 403 "$(post -H "Origin: http://evil.example" -H "X-CSRF-Token: $CSRF" --data "$member" "$B/api/save")"
expect_eq "a POST without an Origin is 403" 403 "$(post -H "X-CSRF-Token: $CSRF" --data "$member" "$B/api/save")"
expect_eq "a POST from another loopback port is 403" 403 "$(post -H "Origin: http://127.0.0.1:1" -H "X-CSRF-Token: $CSRF" --data "$member" "$B/api/save")"
expect_eq "a POST without the cookie is 403" 403 "$(code -X POST -H "Origin: $B" -H "X-CSRF-Token: $CSRF" --data "$member" "$B/api/save")"
expect_eq "the Origin refusal says why" "a change must come from this app's own page (the Origin header is missing or foreign)" \
	"$(body -b "$JAR" -X POST -H "Origin: http://evil.example" -H "X-CSRF-Token: $CSRF" --data "$member" "$B/api/save")"
expect_eq "the CSRF refusal says why" "a change must carry this session's CSRF token (X-CSRF-Token header); reload the page" \
	"$(body -b "$JAR" -X POST -H "Origin: $B" --data "$member" "$B/api/save")"
expect_eq "a change as GET is 405" 405 "$(code -b "$JAR" "$B/api/save")"
expect_eq "GET /api/sync is 405" 405 "$(code -b "$JAR" "$B/api/sync")"
expect_eq "PUT is 405" 405 "$(code -b "$JAR" -X PUT -H "Origin: $B" -H "X-CSRF-Token: $CSRF" "$B/api/save")"
expect_eq "nothing was stored by the refused requests" 0 "$(h a member list --json | grep -c '王秀英')"
ok() { body -b "$JAR" -X POST -H 'Content-Type: application/json' -H "Origin: $B" -H "X-CSRF-Token: $CSRF" "$@"; }
res=$(ok --data "$member" "$B/api/save")
expect_contains "a POST with our Origin and the CSRF token adds the member" '"id":"' "$res"
expect_contains "the CLI sees the member the page added" "王秀英" "$(h a member list)"
big=$(head -c 300000 /dev/zero | tr '\0' 'a')
expect_eq "a body over 256 KiB is 413" 413 "$(printf '%s' "$big" | code -b "$JAR" -X POST -H "Origin: $B" -H "X-CSRF-Token: $CSRF" --data-binary @- "$B/api/save")"

# --- field errors name the field and its label; the form shows them beside it
bad=$(ok --data '{"kind":"member","fields":{"name":"李四","join_date":"2026-02-30"}}' "$B/api/save")
expect_contains "a bad date names the field" '"field":"join_date","label":"入党日期"' "$bad"
expect_contains "and says what is wrong" 'join_date 2026-02-30 is not a date that exists (YYYY-MM-DD)' "$bad"
bad=$(ok --data '{"kind":"visit","fields":{"occasion":"春游"}}' "$B/api/save")
expect_contains "a bad choice names the field" '"field":"occasion"' "$bad"
expect_eq "a bad field value is 422" 422 "$(post -H "Origin: $B" -H "X-CSRF-Token: $CSRF" --data '{"kind":"visit","fields":{"cash":"1.234"}}' "$B/api/save")"
expect_eq "a body that is not JSON is 400" 400 "$(post -H "Origin: $B" -H "X-CSRF-Token: $CSRF" --data 'nope' "$B/api/save")"

# --- record text comes back as JSON data, never as markup
x=$(ok --data '{"kind":"member","fields":{"name":"<img src=x onerror=alert(1)>"}}' "$B/api/save")
expect_contains "a name with markup is stored as text" '"id":"' "$x"
expect_contains "and listed as a JSON string" '"text":"<img src=x onerror=alert(1)>"' "$(body -b "$JAR" "$B/api/records?kind=member")"

# --- sensitive fields: masked until 显示, and the reveal is audited as --reveal is
res=$(ok --data '{"kind":"member","fields":{"name":"刘芳","phone":"13912341111"}}' "$B/api/save")
mid=$(echo "$res" | grep -o '"id":"[0-9a-f-]*"' | cut -d'"' -f4)
rec=$(body -b "$JAR" "$B/api/record?id=$mid")
expect_contains "the phone is masked on the record page" '"text":"139****1111"' "$rec"
expect_not_contains "and its value is not sent to the page" "13912341111" "$rec"
expect_not_contains "nor in the list" "13912341111" "$(body -b "$JAR" "$B/api/records?kind=member")"
expect_eq "显示 without the CSRF token is refused" 403 "$(post -H "Origin: $B" --data "{\"id\":\"$mid\"}" "$B/api/reveal")"
expect_eq "显示 as a GET is refused" 405 "$(code -b "$JAR" "$B/api/reveal?id=$mid")"
rev=$(ok --data "{\"id\":\"$mid\"}" "$B/api/reveal")
expect_contains "显示 shows the phone" '"text":"13912341111"' "$rev"
sy=$(ok "$B/api/sync")
expect_contains "the page's sync runs with the server up" '"ok":true' "$sy"
client adm admin "$PORT_s"
log=$(h adm audit log --action reveal --limit 10 2>&1)
expect_contains "the reveal reached the audit log, as --reveal's does" "ui reveal" "$log"

expect_eq "resolve needs keep or set" 400 "$(post -H "Origin: $B" -H "X-CSRF-Token: $CSRF" --data '{"id":"x","keep":"both"}' "$B/api/resolve")"
expect_contains "and says so" 'say \"keep\": \"mine\" or \"theirs\", or \"set\": {field: value} for 改为…' \
	"$(ok --data '{"id":"x","keep":"both"}' "$B/api/resolve")"

# --- the pages' own changes (web_pages.c): 恢复 and 导入 are POSTs with the
# CSRF token from our Origin like every other change
rbody="{\"id\":\"$mid\"}"
expect_eq "恢复 without the CSRF token is 403" 403 "$(post -H "Origin: $B" --data "$rbody" "$B/api/restore")"
expect_eq "恢复 from a foreign Origin is 403" 403 "$(post -H "Origin: http://evil.example" -H "X-CSRF-Token: $CSRF" --data "$rbody" "$B/api/restore")"
expect_eq "恢复 as a GET is 405" 405 "$(code -b "$JAR" "$B/api/restore?id=$mid")"
expect_eq "恢复 of a live record is 422" 422 "$(post -H "Origin: $B" -H "X-CSRF-Token: $CSRF" --data "$rbody" "$B/api/restore")"
expect_contains "and says why" '"error":"' "$(ok --data "$rbody" "$B/api/restore")"
csv=$'姓名,性别,入党日期,类别\n周敏,女,2001-07-01,正式\n'
imp() { curl -s --max-time 10 -b "$JAR" -X POST -H 'Content-Type: application/octet-stream' "$@"; }
expect_eq "导入 without the CSRF token is 403" 403 "$(printf '%s' "$csv" | imp -o /dev/null -w '%{http_code}' -H "Origin: $B" --data-binary @- "$B/api/import?kind=member&name=m.csv")"
expect_eq "导入 from a foreign Origin is 403" 403 "$(printf '%s' "$csv" | imp -o /dev/null -w '%{http_code}' -H "Origin: http://evil.example" -H "X-CSRF-Token: $CSRF" --data-binary @- "$B/api/import?kind=member&name=m.csv")"
expect_eq "导入 as a GET is 405" 405 "$(code -b "$JAR" "$B/api/import?kind=member")"
expect_eq "nothing was imported by the refused requests" 0 "$(h a member list --json | grep -c '周敏')"
dry=$(printf '%s' "$csv" | imp -H "Origin: $B" -H "X-CSRF-Token: $CSRF" --data-binary @- "$B/api/import?kind=member&name=m.csv&dry=1")
expect_contains "a dry run says what it would do" '"summary":"1 rows are good: 1 to add, 0 to update, 0 unchanged; nothing was stored yet"' "$dry"
expect_eq "and stores nothing" 0 "$(h a member list --json | grep -c '周敏')"
res=$(printf '%s' "$csv" | imp -H "Origin: $B" -H "X-CSRF-Token: $CSRF" --data-binary @- "$B/api/import?kind=member&name=m.csv")
expect_contains "with the token it imports" '"stored":true' "$res"
expect_eq "the CLI sees the imported member" 1 "$(h a member list --json | grep -c '周敏')"
expect_eq "导入 of an unknown kind is 400" 400 "$(printf '%s' "$csv" | imp -o /dev/null -w '%{http_code}' -H "Origin: $B" -H "X-CSRF-Token: $CSRF" --data-binary @- "$B/api/import?kind=robot")"
exp=$(body -b "$JAR" -D "$T/exp.h" "$B/api/export?kind=member&format=csv")
expect_contains "导出 gives the CSV 'member list --csv' writes" "周敏" "$exp"
expect_contains "as a file to save" "Content-Disposition: attachment" "$(tr -d '\r' <"$T/exp.h")"
expect_contains "with the CSP every answer carries" "Content-Security-Policy: default-src 'none'" "$(tr -d '\r' <"$T/exp.h")"
expect_eq "导出 in an unknown format is 400" 400 "$(code -b "$JAR" "$B/api/export?kind=member&format=pdf")"

# --- offline: the server is down, the page still works and sync says so
stop_server s
expect_eq "with the server down, home still answers" 200 "$(code -b "$JAR" "$B/api/home")"
sy=$(ok "$B/api/sync")
expect_contains "sync with the server down is not ok" '"ok":false' "$sy"
expect_contains "and says the work stays" "the work stays in this replica, try 同步 later" "$sy"

# --- ::1 too, when the machine has IPv6 loopback
if curl -s -g -o /dev/null --max-time 3 "http://[::1]:$UI_PORT/" 2>/dev/null; then
	expect_eq "::1 answers with the same checks" 403 "$(code -g "http://[::1]:$UI_PORT/")"
	expect_eq "::1 with the cookie's session" 200 "$(code -g -b "hearth_session=$SESSION" -H "Host: [::1]:$UI_PORT" "http://[::1]:$UI_PORT/api/home")"
else
	echo "note: no IPv6 loopback here; ::1 not checked"
fi
expect_eq "it listens on loopback only (nothing on 0.0.0.0)" "" "$(ss -ltnH 2>/dev/null | awk '{print $4}' | grep -E "^(0\.0\.0\.0|\*|\[::\]):$UI_PORT$")"

# --- bad options and a port in use are refused with what to do
out=$(LC_ALL=C.UTF-8 LANGUAGE= "$HEARTH" --home "$T/home.a" ui --no-open --port 70000 2>&1); rc=$?
expect_eq "--port out of range exits 2" 2 "$rc"
expect_eq "and says the range" 'hearth: ui: --port "70000" is not a port (0 to 65535; 0 picks a free one)' "$out"
out=$(LC_ALL=C.UTF-8 LANGUAGE= timeout 10 "$HEARTH" --home "$T/home.a" ui --no-open --port "$UI_PORT" 2>&1); rc=$?
expect_eq "a port in use exits 1" 1 "$rc"
expect_eq "and says what to do" "hearth: ui: cannot listen on 127.0.0.1 port $UI_PORT (in use, or not allowed); choose another with --port, or --port 0 for any free one" "$out"

# --- a second launch has other secrets
start_ui a
expect_eq "the old cookie means nothing to a new launch" 403 "$(code -b "$JAR" "http://127.0.0.1:$UI_PORT/api/home")"

# --- SIGTERM: clean exit
for pid in "${PIDS[@]}"; do
	[ "$pid" = "$PID_s" ] && continue
	kill -TERM "$pid" 2>/dev/null
	rc=0; wait "$pid" || rc=$?
	expect_eq "hearth ui stops cleanly on SIGTERM" 0 "$rc"
done
finish
