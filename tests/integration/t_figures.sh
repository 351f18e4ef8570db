#!/bin/bash
# Committee figures answered by the server (issue 16 item 4): hearthd keeps
# per-branch counters in the transaction of every change, and `hearth admin
# stats` prints them with no replica. On one varied data set made with the
# CLI in two branches, the server's figures (an auditor with an empty
# replica) equal the replica's computation (an admin that synced
# everything, --replica) for every figure the server keeps (the overdue
# ones depend on today and come from a replica only: null from the server),
# this year and last, after creates, then edits, deletes, a restore, a
# transfer between the branches with its summary, a conflict resolved by
# the admin, and a restart of hearthd. A current hearthd computes the whole
# answer itself (CommitteeRequest, t_srvreport.sh); its counters serve a
# client when that is missing, so every server here is started as one
# without it (HEARTHD_TEST_NO_COMMITTEE).
. "$(dirname "$0")/lib.sh"
export HEARTHD_TEST_NO_COMMITTEE=1

if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	echo "SKIP: the zh_CN.UTF-8 locale is not installed (.ci/deps.sh generates it)"
	exit 77
fi
export LC_ALL=zh_CN.UTF-8 LANGUAGE=
Y=2026
export HEARTH_TODAY=$Y-11-27

start_server s
P=$PORT_s
client b1 branch1 "$P"
client b2 branch2 "$P"
client adm admin "$P"
client aud auditor "$P"
ADM=adm AUD=aud
json_field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2 | tr -d '"'; }
sync_all() { h b1 sync >/dev/null 2>&1; h b2 sync >/dev/null 2>&1; }
# The figures of one --json answer, without what only one side has: the
# source and the overdue items.
figures_of() { sed -e 's/,"source":"[a-z]*"//g' -e 's/,"overdue[a-z_]*":[^,}]*//g' -e 's/},{/}\n{/g'; }
# compare LABEL: the server's figures against the replica's, this year and last
compare() {
	local y srv rep
	h $ADM sync >/dev/null 2>&1
	for y in $Y $((Y - 1)); do
		srv=$(h $AUD admin stats --json --year $y 2>"$T/srv.err")
		rep=$(h $ADM admin stats --json --replica --year $y 2>"$T/rep.err")
		expect_contains "$1 ($y): the server answers" '"source":"server"' "$srv"
		expect_contains "$1 ($y): --replica counts the replica" '"source":"replica"' "$rep"
		expect_eq "$1 ($y): the server's figures equal the replica's" "$(echo "$rep" | figures_of)" \
			"$(echo "$srv" | figures_of)"
	done
	expect_eq "$1: the server path needs no replica (only the note on the overdue items)" \
		"hearth: admin stats：提示：服务器无法计算逾期事项（hearthd 版本较旧）；显示其计数" "$(cat "$T/srv.err")"
	SRV=$(h $AUD admin stats --json --year $Y)
}
fig() { echo "$SRV" | grep -o "{\"branch\":\"$1\"[^}]*}" | json_field "$2"; }

