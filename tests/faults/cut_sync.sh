#!/bin/bash
# cut_sync.sh: a sync over a link that is cut every N bytes (issue 13,
# item 11).
#
#   tests/faults/cut_sync.sh [--records R] [--cut-bytes N] [--page P] [--long]
#
# Defaults (ctest faults.cut_sync): 20,000 records, pages of 200, each
# connection cut after 853 KiB to 1.25 MiB from the server. --long
# (tests/bench/faults.sh): 1,000,000 records, pages of 1,000, cuts after
# 2.7 to 4 MiB. Where in the range a cut lands is drawn per connection from a
# seed the run prints (HEARTH_CUT_SEED repeats a run), so the cuts fall at
# every point of a page.
# hearthd is seeded with R members of b001 (loadgen). One replica pulls
# them through tests/tools/cutproxy without cuts (the baseline: bytes of
# one uncut sync, and of a sync with nothing to pull = what a restart costs
# before its first page). A second replica pulls them through cutproxy
# cutting every connection after N bytes from the server, and `hearth sync`
# is run again after each cut until it completes. Checked: every cut sync
# exits 3 (connection lost) and commits at least one page, so the replica's
# cursor rises strictly from one restart to the next; nothing is ever
# re-pulled from zero; the bytes the cut syncs received beyond the uncut one
# stay within one restart's cost plus one page in flight per restart (no
# committed page is pulled twice); the finished replica holds exactly R
# records, its digest matches (the sync says no "differs"), and (up to
# 50,000 records) the ids are the server's, each once.
# Prints figures: records, restarts, seconds, bytes against the baseline.
# Needs the environment tests/CMakeLists.txt gives it.
RECORDS=20000
CUT=1310720
PAGE=200
while [ $# -gt 0 ]; do
	case "$1" in
	--records) RECORDS=$2; shift 2 ;;
	--cut-bytes) CUT=$2; shift 2 ;;
	--page) PAGE=$2; shift 2 ;;
	--long) RECORDS=1000000; CUT=4194304; PAGE=1000; shift ;;
	*) echo "usage: cut_sync.sh [--records R] [--cut-bytes N] [--page P] [--long]" >&2; exit 2 ;;
	esac
done
JITTER=$((CUT / 3))
SEED=${HEARTH_CUT_SEED:-$(( (RANDOM << 15) | RANDOM ))}
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/common.sh"

B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
ADM=(--cert "$CERTS/admin.pem" --key "$CERTS/admin.key" --ca "$CERTS/ca.pem")
t0=$(date +%s)
start_server s --data "$T/store" --map-size 16G
P=$PORT_s
# Two pushing clients, 1,000 records a request: the fastest seeding there is.
half=$((RECORDS / 2))
"$HEARTH_TOOLS/loadgen" --port "$P" "${B1[@]}" --mode push --clients 2 --records "$half" --batch 1000 \
	--branch b001 >"$T/seed.out" 2>&1 || { cat "$T/seed.out"; fail "seeding $RECORDS records"; finish; }
[ $((RECORDS - 2 * half)) -gt 0 ] && "$HEARTH_TOOLS/loadgen" --port "$P" "${B1[@]}" --mode push \
	--records $((RECORDS - 2 * half)) --batch 1000 --branch b001 >/dev/null
t_seed=$(date +%s)
echo "seeded $RECORDS records in $((t_seed - t0)) s"

# start_proxy NAME CUT [cutproxy args]: a cutproxy in front of the server;
# sets PROXY_PORT.
start_proxy() {
	local name=$1 cut=$2; shift 2
	"$HEARTH_TOOLS/cutproxy" --port "$P" --cut-bytes "$cut" --lifetime-ms 3000000 --max-conns 100000 "$@" \
		--log "$T/proxy.$name.log" >"$T/proxy.$name.out" 2>&1 &
	PIDS+=($!)
	PROXY_PID=$!
	PROXY_PORT=""
	for _ in $(seq 1 100); do
		PROXY_PORT=$(grep -o '^port=[0-9]*' "$T/proxy.$name.out" | cut -d= -f2)
		[ -n "$PROXY_PORT" ] && return 0
		sleep 0.05
	done
	echo "cutproxy did not start:"; cat "$T/proxy.$name.out"; exit 1
}
# wait_conns FILE N: until the proxy logged N closed connections (at most 10 s).
wait_conns() {
	for _ in $(seq 1 200); do
		[ "$(grep -c . "$1" 2>/dev/null)" -ge "$2" ] && return 0
		sleep 0.05
	done
}
down_sum() { awk -F'[ =]' '{ for (i = 1; i < NF; i++) if ($i == "down") s += $(i + 1) } END { print s + 0 }' "$1"; }
last_down() { tail -1 "$1" | grep -o 'down=[0-9]*' | cut -d= -f2; }

# --- the baseline: the same pull, not cut.
start_proxy base 0
client base branch1 "$PROXY_PORT"
tb0=$(date +%s.%N)
h base sync --page "$PAGE" >"$T/base.out" 2>"$T/base.err"; rc=$?
tb1=$(date +%s.%N)
expect_eq "uncut sync completes" 0 "$rc"
wait_conns "$T/proxy.base.log" 1
base_bytes=$(down_sum "$T/proxy.base.log")
h base sync --page "$PAGE" >/dev/null 2>&1
wait_conns "$T/proxy.base.log" 2
idle_bytes=$(last_down "$T/proxy.base.log")
base_n=$(h base status --json | json_num records)
expect_eq "uncut replica holds $RECORDS records" "$RECORDS" "$base_n"
pages=$(( (RECORDS + PAGE - 1) / PAGE ))
page_bytes=$(( (base_bytes - idle_bytes) / pages ))
echo "baseline: uncut sync $base_bytes bytes in $(awk "BEGIN { printf \"%.1f\", $tb1 - $tb0 }") s; a sync with nothing to pull $idle_bytes bytes; a page of $PAGE ~$page_bytes bytes"
[ $((CUT - JITTER)) -gt $((idle_bytes + page_bytes)) ] || { fail "cuts after $((CUT - JITTER)) bytes leave no room for one page ($idle_bytes + $page_bytes)"; finish; }

