#!/bin/bash
# A list's search in `hearth ui` (issue 14 item 7) reads each record's
# cells as the list shows them, without building the rows it does not
# show: it finds a visit by its member's name (a reference, read as a
# name) and by its occasion's label (an enum), money as 元, and never a
# sensitive value through its mask.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || { echo "SKIP: curl is not installed"; exit 77; }
client a branch1 127.0.0.1:1

{
	echo "姓名,性别,入党日期,类别,联系电话"
	echo "赵一,男,2001-07-01,正式,13912345678"
	echo "钱二,女,1998-07-01,正式,13800001111"
	echo "孙三,男,1990-07-01,正式,"
} > "$T/m.csv"
expect_eq "3 members imported" 0 "$(h a member import "$T/m.csv" >/dev/null; echo $?)"
m1=$(h a member list --csv 2>/dev/null | sed -n 2p | cut -d, -f1)
m2=$(h a member list --csv 2>/dev/null | sed -n 3p | cut -d, -f1)
h a visit add --members "$m1" --occasion 春节 --date 2026-02-10 --visitors 张三 --cash 300 --fund-source 党费 >/dev/null
h a visit add --members "$m1,$m2" --occasion 七一 --date 2026-07-01 --visitors 李四 --cash 128.5 \
	--fund-source 党费 >/dev/null
h a visit add --members "$m2" --occasion 住院 --date 2026-03-05 --visitors 王五 --fund-source 党费 >/dev/null

LC_ALL=C.UTF-8 LANGUAGE= "$HEARTH" --home "$T/home.a" ui --no-open --port 0 >"$T/ui.out" 2>"$T/ui.err" &
UI_PID=$!
PIDS+=("$UI_PID")
URL=""
for _ in $(seq 1 200); do
	URL=$(grep -o 'http://127.0.0.1:[0-9]*/?token=[0-9a-f]*' "$T/ui.out" | head -1)
	[ -n "$URL" ] && break
	sleep 0.05
done
[ -n "$URL" ] || { echo "hearth ui did not start"; cat "$T/ui.out" "$T/ui.err"; exit 1; }
B=${URL%%/\?*}
curl -s -o /dev/null -c "$T/jar" "$URL"
q() { curl -s --max-time 20 -b "$T/jar" -G "$B/api/records" --data-urlencode "kind=$1" --data-urlencode "q=$2"; }
total() { grep -o '"total":[0-9]*'; }

expect_eq "a visit is found by its member's name" '"total":2' "$(q visit 赵一 | total)"
expect_eq "and by the other member of a visit of two" '"total":2' "$(q visit 钱二 | total)"
expect_eq "by the names as the cell joins them" '"total":1' "$(q visit 赵一、钱二 | total)"
expect_eq "by its occasion's label" '"total":1' "$(q visit 住院 | total)"
expect_eq "by its money in 元" '"total":1' "$(q visit '128.50 元' | total)"
expect_eq "by its date" '"total":1' "$(q visit 2026-03-05 | total)"
expect_eq "a name nobody has finds nothing" '{"kind":"visit","rows":[],"total":0,"offset":0}' "$(q visit 周七)"
row=$(q visit 七一)
expect_contains "the row found is built with its names" '"text":"赵一、钱二"' "$row"
expect_eq "a masked phone's last digits are searched as shown" '"total":1' "$(q member 5678 | total)"
expect_eq "but never its hidden digits" '"total":0' "$(q member 12345678 | total)"
expect_eq "a member is found by name" '"total":1' "$(q member 孙三 | total)"

# The text searched is kept until the replica changes, never longer.
expect_eq "孙三 has no visit yet" '"total":0' "$(q visit 孙三 | total)"
m3=$(h a member list --csv 2>/dev/null | sed -n 4p | cut -d, -f1)
v3=$(h a visit add --members "$m3" --occasion 春节 --date 2026-02-11 --visitors 张三 --fund-source 党费)
expect_eq "a visit the CLI adds is found by the next search" '"total":1' "$(q visit 孙三 | total)"
expect_eq "searching another kind between" '"total":1' "$(q member 孙三 | total)"
expect_eq "春节 finds both visits" '"total":2' "$(q visit 春节 | total)"
expect_eq "the CLI deletes the visit" 0 "$(h a visit delete "$v3" >/dev/null; echo $?)"
expect_eq "the deleted visit is not found by the next search" '"total":0' "$(q visit 孙三 | total)"
expect_eq "a search through the index pages as before" 1 \
	"$(curl -s -b "$T/jar" -G "$B/api/records" --data-urlencode kind=visit --data-urlencode q=党费 \
	--data-urlencode offset=2 | grep -o '"fields":' | wc -l)"

# After a change the index keeps the rows of the records whose bytes did
# not change and reads the others again: an edited record, a renamed
# member (whose name other kinds' rows show), an edit through the page.
v4=$(h a visit add --members "$m2" --occasion 七一 --date 2026-07-02 --visitors 吴六 --fund-source 党费)
expect_eq "a visit by 吴六 is found" '"total":1' "$(q visit 吴六 | total)"
expect_eq "the CLI edits that visit" 0 "$(h a visit edit "$v4" --visitors 郑九 >/dev/null; echo $?)"
expect_eq "the next search finds it by its new visitor" '"total":1' "$(q visit 郑九 | total)"
expect_eq "and no longer by its old one" '"total":0' "$(q visit 吴六 | total)"
expect_eq "the rows of the visits not edited are still found" '"total":2' "$(q visit 赵一 | total)"
expect_eq "the CLI renames 钱二" 0 "$(h a member edit "$m2" --name 钱贰 >/dev/null; echo $?)"
expect_eq "her visits are found by her new name, though their own bytes did not change" '"total":3' \
	"$(q visit 钱贰 | total)"
expect_eq "and not by the old one" '"total":0' "$(q visit 钱二 | total)"
CSRF=$(curl -s --max-time 20 -b "$T/jar" "$B/api/session" | grep -o '"csrf":"[0-9a-f]*"' | cut -d'"' -f4)
saved=$(curl -s --max-time 20 -b "$T/jar" -X POST -H 'Content-Type: application/json' -H "Origin: $B" \
	-H "X-CSRF-Token: $CSRF" --data "{\"id\":\"$v4\",\"fields\":{\"visitors\":\"冯十\"}}" "$B/api/save")
expect_contains "the page edits the visit" '"id":"' "$saved"
expect_eq "the next search finds the page's edit" '"total":1' "$(q visit 冯十 | total)"
expect_eq "and not the CLI's before it" '"total":0' "$(q visit 郑九 | total)"
kill -TERM "$UI_PID"; wait "$UI_PID"
expect_eq "hearth ui stops cleanly" 0 "$?"
finish
