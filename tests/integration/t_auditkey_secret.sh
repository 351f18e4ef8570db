#!/bin/bash
# The keyed-digest secret is never made anew for a store that has signed
# checkpoints (issue 17), with an audit key configured as well as without
# (t_auditkey.sh): hearthd made DATA/audit_secret at the first start; with
# it gone, a start is refused, naming both places the secret is looked for.
. "$(dirname "$0")/lib.sh"

# A copy of the dev audit key without a secret beside it (certs/mkcerts.sh
# puts one beside the dev key), so the secret is the data directory's.
mkdir -p "$T/key"
cp "$CERTS/audit-ed25519.key" "$T/key/"
K=$T/key/audit-ed25519.key
D=$T/s.data
start_server s --audit-key "$K"
client a1 branch1 "$PORT_s"
h a1 member add --name 王秀英 --gender 女 --phone 13912345678 >/dev/null
out=$(h a1 sync 2>&1); rc=$?
expect_eq "first sync" 0 "$rc"
stop_server s
[ -s "$D/audit_secret" ] && pass "the first start made $D/audit_secret" || fail "no secret in the data directory"

rm -f "$D/audit_secret"
out=$(timeout 20 "$HEARTHD" --listen 127.0.0.1:0 --data "$D" --cert "$CERTS/server.pem" --key "$CERTS/server.key" \
	--ca "$CERTS/ca.pem" --audit-key "$K" --org demo --dev 2>&1); rc=$?
expect_eq "secret missing: refused with exit 1" 1 "$rc"
expect_not_contains "secret missing: never listened" "event=listening" "$out"
n=$(grep -o 'already holds signed checkpoints ([0-9]*)' <<<"$out" | head -1 | grep -o '[0-9][0-9]*')
[ "${n:-0}" -ge 1 ] && pass "the store holds $n signed checkpoints" || fail "no checkpoint count in [$out]"
expect_contains "secret missing: the exact refusal" \
	"hearthd: audit secret: neither $D/audit_secret nor $T/key/audit_secret exists, but the store in $D already holds signed checkpoints ($n): the digests of sensitive values in its audit entries are keyed with that secret, so hearthd will not make a new one. Restore audit_secret from the backup kept beside the store into $D, then start again." "$out"
[ ! -e "$D/audit_secret" ] && pass "no new secret was made" || fail "a new secret was made silently"
finish
