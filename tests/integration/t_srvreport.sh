#!/bin/bash
# The committee's stats and report computed by the server (issue 16 item
# 4): hearthd runs the replica's own computation over its store, branch by
# branch, so `hearth admin stats` and `admin report --html` need no
# replica. On data in two branches with overdue visits, talks, dues and
# pairings, a 50-year veteran and a nominated honor, the server's answer
# equals `--offline` over an admin replica that synced everything (JSON and
# HTML, overdue items included). A change in one branch changes the answer
# and recomputes that branch only (the cache, seen in hearthd's log); a
# fresh admin profile with an empty replica gets the same report; a branch
# certificate is refused; an older server (no CommitteeRequest) falls back
# to the replica with a note. The warm job ([committee] warm, on by
# default; this file's first server runs with it off so the cache's own
# counts show): after start and after an edit, `admin stats` finds every
# branch computed already; a bad value is refused by --check-config.
. "$(dirname "$0")/lib.sh"

if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	echo "SKIP: the zh_CN.UTF-8 locale is not installed (.ci/deps.sh generates it)"
	exit 77
fi
export LC_ALL=zh_CN.UTF-8 LANGUAGE=
Y=2026
export HEARTH_TODAY=$Y-11-27

printf '[committee]\nwarm = off\n' >"$T/nowarm.ini"
start_server s --config "$T/nowarm.ini"
P=$PORT_s
client b1 branch1 "$P"
client b2 branch2 "$P"
client adm admin "$P"
sync_all() { h b1 sync >/dev/null 2>&1; h b2 sync >/dev/null 2>&1; h adm sync >/dev/null 2>&1; }
json_field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2 | tr -d '"'; }
# The answer without its source (the one thing that differs by design).
figures_of() { sed -e 's/,"source":"[a-z]*"//g' -e 's/},{/}\n{/g'; }
# The report without its header line (time made, and where the data came from).
report_of() { grep -v 'class="meta"' "$1"; }
fig() { echo "$SRV" | grep -o "{\"branch\":\"$1\"[^}]*}" | json_field "$2"; }
committee_lines() { grep -c 'event=committee ' "$T/s.log"; }
last_committee() { grep 'event=committee ' "$T/s.log" | tail -1; }

# ---- two branches with overdue work of every kind
m1=$(h b1 member add --name 王秀英 --category full --standing normal --join-date 1970-05-04)
m2=$(h b1 member add --name 李建国 --category full --standing normal --join-date 1999-07-01)
m3=$(h b1 member add --name 张桂兰 --category probationary --standing normal)
n1=$(h b2 member add --name 陈海燕 --category full --standing normal --join-date 1972-03-08)
n2=$(h b2 member add --name 杨卫东 --category full --standing normal)
# Ledger entries certified long ago and never visited since: overdue visits
# and (certified this year, no talk) overdue talks.
h b1 hardship add --member "$m1" --types living,elderly --status registered --certified-at $Y-02-01 >/dev/null
h b1 hardship add --member "$m2" --types alone --status assisting --certified-at $Y-03-01 >/dev/null
h b2 hardship add --member "$n1" --types disabled --status registered --certified-at $Y-01-05 >/dev/null
h b1 visit add --members "$m1,$m2" --occasion spring_festival --date $Y-01-20 --status done >/dev/null
v2=$(h b1 visit add --members "$m2" --occasion july_first --date $Y-06-28 --status done)
h b2 visit add --members "$n1" --occasion spring_festival --date $Y-01-25 --status done >/dev/null
h b2 talk add --form individual --trigger hardship --talker 书记 --members "$n1" --date $Y-01-10 --topic 了解困难 >/dev/null
# Active pairings without a progress note for months: overdue.
h b1 pairing add --mode member --helper 党员甲 --member "$m2" --start-date $Y-02-01 --status active >/dev/null
h b2 pairing add --mode member --helper 党员乙 --member "$n1" --start-date $Y-03-01 --status active >/dev/null
h b1 honor add --year $Y --title excellent_member --member "$m1" --status nominated >/dev/null
h b2 honor add --year $Y --title excellent_worker --member "$n1" --status approved >/dev/null
# Dues unpaid for more than 3 months: overdue; one paid.
h b1 dues add --member "$m2" --month $Y-02 --due-fen 500 --status unpaid >/dev/null
h b1 dues add --member "$m1" --month $Y-02 --due-fen 1000 --status paid --paid-fen 1000 --paid-date $Y-02-10 >/dev/null
h b2 dues add --member "$n2" --month $Y-03 --due-fen 800 --status unpaid >/dev/null
h b1 dues add --member "$m3" --month $Y-04 --due-fen 200 --status exempt >/dev/null
sync_all

