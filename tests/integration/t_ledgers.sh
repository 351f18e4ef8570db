#!/bin/bash
# A branch's printable ledgers and its year report as A4 HTML (issue 15
# item 11), under zh_CN as a secretary runs them: `hearth report ledger
# hardship|visits|talks|pairings [--year Y] [--html FILE] [--reveal]` shows
# members by name, money in 元, age and 党龄, Chinese headers, and masks the
# sensitive fields unless --reveal, which is audited (one reveal per record
# at the next sync), as is every --html file (an export).
. "$(dirname "$0")/lib.sh"

if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	echo "SKIP: the zh_CN.UTF-8 locale is not installed (.ci/deps.sh generates it)"
	exit 0
fi
zh() { LC_ALL=zh_CN.UTF-8 h "$@"; }

start_server s --audit-key "$CERTS/audit-ed25519.key" --branch b001=第一党支部
P=$PORT_s
client a branch1 "$P"
client adm admin "$P"
export HEARTH_TODAY=2026-11-27
n_entries() { h adm audit log --json --limit 100000 "$@" | grep -o '"seq":' | wc -l | tr -d ' '; }

wx=$(zh a member add --name 王秀英 --gender 女 --birth-date 1940-03-15 --join-date 1965-07-01 --category 正式)
lm=$(zh a member add --name 李明 --gender 男 --birth-date 1980-12-01 --join-date 2005-07-01 --category 正式)
zh a member add --name 周明 --gender 男 --join-date 1990-01-01 --category 正式 --standing 去世 >/dev/null
hx=$(zh a hardship add --member 王秀英 --types 高龄,患病 --level 特别困难 --description 独自生活 \
	--income 800 --household 与老伴同住，无子女 --health 高血压 --certified-by 第一党支部 \
	--certified-at 2026-01-10 --status 帮扶中)
zh a hardship add --member 李明 --types 生活困难 --certified-at 2024-03-01 --status 脱困 \
	--closed-date 2025-06-30 >/dev/null
zh a visit add --members 王秀英,李明 --occasion 春节 --date 2026-02-05 --visitors 书记,委员 --cash 1,000 \
	--goods 米面油 --goods-value 200 --fund-source 党费 >/dev/null
zh a visit add --members 王秀英 --occasion 七一 --date 2026-06-28 --cash 500 --fund-source 上级下拨 >/dev/null
zh a visit add --members 李明 --occasion 住院 --date 2026-12-20 --status 计划 --cash 300 --fund-source 党费 >/dev/null
zh a visit add --members 李明 --occasion 住院 --date 2025-12-20 --cash 300 --fund-source 党费 >/dev/null
tk=$(zh a talk add --trigger 困难 --talker 书记 --members 王秀英 --date 2026-01-20 --topic 生活情况 \
	--content 谈及子女赡养纠纷 --place 家中)
pr=$(zh a pairing add --mode 党员结对 --helper 李明 --member 王秀英 --start-date 2026-03-05 --goal 每月上门两次)
zh a pairing note "$pr" --date 2026-04-01 --note 送医陪护 >/dev/null
expect_eq "the records sync" 0 "$(h a sync >/dev/null 2>&1; echo $?)"
reveals_before=$(n_entries --action reveal)

# ---- 困难党员台账 on the terminal: masked, names, age and 党龄
out=$(zh a report ledger hardship --year 2026); rc=$?
flat=$(tr -s ' ' <<<"$out")
expect_eq "hardship ledger exits 0" 0 "$rc"
expect_contains "the title" "困难党员台账（2026年度）" "$flat"
expect_contains "Chinese headers" "序号 姓名 性别 年龄 党龄 困难类型 困难程度 困难情况 家庭人均月收入（元） 家庭状况 健康状况 认定人 认定日期 状态 备注" "$flat"
expect_contains "王秀英 by name, age 86, 党龄 61, income masked" "1 王秀英 女 86 61 高龄、患病 特别困难 独自生活 *** " "$flat"
expect_not_contains "the household is masked" "与老伴同住" "$out"
expect_not_contains "the health is masked" "高血压" "$out"
expect_not_contains "no id in the ledger" "$wx" "$out"
expect_not_contains "李明's entry closed in 2025 is not in 2026's ledger" "李明" "$out"
out=$(zh a report ledger hardship --year 2025)
expect_contains "李明 was in 2025's ledger, 党龄 21" "李明 男 45 21 生活困难" "$(tr -s ' ' <<<"$out")"
expect_eq "a masked ledger reveals nothing" "$reveals_before" "$(h a sync >/dev/null 2>&1; n_entries --action reveal)"

