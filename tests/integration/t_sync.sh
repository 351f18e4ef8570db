#!/bin/bash
# The sync contract (DESIGN section 5) with real replicas: field-level
# merges, visible conflicts and their resolution, update vs delete, a client
# killed mid-push, incremental pulls, branch authorization, the divergence
# check, and refused pushes with their exact errors.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"     # two offices of branch b001
client a2 branch1 "$P"
client b1 branch2 "$P"     # branch b002
client adm admin "$P"
client aud auditor "$P"
sync_ok() { h "$1" sync >"$T/sync.out" 2>&1; echo $?; }
summary() { h "$1" sync 2>&1 | grep '^sync:'; }
json_field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2 | tr -d '"'; }

# --- different fields of one member, edited offline on two replicas: merged
id=$(h a1 member add --name 王秀英 --gender 女 --join-date 1998-07-01 --category 正式 --phone 13812345678)
expect_eq "add prints a canonical UUID" 36 "${#id}"
expect_eq "a1 first sync" 0 "$(sync_ok a1)"
expect_eq "a2 first sync" 0 "$(sync_ok a2)"
h a1 member edit "$id" --address 北京市海淀区 >/dev/null
h a2 member edit "$id" --education 大学本科 >/dev/null
out=$(summary a1); expect_contains "a1 pushes its edit" "applied 1" "$out"
out=$(summary a2); expect_contains "a2's edit of another field merges" "merged 1" "$out"
h a1 sync >/dev/null
for r in a1 a2; do
	js=$(h $r member show "$id" --json)
	expect_contains "$r has a1's address" '北京市海淀区' "$js"
	expect_contains "$r has a2's education" '大学本科' "$js"
done
expect_eq "one revision history: rev 3 on both" "$(h a1 member show "$id" --json | json_field rev)" "$(h a2 member show "$id" --json | json_field rev)"

# --- same field, different values: exactly one conflict, seen from both sides
h a1 member edit "$id" --phone 13900000001 >/dev/null
h a2 member edit "$id" --phone 13900000002 >/dev/null
h a1 sync >/dev/null
h a2 sync >"$T/s2" 2>&1; rc=$?
expect_eq "a2's sync reports open conflicts (exit 4)" 4 "$rc"
expect_contains "exactly one conflict" "conflicts 1," "$(cat "$T/s2")"
h a1 sync >/dev/null
c1=$(h a1 conflicts --json --reveal 2>/dev/null); c2=$(h a2 conflicts --json --reveal 2>/dev/null)
expect_contains "a1 sees the conflict with both values" '"field":"phone","server":"13900000001","other":"13900000002"' "$c1"
expect_contains "a2 sees the same conflict" '"field":"phone","server":"13900000001","other":"13900000002"' "$c2"
expect_contains "for a2 the losing value is mine" '"mine":"other"' "$c2"
cid=$(echo "$c2" | json_field id)
out=$(h a2 resolve "$cid" --keep mine 2>&1); expect_contains "resolve accepted" "resolved" "$out"
expect_eq "a2 sync after resolving" 0 "$(sync_ok a2)"
expect_eq "a1 sync sees it closed" 0 "$(sync_ok a1)"
expect_eq "no open conflict on a1" "[]" "$(h a1 conflicts --json)"
expect_eq "no open conflict on a2" "[]" "$(h a2 conflicts --json)"
expect_contains "both converge on the chosen value (a1)" '"phone":"13900000002"' "$(h a1 member show "$id" --json --reveal 2>/dev/null)"
expect_contains "both converge on the chosen value (a2)" '"phone":"13900000002"' "$(h a2 member show "$id" --json --reveal 2>/dev/null)"

# --- same field, same value: no conflict
h a1 member edit "$id" --ethnicity 汉族 >/dev/null
h a2 member edit "$id" --ethnicity 汉族 >/dev/null
h a1 sync >/dev/null
out=$(summary a2)
expect_contains "same value on both sides: merged, no conflict" "conflicts 0" "$out"

