#!/bin/bash
# Chinese everywhere (issue 15 item 7): under LC_ALL=zh_CN.UTF-8 the real
# hearth speaks Chinese — help, a validation error naming the field by its
# label, a text limit counted in 字, status, the sync summary, a rejection
# the server sent (in English) shown in Chinese, conflicts and resolve —
# and under LANG=C the same commands speak English.
. "$(dirname "$0")/lib.sh"

if ! locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
	echo "SKIP: the zh_CN.UTF-8 locale is not installed (.ci/deps.sh generates it)"
	exit 77
fi

# zh NAME ARGS...: hearth in Chinese; en NAME ARGS...: in English, from
# LANG alone, as on a machine with no other locale setting.
zh() { LC_ALL=zh_CN.UTF-8 h "$@"; }
en() { env -u LC_ALL -u LANGUAGE LANG=C "$HEARTH" --home "$T/home.$1" "${@:2}"; }

start_server s
P=$PORT_s
client a branch1 "$P"
client b branch1 "$P"

# --- help
out=$(zh a --help)
expect_eq "help, first line" "用法：hearth [--home 目录] 命令 [选项]" "$(sed -n 1p <<<"$out")"
expect_contains "help names a command in Chinese" "  sync       同步：发送本地修改，拉取服务器上的变更，核对本地副本" "$out"
expect_contains "help explains the exit status" "退出码：0 成功，1 操作失败或被拒绝" "$out"
out=$(zh a pairing add --help)
expect_contains "a command's help" "在本地副本中新增一条结对帮扶（pairing）记录，并输出它的新编号" "$out"
expect_contains "fields are listed by their labels" "  --start-date YYYY-MM-DD  开始日期，必填" "$out"

# --- a validation error names the field by its label
m=$(zh a member add --name 王秀英 --gender 女 --join-date 1998-07-01 --category 正式)
out=$(zh a pairing add --mode member --helper 张三 --member "$m" --start-date 2026-01-01 --status closed \
	--outcome improved 2>&1); rc=$?
expect_eq "the refusal is a usage error" 2 "$rc"
expect_eq "the cross-field rule in Chinese, with the field's label" \
	"hearth: pairing add: 状态为已结束时必须填写结束日期" "$out"
out=$(zh a member add --name 李 --birth-date 1950-02-30 2>&1)
expect_eq "a generic rule names the field by its label" \
	"hearth: member add: --birth-date \"1950-02-30\": 出生日期 1950-02-30 不是存在的日期（格式为 YYYY-MM-DD）" "$out"

# --- a limit in characters (字): 64 Chinese characters fit, 65 do not
long64=$(printf '张%.0s' $(seq 1 64))
id64=$(zh a member add --name "$long64" 2>&1); rc=$?
expect_eq "a name of 64 Chinese characters (192 bytes) is accepted" 0 "$rc"
out=$(zh a member add --name "${long64}张" 2>&1)
expect_eq "the 65th character is refused, counted in 字" \
	"hearth: member add: --name \"${long64}张\": 姓名超过 64 字（现有 65 字）" "$out"
zh a member delete "$id64" >/dev/null

# --- status
out=$(zh a status)
expect_contains "status: pending" "待发送：    1" "$out"
expect_contains "status: rejected" "被退回：    0" "$out"
expect_contains "status: never synced" "上次同步：  从未同步" "$out"

# --- the sync summary
out=$(zh a sync 2>&1); rc=$?
expect_eq "sync exits 0" 0 "$rc"
expect_eq "the sync summary in Chinese" \
	"同步：发送 1 项（已生效 1，已合并 0，冲突 0，重复 0，被退回 0），拉取 1 条记录，未处理冲突 0 个" "$out"
zh b sync >/dev/null 2>&1

