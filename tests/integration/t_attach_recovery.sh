#!/bin/bash
# Attachment content after a restore, and what a sync asks about content
# (issue 18, the gaps the attachment work left):
# 1. A replica marks a file uploaded once the server holds it whole. The
#    server is restored from a backup older than the second file's upload
#    and put in recovery mode: the replica's recovery clears its marks, the
#    re-pushed record's content goes up again, and another replica gets it
#    byte-identical.
# 2. A file known whole on the server is never asked about again: a second
#    sync with nothing new sends no ChunkQuery (counted in the log of a
#    --verbose server); files not yet whole are asked at most 64 a sync, in
#    turns, so every one is asked within a few syncs.
. "$(dirname "$0")/lib.sh"

KEY="$CERTS/audit-ed25519.key"
F=$T/files; mkdir -p "$F"
{ printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00'; head -c 400000 /dev/urandom; } > "$F/first.jpg"
{ printf '%%PDF-1.4\n'; head -c 700000 /dev/urandom; } > "$F/second.pdf"

# queries NAME: the ChunkQuery requests server NAME logged so far
queries() { grep -c 'event=chunk_query' "$T/$1.log"; }

# ---------------------------------------------- 1. nothing lost after a restore
start_server s --verbose
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
start_server s --verbose --listen "127.0.0.1:$PORT_s"

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

# --------------------------------------- 2. no question about known content
n0=$(queries s)
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1
h a3 sync >/dev/null 2>&1
expect_eq "a sync with nothing new sends no ChunkQuery (three replicas)" "$n0" "$(queries s)"

# Files not yet whole on the server are asked about at most 64 a sync, in
# turns: 70 files whose content a1 keeps back (sync --no-content), on
# three records (a record holds at most 32).
mkdir -p "$F/many"
for m in 1 2 3; do
	ids[m]=$(h a1 member add --name "成员$m" --gender 男)
done
for i in $(seq 1 70); do
	{ printf '%%PDF-1.4\n%d\n' "$i"; head -c 200 /dev/urandom; } > "$F/many/sheet$i.pdf"
	h a1 member attach "${ids[$(( i % 3 + 1 ))]}" "$F/many/sheet$i.pdf" >/dev/null 2>"$T/err" ||
		{ fail "attach sheet$i.pdf: $(cat "$T/err")"; break; }
done
h a1 sync --no-content >/dev/null 2>&1
expect_eq "a1 syncs the records without the content" 0 "$?"
n1=$(queries s)
h a2 sync --json >"$T/w1.json" 2>&1
expect_eq "a2's sync asks about 64 of the 70 files not yet whole" 64 "$(( $(queries s) - n1 ))"
expect_contains "and counts all 70 as waiting" '"content_waiting":70' "$(cat "$T/w1.json")"
n2=$(queries s)
h a2 sync >/dev/null 2>&1
expect_eq "the next sync asks 64 again, starting with the 6 not asked" 64 "$(( $(queries s) - n2 ))"
# a1 uploads them: 70 questions of its own, one per file it sends
h a1 sync >"$T/up.out" 2>&1
expect_contains "a1 uploads the 70 files" "uploaded the content of 70 attachments" "$(cat "$T/up.out")"
# a2's turns reach every file: within two syncs all 70 are known whole
h a2 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1
n3=$(queries s)
h a2 sync --json >"$T/w2.json" 2>&1
expect_eq "once all are known whole a2 asks nothing" "$n3" "$(queries s)"
expect_contains "and nothing is waiting" '"content_waiting":0' "$(cat "$T/w2.json")"
for m in 1 2 3; do
	expect_not_contains "a2 lists none of 成员$m's as 上传中" "上传中" \
		"$(LC_ALL=zh_CN.UTF-8 h a2 member attachments "${ids[m]}" 2>&1)"
done

stop_server s
finish
