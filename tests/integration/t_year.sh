#!/bin/bash
# A year of one branch's work, scripted through the CLI on two replicas of
# branch b001 with syncs in between: members, hardship entries, visits,
# talks, a pairing with progress notes, an honor, dues, an activity and a
# disclosure. Then `hearth due` and `hearth report year` must show exactly
# the expected items and numbers, on both replicas. HEARTH_TODAY fixes
# "today" so the results are deterministic.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client a2 branch1 "$P"
export HEARTH_TODAY=2026-11-27
sync_ok() { h "$1" sync >"$T/sync.$1" 2>&1; echo $?; }
add() { local who=$1; shift; h "$who" "$@" || echo "FAILED: $*" >&2; }

# ---- January: the members (office 1)
zs=$(add a1 member add --name 张三 --gender 男 --category 正式 --join-date 1975-07-01 --birth-date 1940-02-02)
ls=$(add a1 member add --name 李四 --gender 女 --category 正式 --join-date 1990-07-01)
ww=$(add a1 member add --name 王五 --gender 男 --category 预备 --join-date 2026-03-01)
zl=$(add a1 member add --name 赵六 --gender 男 --category 正式 --join-date 2005-07-01)
expect_eq "a1 syncs the members" 0 "$(sync_ok a1)"
expect_eq "a2 receives them" 0 "$(sync_ok a2)"
expect_eq "a2 sees four members" 4 "$(h a2 member list --json | grep -o '"id":' | wc -l | tr -d ' ')"

# ---- the hardship ledger (office 2)
hz=$(add a2 hardship add --member "$zs" --types 生活困难,高龄 --level 特别困难 --certified-at 2026-01-10 --year 2026 --status 帮扶中)
hl=$(add a2 hardship add --member "$ls" --types 患病 --certified-at 2026-03-01 --year 2026 --status 在册)
expect_eq "a2 syncs the ledger" 0 "$(sync_ok a2)"
expect_eq "a1 receives it" 0 "$(sync_ok a1)"

# ---- visits and talks through the year (office 1)
add a1 visit add --members "$zs" --occasion 春节 --date 2026-02-05 --cash 500 --fund-source 党费 --status 已走访 >/dev/null
add a1 visit add --members "$zs,$ls" --occasion 七一 --date 2026-06-28 --cash 600 --goods 米面油 --goods-value 200 --fund-source 行政经费 --status 已走访 >/dev/null
add a1 visit add --members "$ww" --occasion 思想波动 --date 2026-11-10 --status 已走访 >/dev/null
add a1 talk add --form 个别 --trigger 困难 --talker 书记 --members "$zs" --date 2026-01-20 --topic 生活情况 >/dev/null
expect_eq "a1 syncs visits and talks" 0 "$(sync_ok a1)"
expect_eq "a2 receives them" 0 "$(sync_ok a2)"

# ---- pairing, honor, dues, activity, disclosure (office 2)
pr=$(add a2 pairing add --mode 党员结对 --helper 赵六 --member "$ls" --start-date 2026-03-05 --status 帮扶中)
add a2 pairing note "$pr" --date 2026-04-01 --note 送医陪护 >/dev/null
add a2 pairing note "$pr" --date 2026-09-01 --note 申请临时救助 >/dev/null
add a2 visit add --members "$ls" --occasion 住院 --date 2026-10-01 --status 已走访 >/dev/null
add a2 honor add --year 2026 --title 优秀共产党员 --member "$zl" --award 1000 --status 已颁发 --date 2026-07-01 >/dev/null
add a2 talk add --form 个别 --trigger 表彰 --talker 书记 --members "$zl" --date 2026-07-10 --topic 勉励 >/dev/null
add a2 dues add --member "$zs" --month 2026-06 --due 10.00 --paid 10.00 --paid-date 2026-06-10 --status 已缴 >/dev/null
dz=$(add a2 dues add --member "$zs" --month 2026-07 --due 10.00 --status 未缴)
add a2 dues add --member "$ls" --month 2026-08 --due 5.00 --status 未缴 >/dev/null
add a2 dues add --member "$ww" --month 2026-05 --status 免缴 >/dev/null
add a2 activity add --type 党员奉献日 --date 2026-03-05 --title 学雷锋 --participant-count 12 >/dev/null
add a2 disclosure add --category 党费收缴 --title 2026年上半年党费收缴情况 --content 应缴、实缴与使用情况 --channel 公开栏 --from-date 2026-07-05 >/dev/null
expect_eq "a2 syncs the rest" 0 "$(sync_ok a2)"
expect_eq "a1 receives it" 0 "$(sync_ok a1)"
expect_eq "a2 is up to date" 0 "$(sync_ok a2)"

