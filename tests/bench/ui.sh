#!/bin/bash
# Benchmark of `hearth ui` (issue 14 item 7; make bench-ui). Prints
# figures; passes or fails nothing. On a branch replica of 10,000 members
# and 100,000 records (50,000 visits, 25,000 activities, 25,000
# disclosures, and then the 10,000 dues records of one month that 党费月度
# creates), built offline by the CSV importer, it measures the
# server-side time of every page's API call and of a record's page: curl's
# time_starttransfer (request sent until the first byte of the answer),
# many samples each, median and p95, beside the same figures for a static
# asset (/app.css) measured in the same run as the baseline.
# Goals (issue 14): every page and list <= 50 ms, a record's page <= 5 ms;
# the last column says how a figure stands against its goal.
#
#   tests/bench/ui.sh [BUILD_DIR]
#
# Env: UI_MEMBERS (default 10000), UI_VISITS (50000), UI_ACTIVITIES
#      (25000), UI_DISCLOSURES (25000), UI_SAMPLES (default 30) per call;
#      a call whose samples take longer than UI_SECONDS (default 20) stops
#      early (at least 5 samples), so the run stays under 10 minutes;
#      UI_CHANGES (default 9) samples of each "first request after a
#      change".
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build}
MEMBERS=${UI_MEMBERS:-10000}
VISITS=${UI_VISITS:-50000}
ACTS=${UI_ACTIVITIES:-25000}
DISCS=${UI_DISCLOSURES:-25000}
SAMPLES=${UI_SAMPLES:-30}
CHANGES=${UI_CHANGES:-9}
BUDGET=${UI_SECONDS:-20}
CERTS=certs/dev
HEARTH=$B/hearth
T=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench-ui.XXXXXX")
UPID=
trap '[ -n "$UPID" ] && kill -TERM "$UPID" 2>/dev/null; rm -rf "$T"; true' EXIT
command -v curl >/dev/null || { echo "bench-ui: curl is needed"; exit 1; }
now_ms() { date +%s%3N; }
h() { LC_ALL=C.UTF-8 "$HEARTH" --home "$T/home" "$@"; }

echo "hearth ui benchmark on $(nproc) cores, $(date -u +%FT%TZ)"

# --- the replica: offline, as a branch office builds one by importing its
# lists (the server is never asked; nothing here needs one).
t0=$(now_ms)
h init --server 127.0.0.1:1 --cert $CERTS/branch1.pem --key $CERTS/branch1.key --ca $CERTS/ca.pem >/dev/null
python3 - "$T" "$MEMBERS" <<'EOF'
import sys
t, n = sys.argv[1], int(sys.argv[2])
fam = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
with open(t + "/members.csv", "w") as f:
    f.write("姓名,性别,入党日期,类别,联系电话,地址,党费类别,党费基数\n")
    for i in range(n):
        f.write("%s%05d,%s,%d-07-01,正式,139%08d,某市某区某街道%d号,%s,%d.00\n"
                % (fam[i % 20], i, "男女"[i % 2], 1960 + i % 60, i, i % 300,
                   ["在职", "离退休", "学生"][i % 3], 2000 + i % 9000))
EOF
h member import "$T/members.csv" >/dev/null
h member list --csv 2>/dev/null | tail -n +2 | cut -d, -f1 > "$T/ids"
python3 - "$T" "$VISITS" "$ACTS" "$DISCS" <<'EOF'
import sys
t, nv, na, nd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
ids = open(t + "/ids").read().split()
occ = ["春节", "七一", "住院", "家庭变故", "特殊困难"]
with open(t + "/visits.csv", "w") as f:
    f.write("走访对象,慰问事由,走访日期,走访人,慰问金,经费来源\n")
    for i in range(nv):
        f.write("%s,%s,2026-%02d-%02d,张三,%d.00,党费\n" % (ids[i % len(ids)], occ[i % 5], 1 + i % 12, 1 + i % 28, 100 + i % 500))
with open(t + "/activities.csv", "w") as f:
    f.write("活动类型,活动日期,活动主题,参加人数,地点\n")
    for i in range(na):
        f.write("党组织活动日,2026-%02d-%02d,主题党日%05d,%d,党员活动室\n" % (1 + i % 12, 1 + i % 28, i, 10 + i % 30))
with open(t + "/disclosures.csv", "w") as f:
    f.write("公开类别,标题,公开内容,公开方式,公开日期\n")
    for i in range(nd):
        f.write("党费收缴,第%05d期党费收缴情况,本期党费已按标准收缴。,公开栏,2026-%02d-%02d\n" % (i, 1 + i % 12, 1 + i % 28))
