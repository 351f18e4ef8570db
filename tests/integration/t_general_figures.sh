#!/bin/bash
# A general-branch (党总支) certificate reads its subtree's figures: `hearth
# admin stats` lists exactly g01 and the branches below it, each with the
# same figures as the admin's row for that branch, and the 小计 row of g01
# equals its 合计; --offline counts its replica to the same figures;
# `admin report --html` is titled with the 党总支's name and holds no
# other branch; an older server (no CommitteeRequest) falls back to the
# replica with a note. A branch certificate is still refused with the
# server's words, and the general's other admin commands (enroll,
# principals) stay refused with theirs. The web app: /api/admin/stats and
# /api/admin/report answer over the subtree, every other admin route 403.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
if [ ! -s "$CERTS/general1.pem" ]; then
	"${HEARTH_SRC:?}/certs/mkcerts.sh" "$CERTS" >/dev/null || { echo "mkcerts failed"; exit 1; }
fi
Y=2026
export HEARTH_TODAY=$Y-11-27

# row BRANCH: that branch's object of a stats --json answer on stdin
row() { grep -o "{\"branch\":\"$1\"[^}]*}"; }
branches() { grep -o '"branch":"[^"]*"' | cut -d'"' -f4 | tr '\n' ' '; }
# The figures of a table's lines, without their labels (subtotal: id, 小计, name; total: 合计).
sub_figures() { grep '^g01 小计' | tr -s ' ' | cut -d' ' -f4-; }
total_figures() { grep '^合计' | tr -s ' ' | cut -d' ' -f2-; }

start_server s
P=$PORT_s
client adm admin "$P"
client b1 branch1 "$P"
client b2 branch2 "$P"
client g general1 "$P"
h adm admin branch add g01 --name 第一党总支 >/dev/null
h adm admin branch add b009 --name 第九党支部 >/dev/null
h adm admin branch rename b001 --parent g01 >/dev/null
h adm admin branch rename b009 --parent g01 >/dev/null

# ---- figures in b001 (below g01), b002 (outside) and g01 itself
m1=$(h b1 member add --name 张大爷 --category full --standing normal --join-date 1970-05-04)
m2=$(h b1 member add --name 李奶奶 --category probationary --standing normal)
h b1 hardship add --member "$m1" --types living,elderly --status registered --certified-at $Y-02-01 >/dev/null
h b1 visit add --members "$m1" --occasion spring_festival --date $Y-01-20 --status done >/dev/null
h b1 dues add --member "$m2" --month $Y-02 --due-fen 500 --status unpaid >/dev/null
n1=$(h b2 member add --name 王秀英 --category full --standing normal)
h b2 hardship add --member "$n1" --types disabled --status registered --certified-at $Y-01-05 >/dev/null
h b2 talk add --form individual --trigger hardship --talker 书记 --members "$n1" --date $Y-01-10 --topic 了解困难 >/dev/null
h g member add --name 赵总支 --category full --standing normal >/dev/null
for c in b1 b2 g; do h $c sync >/dev/null 2>&1; done
expect_eq "the general branch syncs" 0 "$(h g sync >/dev/null 2>&1; echo $?)"

adm=$(h adm admin stats --json --year $Y 2>"$T/adm.err")
gen=$(h g admin stats --json --year $Y 2>"$T/gen.err"); rc=$?
expect_eq "a general certificate runs admin stats" 0 "$rc"
expect_eq "... computed by the server, with no note" "" "$(cat "$T/gen.err")"
expect_eq "the admin's stats list every branch" "b001 b002 b009 g01 " "$(echo "$adm" | branches)"
expect_eq "the general's list exactly its subtree" "b001 b009 g01 " "$(echo "$gen" | branches)"
for b in b001 b009 g01; do
	expect_eq "$b: the general's row equals the admin's" "$(echo "$adm" | row $b)" "$(echo "$gen" | row $b)"
done
expect_contains "... b001's figures are there (2 members, 1 visit)" '"members":2' "$(echo "$gen" | row b001)"
expect_contains "... g01's own member" '"members":1' "$(echo "$gen" | row g01)"
expect_contains "... with the server as the source" '"source":"server"' "$gen"

