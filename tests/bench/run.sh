#!/bin/bash
# Benchmarks for the sync engine (issue 3). Prints figures; passes or fails
# nothing. Every figure is measured in this run next to its baseline.
#
#   tests/bench/run.sh [BUILD_DIR]      (make bench runs it on build/)
#
# Env: BENCH_BIG (default 1000000) records for the large store,
#      BENCH_SMALL (default 10000), BENCH_CLIENTS (default 64).
# Figures: (a) initial pull into an empty replica, records/s;
# (b) push from one client, records/s; (c) 64 clients pushing small batches,
# durable ops/s with group commit vs one fsync per request; (d) pull of 10
# changes from a small and a large store, ms.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build}
BIG=${BENCH_BIG:-1000000}
SMALL=${BENCH_SMALL:-10000}
CL=${BENCH_CLIENTS:-64}
CERTS=certs/dev
T=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench.XXXXXX")
PIDS=()
# errexit holds inside the trap too: a kill of a server that already stopped
# must not end the script with 1 (and leave $T behind).
trap 'for p in "${PIDS[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT
LG="$B/tests/loadgen"
B1=(--cert $CERTS/branch1.pem --key $CERTS/branch1.key --ca $CERTS/ca.pem)

# The load runs open all their clients from 127.0.0.1 at once, so the
# per-address cap on connections still in their handshake (32 by default,
# a guard against floods) is raised to fit them.
printf '[limits]\nmax_preauth = 512\nmax_preauth_per_addr = 512\nmax_connections = 1024\n' > "$T/bench.ini"

start() { # NAME ARGS...  (HEARTHD overrides the binary)
	local name=$1; shift
	"${HEARTHD:-$B/hearthd}" --config "$T/bench.ini" --listen 127.0.0.1:0 --data "$T/$name" --map-size 16G --audit-key $CERTS/audit-ed25519.key \
		--cert $CERTS/server.pem --key $CERTS/server.key --ca $CERTS/ca.pem --dev \
		--branch b001=第一党支部 --branch b002=第二党支部 "$@" 2>"$T/$name.log" &
	PIDS+=($!)
	SPID=$!
	for _ in $(seq 1 100); do
		PORT=$(grep -o 'event=listening.*port=[0-9]*' "$T/$name.log" | grep -o 'port=[0-9]*' | cut -d= -f2 || true)
		[ -n "$PORT" ] && return 0
		sleep 0.05
	done
	echo "bench: server did not start"; cat "$T/$name.log"; exit 1
}
stop() { kill -TERM "$SPID"; wait "$SPID" 2>/dev/null || true; }
calc() { awk "BEGIN { printf \"%.${2}f\", $1 }"; }   # EXPR DECIMALS
field() { grep -o "$1=[0-9.]*" | head -1 | cut -d= -f2; }
rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }

echo "hearth benchmarks on $(nproc) cores, $(date -u +%FT%TZ)"
echo

# (b) push from one client, 1000 ops per request.
start big
out=$("$LG" --port "$PORT" "${B1[@]}" --mode push --records 100000 --batch 1000)
echo "(b) push 100,000 records, one client, 1000/request: $(echo "$out" | field rate) records/s (p50 $(echo "$out" | field p50_ms) ms/request)"

# (a) initial pull of 100,000 records.
out=$("$LG" --port "$PORT" "${B1[@]}" --mode pull --page 5000)
echo "(a) initial pull of 100,000 records (TLS + protobuf, client decode): $(echo "$out" | field rate) records/s"
if [ -x "$B/hearth" ] && "$B/hearth" sync --help >/dev/null 2>&1; then
	"$B/hearth" --home "$T/rep1" init --server 127.0.0.1:$PORT "${B1[@]}" >/dev/null
	t0=$(date +%s.%N); "$B/hearth" --home "$T/rep1" sync --page 5000 >/dev/null; t1=$(date +%s.%N)
	echo "    hearth sync into an empty replica (LMDB commit per page): $(calc "100000 / ($t1 - $t0)" 0) records/s"
fi