# ---- a varied data set in two branches
m1=$(h b1 member add --name 王秀英 --category full --standing normal)
m2=$(h b1 member add --name 李建国 --category full --standing normal)
m3=$(h b1 member add --name 张桂兰 --category probationary --standing normal)
m4=$(h b1 member add --name 周明 --gender 男 --birth-date 1970-03-02 --join-date 1998-07-01)
n1=$(h b2 member add --name 陈海燕 --category full --standing normal)
n2=$(h b2 member add --name 杨卫东 --category probationary --standing suspended)
h b2 member add --name 赵红梅 --category full --standing left >/dev/null
hs1=$(h b1 hardship add --member "$m1" --types living,elderly --status registered --certified-at $Y-02-01)
h b1 hardship add --member "$m1" --types ill --status assisting --certified-at $Y-03-01 >/dev/null
h b1 hardship add --member "$m2" --types alone --status assisting --certified-at $Y-03-01 >/dev/null
h b1 hardship add --member "$m4" --types frail --status registered --certified-at $Y-03-01 >/dev/null
h b2 hardship add --member "$n1" --types disabled --status registered --certified-at $Y-01-05 >/dev/null
v1=$(h b1 visit add --members "$m1,$m2" --occasion spring_festival --date $Y-01-20 --status done)
v2=$(h b1 visit add --members "$m1" --occasion july_first --date $Y-06-28 --status done)
h b1 visit add --members "$m4" --occasion july_first --date $Y-06-29 --status done >/dev/null
h b1 visit add --members "$m3" --occasion spring_festival --date $Y-02-01 --status planned >/dev/null
h b1 visit add --members "$m2" --occasion spring_festival --date $((Y - 1))-01-28 --status done >/dev/null
h b2 visit add --members "$n1" --occasion spring_festival --date $Y-01-25 --status done >/dev/null
t1=$(h b1 talk add --form individual --trigger hardship --talker 书记 --members "$m1" --date $Y-03-03 --topic 了解困难)
h b2 talk add --form individual --trigger hardship --talker 书记 --members "$n1" --date $((Y - 1))-05-05 --topic 了解困难 >/dev/null
h b1 pairing add --mode member --helper 党员甲 --member "$m2" --start-date $Y-02-01 --status active >/dev/null
h b2 pairing add --mode member --helper 党员乙 --member "$n1" --start-date $Y-02-01 --status active >/dev/null
ho1=$(h b1 honor add --year $Y --title excellent_member --member "$m1" --status nominated)
h b1 honor add --year $Y --title excellent_worker --member "$m2" --status approved >/dev/null
h b2 honor add --year $Y --title advanced_org --recipient-branch b002 --status awarded >/dev/null
h b2 honor add --year $((Y - 1)) --title innovation --recipient-branch b002 --status awarded >/dev/null
h b2 honor add --year $Y --title excellent_member --member "$n1" --status revoked >/dev/null
d1=$(h b1 dues add --member "$m1" --month $Y-01 --due-fen 1000 --status paid --paid-fen 1000 --paid-date $Y-01-10)
h b1 dues add --member "$m2" --month $Y-01 --due-fen 500 --status unpaid >/dev/null
h b1 dues add --member "$m3" --month $Y-02 --due-fen 200 --status exempt >/dev/null
h b2 dues add --member "$n1" --month $((Y - 1))-12 --due-fen 800 --status paid --paid-fen 800 --paid-date $((Y - 1))-12-10 >/dev/null
sync_all
compare "after creates"
expect_eq "b001 has four live members" 4 "$(fig b001 members)"
expect_eq "b001: 困难党员 are m1, m2 and 周明" 3 "$(fig b001 hardship_members)"
expect_eq "b001: the nominated honor counts nowhere" 1 "$(fig b001 honors)"
expect_eq "b002: the revoked honor counts nowhere" 1 "$(fig b002 honors)"
expect_eq "b001: 春节 coverage counts m1 and m2" 2 "$(fig b001 spring_festival_visited)"

# ---- edits
h b1 member edit "$m3" --standing deceased >/dev/null
h b1 hardship edit "$hs1" --status resolved --closed-date $Y-10-01 >/dev/null
h b1 honor edit "$ho1" --status approved >/dev/null
h b1 visit edit "$v2" --status cancelled >/dev/null
h b1 dues edit "$d1" --paid-fen 600 --status partial >/dev/null
sync_all
compare "after edits"
expect_eq "b001: the approved honor now counts" 2 "$(fig b001 honors)"
expect_eq "b001: m1's entry resolved, she is no 困难党员" 2 "$(fig b001 hardship_members)"
expect_eq "b001: the cancelled 七一 visit no longer counts" 1 "$(fig b001 visits_july_first)"

