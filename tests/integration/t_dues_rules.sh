#!/bin/bash
# Dues by the rules (issue 15 item 3): the due is computed from the
# member's dues group and income by the official table (common/dues_rate.h),
# the rate is typed and shown as a percentage, a due that departs from the
# table needs a reason, a lower due of a member in the hardship ledger needs
# the branch's decision and the committee's approval; the server applies
# the same rule (a hand-built push is refused with the same words) and still
# takes records of older clients that carry no dues group.  Item 4:
# `dues month` creates a month for every active member and lists those who
# lack a group or income; it and a prepayment (`dues add --months`) are
# idempotent; `due` names members with no dues record for past months.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a branch1 "$P"
B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
json_field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2 | tr -d '"'; }
due_of() { local v; v=$(h a dues show "$1" --json | json_field due); echo "${v:-0}"; }
rate_of() { h a dues show "$1" --json | json_field rate; }

# ---- members with a dues group (党费类别) and income (党费基数)
w=$(h a member add --name 张在职 --dues-group 在职 --dues-income 6,000)
r=$(h a member add --name 李退休 --dues-group 离退休 --dues-income 5000.01)
s=$(h a member add --name 王学生 --dues-group 学生)
f=$(h a member add --name 赵农民 --dues-group 农民)
e3=$(h a member add --name 孙三千 --dues-group 在职 --dues-income 3000)
e3b=$(h a member add --name 周三千零一分 --dues-group 在职 --dues-income 3000.01)
n=$(h a member add --name 吴无类别)
expect_contains "the member shows its dues group" '"dues_group":"employed"' "$(h a member show "$w" --json)"

# ---- the due is computed when --due is omitted
d1=$(h a dues add --member "$w" --month 2026-01 --status unpaid); rc=$?
expect_eq "dues add without --due exits 0" 0 "$rc"
expect_eq "6,000 yuan in service: 1.5%" 150 "$(rate_of "$d1")"
expect_eq "6,000 yuan in service: 90.00 yuan" 9000 "$(due_of "$d1")"
expect_contains "show prints the rate as a percentage" "1.5%" "$(h a dues show "$d1")"
expect_contains "show names the group" "在职" "$(h a dues show "$d1")"
expect_eq "retired on 5,000.01: 1%, 50.00 yuan" "100 5000" \
	"$(x=$(h a dues add --member "$r" --month 2026-01 --status unpaid); echo "$(rate_of "$x") $(due_of "$x")")"
expect_eq "3,000.00 exactly is 0.5%: 15.00 yuan" "50 1500" \
	"$(x=$(h a dues add --member "$e3" --month 2026-01 --status unpaid); echo "$(rate_of "$x") $(due_of "$x")")"
expect_eq "3,000.01 is 1%: 30.00 yuan" "100 3000" \
	"$(x=$(h a dues add --member "$e3b" --month 2026-01 --status unpaid); echo "$(rate_of "$x") $(due_of "$x")")"
expect_eq "a student pays 0.20 yuan" 20 \
	"$(x=$(h a dues add --member "$s" --month 2026-01 --status unpaid); due_of "$x")"
expect_eq "a farmer pays 0.20 yuan by default" 20 \
	"$(x=$(h a dues add --member "$f" --month 2026-01 --status unpaid); due_of "$x")"
expect_eq "a farmer may pay up to 1 yuan" 0 \
	"$(h a dues add --member "$f" --month 2026-02 --due 0.5 --status unpaid >/dev/null; echo $?)"

