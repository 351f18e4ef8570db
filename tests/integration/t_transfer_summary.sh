#!/bin/bash
# Transfers, the sending side (issue 15 item 5): when a transfer is
# accepted the member, her records and the transfer itself move to the
# receiving branch, and the sending branch keeps a read-only summary (a
# record of kind transfer that the server writes in the same transaction,
# proto TransferSummary). Under zh_CN: the summary reaches every replica of
# the sending branch by the ordinary pull; its `transfer list` and `show`
# name 周明, the date, 第二党支部 and the letter number; `report year` and
# `admin stats` count it as 转出 of b001 while b002 counts 转入; an edit,
# delete or restore is refused by the client in Chinese before anything is
# queued, and by the server (any role) with its own message; a client may
# not forge one; the audit log names the summary on acceptance; neither it
# nor the accepted transfer moves with a later transfer of the member.
# `transfer add` takes --from-branch from the branch it is added in.
. "$(dirname "$0")/lib.sh"

if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	echo "SKIP: the zh_CN.UTF-8 locale is not installed (.ci/deps.sh generates it)"
	exit 77
fi
export LC_ALL=zh_CN.UTF-8 LANGUAGE=
export HEARTH_TODAY=2026-11-27

start_server s
P=$PORT_s
client a1 branch1 "$P"
client a2 branch1 "$P"
client b1 branch2 "$P"
client adm admin "$P"
B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
ADM=(--cert "$CERTS/admin.pem" --key "$CERTS/admin.key" --ca "$CERTS/ca.pem")
json_field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2 | tr -d '"'; }
hexs() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
field() { printf '%02x%02x%s' "$1" "${#2}" "$(hexs "$2")"; }
sync_rc() { h "$1" sync >"$T/sync.$1" 2>&1; echo $?; }
transfers() { h "$1" transfer list --json; }
ids_of() { grep -o '"id":"[^"]*"' | cut -d'"' -f4; }

zm=$(h a1 member add --name 周明 --gender 男 --birth-date 1970-03-02 --join-date 1998-07-01)
h a1 visit add --members "$zm" --occasion 七一 --date 2026-06-28 --status 已走访 >/dev/null
expect_eq "a1 syncs 周明" 0 "$(sync_rc a1)"

# ---- --from-branch defaults to the branch the transfer is added in
tr=$(h a1 transfer add --member 周明 --to-branch 第二党支部 --letter-no 组转〔2026〕17号 \
	--issued-date 2026-09-01 --valid-until 2026-12-01); rc=$?
expect_eq "transfer add without --from-branch succeeds" 0 "$rc"
expect_contains "its from_branch is the caller's branch" '"from_branch":"b001"' "$(h a1 transfer show "$tr" --json)"
expect_contains "help says so" "（默认：添加记录所在的支部）" "$(h a1 transfer add --help 2>&1)"
expect_eq "the transfer syncs" 0 "$(sync_rc a1)"

# ---- acceptance: the sending branch keeps a summary, pulled like any record
h a1 transfer edit "$tr" --status 已接收 --accepted-date 2026-09-05 >/dev/null
expect_eq "a1 syncs the acceptance" 0 "$(sync_rc a1)"
expect_eq "b1 pulls the move" 0 "$(sync_rc b1)"
expect_eq "a2 (another replica of b001) syncs" 0 "$(sync_rc a2)"
for r in a1 a2; do
	expect_not_contains "$r no longer holds the transfer itself" "\"id\":\"$tr\"" "$(transfers $r)"
	expect_eq "$r holds one transfer record, the summary" 1 "$(transfers $r | ids_of | wc -l | tr -d ' ')"
done
sid=$(transfers a1 | ids_of | head -1)
expect_eq "a2 holds the same summary" "$sid" "$(transfers a2 | ids_of | head -1)"
js=$(h a2 transfer show "$sid" --json)
expect_contains "the summary is read-only and names the transfer, the member and the branch" \
	"\"read_only\":true,\"summary\":{\"transfer\":\"$tr\",\"member_name\":\"周明\",\"to_branch_name\":\"第二党支部\"}" "$js"
expect_contains "it keeps the branches, the letter and the dates" \
	'"from_branch":"b001","to_branch":"b002","letter_no":"组转〔2026〕17号","issued_date":"2026-09-01","valid_until":"2026-12-01","status":"accepted","accepted_date":"2026-09-05"' "$js"