# --- update vs delete, in both orders: a conflict, never silent
for order in "a1 a2" "a2 a1"; do
	set -- $order
	x=$(h a1 member add --name 赵铁柱 --gender 男 --join-date 2010-07-01)
	h a1 sync >/dev/null; h a2 sync >/dev/null
	h "$1" member edit "$x" --address 上海 >/dev/null
	h "$2" member delete "$x" >/dev/null
	h "$1" sync >/dev/null
	h "$2" sync >"$T/ud" 2>&1; rc=$?
	expect_eq "update vs delete ($order): conflict" 4 "$rc"
	h "$1" sync >/dev/null
	cj=$(h "$1" conflicts --json)
	expect_contains "update vs delete ($order): delete conflict visible on the other side" '"delete_conflict":true' "$cj"
	# The record is neither silently lost nor silently resurrected.
	if [ "$1" = a1 ]; then
		expect_contains "edit kept while the delete waits for a person" "上海" "$(h a1 member show "$x" 2>&1)"
	fi
	cid=$(echo "$cj" | json_field id)
	h "$1" resolve "$cid" --keep theirs >/dev/null 2>&1
	h "$1" sync >/dev/null; h "$2" sync >/dev/null
	expect_eq "update vs delete ($order): resolved on both" "[]" "$(h "$2" conflicts --json)"
done

# --- a client killed after part of its push was acknowledged
for i in $(seq 1 6); do h a1 member add --name "批量$i" --gender 男 >/dev/null; done
HEARTH_FAULT=push-ack:1 h a1 sync --batch 2 >/dev/null 2>&1; rc=$?
expect_eq "sync killed by SIGKILL after the first ack" 137 "$rc"
h a1 sync >"$T/k" 2>&1
expect_contains "retry: the acknowledged-but-unrecorded ops come back as duplicates" "duplicate 2" "$(cat "$T/k")"
h a2 sync >/dev/null
n1=$(h a1 member list --json | grep -o '"name":"批量' | wc -l)
n2=$(h a2 member list --json | grep -o '"name":"批量' | wc -l)
expect_eq "nothing lost: all six on a1" 6 "$n1"
expect_eq "nothing doubled: exactly six on a2" 6 "$n2"
expect_contains "outbox empty after the retry" "pending ops:     0" "$(h a1 status)"

# --- an in-sync client pulls exactly the changes: 10,000 records, 10 changes
B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
"$HEARTH_TOOLS/loadgen" --port "$P" "${B1[@]}" --mode push --records 10000 --batch 1000 >/dev/null
h a2 sync >/dev/null
"$HEARTH_TOOLS/loadgen" --port "$P" "${B1[@]}" --mode push --records 10 --batch 10 >/dev/null
out=$(h a2 sync --json)
expect_eq "in-sync replica pulls exactly the 10 new records" 10 "$(echo "$out" | json_field pulled)"

# --- a progress bar on a terminal, none when piped
if command -v script >/dev/null; then
	for i in $(seq 1 30); do h a1 member add --name "进度$i" --gender 女 >/dev/null; done
	out=$(timeout 60 script -qec "$HEARTH --home $T/home.a1 sync --batch 5" /dev/null </dev/null 2>&1)
	expect_contains "sync on a terminal draws a progress bar" "pushing [##############################] 30/30" "$out"
	expect_contains "and still ends with its summary line" "sync: pushed 30" "$out"
	h a2 member add --name 管道 --gender 女 >/dev/null
	out=$(h a2 sync --batch 5 2>&1)
	expect_not_contains "no progress bar when not a terminal" "pushing [" "$out"
fi

# --- authorization
out=$("$HEARTH_TOOLS/loadgen" --port "$P" "${B1[@]}" --mode pull --branch b002 2>&1)
expect_contains "branch A cannot pull branch B" "branch b002 is not yours: this certificate is for branch b001" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --branch b002 --name 越界)
expect_contains "branch A cannot push into branch B" "status=OP_REJECTED code=ERR_FORBIDDEN field=branch_id message=record " "$out"
expect_contains "FORBIDDEN names the branches" "belongs to branch b002; this certificate is for branch b001" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" --cert "$CERTS/auditor.pem" --key "$CERTS/auditor.key" --ca "$CERTS/ca.pem" --branch b001 --name 审计)
expect_contains "the auditor cannot push" "error code=ERR_FORBIDDEN field=role message=auditors may read and review but not write" "$out"
expect_contains "connection stays open after FORBIDDEN" "still_open" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" --cert "$CERTS/admin.pem" --key "$CERTS/admin.key" --ca "$CERTS/ca.pem" --branch b002 --name 管理员写)
expect_contains "admin can push into any branch" "status=OP_APPLIED rev=1" "$out"
h b1 sync >/dev/null
expect_contains "branch b002 sees the admin's record" "管理员写" "$(h b1 member list)"
expect_not_contains "branch b002 sees nothing of b001" "王秀英" "$(h b1 member list)"
h adm sync --branch b002 >/dev/null
expect_contains "admin pulls branch b002" "管理员写" "$(h adm member list)"
expect_eq "the auditor may pull everything" 0 "$(sync_ok aud)"
long=$(printf 'b%.0s' $(seq 1 64))
out=$("$HEARTH_TOOLS/loadgen" --port "$P" --cert "$CERTS/admin.pem" --key "$CERTS/admin.key" --ca "$CERTS/ca.pem" \
	--mode pull --branch "$long" 2>&1)
