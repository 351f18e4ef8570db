#!/bin/bash
# The audit trail (DESIGN section 6, issue 5) with a real server and real
# replicas: every kind of event leaves exactly one entry with the right
# actor, branch, action and fields; refused writes leave only their
# refusal; history shows both authors of a merged record; branches read
# only their own entries; the auditor cannot write; an export can be
# checked by an outside tool (openssl); and one flipped byte in the store is
# named by both hearthd --verify-audit and hearth audit verify.
. "$(dirname "$0")/lib.sh"

AUDIT_ARGS=(--audit-key "$CERTS/audit-ed25519.key" --branch b001=第一党支部 --branch b002=第二党支部)
start_server s "${AUDIT_ARGS[@]}"
P=$PORT_s
client a1 branch1 "$P"
client b1 branch2 "$P"
client adm admin "$P"
client aud auditor "$P"
B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")

# n_entries ARGS...: how many entries the admin sees with these filters
n_entries() { h adm audit log --json --limit 100000 "$@" | grep -o '"seq":' | wc -l; }
entries() { h adm audit log --json --limit 100000 "$@"; }
# settle N ARGS...: the count of n_entries ARGS once it reaches N, waiting up
# to 3 s (a login is recorded just after the Welcome, not before it)
settle() {
	local want=$1 got; shift
	for _ in $(seq 1 60); do
		got=$(n_entries "$@")
		[ "$got" -ge "$want" ] && break
		sleep 0.05
	done
	echo "$got"
}

# --- create: one record.create by 张三 of b001, with its fields
id=$(h a1 member add --name 王秀英 --gender 女 --join-date 1998-07-01 --phone 13812345678)
h a1 sync >/dev/null
expect_eq "create: exactly one record.create" 1 "$(n_entries --record "$id" --action record.create)"
js=$(entries --record "$id" --action record.create)
expect_contains "create: actor is the branch secretary" '"actor_name":"张三"' "$js"
expect_contains "create: actor's role" '"actor_role":"branch"' "$js"
expect_contains "create: actor's branch" '"actor_branch":"b001"' "$js"
expect_contains "create: record's branch" '"branch_id":"b001"' "$js"
expect_contains "create: the name field with its new value" '"name":"name","label":"姓名","digested":false' "$js"
expect_contains "create: decoded new name" '"new":"王秀英"' "$js"
expect_contains "create: the phone is a digest, not the number" '"name":"phone","label":"联系电话","digested":true' "$js"
expect_not_contains "create: the phone number is not in the log" '13812345678' "$js"

# --- update: one record.update with the changed field only
h a1 member edit "$id" --address 北京市海淀区 >/dev/null
h a1 sync >/dev/null
expect_eq "update: exactly one record.update" 1 "$(n_entries --record "$id" --action record.update)"
js=$(entries --record "$id" --action record.update)
expect_contains "update: address from empty to the new value" '"name":"address","label":"地址","digested":false,"old_value":"","new_value":' "$js"
expect_contains "update: revision 1 -> 2" '"rev_before":1,"rev_after":2' "$js"
expect_not_contains "update: unchanged fields are not listed" '"name":"gender"' "$js"

# --- merge: the admin and the branch edit different fields offline
h adm sync --branch b001 >/dev/null
h a1 member edit "$id" --education 大学本科 >/dev/null
h adm member edit "$id" --ethnicity 汉族 >/dev/null
h a1 sync >/dev/null
h adm sync --branch b001 >/dev/null
expect_eq "merge: exactly one record.merge" 1 "$(n_entries --record "$id" --action record.merge)"
js=$(entries --record "$id" --action record.merge)
expect_contains "merge: by the admin" '"actor_name":"王五","actor_role":"admin"' "$js"
expect_contains "merge: the admin's field" '"name":"ethnicity"' "$js"
hist=$(h a1 sync >/dev/null; h a1 history "$id")
expect_contains "history: the branch secretary's create" "张三 (branch b001)  record.create" "$hist"
expect_contains "history: the admin's merge" "王五 (admin)  record.merge" "$hist"
expect_contains "history: decoded old -> new with the Chinese label" "学历: (empty) → 大学本科" "$hist"
expect_contains "history: sensitive values as digests" "联系电话: (empty) → (sensitive: sha256 " "$hist"

