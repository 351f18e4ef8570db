#!/bin/bash
# Issue 12 item 1: an op_id already in the op ledger is not a key to another
# branch's record. A retry answers only about the record the first op was
# about; the op_id reused for another record or kind is refused.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client b2 branch2 "$P"
B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
hexid() { echo "$1" | tr -d -; }

# Branch b002's member, with sensitive values.
victim=$(h b2 member add --name 李秘密 --gender 女 --join-date 1990-07-01 --category 正式 \
	--phone 13911112222 --id-card 110101199001011237)
h b2 sync >/dev/null 2>&1

# Branch b001 pushes one op of its own with a fixed op_id ...
opid=0123456789abcdef0123456789abcdef
own=0190aaaa00007000800000000000b001
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --op-id $opid --id $own --name 自己 --show-record)
expect_contains "b001's own op is applied" "status=OP_APPLIED rev=1" "$out"

# ... then re-sends that op_id naming b002's member.
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --op-id $opid --id "$(hexid "$victim")" --name 自己 --show-record)
expect_contains "op_id reused for another record: refused" \
	"status=OP_REJECTED code=ERR_INVALID field=op_id message=op_id 01234567-89ab-cdef-0123-456789abcdef was used for another record; every edit needs a new op_id" "$out"
expect_not_contains "b002's member is not sent" "李秘密" "$out"
expect_not_contains "b002's phone is not sent" "13911112222" "$out"
expect_not_contains "b002's id card is not sent" "110101199001011237" "$out"
expect_not_contains "no record body at all" "record branch=" "$out"

# The same op_id with the same record id but another kind: refused too.
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --op-id $opid --id $own --kind 4 --body-field 23 --show-record)
expect_contains "op_id reused for another kind: refused" "status=OP_REJECTED code=ERR_INVALID field=op_id message=op_id 01234567-89ab-cdef-0123-456789abcdef was used for another record" "$out"

# A true retry still gets the first answer, with b001's own record.
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --op-id $opid --id $own --name 自己 --show-record)
expect_contains "a retry is a DUPLICATE with the first revision" "status=OP_DUPLICATE rev=1" "$out"
expect_contains "... carrying the sender's own record" "record branch=b001 name=自己" "$out"

# b002's member is untouched.
expect_contains "b002's member is unchanged" "李秘密" "$(h b2 sync >/dev/null 2>&1; h b2 member list)"
finish
