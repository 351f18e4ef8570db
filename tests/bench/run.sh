#!/bin/bash
# Benchmarks for the sync engine (issues 3 and 16). Prints figures; passes
# or fails nothing, and exits 0 once they are printed. Every figure is
# measured in this run next to its baseline, and the run ends with one
# table of them all: figure, baseline, ratio.
#
#   tests/bench/run.sh [BUILD_DIR]      (make bench runs it on build/)
#
# Env: BENCH_BIG (default 1000000) records for the large store,
#      BENCH_SMALL (default 10000), BENCH_CLIENTS (default 64),
#      HEARTHD (the server binary; default BUILD_DIR/hearthd) and
#      HEARTHD_NOAUDIT (its twin without record-change audit entries;
#      default BUILD_DIR/tests/hearthd-bench-noaudit), to measure another
#      build of the server with this build's tools.
# Figures: (a) initial pull into an empty replica, records/s;
# (b) push from one client, records/s, and the server's CPU per record;
# (c) 64 clients pushing small batches, durable ops/s with group commit vs
# one fsync per request; (d) pull of 10 changes from a small and a large
# store, ms; the audit's cost on push.
# Baselines (tests/tools/benchbase.c and dd): synchronous 4 KiB writes
# (dd oflag=dsync), a raw LMDB insert of the same records in one
# transaction, and a raw TLS 1.3 loopback connection (round trip and
# one-way stream), no hearth code in between.
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
# The table printed at the end: one row per figure, beside its baseline.
ROWS=()
row() { ROWS+=("$1|$2|$3|$4|$5"); }   # FIGURE VALUE BASELINE BASELINE_VALUE RATIO
# CPU seconds of process $1 so far (all threads), and of its busiest thread
# other than the main (loop) thread: the writer.
cpu_s() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }
writer_cpu_s() {
	local best=0 t v
	for t in /proc/"$1"/task/*; do
		[ "${t##*/}" = "$1" ] && continue
		v=$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null || echo 0)
		[ "$v" -gt "$best" ] && best=$v
	done
	calc "$best / 100" 2
}
field() { grep -o "$1=[0-9.]*" | head -1 | cut -d= -f2; }
rss_kb() { awk '/VmRSS/ { print $2 }' "/proc/$1/status"; }

echo "hearth benchmarks on $(nproc) cores, $(date -u +%FT%TZ)"
echo

# Baselines, measured first: the disk, LMDB alone and TLS alone.
t0=$(date +%s.%N)
dd if=/dev/zero of="$T/dsync" bs=4k count=1000 oflag=dsync status=none
t1=$(date +%s.%N)
dsync=$(calc "1000 / ($t1 - $t0)" 0)
echo "baseline: 1,000 synchronous 4 KiB writes on this disk: $dsync/s"
mkdir -p "$T/raw_lmdb"
lm=$("$B/tests/benchbase" --mode lmdb --dir "$T/raw_lmdb" --records 100000)
raw_rate=$(echo "$lm" | field rate); raw_cpu=$(echo "$lm" | field cpu_us); raw_bytes=$(echo "$lm" | field bytes)
rm -rf "$T/raw_lmdb"
echo "baseline: raw LMDB insert of the same 100,000 records ($raw_bytes bytes each) in one transaction: $raw_rate records/s, $raw_cpu us CPU per record"
tl=$("$B/tests/benchbase" --mode tls --cert $CERTS/server.pem --key $CERTS/server.key --client-cert $CERTS/branch1.pem \
	--client-key $CERTS/branch1.key --ca $CERTS/ca.pem --reply $((10 * raw_bytes)) --stream 256)
tls_rtt=$(echo "$tl" | field rtt_ms); tls_mbps=$(echo "$tl" | field mbps)
tls_rec=$(calc "$tls_mbps * 1048576 / $raw_bytes" 0)
echo "baseline: raw TLS 1.3 loopback: round trip of a $((10 * raw_bytes))-byte answer $tls_rtt ms; one way $tls_mbps MiB/s ($tls_rec records/s at $raw_bytes bytes)"