expect_contains "a branch id over 63 bytes is refused" "pull failed: branch_id is longer than 63 bytes" "$out"
out=$(h adm audit log --branch "$long" 2>&1)
expect_contains "the audit query refuses it too" "branch_id is longer than 63 bytes" "$out"
huge=$(printf 'x%.0s' $(seq 1 300))
out=$("$HEARTH_TOOLS/loadgen" --port "$P" --cert "$CERTS/admin.pem" --key "$CERTS/admin.key" --ca "$CERTS/ca.pem" \
	--mode pull --branch "$huge" 2>&1)
expect_contains "a 300-byte branch id is refused, not copied into a key" "pull failed: branch_id is longer than 63 bytes" "$out"
expect_eq "admin still syncs after that" 0 "$(sync_ok adm)"

# --- a replica altered behind the client's back is detected and repaired
h a1 sync >/dev/null
mdb_dump -s server "$T/home.a1/replica" >"$T/dump"
# Flip the last digit of the phone stored in one server copy (13900000002 -> ...3).
sed -i '0,/3133393030303030303032/s//3133393030303030303033/' "$T/dump"
mdb_load -s server "$T/home.a1/replica" <"$T/dump" 2>/dev/null
h a1 sync --verify >"$T/div" 2>&1
expect_contains "divergence detected" "replica differs from the server for member" "$(cat "$T/div")"
expect_contains "and repaired by a re-pull" '"phone":"13900000002"' "$(h a1 member show "$id" --json --reveal 2>/dev/null)"
h a1 sync >"$T/div2" 2>&1
expect_not_contains "no divergence after the repair" "differs" "$(cat "$T/div2")"

# --- refused pushes: exact errors, nothing stored, connection carries on
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --body-hex ff)
expect_contains "malformed body bytes: protocol error" "error code=ERR_PROTOCOL field=envelope" "$out"
expect_contains "protocol error closes the connection" "closed" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --kind 77 --name 未知)
expect_contains "unknown kind" "status=OP_REJECTED code=ERR_INVALID field=kind message=record " "$out"
expect_contains "unknown kind named" "unknown kind 77" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --id "$(echo "$id" | tr -d -)" --base-rev 999 --name 未来 --changed 1)
expect_contains "base_rev from the future" "status=OP_REJECTED code=ERR_INVALID field=base_rev" "$out"
expect_contains "base_rev message names both revisions" "base_rev 999 is ahead of the server's revision" "$out"
expect_contains "connection carries on after a rejected op" "still_open" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --id-len 15 --name 短)
expect_contains "record id of the wrong length" "status=OP_REJECTED code=ERR_INVALID field=id message=record id must be 16 bytes (got 15)" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --op-id-len 17 --name 长)
expect_contains "op id of the wrong length" "status=OP_REJECTED code=ERR_INVALID field=op_id message=op_id must be 16 bytes (got 17)" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --name "")
expect_contains "missing required name" "status=OP_REJECTED code=ERR_INVALID field=name" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --count 1001 --name 太多)
expect_contains "more ops than the limit" "error code=ERR_TOO_LARGE field=ops message=push of 1001 ops exceeds the limit of 1000 ops per push" "$out"
expect_contains "connection carries on after a refused push" "still_open" "$out"
expect_not_contains "nothing refused was stored" "未知" "$(h adm sync --branch "" >/dev/null 2>&1; h adm member list --json)"
kill -0 "$PID_s" && pass "server alive after all of it" || fail "server died"
finish
