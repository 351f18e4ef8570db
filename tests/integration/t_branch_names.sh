#!/bin/bash
# A branch name is accepted wherever a branch id is (issue 15 item 2):
# --to-branch 第二党支部, --recipient-branch 第一党支部, --branch 第一党支部,
# resolved through the branch directory sync keeps; an unknown or ambiguous
# name is refused naming the candidates; whoami and the report show the
# branch's name beside its id.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client adm admin "$P"
client b1 branch1 "$P"
h adm admin branch add b008 --name 第八党支部 >/dev/null
h adm admin branch add b018 --name 第八党支部 >/dev/null

expect_contains "whoami shows the branch's name beside its id" "branch:      b001 第一党支部" "$(h b1 whoami)"
expect_contains "and in JSON" '"branch_name":"第一党支部"' "$(h b1 whoami --json)"

m=$(h b1 member add --name 周明 --gender 男 --category 正式)
h b1 sync >/dev/null 2>&1

out=$(h b1 transfer add --member "$m" --from-branch b001 --to-branch 第二党支部 --issued-date 2026-03-01 --valid-until 2026-06-01 2>&1); rc=$?
expect_eq "--to-branch takes a branch name" 0 "$rc"
expect_contains "and stores the id" '"to_branch":"b002"' "$(h b1 transfer show "$out" --json 2>&1)"
out=$(h b1 transfer add --member "$m" --from-branch b001 --to-branch 第九党支部 --issued-date 2026-03-01 --valid-until 2026-06-01 2>&1); rc=$?
expect_eq "an unknown name is refused" 2 "$rc"
expect_contains "naming the candidates" "--to-branch \"第九党支部\": no branch has the id or name 第九党支部; this replica knows b001 第一党支部, b002 第二党支部, b008 第八党支部, b018 第八党支部" "$out"
out=$(h b1 transfer add --member "$m" --from-branch b001 --to-branch 第八党支部 --issued-date 2026-03-01 --valid-until 2026-06-01 2>&1); rc=$?
expect_eq "an ambiguous name is refused" 2 "$rc"
expect_contains "naming the branches that share it" "--to-branch \"第八党支部\": more than one branch is called 第八党支部: b008 第八党支部, b018 第八党支部; give its id" "$out"

out=$(h b1 honor add --year 2026 --title advanced_org --recipient-branch 第一党支部 --status nominated 2>&1); rc=$?
expect_eq "--recipient-branch takes a branch name" 0 "$rc"
expect_contains "and stores the id" '"recipient_branch":"b001"' "$(h b1 honor show "$out" --json 2>&1)"

out=$(h b1 due --branch 第一党支部 2>&1); rc=$?
expect_eq "due --branch takes the branch's name" 0 "$rc"
out=$(h b1 due --branch 第二党支部 2>&1); rc=$?
expect_eq "due --branch with another branch's name is refused" 2 "$rc"
expect_eq "naming what the replica holds" "hearth: due: branch b002 is not in this replica's scope: it holds branch b001 only" "$out"
out=$(LC_ALL=zh_CN.UTF-8 h b1 due --branch 第二党支部 2>&1)
expect_contains "secretaries read the refusal in Chinese" "支部 b002 不在本地副本的范围内：本副本只有支部 b001 的记录" "$out"
out=$(LC_ALL=zh_CN.UTF-8 h b1 transfer add --member "$m" --from-branch b001 --to-branch 第八党支部 --issued-date 2026-03-01 --valid-until 2026-06-01 2>&1)
expect_contains "and the ambiguous name too" "有多个支部名为 第八党支部：b008 第八党支部, b018 第八党支部；请给出支部编号" "$out"
out=$(h b1 report year 2026 --branch 第一党支部 2>&1); rc=$?
expect_eq "report --branch takes the name" 0 "$rc"
expect_contains "and its title shows the name beside the id" "2026 年度工作统计（支部 b001 第一党支部）" "$out"

h adm sync >/dev/null 2>&1
out=$(h adm member add --name 陈红 --gender 女 --category 正式 --branch 第二党支部 2>&1); rc=$?
expect_eq "an admin's --branch takes a branch name" 0 "$rc"
expect_contains "and the record lands in b002" '"branch":"b002"' "$(h adm member show "$out" --json 2>&1)"

finish
