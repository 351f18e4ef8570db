#!/bin/bash
# The care and assistance kinds over real sync: every kind added on one
# replica reaches the other replica of its branch; different-field edits
# merge and same-field edits conflict; the server refuses unresolved member
# references and duplicates (dues per member-month, open hardship entries)
# with exact messages and stores nothing; an accepted transfer moves the
# member and their own records to the receiving branch.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"     # two offices of branch b001
client a2 branch1 "$P"
client b1 branch2 "$P"     # branch b002
client adm admin "$P"
sync_rc() { h "$1" sync >"$T/sync.$1" 2>&1; echo $?; }
sync_out() { cat "$T/sync.$1"; }
json_field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2 | tr -d '"'; }
seen() { h "$1" "$2" show "$3" --json >/dev/null 2>&1 && echo yes || echo no; }

# ---- members of b001 and b002
m1=$(h a1 member add --name 张大爷 --gender 男 --join-date 1970-07-01 --category 正式)
m2=$(h a1 member add --name 李奶奶 --gender 女 --category 正式)
mb=$(h b1 member add --name 王同志 --gender 男)
expect_eq "a1 syncs its members" 0 "$(sync_rc a1)"
expect_eq "b1 syncs its member" 0 "$(sync_rc b1)"

# ---- one record of every kind, on a1
hs=$(h a1 hardship add --member "$m1" --types "患病，独居" --level 特别困难 --income 800.50 \
	--health 糖尿病 --certified-at 2026-01-05 --year 2026 --status 在册)
expect_eq "hardship add" 36 "${#hs}"
vi=$(h a1 visit add --members "$m1,$m2" --occasion 春节 --date 2026-02-10 --visitors "李书记，王委员" \
	--cash 500 --goods 米面油 --goods-value 200 --fund-source 党费 --status done)
expect_eq "visit add" 36 "${#vi}"
v1=$(h a1 visit add --members "$m1" --occasion hospital --date 2026-03-02 --cash-fen 30000 \
	--fund-source admin)
expect_eq "single-member visit add" 36 "${#v1}"
tk=$(h a1 talk add --form 个别 --trigger 困难 --talker 李书记 --members "$m1" --date 2026-02-11 \
	--topic 生活情况 --content "谈了家里的困难")
expect_eq "talk add" 36 "${#tk}"
pa=$(h a1 pairing add --mode 党员结对 --helper 王五 --member "$m1" --start-date 2026-03-01 --status active)
expect_eq "pairing add" 36 "${#pa}"
out=$(h a1 pairing note "$pa" --date 2026-03-15 --note 上门送药 --by 王五); rc=$?
expect_eq "pairing note exit" 0 "$rc"
expect_eq "pairing note output" "noted $pa" "$out"
out=$(h a1 pairing note "$pa" --date 2026-02-01 --note 太早 2>&1); rc=$?
expect_eq "a note before the start is refused (exit 2)" 2 "$rc"
expect_eq "a note before the start: message" \
	"hearth: pairing note: notes[2].date 2026-02-01 is before start_date 2026-03-01" "$out"
ho=$(h a1 honor add --year 2025 --title 优秀共产党员 --member "$m2" --award 1000 --status awarded)
expect_eq "honor add" 36 "${#ho}"
ac=$(h a1 activity add --type org-day --date 2026-04-15 --title 学习党章 --members "$m1,$m2" \
	--participant-count 12)
expect_eq "activity add" 36 "${#ac}"
di=$(h a1 disclosure add --category 党费收缴 --title 一季度党费收缴 --content "应缴12人，实缴12人" \
	--from-date 2026-04-01 --to-date 2026-04-30 --channel board)
expect_eq "disclosure add" 36 "${#di}"
du=$(h a1 dues add --member "$m1" --month 2026-03 --base-income 5000 --rate 0.5% --due 25 --paid 25 \
	--paid-date 2026-03-20 --method wechat --status paid)
expect_eq "dues add" 36 "${#du}"

# client-side refusals name the flag and the rule, and store nothing
out=$(h a1 dues add --member "$m1" --month 2026-04 --base-income 5000 --rate 0.5 --due 20 --status unpaid 2>&1); rc=$?
expect_eq "wrong due exits 2" 2 "$rc"
expect_eq "wrong due message" \
	'hearth: dues add: --due "20": due 20.00 yuan differs from the 25.00 yuan the rules give (base_income x rate: 5000.00 yuan x 0.5%); give the reason in due_reason (调整原因) to override' "$out"
out=$(h a1 transfer add --member "$m1" --from-branch b001 --to-branch b001 --issued-date 2026-05-01 \
	--valid-until 2026-07-31 --status pending 2>&1); rc=$?
expect_eq "transfer to the same branch exits 2" 2 "$rc"
expect_eq "transfer to the same branch message" \
	'hearth: transfer add: --to-branch "b001": to_branch b001 is the same as from_branch' "$out"