# compare LABEL: the server's stats and report against --offline over the admin replica
compare() {
	local srv rep
	h adm sync >/dev/null 2>&1
	srv=$(h adm admin stats --json --year $Y 2>"$T/srv.err")
	rep=$(h adm admin stats --json --offline --year $Y 2>"$T/rep.err")
	expect_contains "$1: the server answers" '"source":"server"' "$srv"
	expect_contains "$1: --offline counts the replica" '"source":"replica"' "$rep"
	expect_eq "$1: the server's stats equal the replica's, overdue items included" \
		"$(echo "$rep" | figures_of)" "$(echo "$srv" | figures_of)"
	expect_eq "$1: the server path needs no note" "" "$(cat "$T/srv.err")"
	h adm admin report --year $Y --html "$T/srv.html" >/dev/null 2>"$T/srvr.err"
	h adm admin report --year $Y --html "$T/rep.html" --offline >/dev/null 2>/dev/null
	expect_eq "$1: the server's report equals the replica's" "$(report_of "$T/rep.html")" \
		"$(report_of "$T/srv.html")"
	expect_eq "$1: the report from the server needs no note" "" "$(cat "$T/srvr.err")"
	SRV=$srv
}

compare "first answer"
expect_contains "warm = off: the first call computes both branches" "computed=2" \
	"$(grep 'event=committee ' "$T/s.log" | head -1)"
expect_eq "warm = off: no warm job" 0 "$(grep -c 'event=committee_warm' "$T/s.log")"
expect_eq "b001: two overdue visits (王秀英, 李建国)" 2 "$(fig b001 overdue_visits)"
expect_eq "b001: two overdue talks (no talk after their ledger entries)" 2 "$(fig b001 overdue_talks)"
expect_eq "b001: one overdue pairing" 1 "$(fig b001 overdue_pairings)"
expect_eq "b001: one member with dues overdue" 1 "$(fig b001 overdue_dues)"
expect_eq "b002: its overdue items (a visit, dues, a pairing; its talk followed the entry)" 3 "$(fig b002 overdue)"
expect_eq "b001: the nominated honor counts nowhere" 0 "$(fig b001 honors)"
expect_contains "the report names the 50-year veteran (server)" "王秀英" "$(grep -A3 '光荣在党' "$T/srv.html")"
expect_contains "... and the other branch's" "陈海燕" "$(cat "$T/srv.html")"
expect_contains "the report says the server computed it" "数据来源：服务器" "$(grep 'class="meta"' "$T/srv.html")"
expect_contains "the table's last line says so (zh_CN)" "数据来源：服务器根据其记录计算" "$(h adm admin stats 2>/dev/null | tail -1)"

# ---- the cache: no change reads no snapshot; one change recomputes one branch
before=$(committee_lines)
h adm admin stats --json --year $Y >/dev/null 2>&1
expect_eq "a call logs one committee line" $((before + 1)) "$(committee_lines)"
expect_contains "a second call with no change computes nothing" "computed=0" "$(last_committee)"
expect_contains "... every branch from the cache" "cached=2" "$(last_committee)"
h b1 visit add --members "$m1" --occasion hospital --date $Y-11-20 --status done >/dev/null
h b1 sync >/dev/null 2>&1
now=$(h adm admin stats --json --year $Y 2>/dev/null)
expect_contains "after a change in b001: one branch computed" "computed=1" "$(last_committee)"
expect_contains "... the other from the cache" "cached=1" "$(last_committee)"
SRV=$now
expect_eq "the answer changed: 王秀英 was visited, one overdue visit left" 1 "$(fig b001 overdue_visits)"
expect_eq "... and the visit counts" 3 "$(fig b001 visits)"
h b1 visit edit "$v2" --status cancelled >/dev/null
h b1 sync >/dev/null 2>&1
compare "after an edit"
expect_eq "b001: the cancelled 七一 visit no longer counts" 0 "$(fig b001 visits_july_first)"
# A transfer: 张桂兰 and her records move to b002 (b001's feed keeps a
# moved-out marker, which its snapshot must skip), b001 keeps the summary.
tr=$(h b1 transfer add --member "$m3" --to-branch 第二党支部 --letter-no 组转〔2026〕17号 \
	--issued-date $Y-09-01 --valid-until $Y-12-01)