# ---- hearth due: the same on both replicas
for r in a1 a2; do
	js=$(h $r due --json); rc=$?
	expect_eq "$r: due --json exits 0" 0 "$rc"
	expect_contains "$r: due counts" '"counts":{"visit":1,"talk":2,"pairing_note":1,"dues":1,"dues_missing":4,"mobile_contact":0,"talk_overdue":1,"total":9}' "$js"
	expect_contains "$r: due thresholds" '"thresholds":{"visit_gap_days":90,"talk_window_days":30,"talk_lookback_days":365,"note_gap_days":60,"dues_months":3,"contact_gap_days":90}' "$js"
	expect_contains "$r: 张三 not visited since 七一" "{\"what\":\"visit\",\"member\":\"$zs\",\"member_name\":\"张三\",\"record\":\"$hz\",\"reason\":\"困难党员台账：帮扶中\",\"since\":\"2026-06-28\",\"days\":152,\"overdue\":true,\"detail\":\"上次走访 2026-06-28\"}" "$js"
	expect_contains "$r: 李四 owed a talk since registration" "{\"what\":\"talk\",\"member\":\"$ls\",\"member_name\":\"李四\",\"record\":\"$hl\",\"reason\":\"登记困难党员\",\"since\":\"2026-03-01\",\"days\":271,\"deadline\":\"2026-03-31\",\"overdue\":true,\"detail\":\"期限 2026-03-31，已逾期 241 天\"}" "$js"
	expect_contains "$r: 王五 owed a talk after 思想波动" '"member_name":"王五","record":"' "$js"
	expect_contains "$r: 王五's talk not yet late" '"reason":"走访慰问：思想波动","since":"2026-11-10","days":17,"deadline":"2026-12-10","overdue":false,"detail":"期限 2026-12-10，还剩 13 天"' "$js"
	expect_contains "$r: the pairing needs a note" "{\"what\":\"pairing_note\",\"member\":\"$ls\",\"member_name\":\"李四\",\"record\":\"$pr\",\"reason\":\"结对帮扶：赵六\",\"since\":\"2026-09-01\",\"days\":87,\"overdue\":true,\"detail\":\"上次进展 2026-09-01\"}" "$js"
	expect_contains "$r: 张三's July dues" "{\"what\":\"dues\",\"member\":\"$zs\",\"member_name\":\"张三\",\"record\":\"$dz\",\"reason\":\"欠缴党费 1 个月\",\"since\":\"2026-07-01\",\"days\":149,\"overdue\":true,\"months\":1,\"amount_fen\":1000,\"detail\":\"2026-07，欠缴 10.00 元\"}" "$js"
	expect_not_contains "$r: 赵六 had his talk after the honor" "\"what\":\"talk\",\"member\":\"$zl\"" "$js"
	expect_contains "$r: Spring Festival coverage" '{"occasion":"spring_festival","label":"春节","year":2026,"visited":1,"total":2,"missing":["李四"]}' "$js"
	expect_contains "$r: 七一 coverage" '{"occasion":"july_first","label":"七一","year":2026,"visited":2,"total":2,"missing":[]}' "$js"
done
out=$(h a1 due); rc=$?
expect_eq "due table exits 0" 0 "$rc"
flat=$(tr -s ' ' <<<"$out")
expect_contains "due table title" "应办事项（截至 2026-11-27）" "$flat"
expect_contains "due table visit row" "走访 张三 困难党员台账：帮扶中 2026-06-28 152 上次走访 2026-06-28" "$flat"
expect_contains "due table dues row" "党费 张三 欠缴党费 1 个月 2026-07-01 149 2026-07，欠缴 10.00 元" "$flat"
expect_contains "due table total" "合计 9 项：走访 1，谈心谈话 2（逾期 1），帮扶进展 1，党费 1" "$flat"
expect_contains "due table campaign" "2026 春节 1 2 50.0% 李四" "$flat"
expect_eq "due table has five item rows" 5 "$(grep -cE '^(走访|谈心谈话|帮扶进展|党费) ' <<<"$out")"
# The 事由 column lines up although the member names differ in width.
col() { python3 -c 'import sys,unicodedata as u; s=sys.argv[1]; print(sum(2 if u.east_asian_width(c) in "WF" else 1 for c in s))' "$1"; }
if command -v python3 >/dev/null; then
	l1=$(grep '^走访 ' <<<"$out"); l2=$(grep '^党费 ' <<<"$out")
	expect_eq "due table aligns CJK columns" "$(col "${l1%%困难党员台账*}")" "$(col "${l2%%欠缴党费*}")"
