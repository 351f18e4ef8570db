#!/usr/bin/env bash
# t_hostile_events.sh: a queued reveal of a record whose push was rejected
# (so the server never had it) is refused by the server as ERR_NOT_FOUND;
# sync drops that one event with a warning instead of stopping every sync
# on it (issue 12 item 14 leftovers).
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client a1 branch1 "$P"
client a2 branch1 "$P"
m=$(h a1 member add --name 李建国 --gender 男 --join-date 1990-07-01 --category 正式)
h a1 sync >/dev/null 2>&1
h a2 sync >/dev/null 2>&1

# --- both offices open a hardship entry for one member; a2's is rejected
h a1 hardship add --member "$m" --types 患病 --level 特别困难 --income 800.50 --health 糖尿病 \
	--certified-at 2026-01-05 --year 2026 --status 在册 >/dev/null
d2=$(h a2 hardship add --member "$m" --types 独居 --level 特别困难 --income 700 --health 高血压 \
	--certified-at 2026-01-06 --year 2026 --status 在册)
h a2 hardship show "$d2" --reveal >/dev/null 2>&1
h a2 hardship list --csv >/dev/null 2>&1
h a1 sync >/dev/null 2>&1

rc=0
out=$(h a2 sync --json 2>&1) || rc=$?
expect_eq "the sync with the rejected change exits 1 (it waits)" 1 "$rc"
expect_contains "the refused reveal is dropped with a warning" \
	"hearth: dropped a queued reveal event of record $d2: the server does not have that record" "$out"
expect_contains "the other event (the export) is still reported" '"events":1}' "$out"
expect_not_contains "no refusal stops the sync" "refused to record" "$out"

h a2 rejected discard "$d2" >/dev/null 2>&1
rc=0
out=$(h a2 sync 2>&1) || rc=$?
expect_eq "once the change is discarded, sync is done" 0 "$rc"
expect_not_contains "and nothing is queued any more" "reveal/export" "$out"

finish