sync_all
h b1 transfer edit "$tr" --status 已接收 --accepted-date $Y-09-05 >/dev/null
sync_all
compare "after a transfer"
expect_eq "b001 counts the transfer as 转出" 1 "$(fig b001 transfers_out)"
expect_eq "b002 counts it as 转入" 1 "$(fig b002 transfers_in)"
expect_eq "张桂兰 is b002's member now" 3 "$(fig b002 members)"
expect_eq "... and no longer b001's" 2 "$(fig b001 members)"
SRV=$(h adm admin stats --json --year $((Y - 1)) 2>/dev/null)
expect_contains "another year is another key: computed again" "computed=2" "$(last_committee)"

# ---- a fresh admin profile with an empty replica: the same report from the server
client adm2 admin "$P"
h adm2 admin report --year $Y --html "$T/fresh.html" >"$T/fresh.out" 2>"$T/fresh.err"; rc=$?
expect_eq "an empty replica: the report is written" 0 "$rc"
expect_eq "... with no note" "" "$(cat "$T/fresh.err")"
expect_eq "... equal to the synced replica's" "$(report_of "$T/rep.html")" "$(report_of "$T/fresh.html")"
expect_eq "... and stats too" "$(h adm admin stats --json --offline --year $Y 2>/dev/null | figures_of)" \
	"$(h adm2 admin stats --json --year $Y 2>/dev/null | figures_of)"

# ---- the web app's 统计 and 全委报表 take the same answer, and say so
ui_start adm
ws=$(curl -s --max-time 30 -b "$T/jar" "$B/api/admin/stats?year=$Y")
expect_contains "the web app's 统计: computed by the server" '"source":"server"' "$ws"
expect_contains "... with the overdue items" '"key":"overdue"' "$ws"
curl -s --max-time 30 -b "$T/jar" -o "$T/web.html" "$B/api/admin/report?year=$Y"
expect_eq "the web app's 全委报表 equals admin report's" "$(report_of "$T/srv.html")" "$(report_of "$T/web.html")"
kill "$UI_PID" 2>/dev/null; wait "$UI_PID" 2>/dev/null