fi
js=$(h a1 due --days 200 --json)
expect_contains "--days 200: no visit owed" '"counts":{"visit":0,' "$js"
printf '\n[due]\nvisit_gap_days = 30\n' >> "$T/home.a1/profile.ini"
js=$(h a1 due --json)
expect_contains "[due] visit_gap_days = 30: 李四 too" '"counts":{"visit":2,' "$js"
expect_contains "the config threshold is reported" '"visit_gap_days":30' "$js"
printf 'dues_months = x\n' >> "$T/home.a1/profile.ini"
out=$(h a1 due 2>&1); rc=$?
expect_eq "a bad threshold exits 2" 2 "$rc"
expect_contains "a bad threshold is named" 'profile.ini [due] dues_months = "x": give a whole number from 1 to 120' "$out"
out=$(HEARTH_TODAY=2026-02-30 h a2 due 2>&1); rc=$?
expect_eq "a bad HEARTH_TODAY exits 2" 2 "$rc"
expect_contains "a bad HEARTH_TODAY is named" 'HEARTH_TODAY "2026-02-30" is not a date that exists' "$out"
out=$(h a2 due --days 0 2>&1); rc=$?
expect_eq "--days 0 exits 2" 2 "$rc"

# ---- hearth report year: the same numbers on both replicas
for r in a1 a2; do
	js=$(h $r report year 2026 --json); rc=$?
	expect_eq "$r: report year --json exits 0" 0 "$rc"
	expect_contains "$r: year and branch" '{"year":2026,"branch":"b001",' "$js"
	expect_contains "$r: members" '"members":{"total":4,"by_category":{"full":3,"probationary":1},"joined":1,"fifty_years":1}' "$js"
	expect_contains "$r: hardship" '"hardship":{"in_ledger":2,"new":2,"closed":0,"by_type":{"living":1,"alone":0,"elderly":1,"frail":0,"ill":1,"disabled":0},"status_at_year_end":{"registered":1,"assisting":1,"resolved":0,"removed":0}}' "$js"
	expect_contains "$r: visits" '"visits":{"count":4,"member_visits":5,"by_occasion":{"spring_festival":1,"july_first":1,"hospital":1,"family_change":0,"hardship":0,"thought":1,"other":0},"cash_fen":110000,"goods_value_fen":20000,"cash_by_fund_source_fen":{"dues":50000,"admin":60000,"union":0,"higher":0,"donation":0,"other":0},"goods_by_fund_source_fen":{"dues":0,"admin":20000,"union":0,"higher":0,"donation":0,"other":0}}' "$js"
	expect_contains "$r: talks" '"talks":{"count":2,"by_trigger":{"hardship":1,"conflict":0,"mistake":0,"problem":0,"promotion":0,"routine":0,"thought":0,"transfer":0,"honor":1}}' "$js"
	expect_contains "$r: pairings" '"pairings":{"active":1,"closed":0,"closed_by_outcome":{"resolved":0,"improved":0,"unchanged":0,"ended":0},"notes":2}' "$js"
	expect_contains "$r: honors" '"honors":{"count":1,"by_title":{"excellent_member":1,"excellent_worker":0,"advanced_org":0,"innovation":0,"other":0},"award_fen":100000}' "$js"
	expect_contains "$r: activities" '"activities":{"count":1,"by_type":{"org_day":0,"pioneer_post":0,"dedication_day":1,"other":0},"participants":12}' "$js"
	expect_contains "$r: disclosures" '"disclosures":{"count":1,"by_category":{"election":0,"decision":0,"development":0,"dues_collection":1,"dues_use":0,"other":0}}' "$js"
	expect_contains "$r: dues" '"dues":{"records":4,"by_status":{"unpaid":2,"partial":0,"paid":1,"exempt":1},"due_fen":2500,"paid_fen":1000,"collection_rate":"40.0%"}' "$js"
	expect_contains "$r: transfers" '"transfers":{"out":0,"in":0},"fifty_years_members":[' "$js"
