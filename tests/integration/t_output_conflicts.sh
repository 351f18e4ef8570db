#!/bin/bash
# Conflicts and sensitive values (issue 12 item 3): `hearth conflicts`,
# `conflicts --json` and `hearth admin conflicts` mask a phone as `show`
# does (139****1111) unless --reveal; a reveal is queued like show's and
# reaches the server's audit log at the next sync (the admin's, answered by
# the server, at once).
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client a2 branch1 "$P"
client adm admin "$P"
n_reveals() { h adm audit log --json --limit 100000 --record "$1" --action reveal | grep -o '"seq":' | wc -l | tr -d ' '; }

id=$(h a1 member add --name 王秀英 --gender 女 --phone 13800001234)
h a1 sync >/dev/null 2>&1; h a2 sync >/dev/null 2>&1
h a1 member edit "$id" --phone 13911111111 >/dev/null
h a2 member edit "$id" --phone 13922221111 >/dev/null
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1; rc=$?
expect_eq "the same phone edited on two replicas conflicts (exit 4)" 4 "$rc"
h adm sync >/dev/null 2>&1

# ---- masked by default, on every printer
js=$(h a2 conflicts --json 2>"$T/err"); rc=$?
expect_eq "conflicts --json exits 0" 0 "$rc"
expect_contains "conflicts --json masks the server's phone" '"field":"phone","server":"139****1111"' "$js"
expect_contains "conflicts --json masks the other phone" '"other":"139****1111"' "$js"
expect_not_contains "conflicts --json shows no clear phone" "13911111111" "$js"
expect_not_contains "... nor the other one" "13922221111" "$js"
expect_eq "no reveal note without --reveal" "" "$(cat "$T/err")"
txt=$(h a2 conflicts)
expect_contains "conflicts masks the phone" "139****1111" "$txt"
expect_not_contains "conflicts shows no clear phone" "13911111111" "$txt"
expect_not_contains "... nor the other one" "13922221111" "$txt"
adm=$(h adm admin conflicts --json)
expect_contains "admin conflicts --json masks the phone" '"server":"139****1111","other":"139****1111"' "$adm"
adm=$(h adm admin conflicts)
expect_not_contains "admin conflicts shows no clear phone" "13911111111" "$adm"
expect_not_contains "... nor the other one" "13922221111" "$adm"
h a2 sync >/dev/null 2>&1; h adm sync >/dev/null 2>&1
expect_eq "listing masked reveals nothing to the audit log" 0 "$(n_reveals "$id")"

# ---- --reveal: clear values, a note, and one audit entry per listing
js=$(h a2 conflicts --json --reveal 2>"$T/err")
expect_contains "conflicts --json --reveal shows both phones" '"field":"phone","server":"13911111111","other":"13922221111"' "$js"
expect_contains "--reveal says it is recorded" "recorded in the audit log at the next sync" "$(cat "$T/err")"
txt=$(h a2 conflicts --reveal 2>/dev/null)
expect_contains "conflicts --reveal shows the phone" "13911111111" "$txt"
adm=$(h adm admin conflicts --json --reveal 2>"$T/err")
expect_contains "admin conflicts --reveal shows both phones" '"server":"13911111111","other":"13922221111"' "$adm"
# The admin's queue comes from the server (t_srvqueue.sh), which records
# the reveal itself: nothing is left for the admin's sync to report.
expect_contains "... recorded by the server" "recorded in the server's audit log" "$(cat "$T/err")"
expect_contains "a2's sync reports its reveals" "reported 2 reveal/export event" "$(h a2 sync 2>&1)"
expect_not_contains "the admin's sync has no reveal to report" "reveal/export" "$(h adm sync 2>&1)"
expect_eq "three reveal entries reach the server's audit log" 3 "$(n_reveals "$id")"
log=$(h adm audit log --json --limit 100000 --record "$id" --action reveal)
expect_contains "the entry names the field" "phone" "$log"
expect_contains "the entry says which command" "conflicts --reveal" "$log"
expect_contains "... and the server's that it answered the admin's queue" "conflict queue --reveal (answered by the server)" "$log"
finish
