#!/bin/bash
# `hearth ui`'s committee screens (issue 14 item 5) at the protocol level:
# a branch certificate's request to any /api/admin/ route gets 403 with a
# Chinese sentence (zh_CN) before anything reaches the server, an
# auditor's may read but not change, and an admin's gets the answers of
# `hearth admin branch|principals|enroll|revoke|stats|report`, with every
# bad input refused next to its field. The reverse: an admin profile has
# no branch-only write screen (a new record or an import needs the
# certificate's branch), and the API refuses it. POSTs pass the same
# Origin and CSRF checks as the rest of the API.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }

start_server s
client b1 branch1 "$PORT_s"
client adm admin "$PORT_s"
client aud auditor "$PORT_s"

# start_ui NAME LOCALE: `hearth ui` for client NAME; sets B (its base
# URL), JAR (the session cookie) and CSRF.
start_ui() {
	local out="$T/ui.$1.out" url=""
	LC_ALL=$2 LANGUAGE= "$HEARTH" --home "$T/home.$1" ui --no-open --port 0 >"$out" 2>"$T/ui.$1.err" &
	PIDS+=("$!")
	printf -v "UI_PID_$1" '%s' "$!"
	for _ in $(seq 1 200); do
		url=$(grep -o 'http://127.0.0.1:[0-9]*/?token=[0-9a-f]*' "$out" | head -1)
		[ -n "$url" ] && break
		sleep 0.05
	done
	[ -n "$url" ] || { echo "hearth ui did not start:"; cat "$out" "$T/ui.$1.err"; exit 1; }
	B=${url%%/\?token=*}
	JAR="$T/jar.$1"
	curl -s -o /dev/null --max-time 10 -c "$JAR" "$url"
	CSRF=$(curl -s --max-time 10 -b "$JAR" "$B/api/session" | grep -o '"csrf":"[0-9a-f]*"' | cut -d'"' -f4)
}
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 30 -b "$JAR" "$@"; }
get() { curl -s --max-time 30 -b "$JAR" "$@"; }
post() { curl -s --max-time 30 -b "$JAR" -X POST -H 'Content-Type: application/json' -H "Origin: $B" -H "X-CSRF-Token: $CSRF" "$@"; }
post_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 30 -b "$JAR" -X POST -H 'Content-Type: application/json' -H "Origin: $B" -H "X-CSRF-Token: $CSRF" "$@"; }
field() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

# --- a branch certificate: 403 on every admin route, in Chinese
start_ui b1 zh_CN.UTF-8
want='这些委员会页面需要管理员证书；本配置的证书（张三）是支部 b001 的证书'
for r in branches principals "conflicts" "stats" "report" "enrolled?file=cert"; do
	expect_eq "branch certificate: GET /api/admin/$r is 403" 403 "$(code "$B/api/admin/$r")"
done
expect_eq "the 403 says why, in Chinese" "$want" "$(get "$B/api/admin/branches" | field error)"
for r in branch revoke enroll resolve; do
	expect_eq "branch certificate: POST /api/admin/$r is 403" 403 "$(post_code --data '{}' "$B/api/admin/$r")"
done
expect_eq "a branch certificate cannot enroll, in Chinese" "$want" \
	"$(post --data '{"role":"branch","branch":"b001","name":"某人"}' "$B/api/admin/enroll" | field error)"
expect_eq "the words of the screens are there for every role" 200 "$(code "$B/api/admin/text")"
expect_eq "... in Chinese" "人员与证书" "$(get "$B/api/admin/text" | field admin_nav_people)"
h adm admin branch list >/dev/null 2>&1
expect_not_contains "nothing reached the server as an admin request from b001" "b003" "$(h adm admin branch list)"

# a general branch's certificate (党总支) is not the committee's either: it
# has 统计 and the report over its subtree (t_general_figures.sh), no other
client g1 general1 "$PORT_s"
start_ui g1 zh_CN.UTF-8
expect_eq "a general-branch certificate gets 403 too, saying what it is" \
	"这些委员会页面需要管理员证书；本配置的证书（周八）是党总支 g01 的证书" \
	"$(get "$B/api/admin/branches" | field error)"
