#!/bin/bash
# What attachment content costs on the wire (issue 18 item 6). Prints, from
# one run on this machine: upload and download MB/s of one file through
# `hearth sync` and `hearth attachment get`, next to the same bytes over a
# raw TLS 1.3 loopback connection (Python's ssl module, OpenSSL underneath,
# the dev server certificate); and the time to push 1,000 record edits (loadgen, 2
# pushes of 500) on an idle server and while another replica uploads
# BENCH_BUSY_FILES files of BENCH_MB MB (default 10 x 20 MB = 200 MB).
# Passes or fails nothing.
#
#   tests/bench/attach.sh [BUILD_DIR]
#
# Env: BENCH_MB (default 20, the default attachment_max_size), BENCH_BUSY_FILES (10).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build}
MB=${BENCH_MB:-20}
BUSY=${BENCH_BUSY_FILES:-10}
CERTS=certs/dev
T=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench.XXXXXX")
SPID= UPID=
cleanup() {
	for p in $SPID $UPID; do kill -9 "$p" 2>/dev/null || true; done
	rm -rf "$T"
}
trap cleanup EXIT
B1=(--cert $CERTS/branch1.pem --key $CERTS/branch1.key --ca $CERTS/ca.pem)
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.${2}f\", $1 }"; }
h() { local who=$1; shift; "$B/hearth" --home "$T/home.$who" "$@"; }
jpeg() { { printf '\xff\xd8\xff\xe0\x00\x10JFIF\x00'; head -c $(($2 * 1024 * 1024 - 11)) /dev/urandom; } > "$1"; }
BYTES=$((MB * 1024 * 1024))

"$B/hearthd" --listen 127.0.0.1:0 --data "$T/store" --cert $CERTS/server.pem --key $CERTS/server.key --ca $CERTS/ca.pem \
	--audit-key $CERTS/audit-ed25519.key --org demo --dev --map-size 8G \
	--branch b001=第一党支部 --branch b002=第二党支部 2>"$T/s.log" &
SPID=$!
port=
for _ in $(seq 1 100); do
	port=$(grep -o 'event=listening.*port=[0-9]*' "$T/s.log" | grep -o 'port=[0-9]*' | cut -d= -f2 || true)
	[ -n "$port" ] && break
	sleep 0.05
done
[ -n "$port" ] || { echo "bench: server did not start"; cat "$T/s.log"; exit 1; }
for r in a1 a2 a3; do
	"$B/hearth" --home "$T/home.$r" init --server "127.0.0.1:$port" "${B1[@]}" >/dev/null
done

# --- one file up and down through hearth
jpeg "$T/photo.jpg" "$MB"
mid=$(h a1 member add --name 李明 --gender 男 --join-date 2001-07-01 --category 正式)
h a1 member attach "$mid" "$T/photo.jpg" >/dev/null
h a1 sync --no-content >/dev/null
t0=$(now); h a1 sync >/dev/null; t1=$(now)
up=$(calc "$BYTES / 1048576 / ($t1 - $t0)" 1)
h a2 sync >/dev/null
t0=$(now); h a2 attachment get photo.jpg --to "$T/got.jpg" >/dev/null; t1=$(now)
down=$(calc "$BYTES / 1048576 / ($t1 - $t0)" 1)
cmp -s "$T/photo.jpg" "$T/got.jpg" || { echo "bench: the downloaded file differs"; exit 1; }

# --- the same bytes over raw TLS 1.3 on loopback (Python's ssl: OpenSSL
# underneath, one sendall and a 256 KiB recv loop, no framing, no store)
raw=$(python3 - "$T/photo.jpg" "$CERTS" <<'PY'
import socket, ssl, sys, threading, time
data = open(sys.argv[1], "rb").read()
certs = sys.argv[2]
sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
sctx.minimum_version = ssl.TLSVersion.TLSv1_3
sctx.load_cert_chain(certs + "/server.pem", certs + "/server.key")
cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
cctx.check_hostname = False
cctx.verify_mode = ssl.CERT_NONE
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(1)
got = [0]
def serve():
    c, _ = ls.accept()
    s = sctx.wrap_socket(c, server_side=True)
    while got[0] < len(data):
        b = s.recv(262144)
        if not b: break
        got[0] += len(b)
    s.sendall(b"k")
    s.close()
th = threading.Thread(target=serve); th.start()
c = cctx.wrap_socket(socket.create_connection(ls.getsockname()))
t0 = time.time()
c.sendall(data)
c.recv(1)
t1 = time.time()
th.join()
print("%.1f" % (len(data) / 1048576 / (t1 - t0)))
PY
)

# --- 1,000 record edits, idle and during a big upload
push() { "$B/tests/loadgen" --port "$port" "${B1[@]}" --mode push --records 1000 --batch 500 | grep -o 'seconds=[0-9.]*' | cut -d= -f2; }
idle=$(push)
m3=$(h a3 member add --name 王芳 --gender 女 --join-date 2003-07-01 --category 正式)
for i in $(seq 1 "$BUSY"); do jpeg "$T/busy$i.jpg" "$MB"; h a3 member attach "$m3" "$T/busy$i.jpg" >/dev/null; done
h a3 sync --no-content >/dev/null
h a3 sync >/dev/null &
UPID=$!
sleep 0.5
busy=$(push)
wait "$UPID"; UPID=
kill -TERM "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=

echo "attachment content, ${MB} MB file, one run on $(nproc) cores:"
echo "  upload   (hearth sync)           ${up} MB/s"
echo "  download (hearth attachment get) ${down} MB/s"
echo "  raw TLS 1.3 loopback (python ssl) ${raw} MB/s   (baseline, same run)"
echo "1,000 record edits pushed (loadgen, 2 x 500):"
echo "  idle server                      $(calc "$idle * 1000" 0) ms"
echo "  during a $((BUSY * MB)) MB upload           $(calc "$busy * 1000" 0) ms"