# ---- deletes, then a restore
h b1 visit delete "$v1" >/dev/null
h b1 talk delete "$t1" >/dev/null
h b1 dues delete "$d1" >/dev/null
sync_all
compare "after deletes"
expect_eq "b001: no 春节 coverage without the visit" 0 "$(fig b001 spring_festival_visited)"
expect_eq "b001: no talk this year" 0 "$(fig b001 talks)"
h b1 visit restore "$v1" >/dev/null
sync_all
compare "after a restore"
expect_eq "b001: the restored visit covers m2 again" 1 "$(fig b001 spring_festival_visited)"

# ---- a transfer: 周明 and her records move to b002; b001 keeps the summary (转出)
tr=$(h b1 transfer add --member "$m4" --to-branch 第二党支部 --letter-no 组转〔2026〕17号 \
	--issued-date $Y-09-01 --valid-until $Y-12-01)
sync_all
h b1 transfer edit "$tr" --status 已接收 --accepted-date $Y-09-05 >/dev/null
sync_all
compare "after a transfer"
expect_eq "b001 counts the transfer as 转出" 1 "$(fig b001 transfers_out)"
expect_eq "b002 counts it as 转入" 1 "$(fig b002 transfers_in)"
expect_eq "周明 is b002's member now" 3 "$(fig b002 members)"
expect_eq "... and b002's 困难党员, covered at 七一 by her visit" 1 "$(fig b002 july_first_visited)"

# ---- a conflict on a counted field, resolved by the admin
h adm member edit "$m2" --standing suspended >/dev/null
h adm sync >/dev/null 2>&1
h b1 member edit "$m2" --standing left >/dev/null
h b1 sync >/dev/null 2>&1
h adm sync >/dev/null 2>&1
cid=$(h adm admin conflicts --json | json_field id)
expect_eq "the admin's edit conflicts" 1 "$([ -n "$cid" ] && echo 1 || echo 0)"
h adm admin resolve "$cid" --keep mine >/dev/null 2>&1
h adm sync >/dev/null 2>&1
sync_all
compare "after a resolution"
expect_eq "b001: the resolution's standing counts" 1 "$(fig b001 members_suspended)"

# ---- the counters survive a restart, and are made only once per store
expect_eq "a new store makes its counters once" 1 "$(grep -c 'event=figures_rebuilt' "$T/s.log")"
stop_server s
expect_eq "hearthd stops cleanly" 0 "$STOP_RC"
start_server s2 --data "$T/s.data"
client adm2 admin "$PORT_s2"
client aud2 auditor "$PORT_s2"
ADM=adm2 AUD=aud2
compare "after a restart"
expect_eq "a restart does not make them again" 0 "$(grep -c 'event=figures_rebuilt' "$T/s2.log")"

expect_contains "from the server, it says so" "数据来源：服务器的计数" "$(h aud2 admin stats 2>/dev/null | tail -1)"

# ---- bad input
out=$(h aud2 admin stats --year 1900 2>&1); rc=$?
expect_eq "a year before 1921 is a usage error" 2 "$rc"
client b1n branch1 "$PORT_s2"
out=$(h b1n admin stats 2>&1); rc=$?
expect_eq "a branch certificate may not read the committee's figures" 1 "$rc"
expect_contains "... the server says why" "admin requests need an admin certificate" "$out"

# ---- an older hearthd (one that does not know FiguresRequest): the replica, saying so
stop_server s2
HEARTHD_TEST_NO_FIGURES=1 start_server s3 --data "$T/s.data"
client adm3 admin "$PORT_s3"
h adm3 sync >/dev/null 2>&1
old=$(h adm3 admin stats --json 2>"$T/old.err"); rc=$?
expect_eq "an older server: stats still answer" 0 "$rc"
expect_contains "... from the replica" '"source":"replica"' "$old"
expect_contains "... saying why (zh_CN)" "服务器不保存统计数据（hearthd 版本较旧）；改为统计本地副本" "$(cat "$T/old.err")"
expect_eq "... with the same figures" "$(echo "$SRV" | figures_of)" "$(h adm3 admin stats --json --year $Y 2>/dev/null | figures_of)"
expect_contains "the table's last line says the source (zh_CN)" "数据来源：本地副本的记录。" "$(h adm3 admin stats 2>/dev/null | tail -1)"

finish