list=$(h a2 transfer list)
row=$(echo "$list" | grep 周明)
expect_contains "the list shows a row for 周明" "周明" "$row"
for want in "2026-09-05" "b002 第二党支部" "组转〔2026〕17号" "已转出（只读）"; do
	expect_contains "the row shows $want" "$want" "$row"
done
expect_not_contains "the list does not say there are no records" "没有" "$list"
show=$(h a2 transfer show "$sid")
expect_contains "show names the member" "党员        周明" "$show"
expect_contains "show names the receiving branch" "转入支部    b002 第二党支部" "$show"
expect_contains "show says why it is kept" "转出摘要    只读：转接记录 $tr 被接收、该党员转出后由本支部保留" "$show"
expect_not_contains "b002 receives the transfer, not the summary" "\"id\":\"$sid\"" "$(transfers b1)"
expect_contains "b002 holds the transfer itself" "\"id\":\"$tr\"" "$(transfers b1)"
expect_not_contains "b002's transfer is no summary" '"read_only"' "$(transfers b1)"
expect_not_contains "b001 owes no talk for the member who left" "周明" "$(h a1 due 2>&1)"

# ---- the figures: 转出 1 in b001, 转入 1 in b002, the same in admin stats
for r in a1 a2; do
	expect_contains "$r: report year counts 转出 1, 转入 0" '"transfers":{"out":1,"in":0}' "$(h $r report year 2026 --json)"
done
expect_contains "b1: report year counts 转出 0, 转入 1" '"transfers":{"out":0,"in":1}' "$(h b1 report year 2026 --json)"
expect_eq "the table shows 转出 1" 1 "$(h a1 report year 2026 | grep -cE '^组织关系转接 +转出 +1$')"
expect_eq "and b002's shows 转入 1" 1 "$(h b1 report year 2026 | grep -cE '^组织关系转接 +转入 +1$')"
expect_eq "the admin syncs" 0 "$(sync_rc adm)"
stats=$(h adm admin stats --json --year 2026)
s1=$(echo "$stats" | grep -o '{"branch":"b001"[^}]*}')
s2=$(echo "$stats" | grep -o '{"branch":"b002"[^}]*}')
expect_eq "admin stats: b001 转出 1" 1 "$(echo "$s1" | json_field transfers_out)"
expect_eq "admin stats: b001 转入 0" 0 "$(echo "$s1" | json_field transfers_in)"
expect_eq "admin stats: b002 转出 0" 0 "$(echo "$s2" | json_field transfers_out)"
expect_eq "admin stats: b002 转入 1" 1 "$(echo "$s2" | json_field transfers_in)"
csv=$(h adm admin stats --csv --year 2026)
expect_contains "the stats sheet has 转出 and 转入 columns" "收缴率,转出,转入," "$csv"
expect_contains "over every branch the transfer counts once each way" '"transfers":{"out":1,"in":1}' \
	"$(h adm report year 2026 --json)"
h adm admin report --year 2026 --html "$T/committee.html" >/dev/null 2>&1
expect_contains "the committee report shows the stats columns" "<th>转出</th>" "$(cat "$T/committee.html")"

# ---- read-only: the client refuses in Chinese before queueing anything
msg="hearth: transfer edit: $sid 是本支部保留的组织关系转接只读摘要（周明转入第二党支部，接收日期 2026-09-05），不能修改、删除或恢复"
out=$(h a1 transfer edit "$sid" --letter-no 改号 2>&1); rc=$?
expect_eq "an edit of the summary exits 1" 1 "$rc"
expect_eq "and says why, in Chinese" "$msg" "$out"
out=$(h a1 transfer delete "$sid" 2>&1); rc=$?
expect_eq "a delete of the summary exits 1" 1 "$rc"
expect_eq "and says why" "${msg/transfer edit/transfer delete}" "$out"
out=$(h a1 transfer restore "$sid" 2>&1); rc=$?
expect_eq "a restore of the summary is refused" 2 "$rc"
expect_contains "and says why" "只读摘要" "$out"
expect_contains "nothing was queued" "\"pending\":false" "$(h a1 transfer show "$sid" --json)"
expect_eq "the next sync succeeds" 0 "$(sync_rc a1)"
expect_contains "and has nothing to send" "同步：发送 0 项" "$(cat "$T/sync.a1")"

