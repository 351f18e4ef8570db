#!/bin/bash
# The audit key on first start (issue 17): with no audit key configured,
# hearthd makes an Ed25519 key in its data directory (0600), prints its
# public half and fingerprint and logs them; the next start reuses it; a
# key or secret missing from a store that has signed checkpoints is refused,
# never made anew; `hearthd backup` names both files to keep beside the
# backup.
. "$(dirname "$0")/lib.sh"

# A server's stdout (where a new key is announced) goes to $T/NAME.out; when
# a start fails, lib.sh's message is in there too: show it.
trap 'rc=$?; [ "$rc" -ne 0 ] && cat "$T"/*.out >&2 2>/dev/null; cleanup' EXIT

# --audit-key "" after lib.sh's own --audit-key: no key configured.
NOKEY=(--audit-key "")
D=$T/s.data
KEY=$D/audit-ed25519.key
SECRET=$D/audit_secret

# ---- first start: a new key, announced
start_server s "${NOKEY[@]}" >"$T/s.out"
out=$(cat "$T/s.out")
log=$(cat "$T/s.log")
[ -s "$KEY" ] && pass "first start made $KEY" || fail "no key in the data directory"
expect_eq "the key is readable by its owner only" 600 "$(stat -c %a "$KEY")"
expect_eq "the audit secret is readable by its owner only" 600 "$(stat -c %a "$SECRET")"
expect_eq "the key is Ed25519" ED25519 "$(openssl pkey -in "$KEY" -text_pub -noout 2>/dev/null | head -1 | grep -o 'ED25519')"
openssl pkey -in "$KEY" -pubout 2>/dev/null | cmp -s - "$D/audit-ed25519.pub" &&
	pass "its public half is beside it" || fail "audit-ed25519.pub is not the key's public half"
fp="SHA256:$(openssl pkey -pubin -in "$D/audit-ed25519.pub" -outform DER | sha256sum | cut -d' ' -f1)"
expect_contains "says it made the key" "hearthd: made a new audit signing key $KEY (mode 0600) for the store in $D." "$out"
expect_contains "prints the public key" "$(cat "$D/audit-ed25519.pub")" "$out"
expect_contains "prints the fingerprint (SHA-256 of the public key's DER)" "fingerprint: $fp" "$out"
expect_contains "says how clients take it" "'hearth init --audit-key $D/audit-ed25519.pub'" "$out"
expect_contains "says to back both files up" "Back up $KEY and $SECRET beside the store" "$out"
expect_contains "logs the new key and its fingerprint" "event=audit_key_created path=$KEY public_key=" "$log"
expect_contains "the log line has the fingerprint" "fingerprint=$fp" "$log"
key_sum=$(sha256sum < "$KEY")
secret_sum=$(sha256sum < "$SECRET")

# A client that trusts the published public key syncs: the server signs
# with the key it printed. The sync leaves signed checkpoints in the store.
"$HEARTH" --home "$T/home.a1" init --server "127.0.0.1:$PORT_s" --cert "$CERTS/branch1.pem" \
	--key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" --audit-key "$D/audit-ed25519.pub" >/dev/null
h a1 member add --name 王秀英 --gender 女 --phone 13912345678 >/dev/null
out=$(h a1 sync 2>&1); rc=$?
expect_eq "a client trusting the printed key syncs" 0 "$rc"
stop_server s
expect_eq "server stops cleanly" 0 "$STOP_RC"

# ---- second start: the same key, nothing announced
start_server s "${NOKEY[@]}" >"$T/s2.out"
expect_eq "second start prints no new key" "" "$(cat "$T/s2.out")"
expect_not_contains "second start logs no new key" "audit_key_created" "$(cat "$T/s.log")"
expect_contains "second start uses the same key" "event=audit_key path=$KEY fingerprint=$fp" "$(cat "$T/s.log")"
expect_eq "the key file is unchanged" "$key_sum" "$(sha256sum < "$KEY")"
expect_eq "the secret file is unchanged" "$secret_sum" "$(sha256sum < "$SECRET")"
client a1 branch1 "$PORT_s"
out=$(h a1 sync 2>&1); rc=$?
expect_eq "the replica syncs with the restarted server (same key)" 0 "$rc"
stop_server s

