#!/bin/bash
# The conflict queue answered by hearthd (issue 16 item 4): `hearth admin
# conflicts` asks the server, so an admin with an empty replica sees the
# queue; the server's list is the replica's list (same ids, fields, values
# and masking); it pages; a resolved conflict leaves it; --reveal is
# audited by the server at once; a branch certificate is refused; bad
# limits and cursors get exact errors; an older hearthd and --offline list
# the replica with a note; a store without the index gets it built.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client a2 branch1 "$P"
client c1 branch2 "$P"
client c2 branch2 "$P"
client adm admin "$P"
client empty admin "$P"
client aud auditor "$P"

# Conflicts: three in b001 (two on the sensitive phone), two in b002.
conflicts_in() {   # conflicts_in FIRST SECOND NAME...: one member each, edited on both replicas
	local one=$1 two=$2 ids=() n=0 id
	shift 2
	for name in "$@"; do
		ids+=("$(h "$one" member add --name "$name" --gender 女 --phone 1380000123$n)")
		n=$((n + 1))
	done
	h "$one" sync >/dev/null 2>&1; h "$two" sync >/dev/null 2>&1
	n=0
	for id in "${ids[@]}"; do
		if [ $n -eq 2 ]; then
			h "$one" member edit "$id" --address 东城区一号 >/dev/null
			h "$two" member edit "$id" --address 西城区二号 >/dev/null
		else
			h "$one" member edit "$id" --phone 1391111111$n >/dev/null
			h "$two" member edit "$id" --phone 1392222111$n >/dev/null
		fi
		n=$((n + 1))
	done
	h "$one" sync >/dev/null 2>&1
	h "$two" sync >/dev/null 2>&1
}
conflicts_in a1 a2 王秀英 李桂兰 张玉梅
conflicts_in c1 c2 刘淑珍 陈凤英
h adm sync >/dev/null 2>&1

ids_of() { grep -o '"id":"[0-9a-f-]*"' | cut -d'"' -f4; }

# ---- the server's list is the replica's list
srv=$(h adm admin conflicts --json 2>"$T/srv.err"); rc=$?
expect_eq "admin conflicts asks the server (exit 0)" 0 "$rc"
expect_eq "... without a note" "" "$(cat "$T/srv.err")"
expect_eq "five open conflicts" 5 "$(echo "$srv" | ids_of | wc -l | tr -d ' ')"
off=$(h adm admin conflicts --json --offline 2>/dev/null)
expect_eq "the server's JSON is the --offline replica's, byte for byte" "$off" "$srv"
expect_contains "masked on the server as in the replica" '"field":"phone","server":"139****1110"' "$srv"
expect_not_contains "no clear phone leaves the server" "13911111110" "$srv"
expect_not_contains "... nor the other side" "13922221110" "$srv"
expect_eq "the table is the replica's too" "$(h adm admin conflicts --offline 2>/dev/null)" "$(h adm admin conflicts 2>/dev/null)"
expect_eq "one branch: the server's b002 is the replica's" "$(h adm admin conflicts --json --branch b002 --offline)" \
	"$(h adm admin conflicts --json --branch b002)"
expect_eq "... two conflicts" 2 "$(h adm admin conflicts --json --branch b002 | ids_of | wc -l | tr -d ' ')"
expect_eq "an auditor gets the same queue" "$srv" "$(h aud admin conflicts --json 2>/dev/null)"

# ---- an admin with an empty replica gets the queue
emp=$(h empty admin conflicts --json 2>"$T/emp.err"); rc=$?
expect_eq "an empty replica: admin conflicts exit 0" 0 "$rc"
expect_eq "... the same queue" "$srv" "$emp"
expect_eq "... and --offline has nothing" "[]" "$(h empty admin conflicts --json --offline 2>/dev/null)"

# ---- paging: every conflict once, in the same order
paged=$(HEARTH_TEST_QUEUE_LIMIT=2 h empty admin conflicts --json)
expect_eq "pages of two give the same list" "$srv" "$paged"
expect_eq "... each conflict once" 5 "$(echo "$paged" | ids_of | sort -u | wc -l | tr -d ' ')"
expect_eq "pages of one too" "$srv" "$(HEARTH_TEST_QUEUE_LIMIT=1 h empty admin conflicts --json)"

# ---- --reveal: clear values, audited by the server at once
n_reveals() { h adm audit log --json --limit 100000 --action reveal | grep -o '"seq":' | wc -l | tr -d ' '; }
before=$(n_reveals)
rev=$(h empty admin conflicts --json --reveal 2>"$T/rev.err")
expect_contains "--reveal shows both phones" '"server":"13911111110","other":"13922221110"' "$rev"
expect_contains "... and says the server recorded it" "revealed sensitive values of 4 conflicts (recorded in the server's audit log)" "$(cat "$T/rev.err")"
after=$(n_reveals)
expect_eq "four reveal entries in the server's log, with no sync" $((before + 4)) "$after"
expect_contains "the entry says it came from the queue" "answered by the server" \
	"$(h adm audit log --json --limit 100000 --action reveal)"
