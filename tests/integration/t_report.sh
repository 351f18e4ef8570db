#!/bin/bash
# `hearth admin report`: one self-contained HTML file (no scripts, no
# external fonts, images or styles), every branch named, text escaped, and
# it renders in headless Chromium without console errors. Without chromium
# the rendering checks are skipped (the HTML checks still run); .ci/deps.sh
# installs it for CI.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client adm admin "$P"
client b1 branch1 "$P"
client b2 branch2 "$P"
Y=$(date -u +%Y)

# A branch whose name needs escaping, and records in two branches.
h adm admin branch add b003 --name '第三<党>支部&"实验"' >/dev/null
m1=$(h b1 member add --name 王秀英 --category full --standing normal)
m2=$(h b1 member add --name 李建国 --category full --standing normal)
n1=$(h b2 member add --name 陈海燕 --category probationary --standing normal)
h b1 hardship add --member "$m1" --types living,elderly --status registered >/dev/null
h b1 hardship add --member "$m2" --types ill --status assisting >/dev/null
h b2 hardship add --member "$n1" --types disabled --status registered >/dev/null
h b1 visit add --members "$m1" --occasion spring_festival --date "$Y-01-20" --status done >/dev/null
h b1 visit add --members "$m1,$m2" --occasion july_first --date "$Y-06-28" >/dev/null
h b2 visit add --members "$n1" --occasion july_first --date "$Y-07-01" --status done >/dev/null
h b1 dues add --member "$m1" --month "$Y-01" --due-fen 1000 --paid-fen 1000 --paid-date "$Y-01-10" --status paid >/dev/null
h b2 dues add --member "$n1" --month "$Y-01" --due-fen 600 --status unpaid >/dev/null
h b1 visit add --members "$m2" --occasion hospital --date "$Y-03-03" --cash 300 --fund-source union >/dev/null
h b2 visit add --members "$n1" --occasion hospital --date "$Y-03-04" --cash 200 --fund-source union >/dev/null
h b1 honor add --year "$Y" --title excellent_member --member "$m1" --status nominated >/dev/null
h b2 honor add --year "$Y" --title excellent_member --member "$n1" --status awarded >/dev/null
h b1 activity add --type dedication_day --date "$Y-03-05" --title 学雷锋 >/dev/null
h b2 disclosure add --category dues_collection --title 党费收缴情况 --content 应缴实缴 --from-date "$Y-07-05" >/dev/null
h b1 sync >/dev/null 2>&1; h b2 sync >/dev/null 2>&1; h adm sync >/dev/null 2>&1

html="$T/report.html"
out=$(h adm admin report --year "$Y" --html "$html" 2>&1); rc=$?
expect_eq "report writes" 0 "$rc"
expect_contains "report says where" "wrote $html" "$out"
body=$(cat "$html")
expect_contains "it is HTML" "<!DOCTYPE html>" "$body"
expect_contains "it declares UTF-8" '<meta charset="utf-8">' "$body"
for name in 第一党支部 第二党支部; do
	expect_contains "the report names $name" "$name" "$body"
done
expect_contains "the third branch's name is escaped" '第三&lt;党&gt;支部&amp;&quot;实验&quot;' "$body"
expect_not_contains "no raw markup from a name" '第三<党>' "$body"
expect_contains "inline SVG charts" "<svg" "$body"
expect_contains "print styles" "@media print" "$body"
expect_contains "Chinese labels" "困难党员走访覆盖率" "$body"
# The year's sections of 'report year', summed over the branches (issue 15 item 11)
expect_contains "the year's sections" "六、年度分类统计（各支部合计）" "$body"
expect_contains "cash by fund source, both branches" '<td>慰问金按经费来源：工会经费</td><td class="n">500.00 元</td>' "$body"
expect_contains "honors by title: the nominated one counts nowhere" '<td>称号：优秀共产党员</td><td class="n">1</td>' "$body"
expect_contains "activities by type" '<td>类型：党员奉献日</td><td class="n">1</td>' "$body"
expect_contains "disclosures by category" '<td>类别：党费收缴</td><td class="n">1</td>' "$body"
expect_contains "transfers out" '<td>转出</td><td class="n">0</td>' "$body"
expect_contains "dues: the rate of the sums" '<td>收缴率</td><td class="n">62.5%</td>' "$body"
js=$(h adm admin stats --year "$Y" --json --offline 2>/dev/null | tr -d ' \n')
expect_eq "admin stats counts the same one honor" "0 1" "$(grep -o '"honors":[0-9]*' <<<"$js" | head -2 | cut -d: -f2 | paste -sd' ')"
for bad in "<script" "<link" "<img" "@import" "url(" "src=" "http://" "https://"; do
	hits=$(sed 's#xmlns="http://www.w3.org/2000/svg"##g' "$html" | grep -o -- "$bad" | wc -l)
	expect_eq "self-contained: no $bad" 0 "$hits"
done
h adm admin report --html >/dev/null 2>&1
expect_eq "--html without a file is a usage error" 2 "$?"
h adm admin report --year 1800 --html "$T/x.html" >/dev/null 2>&1
expect_eq "a year out of range is a usage error" 2 "$?"

CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROME" ]; then
	echo "SKIP: chromium is not installed (apt-get install chromium, or run .ci/deps.sh); rendering not checked"
	finish
fi
render() { # OUT.png ARGS...: headless, isolated profile, no network chatter
	local png=$1; shift
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$T/chrome.XXXXXX")" --enable-logging=stderr --v=0 \
		--window-size=1200,1600 "$@" "file://$html"
}
render "$T/out.png" --screenshot="$T/out.png" >"$T/chrome.out" 2>"$T/chrome.err"
expect_eq "chromium renders the report" 0 "$?"
# Console messages are logged as CONSOLE(...) lines; script errors as Uncaught.
errs=$(grep -E 'Uncaught|CONSOLE|ERR_FILE_NOT_FOUND|Failed to load resource|net::ERR' "$T/chrome.err" || true)
expect_eq "no console errors while loading" "" "$errs"
[ -s "$T/out.png" ] && pass "a screenshot was written" || fail "no screenshot"
expect_eq "the screenshot is a PNG" "89504e47" "$(head -c 4 "$T/out.png" | od -An -tx1 | tr -d ' \n')"
size=$(stat -c %s "$T/out.png")
[ "$size" -gt 30000 ] && pass "the screenshot is not blank ($size bytes)" || fail "screenshot too small ($size bytes)"
dom=$(render "$T/dom.png" --dump-dom 2>/dev/null)
expect_contains "the page loaded: its DOM has the title" "年度各支部党内关怀帮扶工作情况" "$dom"
expect_contains "the DOM has the charts" "<svg" "$dom"
finish
