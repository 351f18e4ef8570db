#!/bin/bash
# Damaged store at start-up (issue 13, item 7): a data.mdb truncated to half
# or emptied is refused before it is mapped (no SIGBUS), naming the file and
# how to restore; --verify-audit refuses it the same way; `hearthd check`
# passes a sound store (exit 0) and names the damage of a broken one (exit 1).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../faults/common.sh"

B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
DATA="$T/s.data"
HINT="hearthd restore --from FILE --data $T/bad --force"

# run_hearthd DIR: a server on DIR, bounded to 10 s; sets RUN_RC, RUN_OUT.
run_hearthd() {
	RUN_OUT=$(timeout 10 "$HEARTHD" --dev --listen 127.0.0.1:0 --data "$1" --cert "$CERTS/server.pem" \
		--key "$CERTS/server.key" --ca "$CERTS/ca.pem" --audit-key "$CERTS/audit-ed25519.key" --org demo 2>&1)
	RUN_RC=$?
}
# damaged NAME: a fresh copy of the sound store in $T/bad
fresh_copy() { rm -rf "$T/bad"; cp -a "$DATA" "$T/bad"; }

start_server s
out=$("$HEARTH_TOOLS/loadgen" --port "$PORT_s" "${B1[@]}" --mode push --clients 1 --records 300 --batch 50 --branch b001 2>&1)
expect_contains "300 members pushed" "records=300" "$out"
stop_server s

out=$("$HEARTHD" check --data "$DATA" 2>&1); rc=$?
expect_eq "hearthd check on a sound store exits 0" 0 "$rc"
expect_contains "hearthd check says the store is sound" "check: $DATA is sound" "$out"
expect_contains "hearthd check verified the audit chain" "check: audit chain verifies" "$out"

# Truncated to half.
fresh_copy
size=$(stat -c %s "$T/bad/data.mdb")
truncate -s $((size / 2)) "$T/bad/data.mdb"
run_hearthd "$T/bad"
[ "$RUN_RC" -ne 0 ] && [ "$RUN_RC" -lt 124 ] && pass "a half-truncated store is refused (exit $RUN_RC, no signal)" \
	|| fail "half-truncated store: exit $RUN_RC: $RUN_OUT"
expect_contains "the refusal names the truncated file" "store file $T/bad/data.mdb is truncated: $((size / 2)) bytes" "$RUN_OUT"
expect_contains "the refusal says how to restore" "$HINT" "$RUN_OUT"
out=$("$HEARTHD" --verify-audit --data "$T/bad" --audit-key "$CERTS/audit-ed25519.key" 2>&1); rc=$?
expect_eq "--verify-audit on a half-truncated store exits 1 (no SIGBUS)" 1 "$rc"
expect_contains "--verify-audit names the truncated file" "store file $T/bad/data.mdb is truncated" "$out"
out=$("$HEARTHD" check --data "$T/bad" 2>&1); rc=$?
expect_eq "hearthd check on a half-truncated store exits 1" 1 "$rc"
expect_contains "hearthd check names the truncation" "hearthd check: DAMAGED: store file $T/bad/data.mdb is truncated" "$out"

# Zero length, with the lock file that says a store was there.
fresh_copy
: > "$T/bad/data.mdb"
run_hearthd "$T/bad"
[ "$RUN_RC" -ne 0 ] && [ "$RUN_RC" -lt 124 ] && pass "an emptied store is refused (exit $RUN_RC)" \
	|| fail "emptied store: exit $RUN_RC: $RUN_OUT"
expect_contains "the refusal names the empty file" "store file $T/bad/data.mdb is empty (0 bytes) although $T/bad/lock.mdb shows a store was there" "$RUN_OUT"
expect_contains "the refusal says how to restore" "$HINT" "$RUN_OUT"
[ ! -s "$T/bad/data.mdb" ] && pass "the emptied file was not made a new store" || fail "an empty store was started"

# Garbage over the meta pages.
fresh_copy
head -c 8192 /dev/urandom | dd of="$T/bad/data.mdb" conv=notrunc status=none
out=$("$HEARTHD" check --data "$T/bad" 2>&1); rc=$?
expect_eq "hearthd check on overwritten meta pages exits 1" 1 "$rc"
expect_contains "hearthd check names the bad meta pages" "is not an LMDB store (neither meta page has LMDB's magic number)" "$out"

# Record bodies overwritten in the middle of the file.
fresh_copy
pages=$((size / 4096))
for p in $(seq $((pages / 3)) $((pages * 2 / 3))); do
	printf 'garbage-garbage-garbage-garbage-' | dd of="$T/bad/data.mdb" bs=1 seek=$((p * 4096 + 2000)) conv=notrunc status=none
done
out=$(timeout 20 "$HEARTHD" check --data "$T/bad" 2>&1); rc=$?
expect_eq "hearthd check on damaged middle pages exits 1 (no signal)" 1 "$rc"
expect_contains "hearthd check names the damage" "hearthd check: DAMAGED: $T/bad/data.mdb" "$out"
echo "damage reported: $out" | grep DAMAGED | head -2
finish