EOF
h visit import "$T/visits.csv" >/dev/null
h activity import "$T/activities.csv" >/dev/null
h disclosure import "$T/disclosures.csv" >/dev/null
# 党费月度 of June: a 未缴 record for every member (all have the data).
h dues month 2026-06 >/dev/null
# A small file for the import page's check (导入, 检查): 20 visits.
head -21 "$T/visits.csv" > "$T/small.csv"
echo "replica: $MEMBERS members, $VISITS visits, $ACTS activities, $DISCS disclosures, $MEMBERS dues," \
	"built in $(( ($(now_ms) - t0) / 1000 )) s ($(du -sh "$T/home" | cut -f1) on disk)"

# --- hearth ui, and its session cookie
LC_ALL=C.UTF-8 "$HEARTH" --home "$T/home" ui --no-open --port 0 >"$T/ui.out" 2>"$T/ui.err" &
UPID=$!
URL=""
for _ in $(seq 1 200); do
	URL=$(grep -o 'http://127.0.0.1:[0-9]*/?token=[0-9a-f]*' "$T/ui.out" | head -1 || true)
	[ -n "$URL" ] && break
	sleep 0.05
done
[ -n "$URL" ] || { echo "bench-ui: hearth ui did not start"; cat "$T/ui.out" "$T/ui.err"; exit 1; }
BASE=${URL%%/\?*}
curl -s -o /dev/null -c "$T/jar" "$URL"
CSRF=$(curl -s -b "$T/jar" "$BASE/api/session" | python3 -c 'import json, sys; print(json.load(sys.stdin)["csrf"])')

m1=$(sed -n 1p "$T/ids")
m5k=$(sed -n "$(( (MEMBERS + 1) / 2 ))p" "$T/ids")
v1=$(h visit list --csv 2>/dev/null | sed -n 2p | cut -d, -f1)

# measure GOAL LABEL PATH [CURL_ARGS...]: samples of time_starttransfer
# in ms (a POST: its arguments after the path); prints median and p95
# beside the goal.
measure() {
	local goal=$1 label=$2 path=$3 start n=0 med p95 verdict
	shift 3
	: > "$T/answers"
	start=$(now_ms)
	while [ "$n" -lt "$SAMPLES" ]; do
		curl -s -o /dev/null -b "$T/jar" -w '%{http_code} %{time_starttransfer}\n' "$@" "$BASE$path" >> "$T/answers"
		n=$((n + 1))
		[ "$n" -ge 5 ] && [ $(( $(now_ms) - start )) -gt $((BUDGET * 1000)) ] && break
	done
	cut -d' ' -f2 "$T/answers" > "$T/samples"
	med=$(sort -g "$T/samples" | awk '{ v[NR] = $1 * 1000 } END { printf "%.2f", v[int((NR + 1) / 2)] }')
	p95=$(sort -g "$T/samples" | awk '{ v[NR] = $1 * 1000 } END { i = int(NR * 0.95 + 0.999); if (i > NR) i = NR; printf "%.2f", v[i] }')
	if [ "$goal" = "-" ]; then
		verdict="baseline"
	else
		verdict=$(awk -v p="$p95" -v m="$med" -v g="$goal" 'BEGIN { print (p <= g ? "within " g " ms" : (m <= g ? "median within " g " ms, p95 over" : "OVER " g " ms")) }')
	fi
	# A figure of a refusal measures nothing: say so beside it.
	if cut -d' ' -f1 "$T/answers" | grep -qv '^2'; then
		verdict="$verdict (NOT ANSWERED: HTTP $(cut -d' ' -f1 "$T/answers" | grep -v '^2' | head -1))"
	fi
	printf '%-34s %6d %9s %9s  %s\n' "$label" "$n" "$med" "$p95" "$verdict"
}