# (d) small store: 10 changes after the client is in sync.
d_small() {
	cur=$("$LG" --port "$PORT" "${B1[@]}" --mode pull --page 5000 | field cursor)
	"$LG" --port "$PORT" "${B1[@]}" --mode push --records 10 --batch 10 >/dev/null
	# Median of 21 pulls: one pull of 10 records is ~0.1 ms, so single
	# samples are mostly scheduling noise.
	for _ in $(seq 1 21); do
		"$LG" --port "$PORT" "${B1[@]}" --mode pull --cursor "$cur" --page 5000 | field ms
	done | sort -g | sed -n 11p
}
stop
start small
"$LG" --port "$PORT" "${B1[@]}" --mode push --records "$SMALL" --batch 1000 >/dev/null
small_ms=$(d_small)
stop

# Grow the big store to BIG records, then the (a) and (d) figures on it.
start big
have=100000
while [ "$have" -lt "$BIG" ]; do
	"$LG" --port "$PORT" "${B1[@]}" --mode push --records 100000 --batch 1000 --clients 2 >/dev/null
	have=$((have + 200000))
done
out=$("$LG" --port "$PORT" "${B1[@]}" --mode pull --page 5000)
echo "(a) initial pull of $(echo "$out" | field records) records: $(echo "$out" | field rate) records/s; server RSS $(rss_kb "$SPID") kB"
if [ -x "$B/hearth" ] && "$B/hearth" sync --help >/dev/null 2>&1; then
	"$B/hearth" --home "$T/rep2" init --server 127.0.0.1:$PORT "${B1[@]}" >/dev/null
	t0=$(date +%s.%N); "$B/hearth" --home "$T/rep2" sync --page 5000 >/dev/null; t1=$(date +%s.%N)
	n=$(echo "$out" | field records)
	echo "    hearth sync into an empty replica: $(calc "$n / ($t1 - $t0)" 0) records/s"
fi
big_ms=$(d_small)
echo "(d) pull of 10 changes: $SMALL-record store ${small_ms} ms, $have-record store ${big_ms} ms, ratio $(calc "$big_ms / $small_ms" 2)"
stop

# (c) many clients, small batches: group commit vs one fsync per request.
# Baseline for both: what one synchronous write costs on this disk.
t0=$(date +%s.%N)
dd if=/dev/zero of="$T/dsync" bs=4k count=1000 oflag=dsync status=none
t1=$(date +%s.%N)
echo "(c) baseline: 1,000 synchronous 4 KiB writes on this disk: $(calc "1000 / ($t1 - $t0)" 0)/s"
start gc1
out=$("$LG" --port "$PORT" "${B1[@]}" --mode push --clients "$CL" --records 100 --batch 1)
gc1=$(echo "$out" | field rate)
stop
start nogc1 --no-group-commit
out=$("$LG" --port "$PORT" "${B1[@]}" --mode push --clients "$CL" --records 100 --batch 1)
ng1=$(echo "$out" | field rate)
stop
echo "(c) $CL clients x 100 ops, 1 per request: group commit $gc1 ops/s, one fsync per request $ng1 ops/s, ratio $(calc "$gc1 / $ng1" 1)x"
start gc
out=$("$LG" --port "$PORT" "${B1[@]}" --mode push --clients "$CL" --records 200 --batch 5)
gc=$(echo "$out" | field rate); gcp99=$(echo "$out" | field p99_ms)
stop
start nogc --no-group-commit
out=$("$LG" --port "$PORT" "${B1[@]}" --mode push --clients "$CL" --records 200 --batch 5)
ng=$(echo "$out" | field rate); ngp99=$(echo "$out" | field p99_ms)
stop
echo "(c) $CL clients x 200 ops, 5 per request: group commit $gc ops/s (p99 $gcp99 ms), one fsync per request $ng ops/s (p99 $ngp99 ms), ratio $(calc "$gc / $ng" 1)x"

# Audit cost (issue 5): the same push load against hearthd and against its
# twin built with record-change audit entries skipped.
if [ -x "$B/tests/hearthd-bench-noaudit" ]; then
	start audit_on
	on=$("$LG" --port "$PORT" "${B1[@]}" --mode push --records 100000 --batch 1000 | field rate)
	stop
	HEARTHD="$B/tests/hearthd-bench-noaudit" start audit_off
	off=$("$LG" --port "$PORT" "${B1[@]}" --mode push --records 100000 --batch 1000 | field rate)
	stop
	echo "(audit) push 100,000 records: with audit $on records/s, audit skipped $off records/s, cost $(calc "100 - 100 * $on / $off" 1)%"
fi
tests/bench/memory.sh "$B"
