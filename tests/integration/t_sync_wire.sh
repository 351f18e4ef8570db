#!/bin/bash
# A first sync stores each pulled record as the bytes the server sent
# (replica_apply_pull_page) and appends records that arrive in id order:
# the replica it leaves holds exactly the server's records with the
# server's digests (a full hash of every stored record, `sync --verify`,
# agrees), `hearth status` is clean, records whose ids arrive out of order
# are stored too, an edit of a pulled record syncs, and a sync cut after
# a committed page and after a received one resumes where it stopped.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/../faults/common.sh"

ADM=(--cert "$CERTS/admin.pem" --key "$CERTS/admin.key" --ca "$CERTS/ca.pem")
start_server s --data "$T/store"
P=$PORT_s
"$HEARTH_TOOLS/loadgen" --port "$P" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" \
	--ca "$CERTS/ca.pem" --mode push --clients 2 --records 600 --batch 200 --branch b001 >/dev/null
ALL=1204   # 2 x 600 members, 3 more (one of them deleted) and a visit
client x branch1 "$P"
client y branch1 "$P"
client fast branch1 "$P"
client cut branch1 "$P"
client cut2 branch1 "$P"
client other branch1 "$P"

# Two offices add a member each while offline; the later id reaches the
# server first, so a fresh replica gets ids out of order at the end.
h x sync >/dev/null 2>&1
h y sync >/dev/null 2>&1
early=$(h x member add --name 钱早 --gender 女 --join-date 2001-07-01 --category 正式)
late=$(h y member add --name 孙晚 --gender 男 --join-date 2002-07-01 --category 正式)
h y visit add --members "$late" --date 2026-01-20 --occasion 春节 --visitors 张三 >/dev/null \
	|| fail "visit add"
expect_eq "y pushes first" 0 "$(h y sync >/dev/null 2>&1; echo $?)"
expect_eq "x pushes the earlier id later" 0 "$(h x sync >/dev/null 2>&1; echo $?)"
# and a tombstone among them
gone=$(h x member add --name 李去 --gender 女 --join-date 2003-07-01 --category 正式)
h x sync >/dev/null 2>&1
h x member delete "$gone" >/dev/null || fail "member delete"
expect_eq "x pushes the delete" 0 "$(h x sync >/dev/null 2>&1; echo $?)"

# The ids of every live record of the replica (members and visits).
ids_of() {
	{ h "$1" member list --json; h "$1" visit list --json; } | grep -o '"id":"[0-9a-f-]*"' | cut -d'"' -f4 | sort
}

# same_as_server WHAT REPLICA: the replica lists the server's live members,
# a full hash of its stored records equals the server's digest, and its
# status is clean.
same_as_server() {
	local what=$1 r=$2 js
	"$HEARTH_TOOLS/loadgen" --port "$P" "${ADM[@]}" --mode pull --branch b001 --page 5000 \
		--dump "$T/dump" >/dev/null
	awk '$3 == 0 { print $1 }' "$T/dump" | sort > "$T/srv"
	ids_of "$r" > "$T/mine"
	expect_eq "$what: the server's $(grep -c . "$T/srv") live records, no more, no fewer" "" \
		"$(comm -3 "$T/srv" "$T/mine")"
	h "$r" sync --verify >"$T/v.out" 2>"$T/v.err"
	expect_eq "$what: sync --verify exits 0" 0 "$?"
	expect_not_contains "$what: the full hash of every stored record matches the server" \
		"differs from the server" "$(cat "$T/v.err")"
	expect_not_contains "$what: no re-pull from zero" "re-pulling" "$(cat "$T/v.err")"
	js=$(h "$r" status --json)
	expect_eq "$what: outbox empty" 0 "$(echo "$js" | json_num pending_ops)"
	expect_eq "$what: no open conflicts" 0 "$(echo "$js" | json_num open_conflicts)"
	expect_eq "$what: records counted" "$(awk '$3 == 0' "$T/dump" | wc -l)" "$(echo "$js" | json_num records)"
}

# --- a first sync in pages of 150
h fast sync --page 150 >"$T/f.out" 2>"$T/f.err"
expect_eq "first sync exits 0" 0 "$?"
expect_contains "it pulled every record, the tombstone among them" "pulled $ALL records" "$(cat "$T/f.out")"
same_as_server "fast" fast
expect_contains "the record whose id arrived out of order is there" "钱早" "$(h fast member show "$early" 2>&1)"
expect_contains "and the one before it" "孙晚" "$(h fast member show "$late" 2>&1)"
expect_contains "and the visit" "春节" "$(h fast visit list 2>&1)"
expect_eq "the deleted one is not listed" "" "$(h fast member list --json | grep -o "$gone")"

# --- an edit of a pulled record goes up, and comes down elsewhere
some=$(head -1 "$T/mine")
h fast member edit "$some" --address 北京市东城区 >/dev/null || fail "member edit"
h fast sync >"$T/e.out" 2>&1
expect_contains "the edit is applied" "applied 1" "$(cat "$T/e.out")"
same_as_server "fast after its edit" fast
h other sync --page 200 >/dev/null 2>&1
expect_contains "another replica pulls the edit" "北京市东城区" "$(h other member show "$some" 2>&1)"
same_as_server "other" other

# --- cut after page 2 was committed, and after page 3 arrived unstored
for c in "cut pull-page:2" "cut2 pull-recv:3"; do
	set -- $c
	HEARTH_FAULT=$2 h "$1" sync --page 100 >/dev/null 2>&1
	expect_eq "$2: the sync is killed" 137 "$?"
	before=$(h "$1" status --json | json_num cursor)
	[ "$before" -gt 0 ] && pass "$2: the committed pages stayed (cursor $before)" \
		|| fail "$2: nothing committed before the cut"
	h "$1" sync --page 100 >"$T/r.out" 2>"$T/r.err"
	expect_eq "$2: the next sync completes" 0 "$?"
	expect_not_contains "$2: it resumes, no re-pull from zero" "re-pulling" "$(cat "$T/r.err")"
	pulled=$(grep -o 'pulled [0-9]*' "$T/r.out" | cut -d' ' -f2)
	[ "${pulled:-$ALL}" -lt "$ALL" ] && pass "$2: it pulls only what the cut left ($pulled of $ALL)" \
		|| fail "$2: it pulled ${pulled:-nothing} records again, not only the rest"
	same_as_server "$2" "$1"
done

finish
