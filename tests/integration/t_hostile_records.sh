#!/usr/bin/env bash
# t_hostile_records.sh: a server that sends an undecodable record (issue 13
# item 7, client part): bad protobuf inside a pulled record (the frame is
# not a valid Envelope), or a decodable record whose body is not of its
# kind. `hearth sync` stops with exit 6, says the server sent bad data, and
# the replica is exactly as it was.
. "$(dirname "$0")/lib.sh"

HS=(--cert "$CERTS/server.pem" --key "$CERTS/server.key" --ca "$CERTS/ca.pem"
	--audit-key "$CERTS/audit-ed25519.key" --max-requests 200 --seconds 30)

# start_hostile MODE: sets HPORT and HPID; output in $T/hostile.MODE.out
start_hostile() {
	local out="$T/hostile.$1.out"
	"$HEARTH_TOOLS/hostile_server" "${HS[@]}" --mode "$@" >"$out" 2>&1 &
	HPID=$!
	PIDS+=("$HPID")
	HPORT=""
	for _ in $(seq 1 100); do
		HPORT=$(grep -o 'port=[0-9]*' "$out" | head -1 | cut -d= -f2)
		[ -n "$HPORT" ] && break
		sleep 0.05
	done
	[ -n "$HPORT" ] || { echo "hostile_server did not start:"; cat "$out"; exit 1; }
}

replica_view() {
	h "$1" status --json | sed 's/"branch":"[^"]*",//; s/"last_sync[^,]*,//g'
	h "$1" member list --all --json
	h "$1" visit list --all --json
	h "$1" conflicts --json
}

# one_case MODE MESSAGE
one_case() {
	local mode=$1 msg=$2 before after out rc
	start_hostile "$mode"
	client "$mode" branch1 "$HPORT"
	before=$(replica_view "$mode")
	rc=0
	out=$(timeout 60 "$HEARTH" --home "$T/home.$mode" sync 2>&1) || rc=$?
	expect_eq "$mode: sync stops with exit 6" 6 "$rc"
	expect_contains "$mode: says the server sent bad data" "$msg" "$out"
	expect_contains "$mode: says nothing was stored" "the replica is as it was" "$out"
	after=$(replica_view "$mode")
	expect_eq "$mode: the replica is exactly as it was" "$before" "$after"
	expect_contains "$mode: status after it still reads the replica" '"records":0' "$after"
	wait "$HPID" 2>/dev/null
}

one_case bad-record "it sent bad data: its answer to the pull after cursor 0 is not a valid message (bad message from the server: protocol error: the peer sent something the protocol does not allow)"
one_case wrong-body "it sent record 60616263-6465-7067-6869-6a6b6c6d6e6f of kind visit with a member body, which this replica cannot decode as that kind"
finish