# start_refused WHAT: a start on $D that must be refused; sets OUT and RC.
start_refused() {
	OUT=$(timeout 20 "$HEARTHD" --listen 127.0.0.1:0 --data "$D" --cert "$CERTS/server.pem" \
		--key "$CERTS/server.key" --ca "$CERTS/ca.pem" --org demo --dev 2>&1); RC=$?
	expect_eq "$1: refused with exit 1" 1 "$RC"
	expect_not_contains "$1: never listened" "event=listening" "$OUT"
}
# The number of checkpoints in the refusal, checked to be at least one.
checkpoints() { grep -o 'already holds signed checkpoints ([0-9]*)' <<<"$1" | head -1 | grep -o '[0-9][0-9]*'; }

# ---- the key removed: refused, not made anew
mv "$KEY" "$T/kept.key"
start_refused "key missing"
n=$(checkpoints "$OUT")
[ "${n:-0}" -ge 1 ] && pass "the store holds $n signed checkpoints" || fail "no checkpoint count in [$OUT]"
expect_contains "key missing: the exact refusal" \
	"hearthd: audit key: $KEY is missing, but the store in $D already holds signed checkpoints ($n): replicas pinned the key that signed them, so hearthd will not make a new one. Restore audit-ed25519.key from the backup kept beside the store, or set [audit] key (--audit-key) to where the key is kept, then start again." "$OUT"
expect_contains "key missing: logged" "event=audit_key_missing" "$OUT"
[ ! -e "$KEY" ] && pass "no new key was made" || fail "a new key was made silently"
mv "$T/kept.key" "$KEY"

# ---- the secret removed: refused, not made anew
mv "$SECRET" "$T/kept.secret"
start_refused "secret missing"
n=$(checkpoints "$OUT")
expect_contains "secret missing: the exact refusal" \
	"hearthd: audit secret: $SECRET is missing, but the store in $D already holds signed checkpoints ($n): the digests of sensitive values in its audit entries are keyed with that secret, so hearthd will not make a new one. Restore audit_secret from the backup kept beside the store, then start again." "$OUT"
expect_contains "secret missing: logged" "event=audit_secret_missing" "$OUT"
[ ! -e "$SECRET" ] && pass "no new secret was made" || fail "a new secret was made silently"
mv "$T/kept.secret" "$SECRET"

# ---- both back: the server starts on them again
start_server s "${NOKEY[@]}" >"$T/s3.out"
expect_contains "restored files: the same key" "event=audit_key path=$KEY fingerprint=$fp" "$(cat "$T/s.log")"
expect_eq "restored files: nothing new printed" "" "$(cat "$T/s3.out")"

# ---- hearthd backup names the files to keep beside the backup
out=$("$HEARTHD" backup --data "$D" --to "$T/b.mdb" 2>&1); rc=$?
expect_eq "backup exits 0" 0 "$rc"
expect_contains "backup reminds of the key and secret" \
	"reminder: the audit signing key and the audit secret are not inside the backup. Keep them beside it: hearthd refuses to start on the restored store without them." "$out"
expect_contains "backup names the key file" "  audit signing key: $KEY" "$out"
expect_contains "backup names the secret file" "  audit secret:      $SECRET" "$out"

# The drill: the backup restored alone is refused; with the two files
# beside it, it serves, signing with the same key.
out=$("$HEARTHD" restore --from "$T/b.mdb" --data "$T/r.data" 2>&1); rc=$?
expect_eq "restore exits 0" 0 "$rc"
out=$(timeout 20 "$HEARTHD" --listen 127.0.0.1:0 --data "$T/r.data" --cert "$CERTS/server.pem" \
	--key "$CERTS/server.key" --ca "$CERTS/ca.pem" --dev 2>&1); rc=$?
expect_eq "a restored store without its key is refused" 1 "$rc"
expect_contains "the refusal names the restored store's key" "audit key: $T/r.data/audit-ed25519.key is missing" "$out"
cp -p "$KEY" "$SECRET" "$T/r.data/"
start_server r "${NOKEY[@]}" --data "$T/r.data" >"$T/r.out"
expect_contains "with the files beside it, the restored store serves on the same key" \
	"event=audit_key path=$T/r.data/audit-ed25519.key fingerprint=$fp" "$(cat "$T/r.log")"
finish