# ---- the case of the issue: income and rate typed, --due omitted
x=$(h a dues add --member "$n" --month 2026-01 --base-income 6000 --rate 1.5 --status unpaid); rc=$?
expect_eq "--base-income 6000 --rate 1.5 without --due exits 0" 0 "$rc"
expect_eq "... and the due is 90.00 yuan" 9000 "$(due_of "$x")"
x=$(h a dues add --member "$n" --month 2026-02 --base-income 6000 --rate 1.5% --status unpaid); rc=$?
expect_eq "--rate 1.5% is the same" "0 150 9000" "$rc $(rate_of "$x") $(due_of "$x")"
out=$(h a dues add --member "$n" --month 2026-03 --base-income 6000 --rate 150 --status unpaid 2>&1); rc=$?
expect_eq "--rate 150 (basis points) is refused" 2 "$rc"
expect_eq "--rate 150 message" \
	'hearth: dues add: --rate "150": rate "150" is more than 100%; the rate is a percentage (1.5% is written 1.5 or 1.5%)' "$out"

# ---- departing from the table needs a reason
out=$(h a dues add --member "$w" --month 2026-02 --due 80 --status unpaid 2>&1); rc=$?
expect_eq "a due other than the table's exits 2" 2 "$rc"
expect_eq "the refusal names both amounts" \
	'hearth: dues add: --due "80": due 80.00 yuan differs from the 90.00 yuan the rules give (在职, 6000.00 yuan x 1.5%); give the reason in due_reason (调整原因) to override' "$out"
x=$(h a dues add --member "$w" --month 2026-02 --due 80 --due-reason 经支委会核定收入有误 --status unpaid); rc=$?
expect_eq "with a reason it is taken" "0 8000" "$rc $(due_of "$x")"
expect_contains "the reason is kept" '"due_reason":"经支委会核定收入有误"' "$(h a dues show "$x" --json)"
out=$(h a dues add --member "$w" --month 2026-03 --rate 1 --status unpaid 2>&1); rc=$?
expect_eq "a rate other than the table's" "2 hearth: dues add: --rate \"1\": rate 1% is not the 1.5% the table gives for 在职 on 6000.00 yuan; give the reason in due_reason (调整原因) to depart from it" "$rc $out"
out=$(h a dues add --member "$f" --month 2026-03 --due 2 --status unpaid 2>&1); rc=$?
expect_eq "a farmer's due above 1 yuan" "2 hearth: dues add: --due \"2\": due 2.00 yuan is outside the 0.20 yuan to 1.00 yuan a farmer (农民) pays a month; give the reason in due_reason (调整原因) to override" "$rc $out"
expect_eq "edit to a new income recomputes" 0 "$(h a dues edit "$d1" --base-income 12000 >/dev/null; echo $?)"
expect_eq "... 2% of 12,000: 240.00 yuan" "200 24000" "$(rate_of "$d1") $(due_of "$d1")"

# ---- a member in the hardship ledger pays less only as decided and approved
hm=$(h a member add --name 钱困难 --dues-group 在职 --dues-income 4000)
h a hardship add --member "$hm" --types 生活困难 --certified-at 2026-01-05 >/dev/null
out=$(h a dues add --member "$hm" --month 2026-01 --due 10 --due-reason 困难 --status unpaid 2>&1); rc=$?
expect_eq "a lower due in hardship needs the decision and approval" \
	"2 hearth: dues add: this member is in the hardship ledger (困难党员台账): lower or no dues need the branch's decision and the committee's approval; give relief_decision (支部决定) and relief_approval (党委批准)" "$rc $out"
out=$(h a dues add --member "$hm" --month 2026-01 --status exempt 2>&1); rc=$?
expect_eq "免缴 in hardship needs them too" 2 "$rc"
out=$(h a dues add --member "$hm" --month 2026-01 --due 0 --status exempt --relief-decision "2026-01-08 支委会决定免交" 2>&1); rc=$?
expect_eq "a decision without the approval" \
	'2 hearth: dues add: relief_approval (党委批准) is required with relief_decision (支部决定): lower dues need the committee'"'"'s approval' "$rc $out"
x=$(h a dues add --member "$hm" --month 2026-01 --due 0 --status exempt --relief-decision "2026-01-08 支委会决定免交" \
	--relief-approval "2026-01-12 党委批准"); rc=$?
