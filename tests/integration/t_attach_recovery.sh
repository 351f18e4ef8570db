#!/bin/bash
# Attachment content after a restore (issue 18, a gap the attachment work
# left): a replica marks a file uploaded once the server holds it whole.
# The server is restored from a backup older than the second file's upload
# and put in recovery mode: the replica's recovery clears its marks, the
# re-pushed record's content goes up again, and another replica gets it
# byte-identical.
. "$(dirname "$0")/lib.sh"

KEY="$CERTS/audit-ed25519.key"
F=$T/files; mkdir -p "$F"
{ printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00'; head -c 400000 /dev/urandom; } > "$F/first.jpg"
{ printf '%%PDF-1.4\n'; head -c 700000 /dev/urandom; } > "$F/second.pdf"

# ---------------------------------------------- 1. nothing lost after a restore
start_server s
client a1 branch1 "$PORT_s"
client a2 branch1 "$PORT_s"

mid=$(h a1 member add --name 王秀英 --gender 女 --join-date 1998-07-01)
h a1 member attach "$mid" "$F/first.jpg" >/dev/null 2>"$T/err" || fail "attach first.jpg: $(cat "$T/err")"
h a1 sync >"$T/s1.out" 2>&1
expect_contains "a1 uploads the first file" "uploaded the content of 1 attachment" "$(cat "$T/s1.out")"

"$HEARTHD" backup --data "$T/s.data" --to "$T/old.mdb" >"$T/backup.out" 2>&1
expect_eq "backup after the first file" 0 "$?"

h a1 member attach "$mid" "$F/second.pdf" >/dev/null 2>"$T/err" || fail "attach second.pdf: $(cat "$T/err")"
h a1 sync >"$T/s2.out" 2>&1
expect_contains "a1 uploads the second file" "uploaded the content of 1 attachment" "$(cat "$T/s2.out")"
h a1 member attachments "$mid" >"$T/l1.out" 2>&1
expect_not_contains "a1 lists both files as on the server" "上传中" "$(LC_ALL=zh_CN.UTF-8 h a1 member attachments "$mid" 2>&1)"

# the disaster: the server comes back from the older backup, in recovery mode
stop_server s
"$HEARTHD" restore --from "$T/old.mdb" --data "$T/s.data" --force >"$T/restore.out" 2>&1
expect_eq "restore of the older backup" 0 "$?"
"$HEARTHD" recovery start --data "$T/s.data" --audit-key "$KEY" >"$T/rs.out" 2>&1
expect_eq "recovery start" 0 "$?"
start_server s --listen "127.0.0.1:$PORT_s"

# the restored server lacks the second file: a fresh replica cannot get it
client a3 branch1 "$PORT_s"
h a3 sync >/dev/null 2>&1
h a3 attachment get second.pdf --to "$T/early.pdf" >"$T/early.out" 2>&1
[ "$?" -ne 0 ] && pass "before a1's recovery the server does not give the second file" \
	|| fail "the restored server gave the second file before the recovery"
[ -f "$T/early.pdf" ] && fail "a3 got a file the restored server does not hold"

h a1 sync >"$T/r1.out" 2>"$T/r1.err"
expect_eq "a1 recovers (exit 0)" 0 "$?"
expect_contains "a1 re-pushes what the server lost" "recovery: re-pushed" "$(cat "$T/r1.err")"
expect_contains "and uploads the second file's content again" "uploaded the content of 1 attachment" \
	"$(cat "$T/r1.out")"

h a2 sync >/dev/null 2>&1
expect_eq "a2 syncs after the recovery" 0 "$?"
h a2 attachment get second.pdf --to "$T/got.pdf" >"$T/get.out" 2>&1
expect_eq "a2 gets the second file (exit 0)" 0 "$?"
cmp -s "$F/second.pdf" "$T/got.pdf" && pass "the second file is byte-identical after the restore" \
	|| fail "the second file differs after the restore: $(cat "$T/get.out")"
h a2 attachment get first.jpg --to "$T/got.jpg" >/dev/null 2>&1
cmp -s "$F/first.jpg" "$T/got.jpg" && pass "the first file, in the backup, is still there" \
	|| fail "the first file differs after the restore"
h a3 sync >/dev/null 2>&1
h a3 attachment get second.pdf --to "$T/late.pdf" >/dev/null 2>&1
cmp -s "$F/second.pdf" "$T/late.pdf" && pass "a fresh replica gets the second file too" \
	|| fail "a3 cannot get the second file after the recovery"

stop_server s
finish
