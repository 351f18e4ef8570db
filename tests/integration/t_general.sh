#!/bin/bash
# The 党总支 level (issue 15 item 1): a general-branch certificate
# (hearth://demo/general/g01) reads every record of the branches below g01
# and nothing of other subtrees; it edits them only once the admin allowed
# it; it sees their conflicts; moving a branch into or out of the subtree
# re-scopes the replica and it converges; a request for a branch outside
# the scope is refused with a message, as from a branch certificate.
. "$(dirname "$0")/lib.sh"

# CI makes certs/dev on a clean checkout; a dev dir made before the general
# certificate existed gets it added (mkcerts makes only missing files).
if [ ! -s "$CERTS/general1.pem" ]; then
	"${HEARTH_SRC:?}/certs/mkcerts.sh" "$CERTS" >/dev/null || { echo "mkcerts failed"; exit 1; }
fi

# discard_rejected: drops every change the server rejected from g's replica.
discard_rejected() {
	local id
	for id in $(h g rejected --json | grep -o '"id":"[0-9a-f-]*"' | cut -d'"' -f4); do
		h g rejected discard "$id" >/dev/null
	done
}

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

expect_contains "whoami names the general role" "role:        general" "$(h g whoami)"
expect_contains "and its branch" "branch:      g01" "$(h g whoami)"

m1=$(h b1 member add --name 张大爷 --gender 男 --category 正式)
h b1 member add --name 李奶奶 --gender 女 --category 正式 >/dev/null
m2=$(h b2 member add --name 王秀英 --gender 女 --category 正式)
h b1 sync >/dev/null 2>&1; h b2 sync >/dev/null 2>&1

h g sync >"$T/g1" 2>&1; rc=$?
expect_eq "the general branch syncs" 0 "$rc"
list=$(h g member list 2>&1)
expect_contains "it reads b001's members" "张大爷" "$list"
expect_contains "all of them" "李奶奶" "$list"
expect_not_contains "but nothing of b002, outside its subtree" "王秀英" "$list"
h g sync --verify >"$T/gv" 2>&1; rc=$?
expect_eq "a verified sync agrees with the server's digest of the subtree" 0 "$rc"

# --- edits below it are refused until the admin allows them
h g member edit "$m1" --address 北京市海淀区 >/dev/null
h g sync >"$T/g2" 2>&1
expect_contains "an edit of b001's record is refused while edits are off" \
	"general branch g01 may read it but not edit it; an admin allows edits with: hearth admin branch rename g01 --general-edits on" \
	"$(cat "$T/g2"; h g rejected 2>&1)"
h b1 sync >/dev/null 2>&1
expect_not_contains "b001 did not get the edit" "北京市海淀区" "$(h b1 member show "$m1" 2>&1)"
discard_rejected

out=$(h adm admin branch rename g01 --general-edits on 2>&1)
expect_contains "the admin allows edits for g01" "its general branch may edit the branches below it" "$out"
expect_contains "branch list shows the setting" '"general_edits":true' "$(h adm admin branch list --json)"
h g sync >/dev/null 2>&1
h g member edit "$m1" --phone 13900001111 >/dev/null
h g sync >"$T/g3" 2>&1; rc=$?
expect_eq "now the edit is applied" 0 "$rc"
h b1 sync >/dev/null 2>&1
expect_contains "and b001 sees it" "139" "$(h b1 member show "$m1" --reveal 2>&1)"
gm=$(h g member add --name 新党员 --gender 男 --category 正式 --branch b009)
h g sync >/dev/null 2>&1; rc=$?
expect_eq "it adds a member to b009 below it" 0 "$rc"
h g member add --name 外人 --gender 男 --category 正式 --branch b002 >/dev/null
h g sync >"$T/g4" 2>&1
expect_contains "but not to b002, outside its subtree" "belongs to branch b002, which is not below general branch g01" \
	"$(cat "$T/g4"; h g rejected 2>&1)"
discard_rejected