expect_eq "with both it is taken" "0 0" "$rc $(due_of "$x")"
expect_eq "the member pays the table's due in another month without them" 0 \
	"$(h a dues add --member "$hm" --month 2026-02 --status unpaid >/dev/null; echo $?)"

expect_eq "everything syncs: the server takes what the client took" 0 "$(h a sync >/dev/null 2>&1; echo $?)"

# ---- the server applies the same rule to a hand-built push
mhex=$(echo "$w" | tr -d -)
# Dues{member=1, month=2 "2026-06", base_income=3 600000, due=5 8000, status=9 unpaid, dues_group=11 在职}
body=$(python3 -c '
import sys
def v(n):
    out=b""
    while True:
        b=n&0x7f; n>>=7
        if n: out+=bytes([b|0x80])
        else: return out+bytes([b])
def f(num,wt,payload): return v(num<<3|wt)+payload
m=bytes.fromhex(sys.argv[1])
b=f(1,2,v(16)+m)+f(2,2,v(7)+b"2026-06")+f(3,0,v(600000))+f(5,0,v(int(sys.argv[2])))+f(9,0,v(1))
if sys.argv[3]=="1": b+=f(11,0,v(1))
print(b.hex())' "$mhex" 8000 1)
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --branch b001 --kind 9 --body-field 28 --body-hex "$body")
expect_contains "the server refuses a due off the table" "status=OP_REJECTED code=ERR_INVALID field=due message=record " "$out"
expect_contains "... in the words the client uses" \
	": due 80.00 yuan differs from the 90.00 yuan the rules give (在职, 6000.00 yuan x 1.5%); give the reason in due_reason (调整原因) to override" "$out"
# An older client's record: no dues group, no rate; a fixed due as before.
body=$(python3 -c '
import sys
def v(n):
    out=b""
    while True:
        b=n&0x7f; n>>=7
        if n: out+=bytes([b|0x80])
        else: return out+bytes([b])
def f(num,wt,payload): return v(num<<3|wt)+payload
m=bytes.fromhex(sys.argv[1])
print((f(1,2,v(16)+m)+f(2,2,v(7)+b"2026-07")+f(5,0,v(20))+f(9,0,v(1))).hex())' "$mhex")
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --branch b001 --kind 9 --body-field 28 --body-hex "$body")
expect_contains "the server takes an older client's record without the new fields" "status=OP_APPLIED" "$out"

# ---- item 4: a month's dues in one step, idempotent (a second branch: b002)
client b branch2 "$P"
bw=$(h b member add --name 郑在职 --dues-group 在职 --dues-income 4000 --join-date 2000-07-01)
bs=$(h b member add --name 冯学生 --dues-group 学生 --join-date 2025-11-01)
bn=$(h b member add --name 陈缺类别 --join-date 2001-07-01)
bi=$(h b member add --name 褚缺收入 --dues-group 离退休 --join-date 2002-07-01)
bl=$(h b member add --name 卫后入党 --dues-group 学生 --join-date 2026-10-01)
bd=$(h b member add --name 蒋去世 --dues-group 学生 --standing 去世 --join-date 1950-07-01)
out=$(h b dues month 2026-09); rc=$?
expect_eq "dues month exits 0" 0 "$rc"
expect_contains "it says what it created" "created 2 dues records for 2026-09 (未缴)" "$out"
expect_contains "a member without a dues group is listed" \
	"needs data: 陈缺类别: no dues group (党费类别); set it: hearth member edit $bn --dues-group 在职|离退休|学生|失业|低保|农民" "$out"
expect_contains "a member without income is listed" \
	"needs data: 褚缺收入: no income (党费基数) for dues group 离退休; set it: hearth member edit $bi --dues-income YUAN" "$out"