h g admin stats --year $Y >"$T/gen.table" 2>&1
expect_eq "the table has a 小计 row for g01 in each of its five tables" 5 "$(grep -c '^g01 小计' "$T/gen.table")"
expect_eq "... equal to the general's 合计" "$(total_figures <"$T/gen.table")" "$(sub_figures <"$T/gen.table")"
expect_contains "... which counts 3 members" "3 2 1 3 0 0 0" "$(total_figures <"$T/gen.table" | head -1)"
expect_not_contains "... and never names b002" "第二党支部" "$(cat "$T/gen.table")"
h adm admin stats --year $Y >"$T/adm.table" 2>&1
expect_eq "the general's 小计 equals the admin's g01 小计" "$(sub_figures <"$T/adm.table")" "$(sub_figures <"$T/gen.table")"
csv=$(h g admin stats --csv --year $Y 2>/dev/null)
expect_not_contains "the CSV holds no b002 either" "b002" "$csv"

off=$(h g admin stats --json --offline --year $Y 2>"$T/off.err"); rc=$?
expect_eq "--offline counts the general's replica" 0 "$rc"
expect_eq "... to the same rows and figures" "$(echo "$gen" | sed 's/"source":"server"/"source":"replica"/g')" "$off"
expect_eq "... naming branches from its last sync" \
	"hearth: admin stats: note: branch names from the directory of the last sync" "$(cat "$T/off.err")"

# ---- the report: the 党总支's, not the committee's
h g admin report --year $Y --html "$T/g.html" >"$T/g.out" 2>&1; rc=$?
expect_eq "a general certificate writes admin report --html" 0 "$rc"
expect_eq "... saying what it wrote" "wrote $T/g.html: 3 branches, year $Y" "$(cat "$T/g.out")"
html=$(cat "$T/g.html")
expect_contains "its title names the 党总支" "<h1>${Y}年度第一党总支及所属支部党内关怀帮扶工作情况</h1>" "$html"
expect_contains "its header says the scope" "范围：第一党总支（g01）及其下属支部" "$html"
expect_contains "... from the server" "数据来源：服务器（生成时计算）" "$html"
expect_contains "it has the 小计 row of g01" '第一党总支 小计 <span class="small">g01</span>' "$html"
expect_not_contains "and nothing of b002" "第二党支部" "$html"
h adm admin report --year $Y --html "$T/adm.html" >/dev/null 2>&1
expect_contains "the admin's report stays the committee's" "<h1>${Y}年度各支部党内关怀帮扶工作情况</h1>" "$(cat "$T/adm.html")"
expect_not_contains "... with no scope line" "范围：" "$(cat "$T/adm.html")"

# ---- refusals, in exact words
out=$(h b1 admin stats 2>&1); rc=$?
expect_eq "a branch certificate's admin stats still fails" 1 "$rc"
expect_eq "... with the server's words" \
	"hearth: admin stats: the server refused: admin requests need an admin certificate (field role)" "$out"
out=$(h b1 admin report --html "$T/b1.html" 2>&1); rc=$?
expect_eq "... and admin report" 1 "$rc"
expect_eq "... the same words" \
	"hearth: admin report: the server refused: admin requests need an admin certificate (field role)" "$out"
expect_eq "... and no file" "no" "$([ -e "$T/b1.html" ] && echo yes || echo no)"
out=$(h g admin enroll --branch b001 --name 某人 --out "$T/enr" 2>&1); rc=$?
expect_eq "the general's admin enroll is refused" 1 "$rc"
expect_eq "... saying what the certificate may run" \
	"hearth: admin enroll: needs an admin certificate; this profile's certificate (周八) is a general-branch (党总支) certificate of g01, which runs only 'admin stats' and 'admin report' (over its subtree)" "$out"
expect_eq "... and makes no key" "no" "$(ls "$T"/enr* >/dev/null 2>&1 && echo yes || echo no)"
out=$(h g admin principals 2>&1); rc=$?
expect_eq "the general's admin principals is refused by the server" 1 "$rc"
expect_eq "... in its words" \
	"hearth: admin principals: the server refused: admin requests need an admin certificate (field role)" "$out"
