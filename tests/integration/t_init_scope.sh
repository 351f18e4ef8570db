#!/bin/bash
# Re-running `hearth init` with another branch's certificate (issue 13
# item 3): while the replica holds unsent changes (pending or rejected) the
# change is refused, naming the count; --discard-unsent drops them on
# purpose and says how many. A renewed certificate of the same branch, or a
# replica with nothing unsent, is accepted as before.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client a2 branch1 "$P"
reinit() { local n=$1 cert=$2; shift 2
	h "$n" init --server "127.0.0.1:$P" --cert "$CERTS/$cert.pem" --key "$CERTS/$cert.key" --ca "$CERTS/ca.pem" "$@"; }

m=$(h a1 member add --name 张大爷 --gender 男 --join-date 1970-07-01 --category 正式)
h a1 sync >/dev/null 2>&1
h a1 member add --name 李奶奶 --gender 女 --category 正式 >/dev/null
h a1 member add --name 王秀英 --gender 女 --category 正式 >/dev/null
h a1 member edit "$m" --address 北京市海淀区 >/dev/null
out=$(reinit a1 branch2 2>&1); rc=$?
expect_eq "init with another branch's certificate is refused while edits are unsent" 1 "$rc"
expect_eq "the refusal names the count and what to do" "hearth: init: this replica holds 3 unsent changes of branch b001 (3 pending, 0 rejected); the certificate $(realpath "$CERTS/branch2.pem") is for branch b002, and a sync with it would pull from zero and could not send them. Send them first with the current profile ('hearth sync', 'hearth rejected'), or pass --discard-unsent to drop them" "$out"
expect_contains "the profile still names the old certificate" "branch1.pem" "$(cat "$T/home.a1/profile.ini")"
expect_contains "the edits are still pending" '"pending_ops":3,' "$(h a1 status --json)"
out=$(reinit a1 branch1 2>&1); rc=$?
expect_eq "init again with the same branch's certificate is accepted" 0 "$rc"
out=$(reinit a1 branch2 --discard-unsent 2>&1); rc=$?
expect_eq "--discard-unsent lets the change through" 0 "$rc"
expect_contains "and says what it dropped" "init: discarded the unsent changes (3 ops, 3 local record copies), as --discard-unsent asked" "$out"
expect_contains "nothing is unsent afterwards" '"pending_ops":0,"rejected":0,' "$(h a1 status --json)"
h a1 sync >"$T/s1" 2>&1; rc=$?
expect_eq "the next sync, under branch b002, succeeds" 0 "$rc"
expect_contains "and pulls from zero" "sync scope changed from branch b001 to branch b002; pulling from zero" "$(cat "$T/s1")"

# --- a rejected change counts as unsent
h a2 sync >/dev/null 2>&1
reinit a1 branch1 >/dev/null 2>&1
h a1 sync >/dev/null 2>&1
m2=$(h a1 member add --name 赵六 --gender 男 --category 正式)
h a1 sync >/dev/null 2>&1; h a2 sync >/dev/null 2>&1
h a1 member delete "$m2" >/dev/null; h a1 sync >/dev/null 2>&1
h a2 visit add --members "$m2" --occasion 春节 --date 2026-02-10 >/dev/null
h a2 sync >/dev/null 2>&1
out=$(reinit a2 branch2 2>&1); rc=$?
expect_eq "a rejected change also blocks the change of branch" 1 "$rc"
expect_contains "and is counted as rejected" "holds 1 unsent change of branch b001 (0 pending, 1 rejected)" "$out"
out=$(reinit a2 admin 2>&1); rc=$?
expect_eq "so does a change to an admin certificate (all branches)" 1 "$rc"
expect_contains "naming the new scope" "is for all branches" "$out"

# --- before the first sync the old profile's certificate says the branch
client a3 branch1 "$P"
h a3 member add --name 孙七 --gender 男 --category 正式 >/dev/null
out=$(reinit a3 branch2 2>&1); rc=$?
expect_eq "a replica that never synced is protected too" 1 "$rc"
expect_contains "naming its branch from the old certificate" "holds 1 unsent change of branch b001 (1 pending, 0 rejected)" "$out"

# --- nothing unsent: another branch's certificate is accepted as before
client a4 branch1 "$P"
h a4 sync >/dev/null 2>&1
out=$(reinit a4 branch2 2>&1); rc=$?
expect_eq "with nothing unsent the change is accepted" 0 "$rc"

finish
