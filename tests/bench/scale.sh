#!/bin/bash
# Scale benchmark (issue 16 item 5; make bench-scale, not in CI). Grows one
# store through the sizes of SCALE_SIZES and prints, at each size, the
# figures that must stay flat as the store grows. Passes or fails nothing:
# each figure is printed with its ratio against the same figure at the
# first size, measured in this run.
#
#   tests/bench/scale.sh [BUILD_DIR]
#
# Env: SCALE_SIZES (default "100000 1000000 10000000") the store sizes in
#      records, ascending; SCALE_BATCH (default 1000) ops per push request;
#      SCALE_REPLICA_STATS_MAX (default 1000000) the largest size at which an
#      admin replica is synced for the replica-side stats (above it statsms
#      prints "-": a 10 M admin replica is what server figures make needless,
#      and it would take another ~15 GB of disk); SCALE_COMMITTEE_MAX
#      (default 1000000) the largest size at which the server's computation
#      is timed (above it comm1/comm2 print "-": every generated record is
#      in one branch, and the server holds one branch's records in memory
#      while it counts them, as a replica does).
# At each size:
#   push       rate of the last 100,000 records pushed (one client, 2
#              connections), records/s
#   pull10     median of 21 pulls of 10 new changes, ms
#   digest     'hearth sync' of an in-sync branch replica (push nothing,
#              pull nothing, compare count + digest per kind), ms
#   stats      'hearth admin stats --offline' over an admin replica synced
#              to this size, ms (the replica-side computation)
#   comm1      'hearth admin stats' computed by the server (issue 16 item
#              4: CommitteeRequest, every branch's snapshot counted; two TLS
#              sessions: figures, branch names), the first call after a
#              restart, ms, in the same run: compare it with stats. The
#              bench waits for hearthd's first warm job (its log line
#              event=committee_warm, [committee] warm = on) before this
#              call, so comm1 is the warm figure: every row cached
#              (SCALE_WARM=off: warm = off, comm1 the cold call)
#   comm2      the same call again, every branch's row from the server's
#              cache (no record changed), ms
#   disk/rec   allocated bytes of data.mdb per record
#   start      hearthd start-up until it listens, ms
#   RssAnon    anonymous memory of hearthd after a full pull, kB, next to
#   RssFile    its file-mapped resident pages (LMDB's map), kB
# Below each size a row "x stats" gives comm1 and comm2 against stats at
# that size, and from the second size on a row "x first" every figure
# against the first size.
# The records are loadgen's generated member records (~400 bytes packed,
# Chinese names and notes).
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${1:-build}
SIZES=${SCALE_SIZES:-"100000 1000000 10000000"}
BATCH=${SCALE_BATCH:-1000}
REPLICA_STATS_MAX=${SCALE_REPLICA_STATS_MAX:-1000000}
COMMITTEE_MAX=${SCALE_COMMITTEE_MAX:-1000000}
# The replicas of this run hold up to the whole store; their default map
# (sized for a branch office) is far too small for 10 M records.
export HEARTH_REPLICA_MAP=${HEARTH_REPLICA_MAP:-48G}
CERTS=certs/dev
T=$(mktemp -d "${TMPDIR:-/tmp}/hearth-scale.XXXXXX")
SPID=
trap '[ -n "$SPID" ] && kill -9 "$SPID" 2>/dev/null; rm -rf "$T"; true' EXIT
LG="$B/tests/loadgen"
B1=(--cert $CERTS/branch1.pem --key $CERTS/branch1.key --ca $CERTS/ca.pem)
AD=(--cert $CERTS/admin.pem --key $CERTS/admin.key --ca $CERTS/ca.pem)
printf '[limits]\nmax_preauth = 512\nmax_preauth_per_addr = 512\nmax_connections = 1024\n' > "$T/bench.ini"
# SCALE_WARM=off: hearthd's warm job off, comm1 the cold first call (the baseline).
printf '[committee]\nwarm = %s\n' "${SCALE_WARM:-on}" >> "$T/bench.ini"