expect_eq "the revealed list is the replica's revealed list" "$(h adm admin conflicts --json --reveal --offline 2>/dev/null)" "$rev"

# ---- a branch certificate: refused, by the CLI and at the wire
out=$(h a1 admin conflicts 2>&1); rc=$?
expect_eq "a branch certificate: admin conflicts fails" 1 "$rc"
expect_eq "... as the server refuses it" "hearth: admin conflicts: the server refused: admin requests need an admin certificate (field role)" "$out"
B1=(--port "$P" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
A=(--port "$P" --cert "$CERTS/admin.pem" --key "$CERTS/admin.key" --ca "$CERTS/ca.pem")
# Frames: ConflictQueueRequest is Envelope field 92 (request_id 7).
out=$(probe "${B1[@]}" --send 000000050807e20500 --wait-ms 3000)
expect_contains "the server refuses a branch certificate's conflict queue" \
	"error code=ERR_FORBIDDEN field=role message=the conflict queue is for admin, auditor and general certificates; a branch lists its own conflicts from its replica with 'hearth conflicts'" "$out"

# ---- hostile requests
out=$(probe "${A[@]}" --send 000000070807e205021000 --wait-ms 3000)
expect_contains "limit 0 reads the default page" "conflict_queue conflicts=5 next=0 open_total=5 masked=1" "$out"
out=$(probe "${A[@]}" --send 000000070807e205021001 --wait-ms 3000)
expect_contains "limit 1 gives one and a 32-byte cursor" "conflict_queue conflicts=1 next=32 open_total=5 masked=1" "$out"
out=$(probe "${A[@]}" --send 000000080807e2050310f503 --wait-ms 3000)
expect_contains "limit 501 is refused, naming the most" \
	"error code=ERR_INVALID field=limit message=limit 501 is above 500, the most conflicts one answer holds; ask again from next" "$out"
out=$(probe "${A[@]}" --send 0000000b0807e2050610ffffffff0f --wait-ms 3000)
expect_contains "a huge limit is refused" \
	"error code=ERR_INVALID field=limit message=limit 4294967295 is above 500, the most conflicts one answer holds; ask again from next" "$out"
out=$(probe "${A[@]}" --send 0000000e0807e205091a0767617262616765 --wait-ms 3000)
expect_contains "a garbage cursor is refused" \
	"error code=ERR_INVALID field=after message=after must be empty or the 32-byte next of a previous answer, not 7 bytes" "$out"
out=$(probe "${A[@]}" --send 000000270807e205221a20ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff --wait-ms 3000)
expect_contains "a cursor past the end: an empty last page" "conflict_queue conflicts=0 next=0 open_total=5 masked=1" "$out"

# ---- a general certificate: its subtree (g01 over b001), nothing outside
h adm admin branch add g01 --name 第一党总支 >/dev/null
h adm admin branch rename b001 --parent g01 >/dev/null
G=(--port "$P" --cert "$CERTS/general1.pem" --key "$CERTS/general1.key" --ca "$CERTS/ca.pem")
out=$(probe "${G[@]}" --send 000000050807e20500 --wait-ms 3000)
expect_contains "a general certificate gets its subtree's queue (b001's three)" "conflict_queue conflicts=3 next=0 open_total=3 masked=1" "$out"
out=$(probe "${G[@]}" --send 0000000b0807e205060a0462303032 --wait-ms 3000)
expect_contains "... and is refused another branch, naming its scope" \
	"error code=ERR_FORBIDDEN field=branch_id message=branch b002 is outside general branch g01: this certificate reads only b001, g01" "$out"

# ---- a resolved conflict leaves the server's list
first=$(echo "$srv" | ids_of | head -1)
h adm admin resolve "$first" --keep theirs >/dev/null 2>&1
pending=$(h adm admin conflicts --json)
expect_not_contains "resolved here, not yet sent: gone from this admin's list" "$first" "$pending"
expect_eq "... as from its replica" "$(h adm admin conflicts --json --offline)" "$pending"
expect_contains "... while the server still has it open" "$first" "$(h empty admin conflicts --json)"
h adm sync >/dev/null 2>&1
now=$(h empty admin conflicts --json)
expect_eq "after a resolve four conflicts remain" 4 "$(echo "$now" | ids_of | wc -l | tr -d ' ')"
expect_not_contains "... not the resolved one" "$first" "$now"
expect_eq "... as the synced replica says" "$(h adm admin conflicts --json --offline)" "$now"

# ---- the web app's 冲突队列 on the empty replica: the server's queue
if command -v curl >/dev/null; then
	ui_start empty
	get() { curl -s --max-time 30 -b "$T/jar" "$@"; }
	post() { curl -s --max-time 30 -b "$T/jar" -X POST -H 'Content-Type: application/json' -H "Origin: $B" -H "X-CSRF-Token: $CSRF" "$@"; }
	page=$(get "$B/api/admin/conflicts")
	expect_contains "hearth ui: the queue comes from the server" '"source":"server"' "$page"
	expect_eq "... all four open conflicts" 4 "$(echo "$page" | grep -o '"record":' | wc -l | tr -d ' ')"
	expect_contains "... masked" '139****111' "$page"
	expect_not_contains "... no clear phone" '13911111111' "$page"
	pid=$(echo "$now" | ids_of | head -1)
	before=$(n_reveals)
	pos=$(echo "$page" | python3 -c 'import json,sys; print([c["position"] for c in json.load(sys.stdin)["conflicts"] if c["id"]==sys.argv[1]][0])' "$pid")
	rv=$(post -d "{\"id\":\"$pid\",\"position\":\"$pos\"}" "$B/api/admin/reveal")
	expect_contains "hearth ui: 显示 reveals a conflict the replica does not hold" '"server":"1391111111' "$rv"
	expect_eq "... audited by the server at once, that conflict alone" $((before + 1)) "$(n_reveals)"
	rv=$(post -d "{\"id\":\"$pid\"}" "$B/api/admin/reveal")
	expect_contains "... and without its position (the queue is searched)" '"server":"1391111111' "$rv"
	expect_eq "... audited once more" $((before + 2)) "$(n_reveals)"
	kill -TERM "$UI_PID" 2>/dev/null; wait "$UI_PID" 2>/dev/null
fi

# ---- admin resolve without the conflict in the replica: settled on the server
addr=$(h empty admin conflicts --json | python3 -c 'import json,sys; print([c["id"] for c in json.load(sys.stdin) if c["fields"][0]["field"]=="address"][0])')
out=$(h empty admin resolve "$addr" --keep theirs 2>&1); rc=$?
expect_eq "an empty replica resolves on the server (exit 0)" 0 "$rc"
expect_eq "... saying so" "resolved $addr on the server (this replica did not hold it)" "$out"
now=$(h empty admin conflicts --json)
expect_eq "... and the conflict leaves the queue at once" 3 "$(echo "$now" | ids_of | wc -l | tr -d ' ')"
expect_not_contains "... that one" "$addr" "$now"
h a1 sync >/dev/null 2>&1
expect_contains "the branch replica gets the side the admin kept" '西城区二号' "$(h a1 member list --json)"
h adm sync >/dev/null 2>&1
expect_eq "the admin's synced replica agrees" "$(h adm admin conflicts --json --offline)" "$now"
out=$(h empty admin resolve 0000 --keep theirs 2>&1); rc=$?
expect_eq "no such conflict on the server: a usage error" 2 "$rc"
expect_eq "... in words" 'hearth: resolve: the server has no open conflict "0000"' "$out"

# ---- an older hearthd, and a store without the index
stop_server s
HEARTHD_TEST_NO_CONFLICT_QUEUE=1 start_server old --data "$T/s.data"
client adm3 admin "$PORT_old"
h adm3 sync >/dev/null 2>&1
out=$(h adm3 admin conflicts --json 2>"$T/old.err"); rc=$?
expect_eq "an older server: admin conflicts still answers" 0 "$rc"
expect_contains "... saying why" "the server does not answer the conflict queue (an older hearthd); listing this replica's conflicts" "$(cat "$T/old.err")"
expect_eq "... with the replica's list" "$now" "$out"
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	LC_ALL=zh_CN.UTF-8 h adm3 admin conflicts >/dev/null 2>"$T/old.zh"
	expect_contains "... saying why in Chinese" "服务器不提供冲突队列（hearthd 版本较旧）；改为列出本地副本上次同步时的冲突" "$(cat "$T/old.zh")"
fi
stop_server old
"$HEARTH_TOOLS/storedrop" --data "$T/s.data" --db open_conflicts
start_server s2 --data "$T/s.data"
expect_contains "a store without the index: it is built at start" "event=conflict_queue_built" "$(cat "$T/s2.log")"
client adm4 admin "$PORT_s2"
expect_eq "... and answers the same queue" "$now" "$(h adm4 admin conflicts --json 2>/dev/null)"
stop_server s2
start_server s3 --data "$T/s.data"
expect_not_contains "... once" "conflict_queue_built" "$(cat "$T/s3.log")"
client adm5 admin "$PORT_s3"
out=$(h adm5 admin conflicts --json 2>"$T/off.err")
expect_eq "a restarted server answers the same queue" "$now" "$out"
stop_server s3
out=$(h adm admin conflicts --json 2>"$T/off.err"); rc=$?
expect_eq "an unreachable server: the replica's list, exit 0" 0 "$rc"
expect_contains "... saying so" "cannot reach the server" "$(cat "$T/off.err")"
expect_eq "... the synced replica's queue" "$now" "$out"
finish