# sensitive values are masked unless revealed
out=$(h a1 hardship show "$hs")
expect_contains "income masked" "家庭人均月收入  ***" "$out"
expect_not_contains "health masked" "糖尿病" "$out"
out=$(h a1 hardship show "$hs" --reveal 2>/dev/null)
expect_contains "income revealed in yuan" "800.50" "$out"
expect_not_contains "talk content masked in listings" "谈了家里的困难" "$(h a1 talk list --csv)"

expect_eq "a1 pushes every kind" 0 "$(sync_rc a1)"
expect_contains "all applied (nine records, one with a note)" "applied 10," "$(sync_out a1)"
expect_eq "a2 pulls" 0 "$(sync_rc a2)"
for pair in "hardship $hs" "visit $vi" "visit $v1" "talk $tk" "pairing $pa" "honor $ho" \
	"activity $ac" "disclosure $di" "dues $du"; do
	set -- $pair
	expect_eq "a2 sees the $1" yes "$(seen a2 "$1" "$2")"
	expect_eq "b1 does not see b001's $1" no "$(seen b1 "$1" "$2")"
done
js=$(h a2 pairing show "$pa" --json)
expect_contains "the note synced" '"notes":[{"date":"2026-03-15","note":"上门送药","by":"王五"}]' "$js"
js=$(h a2 visit show "$vi" --json)
expect_contains "visit cash in fen" '"cash":50000' "$js"
expect_contains "visit visitors" '"visitors":["李书记","王委员"]' "$js"
expect_contains "dues due computed" '"due":2500' "$(h a2 dues show "$du" --json)"

# ---- different fields merge, the same field conflicts
h a1 visit edit "$vi" --notes 老人身体尚好 >/dev/null
h a2 visit edit "$vi" --cash 600 >/dev/null
expect_eq "a1 pushes the visit note" 0 "$(sync_rc a1)"
expect_eq "a2's cash edit merges" 0 "$(sync_rc a2)"
expect_contains "merged" "merged 1," "$(sync_out a2)"
h a1 sync >/dev/null
for r in a1 a2; do
	js=$(h $r visit show "$vi" --json)
	expect_contains "$r has the note" '老人身体尚好' "$js"
	expect_contains "$r has the cash" '"cash":60000' "$js"
done
h a1 hardship edit "$hs" --level 一般困难 >/dev/null
h a2 hardship edit "$hs" --level 比较困难 >/dev/null
h a1 sync >/dev/null
expect_eq "same field: a2's sync reports a conflict (exit 4)" 4 "$(sync_rc a2)"
expect_contains "exactly one conflict" "conflicts 1," "$(sync_out a2)"
c2=$(h a2 conflicts --json)
expect_contains "the conflict names the level" '"field":"level"' "$c2"
cid=$(echo "$c2" | json_field id)
h a2 resolve "$cid" --keep theirs >/dev/null 2>&1
expect_eq "a2 syncs after resolving" 0 "$(sync_rc a2)"
expect_eq "a1 syncs" 0 "$(sync_rc a1)"

# ---- refusals: the client checks what its replica can tell (exit 2,
# nothing queued); the server checks again and refuses what only it can see.
expect_eq "admin pulls every branch" 0 "$(sync_rc adm)"
out=$(h adm visit add --branch b001 --members "$mb" --occasion 七一 --date 2026-07-01 2>&1); rc=$?
expect_eq "a b001 visit for a b002 member is refused locally (exit 2)" 2 "$rc"
expect_contains "local refusal names the field and the rule" \
	"hearth: visit add: members $mb: no such member in branch b001" "$out"
# A member deleted on one replica while another, not yet synced, visits them.
gone=$(h a1 member add --name 已故党员 --gender 男)
h a1 sync >/dev/null; h a2 sync >/dev/null
h a1 member delete "$gone" >/dev/null; h a1 sync >/dev/null
bad=$(h a2 visit add --members "$gone" --occasion 住院 --date 2026-07-02)
expect_eq "a2 still sees the member and adds the visit offline" 36 "${#bad}"
expect_eq "the push is refused by the server (exit 1)" 1 "$(sync_rc a2)"
expect_contains "server refusal names the field and the rule" \
	"record $bad: members $gone: no such member in branch b001 (field members)" "$(sync_out a2)"
expect_eq "the refused visit is kept on a2, marked rejected" yes "$(seen a2 visit "$bad")"
h a2 rejected discard "$bad" >/dev/null
expect_eq "the refused visit is gone from a2 once discarded" no "$(seen a2 visit "$bad")"
h a1 sync >/dev/null
expect_eq "a1 never sees it" no "$(seen a1 visit "$bad")"

d1=$(h a1 dues add --member "$m2" --month 2026-04 --due 20 --status unpaid)
d2=$(h a2 dues add --member "$m2" --month 2026-04 --due 20 --status unpaid)
expect_eq "first dues for the member-month" 0 "$(sync_rc a1)"
expect_eq "second dues for the member-month is refused" 1 "$(sync_rc a2)"
expect_contains "dues refusal" \
	"record $d2: dues for member $m2 in 2026-04 already exist (record $d1) (field month)" "$(sync_out a2)"
