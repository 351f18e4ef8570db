#!/bin/bash
# Defaults a secretary expects (issue 15 item 8): a record added without
# its status, form or category takes the usual value; the hardship stat
# year is the year of certification; a yes/no flag takes its value as the
# next word; money is taken as people write it; an activity counts its
# members itself; the help says a visit's 慰问金 is for the whole visit.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a branch1 "$P"
json_field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2 | tr -d '"'; }
field() { h a "$1" show "$2" --json | json_field "$3"; }

# ---- the table of defaults
m=$(h a member add --name 王秀英 --gender 女); rc=$?
expect_eq "member add without category or standing" 0 "$rc"
expect_eq "member category defaults to 正式党员" full "$(field member "$m" category)"
expect_eq "member standing defaults to 正常" normal "$(field member "$m" standing)"
m2=$(h a member add --name 李预备 --category 预备)
expect_eq "a typed category wins" probationary "$(field member "$m2" category)"

hs=$(h a hardship add --member "$m" --types 生活困难 --certified-at 2025-11-20); rc=$?
expect_eq "hardship add without status" 0 "$rc"
expect_eq "hardship status defaults to 在册" registered "$(field hardship "$hs" status)"
expect_eq "hardship 统计年度 is the year of certification" 2025 "$(field hardship "$hs" year)"
expect_contains "show prints it, not 0" "2025" "$(h a hardship show "$hs" | grep 统计年度)"

pa=$(h a pairing add --mode 党员结对 --helper 张三 --member "$m" --start-date 2026-01-01); rc=$?
expect_eq "pairing status defaults to 帮扶中" "0 active" "$rc $(field pairing "$pa" status)"
tr=$(h a transfer add --member "$m2" --from-branch b001 --to-branch b002 --issued-date 2026-05-01 \
	--valid-until 2026-07-31); rc=$?
expect_eq "transfer status defaults to 待接收" "0 pending" "$rc $(field transfer "$tr" status)"
tk=$(h a talk add --trigger 困难 --talker 张三 --members "$m" --date 2026-02-01 --topic 生活情况); rc=$?
expect_eq "talk form defaults to 个别谈话" "0 individual" "$rc $(field talk "$tk" form)"
vi=$(h a visit add --members "$m" --occasion 春节 --date 2026-02-10); rc=$?
expect_eq "visit status defaults to 已走访" "0 done" "$rc $(field visit "$vi" status)"

# ---- yes/no flags take a separate value, as every other flag does
mm=$(h a member add --name 赵流动 --mobile 否 --lost-contact 是); rc=$?
expect_eq "--mobile 否 --lost-contact 是" 0 "$rc"
expect_eq "... mobile is no" "" "$(field member "$mm" mobile)"
expect_eq "... lost_contact is yes" true "$(field member "$mm" lost_contact)"
h a member edit "$mm" --mobile 是 >/dev/null
expect_eq "--mobile 是 on edit" true "$(field member "$mm" mobile)"
h a member edit "$mm" --mobile=no >/dev/null
expect_eq "--mobile=no still works" "" "$(field member "$mm" mobile)"
h a member edit "$mm" --mobile >/dev/null
expect_eq "a bare --mobile is yes" true "$(field member "$mm" mobile)"
out=$(h a member edit "$mm" --mobile 也许 2>&1); rc=$?
expect_eq "--mobile followed by another word" \
	"2 hearth: member edit: unexpected argument \"也许\"; see 'hearth member edit --help'" "$rc $out"

# ---- money as people write it
for pair in "1,000:100000" "1000元:100000" "￥300:30000" "3,500.00:350000"; do
	text=${pair%%:*} fen=${pair##*:}
	v=$(h a visit add --members "$m" --occasion 七一 --date 2026-07-01 --cash "$text" --fund-source 党费); rc=$?
	expect_eq "--cash $text" "0 $fen" "$rc $(field visit "$v" cash)"
done
out=$(h a visit add --members "$m" --occasion 七一 --date 2026-07-01 --cash 1,00 --fund-source 党费 2>&1); rc=$?
expect_eq "--cash 1,00 is refused" \
	'2 hearth: visit add: --cash "1,00": cash "1,00" has a thousands separator in the wrong place (write 1,000 or 1000)' "$rc $out"
out=$(h a visit add --members "$m" --occasion 七一 --date 2026-07-01 --cash abc --fund-source 党费 2>&1); rc=$?
expect_eq "--cash abc is refused" \
	'2 hearth: visit add: --cash "abc": cash "abc" is not an amount in yuan (e.g. 12 or 12.50)' "$rc $out"

# ---- an activity counts its members
ac=$(h a activity add --type 党员奉献日 --date 2026-03-05 --title 学雷锋 --members "$m,$m2,$mm"); rc=$?
expect_eq "activity --members fills 参加人数" "0 3" "$rc $(field activity "$ac" participant_count)"
ac2=$(h a activity add --type 党员奉献日 --date 2026-03-06 --title 义务劳动 --members "$m" --participant-count 12)
expect_eq "a typed 参加人数 wins" 12 "$(field activity "$ac2" participant_count)"
h a activity edit "$ac" --members "$m,$m2" >/dev/null
expect_eq "editing the members keeps a count that still covers them" 3 "$(field activity "$ac" participant_count)"
h a activity edit "$ac2" --members "$m,$m2,$mm" >/dev/null
expect_eq "... and keeps a typed count that covers them" 12 "$(field activity "$ac2" participant_count)"

# ---- the help says what a visit's money is for
expect_contains "慰问金 is for the whole visit" "慰问金 in yuan, up to two decimals (1,000 1000元 ￥300 3,500.00) (for the whole visit, not per person)" \
	"$(h a visit add --help)"
expect_contains "yes/no flags in the help" "--mobile [yes|no]" "$(h a member add --help)"

expect_eq "everything syncs" 0 "$(h a sync >/dev/null 2>&1; echo $?)"
finish
