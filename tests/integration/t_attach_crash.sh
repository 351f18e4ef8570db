#!/bin/bash
# SIGKILL of hearthd in the middle of an upload (issue 18): no chunk the
# server acknowledged is lost, no half chunk is left (hearthd check reads
# every chunk back against its hash), and the upload resumes from what the
# restarted server holds to a byte-identical download.
. "$(dirname "$0")/lib.sh"

start_server s
client a1 branch1 "$PORT_s"
F=$T/files; mkdir -p "$F"
{ printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00'; head -c 8000000 /dev/urandom; } > "$F/scan.jpg"
sha=$(sha256sum "$F/scan.jpg" | cut -d' ' -f1)
mid=$(h a1 member add --name 李明 --gender 男 --join-date 2001-07-01 --category 正式)
h a1 member attach "$mid" "$F/scan.jpg" >/dev/null
h a1 sync --no-content >/dev/null 2>&1
op() { "$HEARTH_TOOLS/chunkop" --port "$1" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" "${@:2}"; }

# chunkop sends one chunk at a time and prints each answer as it comes.
op "$PORT_s" put "$sha" "$F/scan.jpg" 0 31 > "$T/acks" 2>&1 &
up=$!
PIDS+=("$up")
for _ in $(seq 1 400); do
	[ "$(grep -c '^state' "$T/acks")" -ge 5 ] && break
	sleep 0.01
done
kill -9 "$PID_s"
wait "$PID_s" 2>/dev/null
wait "$up" 2>/dev/null
acked=$(grep -o 'have=[0-9]*' "$T/acks" | tail -1 | cut -d= -f2)
[ "${acked:-0}" -ge 5 ] && [ "$acked" -lt 31 ] && pass "killed after $acked acknowledged chunks, mid-upload" \
	|| fail "the kill did not land mid-upload (acked ${acked:-none})"

out=$("$HEARTHD" check --data "$T/s.data" 2>&1); rc=$?
expect_eq "hearthd check finds the store sound" 0 "$rc"
expect_contains "it read every chunk back" "check: attachment content reads back" "$out"
start_server s
have=$(op "$PORT_s" query "$sha" | grep -o 'have=[0-9]*' | cut -d= -f2)
[ "${have:-0}" -ge "$acked" ] && pass "no acknowledged chunk was lost ($acked acked, $have held)" \
	|| fail "the server holds ${have:-?} chunks, $acked were acknowledged"
[ "${have:-99}" -le $((acked + 1)) ] && pass "at most the chunk in flight was taken besides" \
	|| fail "the server holds $have chunks, more than $acked acknowledged plus the one in flight"

# The restarted server listens on a new port.
client a1 branch1 "$PORT_s"
out=$(h a1 sync 2>&1); rc=$?
expect_eq "the upload resumes after the restart" 0 "$rc"
expect_contains "and finishes" "uploaded the content of 1 attachment" "$out"
client a2 branch1 "$PORT_s"
h a2 sync >/dev/null 2>&1
h a2 attachment get scan.jpg --to "$T/got.jpg" >/dev/null 2>&1
cmp -s "$F/scan.jpg" "$T/got.jpg" && pass "the file downloads byte-identical" || fail "the downloaded file differs"
finish