# --- conflict and its resolution
h a1 member edit "$id" --address 上海 >/dev/null
h adm member edit "$id" --address 广州 >/dev/null
h a1 sync >/dev/null
h adm sync --branch b001 >/dev/null 2>&1
expect_eq "conflict: exactly one conflict.open" 1 "$(n_entries --record "$id" --action conflict.open)"
js=$(entries --record "$id" --action conflict.open)
expect_contains "conflict: opened by the admin's push" '"actor_name":"王五"' "$js"
cid=$(h adm conflicts --json | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
h adm resolve "$cid" --keep mine >/dev/null
h adm sync --branch b001 >/dev/null
expect_eq "resolve: exactly one record.resolve" 1 "$(n_entries --record "$id" --action record.resolve)"
expect_eq "resolve: exactly one conflict.resolve" 1 "$(n_entries --record "$id" --action conflict.resolve)"

# --- delete
x=$(h a1 member add --name 赵铁柱 --gender 男)
h a1 sync >/dev/null
h a1 member delete "$x" >/dev/null
h a1 sync >/dev/null
expect_eq "delete: exactly one record.delete" 1 "$(n_entries --record "$x" --action record.delete)"
expect_contains "delete: by 张三" '"actor_name":"张三"' "$(entries --record "$x" --action record.delete)"

# --- login: every accepted connection is one login entry
before=$(n_entries --actor 李四 --action login)
h b1 whoami >/dev/null
expect_eq "login: one more login entry for 李四" $((before + 1)) "$(settle $((before + 1)) --actor 李四 --action login)"
expect_contains "login: actor's branch" '"actor_branch":"b002"' "$(entries --actor 李四 --action login)"

# --- refused writes: their refusal, and nothing else
before_all=$(n_entries --action record.)
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --branch b002 --name 越界)
expect_contains "branch1 into b002 is refused" "ERR_FORBIDDEN" "$out"
expect_eq "refused push: exactly one push.rejected naming b002" 1 "$(n_entries --action push.rejected --branch b002)"
expect_contains "refused push: the reason is recorded" 'belongs to branch b002' "$(entries --action push.rejected --branch b002)"
out=$("$HEARTH_TOOLS/pushop" --port "$P" --cert "$CERTS/auditor.pem" --key "$CERTS/auditor.key" --ca "$CERTS/ca.pem" --branch b001 --name 审计)
expect_contains "the auditor cannot push" "ERR_FORBIDDEN" "$out"
settle 1 --action denied --actor 赵六 >/dev/null
js=$(entries --action denied --actor 赵六)
expect_eq "the auditor's push: exactly one denied entry" 1 "$(echo "$js" | grep -o '"seq":' | wc -l)"
expect_contains "the auditor's denial says why" 'auditors may not write' "$js"
expect_eq "refused writes changed no record" "$before_all" "$(n_entries --action record.)"
expect_not_contains "nothing refused reached the records" "越界" "$(h adm sync --branch b002 >/dev/null 2>&1; h adm member list)"

# --- reveal: queued locally, one entry at the next sync
h a1 member show "$id" --reveal >/dev/null 2>"$T/reveal.err"
expect_contains "reveal: the note says it will be recorded" "recorded in the audit log at the next sync" "$(cat "$T/reveal.err")"
expect_eq "reveal: nothing before the sync" 0 "$(n_entries --record "$id" --action reveal)"
expect_contains "reveal: the sync reports it" "reported 1 reveal/export event" "$(h a1 sync 2>&1)"
expect_eq "reveal: exactly one reveal entry after the sync" 1 "$(n_entries --record "$id" --action reveal)"
js=$(entries --record "$id" --action reveal)
expect_contains "reveal: by 张三 of b001" '"actor_name":"张三"' "$js"
expect_contains "reveal: names the revealed field" 'phone' "$js"
h a1 sync >/dev/null
expect_eq "reveal: reported once, not at every sync" 1 "$(n_entries --record "$id" --action reveal)"
h a1 member list --csv >/dev/null 2>&1
h a1 sync >/dev/null
expect_eq "csv export: one export entry" 1 "$(n_entries --action export --actor 张三)"