# (b) push from one client, 1000 ops per request.
start big
c0=$(cpu_s "$SPID"); w0=$(writer_cpu_s "$SPID")
out=$("$LG" --port "$PORT" "${B1[@]}" --mode push --records 100000 --batch 1000)
push_rate=$(echo "$out" | field rate)
srv_us=$(calc "($(cpu_s "$SPID") - $c0) * 10" 1); wr_us=$(calc "($(writer_cpu_s "$SPID") - $w0) * 10" 1)
echo "(b) push 100,000 records, one client, 1000/request: $push_rate records/s (p50 $(echo "$out" | field p50_ms) ms/request); server CPU $srv_us us per record, of which the writer thread $wr_us us"
row "(b) push 100,000 records, one client, 1000/request" "$push_rate records/s" "raw LMDB insert, one transaction" "$raw_rate records/s" "$(calc "$push_rate / $raw_rate" 2)"
row "(b) writer thread CPU per record" "$wr_us us" "raw LMDB insert CPU per record" "$raw_cpu us" "$(calc "$wr_us / $raw_cpu" 1)"
row "(b) server CPU per record (loop + writer)" "$srv_us us" "raw LMDB insert CPU per record" "$raw_cpu us" "$(calc "$srv_us / $raw_cpu" 1)"

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
n=$(echo "$out" | field records); pull_rate=$(echo "$out" | field rate)
echo "(a) initial pull of $n records: $pull_rate records/s; server RSS $(rss_kb "$SPID") kB"
row "(a) wire pull of $n records (TLS + protobuf, client decode)" "$pull_rate records/s" "raw TLS loopback stream" "$tls_rec records/s" "$(calc "$pull_rate / $tls_rec" 2)"
if [ -x "$B/hearth" ] && "$B/hearth" sync --help >/dev/null 2>&1; then
	"$B/hearth" --home "$T/rep2" init --server 127.0.0.1:$PORT "${B1[@]}" >/dev/null
	t0=$(date +%s.%N); "$B/hearth" --home "$T/rep2" sync --page 5000 >/dev/null; t1=$(date +%s.%N)
	sync_rate=$(calc "$n / ($t1 - $t0)" 0)
	echo "    hearth sync into an empty replica: $sync_rate records/s"
	row "(a) hearth sync of $n records into an empty replica" "$sync_rate records/s" "wire pull of the same records (above)" "$pull_rate records/s" "$(calc "$sync_rate / $pull_rate" 2)"
	row "(a) hearth sync of $n records into an empty replica" "$sync_rate records/s" "raw LMDB insert, one transaction" "$raw_rate records/s" "$(calc "$sync_rate / $raw_rate" 2)"
fi
big_ms=$(d_small)
echo "(d) pull of 10 changes: $SMALL-record store ${small_ms} ms, $have-record store ${big_ms} ms, ratio $(calc "$big_ms / $small_ms" 2)"
row "(d) pull of 10 changes, $SMALL-record store" "$small_ms ms" "raw TLS round trip, same bytes" "$tls_rtt ms" "$(calc "$small_ms / $tls_rtt" 1)"
row "(d) pull of 10 changes, $have-record store" "$big_ms ms" "the same pull, $SMALL-record store" "$small_ms ms" "$(calc "$big_ms / $small_ms" 2)"
stop

