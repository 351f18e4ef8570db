#!/bin/bash
# Retention of detached attachment content (issue 18 item 3): once the
# detach is older than the retention period, the server lets go of the
# content (its quota is given back; a chunk another file still lists
# stays), while content still attached, and the history's metadata, stay.
# Time is simulated as in t_delete_purged.sh.
. "$(dirname "$0")/lib.sh"

repoint() { sed -i "s/^server = .*/server = 127.0.0.1:$2/" "$T/home.$1/profile.ini"; }
op() { "$HEARTHD_TOOLS_OP" --port "$1" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" "${@:2}"; }
HEARTHD_TOOLS_OP=$HEARTH_TOOLS/chunkop

printf '[limits]\nattachment_quota = 600K\n' > "$T/q.ini"
start_server s --config "$T/q.ini"
client a1 branch1 "$PORT_s"
F=$T/files; mkdir -p "$F"
# old.jpg and kept.jpg share their first chunk (the same 256 KiB).
head -c 262144 /dev/urandom > "$F/common"
{ printf '\xff\xd8\xff\xe0'; head -c 262140 "$F/common"; head -c 1000 /dev/urandom; } > "$F/old.jpg"
{ printf '\xff\xd8\xff\xe0'; head -c 262140 "$F/common"; head -c 2000 /dev/urandom; } > "$F/kept.jpg"
old=$(sha256sum "$F/old.jpg" | cut -d' ' -f1)
kept=$(sha256sum "$F/kept.jpg" | cut -d' ' -f1)
mid=$(h a1 member add --name 李明 --gender 男 --join-date 2001-07-01 --category 正式)
h a1 member attach "$mid" "$F/old.jpg" >/dev/null
h a1 member attach "$mid" "$F/kept.jpg" >/dev/null
expect_eq "both upload" 0 "$(h a1 sync >/dev/null 2>&1; echo $?)"
h a1 member detach "$mid" old.jpg >/dev/null
h a1 sync >/dev/null 2>&1
# Detached, it is served to no one (no record names it), but kept.
want="error code=ERR_NOT_FOUND field=file_sha256 message=no record this certificate may see has an attachment with SHA-256 $old"
expect_eq "a detached file is not served" "$want" "$(op "$PORT_s" query "$old")"
stop_server s
expect_contains "a fresh detach keeps the content (3 chunks: one shared)" "attachment content reads back (3 chunks, 2 files)" \
	"$("$HEARTHD" check --data "$T/s.data" 2>&1)"

HEARTHD_TEST_NOW_OFFSET_DAYS=401 HEARTHD_RETENTION_CLOCK_CONFIRMED=1 start_server s2 --data "$T/s.data" --config "$T/q.ini"
for _ in $(seq 1 100); do grep -q 'event=retention_done\|event=retention_failed' "$T/s2.log" && break; sleep 0.05; done
expect_contains "the purge let go of one file's content" "content_purged=1 content_bytes=263144" "$(cat "$T/s2.log")"
expect_contains "the attached one stays whole" "complete=1" "$(op "$PORT_s2" query "$kept")"
out=$(op "$PORT_s2" get "$kept" 0)
c0=$(head -c 262144 "$F/kept.jpg" | sha256sum | cut -d' ' -f1)
expect_eq "with the chunk it shared with the purged file" "data index=0 len=262144 sha256=$c0" "$out"
stop_server s2
out=$("$HEARTHD" check --data "$T/s.data" 2>&1); rc=$?
expect_eq "the store checks sound after the purge" 0 "$rc"
expect_contains "without the detached file; the shared chunk stays" "attachment content reads back (2 chunks, 1 files)" "$out"
HEARTHD_TEST_NOW_OFFSET_DAYS=401 HEARTHD_RETENTION_CLOCK_CONFIRMED=1 start_server s3 --data "$T/s.data" --config "$T/q.ini"
repoint a1 "$PORT_s3"
hist=$(h a1 history "$mid" 2>&1)
expect_contains "the history keeps the metadata" "old.jpg (${old:0:12})" "$hist"
# 264 KB held of 600 KB: a 300 KB file fits only because the purge gave
# the detached file's 263 KB back.
{ printf '\xff\xd8\xff\xe0'; head -c 300000 /dev/urandom; } > "$F/new.jpg"
h a1 member attach "$mid" "$F/new.jpg" >/dev/null
out=$(h a1 sync 2>&1); rc=$?
expect_eq "the purge gave its size back to the quota" 0 "$rc"
expect_contains "and the new file uploads" "uploaded the content of 1 attachment" "$out"
finish