expect_eq "a2 keeps both, the second marked rejected" "yes yes" "$(seen a2 dues "$d1") $(seen a2 dues "$d2")"
h a2 rejected discard "$d2" >/dev/null
expect_eq "a2 keeps only the first once the second is discarded" "yes no" "$(seen a2 dues "$d1") $(seen a2 dues "$d2")"

out=$(h a2 hardship add --member "$m1" --types 高龄 --status 帮扶中 2>&1); rc=$?
expect_eq "a second open hardship entry is refused locally (exit 2)" 2 "$rc"
expect_contains "local hardship refusal" \
	"member $m1 already has an open hardship entry (record $hs); close it (脱困 or 移出) before opening another" "$out"
# Two offices open an entry for the same member before either syncs.
m4=$(h a1 member add --name 赵大爷 --gender 男)
h a1 sync >/dev/null; h a2 sync >/dev/null
h4a=$(h a1 hardship add --member "$m4" --types 高龄 --status 在册)
h2=$(h a2 hardship add --member "$m4" --types 独居 --status 在册)
expect_eq "the first office's entry is accepted" 0 "$(sync_rc a1)"
expect_eq "the second open hardship entry is refused by the server" 1 "$(sync_rc a2)"
expect_contains "hardship refusal" \
	"record $h2: member $m4 already has an open hardship entry (record $h4a); close it (脱困 or 移出) before opening another (field status)" \
	"$(sync_out a2)"
expect_eq "the refused entry is kept, marked rejected" yes "$(seen a2 hardship "$h2")"
h a2 rejected discard "$h2" >/dev/null
expect_eq "the refused entry is gone once discarded" no "$(seen a2 hardship "$h2")"
h a1 sync >/dev/null
expect_eq "a1 never sees it" no "$(seen a1 hardship "$h2")"
# Closing the entry releases the member: a new one is accepted.
h a1 hardship edit "$hs" --status 脱困 --closed-date 2026-04-30 >/dev/null
h3=$(h a1 hardship add --member "$m1" --types 高龄 --status 在册)
expect_eq "after closing, a new entry is accepted" 0 "$(sync_rc a1)"
expect_contains "both applied" "applied 2," "$(sync_out a1)"
# Deleting dues releases the member-month.
h a1 dues delete "$d1" >/dev/null
d3=$(h a1 dues add --member "$m2" --month 2026-04 --due 20 --status unpaid)
expect_eq "after deleting, the month is free again" 0 "$(sync_rc a1)"

# ---- transfer: accepted, the member and their own records move to b002
tr=$(h a1 transfer add --member "$m1" --from-branch b001 --to-branch b002 --letter-no 2026-001 \
	--issued-date 2026-05-01 --valid-until 2026-07-31 --status 待接收)
expect_eq "transfer opened" 0 "$(sync_rc a1)"
expect_eq "b1 syncs" 0 "$(sync_rc b1)"
expect_eq "before acceptance b002 does not see the member" no "$(seen b1 member "$m1")"
h a1 transfer edit "$tr" --status 已接收 --accepted-date 2026-05-10 >/dev/null
expect_eq "acceptance syncs" 0 "$(sync_rc a1)"
expect_eq "b1 pulls the move" 0 "$(sync_rc b1)"
for pair in "member $m1" "hardship $hs" "hardship $h3" "visit $v1" "talk $tk" "pairing $pa" \
	"dues $du" "transfer $tr"; do
	set -- $pair
	expect_eq "b002 now sees the $1" yes "$(seen b1 "$1" "$2")"
done
expect_contains "the member's branch is b002" '"branch":"b002"' "$(h b1 member show "$m1" --json)"
expect_eq "a2 pulls the move" 0 "$(sync_rc a2)"
for r in a1 a2; do
	for pair in "member $m1" "hardship $hs" "visit $v1" "talk $tk" "pairing $pa" "dues $du" \
		"transfer $tr"; do
		set -- $pair
		expect_eq "$r no longer sees the $1" no "$(seen $r "$1" "$2")"
	done
	expect_eq "$r keeps the group visit" yes "$(seen $r visit "$vi")"
	expect_eq "$r keeps the activity" yes "$(seen $r activity "$ac")"
	expect_eq "$r keeps m2's honor" yes "$(seen $r honor "$ho")"
done
out=$(h a1 member show "$m1" 2>&1); rc=$?
expect_eq "member show on the sender fails (exit 2)" 2 "$rc"
expect_contains "member show on the sender says not found" "no record matches" "$out"
# Both replicas of each branch agree with the server (the sync's digest check).
expect_eq "a1 converges" 0 "$(sync_rc a1)"
expect_not_contains "a1 digest matches" "differs" "$(sync_out a1)"
expect_eq "b1 converges" 0 "$(sync_rc b1)"
expect_not_contains "b1 digest matches" "differs" "$(sync_out b1)"
# The receiving branch owns the record now; the sending branch cannot edit it.
out=$(h b1 hardship edit "$h3" --level 一般困难 2>&1)
expect_eq "b002 edits the moved entry" 0 "$(sync_rc b1)"

finish