# (c) many clients, small batches: group commit vs one fsync per request.
# Baseline for both: what one synchronous write costs on this disk (above).
start gc1
out=$("$LG" --port "$PORT" "${B1[@]}" --mode push --clients "$CL" --records 100 --batch 1)
gc1=$(echo "$out" | field rate)
stop
start nogc1 --no-group-commit
out=$("$LG" --port "$PORT" "${B1[@]}" --mode push --clients "$CL" --records 100 --batch 1)
ng1=$(echo "$out" | field rate)
stop
echo "(c) $CL clients x 100 ops, 1 per request: group commit $gc1 ops/s, one fsync per request $ng1 ops/s, ratio $(calc "$gc1 / $ng1" 1)x"
row "(c) $CL clients x 1 op per request, group commit" "$gc1 ops/s" "one fsync per request" "$ng1 ops/s" "$(calc "$gc1 / $ng1" 1)"
row "(c) $CL clients x 1 op per request, group commit" "$gc1 ops/s" "synchronous 4 KiB writes" "$dsync/s" "$(calc "$gc1 / $dsync" 1)"
row "(c) $CL clients x 1 op per request, one fsync per request" "$ng1 ops/s" "synchronous 4 KiB writes" "$dsync/s" "$(calc "$ng1 / $dsync" 2)"
start gc
out=$("$LG" --port "$PORT" "${B1[@]}" --mode push --clients "$CL" --records 200 --batch 5)
gc=$(echo "$out" | field rate); gcp99=$(echo "$out" | field p99_ms)
stop
start nogc --no-group-commit
out=$("$LG" --port "$PORT" "${B1[@]}" --mode push --clients "$CL" --records 200 --batch 5)
ng=$(echo "$out" | field rate); ngp99=$(echo "$out" | field p99_ms)
stop
echo "(c) $CL clients x 200 ops, 5 per request: group commit $gc ops/s (p99 $gcp99 ms), one fsync per request $ng ops/s (p99 $ngp99 ms), ratio $(calc "$gc / $ng" 1)x"
row "(c) $CL clients x 5 ops per request, group commit" "$gc ops/s" "one fsync per request" "$ng ops/s" "$(calc "$gc / $ng" 1)"
row "(c) $CL clients x 5 ops per request, group commit" "$gc ops/s" "synchronous 4 KiB writes" "$dsync/s" "$(calc "$gc / $dsync" 1)"

# Audit cost (issue 5): the same push load against hearthd and against its
# twin built with record-change audit entries skipped.
NOAUDIT=${HEARTHD_NOAUDIT:-$B/tests/hearthd-bench-noaudit}
if [ -x "$NOAUDIT" ]; then
	# Wall-clock rates move with the machine's load; the server's CPU per
	# record (from /proc) is the steadier measure of the same cost.
	start audit_on
	c0=$(cpu_s "$SPID")
	on=$("$LG" --port "$PORT" "${B1[@]}" --mode push --records 100000 --batch 1000 | field rate)
	on_us=$(calc "($(cpu_s "$SPID") - $c0) * 10" 1)
	stop
	HEARTHD="$NOAUDIT" start audit_off
	c0=$(cpu_s "$SPID")
	off=$("$LG" --port "$PORT" "${B1[@]}" --mode push --records 100000 --batch 1000 | field rate)
	off_us=$(calc "($(cpu_s "$SPID") - $c0) * 10" 1)
	stop
	echo "(audit) push 100,000 records: with audit $on records/s, audit skipped $off records/s, cost $(calc "100 - 100 * $on / $off" 1)%"
	row "(audit) push 100,000 records with the audit" "$on records/s" "the same push, audit skipped" "$off records/s" "$(calc "$on / $off" 2) (cost $(calc "100 - 100 * $on / $off" 1)%)"
	row "(audit) server CPU per pushed record with the audit" "$on_us us" "the same push, audit skipped" "$off_us us" "$(calc "$on_us / $off_us" 2) (cost $(calc "100 - 100 * $off_us / $on_us" 1)%)"
fi
tests/bench/memory.sh "$B"

# The table: every figure of this run beside its baseline from this run.
echo
echo "figure | value | baseline (this run) | baseline value | ratio"
echo "--- | --- | --- | --- | ---"
for r in "${ROWS[@]}"; do
	echo "${r//|/ | }"
done