out=$(h g admin branch add b077 --name 外支部 2>&1); rc=$?
expect_eq "the general's admin branch add is refused" 1 "$rc"
expect_eq "... in the server's words" \
	"hearth: admin branch add: the server refused: admin requests need an admin certificate (field role)" "$out"
expect_not_contains "... and adds nothing" "b077" "$(h adm admin branch list)"
out=$(LC_ALL=zh_CN.UTF-8 h g admin enroll --branch b001 --name 某人 --out "$T/enr" 2>&1)
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	expect_eq "the general's refusal in Chinese" \
		"hearth: admin enroll: 需要管理员证书；本配置的证书（周八）是党总支 g01 的证书，只能运行“admin stats”和“admin report”（范围为其下属支部）" "$out"
	out=$(LC_ALL=zh_CN.UTF-8 h g admin stats --help)
	expect_contains "stats --help says who may run it (zh_CN)" "党总支证书：本党总支及其下属各支部" "$out"
fi
expect_contains "stats --help says who may run it" "A general-branch (党总支) certificate: its own branch and every" \
	"$(h g admin stats --help)"
expect_contains "report --help too" "(党总支) certificate: the report of its own branch and every branch below" \
	"$(h g admin report --help)"

# ---- the web app: 统计 and the report over the subtree, no other admin screen
ui_start g
get() { curl -s --max-time 60 -b "$T/jar" "$@"; }
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 60 -b "$T/jar" "$@"; }
ws=$(get "$B/api/admin/stats?year=$Y")
expect_contains "/api/admin/stats answers a general certificate, computed by the server" '"source":"server"' "$ws"
rows=$(echo "$ws" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(" ".join(r["branch"] for r in j["rows"]), "|", " ".join(r["branch"] for r in j["subtotals"]), "|", j["total"]["cells"][0])')
expect_eq "... its subtree's rows, g01's subtotal and the total of 3 members" "b001 b009 g01 | g01 | 3" "$rows"
sub=$(echo "$ws" | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["subtotals"][0]["cells"] == j["total"]["cells"])')
expect_eq "... the subtotal equals the total" "True" "$sub"
get -o "$T/web.html" "$B/api/admin/report?year=$Y"
expect_contains "/api/admin/report is the 党总支's report" "<h1>${Y}年度第一党总支及所属支部党内关怀帮扶工作情况</h1>" "$(cat "$T/web.html")"
expect_eq "... the same as admin report's but for its header" "$(grep -v 'class="meta"' "$T/g.html")" "$(grep -v 'class="meta"' "$T/web.html")"
expect_contains "... downloaded under the 党总支's file name" "general-branch-report-$Y.html" \
	"$(curl -s -D - -o /dev/null --max-time 60 -b "$T/jar" "$B/api/admin/report?year=$Y")"
for r in branches principals conflicts "enrolled?file=cert"; do
	expect_eq "GET /api/admin/$r is 403 for a general certificate" 403 "$(code "$B/api/admin/$r")"
done
expect_eq "... saying what it is" \
	"the committee's screens need an admin certificate; this profile's certificate (周八) is the general branch g01's" \
	"$(get "$B/api/admin/branches" | python3 -c 'import json,sys; print(json.load(sys.stdin)["error"])')"
expect_contains "the page's words name the general's screens" '"admin_nav_general_stats":"General branch statistics"' \
	"$(get "$B/api/admin/text")"
kill -TERM "$UI_PID"; wait "$UI_PID"
expect_eq "hearth ui stops cleanly" 0 "$?"

# ---- an older server (no CommitteeRequest): the general's replica, saying so
stop_server s
HEARTHD_TEST_NO_COMMITTEE=1 start_server s2 --data "$T/s.data"
# The same profile and replica, pointed at the new server.
sed -i "s/^server = .*/server = 127.0.0.1:$PORT_s2/" "$T/home.g/profile.ini"
old=$(h g admin stats --json --year $Y 2>"$T/old.err"); rc=$?
expect_eq "an older server: the general's stats still work" 0 "$rc"
expect_eq "... from its replica, the same figures" "$off" "$old"
expect_contains "... saying why" "the server cannot compute the committee's figures (an older hearthd); made from this replica" \
	"$(cat "$T/old.err")"
finish
