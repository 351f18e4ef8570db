#!/bin/bash
# Issue 16 item 2: the audit entry of a create names the revision stored in
# the same transaction by its digest (revision_digest) instead of copying
# every field. The chain holds the digest, not the fields; history, audit
# show and the JSON log still list every created field (read from the
# revision, sensitive ones as keyed digests); audit verify, online and
# offline, passes, and names the entry when one byte of the revision it
# names is flipped, as it does for a flipped byte of the entry itself.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client adm admin "$P"
client aud auditor "$P"

phone=13812345678
b=$(h a1 member add --name 赵铁柱 --gender 男)
id=$(h a1 member add --name 王秀英 --gender 女 --join-date 1998-07-01 --phone $phone)
h a1 sync >/dev/null
seq_of() { # ID: the seq of the record's create entry
	h adm audit log --json --record "$1" --action record.create | grep -o '"seq":[0-9]*' | head -1 | cut -d: -f2
}
seq=$(seq_of "$id")
seq_b=$(seq_of "$b")
[ -n "$seq" ] && [ -n "$seq_b" ] && [ "$seq_b" -lt "$seq" ] && pass "two creates, $seq_b before $seq" ||
	fail "create entries: [$seq_b] [$seq]"

# --- what the chain holds: the digest, not the fields
js=$(h adm audit log --json --record "$id" --action record.create)
expect_contains "the entry names its revision by digest" '"revision_digest":"' "$js"
expect_contains "the server found the revision matching" '"revision_check":"matches"' "$js"
h adm audit export --jsonl "$T/export.jsonl" >/dev/null
canon=$(grep "\"seq\":$seq," "$T/export.jsonl" | grep -o '"canonical":"[^"]*"' | cut -d'"' -f4 |
	base64 -d | od -An -tx1 | tr -d ' \n')
name_hex=$(printf '王秀英' | od -An -tx1 | tr -d ' \n')
[ -n "$canon" ] && pass "the export has the create's canonical bytes" || fail "no canonical bytes for entry $seq"
expect_not_contains "the canonical bytes do not copy the created name" "$name_hex" "$canon"

# --- every created field is still shown, read from the revision
expect_contains "log: the name field with its label" '"name":"name","label":"姓名","digested":false' "$js"
expect_contains "log: decoded new name" '"new":"王秀英"' "$js"
expect_contains "log: the phone is a digest" '"name":"phone","label":"联系电话","digested":true' "$js"
expect_not_contains "log: the phone number is not in the log" "$phone" "$js"
hist=$(h a1 history "$id")
expect_contains "history: the create" "张三 (branch b001)  record.create" "$hist"
expect_contains "history: the created name" "    姓名: (empty) → 王秀英" "$hist"
expect_contains "history: the created join date" "    入党日期: (empty) → 1998-07-01" "$hist"
expect_contains "history: the phone as a digest" "    联系电话: (empty) → (sensitive: sha256 " "$hist"
out=$(h aud audit show "$seq")
expect_contains "audit show: the revision's digest" "revision sha256" "$out"
expect_contains "audit show: the created name" "姓名 (name): (empty) → 王秀英" "$out"
expect_not_contains "audit show: no warning for a sound revision" "warning" "$out"

# --- the chain and every named revision verify, online and offline
for who in adm aud a1; do
	out=$(h $who audit verify 2>&1); rc=$?
	expect_eq "$who: audit verify passes" 0 "$rc"
done
stop_server s
out=$("$HEARTHD" --verify-audit --data "$T/s.data" --audit-key "$CERTS/audit-ed25519.key" 2>&1); rc=$?
expect_eq "hearthd --verify-audit passes" 0 "$rc"

# --- one flipped byte of the named revision
out=$("$HEARTH_TOOLS/audit_tamper" --data "$T/s.data" --seq "$seq" --flip-revision 2>&1)
expect_contains "the revision was damaged" "flipped one byte" "$out"
out=$("$HEARTHD" --verify-audit --data "$T/s.data" --audit-key "$CERTS/audit-ed25519.key" 2>&1); rc=$?
[ "$rc" -ne 0 ] && pass "hearthd --verify-audit fails on the damaged revision" || fail "--verify-audit exited 0: $out"
expect_contains "hearthd --verify-audit names entry $seq and its revision" \
	"entry $seq is damaged: revision 1 of record $id, which it names, does not match the digest in the entry" "$out"
start_server s
for n in a1 adm aud; do sed -i "s/127.0.0.1:$P/127.0.0.1:$PORT_s/" "$T/home.$n/profile.ini"; done
P=$PORT_s
out=$(h aud audit verify 2>&1); rc=$?
expect_eq "auditor: audit verify exits 1" 1 "$rc"
expect_contains "auditor: audit verify names the entry and why" \
	"audit verify: entry $seq is damaged: the record revision it names does not match the digest in the entry" "$out"
out=$(h a1 audit verify 2>&1); rc=$?
expect_eq "branch: audit verify of its own entries exits 1" 1 "$rc"
expect_contains "branch: audit verify names the entry" "audit verify: entry $seq is damaged" "$out"
hist=$(h a1 history "$id")
expect_contains "history warns of the damaged revision" "warning: the record revision it names does not match" "$hist"
expect_not_contains "history shows no fields of a damaged revision" "姓名: (empty) → 王秀英" "$hist"
out=$(h adm audit show "$seq")
expect_contains "audit show warns of the damaged revision" "warning: the record revision it names does not match" "$out"

# --- one flipped byte of an earlier create entry: named first
stop_server s
"$HEARTH_TOOLS/audit_tamper" --data "$T/s.data" --seq "$seq_b" --flip >/dev/null
out=$("$HEARTHD" --verify-audit --data "$T/s.data" --audit-key "$CERTS/audit-ed25519.key" 2>&1); rc=$?
[ "$rc" -ne 0 ] && pass "hearthd --verify-audit fails on the damaged entry" || fail "--verify-audit exited 0: $out"
expect_contains "hearthd --verify-audit names entry $seq_b" "entry $seq_b" "$out"
start_server s
for n in a1 adm aud; do sed -i "s/127.0.0.1:$P/127.0.0.1:$PORT_s/" "$T/home.$n/profile.ini"; done
out=$(h aud audit verify 2>&1); rc=$?
expect_eq "auditor: audit verify exits 1 on the damaged entry" 1 "$rc"
expect_contains "auditor: audit verify names entry $seq_b" "audit verify: entry $seq_b is damaged" "$out"
finish