# ---- a branch certificate is refused
out=$(h b1 admin stats 2>&1); rc=$?
expect_eq "a branch certificate may not read the committee's figures" 1 "$rc"
expect_contains "... the server says why" "admin requests need an admin certificate" "$out"
out=$(h b1 admin report --html "$T/b1.html" 2>&1); rc=$?
expect_eq "... nor write the report" 1 "$rc"
expect_eq "... and no file is left" "no" "$([ -e "$T/b1.html" ] && echo yes || echo no)"
out=$(probe --port "$P" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" \
	--wait-ms 3000 --frame-len 8 --send 0801d2050308ea0f 2>&1)
expect_contains "a CommitteeRequest on the wire from a branch: FORBIDDEN, the console's words" \
	"error code=ERR_FORBIDDEN field=role message=admin requests need an admin certificate" "$out"

# ---- a general branch (党总支) sees its subtree only
h adm admin branch add g01 --name 第一党总支 >/dev/null
h adm admin branch rename b001 --parent g01 >/dev/null
G=(--port "$P" --cert "$CERTS/general1.pem" --key "$CERTS/general1.key" --ca "$CERTS/ca.pem" --wait-ms 3000)
CQ=0801d2051408ea0f10b0a201185a201e28ed02303c3803405a   # year 2026, today 2026-11-27, default thresholds
out=$(probe "${G[@]}" --frame-len 25 --send $CQ 2>&1)
expect_contains "a general certificate gets the committee's answer for its subtree" "committee" "$out"
out=$(probe "${G[@]}" --frame-len 31 --send 0801d2051a${CQ:10}4a0462303031 2>&1)
expect_contains "... for a branch below it" "committee" "$out"
out=$(probe "${G[@]}" --frame-len 31 --send 0801d2051a${CQ:10}4a0462303032 2>&1)
expect_contains "... and FORBIDDEN for a branch outside, naming what it may read" \
	"error code=ERR_FORBIDDEN field=branches message=branch b002 is outside general branch g01: this certificate reads only" "$out"

# ---- an older server (one without CommitteeRequest): the replica, saying so
stop_server s
expect_eq "hearthd stops cleanly with its cache full (under ASan: no leak)" 0 "$STOP_RC"
HEARTHD_TEST_NO_COMMITTEE=1 start_server s3 --data "$T/s.data"
client adm3 admin "$PORT_s3"
h adm3 sync >/dev/null 2>&1
h adm3 admin report --year $Y --html "$T/old.html" >/dev/null 2>"$T/old.err"; rc=$?
expect_eq "an older server: the report is still written" 0 "$rc"
expect_contains "... from the replica, saying why (zh_CN)" "服务器无法计算全委统计（hearthd 版本较旧）；改用本地副本生成" "$(cat "$T/old.err")"
expect_contains "... its header says when the replica synced" "数据同步至" "$(grep 'class="meta"' "$T/old.html")"
old=$(h adm3 admin stats --json --year $Y 2>"$T/olds.err")
expect_contains "an older server's stats: its counters" '"source":"server"' "$old"
expect_contains "... with no overdue items" '"overdue":null' "$old"
expect_contains "... saying why (zh_CN)" "服务器无法计算逾期事项（hearthd 版本较旧）；显示其计数" "$(cat "$T/olds.err")"
# ---- more branches than one page (64): the client asks page after page
many=()
for i in $(seq 100 161); do many+=(--branch "p$i=支部$i"); done   # hearthd takes 64 flags
start_server s4 "${many[@]}"
client adm4 admin "$PORT_s4"
for i in $(seq 162 169); do h adm4 admin branch add "p$i" --name "支部$i" >/dev/null; done
client b14 branch1 "$PORT_s4"
h b14 member add --name 王秀英 --category full --standing normal >/dev/null
h b14 sync >/dev/null 2>&1
h adm4 sync >/dev/null 2>&1
srv=$(h adm4 admin stats --json --year $Y 2>"$T/many.err")
expect_eq "72 branches come in two pages, each once" 72 "$(echo "$srv" | figures_of | grep -c '"branch":')"
expect_eq "... equal to the replica's" "$(h adm4 admin stats --json --offline --year $Y 2>/dev/null | figures_of)" \
	"$(echo "$srv" | figures_of)"
expect_eq "... with no note" "" "$(cat "$T/many.err")"
expect_eq "... in two requests" 2 "$(grep -c 'event=committee ' "$T/s4.log")"

ui_start adm3
ws=$(curl -s --max-time 30 -b "$T/jar" "$B/api/admin/stats?year=$Y")
expect_contains "an older server: the web app's 统计 from the replica" '"source":"replica"' "$ws"
expect_contains "... saying why (zh_CN)" '"server_note":"服务器是旧版本的 hearthd"' "$ws"
kill "$UI_PID" 2>/dev/null; wait "$UI_PID" 2>/dev/null

# ---- the warm job (warm = on, the default) over the same store
# wait_lines LOG PATTERN N: until LOG has N lines matching (at most 20 s)
wait_lines() {
	local i
	for i in $(seq 1 200); do
		[ "$(grep -c "$2" "$1")" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}
stop_server s3
start_server s5 --data "$T/s.data"
wait_lines "$T/s5.log" 'event=committee_warm ' 1
expect_contains "after start: one warm job, logged" "branches=" "$(grep 'event=committee_warm ' "$T/s5.log" | head -1)"
client adm5 admin "$PORT_s5"
client b15 branch1 "$PORT_s5"
h b15 sync >/dev/null 2>&1
SRV=$(h adm5 admin stats --json --year $Y 2>/dev/null)
expect_contains "the first admin stats after start computes nothing" "computed=0" \
	"$(grep 'event=committee ' "$T/s5.log" | tail -1)"
visits=$(fig b001 visits)
h b15 visit add --members "$m1" --occasion hospital --date $Y-11-21 --status done >/dev/null
h b15 sync >/dev/null 2>&1
wait_lines "$T/s5.log" 'event=committee_warm .*computed=1 ' 1
expect_contains "after an edit in b001: the next warm job recomputes that branch only" "computed=1 " \
	"$(grep 'event=committee_warm ' "$T/s5.log" | tail -1)"
SRV=$(h adm5 admin stats --json --year $Y 2>/dev/null)
expect_contains "... and admin stats again computes nothing" "computed=0" \
	"$(grep 'event=committee ' "$T/s5.log" | tail -1)"
expect_eq "... with the new figure (one more visit)" $((visits + 1)) "$(fig b001 visits)"
stop_server s5
expect_eq "hearthd stops cleanly after its warm jobs (under ASan: no leak)" 0 "$STOP_RC"
# Stopped right after start, while the warm job runs.
start_server s6 --data "$T/s.data"
stop_server s6
expect_eq "hearthd stops cleanly with a warm job running (under ASan: no leak)" 0 "$STOP_RC"
printf '[committee]\nwarm = maybe\n' >"$T/badwarm.ini"
out=$("$HEARTHD" --config "$T/badwarm.ini" --check-config 2>&1); rc=$?
expect_eq "check-config refuses a bad warm value" 2 "$rc"
expect_contains "... saying what it takes" "badwarm.ini:2: warm: \"maybe\" is not on or off" "$out"

finish
