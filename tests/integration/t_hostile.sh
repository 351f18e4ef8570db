#!/usr/bin/env bash
# t_hostile.sh: `hearth sync` against a broken or hostile server (issue 12
# item 14): tests/tools/hostile_server answers the pulls with pages that
# say "more" but bring nothing, with reset on every answer, with a cursor of
# 2^64-1, or with a conflict of another branch. Each case: a fresh home, a
# bounded server (requests and seconds), and sync must stop by itself with
# exit 6, say what the server did, and leave the replica as it was.
. "$(dirname "$0")/lib.sh"

HS=(--cert "$CERTS/server.pem" --key "$CERTS/server.key" --ca "$CERTS/ca.pem"
	--audit-key "$CERTS/audit-ed25519.key" --max-requests 2000 --seconds 30)

# start_hostile MODE [ARGS...]: sets HPORT and HPID; output in $T/hostile.MODE.out
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

# The replica as status and list show it. The branch is left out: sync
# stores it from the verified certificate before anything is pulled.
replica_view() {
	h "$1" status --json | sed 's/"branch":"[^"]*",//'
	h "$1" member list --json
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
	expect_contains "$mode: says what the server did" "$msg" "$out"
	expect_contains "$mode: names the protocol break" "broke the sync protocol" "$out"
	after=$(replica_view "$mode")
	expect_eq "$mode: the replica is as it was" "$before" "$after"
	wait "$HPID" 2>/dev/null
	expect_contains "$mode: the client stopped after a few requests" "requests=" "$(cat "$T/hostile.$mode.out")"
	n=$(grep -o 'requests=[0-9]*' "$T/hostile.$mode.out" | cut -d= -f2)
	[ "${n:-99999}" -le 20 ] && pass "$mode: at most 20 requests ($n)" || fail "$mode: $n requests"
}

one_case more-by-one "said more records follow 3 pages in a row but sent none"
one_case reset-always "asked for a re-pull from zero a second time in one sync"
one_case cursor-max "with cursor 18446744073709551615, beyond any position"
one_case foreign-conflict "sent a conflict of branch b002 to a replica of branch b001"

# --- server text is printed sanitised (whoami, status)
start_hostile cursor-max --dirty-welcome
client dirty branch1 "$HPORT"
rc=0
h dirty sync >/dev/null 2>&1 || rc=$?
expect_eq "dirty: sync stops with exit 6" 6 "$rc"
wait "$HPID" 2>/dev/null
out=$(h dirty status)
expect_contains "status shows the stored branch" "branch:          b001" "$out"
expect_not_contains "status prints no escape from the server" $'\033' "$out"
start_hostile cursor-max --dirty-welcome
sed -i "s/^server = .*/server = 127.0.0.1:$HPORT/" "$T/home.dirty/profile.ini"
out=$(h dirty whoami 2>&1)
expect_contains "whoami shows the name" "name:        名" "$out"
expect_not_contains "whoami prints no escape from the server" $'\033' "$out"
expect_not_contains "whoami prints no forged line" $'\nhearth: forged' "$out"
expect_not_contains "whoami prints no bell" $'\a' "$out"
wait "$HPID" 2>/dev/null
start_hostile cursor-max --dirty-welcome
sed -i "s/^server = .*/server = 127.0.0.1:$HPORT/" "$T/home.dirty/profile.ini"
out=$(h dirty whoami --json 2>&1)
expect_not_contains "whoami --json escapes control characters" $'\033' "$out"
wait "$HPID" 2>/dev/null

finish
