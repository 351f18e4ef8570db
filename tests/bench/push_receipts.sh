#!/bin/bash
# What the push receipts cost (issue 13 item 2): every push answer carries a
# signed checkpoint, signed once per commit and shared by the commit's
# requests. Prints signatures per commit next to requests per commit from
# the same load run (tests/tools/loadgen, as run.sh's figure (c)); passes
# or fails nothing.
#
#   tests/bench/push_receipts.sh [BUILD_DIR]
#
# Env: BENCH_CLIENTS (default 30: under max_preauth_per_addr, 32) clients of BENCH_RECORDS (default 100)
# single-op pushes each.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build}
CL=${BENCH_CLIENTS:-30}
N=${BENCH_RECORDS:-100}
CERTS=certs/dev
T=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench.XXXXXX")
SPID=
trap '[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null; rm -rf "$T"' EXIT
B1=(--cert $CERTS/branch1.pem --key $CERTS/branch1.key --ca $CERTS/ca.pem)
field() { grep -o "$1=[0-9.]*" | head -1 | cut -d= -f2; }
calc() { awk "BEGIN { printf \"%.${2}f\", $1 }"; }

run() { # LABEL CLIENTS RECORDS BATCH [hearthd args...]
	local label=$1 clients=$2 records=$3 batch=$4; shift 4
	"$B/hearthd" --listen 127.0.0.1:0 --data "$T/$label" --audit-key $CERTS/audit-ed25519.key \
		--branch b001=第一党支部 --branch b002=第二党支部 "$@" 2>"$T/$label.log" &
	SPID=$!
	local port=
	for _ in $(seq 1 100); do
		port=$(grep -o 'event=listening.*port=[0-9]*' "$T/$label.log" | grep -o 'port=[0-9]*' | cut -d= -f2 || true)
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || { echo "bench: server did not start"; cat "$T/$label.log"; exit 1; }
	local out
	out=$("$B/tests/loadgen" --port "$port" "${B1[@]}" --mode push --clients "$clients" --records "$records" \
		--batch "$batch")
	kill -TERM "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=
	local line commits sigs reqs
	line=$(grep 'event=writer_stopped' "$T/$label.log" | tail -1)
	commits=$(echo "$line" | field commits)
	sigs=$(echo "$line" | field signatures)
	reqs=$(echo "$out" | field requests)
	echo "$label: $reqs push requests in $commits commits: $(calc "$reqs / $commits" 2) requests/commit," \
	     "$sigs signatures: $(calc "$sigs / $commits" 2) signatures/commit ($(echo "$out" | field rate) ops/s)"
}

echo "push receipts on $(nproc) cores, $(date -u +%FT%TZ)"
run group-commit "$CL" "$N" 1
run no-group-commit "$CL" "$N" 1 --no-group-commit
run one-client-1000 1 20000 1000