echo
printf '%-34s %6s %9s %9s  %s\n' "page / call" samples "median ms" "p95 ms" "goal"
measure - "static asset /app.css (baseline)" /app.css
measure - "static page / (baseline)" /
measure 50 "start: /api/session" /api/session
measure 50 "start: /api/kinds" /api/kinds
measure 50 "start: /api/text" /api/text
measure 50 "首页 /api/home" /api/home
measure 50 "党员 list" "/api/records?kind=member"
measure 50 "走访慰问 list" "/api/records?kind=visit"
measure 50 "主题活动 list" "/api/records?kind=activity"
measure 50 "党务公开 list" "/api/records?kind=disclosure"
measure 50 "困难党员台账 list (empty)" "/api/records?kind=hardship"
measure 50 "党员 list, search 王00040" "/api/records?kind=member&q=%E7%8E%8B00040"
measure 50 "走访 list, search 春节" "/api/records?kind=visit&q=%E6%98%A5%E8%8A%82"
measure 50 "member picker /api/members?q=" "/api/members?q=%E7%8E%8B"
measure 5 "record page: a member (first)" "/api/record?id=$m1"
measure 5 "record page: a member (middle)" "/api/record?id=$m5k"
measure 5 "record page: a visit" "/api/record?id=$v1"
measure 50 "冲突 /api/conflicts" /api/conflicts
measure 50 "被退回 /api/rejected" /api/rejected
measure 50 "回收站 /api/trash" /api/trash
measure 50 "报表 /api/report" /api/report
measure 50 "党费月度 June ($MEMBERS records)" "/api/dues/month?month=2026-06"
measure 50 "党费月度 May (none)" "/api/dues/month?month=2026-05"
measure 50 "党费月度 run June again (none new)" /api/dues/month -X POST -H "Origin: $BASE" -H "X-CSRF-Token: $CSRF" \
	-H "Content-Type: application/json" --data '{"month":"2026-06"}'
measure 5 "record page: a member's log" "/api/member-log?id=$m1"
measure 5 "record page: a member's files" "/api/attachments?id=$m1"
measure 50 "start: /api/attach-text" /api/attach-text
measure 50 "sync progress /api/sync-progress" /api/sync-progress
measure 50 "导入 check: 20 visits (dry run)" "/api/import?kind=visit&name=small.csv&dry=1" -X POST \
	-H "Origin: $BASE" -H "X-CSRF-Token: $CSRF" -H "Content-Type: application/octet-stream" --data-binary "@$T/small.csv"
measure 50 "导出 download: 党员 CSV" "/api/export?format=csv&kind=member"
measure 50 "导出 download: 走访 CSV" "/api/export?format=csv&kind=visit"
measure 50 "导出 download: 走访 .xlsx" "/api/export?format=xlsx&kind=visit"

# after_change GOAL LABEL PATH: the first request after a write by
# another process (the CLI beside hearth ui adds a visit), CHANGES times:
# what a secretary waits for on the page after any edit, when every kept
# answer is of an older generation.
after_change() {
	local goal=$1 label=$2 path=$3 n=0 med p95 verdict
	: > "$T/samples"
	while [ "$n" -lt "$CHANGES" ]; do
		h visit add --members "$m1" --occasion 春节 --date 2026-02-10 --visitors 张三 --cash 300 \
			--fund-source 党费 >/dev/null
		curl -s -o /dev/null -b "$T/jar" -w '%{time_starttransfer}\n' "$BASE$path" >> "$T/samples"
		n=$((n + 1))
	done
	med=$(sort -g "$T/samples" | awk '{ v[NR] = $1 * 1000 } END { printf "%.2f", v[int((NR + 1) / 2)] }')
	p95=$(sort -g "$T/samples" | awk '{ v[NR] = $1 * 1000 } END { i = int(NR * 0.95 + 0.999); if (i > NR) i = NR; printf "%.2f", v[i] }')
	verdict=$(awk -v p="$p95" -v m="$med" -v g="$goal" 'BEGIN { print (p <= g ? "within " g " ms" : (m <= g ? "median within " g " ms, p95 over" : "OVER " g " ms")) }')
	printf '%-34s %6d %9s %9s  %s\n' "$label" "$n" "$med" "$p95" "$verdict"
}

echo
echo "first request after a change (the CLI adds a visit before each sample):"
after_change 50 "首页 /api/home" /api/home
after_change 50 "报表 /api/report" /api/report
after_change 50 "走访 list, search 春节" "/api/records?kind=visit&q=%E6%98%A5%E8%8A%82"
after_change 50 "党员 list, search 王00040" "/api/records?kind=member&q=%E7%8E%8B00040"
after_change 50 "走访慰问 list" "/api/records?kind=visit"
after_change 5 "record page: a member (first)" "/api/record?id=$m1"
after_change 50 "党费月度 June ($MEMBERS records)" "/api/dues/month?month=2026-06"
measure - "static asset /app.css (baseline, again)" /app.css

echo
echo "(the history on a record's page and the audit pages read the server: not measured here)"
