#!/bin/bash
# Attachment content between two replicas (issue 18 slice 2): attach, sync
# (records first, content after), the other replica syncs and sees 上传中
# until the content is whole on the server, and `attachment get` answers
# "not yet uploaded" with the progress, then downloads it on demand,
# byte-identical and hash checked. Both directions survive a cut link
# (tests/tools/cutproxy): the upload resumes at the server's last
# confirmed chunk and the download at its last whole chunk, and records
# edited meanwhile sync without waiting for the bytes. `sync
# --fetch-content` downloads every file ahead of time.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
op() { local who=$1; shift; "$HEARTH_TOOLS/chunkop" --port "$P" --cert "$CERTS/$who.pem" --key "$CERTS/$who.key" --ca "$CERTS/ca.pem" "$@"; }
# start_proxy NAME ARGS: a cutproxy in front of the server; sets PROXY_<NAME>.
start_proxy() {
	local name=$1 port=""; shift
	"$HEARTH_TOOLS/cutproxy" --port "$P" --lifetime-ms 300000 "$@" --log "$T/proxy.$name.log" \
		>"$T/proxy.$name.out" 2>&1 &
	PIDS+=($!)
	for _ in $(seq 1 100); do
		port=$(grep -o '^port=[0-9]*' "$T/proxy.$name.out" | cut -d= -f2)
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || { echo "cutproxy did not start"; cat "$T/proxy.$name.out"; exit 1; }
	printf -v "PROXY_$name" '%s' "$port"
}
# Uploads are cut after 700 KB from the client, downloads after 600 KB
# from the server: a 3 MB photo needs several connections either way.
start_proxy up --cut-up-bytes 700000
start_proxy down --cut-bytes 600000
client a1 branch1 "$PROXY_up"
client a2 branch1 "$PROXY_down"
client a3 branch1 "$P"