now_ms() { date +%s%3N; }
calc() { awk "BEGIN { printf \"%.${2}f\", $1 }"; }   # EXPR DECIMALS
field() { grep -o "$1=[0-9.]*" | head -1 | cut -d= -f2; }
ratio() { [ "$1" = - ] || [ "$2" = - ] && echo - || calc "$1 / ($2 ? $2 : 1)" 2; }   # A B: A / B, "-" when either is
status_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# Starts hearthd on the one store; sets PORT, SPID and START_MS (ms from
# exec until the listening line).
start() {
	: > "$T/hearthd.log"
	local t0; t0=$(now_ms)
	"${HEARTHD:-$B/hearthd}" --config "$T/bench.ini" --listen 127.0.0.1:0 --data "$T/store" --map-size 64G \
		--audit-key $CERTS/audit-ed25519.key --cert $CERTS/server.pem --key $CERTS/server.key \
		--ca $CERTS/ca.pem --dev --branch b001=第一党支部 --branch b002=第二党支部 2>"$T/hearthd.log" &
	SPID=$!
	for _ in $(seq 1 6000); do
		PORT=$(grep -o 'event=listening.*port=[0-9]*' "$T/hearthd.log" | grep -o 'port=[0-9]*' | cut -d= -f2 || true)
		if [ -n "$PORT" ]; then
			START_MS=$(( $(now_ms) - t0 ))
			return 0
		fi
		sleep 0.01
	done
	echo "bench-scale: server did not start"; cat "$T/hearthd.log"; exit 1
}
stop() { kill -TERM "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=; }

pull10() {
	local cur
	cur=$("$LG" --port "$PORT" "${B1[@]}" --mode pull --page 5000 --cursor "$LAST" | field cursor)
	"$LG" --port "$PORT" "${B1[@]}" --mode push --records 10 --batch 10 >/dev/null
	for _ in $(seq 1 21); do
		"$LG" --port "$PORT" "${B1[@]}" --mode pull --cursor "$cur" --page 5000 | field ms
	done | sort -g | sed -n 11p
	LAST=$(( cur + 10 ))
}

echo "hearth scale benchmark on $(nproc) cores, $(date -u +%FT%TZ); sizes: $SIZES"
printf '%-10s %10s %8s %8s %9s %9s %9s %9s %6s %8s %10s %10s\n' records push/s pull10ms digestms statsms comm1ms comm2ms disk/rec startms RssAnon/kB RssFile/kB
have=0
LAST=0
first=""
start
"$B/hearth" --home "$T/branch" init --server 127.0.0.1:$PORT "${B1[@]}" >/dev/null
"$B/hearth" --home "$T/admin" init --server 127.0.0.1:$PORT "${AD[@]}" >/dev/null
for size in $SIZES; do
	# Grow to size - 100,000 on two connections, then time the last 100,000.
	while [ $((have + 200000)) -le $((size - 100000)) ]; do
		"$LG" --port "$PORT" "${B1[@]}" --mode push --records 100000 --batch "$BATCH" --clients 2 >/dev/null
		have=$((have + 200000))
	done
	if [ "$have" -lt $((size - 100000)) ]; then
		"$LG" --port "$PORT" "${B1[@]}" --mode push --records $((size - 100000 - have)) --batch "$BATCH" >/dev/null
		have=$((size - 100000))
	fi
	push=$("$LG" --port "$PORT" "${B1[@]}" --mode push --records 100000 --batch "$BATCH" | field rate)
	have=$((have + 100000))
	p10=$(pull10)
	have=$((have + 10))
	# A full wire pull, then the server's memory: anonymous apart from mapped.
	"$LG" --port "$PORT" "${B1[@]}" --mode pull --page 5000 >/dev/null
	anon=$(status_kb "$SPID" RssAnon); file=$(status_kb "$SPID" RssFile)
	"$B/hearth" --home "$T/branch" sync --page 5000 >/dev/null
	t0=$(now_ms); "$B/hearth" --home "$T/branch" sync >/dev/null; dig=$(( $(now_ms) - t0 ))
	if [ "$size" -le "$REPLICA_STATS_MAX" ]; then
		"$B/hearth" --home "$T/admin" sync --page 5000 >/dev/null
		t0=$(now_ms); "$B/hearth" --home "$T/admin" admin stats --offline >/dev/null 2>&1; st=$(( $(now_ms) - t0 ))
	else
		st=-
	fi
	stop
	disk=$(du -B1 "$T/store/data.mdb" | cut -f1)
	start
	# The replicas follow the server to its new port.
	sed -i "s/^server = .*/server = 127.0.0.1:$PORT/" "$T/branch/profile.ini" "$T/admin/profile.ini"
	# The server's computation: cold (a restarted hearthd caches nothing), then cached.
	if [ "$size" -le "$COMMITTEE_MAX" ]; then
		for _ in $(seq 1 1200); do   # at most 120 s
			[ "${SCALE_WARM:-on}" = off ] && break
			grep -q 'event=committee_warm ' "$T/hearthd.log" && break
			sleep 0.1
		done
		grep 'event=committee_warm ' "$T/hearthd.log" | head -1 >&2 || true   # none when warm = off
		t0=$(now_ms); "$B/hearth" --home "$T/admin" admin stats >/dev/null 2>&1; c1=$(( $(now_ms) - t0 ))
		t0=$(now_ms); "$B/hearth" --home "$T/admin" admin stats >/dev/null 2>&1; c2=$(( $(now_ms) - t0 ))
	else
		c1=- c2=-
	fi
	per=$(calc "$disk / $have" 0)
	printf '%-10s %10s %8s %8s %9s %9s %9s %9s %6s %8s %10s %10s\n' "$have" "$push" "$p10" "$dig" "$st" "$c1" "$c2" "$per" \
		"$START_MS" "$anon" "$file"
	printf '%-10s %10s %8s %8s %9s %9s %9s\n' "  x stats" "" "" "" "" \
		"$(ratio "$c1" "$st")" "$(ratio "$c2" "$st")"
	if [ -z "$first" ]; then
		first="$push $p10 $dig $st $c1 $c2 $per $START_MS $anon"
	else
		read -r f_push f_p10 f_dig f_st f_c1 f_c2 f_per f_start f_anon <<<"$first"
		printf '%-10s %10s %8s %8s %9s %9s %9s %9s %6s %8s\n' "  x first" "$(calc "$push / $f_push" 2)" \
			"$(calc "$p10 / $f_p10" 2)" "$(calc "$dig / ($f_dig ? $f_dig : 1)" 2)" \
			"$( [ "$st" = - ] && echo - || calc "$st / ($f_st ? $f_st : 1)" 2)" "$(ratio "$c1" "$f_c1")" \
			"$(ratio "$c2" "$f_c2")" "$(calc "$per / $f_per" 2)" \
			"$(calc "$START_MS / ($f_start ? $f_start : 1)" 2)" "$(calc "$anon / $f_anon" 2)"
	fi
done
stop
exit 0
