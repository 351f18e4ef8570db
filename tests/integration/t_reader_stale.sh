#!/bin/bash
# A killed backup pins old pages (issue 13, item 9): SIGKILL of `hearthd
# backup` inside its read transaction leaves a stale LMDB reader slot. The
# running server clears it from its periodic check (shortened here with
# HEARTHD_TEST_READER_CHECK_MS) and logs it, a server starting on such a
# store clears it at start-up, and the next backup removes the half-written
# FILE.tmp and says so. (A server starting on such a store also clears and
# logs, when another process keeps the table alive.) Bounded: at most 5 attempts to catch a backup
# mid-way, every wait at most a few seconds.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../faults/common.sh"

B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
DATA="$T/s.data"
BAK="$T/s.bak"

# Bulk that makes a backup take long enough to be caught mid-way: a 60 MB
# named database, loaded with mdb_load while no server runs.
add_bulk() {
	{
		echo "VERSION=3"; echo "format=bytevalue"; echo "type=btree"; echo "HEADER=END"
		head -c $((600 * 100000)) /dev/urandom | od -An -v -tx1 | tr -d ' \n' | fold -w 200000 |
			awk '{ printf " %08d\n %s\n", NR, $0 }'
		echo "DATA=END"
	} | mdb_load -s bulk "$DATA"
}

# kill_backup_midway: starts a backup, SIGKILLs it once its FILE.tmp is open
# and its reader slot shows in `mdb_stat -r`; sets KILLED_PID. 0 when caught.
kill_backup_midway() {
	for _ in $(seq 1 10); do
		rm -f "$BAK" "$BAK.tmp"
		"$HEARTHD" backup --data "$DATA" --to "$BAK" >/dev/null 2>&1 &
		local bpid=$!
		local caught=0
		for _ in $(seq 1 400); do
			if mdb_stat -r "$DATA" 2>/dev/null | grep -qE "^ +$bpid "; then
				caught=1; break
			fi
			kill -0 "$bpid" 2>/dev/null || break
		done
		kill -9 "$bpid" 2>/dev/null
		wait "$bpid" 2>/dev/null
		# Its slot can show before its first bytes reach FILE.tmp (under
		# ASan it often does): the file need only exist.
		if [ "$caught" -eq 1 ] && [ -e "$BAK.tmp" ] && mdb_stat -r "$DATA" | grep -qE "^ +$bpid "; then
			KILLED_PID=$bpid
			return 0
		fi
	done
	return 1
}

start_server s
stop_server s
add_bulk
export HEARTHD_TEST_READER_CHECK_MS=200
start_server s
unset HEARTHD_TEST_READER_CHECK_MS
P=$PORT_s
out=$("$HEARTH_TOOLS/loadgen" --port "$P" "${B1[@]}" --mode push --clients 1 --records 200 --batch 50 --branch b001 2>&1)
expect_contains "200 members pushed" "records=200" "$out"

# 1. While the server runs: the periodic check clears the slot.
kill_backup_midway && pass "a backup killed inside its read transaction (pid $KILLED_PID)" \
	|| { fail "could not catch a backup mid-way"; finish; }
[ -e "$BAK.tmp" ] && pass "the killed backup left $BAK.tmp ($(stat -c %s "$BAK.tmp") bytes)" \
	|| fail "no unfinished $BAK.tmp"
for _ in $(seq 1 100); do
	grep -q "event=stale_readers_cleared" "$T/s.log" && break
	sleep 0.05
done
expect_contains "the running server logs that it cleared the stale reader" \
	"event=stale_readers_cleared count=1 when=periodic" "$(cat "$T/s.log")"
if mdb_stat -r "$DATA" | grep -qE "^ +$KILLED_PID "; then
	fail "the killed backup's reader slot is still there"
else
	pass "the killed backup's reader slot is gone"
fi

# 2. The next backup removes the half-written file and says so.
left=$(stat -c %s "$BAK.tmp")
out=$("$HEARTHD" backup --data "$DATA" --to "$BAK" 2>&1); rc=$?
expect_eq "the next backup succeeds" 0 "$rc"
expect_contains "the next backup says it removed the half-written file" \
	"hearthd backup: removed $BAK.tmp ($left bytes) left by a backup that did not finish" "$out"
[ ! -e "$BAK.tmp" ] && pass "no $BAK.tmp after the next backup" || fail "$BAK.tmp still there"
expect_contains "the backup is complete" "backup: $BAK (" "$out"
stop_server s
expect_eq "server stops cleanly" 0 "$STOP_RC"

# (A slot left while no server runs needs no check: the next process to
# open the store alone resets LMDB's reader table.)
finish
