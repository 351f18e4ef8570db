#!/bin/bash
# Issue 12 item 2: a branch learns nothing about records of other branches.
# An edit, delete or resolution of such a record gets the answer of a
# missing record, word for word; a create with its id is refused as "record
# id already in use", naming no branch; its history shows what a missing
# record's shows.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client b2 branch2 "$P"
B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
hexid() { echo "$1" | tr -d -; }
push1() { "$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" "$@"; }

theirs=$(h b2 member add --name 李秘密 --gender 女 --join-date 1990-07-01 --category 正式 --phone 13911112222)
h b2 sync >/dev/null 2>&1
missing=0190bbbb00007000800000000000dead
missing_text=0190bbbb-0000-7000-8000-00000000dead
T_HEX=$(hexid "$theirs")
same() { sed "s/$theirs/RECORD/g; s/$missing_text/RECORD/g"; }

# History (an audit query by record id), before b001 has tried anything
h a1 sync >/dev/null 2>&1
a=$(h a1 history "$theirs" 2>&1)
b=$(h a1 history $missing_text 2>&1)
expect_eq "history of b002's record: what a missing record shows" "$(echo "$b" | same)" "$(echo "$a" | same)"
expect_not_contains "history: nothing of b002's create" "record.create" "$a"

# Edit
a=$(push1 --id "$T_HEX" --base-rev 1 --name 改名 --changed 1)
b=$(push1 --id $missing --base-rev 1 --name 改名 --changed 1)
expect_eq "edit of b002's record: the missing record's answer" "$(echo "$b" | same)" "$(echo "$a" | same)"
expect_contains "edit: NOT_FOUND, exact text" "status=OP_REJECTED code=ERR_NOT_FOUND field=id message=record $theirs does not exist" "$a"
expect_not_contains "edit: no branch named" "b002" "$a"

# Delete
a=$(push1 --id "$T_HEX" --base-rev 1 --delete)
b=$(push1 --id $missing --base-rev 1 --delete)
expect_eq "delete of b002's record: the missing record's answer" "$(echo "$b" | same)" "$(echo "$a" | same)"
expect_contains "delete: NOT_FOUND, exact text" "status=OP_REJECTED code=ERR_NOT_FOUND field=id message=record $theirs does not exist" "$a"

# Edit naming the other branch itself: the same answer as for a missing record too
a=$(push1 --id "$T_HEX" --base-rev 1 --branch b002 --name 改名 --changed 1)
b=$(push1 --id $missing --base-rev 1 --branch b002 --name 改名 --changed 1)
expect_eq "edit naming b002: the missing record's answer" "$(echo "$b" | same)" "$(echo "$a" | same)"

# Create with the id of b002's record
a=$(push1 --id "$T_HEX" --name 抢号)
expect_contains "create over b002's id: id in use, exact text" \
	"status=OP_REJECTED code=ERR_CONFLICT field=id message=record $theirs: record id already in use; create the record with a new id" "$a"
expect_not_contains "create: no branch named" "b002" "$a"
expect_not_contains "create: no revision named" "revision" "$a"

expect_not_contains "history afterwards: still nothing of b002's create" "record.create" "$(h a1 history "$theirs" 2>&1)"

# Nothing changed for b002.
h b2 sync >/dev/null 2>&1
expect_contains "b002's member is unchanged" "李秘密" "$(h b2 member list)"
finish
