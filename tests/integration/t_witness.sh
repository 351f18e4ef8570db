#!/bin/bash
# Every client is a witness of the audit log (DESIGN section 6, issue 4):
# against a server whose store was rolled back to an older copy, one whose
# history was rewritten to the same length (with the checkpoints re-signed
# by the real key), and one that signs with another key, a replica that saw
# the honest log refuses to sync (exit 5), says why naming both
# checkpoints, and sends nothing.
. "$(dirname "$0")/lib.sh"

AUDIT_ARGS=(--audit-key "$CERTS/audit-ed25519.key" --branch b001=第一党支部 --branch b002=第二党支部)

# restart NAME [hearthd args...]: start again on the same data, and point
# every client profile at the new port
restart() {
	local name=$1; shift
	local portvar="PORT_$name"
	local old=${!portvar}
	start_server "$name" "$@"
	local new=${!portvar}
	sed -i "s/^server = 127.0.0.1:$old\$/server = 127.0.0.1:$new/" "$T"/home.*/profile.ini
}
sync_rc() { h "$1" sync >"$T/$1.out" 2>"$T/$1.err"; echo $?; }

# ------------------------------------------------------------ rollback
start_server s "${AUDIT_ARGS[@]}"
client a1 branch1 "$PORT_s"
client b1 branch2 "$PORT_s"
id=$(h a1 member add --name 王秀英 --gender 女)
expect_eq "first sync pins the key and the checkpoint" 0 "$(sync_rc a1)"
expect_eq "branch b002 witnesses too" 0 "$(sync_rc b1)"
stop_server s
cp -a "$T/s.data" "$T/s.old"
restart s "${AUDIT_ARGS[@]}"
for i in $(seq 1 8); do
	h a1 member edit "$id" --address "北京$i" >/dev/null
	h a1 sync >/dev/null 2>&1
done
expect_eq "the honest server keeps growing: sync ok" 0 "$(sync_rc a1)"
expect_eq "b002 sees the log grow" 0 "$(sync_rc b1)"
stop_server s
rm -rf "$T/s.data"
mv "$T/s.old" "$T/s.data"
restart s "${AUDIT_ARGS[@]}"
h a1 member edit "$id" --address 不该送出 >/dev/null
expect_eq "rolled-back store: sync refused with exit 5" 5 "$(sync_rc a1)"
err=$(cat "$T/a1.err")
expect_contains "the refusal says the log shrank" "the audit log shrank" "$err"
expect_contains "the refusal names the checkpoint accepted before" "accepted before: size " "$err"
expect_contains "the refusal names the checkpoint presented now" "presented now:   size " "$err"
expect_contains "the refusal says what it means" "rolled back" "$err"
expect_contains "nothing was pushed: the edit is still pending" "pending ops:     1" "$(h a1 status)"
expect_not_contains "nothing was pulled: no sync summary" "sync: pushed" "$(cat "$T/a1.out")"
h a1 audit log >/dev/null 2>&1; rc=$?
expect_eq "audit commands refuse the same server" 5 "$rc"
expect_eq "a branch that saw only leaves refuses too" 5 "$(sync_rc b1)"
client fresh branch1 "$PORT_s"
expect_eq "a new replica has nothing to compare and accepts" 0 "$(sync_rc fresh)"
stop_server s

# ------------------------------------------------------------ rewrite, same length
start_server w "${AUDIT_ARGS[@]}"
client c1 branch1 "$PORT_w"
client c2 branch2 "$PORT_w"
x=$(h c1 member add --name 赵铁柱 --gender 男)
h c1 sync >/dev/null
h c1 member edit "$x" --address 上海 >/dev/null
h c1 sync >/dev/null
expect_eq "c1 in sync" 0 "$(sync_rc c1)"
expect_eq "c2 in sync" 0 "$(sync_rc c2)"
stop_server w
head_before=$("$HEARTH_TOOLS/audit_tamper" --data "$T/w.data" --head)
"$HEARTH_TOOLS/audit_tamper" --data "$T/w.data" --rewrite-from 4 --detail "改写的历史" --key "$CERTS/audit-ed25519.key" >/dev/null
head_after=$("$HEARTH_TOOLS/audit_tamper" --data "$T/w.data" --head)
expect_eq "the rewrite keeps the length" "${head_before%% *}" "${head_after%% *}"
[ "$head_before" != "$head_after" ] && pass "the rewrite changes the head" || fail "head unchanged"
"$HEARTHD" --verify-audit --data "$T/w.data" --audit-key "$CERTS/audit-ed25519.key" >"$T/v.out" 2>&1
expect_eq "a careful rewrite is consistent in itself (only a witness can tell)" 0 "$?"
restart w "${AUDIT_ARGS[@]}"
expect_eq "rewritten history: sync refused with exit 5" 5 "$(sync_rc c1)"
expect_contains "the refusal says the log was rewritten" "the audit log was rewritten" "$(cat "$T/c1.err")"
expect_contains "both checkpoints named" "presented now:" "$(cat "$T/c1.err")"
expect_eq "rewritten history: the branch b002 witness refuses too" 5 "$(sync_rc c2)"
expect_contains "b002's refusal says rewritten" "rewritten" "$(cat "$T/c2.err")"
stop_server w

# ------------------------------------------------------------ forged signatures
start_server f "${AUDIT_ARGS[@]}"
client d1 branch1 "$PORT_f"
"$HEARTH" --home "$T/home.pinned" init --server "127.0.0.1:$PORT_f" --cert "$CERTS/branch1.pem" \
	--key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" --audit-key "$CERTS/audit-ed25519.pub" >/dev/null
expect_eq "d1 pins the real key" 0 "$(sync_rc d1)"
expect_eq "a profile pinned to the real key accepts the real server" 0 "$(sync_rc pinned)"
stop_server f
openssl genpkey -algorithm ed25519 -out "$T/other.key" 2>/dev/null
# The audit secret lives beside the key and must come along with the store
# (hearthd refuses a store with checkpoints whose secret is missing).
[ -f "$CERTS/audit_secret" ] && cp "$CERTS/audit_secret" "$T/audit_secret"
restart f --audit-key "$T/other.key" --branch b001=第一党支部
expect_eq "another signing key: sync refused with exit 5" 5 "$(sync_rc d1)"
expect_contains "the refusal says the key changed" "signs its checkpoints with another key" "$(cat "$T/d1.err")"
expect_eq "the profile-pinned replica refuses as well" 5 "$(sync_rc pinned)"
expect_contains "and says the pinned key came from the profile" "(from the profile)" "$(cat "$T/pinned.err")"
"$HEARTH" --home "$T/home.newpin" init --server "127.0.0.1:$PORT_f" --cert "$CERTS/branch1.pem" \
	--key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" --audit-key "$CERTS/audit-ed25519.pub" >/dev/null
expect_eq "a new replica pinned by the profile refuses at first contact" 5 "$(sync_rc newpin)"
out=$("$HEARTH" --home "$T/home.bad" init --server "127.0.0.1:$PORT_f" --cert "$CERTS/branch1.pem" \
	--key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" --audit-key "$CERTS/ca.pem" 2>&1)
rc=$?
expect_eq "init refuses an audit key that is not an Ed25519 public key" 2 "$rc"
finish