expect_contains "... and counted" "2 members need data before their dues can be computed (listed above)" "$out"
list=$(h b dues list --json)
expect_eq "two records, computed by the rule" "4000 20" \
	"$(echo "$list" | grep -o '"due":[0-9]*' | cut -d: -f2 | sort -rn | tr '\n' ' ' | sed 's/ $//')"
expect_not_contains "no record for a member who joined later" "$bl" "$list"
expect_not_contains "no record for a deceased member" "$bd" "$list"
out=$(h b dues month 2026-09); rc=$?
expect_eq "a second run exits 0" 0 "$rc"
expect_contains "a second run creates nothing and says so" "nothing to create for 2026-09" "$out"
expect_contains "... naming who already had one" "2 members already had a record for 2026-09 (left as they are)" "$out"
expect_eq "still two records" 2 "$(h b dues list --json | grep -o '"id":' | wc -l | tr -d ' ')"
expect_contains "dues --help names the monthly step" "hearth dues month YYYY-MM [--branch ID]" "$(h b dues --help)"
out=$(h b dues month 2026-9 2>&1); rc=$?
expect_eq "a month not written YYYY-MM" '2 hearth: dues month: give the month as YYYY-MM (got "2026-9")' "$rc $out"

# ---- a prepayment for several months, idempotent too
out=$(h b dues add --member "$bw" --months 2026-09..2026-12 --paid 40 --paid-date 2026-09-01 --status paid 2>&1); rc=$?
expect_eq "prepayment exits 0" 0 "$rc"
expect_contains "the month already there is left as it is" \
	"hearth: dues add: 2026-09: the member already has a dues record for the month; left as it is" "$out"
expect_eq "three months added" 3 "$(echo "$out" | grep -c '^[0-9a-f]\{8\}-')"
expect_eq "the member has four months now" 4 "$(h b dues list --member "$bw" --json | grep -o '"id":' | wc -l | tr -d ' ')"
out=$(h b dues add --member "$bw" --months 2026-09..2026-12 --paid 40 --paid-date 2026-09-01 --status paid 2>&1); rc=$?
expect_eq "a repeated prepayment exits 0" 0 "$rc"
expect_contains "... adds nothing and says so" "hearth: dues add: nothing to add: every month of 2026-09..2026-12 already has a dues record" "$out"
expect_eq "still four months" 4 "$(h b dues list --member "$bw" --json | grep -o '"id":' | wc -l | tr -d ' ')"
out=$(h b dues add --member "$bw" --months 2026-12..2026-09 --status unpaid 2>&1); rc=$?
expect_eq "a backwards range" \
	'2 hearth: dues add: --months "2026-12..2026-09": give a range of months as YYYY-MM..YYYY-MM, the first not after the last (e.g. 2026-09..2026-12)' "$rc $out"

# ---- due: members with no dues record at all for past months
js=$(HEARTH_TODAY=2026-12-15 h b due --json)
expect_contains "no record at all: counted from the branch's first dues month" \
	"\"what\":\"dues_missing\",\"member\":\"$bn\",\"member_name\":\"陈缺类别\"" "$js"
expect_contains "... with the months and which start applied" \
	"\"reason\":\"no dues record for 3 months\"" "$js"
expect_contains "... the detail" "2026-09、2026-10、2026-11; counted from the branch's first dues record 2026-09" "$js"
expect_contains "a member with one month of three" "2026-10、2026-11; counted from the branch's first dues record 2026-09" "$js"
expect_contains "a member who joined after the first dues month: counted from joining" \
	"2026-10、2026-11; counted from the join month 2026-10" "$js"
expect_not_contains "a member with every month is not flagged" "\"what\":\"dues_missing\",\"member\":\"$bw\"" "$js"
expect_not_contains "nor a deceased member" "\"what\":\"dues_missing\",\"member\":\"$bd\"" "$js"
expect_contains "the count" '"dues_missing":4' "$js"
expect_contains "the table names them" "members without dues records: 4" "$(HEARTH_TODAY=2026-12-15 h b due)"

finish