for r in principals "conflicts" "enrolled?file=cert"; do
	expect_eq "general certificate: GET /api/admin/$r is 403" 403 "$(code "$B/api/admin/$r")"
done
for r in branch revoke enroll resolve reveal; do
	expect_eq "general certificate: POST /api/admin/$r is 403" 403 "$(post_code --data '{}' "$B/api/admin/$r")"
done
expect_eq "... but its 统计 answers" 200 "$(code "$B/api/admin/stats")"

# --- an admin certificate (English messages, so the texts are exact)
start_ui adm C.UTF-8
out=$(get "$B/api/admin/branches")
expect_contains "branches: the server's list with names" '"id":"b001","name":"第一党支部"' "$out"
res=$(post --data '{"id":"b 3","create":true,"name":"第三党支部"}' "$B/api/admin/branch")
expect_eq "a bad branch id is refused next to the id" "id" "$(echo "$res" | field field)"
expect_eq "... saying what an id is" "\"b 3\" is not a branch id (letters, digits, '.', '_', '-', at most 63)" "$(echo "$res" | field error)"
res=$(post --data '{"id":"b003","create":true}' "$B/api/admin/branch")
expect_eq "a new branch needs a name" "the branch's name is required (e.g. 第三党支部)" "$(echo "$res" | field error)"
res=$(post --data '{"id":"g01","create":true,"name":"机关党总支"}' "$B/api/admin/branch")
expect_eq "add a general branch" "机关党总支" "$(echo "$res" | field name)"
res=$(post --data '{"id":"b003","create":true,"name":"第三党支部","parent":"g01"}' "$B/api/admin/branch")
expect_eq "add a branch below it" "g01" "$(echo "$res" | field parent)"
res=$(post --data '{"id":"b003","create":false,"name":"第三党支部（机关）"}' "$B/api/admin/branch")
expect_eq "rename keeps the parent" "g01" "$(echo "$res" | field parent)"
res=$(post --data '{"id":"g01","create":false,"general_edits":true}' "$B/api/admin/branch")
expect_eq "general_edits alone is a change" "true" "$(echo "$res" | python3 -c 'import json,sys; print(str(json.load(sys.stdin)["general_edits"]).lower())')"
expect_contains "... kept by the server" '"id":"g01","name":"机关党总支","parent":"","secretary":"","general_edits":true' "$(h adm admin branch list --json)"
res=$(post --data '{"id":"b003","create":false,"parent":"b003"}' "$B/api/admin/branch")
expect_eq "a branch cannot be its own parent" "a branch cannot be its own general branch" "$(echo "$res" | field error)"
expect_contains "the CLI sees the rename and the parent" "第三党支部（机关）" "$(h adm admin branch list)"
out=$(get "$B/api/admin/branches")
expect_contains "the list names the parent" '"parent":"g01","parent_name":"机关党总支"' "$out"

