#!/bin/bash
# client_crash_loop.sh: `hearth sync` SIGKILLed at random points, over and
# over (issue 13, item 11).
#
#   tests/faults/client_crash_loop.sh [--cycles N] [--long]    (--long: 200 cycles)
#
# Default (ctest faults.client_crash_loop): 20 cycles. One hearthd stays up;
# three replicas (two offices of b001, one of b002) take turns. Each cycle
# another office pushes 150 members to the server (loadgen, acknowledged ids
# logged) so there are pages to pull, the replica of the turn gets a new
# local member, and its `hearth sync --batch 1 --page 40` is killed with
# SIGKILL at a random point: after the K-th push answer arrives but before
# it is stored (HEARTH_FAULT push-ack:K), after the K-th pull page arrives
# but before it is committed (pull-recv:K), right after the K-th page is
# committed (pull-page:K), or from outside after a random 0-400 ms, which
# lands anywhere, inside LMDB commits included. After each kill the replica
# still opens (`hearth status`). After the loop every replica syncs once
# cleanly, then checked: every local member and every op the server
# acknowledged is on the server exactly once, each replica holds exactly
# its branch's server records (same ids, none twice), its outbox is empty,
# the digest matched without a re-pull, and the two b001 offices end at one
# cursor. Prints figures: kills per point, local edits and server ops
# acknowledged / found / lost / doubled. Needs the environment
# tests/CMakeLists.txt gives it.
CYCLES=20
while [ $# -gt 0 ]; do
	case "$1" in
	--cycles) CYCLES=$2; shift 2 ;;
	--long) CYCLES=200; shift ;;
	*) echo "usage: client_crash_loop.sh [--cycles N] [--long]" >&2; exit 2 ;;
	esac
done
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/common.sh"

ADM=(--cert "$CERTS/admin.pem" --key "$CERTS/admin.key" --ca "$CERTS/ca.pem")
B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
B2=(--cert "$CERTS/branch2.pem" --key "$CERTS/branch2.key" --ca "$CERTS/ca.pem")
t0=$(date +%s)
start_server s --data "$T/store"
P=$PORT_s
: > "$T/acked"
: > "$T/local_ids"
"$HEARTH_TOOLS/loadgen" --port "$P" "${B1[@]}" --mode push --records 500 --batch 100 --branch b001 \
	--ack-log "$T/acked" >/dev/null
"$HEARTH_TOOLS/loadgen" --port "$P" "${B2[@]}" --mode push --records 300 --batch 100 --branch b002 \
	--ack-log "$T/acked" >/dev/null
client a1 branch1 "$P"
client a2 branch1 "$P"
client b1 branch2 "$P"
REPS=(a1 a2 b1)
declare -A KILLS=() PENDING=()
completed=0
unopenable=0