done
out=$(h a2 report year --year 2026); rc=$?
expect_eq "report year table exits 0" 0 "$rc"
flat=$(tr -s ' ' <<<"$out")
expect_contains "report title" "2026 年度工作统计（支部 b001 第一党支部）" "$flat"
expect_contains "report cash in yuan" "走访慰问 慰问金 1100.00 元" "$flat"
expect_contains "report by occasion" "走访慰问 事由：春节 1" "$flat"
expect_contains "report talks by trigger" "谈心谈话 起因：表彰 1" "$flat"
expect_contains "report dues rate" "党费 收缴率 40.0%" "$flat"
expect_contains "report awards" "表彰激励 奖金 1000.00 元" "$flat"
expect_contains "report lists 光荣在党50年" "Members 50 years or more in the Party by the end of the year (光荣在党50年)" "$flat"
expect_contains "张三, 51 years in the Party" "张三 1975-07-01 51" "$flat"
expect_contains "cash by fund source" "走访慰问 慰问金按经费来源：行政经费 600.00 元" "$flat"
js=$(h a2 report year 2026 --json)
expect_contains "JSON lists 光荣在党50年" "\"fifty_years_members\":[{\"member\":\"$zs\",\"name\":\"张三\",\"join_date\":\"1975-07-01\",\"years\":51}]}" "$js"
js=$(h a2 report year 2024 --json)
expect_contains "in 2024 张三 had 49 years" '"fifty_years":0}' "$js"
out=$(h a2 report year --json)   # the year of HEARTH_TODAY
expect_contains "report year defaults to this year" '{"year":2026,' "$out"
out=$(h a2 report year 2025 --json)
expect_contains "another year is empty" '"visits":{"count":0,' "$out"
out=$(h a2 report year 20x6 2>&1); rc=$?
expect_eq "a bad year exits 2" 2 "$rc"
expect_eq "a bad year is named" 'hearth: report year: "20x6" is not a year (YYYY, 1900 to 2199)' "$out"
out=$(h a2 report month 2>&1); rc=$?
expect_eq "an unknown report exits 2" 2 "$rc"

# ---- the list filters on the same data
ids() { h a1 "$@" --json | grep -o '"id":' | wc -l | tr -d ' '; }
expect_eq "visit list --member 李四 (by name)" 2 "$(ids visit list --member 李四)"
expect_eq "visit list --type 七一" 1 "$(ids visit list --type 七一)"
expect_eq "visit list --from/--to" 2 "$(ids visit list --from 2026-06-01 --to 2026-10-31)"
expect_eq "dues list --status 未缴 --year 2026" 2 "$(ids dues list --status 未缴 --year 2026)"
expect_eq "dues list --from on months" 2 "$(ids dues list --from 2026-07-15)"
expect_eq "hardship list --type 患病 (types)" 1 "$(ids hardship list --type 患病)"
expect_eq "honor list --year (the year field)" 1 "$(ids honor list --year 2026)"
expect_eq "talk list --type 表彰 (trigger)" 1 "$(ids talk list --type 表彰)"
expect_eq "pairing list --member and --status" 1 "$(ids pairing list --member "$ls" --status 帮扶中)"
expect_eq "member list --year (birth date)" 1 "$(ids member list --year 1940)"
out=$(h a1 visit list --type 国庆 2>&1); rc=$?
expect_eq "bad --type exits 2" 2 "$rc"
expect_eq "bad --type message" 'hearth: visit list: --type "国庆" is not one of: spring_festival (春节), july_first (七一), hospital (住院), family_change (家庭变故), hardship (特殊困难), thought (思想波动), other (其他)' "$out"
out=$(h a1 activity list --status x 2>&1); rc=$?
expect_eq "--status on a kind without one exits 2" 2 "$rc"
expect_eq "--status on a kind without one" 'hearth: activity list: --status: activity records have no status field' "$out"
out=$(h a1 visit list --member 无名氏 2>&1); rc=$?
expect_eq "unknown --member exits 2" 2 "$rc"
expect_contains "unknown --member message" 'hearth: visit list: --member "无名氏": no member matches "无名氏"' "$out"
out=$(h a1 visit list --to 2026-13-01 2>&1); rc=$?
expect_eq "bad --to exits 2" 2 "$rc"
expect_eq "bad --to message" 'hearth: visit list: --to "2026-13-01" is not a date that exists (YYYY-MM-DD)' "$out"

finish
