#!/bin/bash
# Memory and flood figures for issue 12 items 9 and 10. Prints numbers;
# passes or fails nothing. Each figure has its baseline from the same run,
# each on a fresh server with the default limits:
#  (a) server VmRSS with 1,000 idle authenticated mutual-TLS connections,
#      baseline the idle server;
#  (b) VmRSS while 150 connections each hold a 4 MiB frame minus one byte,
#      VmHWM (peak) and VmRSS after they are gone, baseline the idle server;
#  (c) how long `hearth whoami` takes during a 1,030-socket pre-auth flood
#      (plain TCP, never TLS, reconnected as the server closes them),
#      baseline the same command with no flood.
#
#   tests/bench/memory.sh [BUILD_DIR]    (HEARTHD overrides the server binary)
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build}
CERTS=certs/dev
T=$(mktemp -d "${TMPDIR:-/tmp}/hearth-bench-mem.XXXXXX")
PIDS=()
# errexit holds inside the trap too: a kill of a server that already stopped
# must not end the script with 1 (and leave $T behind).
trap 'for p in "${PIDS[@]:-}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$T"' EXIT
B1=(--cert $CERTS/branch1.pem --key $CERTS/branch1.key --ca $CERTS/ca.pem)

start() { # NAME
	local name=$1
	"${HEARTHD:-$B/hearthd}" --listen 127.0.0.1:0 --data "$T/$name" --cert $CERTS/server.pem \
		--key $CERTS/server.key --ca $CERTS/ca.pem --audit-key $CERTS/audit-ed25519.key --dev \
		--branch b001=第一党支部 2>"$T/$name.log" &
	SPID=$!
	PIDS+=($SPID)
	for _ in $(seq 1 100); do
		PORT=$(grep -o 'event=listening.*port=[0-9]*' "$T/$name.log" | grep -o 'port=[0-9]*' | cut -d= -f2 || true)
		[ -n "$PORT" ] && return 0
		sleep 0.05
	done
	echo "bench: server did not start"; cat "$T/$name.log"; exit 1
}
stop() { kill -TERM "$SPID"; wait "$SPID" 2>/dev/null || true; }
kb() { awk "/^$1:/ { print \$2 }" "/proc/$SPID/status"; }   # VmRSS | VmHWM, in kB
mb() { awk "BEGIN { printf \"%.1f\", $1 / 1024 }"; }
wait_for() { # FILE PATTERN: at most 60 s
	for _ in $(seq 1 600); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	echo "bench: timed out waiting for $2 in $1"; cat "$1"; exit 1
}

# (a) 1,000 idle authenticated connections.
start idle
sleep 0.5
base=$(kb VmRSS)
"$B/tests/loadgen" --port "$PORT" "${B1[@]}" --clients 1000 --pings 1 --hold-ms 6000 >"$T/a.out" 2>&1 &
LG=$!; PIDS+=($LG)
wait_for "$T/a.out" "opened="
sleep 1
held=$(kb VmRSS)
echo "(a) 1000 idle mTLS connections: $(grep -o 'opened=[0-9]* pinged=[0-9]*' "$T/a.out"); VmRSS $(mb "$held") MB (idle server: $(mb "$base") MB; $(( (held - base) / 1000 )) kB per connection)"
wait "$LG" || true
stop

# (b) 150 connections each holding a 4 MiB frame minus one byte.
start partial
sleep 0.5
base=$(kb VmRSS)
"$B/tests/partialframe" --port "$PORT" "${B1[@]}" --clients 150 --frame-bytes 4194304 --hold-ms 2000 >"$T/b.out" 2>&1 &
PF=$!; PIDS+=($PF)
wait_for "$T/b.out" "opened="
during=$(kb VmRSS)
wait "$PF" || true
sleep 1
echo "(b) 150 partial 4 MiB frames: $(head -1 "$T/b.out"), $(grep -o 'answered=[0-9]*' "$T/b.out") refused over the budget; VmRSS during $(mb "$during") MB, peak VmHWM $(mb "$(kb VmHWM)") MB, after $(mb "$(kb VmRSS)") MB (idle server: $(mb "$base") MB)"
stop

# (c) real clients during a pre-auth flood.
start flood
"$B/hearth" --home "$T/home" init --server "127.0.0.1:$PORT" "${B1[@]}" >/dev/null
times() { # LABEL: 5 whoami, each bounded by 20 s
	local ok=0 sum=0 max=0 t0 ms
	for _ in 1 2 3 4 5; do
		t0=$(date +%s%N)
		if timeout 20 "$B/hearth" --home "$T/home" whoami >/dev/null 2>&1; then ok=$((ok + 1)); fi
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		sum=$((sum + ms)); [ "$ms" -gt "$max" ] && max=$ms
	done
	echo "$1: $ok/5 ok, mean $((sum / 5)) ms, max $max ms"
}
base=$(times "no flood")
"$B/tests/tcpflood" --port "$PORT" --source 127.0.0.2 --sockets 1030 --hold-ms 20000 --reconnect >"$T/c.out" 2>&1 &
FL=$!; PIDS+=($FL)
wait_for "$T/c.out" "opened="
during=$(times "during the flood")
echo "(c) whoami, 1030-socket pre-auth flood ($(head -1 "$T/c.out")): $during (baseline $base)"
kill -TERM "$FL" 2>/dev/null || true
wait "$FL" 2>/dev/null || true
stop