# enrol: the files are offered for download
res=$(post --data '{"role":"branch","branch":"b777","name":"某人"}' "$B/api/admin/enroll")
expect_eq "enrolling into an unknown branch is refused next to the branch" "branch b777 does not exist; add it under 支部 first" "$(echo "$res" | field error)"
res=$(post --data '{"role":"admin","branch":"b001","name":"某人"}' "$B/api/admin/enroll")
expect_eq "an admin certificate takes no branch" "admin and auditor certificates cover every branch: give no branch" "$(echo "$res" | field error)"
res=$(post --data '{"role":"branch","branch":"b003","name":""}' "$B/api/admin/enroll")
expect_eq "the name is required" "name" "$(echo "$res" | field field)"
expect_eq "enrolled files are 404 before any enrolment" 404 "$(code "$B/api/admin/enrolled?file=cert")"
res=$(post --data '{"role":"branch","branch":"b003","name":"王小明"}' "$B/api/admin/enroll")
expect_eq "enroll signs a certificate with the CA key beside the CA" "True" "$(echo "$res" | field signed)"
fp=$(echo "$res" | field fingerprint)
expect_eq "the fingerprint is 64 hex digits" 64 "${#fp}"
get -D "$T/cert.h" -o "$T/b003.pem" "$B/api/admin/enrolled?file=cert"
expect_contains "the certificate is a download named b003.pem" "filename*=UTF-8''b003.pem" "$(tr -d '\r' <"$T/cert.h")"
get -o "$T/b003.key" "$B/api/admin/enrolled?file=key"
get -o "$T/ca.pem" "$B/api/admin/enrolled?file=ca"
expect_contains "the certificate chains to the committee CA" "OK" "$(openssl verify -CAfile "$CERTS/ca.pem" "$T/b003.pem" 2>&1)"
expect_contains "it carries the branch URI" "URI:hearth://demo/branch/b003" "$(openssl x509 -in "$T/b003.pem" -noout -ext subjectAltName 2>&1)"
"$HEARTH" --home "$T/home.new" init --server "127.0.0.1:$PORT_s" --cert "$T/b003.pem" --key "$T/b003.key" --ca "$T/ca.pem" >/dev/null
expect_contains "the downloaded files connect as 王小明 of b003" '"branch":"b003","name":"王小明"' "$(h new whoami --json)"
expect_eq "whoami's fingerprint is the page's" "$fp" "$(h new whoami --json | field fingerprint)"
res=$(post --data '{"role":"auditor","name":"审计员乙","ca_key":"/nonexistent/ca.key"}' "$B/api/admin/enroll")
expect_eq "a CA key that is not there is refused next to it" "there is no file /nonexistent/ca.key on this machine" "$(echo "$res" | field error)"

# principals and revoke
out=$(get "$B/api/admin/principals")
expect_contains "principals lists the new operator" "\"fingerprint\":\"$fp\",\"name\":\"王小明\",\"role\":\"branch\"" "$out"
res=$(post --data "{\"fingerprint\":\"$fp\",\"reason\":\"\"}" "$B/api/admin/revoke")
expect_eq "a revocation needs a reason" "the reason must not be empty" "$(echo "$res" | field error)"
res=$(post --data '{"fingerprint":"12zz","reason":"x"}' "$B/api/admin/revoke")
expect_eq "a fingerprint must be hex" "\"12zz\" is not a certificate fingerprint (64 hex digits, or a prefix of at least 8)" "$(echo "$res" | field error)"
res=$(post --data "{\"fingerprint\":\"${fp:0:12}\",\"reason\":\"调离\"}" "$B/api/admin/revoke")
expect_eq "revoke by a unique prefix" "王小明" "$(echo "$res" | field name)"
expect_contains "the revoked certificate is refused by the server" "调离" "$(h new whoami 2>&1)"

# stats and the committee report
out=$(get "$B/api/admin/stats")
expect_contains "stats has the figures' columns" '"key":"members"' "$out"
expect_contains "... a row per branch, b003 named" '"branch":"b003","name":"第三党支部（机关）","parent":"g01"' "$out"
expect_contains "... and a subtotal for the general branch" '"subtotals":[{"branch":"g01"' "$out"
expect_eq "a bad year is refused" "\"1800\" is not a year from 1921 to 2199" "$(get "$B/api/admin/stats?year=1800" | field error)"
hd=$(get -D - -o "$T/report.html" "$B/api/admin/report?year=2026" | tr -d '\r')
expect_contains "the report is a download" "Content-Disposition: attachment;" "$hd"
expect_contains "... of HTML" "Content-Type: text/html; charset=utf-8" "$hd"
expect_contains "... report.c's, with its charts" "<svg" "$(cat "$T/report.html")"
hd=$(get -D - -o /dev/null "$B/api/admin/report?year=2026&view=1" | tr -d '\r')
expect_contains "opened in the browser it is shown inline" "Content-Disposition: inline;" "$hd"
expect_contains "... sandboxed, with no script allowed" "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox" "$hd"

# the same checks as every POST
expect_eq "an admin POST without the CSRF token is 403" 403 \
	"$(code -X POST -H "Origin: $B" --data '{"id":"b004","create":true,"name":"四"}' "$B/api/admin/branch")"