for cycle in $(seq 1 "$CYCLES"); do
	r=${REPS[$(( (cycle - 1) % 3 ))]}
	if [ "$r" = b1 ]; then cert=("${B2[@]}"); br=b002; else cert=("${B1[@]}"); br=b001; fi
	"$HEARTH_TOOLS/loadgen" --port "$P" "${cert[@]}" --mode push --records 150 --batch 50 --branch "$br" \
		--ack-log "$T/acked" >/dev/null 2>>"$T/load.err" || fail "cycle $cycle: loadgen push failed"
	h "$r" member add --name "孙$cycle" --gender female --category full --join-date 2005-07-01 \
		>>"$T/local_ids" 2>>"$T/cli.err" || fail "cycle $cycle: member add"
	# What the outbox holds: this member and what earlier kills left.
	pending=$(( ${PENDING[$r]:-0} + 1 ))
	case $((RANDOM % 4)) in
	0) point="push-ack:$(( 1 + RANDOM % (pending > 0 ? pending : 1) ))" ;;
	1) point="pull-recv:$(( 1 + RANDOM % 4 ))" ;;
	2) point="pull-page:$(( 1 + RANDOM % 4 ))" ;;
	3) point="outside:$(( RANDOM % 400 ))ms" ;;
	esac
	if [ "${point%%:*}" = outside ]; then
		# The binary itself in the background, not the function h: $! of
		# a backgrounded function is the subshell running it, and killing
		# that left hearth running, holding the replica's sync lock while
		# the next sync started (the final sync then failed).
		"$HEARTH" --home "$T/home.$r" sync --batch 1 --page 40 >/dev/null 2>>"$T/sync.err" &
		SY=$!
		ms=${point#outside:}; ms=${ms%ms}
		sleep "$(awk "BEGIN { print $ms / 1000 }")"
		kill -9 "$SY" 2>/dev/null
		wait "$SY" 2>/dev/null; rc=$?
	else
		HEARTH_FAULT=$point h "$r" sync --batch 1 --page 40 >/dev/null 2>>"$T/sync.err"; rc=$?
	fi
	if [ "$rc" -eq 137 ]; then
		KILLS[${point%%:*}]=$(( ${KILLS[${point%%:*}]:-0} + 1 ))
	elif [ "$rc" -eq 0 ]; then
		completed=$((completed + 1))   # the point lay beyond where this sync went
	else
		fail "cycle $cycle: sync ($point) exited $rc, neither killed nor done: $(tail -2 "$T/sync.err")"
	fi
	js=$(h "$r" status --json 2>"$T/status.err") || {
		unopenable=$((unopenable + 1)); fail "cycle $cycle: replica $r does not open after the kill at $point: $(cat "$T/status.err")"; }
	PENDING[$r]=$(echo "$js" | json_num pending_ops)
	echo "cycle $cycle: sync of $r with $pending ops pending, kill at $point: exit $rc"
	[ "$FAILS" -eq 0 ] || break
done
killed=0
for k in "${!KILLS[@]}"; do killed=$((killed + KILLS[$k])); done
[ $((killed * 2)) -ge "$CYCLES" ] && pass "most syncs were killed ($killed of $CYCLES)" \
	|| fail "only $killed of $CYCLES syncs were killed"
expect_eq "every replica opened after every kill" 0 "$unopenable"
expect_not_contains "no sync said the replica differs from the server" "differs from the server" "$(cat "$T/sync.err")"

# One clean sync each (a b001 office again after the other, so both see
# each other's pushes), then the checks.
for r in a1 a2 b1 a1; do
	h "$r" sync >"$T/final.$r.out" 2>"$T/final.$r.err"; rc=$?
	expect_eq "final sync of $r completes" 0 "$rc"
	expect_not_contains "$r: digest matched without a re-pull" "pulling from zero" "$(cat "$T/final.$r.err")"
	expect_not_contains "$r: no divergence" "differs from the server" "$(cat "$T/final.$r.err")"
done
server_dump "$P" "$T/dump"
dups=$(awk '{ print $1 }' "$T/dump" | sort | uniq -d | wc -l)
expect_eq "no record stored twice on the server" 0 "$dups"
sort -u "$T/local_ids" > "$T/local.u"
n_local=$(wc -l < "$T/local.u")
found_local=$(awk 'NR==FNR { a[$1]=1; next } ($1 in a) { n++ } END { print n+0 }' "$T/local.u" "$T/dump")
expect_eq "every local member ($n_local) is on the server" "$n_local" "$found_local"
sort -u "$T/acked" > "$T/acked.u"
n_acked=$(wc -l < "$T/acked.u")
found_acked=$(awk 'NR==FNR { a[$1]=1; next } ($1 in a) && $2 == 1 { n++ } END { print n+0 }' "$T/acked.u" "$T/dump")
expect_eq "every acknowledged server op ($n_acked) is on the server at revision 1" "$n_acked" "$found_acked"
doubled=0
for b in b001:a1 b001:a2 b002:b1; do
	br=${b%%:*}; r=${b##*:}
	"$HEARTH_TOOLS/loadgen" --port "$P" "${ADM[@]}" --mode pull --branch "$br" --page 5000 --dump "$T/dump.$br" >/dev/null
	awk '$3 == 0 { print $1 }' "$T/dump.$br" | sort > "$T/srv.$br"
	h "$r" member list --json | grep -o '"id":"[0-9a-f-]*"' | cut -d'"' -f4 | sort > "$T/mine.$r"
	d=$(uniq -d "$T/mine.$r" | wc -l); doubled=$((doubled + d))
	expect_eq "$r holds the server's $(wc -l < "$T/srv.$br") $br members" "$(wc -l < "$T/srv.$br")" "$(wc -l < "$T/mine.$r")"
	expect_eq "$r: the same ids as the server" "" "$(comm -3 "$T/srv.$br" "$T/mine.$r" | head -3)"
	expect_eq "$r: no id twice" 0 "$d"
	js=$(h "$r" status --json)
	expect_eq "$r: outbox empty" 0 "$(echo "$js" | json_num pending_ops)"
	echo "$js" | json_num cursor > "$T/cursor.$r"
done
expect_eq "a1 and a2 end at one cursor" "$(cat "$T/cursor.a1")" "$(cat "$T/cursor.a2")"
out=$(h a2 sync 2>&1); expect_contains "a further sync has nothing to send" "pushed 0" "$out"
kills=""
for k in push-ack pull-recv pull-page outside; do kills="$kills $k=${KILLS[$k]:-0}"; done
echo "figures: cycles=$CYCLES killed=$killed ($kills ) completed_before_the_point=$completed local_edits=$n_local found=$found_local lost=$((n_local - found_local)) server_acknowledged=$n_acked found=$found_acked lost=$((n_acked - found_acked)) doubled_server=$dups doubled_replicas=$doubled stored=$(wc -l < "$T/dump") seconds=$(( $(date +%s) - t0 ))"
finish
