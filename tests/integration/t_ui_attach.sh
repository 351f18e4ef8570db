#!/bin/bash
# `hearth ui`'s attachments (issue 18 item 1, web part), at the protocol
# level: an upload is checked as `hearth KIND attach` checks it (types by
# content, a renamed .exe refused with the same words, the size cap), a
# POST without the CSRF token is refused, the content is served only for a
# hash a record of the replica holds (a guessed one is 404), downloads are
# attachments with their sniffed type and nosniff, a thumbnail only ever an
# image, and 删除附件 takes it off as an ordinary edit. English messages, so
# the texts below are exact.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

start_server s
client a branch1 "$PORT_s"

F=$T/files; mkdir -p "$F"
{ printf '\x89PNG\r\n\x1a\n'; head -c 3000 /dev/urandom; } > "$F/sheet.png"
{ printf '%%PDF-1.4\n'; head -c 3000 /dev/urandom; } > "$F/cert.pdf"
{ printf 'MZ\x90\x00\x03\x00\x00\x00'; head -c 3000 /dev/urandom; } > "$F/setup.exe"
cp "$F/setup.exe" "$F/photo.png"
{ printf '\x89PNG\r\n\x1a\n'; head -c $((20 * 1024 * 1024)) /dev/zero; } > "$F/huge.png"

mid=$(h a member add --name 李明 --gender 男 --join-date 2001-07-01 --category 正式)
vid=$(h a visit add --members "$mid" --occasion 春节 --date 2026-01-20 --visitors 张书记)

LC_ALL=C.UTF-8 LANGUAGE= "$HEARTH" --home "$T/home.a" ui --no-open --port 0 >"$T/ui.out" 2>"$T/ui.err" &
UI_PID=$!
PIDS+=("$UI_PID")
UI_URL=""
for _ in $(seq 1 200); do
	UI_URL=$(grep -o 'http://127.0.0.1:[0-9]*/?token=[0-9a-f]*' "$T/ui.out" | head -1)
	[ -n "$UI_URL" ] && break
	kill -0 "$UI_PID" 2>/dev/null || break
	sleep 0.05
done
[ -n "$UI_URL" ] || { echo "hearth ui did not start:"; cat "$T/ui.out" "$T/ui.err"; exit 1; }
B=${UI_URL%%/?token=*}
JAR="$T/jar"
curl -s -o /dev/null -c "$JAR" --max-time 10 "$UI_URL"
CSRF=$(curl -s -b "$JAR" --max-time 10 "$B/api/session" | grep -o '"csrf":"[0-9a-f]*"' | cut -d'"' -f4)
expect_eq "the session gives a CSRF token" 64 "${#CSRF}"

# upload FILE NAME [CURL ARGS]: POSTs FILE as the raw body (from Origin
# $ORIGIN, ours by default); prints the
# status on the first line, the answer after it.
upload() {
	local file=$1 name=$2; shift 2
	curl -s -b "$JAR" -o "$T/ans" -w '%{http_code}\n' --max-time 30 -X POST -H "Origin: ${ORIGIN:-$B}" "$@" \
		-H 'Content-Type: application/octet-stream' --data-binary "@$file" \
		"$B/api/attach?id=$vid&name=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))' "$name")&note=%E7%AD%BE%E5%88%B0%E8%A1%A8"
	cat "$T/ans"
}
jget() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"; }

# --- refusals of an upload
out=$(upload "$F/setup.exe" setup.exe -H "X-CSRF-Token: $CSRF")
expect_eq "an executable is refused (422)" 422 "$(echo "$out" | head -1)"
expect_eq "with the CLI's words, next to the file field" \
	"setup.exe is not a JPEG, PNG, PDF or office document (Word, Excel, PowerPoint); its type is told by its content, not its name|file" \
	"$(echo "$out" | tail -n +2 | jget 'd["error"]+"|"+d["field"]')"
out=$(upload "$F/photo.png" photo.png -H "X-CSRF-Token: $CSRF")
expect_eq "a renamed .exe as .png is refused (422)" 422 "$(echo "$out" | head -1)"
expect_eq "with the same words" \
	"photo.png is not a JPEG, PNG, PDF or office document (Word, Excel, PowerPoint); its type is told by its content, not its name" \
	"$(echo "$out" | tail -n +2 | jget 'd["error"]')"
out=$(upload "$F/huge.png" huge.png -H "X-CSRF-Token: $CSRF")
expect_eq "a file over 20 MB is refused (413)" 413 "$(echo "$out" | head -1)"
expect_eq "naming the cap" "huge.png is larger than 20 MB, the most one attachment may be" \
	"$(echo "$out" | tail -n +2 | jget 'd["error"]')"