expect_eq "an admin POST from a foreign Origin is 403" 403 \
	"$(code -X POST -H "Origin: http://evil.example" -H "X-CSRF-Token: $CSRF" --data '{"id":"b004","create":true,"name":"四"}' "$B/api/admin/branch")"
expect_eq "an admin change as GET is 405" 405 "$(code "$B/api/admin/enroll")"
expect_not_contains "the refused requests added nothing" "b004" "$(h adm admin branch list)"
# the reverse: the branch-only writes are refused for an admin profile
res=$(post --data '{"kind":"member","fields":{"name":"王秀英"}}' "$B/api/save")
expect_eq "an admin profile cannot add a record through the page (no branch)" \
	"this profile's certificate names no branch; the web app adds records for a branch certificate only" "$(echo "$res" | field error)"
res=$(curl -s --max-time 30 -b "$JAR" -X POST -H 'Content-Type: application/octet-stream' -H "Origin: $B" -H "X-CSRF-Token: $CSRF" \
	--data-binary $'姓名\n王秀英\n' "$B/api/import?kind=member&name=m.csv")
expect_contains "... nor import one" "this profile's certificate names no branch; the web app imports for a branch certificate only" "$res"

# --- without the CA key beside the CA: a key, a request and the command that signs it
mkdir -p "$T/caonly" "$T/csr"; cp "$CERTS/ca.pem" "$T/caonly/ca.pem"
"$HEARTH" --home "$T/home.admcsr" init --server "127.0.0.1:$PORT_s" --cert "$CERTS/admin.pem" \
	--key "$CERTS/admin.key" --ca "$T/caonly/ca.pem" >/dev/null
start_ui admcsr C.UTF-8
res=$(post --data '{"role":"branch","branch":"b001","name":"赵六"}' "$B/api/admin/enroll")
expect_eq "no CA key: a request instead" "False" "$(echo "$res" | field signed)"
expect_contains "... offered with the key and its extensions" '"file":"csr","name":"b001.csr"' "$res"
expect_eq "there is no certificate to download" 404 "$(code "$B/api/admin/enrolled?file=cert")"
for f in key csr ext ca; do
	get -o "$T/csr/$(echo "$res" | python3 -c 'import json,sys; print({x["file"]: x["name"] for x in json.load(sys.stdin)["files"]}[sys.argv[1]])' "$f")" "$B/api/admin/enrolled?file=$f"
done
sign=$(echo "$res" | field sign)
expect_contains "the page gives the signing command" "openssl x509 -req -in b001.csr -CA $T/caonly/ca.pem -CAkey $T/caonly/ca.key -set_serial 0x" "$sign"
cp "$CERTS/ca.key" "$T/caonly/ca.key"      # "where the CA key is kept"
(cd "$T/csr" && eval "$sign" >/dev/null 2>&1)
expect_eq "the page's openssl command signs the downloaded request" 0 "$?"
"$HEARTH" --home "$T/home.csr" init --server "127.0.0.1:$PORT_s" --cert "$T/csr/b001.pem" --key "$T/csr/b001.key" --ca "$T/csr/ca.pem" >/dev/null
expect_contains "the signed certificate connects as 赵六 of b001" '"branch":"b001","name":"赵六"' "$(h csr whoami --json)"

# --- an auditor reads, and may not change
start_ui aud zh_CN.UTF-8
expect_eq "an auditor reads the branches" 200 "$(code "$B/api/admin/branches")"
expect_eq "... and the statistics" 200 "$(code "$B/api/admin/stats")"
expect_eq "an auditor may not add a branch" "审计员证书可以查看委员会页面，但不能修改" \
	"$(post --data '{"id":"b004","create":true,"name":"四"}' "$B/api/admin/branch" | field error)"
expect_eq "... nor download an enrolment" 403 "$(code "$B/api/admin/enrolled?file=key")"

for n in b1 g1 adm admcsr aud; do
	v="UI_PID_$n"
	kill -TERM "${!v}"
	wait "${!v}"
	expect_eq "hearth ui ($n) stops cleanly" 0 "$?"
done
finish
