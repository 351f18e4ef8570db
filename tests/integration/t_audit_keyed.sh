#!/bin/bash
# Issue 12 item 5: the digests of sensitive values in new audit entries are
# HMAC-SHA-256 with the server's audit secret, not plain SHA-256 (a phone
# number's SHA-256 is found by trying every number in under a second); the
# entry says so (keyed), equal values still give equal digests, and the
# chain still verifies.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client adm admin "$P"
# The secret beside the audit key (certs/mkcerts.sh), else one the server
# made in its data directory.
secret="$CERTS/audit_secret"
if [ ! -r "$secret" ]; then
	secret="$T/s.data/audit_secret"
	expect_eq "the server made its audit secret readable by its owner only" 600 "$(stat -c %a "$secret")"
fi
[ "$(stat -c %s "$secret")" -ge 32 ] && pass "a 32-byte audit secret" || fail "no audit secret"
expect_contains "the server says which secret it uses" "event=audit_secret path=$secret" "$(cat "$T/s.log")"

phone=13912345678
id=$(h a1 member add --name 王秀英 --gender 女 --join-date 1998-07-01 --category 正式 --phone $phone)
h a1 sync >/dev/null 2>&1
h adm sync --branch "" >/dev/null 2>&1
js=$(h adm audit log --record "$id" --action record.create --json 2>&1)
got=$(echo "$js" | grep -o '"name":"phone"[^}]*' | grep -o '"new_value":"[^"]*"' | cut -d'"' -f4)

# The stored value is the encoded field: tag 0x72 (field 14, bytes), length 11, the digits.
field_hex=$(printf '\x72\x0b%s' $phone | od -An -tx1 | tr -d ' \n')
plain=$(printf '\x72\x0b%s' $phone | openssl dgst -sha256 -r | cut -d' ' -f1)
keyed=$(printf '\x72\x0b%s' $phone | openssl dgst -sha256 -mac HMAC -macopt hexkey:"$(head -c 32 "$secret" | od -An -tx1 | tr -d ' \n')" -r | cut -d' ' -f1)
echo "field bytes $field_hex; stored $got"
[ -n "$got" ] && pass "the phone's digest is in the entry" || fail "no phone digest in [$js]"
expect_eq "the digest is HMAC-SHA-256(secret, value)" "$keyed" "$got"
[ "$got" != "$plain" ] && pass "the digest is not SHA-256(value)" || fail "the digest is plain SHA-256"
# The change is marked keyed: in the canonical bytes, AuditChange field 5
# (digested) = 1 is followed by field 6 (keyed) = 1. A create's entry names
# its revision instead of copying the fields, so an edit of the phone
# carries the change in the chain.
h a1 member edit "$id" --phone 13987654321 >/dev/null
h a1 sync >/dev/null 2>&1
h adm audit export --jsonl "$T/export.jsonl" >/dev/null 2>&1
canon=$(grep '"record.update"' "$T/export.jsonl" | head -1 | grep -o '"canonical":"[^"]*"' | cut -d'"' -f4 |
	base64 -d | od -An -tx1 | tr -d ' \n')
expect_contains "the change is marked keyed (digested=1, keyed=1)" "28013001" "$canon"

# The chain verifies (every entry, old-style session events and keyed changes).
out=$(h adm audit verify 2>&1); rc=$?
expect_eq "audit verify passes" 0 "$rc"
finish