# --- conflicts of its branches are visible to it
h b1 member edit "$m1" --address 上海 >/dev/null
h g member edit "$m1" --address 广州 >/dev/null
h b1 sync >/dev/null 2>&1
h g sync >/dev/null 2>&1
expect_contains "a conflict in b001 is visible to the general branch" "$m1" "$(h g conflicts --json 2>&1)"

# --- out-of-scope requests are refused, never answered empty
out=$(h g due --branch b002 2>&1); rc=$?
expect_eq "due --branch outside the subtree fails" 2 "$rc"
expect_eq "with the exact message" "hearth: due: branch b002 is not in this replica's scope: general branch g01 holds b001,b009,g01" "$out"
out=$(h g due --branch b001 2>&1); rc=$?
expect_eq "due --branch inside the subtree works" 0 "$rc"
out=$(h b2 due --branch b001 2>&1); rc=$?
expect_eq "a branch certificate's due --branch for another branch fails" 2 "$rc"
expect_eq "naming what it holds" "hearth: due: branch b001 is not in this replica's scope: it holds branch b002 only" "$out"
out=$(h b2 report year 2026 --branch b001 2>&1); rc=$?
expect_eq "so does report --branch" 2 "$rc"
expect_eq "with the same message" "hearth: report: branch b001 is not in this replica's scope: it holds branch b002 only" "$out"
# The server refuses it too: a PullRequest{branch_id b002} from the general
# certificate (frame: length 11, request_id 7, pull = field 22).
G=(--port "$P" --cert "$CERTS/general1.pem" --key "$CERTS/general1.key" --ca "$CERTS/ca.pem")
out=$(probe "${G[@]}" --send 0000000b0807b201061a0462303032 --wait-ms 3000)
expect_contains "the server refuses a pull of b002 from the general branch, naming its scope" \
	"error code=ERR_FORBIDDEN field=branch_id message=branch b002 is outside general branch g01: this certificate reads only b001, b009, g01" "$out"

# --- moving branches re-scopes the replica, which converges
h adm admin branch rename b002 --parent g01 >/dev/null
h g sync >"$T/g5" 2>&1; rc=$?
expect_eq "after b002 moved under g01 the general branch syncs (b001's conflict is still open: exit 4)" 4 "$rc"
expect_contains "it re-pulls" "re-pulling from zero" "$(cat "$T/g5")"
expect_contains "and now reads b002's members" "王秀英" "$(h g member list 2>&1)"
h adm admin branch add g02 --name 第二党总支 >/dev/null
h adm admin branch rename b001 --parent g02 >/dev/null
h g sync >/dev/null 2>&1; rc=$?
expect_eq "after b001 moved to another general branch it syncs" 0 "$rc"
list=$(h g member list 2>&1)
expect_not_contains "and drops b001's members" "张大爷" "$list"
expect_contains "keeps b002's" "王秀英" "$list"
expect_contains "and b009's" "新党员" "$list"
out=$(h g due --branch b001 2>&1); rc=$?
expect_eq "b001 is now outside its scope" 2 "$rc"
h g sync --verify >"$T/g6" 2>&1; rc=$?
expect_eq "a verified sync agrees with the server's digest of the new subtree" 0 "$rc"

# --- admin stats roll up the tree: a subtotal per general branch
h adm sync >/dev/null 2>&1
h adm admin stats >"$T/stats" 2>&1
g1=$(grep -m1 '^g01 小计' "$T/stats" | tr -s ' ')
expect_eq "admin stats has g01's subtotal: b002 and b009, one member each" "g01 小计 第一党总支 2 2 0 2 0 0 0" "$g1"
g2=$(grep -m1 '^g02 小计' "$T/stats" | tr -s ' ')
expect_eq "and g02's: b001's two members" "g02 小计 第二党总支 2 2 0 2 0 0 0" "$g2"
expect_contains "the committee total stays the sum of the branches" "合计 4 4 0 4" "$(grep -m1 '^合计' "$T/stats" | tr -s ' ')"
h adm admin report --html "$T/report.html" >/dev/null 2>&1
expect_contains "the committee report has the same subtotal rows" '第一党总支 小计 <span class="small">g01</span>' "$(cat "$T/report.html" 2>/dev/null)"
finish
