#!/bin/bash
# A transfer to a branch that does not exist (issue 13 item 6) is refused
# by the server's reference rules, naming the existing branches: through a
# protocol-level push (pushop) and through the client, where the refused
# transfer stays as a rejected change until it is corrected. The client
# holds no list of branches offline, so the check is the server's.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client b1 branch2 "$P"
B1=(--cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem")
json_field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2 | tr -d '"'; }
hexs() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
# field(tag, string): a length-delimited proto field
field() { printf '%02x%02x%s' "$1" "${#2}" "$(hexs "$2")"; }

m=$(h a1 member add --name 张大爷 --gender 男 --join-date 1970-07-01 --category 正式)
h a1 sync >/dev/null 2>&1
mhex=$(echo "$m" | tr -d -)

# --- protocol level: a Transfer body to b009, pending and accepted
body() { printf '0a10%s' "$mhex"; field 0x12 b001; field 0x1a "$1"; field 0x2a 2026-09-01; field 0x32 2026-12-01; printf '38%02x' "$2"; [ "$2" = 2 ] && field 0x42 2026-09-05; true; }
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --branch b001 --kind 10 --body-field 29 --body-hex "$(body b009 1)")
expect_contains "the server refuses a transfer to a branch that does not exist" \
	"status=OP_REJECTED code=ERR_INVALID field=to_branch message=record " "$out"
expect_contains "naming the existing branches" \
	"to_branch b009: no such branch; the branches are b001 (第一党支部), b002 (第二党支部) (an admin adds one with 'hearth admin branch add')" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --branch b001 --kind 10 --body-field 29 --body-hex "$(body b009 2)")
expect_contains "an accepted transfer to it is refused too" "status=OP_REJECTED code=ERR_INVALID field=to_branch" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --branch b001 --kind 10 --body-field 29 --body-hex "$(body b0O2 1)")
expect_contains "a typo of an existing branch is refused" "to_branch b0O2: no such branch" "$out"
out=$("$HEARTH_TOOLS/pushop" --port "$P" "${B1[@]}" --branch b001 --kind 10 --body-field 29 --body-hex "$(body b002 1)")
expect_contains "a transfer to an existing branch is accepted" "status=OP_APPLIED rev=1" "$out"
h a1 sync >/dev/null 2>&1

# --- the client: refused on sync, kept, corrected, accepted
m2=$(h a1 member add --name 李奶奶 --gender 女 --category 正式)
h a1 sync >/dev/null 2>&1
tr=$(h a1 transfer add --member "$m2" --from-branch b001 --to-branch b009 --issued-date 2026-09-01 \
	--valid-until 2026-12-01 --status accepted --accepted-date 2026-09-05)
h a1 sync >"$T/s1.out" 2>"$T/s1.err"; rc=$?
expect_eq "a sync with a transfer to b009 exits 1" 1 "$rc"
expect_contains "the client reports the server's reason" \
	"hearth: the server rejected the change to transfer $tr: record $tr: to_branch b009: no such branch; the branches are b001 (第一党支部), b002 (第二党支部) (an admin adds one with 'hearth admin branch add') (field to_branch)" \
	"$(cat "$T/s1.err")"
expect_contains "the member stays in b001" '"branch":"b001"' "$(h a1 member show "$m2" --json)"
expect_contains "the transfer is kept as a rejected change" "\"id\":\"$tr\",\"kind\":\"transfer\"" "$(h a1 rejected --json)"
h a1 transfer edit "$tr" --to-branch b002 >/dev/null
h a1 sync >/dev/null 2>&1; rc=$?
expect_eq "corrected to b002, the transfer syncs" 0 "$rc"
h b1 sync >/dev/null 2>&1
expect_contains "and b002 receives the member" '"branch":"b002"' "$(h b1 member show "$m2" --json 2>&1)"

finish
