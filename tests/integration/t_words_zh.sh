#!/bin/bash
# Messages that used to bypass gettext, now in Chinese under zh_CN (issue
# 15 item 7): import's cell and header problems (client/core/import.c),
# the admin console's list of subcommands (client/cmd/admin_console.c),
# the field a typed value is refused for named by its label
# (client/core/field_input.c), and `conflicts` with nothing open. Checked
# word for word.
. "$(dirname "$0")/lib.sh"

zh() { local name=$1; shift; LC_ALL=zh_CN.UTF-8 h "$name" "$@"; }

client b1 branch1 1   # the port is never used: these commands do not connect

# --- import: a yes/no cell that is neither, and a header naming one field twice
printf '姓名,性别,入党日期,流动党员\n张三,男,1975-07-01,也许\n' > "$T/bool.csv"
out=$(zh b1 member import "$T/bool.csv" 2>&1); rc=$?
expect_eq "a bad yes/no cell: nothing imported (exit 2)" 2 "$rc"
expect_contains "the yes/no cell refused in Chinese" \
	"$T/bool.csv:2: 流动党员: “也许”不是 是/否（也可写 yes/no、true/false、1/0）" "$out"
printf '姓名,性别,入党日期,name\n张三,男,1975-07-01,张三\n' > "$T/twice.csv"
out=$(zh b1 member import "$T/twice.csv" 2>&1); rc=$?
expect_eq "one field in two columns: nothing imported (exit 2)" 2 "$rc"
expect_contains "the second column named in Chinese" "$T/twice.csv:1: name: 第 4 列与第 1 列是同一个字段" "$out"
expect_eq "no member stored" "[]" "$(h b1 member list --json)"

# --- a row naming an id the replica does not hold
printf 'id,姓名,性别,入党日期\n0123456789ab,张三,男,1975-07-01\n' > "$T/noid.csv"
out=$(zh b1 member import "$T/noid.csv" 2>&1)
expect_contains "an unknown id, in Chinese" \
	"本地副本中没有 member 记录 0123456789ab；要把这一行作为新记录添加，请让编号留空" "$out"

# --- a typed value names its field by the Chinese label (field_input.c)
out=$(zh b1 member add --name 张三 --gender 机器人 --join-date 1975-07-01 2>&1); rc=$?
expect_eq "a gender that is not one: bad usage" 2 "$rc"
expect_eq "the field named by its label" "hearth: member add: --gender \"机器人\": 性别“机器人”不是可选值之一：male (男), female (女)" "$out"

# --- the admin console's summaries
out=$(zh b1 admin --help 2>&1)
expect_contains "admin --help: a subcommand's summary in Chinese" "  conflicts   各支部的冲突队列，最早的在前" "$out"

# --- conflicts with none open
expect_eq "no open conflicts, in Chinese" "没有未解决的冲突" "$(zh b1 conflicts)"
finish