# --- a rejection the server wrote in English, shown in Chinese
d1=$(zh a dues add --member "$m" --month 2026-09 --paid 30 --paid-date 2026-09-02 --status paid)
d2=$(zh b dues add --member "$m" --month 2026-09 --paid 25 --paid-date 2026-09-04 --status paid)
zh a sync >/dev/null 2>&1
zh b sync >"$T/b.out" 2>"$T/b.err"; rc=$?
expect_eq "a sync with a rejected change exits 1" 1 "$rc"
expect_contains "the server's reason in Chinese, the field by its label" \
	"hearth: 服务器退回了对党费 $d2 的修改：记录 $d2：党员 $m 2026-09 的党费记录已存在（记录 $d1）（字段：月份）" \
	"$(cat "$T/b.err")"
expect_contains "and what to do about it" \
	"hearth: 本地副本中保留了 1 项被退回的修改；请看“hearth rejected”" "$(cat "$T/b.err")"
expect_contains "rejected lists the reason in Chinese" "党费  月份  记录 $d2：党员 " "$(zh b rejected)"
expect_contains "the same rejection in English under LANG=C" "dues  month  record $d2: dues for member " \
	"$(en b rejected)"
# The web app shows the same reason in Chinese (被退回 page, /api/rejected).
if command -v curl >/dev/null; then
	LC_ALL=zh_CN.UTF-8 LANGUAGE= "$HEARTH" --home "$T/home.b" ui --no-open --port 0 >"$T/ui.out" 2>"$T/ui.err" &
	UI_PID=$!
	PIDS+=("$UI_PID")
	url=""
	for _ in $(seq 1 200); do
		url=$(grep -o 'http://127.0.0.1:[0-9]*/?token=[0-9a-f]*' "$T/ui.out" | head -1)
		[ -n "$url" ] && break
		sleep 0.05
	done
	curl -s -o /dev/null -c "$T/jar" --max-time 10 "$url"
	js=$(curl -s -b "$T/jar" --max-time 10 "${url%%/\?token=*}/api/rejected")
	expect_contains "the web app's 被退回 gives the reason in Chinese" "记录 $d2：党员 " "$js"
	kill -TERM "$UI_PID"
	wait "$UI_PID"
	expect_eq "hearth ui stops cleanly" 0 "$?"
else
	fail "curl is missing (.ci/deps.sh installs it)"
fi
out=$(zh b rejected discard "$d2")
expect_contains "discard says what went, in Chinese" "已放弃对党费 $d2 被退回的修改（1 次本地修改，退回原因：" "$out"

# --- conflicts and resolve
zh a member edit "$m" --ethnicity 汉族 >/dev/null
zh b member edit "$m" --ethnicity 回族 >/dev/null
zh a sync >/dev/null 2>&1
zh b sync >/dev/null 2>&1; rc=$?
expect_eq "a conflict remains: exit 4" 4 "$rc"
out=$(zh b conflicts)
cid=$(zh b conflicts --json | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
expect_contains "conflicts: the heading" "冲突 $cid  member（党员）$m" "$out"
expect_contains "conflicts: who made each side" "服务器一方：张三，另一方：张三（本机）" "$out"
expect_contains "conflicts: the columns" "字段                        服务器                          另一方（本机）" "$out"
expect_contains "conflicts: the field and both values" "汉族                            回族" "$out"
out=$(zh b resolve 2>&1)
expect_eq "resolve without an id says what to give" \
	"hearth: resolve：要处理哪个冲突？请看“hearth conflicts”和“hearth resolve --help”" "$out"
out=$(zh b resolve "$cid" --keep mine)
expect_eq "resolve says what happens next" "已处理冲突 $cid；运行“hearth sync”同步后发送到服务器" "$out"

# --- LANG=C: English
out=$(en a --help)
expect_eq "LANG=C: help in English" "usage: hearth [--home DIR] COMMAND [options]" "$(sed -n 1p <<<"$out")"
out=$(en a pairing add --mode member --helper 张三 --member "$m" --start-date 2026-01-01 --status closed \
	--outcome improved 2>&1)
expect_eq "LANG=C: the rule in English, the field by its name" \
	"hearth: pairing add: end_date is required when status is 已结束" "$out"
out=$(en a member add --name "${long64}张" 2>&1)
expect_contains "LANG=C: the limit in characters" "name is longer than 64 characters (65)" "$out"
expect_contains "LANG=C: status in English" "pending ops:     0" "$(en a status)"

finish