# Its Content-Length alone decides: the refusal comes before the body is
# sent (curl waits for 100 Continue and gets the 413 instead), so a slow
# line does not carry 20 MB only to have it thrown away.
sent=$(curl -s -b "$JAR" -o /dev/null -w '%{size_upload}' --max-time 30 -X POST -H "Origin: $B" \
	-H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/octet-stream' --data-binary "@$F/huge.png" \
	"$B/api/attach?id=$vid&name=huge.png")
if [ "${sent%.*}" -lt 1048576 ]; then pass "the over-cap body is refused before it is sent ($sent bytes went)"
else fail "the over-cap body is refused before it is sent: $sent bytes went"; fi
out=$(upload "$F/sheet.png" sheet.png)
expect_eq "an upload without the CSRF token is 403" 403 "$(echo "$out" | head -1)"
expect_eq "saying why" "a change must carry this session's CSRF token (X-CSRF-Token header); reload the page" \
	"$(echo "$out" | tail -n +2)"
out=$(ORIGIN=http://evil.example upload "$F/sheet.png" sheet.png -H "X-CSRF-Token: $CSRF")
expect_eq "an upload from a foreign Origin is 403" 403 "$(echo "$out" | head -1)"
expect_eq "a GET of the upload route is 405" 405 \
	"$(curl -s -b "$JAR" -o /dev/null -w '%{http_code}' --max-time 10 "$B/api/attach?id=$vid&name=x.png")"
out=$(h a visit attachments "$vid")
expect_eq "nothing refused reached the record" "no attachments" "$out"
expect_eq "nor the content store" "" "$(ls "$T/home.a/replica/content" 2>/dev/null | grep -v '^\.' || true)"

# --- a good upload: the same metadata as the CLI's attach
out=$(upload "$F/sheet.png" sheet.png -H "X-CSRF-Token: $CSRF")
expect_eq "a PNG is attached (200)" 200 "$(echo "$out" | head -1)"
out=$(upload "$F/sheet.png" sheet.png -H "X-CSRF-Token: $CSRF")
expect_eq "the same name twice is refused (422)" 422 "$(echo "$out" | head -1)"
expect_eq "in the CLI's words" \
	"$vid already has an attachment named sheet.png; detach it first or rename the file" \
	"$(echo "$out" | tail -n +2 | jget 'd["error"]')"
upload "$F/cert.pdf" cert.pdf -H "X-CSRF-Token: $CSRF" >/dev/null
json=$(h a visit attachments "$vid" --json)
expect_eq "the CLI lists both, the note kept" "sheet.png image/png 签到表|cert.pdf application/pdf 签到表" \
	"$(echo "$json" | jget '"|".join("%s %s %s" % (a["name"], a["type"], a["note"]) for a in d)')"
SHA=$(echo "$json" | jget 'd[0]["sha256"]')
PDF=$(echo "$json" | jget 'd[1]["sha256"]')
expect_eq "the hash is the file's" "$(sha256sum "$F/sheet.png" | cut -d' ' -f1)" "$SHA"
list=$(curl -s -b "$JAR" --max-time 10 "$B/api/attachments?id=$vid")
expect_eq "the page's list: here, 上传中 until a sync, a thumbnail for the PNG only" \
	"sheet.png True uploading True|cert.pdf True uploading False" \
	"$(echo "$list" | jget '"|".join("%s %s %s %s" % (a["name"], a["local"], a["uploading"], a["thumb"]) for a in d)')"

# --- downloads and thumbnails
get() { curl -s -b "$JAR" -D "$T/h" -o "$T/got" -w '%{http_code}' --max-time 10 "$@"; }
expect_eq "the download is 200" 200 "$(get "$B/api/attachment?id=$vid&sha=$SHA")"
expect_eq "byte-identical" "$SHA" "$(sha256sum "$T/got" | cut -d' ' -f1)"
hd=$(tr -d '\r' <"$T/h")
expect_contains "saved, not shown" "Content-Disposition: attachment; filename=\"export\"; filename*=UTF-8''sheet.png" "$hd"
expect_contains "its type from its bytes" "Content-Type: image/png" "$hd"
expect_contains "nosniff" "X-Content-Type-Options: nosniff" "$hd"
expect_eq "the thumbnail is 200" 200 "$(get "$B/api/attachment?id=$vid&sha=$SHA&view=thumb")"
hd=$(tr -d '\r' <"$T/h")
expect_contains "shown inline" "Content-Disposition: inline" "$hd"
expect_contains "as an image" "Content-Type: image/png" "$hd"
expect_contains "with a CSP that allows img-src 'self'" "Content-Security-Policy: default-src 'none'; img-src 'self'" "$hd"
expect_eq "a PDF has no thumbnail (415)" 415 "$(get "$B/api/attachment?id=$vid&sha=$PDF&view=thumb")"
expect_eq "saying so" "cert.pdf is not a JPEG or PNG image; it has no thumbnail" "$(jget 'd["error"]' <"$T/got")"
expect_eq "the PDF downloads as a PDF" "200 application/pdf" \
	"$(get "$B/api/attachment?id=$vid&sha=$PDF") $(tr -d '\r' <"$T/h" | sed -n 's/^Content-Type: //p')"
# The content store holds the executable's bytes under its hash only if
# a refusal leaked it; a hash no record holds is 404 either way.
EXE=$(sha256sum "$F/setup.exe" | cut -d' ' -f1)
expect_eq "a hash no record holds is 404" 404 "$(get "$B/api/attachment?id=$vid&sha=$EXE")"
expect_eq "saying nothing of the store" "this record has no attachment with that SHA-256" "$(jget 'd["error"]' <"$T/got")"
expect_eq "the PNG's hash on another record is 404" 404 "$(get "$B/api/attachment?id=$mid&sha=$SHA")"
expect_eq "a hash that is not one is 400" 400 "$(get "$B/api/attachment?id=$vid&sha=../../etc/passwd")"
# Content another office added and has not uploaded yet: 上传中, 未下载, and
# 下载 answers "not yet uploaded" with how far it got.
client b branch1 "$PORT_s"
h a sync >/dev/null 2>&1 || fail "a's sync"
h b sync >/dev/null 2>&1 || fail "b's first sync"
{ printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00'; head -c 300000 /dev/urandom; } > "$F/far.jpg"
h b visit attach "$vid" "$F/far.jpg" >/dev/null || fail "b attaches"
h b sync --no-content >/dev/null 2>&1 || fail "b's sync without content"
h a sync >/dev/null 2>&1 || fail "a pulls b's attachment"
FAR=$(sha256sum "$F/far.jpg" | cut -d' ' -f1)
list=$(curl -s -b "$JAR" --max-time 10 "$B/api/attachments?id=$vid")
expect_eq "b's file shows 上传中 and 未下载, no thumbnail" "uploading not downloaded False" \
	"$(echo "$list" | jget '" ".join("%s %s %s" % (a["uploading"], a["missing"], a["thumb"]) for a in d if a["name"] == "far.jpg")')"
expect_eq "its 下载 is 409 while the server lacks it" 409 "$(get "$B/api/attachment?id=$vid&sha=$FAR")"
expect_eq "saying how far the upload got" \
	"far.jpg is not yet uploaded: the server holds 0 of its 2 chunks (0%); try again after the replica that added it has synced" \
	"$(jget 'd["error"]' <"$T/got")"
expect_eq "its thumbnail is 404 here" 404 "$(get "$B/api/attachment?id=$vid&sha=$FAR&view=thumb")"

# Content this replica lacks, with the server down: a sentence, not a hang.
mv "$T/home.a/replica/content/$PDF" "$T/pdf.keep"
stop_server s
expect_eq "content missing here and no server reachable is said plainly" 502 "$(get "$B/api/attachment?id=$vid&sha=$PDF")"
expect_contains "in a sentence" "cert.pdf is not on this machine yet, download it when the network is back" "$(jget 'd["error"]' <"$T/got")"
mv "$T/pdf.keep" "$T/home.a/replica/content/$PDF"

# --- 删除附件
post() { curl -s -b "$JAR" -o "$T/ans" -w '%{http_code}' --max-time 10 -X POST -H "Origin: $B" "$@"; }
expect_eq "a detach without the CSRF token is 403" 403 \
	"$(post -H 'Content-Type: application/json' --data "{\"id\":\"$vid\",\"name\":\"sheet.png\"}" "$B/api/detach")"
expect_eq "a detach of a name the record lacks is 404" 404 \
	"$(post -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data "{\"id\":\"$vid\",\"name\":\"nope.png\"}" "$B/api/detach")"
expect_eq "saying which" "this record has no attachment named nope.png" "$(jget 'd["error"]' <"$T/ans")"
expect_eq "a detach with it is 200" 200 \
	"$(post -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data "{\"id\":\"$vid\",\"name\":\"sheet.png\"}" "$B/api/detach")"
expect_eq "the CLI sees it gone" "cert.pdf,far.jpg" "$(h a visit attachments "$vid" --json | jget '",".join(a["name"] for a in d)')"
expect_eq "and its content is no longer served" 404 "$(get "$B/api/attachment?id=$vid&sha=$SHA")"

kill -TERM "$UI_PID"
rc=0; wait "$UI_PID" || rc=$?
expect_eq "hearth ui stops cleanly on SIGTERM" 0 "$rc"
finish