# ---- and the server refuses any op on it, from the branch and the admin
shex=$(echo "$sid" | tr -d -)
mhex=$(echo "$zm" | tr -d -)
thex=$(echo "$tr" | tr -d -)
body=$(printf '0a10%s' "$mhex"; field 0x12 b001; field 0x1a b002; field 0x22 X-1; field 0x2a 2026-09-01; field 0x32 2026-12-01; printf '3802'; field 0x42 2026-09-05)
want="status=OP_REJECTED code=ERR_FORBIDDEN field=summary message=record $sid is the read-only summary the sending branch keeps of transfer $tr, accepted by branch b002 on 2026-09-05; it cannot be edited, deleted or restored"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --branch b001 --kind 10 --id "$shex" --base-rev 1 \
	--changed 4 --body-field 29 --body-hex "$body" 2>&1)
expect_contains "the server refuses b001's edit" "$want" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --branch b001 --kind 10 --id "$shex" --base-rev 1 --delete 2>&1)
expect_contains "the server refuses b001's delete" "$want" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${ADM[@]}" --branch b001 --kind 10 --id "$shex" --base-rev 1 \
	--changed 4 --body-field 29 --body-hex "$body" 2>&1)
expect_contains "and the admin's edit" "$want" "$out"
forged=$(printf '%s5a120a10%s' "$body" "$thex")
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --branch b001 --kind 10 --body-field 29 --body-hex "$forged" 2>&1)
expect_contains "a client cannot write a summary of its own" \
	"status=OP_REJECTED code=ERR_INVALID field=summary message=record " "$out"
expect_contains "the server says who writes one" \
	"only the server writes a transfer's summary, when the transfer is accepted; send the transfer without it" "$out"
expect_eq "the summary is unchanged on the server" 0 "$(sync_rc a2)"
expect_contains "a2 still holds it as it was" '"rev":1' "$(h a2 transfer show "$sid" --json)"

# ---- the audit log names the summary on acceptance
expect_eq "the admin syncs again" 0 "$(sync_rc adm)"
al=$(h adm audit log --action transfer.summary --json)
expect_contains "an entry transfer.summary is about the summary" "$(echo "$sid" | cut -c1-8)" "$al"
expect_contains "and names the transfer, the member and the branch" \
	"summary of transfer $tr, kept read-only by the sending branch b001: 周明 left for b002 (第二党支部) on 2026-09-05, letter 组转〔2026〕17号" "$al"
acc=$(h adm audit log --record "$tr" --action record.update --json)
expect_contains "the acceptance's own entry names the summary" \
	"accepted; the sending branch b001 keeps the read-only summary $sid" "$acc"
expect_contains "a branch sees its summary's entry too" "summary of transfer $tr" \
	"$(h a1 audit log --action transfer.summary --json)"

# ---- a later transfer back leaves the first summary where it is
tr2=$(h b1 transfer add --member 周明 --to-branch b001 --letter-no 组转〔2026〕30号 --issued-date 2026-10-01 \
	--valid-until 2026-12-31 --status 已接收 --accepted-date 2026-10-08)
expect_eq "b002 sends 周明 back, accepted" 0 "$(sync_rc b1)"
expect_eq "a1 pulls her back" 0 "$(sync_rc a1)"
expect_contains "b001 holds 周明 again" '"branch":"b001"' "$(h a1 member show 周明 --json)"
expect_contains "b001 holds the second transfer" "\"id\":\"$tr2\"" "$(transfers a1)"
expect_contains "and still its summary of the first" "\"id\":\"$sid\"" "$(transfers a1)"
expect_eq "b002 keeps its own summary of the second" 1 "$(transfers b1 | grep -o '"read_only":true' | wc -l | tr -d ' ')"
expect_contains "b001 now counts 转出 1, 转入 1" '"transfers":{"out":1,"in":1}' "$(h a1 report year 2026 --json)"
expect_contains "b002 counts 转出 1, 转入 1" '"transfers":{"out":1,"in":1}' "$(h b1 report year 2026 --json)"
expect_eq "a1 converges (digest)" 0 "$(sync_rc a1)"
expect_eq "b1 converges (digest)" 0 "$(sync_rc b1)"

finish
