#!/bin/bash
# A server restored from an older copy of its store must not make a replica
# forget what it acknowledged (issue 13 item 2): every push answer carries a
# signed checkpoint the client pins, so after the rollback the next sync is
# refused with exit 5, says the server seems restored from an older copy,
# and the replica keeps the acknowledged members.
. "$(dirname "$0")/lib.sh"

AUDIT_ARGS=(--audit-key "$CERTS/audit-ed25519.key")

# restart_same NAME: start again on the same data and the same port, so the
# client profile stays as it is
restart_same() {
	local portvar="PORT_$1"
	start_server "$1" "${AUDIT_ARGS[@]}" --listen "127.0.0.1:${!portvar}"
}

start_server s "${AUDIT_ARGS[@]}"
client a1 branch1 "$PORT_s"
h a1 member add --name 王秀英 --gender 女 >/dev/null
h a1 sync >"$T/sync1.out" 2>"$T/sync1.err"
expect_eq "first sync" 0 "$?"

stop_server s
cp -a "$T/s.data" "$T/s.old"
restart_same s

h a1 member add --name 李建国 --gender 男 >/dev/null
h a1 member add --name 张桂兰 --gender 女 >/dev/null
h a1 sync >"$T/sync2.out" 2>"$T/sync2.err"
expect_eq "second sync" 0 "$?"
expect_contains "both members were acknowledged" "applied 2" "$(cat "$T/sync2.out")"

stop_server s
rm -rf "$T/s.data"
mv "$T/s.old" "$T/s.data"
restart_same s

h a1 sync >"$T/sync3.out" 2>"$T/sync3.err"
rc=$?
err=$(cat "$T/sync3.err")
expect_eq "sync against the restored server is refused with exit 5" 5 "$rc"
expect_contains "the refusal says the server seems restored" "The server seems restored from an older copy" "$err"
expect_contains "the refusal says what to do" "The committee's administrator must bring the server back" "$err"
expect_not_contains "no re-pull from zero" "re-pulling from zero" "$err"
list=$(h a1 member list 2>&1)
expect_contains "the replica keeps the first member" 王秀英 "$list"
expect_contains "the replica keeps the first acknowledged member" 李建国 "$list"
expect_contains "the replica keeps the second acknowledged member" 张桂兰 "$list"
h a1 sync >/dev/null 2>&1
expect_eq "the refusal holds on the next sync" 5 "$?"
expect_contains "still kept after the second refusal" 张桂兰 "$(h a1 member list 2>&1)"
stop_server s
finish