# ---- --reveal: in clear, and audited once per record at the next sync
out=$(zh a report ledger hardship --reveal 2>"$T/rev.err")
expect_contains "--reveal shows the income in 元" "800.00 与老伴同住，无子女 高血压" "$(tr -s ' ' <<<"$out")"
expect_eq "--reveal says it is recorded" "hearth: 已显示 1 条记录的敏感字段（将在下次同步时记入审计日志）" "$(cat "$T/rev.err")"
expect_eq "nothing reported before the sync" 0 "$(n_entries --record "$hx" --action reveal)"
h a sync >/dev/null 2>&1
expect_eq "one reveal entry for the entry" 1 "$(n_entries --record "$hx" --action reveal)"
expect_contains "the entry names the ledger" "report ledger hardship --reveal" "$(h adm audit log --json --record "$hx" --action reveal)"

# ---- 走访慰问登记表 as A4 HTML: names, 元, totals without the planned visit
out=$(zh a report ledger visits --html "$T/visits.html"); rc=$?
expect_eq "visits --html exits 0" 0 "$rc"
expect_eq "visits --html says what it wrote" "已写入 $T/visits.html：走访慰问登记表，2026 年度，3 条记录（将在下次同步时记入审计日志）" "$out"
html=$(cat "$T/visits.html")
expect_contains "A4 landscape page" "@page{size:A4 landscape;" "$html"
expect_contains "the headers" "<th>走访日期</th><th>走访对象</th><th>慰问事由</th><th>走访人</th><th>慰问金（元）</th>" "$html"
expect_contains "names, not ids, and money in 元" "<td>2026-02-05</td><td>王秀英、李明</td><td>春节</td><td>书记、委员</td><td>1000.00</td><td>米面油</td><td>200.00</td><td>党费</td><td>已走访</td>" "$html"
expect_contains "the planned visit is listed" "<td>2026-12-20</td><td>李明</td><td>住院</td>" "$html"
expect_contains "totals leave the planned visit out" "<td>合计</td><td>2 次</td><td>（不含计划、已取消）</td><td></td><td></td><td>1500.00</td><td></td><td>200.00</td>" "$html"
expect_contains "the branch and the date" "党支部：第一党支部（b001）</span><span>制表日期：2026-11-27" "$html"
expect_not_contains "no script in the file" "<script" "$html"
exports_before=$(n_entries --action export)
h a sync >/dev/null 2>&1
expect_eq "the HTML file is an audited export" $((exports_before + 1)) "$(n_entries --action export)"

# ---- 谈心谈话记录: content masked unless revealed
out=$(zh a report ledger talks --html "$T/talks.html")
html=$(cat "$T/talks.html")
expect_contains "talks: form default, trigger, name" "<td>2026-01-20</td><td>个别谈话</td><td>困难</td><td>书记</td><td>王秀英</td><td>家中</td><td>生活情况</td>" "$html"
expect_not_contains "talks: the content is masked" "谈及子女赡养纠纷" "$html"
expect_contains "talks: the file says it is masked" "敏感信息已遮蔽" "$html"
zh a report ledger 谈心谈话记录 --reveal --html "$T/talks2.html" >/dev/null 2>&1
expect_contains "talks --reveal: the content in clear" "<td>谈及子女赡养纠纷</td>" "$(cat "$T/talks2.html")"
h a sync >/dev/null 2>&1
expect_eq "talks --reveal is audited" 1 "$(n_entries --record "$tk" --action reveal)"

