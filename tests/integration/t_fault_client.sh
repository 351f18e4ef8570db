#!/bin/bash
# Client faults (issue 7, item 2): `hearth sync` killed (SIGKILL, through
# HEARTH_FAULT) after a push answer arrives but before it is stored, after
# a pull page arrives but before it is committed, and after a page is
# committed; and the server killed and restarted in the middle of a long
# pull. Each time the next sync completes with nothing lost or doubled
# (server dump and `member list --json` agree, ids unique), the outbox
# empty, and the cursor where the server is.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../faults/common.sh"

ADM=(--cert "$CERTS/admin.pem" --key "$CERTS/admin.key" --ca "$CERTS/ca.pem")
start_server s --data "$T/store"
P=$PORT_s
"$HEARTH_TOOLS/loadgen" --port "$P" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" \
	--ca "$CERTS/ca.pem" --mode push --clients 2 --records 1500 --batch 250 --branch b001 >/dev/null
client a1 branch1 "$P"
client a2 branch1 "$P"

ids_of() { h "$1" member list --json | grep -o '"id":"[0-9a-f-]*"' | cut -d'"' -f4; }

# check NAME REPLICA: the replica matches the server with nothing lost or doubled.
check() {
	local what=$1 r=$2 port=$3
	"$HEARTH_TOOLS/loadgen" --port "$port" "${ADM[@]}" --mode pull --branch b001 --page 5000 \
		--dump "$T/dump" >/dev/null
	local srv_live local_n dups missing js
	srv_live=$(awk '$3 == 0 { print $1 }' "$T/dump" | sort)
	ids_of "$r" | sort > "$T/mine"
	local_n=$(wc -l < "$T/mine")
	dups=$( (awk '{ print $1 }' "$T/dump"; cat "$T/mine") | sort | uniq -c | awk '$1 > 2' | wc -l)
	missing=$(comm -3 <(echo "$srv_live") "$T/mine" | wc -l)
	expect_eq "$what: replica lists the server's $(echo "$srv_live" | grep -c .) members" \
		"$(echo "$srv_live" | grep -c .)" "$local_n"
	expect_eq "$what: same ids on both sides" 0 "$missing"
	expect_eq "$what: no id twice" 0 "$dups"
	js=$(h "$r" status --json)
	expect_eq "$what: outbox empty" 0 "$(echo "$js" | json_num pending_ops)"
	echo "$js" | json_num cursor > "$T/cursor.$r"
}

# sync_killed NAME FAULT REPLICA [args]: the sync must die by SIGKILL.
sync_killed() {
	local what=$1 fault=$2 r=$3; shift 3
	HEARTH_FAULT=$fault h "$r" sync "$@" >/dev/null 2>&1; local rc=$?
	expect_eq "$what: sync killed at $fault" 137 "$rc"
}

sync_ok() {
	local what=$1 r=$2; shift 2
	h "$r" sync "$@" >"$T/sync.out" 2>"$T/sync.err"; local rc=$?
	expect_eq "$what: next sync completes" 0 "$rc"
	expect_not_contains "$what: no divergence" "differs from the server" "$(cat "$T/sync.err")"
}

# --- first pull killed before page 2 is committed, then after page 3 is.
sync_killed "pull-recv" pull-recv:2 a1 --page 500
sync_ok "pull-recv" a1 --page 500
check "after pull-recv:2" a1 "$P"
sync_killed "pull-page" pull-page:3 a2 --page 400
sync_ok "pull-page" a2 --page 400
check "after pull-page:3" a2 "$P"

# --- pushes: killed after the 1st and after the 3rd answer of 10-op batches.
for n in 1 3; do
	for i in $(seq 1 35); do
		h a1 member add --name "李$n-$i" --gender female --category full --join-date 2003-07-01 >>"$T/local" || fail "member add"
	done
	sync_killed "push-ack:$n" "push-ack:$n" a1 --batch 10
	pending=$(h a1 status --json | json_num pending_ops)
	[ "$pending" -gt 0 ] && pass "push-ack:$n: ops still in the outbox after the kill ($pending)" \
		|| fail "push-ack:$n: outbox emptied although the sync was killed"
	sync_ok "push-ack:$n" a1 --batch 10
	expect_contains "push-ack:$n: the answered batch comes back DUPLICATE" "duplicate 10" "$(cat "$T/sync.out")"
	check "after push-ack:$n" a1 "$P"
done
found=$(awk 'NR==FNR { a[$1]=1; next } ($1 in a) { n++ } END { print n+0 }' "$T/local" "$T/dump")
expect_eq "all 70 local edits on the server once" 70 "$found"
sync_ok "a2 catches up" a2
check "a2 after the pushes" a2 "$P"
expect_eq "a1 and a2 at the same cursor" "$(cat "$T/cursor.a1")" "$(cat "$T/cursor.a2")"

# --- the server killed during a long pull (one record a page), once the
# replica has committed some pages but not all: watched through `status`.
cut=0
for attempt in 1 2 3; do
	client "f$attempt" branch1 "$P"
	h "f$attempt" sync --page 1 >"$T/cut.out" 2>"$T/cut.err" &
	SY=$!
	for _ in $(seq 1 500); do
		n=$(h "f$attempt" status --json 2>/dev/null | json_num records)
		[ "${n:-0}" -gt 50 ] && break
		kill -0 "$SY" 2>/dev/null || break
		sleep 0.01
	done
	kill -9 "$PID_s"; wait "$PID_s" 2>/dev/null
	wait "$SY"; rc=$?
	start_server s --data "$T/store"
	P=$PORT_s
	sed -i "s/^server *= *127.0.0.1:[0-9]*/server = 127.0.0.1:$P/" "$T"/home.*/profile.ini
	if [ "$rc" -ne 0 ]; then
		cut=1
		before=$(h "f$attempt" status --json | json_num records)
		echo "figures: server killed mid-pull: sync exit $rc with $before records committed"
		expect_contains "the cut sync says it lost the server" "sync:" "$(cat "$T/cut.err")"
		sync_ok "after the server was killed mid-pull" "f$attempt"
		check "after the server was killed mid-pull" "f$attempt" "$P"
		break
	fi
done
expect_eq "the server kill landed during a pull" 1 "$cut"
sync_ok "a1 after the server restart" a1
check "a1 after the server restart" a1 "$P"
echo "figures: $(wc -l < "$T/dump") records on the server, faults: pull-recv:2 pull-page:3 push-ack:1 push-ack:3 server-kill"
finish