F=$T/files; mkdir -p "$F"
{ printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00'; head -c 3000000 /dev/urandom; } > "$F/visit.jpg"
sha=$(sha256sum "$F/visit.jpg" | cut -d' ' -f1)
mid=$(h a1 member add --name 李明 --gender 男 --join-date 2001-07-01 --category 正式)
vid=$(h a1 visit add --members "$mid" --occasion 春节 --date 2026-01-20 --visitors 张书记)
h a1 visit attach "$vid" "$F/visit.jpg" >/dev/null
h a1 sync --no-content >/dev/null 2>&1
expect_eq "the records went without the content" "state size=3000011 chunks=12 have=0 complete=0" "$(op branch1 query "$sha")"

# --- the other replica: 上传中, and a get that says how far the upload is
h a3 sync >/dev/null 2>&1
expect_contains "another replica shows the content as uploading" "uploading" "$(h a3 visit attachments "$vid")"
expect_contains "上传中 under zh_CN" "上传中" "$(LC_ALL=zh_CN.UTF-8 h a3 visit attachments "$vid")"
out=$(h a3 attachment get visit.jpg --to "$T/early.jpg" 2>&1); rc=$?
expect_eq "a get before the upload fails (exit 1)" 1 "$rc"
expect_contains "not yet uploaded, with the progress" \
	"attachment get: visit.jpg is not yet uploaded: the server holds 0 of its 12 chunks (0%)" "$out"
expect_contains "in Chinese under zh_CN" "visit.jpg 尚未上传完：服务器已有其 0/12 个分块（0%）" \
	"$(LC_ALL=zh_CN.UTF-8 h a3 attachment get visit.jpg --to "$T/early.jpg" 2>&1)"
[ -e "$T/early.jpg" ] && fail "a failed get wrote its file" || pass "nothing is written"
client a4 branch1 "$P"
out=$(h a4 sync --fetch-content 2>&1); rc=$?
expect_eq "fetching ahead before the upload is no failure" 0 "$rc"
expect_not_contains "and fetches nothing" "downloaded the content" "$out"
out=$(h a4 sync --fetch-content --no-content 2>&1); rc=$?
expect_eq "--fetch-content with --no-content is refused (exit 2)" 2 "$rc"
expect_contains "saying why" "sync: --no-content and --fetch-content exclude each other" "$out"

# --- while another sync of this replica moves its content (its lock is
# held), a sync pushes and pulls the records and leaves the bytes to it.
h a1 member edit "$mid" --address 幸福路1号 >/dev/null
flock "$T/home.a1/replica/content.lock" sleep 2 &
PIDS+=($!)
for _ in $(seq 1 100); do flock -n "$T/home.a1/replica/content.lock" true || break; sleep 0.02; done
out=$(h a1 sync 2>&1); rc=$?
expect_eq "a sync beside a content transfer succeeds" 0 "$rc"
expect_contains "it pushed the edit" "pushed 1 (applied 1" "$out"
expect_contains "and says who moves the bytes" "another 'hearth sync' is moving this replica's attachment content; it goes on there" "$out"
expect_eq "no content moved" "state size=3000011 chunks=12 have=0 complete=0" "$(op branch1 query "$sha")"
wait "${PIDS[-1]}" 2>/dev/null

# --- the upload over a link cut every 700 KB; an edit between two cuts
# syncs at once, ahead of the bytes.
cuts=0; last=0; back=0; rose=0; done_rc=1
for i in $(seq 1 30); do
	[ "$i" = 2 ] && h a1 member edit "$mid" --phone 13911112222 >/dev/null
	h a1 sync >"$T/up.$i.out" 2>&1; rc=$?
	have=$(op branch1 query "$sha" | grep -o 'have=[0-9]*' | cut -d= -f2)
	if [ "$rc" = 0 ]; then done_rc=0; break; fi
	[ "$rc" = 3 ] && cuts=$((cuts + 1))
	[ "${have:-0}" -lt "$last" ] && back=1
	[ "${have:-0}" -gt "$last" ] && rose=$((rose + 1))
	last=${have:-0}
	if [ "$i" = 2 ]; then
		h a3 sync >/dev/null 2>&1
		expect_contains "an edit made during the upload syncs without waiting" "139****2222" "$(h a3 member show "$mid")"
	fi
done
expect_eq "the upload completes" 0 "$done_rc"
[ "$cuts" -ge 3 ] && pass "it was cut $cuts times" || fail "the upload was cut only $cuts times"
# A cut may also lose what was in flight at the server (the reset drops
# its unread bytes), so not every connection must gain; none may lose.
expect_eq "no cut took back a confirmed chunk" 0 "$back"
[ "$rose" -ge $(( (cuts + 1) / 2 )) ] && pass "most cut syncs left more chunks confirmed ($rose of $cuts)" \
	|| fail "only $rose of $cuts cut syncs confirmed more chunks"
expect_eq "the server holds the whole file" "state size=3000011 chunks=12 have=12 complete=1" "$(op branch1 query "$sha")"
expect_contains "the last sync says so" "uploaded the content of 1 attachment" "$(cat "$T/up.$i.out")"
# What went up is the file once, plus what each cut lost in flight.
up=$(awk -F'up=' '{split($2, a, " "); s += a[1]} END {print s}' "$T/proxy.up.log")
[ "$up" -lt $((3000011 + (cuts + 1) * (4 * 262144 + 50000))) ] && pass "no confirmed chunk was sent again ($up bytes up)" \
	|| fail "sent $up bytes up for a 3000011-byte file over $((cuts + 1)) connections"
out=$(h a1 sync 2>&1)
expect_not_contains "a sync after that sends nothing" "uploaded the content" "$out"

# --- ahead of time: a replica that wants every file at hand
out=$(h a4 sync --fetch-content 2>&1); rc=$?
expect_eq "fetching ahead syncs (exit 0)" 0 "$rc"
expect_contains "and says what it fetched" "sync: downloaded the content of 1 attachment" "$out"
expect_contains "the file is now on that machine" "on this machine" "$(h a4 visit attachments "$vid")"
h a4 attachment get visit.jpg --to "$T/ahead.jpg" >/dev/null 2>&1
cmp -s "$F/visit.jpg" "$T/ahead.jpg" && pass "byte-identical, without a download at get" || fail "the file fetched ahead differs"

# --- the download, on demand, over a link cut every 600 KB from the server
h a2 sync >/dev/null 2>&1 || h a2 sync >/dev/null 2>&1
expect_contains "the other replica learned the content is on the server" "on the server" "$(h a2 visit attachments "$vid")"
dcuts=0; got_rc=1
for i in $(seq 1 30); do
	h a2 attachment get "${sha:0:12}" --to "$T/got.jpg" >"$T/down.$i.out" 2>&1; rc=$?
	if [ "$rc" = 0 ]; then got_rc=0; break; fi
	[ "$rc" = 3 ] && dcuts=$((dcuts + 1))
	[ -e "$T/got.jpg" ] && { fail "a cut get wrote its file"; break; }
done
expect_eq "the download completes" 0 "$got_rc"
[ "$dcuts" -ge 3 ] && pass "it was cut $dcuts times" || fail "the download was cut only $dcuts times"
cmp -s "$F/visit.jpg" "$T/got.jpg" && pass "byte-identical" || fail "the downloaded file differs"
expect_contains "and hash checked" "wrote visit.jpg to $T/got.jpg (2.9 MB, SHA-256 checked)" "$(cat "$T/down.$i.out")"
down=$(awk -F'down=' '{split($2, a, " "); s += a[1]} END {print s}' "$T/proxy.down.log")
[ "$down" -lt $((3000011 + (dcuts + 2) * 400000)) ] && pass "no whole chunk was fetched twice ($down bytes down)" \
	|| fail "fetched $down bytes for a 3000011-byte file over $((dcuts + 1)) connections"
expect_contains "now it is on this machine" "on this machine" "$(h a2 visit attachments "$vid")"
h a2 attachment get visit.jpg --to "$T/again.jpg" >/dev/null 2>&1
cmp -s "$F/visit.jpg" "$T/again.jpg" && pass "a second get is served from this machine" || fail "second get differs"
finish