# --- what each principal may read
b2=$(h b1 audit log --json --limit 100000 --logins)
expect_not_contains "branch b002 sees none of b001's entries" '"branch_id":"b001"' "$b2"
expect_not_contains "branch b002 sees no change made by b001" '"actor_branch":"b001","action":"record.' "$b2"
expect_contains "branch b002 does see b001's refused attempt to write into it" '"actor_branch":"b001","action":"push.rejected"' "$b2"
expect_contains "branch b002 sees its own login" '"actor_name":"李四"' "$b2"
h b1 audit log --record "$id" >"$T/b2rec" 2>&1
expect_contains "branch b002 asking for a b001 record gets nothing" "no audit entries match" "$(cat "$T/b2rec")"
expect_contains "the auditor reads every branch" '"branch_id":"b001"' "$(h aud audit log --json --limit 100000)"
expect_contains "the auditor reads b002 too" '"actor_branch":"b002"' "$(h aud audit log --json --limit 100000 --logins)"

# --- audit show decodes one entry
seq=$(entries --oldest-first --record "$id" --action record.update | grep -o '"seq":[0-9]*' | head -1 | cut -d: -f2)
out=$(h adm audit show "$seq")
expect_contains "audit show: action" "record.update" "$out"
expect_contains "audit show: field with its label, old -> new" "地址 (address): (empty) → 北京市海淀区" "$out"
out=$(LC_ALL=zh_CN.UTF-8 h adm audit show "$seq")
expect_contains "audit show: the labels in Chinese" "操作          record.update" "$out"
expect_contains "audit show: the actor's label in Chinese" "操作人        " "$out"

# --- verify: admin, auditor, branch
out=$(h adm audit verify); rc=$?
expect_eq "admin audit verify passes" 0 "$rc"
expect_contains "admin audit verify summary" "checkpoints: OK" "$out"
expect_eq "auditor audit verify passes" 0 "$(h aud audit verify >/dev/null; echo $?)"
out=$(h b1 audit verify); rc=$?
expect_eq "branch audit verify passes" 0 "$rc"
expect_contains "a branch is told what it could verify" "checks every link of the chain" "$out"

# --- export, checked by an outside tool
h aud audit export --jsonl "$T/audit.jsonl" >/dev/null
lines=$(wc -l <"$T/audit.jsonl")
[ "$lines" -gt 20 ] && pass "export has every entry ($lines)" || fail "export has only $lines lines"
hexbin() { perl -e 'print pack("H*", $ARGV[0])' "$1"; }
for n in 1 5 $((lines / 2)) "$lines"; do
	line=$(sed -n "${n}p" "$T/audit.jsonl")
	can=$(echo "$line" | grep -o '"canonical":"[^"]*"' | cut -d'"' -f4)
	leaf=$(echo "$line" | grep -o '"leaf":"[^"]*"' | cut -d'"' -f4)
	prev=$(echo "$line" | grep -o '"prev_hash":"[^"]*"' | cut -d'"' -f4)
	hash=$(echo "$line" | grep -o '"hash":"[^"]*"' | cut -d'"' -f4)
	got_leaf=$(echo "$can" | base64 -d | openssl dgst -sha256 -r | cut -d' ' -f1)
	expect_eq "export line $n: leaf = sha256(canonical) by openssl" "$leaf" "$got_leaf"
	got_hash=$( { hexbin "$prev"; hexbin "$leaf"; } | openssl dgst -sha256 -r | cut -d' ' -f1)
	expect_eq "export line $n: hash = sha256(prev_hash || leaf) by openssl" "$hash" "$got_hash"
done
expect_eq "the export is itself recorded" 1 "$(n_entries --action export --actor 赵六)"

# --- one flipped byte, found offline and online
seq=$(entries --oldest-first --record "$id" --action record.update | grep -o '"seq":[0-9]*' | head -1 | cut -d: -f2)
stop_server s
"$HEARTH_TOOLS/audit_tamper" --data "$T/s.data" --seq "$seq" --flip >/dev/null
out=$("$HEARTHD" --verify-audit --data "$T/s.data" --audit-key "$CERTS/audit-ed25519.key" 2>&1); rc=$?
[ "$rc" -ne 0 ] && pass "hearthd --verify-audit fails on the damaged store" || fail "hearthd --verify-audit exited 0: $out"
expect_contains "hearthd --verify-audit names entry $seq" "$seq" "$out"
start_server s "${AUDIT_ARGS[@]}"
sed -i "s/127.0.0.1:$P/127.0.0.1:$PORT_s/" "$T"/home.*/profile.ini
out=$(h aud audit verify 2>&1); rc=$?
expect_eq "hearth audit verify exits 1" 1 "$rc"
expect_contains "hearth audit verify names the damaged entry" "audit verify: entry $seq is damaged" "$out"
finish