# ---- 结对帮扶情况
out=$(zh a report ledger pairings --html "$T/pairings.html")
expect_contains "pairings: helper, member by name, notes" "<td>党员结对</td><td>李明</td><td>王秀英</td><td></td><td>每月上门两次</td><td></td><td>2026-03-05</td><td></td><td>帮扶中</td><td></td><td>2026-04-01 送医陪护</td>" "$(cat "$T/pairings.html")"

# ---- the year report as A4 HTML
out=$(zh a report year 2026 --html "$T/year.html"); rc=$?
expect_eq "year --html exits 0" 0 "$rc"
html=$(cat "$T/year.html")
expect_contains "year: A4 portrait" "@page{size:A4;" "$html"
expect_contains "year: title" "<h1>2026年度党支部工作统计</h1>" "$html"
expect_contains "year: cash by fund source" "<td>慰问金按经费来源：党费</td><td class=\"n\">1000.00 元</td>" "$html"
expect_contains "year: higher-level funds" "<td>慰问金按经费来源：上级下拨</td><td class=\"n\">500.00 元</td>" "$html"
expect_contains "year: 光荣在党50年 by name" "<td>王秀英</td><td>1965-07-01</td><td class=\"n\">61 年</td>" "$html"
expect_not_contains "year: the deceased are not listed" "周明" "$html"

# ---- member list and hardship list: 年龄 and 党龄, counted to today
out=$(zh a member list)
flat=$(tr -s ' ' <<<"$out")
expect_contains "member list has 年龄 and 党龄" "姓名 性别 类别 入党日期 党籍状态 联系电话 年龄 党龄" "$flat"
expect_contains "王秀英 is 86, 61 years in the Party" "王秀英 女 正式党员 1965-07-01 正常 86 61" "$flat"
expect_contains "李明 is 45, 21 years in the Party" "李明 男 正式党员 2005-07-01 正常 45 21" "$flat"
out=$(HEARTH_TODAY=2026-03-14 zh a member list)
expect_contains "the day before her birthday she is 85" "王秀英 女 正式党员 1965-07-01 正常 85 60" "$(tr -s ' ' <<<"$out")"
out=$(zh a hardship list)
expect_contains "hardship list: the member's age and 党龄" "王秀英 高龄,患病 特别困难 2026-01-10 2026 帮扶中 86 61" "$(tr -s ' ' <<<"$out" | sed 's/、/,/g')"

# ---- bad input, word for word
out=$(zh a report ledger 2>&1); rc=$?
expect_eq "no ledger named exits 2" 2 "$rc"
expect_eq "no ledger named" "hearth: report ledger：哪一种台账？hardship（困难党员台账）、visits（走访慰问登记表）、talks（谈心谈话记录）或 pairings（结对帮扶情况）" "$out"
out=$(zh a report ledger members 2>&1); rc=$?
expect_eq "an unknown ledger exits 2" 2 "$rc"
expect_eq "an unknown ledger" "hearth: report ledger：没有“members”这种台账；请选择 hardship、visits、talks 或 pairings" "$out"
out=$(zh a report ledger visits --year 26 2>&1)
expect_eq "a bad year" "hearth: report ledger：“26”不是年份（YYYY，1900 至 2199）" "$out"
out=$(zh a report year --json --html x.html 2>&1); rc=$?
expect_eq "--json with --html exits 2" 2 "$rc"
expect_eq "--json with --html" "hearth: report year：--json 和 --html 只能选一个" "$out"
out=$(zh a report ledger visits --html "$T/no/such/dir/v.html" 2>&1); rc=$?
expect_eq "an unwritable file exits 1" 1 "$rc"
expect_contains "an unwritable file is named" "无法创建 $T/no/such/dir/v.html." "$out"

finish