# --- the same pull, cut every CUT - JITTER to CUT bytes; each run of
# `hearth sync` resumes.
echo "cuts after $((CUT - JITTER)) to $CUT bytes, seed $SEED"
start_proxy cut "$CUT" --jitter "$JITTER" --seed "$SEED"
client cut branch1 "$PROXY_PORT"
restarts=0
prev_cursor=0
prev_n=0
max_runs=$(( base_bytes / (CUT - JITTER - idle_bytes - page_bytes) + 20 ))
nonmono=0
badrc=0
repull=0
done_rc=1
tc0=$(date +%s.%N)
for run in $(seq 1 "$max_runs"); do
	h cut sync --page "$PAGE" >"$T/cut.out" 2>"$T/cut.err"; rc=$?
	wait_conns "$T/proxy.cut.log" "$run"
	grep -q "re-pulling from zero\|pulling from zero" "$T/cut.err" && repull=$((repull + 1))
	js=$(h cut status --json)
	cur=$(echo "$js" | json_num cursor)
	n=$(echo "$js" | json_num records)
	if [ "$rc" -eq 0 ]; then done_rc=0; break; fi
	restarts=$((restarts + 1))
	[ "$rc" -eq 3 ] || { badrc=$((badrc + 1)); echo "run $run: exit $rc: $(head -c 300 "$T/cut.err")"; }
	if [ "$cur" -le "$prev_cursor" ] || [ "$n" -le "$prev_n" ]; then
		nonmono=$((nonmono + 1))
		echo "run $run: cursor $prev_cursor -> $cur, records $prev_n -> $n"
	fi
	[ "$restarts" -le 3 ] && echo "run $run cut after $(last_down "$T/proxy.cut.log") bytes: cursor $cur, $n records committed"
	prev_cursor=$cur
	prev_n=$n
done
tc1=$(date +%s.%N)
expect_eq "the cut sync completes within $max_runs runs" 0 "$done_rc"
[ "$restarts" -ge 2 ] && pass "the link was cut $restarts times" || fail "the link was cut only $restarts times"
expect_eq "every cut run ends with exit 3 (connection lost)" 0 "$badrc"
expect_eq "every cut run committed a page: cursor and record count rise strictly across $restarts restarts" 0 "$nonmono"
expect_eq "no run re-pulled from zero" 0 "$repull"
expect_not_contains "the finished sync finds no divergence" "differs from the server" "$(cat "$T/cut.err")"
cut_bytes=$(down_sum "$T/proxy.cut.log")
conns=$(grep -c . "$T/proxy.cut.log")
extra=$((cut_bytes - base_bytes))
allow=$((restarts * (idle_bytes + page_bytes)))
[ "$extra" -le "$allow" ] && pass "bytes beyond the uncut sync ($extra) within $restarts x (restart $idle_bytes + one page in flight $page_bytes) = $allow" \
	|| fail "the cut syncs received $extra bytes more than the uncut one, more than $allow: pages were pulled twice"
js=$(h cut status --json)
expect_eq "the cut replica holds exactly $RECORDS records" "$RECORDS" "$(echo "$js" | json_num records)"
expect_eq "the cut replica's cursor is the uncut one's" "$(h base status --json | json_num cursor)" "$(echo "$js" | json_num cursor)"
expect_eq "outbox empty" 0 "$(echo "$js" | json_num pending_ops)"
if [ "$RECORDS" -le 50000 ]; then
	"$HEARTH_TOOLS/loadgen" --port "$P" "${ADM[@]}" --mode pull --branch b001 --page 5000 --dump "$T/dump" >/dev/null
	awk '$3 == 0 { print $1 }' "$T/dump" | sort > "$T/srv"
	h cut member list --json | grep -o '"id":"[0-9a-f-]*"' | cut -d'"' -f4 | sort > "$T/mine"
	expect_eq "the replica lists $RECORDS members" "$RECORDS" "$(wc -l < "$T/mine")"
	expect_eq "the same ids as the server, none twice" "" "$(comm -3 "$T/srv" "$T/mine" | head -3)"
fi
in_flight=$(awk "BEGIN { printf \"%.2f\", ($restarts > 0) ? ($extra - $restarts * $idle_bytes) / $restarts / $page_bytes : 0 }")
echo "figures: records=$RECORDS page=$PAGE cut_bytes=$((CUT - JITTER))-$CUT seed=$SEED restarts=$restarts connections=$conns cut_seconds=$(awk "BEGIN { printf \"%.1f\", $tc1 - $tc0 }") uncut_seconds=$(awk "BEGIN { printf \"%.1f\", $tb1 - $tb0 }") bytes_cut=$cut_bytes bytes_uncut=$base_bytes extra=$extra pages_refetched_per_restart=$in_flight seed_seconds=$((t_seed - t0)) seconds=$(( $(date +%s) - t0 ))"
kill "$PROXY_PID" 2>/dev/null
finish
