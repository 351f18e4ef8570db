#!/bin/bash
# The committee's console (issue 6) with a real hearthd: branches, enrolment
# signed by the dev CA (and the CSR path), principals, revocation of a live
# certificate, the cross-branch conflict queue, server status, branch
# certificates refused everywhere (and audited), and `hearth admin stats`
# checked figure by figure against counts this script computes itself from
# the records it creates.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s
client adm admin "$P"
client aud auditor "$P"
client b1 branch1 "$P"      # b001
client b2 branch2 "$P"      # b002
json_field() { grep -o "\"$1\":[^,}]*" | head -1 | cut -d: -f2- | tr -d '"'; }
has_audit() { "$HEARTH" audit --help >/dev/null 2>&1; }
audit_count() { h adm audit log --json --limit 100000 --action "$1" 2>/dev/null | grep -o '"seq":' | wc -l; }

# --- branches: the two from --branch at start, add, duplicate, rename, list
out=$(h adm admin branch list --json); rc=$?
expect_eq "branch list runs" 0 "$rc"
expect_contains "branch list has b001 from --branch" '"id":"b001","name":"第一党支部"' "$out"
expect_contains "branch list has b002" '"id":"b002","name":"第二党支部"' "$out"
out=$(h adm admin branch add b003 --name 第三党支部 --secretary 李明 2>&1); rc=$?
expect_eq "branch add" 0 "$rc"
expect_contains "branch add says what it added" "added branch b003: 第三党支部" "$out"
out=$(h adm admin branch add b003 --name 重复 2>&1); rc=$?
expect_eq "adding an existing branch fails (exit 1)" 1 "$rc"
expect_contains "... and says it exists" "already exists" "$out"
h adm admin branch add 'b 4' --name x >/dev/null 2>&1
expect_eq "a bad branch id is a usage error" 2 "$?"
h adm admin branch add b004 >/dev/null 2>&1
expect_eq "branch add without --name is a usage error" 2 "$?"
out=$(h adm admin branch rename b003 --name 第三党支部（机关） 2>&1); rc=$?
expect_eq "branch rename" 0 "$rc"
out=$(h adm admin branch list --json)
expect_contains "rename changed the name and kept the secretary" '"name":"第三党支部（机关）","parent":"","secretary":"李明"' "$out"
out=$(h adm admin branch rename b999 --name 不存在 2>&1); rc=$?
expect_eq "renaming a missing branch fails" 1 "$rc"
expect_contains "... naming the branch" "b999 does not exist" "$out"
out=$(h adm admin branch list)
expect_contains "the table shows the renamed branch" "b003  第三党支部（机关）" "$out"
out=$(h aud admin branch list --json); rc=$?
expect_eq "an auditor may list branches" 0 "$rc"
out=$(h aud admin branch add b005 --name 审计 2>&1); rc=$?
expect_eq "an auditor may not add branches" 1 "$rc"
orphan=$(h adm member add --name 孤儿 --branch b404 2>/dev/null)
h adm sync >"$T/unk" 2>&1; rc=$?
expect_eq "a record in an unknown branch is rejected" 1 "$rc"
expect_contains "... saying the branch does not exist and how to add it" "hearth admin branch add b404" "$(cat "$T/unk")"
h adm rejected discard "$orphan" >/dev/null

# --- a branch certificate cannot run any admin command; each is refused
# by the server (FORBIDDEN) and audited as denied
before=0; has_audit && before=$(audit_count denied)
n=0
for cmd in "branch list" "branch add b009 --name 九" "branch rename b001 --name 一" "principals" \
	"revoke 0000000000000000000000000000000000000000000000000000000000000000 --reason x" "server" \
	"stats" "report --html $T/b1.html" "conflicts" "resolve 0123 --keep mine" \
	"enroll --branch b001 --name 某人 --out $T/b1enr"; do
	# shellcheck disable=SC2086
	out=$(h b1 admin $cmd 2>&1); rc=$?
	expect_eq "branch certificate: admin ${cmd%% --*} exits 1" 1 "$rc"
	expect_contains "branch certificate: admin ${cmd%% --*} is FORBIDDEN by the server" \
		"admin requests need an admin certificate" "$out"
	n=$((n + 1))
done
[ ! -e "$T/b1.html" ] && pass "no report written for a branch certificate" || fail "a branch certificate wrote a report"
if has_audit; then
	after=$(audit_count denied)
	expect_eq "every refused admin command is audited as denied" "$((before + n))" "$after"
else
	expect_eq "refusals in the server log" "$n" "$(grep -c 'admin request' "$T/s.log")"
fi

# --- enroll a branch operator with the dev CA key, connect with it
out=$(h adm admin enroll --branch b003 --name 王小明 --out "$T/enr" --ca-key "$CERTS/ca.key" 2>&1); rc=$?
expect_eq "enroll with the CA key" 0 "$rc"
expect_contains "enroll names the person and branch" "enrolled 王小明 as an operator of branch b003 (第三党支部（机关）)" "$out"
expect_eq "the key is mode 0600" 600 "$(stat -c %a "$T/enr/b003.key")"
expect_contains "the certificate carries the branch URI" "URI:hearth://demo/branch/b003" \
	"$(openssl x509 -in "$T/enr/b003.pem" -noout -ext subjectAltName 2>&1)"
expect_contains "client authentication only" "TLS Web Client Authentication" \
	"$(openssl x509 -in "$T/enr/b003.pem" -noout -ext extendedKeyUsage 2>&1)"
expect_contains "the certificate chains to the committee CA" "OK" \
	"$(openssl verify -CAfile "$CERTS/ca.pem" "$T/enr/b003.pem" 2>&1)"
fp_printed=$(echo "$out" | grep 'fingerprint:' | awk '{print $2}')
init_line=$(echo "$out" | grep '^  hearth init ')
expect_contains "enroll prints the hearth init line" "--server 127.0.0.1:$P --cert $T/enr/b003.pem" "$init_line"
eval "\"\$HEARTH\" --home \"\$T/home.new\" ${init_line#  hearth }" >/dev/null
who=$(h new whoami --json); rc=$?
expect_eq "the new certificate connects" 0 "$rc"
expect_contains "whoami shows the name" '"name":"王小明"' "$who"
expect_contains "whoami shows the branch" '"branch":"b003"' "$who"
fp=$(echo "$who" | json_field fingerprint)
expect_eq "the printed fingerprint is whoami's" "$fp" "$fp_printed"
out=$(h adm admin enroll --branch b777 --name 某人 --out "$T/enr777" --ca-key "$CERTS/ca.key" 2>&1); rc=$?
expect_eq "enrolling into an unknown branch fails" 1 "$rc"
expect_contains "... and says how to add it" "hearth admin branch add b777" "$out"
h adm admin enroll --role admin --branch b001 --name 某人 >/dev/null 2>&1
expect_eq "--branch with --role admin is a usage error" 2 "$?"
out=$(h adm admin enroll --branch b003 --name 王小明 --out "$T/enr" --ca-key "$CERTS/ca.key" 2>&1); rc=$?
expect_eq "enroll never overwrites a key" 1 "$rc"

# The CSR path: a profile whose CA directory holds no CA key.
mkdir -p "$T/caonly"; cp "$CERTS/ca.pem" "$T/caonly/ca.pem"
"$HEARTH" --home "$T/home.adm2" init --server "127.0.0.1:$P" --cert "$CERTS/admin.pem" \
	--key "$CERTS/admin.key" --ca "$T/caonly/ca.pem" >/dev/null
out=$(h adm2 admin enroll --branch b001 --name 赵六 --out "$T/csr" 2>&1); rc=$?
expect_eq "enroll without the CA key writes a request" 0 "$rc"
expect_contains "... and says so" "certificate request" "$out"
sign=$(echo "$out" | grep '^  openssl x509 -req ')
expect_contains "... with the exact signing command" "-extfile $T/csr/b001.ext" "$sign"
cp "$CERTS/ca.key" "$T/caonly/ca.key"      # "where the CA key is kept"
eval "$sign" >/dev/null 2>&1
expect_eq "the printed openssl command signs it" 0 "$?"
init_line=$(echo "$out" | grep '^  hearth init ')
eval "\"\$HEARTH\" --home \"\$T/home.csr\" ${init_line#  hearth }" >/dev/null
expect_contains "the CSR-signed certificate connects as 赵六 of b001" '"branch":"b001","name":"赵六"' "$(h csr whoami --json)"

# --- principals
out=$(h adm admin principals --json); rc=$?
expect_eq "principals" 0 "$rc"
expect_contains "principals lists the new operator" "\"fingerprint\":\"$fp\",\"name\":\"王小明\",\"role\":\"branch\",\"branch\":\"b003\"" "$out"
expect_contains "principals table" "王小明" "$(h aud admin principals)"

# --- revoke while a session is connected
"$HEARTH_TOOLS/loadgen" --port "$P" --cert "$T/enr/b003.pem" --key "$T/enr/b003.key" --ca "$CERTS/ca.pem" \
	--mode ping --clients 1 --hold-ms 4000 >"$T/lg.out" 2>&1 &
lg=$!; PIDS+=("$lg")
for _ in $(seq 1 100); do
	[ "$(grep -c "event=login.*cn=王小明" "$T/s.log")" -ge 2 ] && break
	sleep 0.05
done
before_revoke=0; has_audit && before_revoke=$(audit_count revoke)
out=$(h aud admin revoke "$fp" --reason 测试 2>&1); rc=$?
expect_eq "an auditor cannot revoke" 1 "$rc"
out=$(h adm admin revoke "${fp:0:12}" --reason "离职，证书收回" 2>&1); rc=$?
expect_eq "revoke by fingerprint prefix" 0 "$rc"
expect_contains "revoke names who was revoked" "revoked 王小明 (branch b003 certificate" "$out"
expect_contains "the live connection was closed" "closed 1 live connection" "$out"
wait "$lg" 2>/dev/null
expect_contains "the server closed that connection for the revocation" "revoked just now" \
	"$(grep 'event=conn_close.*cn=王小明' "$T/s.log")"
out=$(h new whoami 2>&1); rc=$?
expect_eq "the next connect is refused (exit 3)" 3 "$rc"
expect_contains "... saying the certificate was revoked, by whom and why" "this certificate was revoked on" "$out"
expect_contains "... and the reason" "离职，证书收回" "$out"
expect_contains "principals shows it revoked" '"revoked":true' "$(h adm admin principals --json | grep -o "{\"fingerprint\":\"$fp\"[^}]*}")"
if has_audit; then
	expect_eq "the revocation is audited" "$((before_revoke + 1))" "$(audit_count revoke)"
	expect_contains "the refused connect is audited" "this certificate was revoked" \
		"$(h adm audit log --json --limit 100000 --action unauthenticated)"
else
	expect_contains "the refused connect is in the server log" "event=auth_refused" "$(cat "$T/s.log")"
fi
out=$(h adm admin revoke "$fp" --reason 再次 2>&1); rc=$?
expect_eq "revoking twice fails" 1 "$rc"
h adm admin revoke xyz --reason x >/dev/null 2>&1
expect_eq "a bad fingerprint is a usage error" 2 "$?"

# --- server status
out=$(h adm admin server --json); rc=$?
expect_eq "admin server" 0 "$rc"
expect_contains "server version" '"version":"0.1.0"' "$out"
expect_contains "server audit head" '"audit_head":"' "$out"
out=$(h aud admin server)
expect_contains "server status for people: map usage" "% used" "$out"
expect_contains "server status for people: audit head" "audit head:" "$out"

# --- stats: records in two branches, counted here independently
Y=$(date -u +%Y)
TODAY=$(date -u +%F)
export HEARTH_TODAY=$TODAY
days_ago() { date -u -d "$TODAY -$1 days" +%F; }
declare -A E LEDGER LEDGER_CERT SPRING JULY LASTV LASTTALK ALIVE
inc() { E[$1.$2]=$(( ${E[$1.$2]:-0} + ${3:-1} )); }
ymd_days() { echo $(( $(date -u -d "$1" +%s) / 86400 )); }
TD=$(ymd_days "$TODAY")
cert_of() { [ "$1" = b001 ] && echo b1 || echo b2; }

add_member() { # BRANCH NAME CATEGORY STANDING -> id in MID
	MID=$(h "$(cert_of "$1")" member add --name "$2" --category "$3" --standing "$4")
	inc "$1" "members_$4"
	# 党员 and its categories: live members only, as 'report year' counts them
	if [ "$4" = normal ] || [ "$4" = suspended ]; then
		ALIVE[$MID]=1; inc "$1" members; inc "$1" "members_$3"
	fi
	return 0
}
add_hardship() { # BRANCH MEMBER TYPES STATUS CERTIFIED_AT
	local extra=()
	case $4 in resolved|removed) extra=(--closed-date "$TODAY");; esac
	h "$(cert_of "$1")" hardship add --member "$2" --types "$3" --status "$4" --certified-at "$5" "${extra[@]}" >/dev/null
	inc "$1" hardship; inc "$1" "hardship_$4"
	case $4 in registered|assisting)
		inc "$1" hardship_open
		for t in ${3//,/ }; do inc "$1" "hardship_type_$t"; done
		LEDGER[$1]="${LEDGER[$1]:-} $2"; LEDGER_CERT[$2]=$5;;
	esac
}
add_visit() { # BRANCH MEMBERS OCCASION DATE STATUS
	h "$(cert_of "$1")" visit add --members "$2" --occasion "$3" --date "$4" --status "$5" >/dev/null
	[ "$5" = planned ] || [ "$5" = cancelled ] && return 0
	local d; d=$(ymd_days "$4")
	for m in ${2//,/ }; do
		[ "$d" -le "$TD" ] && [ "$d" -gt "${LASTV[$m]:--1}" ] && LASTV[$m]=$d
		[ "${4:0:4}" = "$Y" ] && [ "$3" = spring_festival ] && SPRING[$m]=1
		[ "${4:0:4}" = "$Y" ] && [ "$3" = july_first ] && JULY[$m]=1
	done
	if [ "${4:0:4}" = "$Y" ]; then
		inc "$1" visits
		[ "$3" = spring_festival ] && inc "$1" visits_spring_festival
		[ "$3" = july_first ] && inc "$1" visits_july_first
	fi
	return 0
}
add_talk() { # BRANCH MEMBER DATE
	h "$(cert_of "$1")" talk add --form individual --trigger hardship --talker 书记 --members "$2" \
		--date "$3" --topic 了解困难 >/dev/null
	[ "${3:0:4}" = "$Y" ] && inc "$1" talks
	local d; d=$(ymd_days "$3")
	[ "$d" -le "$TD" ] && [ "$d" -gt "${LASTTALK[$2]:--1}" ] && LASTTALK[$2]=$d
	return 0
}
add_dues() { # BRANCH MEMBER MONTH DUE_FEN PAID_FEN STATUS
	local extra=()
	[ "$5" -gt 0 ] && extra=(--paid-fen "$5" --paid-date "$3-10")
	h "$(cert_of "$1")" dues add --member "$2" --month "$3" --due-fen "$4" --status "$6" "${extra[@]}" >/dev/null
	if [ "${3:0:4}" = "$Y" ]; then
		[ "$6" = exempt ] || inc "$1" dues_due_fen "$4"
		inc "$1" dues_paid_fen "$5"
	fi
}

add_member b001 王秀英 full normal; m1=$MID
add_member b001 李建国 full normal; m2=$MID
add_member b001 张桂兰 probationary normal; m3=$MID
add_member b001 刘永福 full deceased; m4=$MID
add_member b002 陈海燕 full normal; n1=$MID
add_member b002 杨卫东 probationary suspended; n2=$MID
add_member b002 赵红梅 full left; n3=$MID
gone=$(h b1 member add --name 删除的 --category full --standing normal); h b1 member delete "$gone" >/dev/null

add_hardship b001 "$m1" living,elderly registered "$(days_ago 200)"
add_hardship b001 "$m2" ill assisting "$(days_ago 20)"
add_hardship b001 "$m4" alone resolved "$(days_ago 400)"
add_hardship b002 "$n1" disabled,ill registered "$(days_ago 150)"
add_hardship b002 "$n2" frail removed "$(days_ago 300)"

add_visit b001 "$m1" spring_festival "$Y-01-20" done
add_visit b001 "$m1,$m2" july_first "$Y-06-28" done
add_visit b001 "$m2" hospital "$(days_ago 10)" done
add_visit b001 "$m3" spring_festival "$Y-02-01" planned
add_visit b002 "$n1" july_first "$Y-07-01" cancelled
add_visit b002 "$n2" spring_festival "$Y-01-25" done

add_talk b001 "$m1" "$(days_ago 3)"
add_talk b001 "$m3" "$Y-03-03"
add_talk b001 "$m3" "$((Y - 1))-05-05"
add_talk b002 "$n1" "$Y-04-04"

# pairings: one with a recent note, one silent for 100 days, one closed, one new
p1=$(h b1 pairing add --mode member --helper 支部书记 --member "$m1" --start-date "$(days_ago 100)" --status active)
h b1 pairing note "$p1" --date "$(days_ago 5)" --note 上门了解情况 --by 书记 >/dev/null
h b1 pairing add --mode member --helper 党员甲 --member "$m2" --start-date "$(days_ago 100)" --status active >/dev/null
h b2 pairing add --mode organization --helper 机关 --member "$n1" --start-date "$(days_ago 300)" \
	--end-date "$(days_ago 30)" --status closed --outcome improved >/dev/null
h b2 pairing add --mode member --helper 党员乙 --member "$n1" --start-date "$(days_ago 30)" --status active >/dev/null
E[b001.pairings_active]=2; E[b002.pairings_active]=1
E[b001.overdue_pairings]=1; E[b002.overdue_pairings]=0

# honors: counted when approved or awarded, by year; a nominated (推荐)
# honor counts nowhere, as in 'report year' (figure_rules.h), nor a revoked one
h b1 honor add --year "$Y" --title excellent_member --member "$m1" --status nominated >/dev/null
h b1 honor add --year "$Y" --title excellent_worker --member "$m1" --status approved >/dev/null
h b2 honor add --year "$Y" --title excellent_member --member "$n1" --status revoked >/dev/null
h b2 honor add --year "$Y" --title advanced_org --recipient-branch b002 --status nominated >/dev/null
h b2 honor add --year "$Y" --title advanced_org --recipient-branch b002 --status awarded >/dev/null
h b2 honor add --year "$((Y - 1))" --title innovation --recipient-branch b002 --status awarded >/dev/null
E[b001.honors]=1; E[b002.honors]=1

old_month=$(date -u -d "$(date -u +%Y-%m-15) -5 months" +%Y-%m)
add_dues b001 "$m1" "$Y-01" 1000 1000 paid
add_dues b001 "$m2" "$Y-01" 500 0 unpaid
add_dues b001 "$m3" "$Y-02" 200 100 partial
add_dues b001 "$m4" "$Y-01" 0 0 exempt
add_dues b001 "$m2" "$old_month" 500 0 unpaid
add_dues b002 "$n1" "$Y-01" 800 800 paid
add_dues b002 "$n1" "$((Y - 1))-12" 800 0 unpaid

# Derived figures, by the rules in `hearth admin stats --help` and due.h.
month_idx() { echo $(( 10#${1:0:4} * 12 + 10#${1:5:2} - 1 )); }
NOWM=$(month_idx "$TODAY")
declare -A DUESMEMBERS
for b in b001 b002; do
	seen=" "
	for m in ${LEDGER[$b]:-}; do
		[[ "$seen" == *" $m "* ]] && continue
		seen="$seen$m "
		inc $b hardship_members
		[ -n "${SPRING[$m]:-}" ] && inc $b spring_festival_visited
		[ -n "${JULY[$m]:-}" ] && inc $b july_first_visited
		if [ -n "${ALIVE[$m]:-}" ]; then
			ref=$(ymd_days "${LEDGER_CERT[$m]}")
			[ "${LASTV[$m]:--1}" -gt "$ref" ] && ref=${LASTV[$m]}
			[ $((TD - ref)) -gt 90 ] && inc $b overdue_visits
			# a talk is owed from the ledger entry; overdue after 30 days
			c=$(ymd_days "${LEDGER_CERT[$m]}")
			if [ $((TD - c)) -lt 365 ] && [ "${LASTTALK[$m]:--1}" -lt "$c" ] && [ $((TD - c - 30)) -gt 0 ]; then
				inc $b overdue_talks
			fi
		fi
	done
done
# dues: members with a month unpaid/partial more than 3 months back (one item each)
for spec in "b001 $m2 $Y-01 unpaid" "b001 $m3 $Y-02 partial" "b001 $m2 $old_month unpaid" "b002 $n1 $((Y - 1))-12 unpaid"; do
	set -- $spec
	if [ $((NOWM - $(month_idx "$3"))) -gt 3 ] && [ -z "${DUESMEMBERS[$2]:-}" ]; then
		DUESMEMBERS[$2]=1; inc "$1" overdue_dues
	fi
done
pct() { [ "${2:-0}" -gt 0 ] && awk -v n="$1" -v d="$2" 'BEGIN { printf "%.1f", n * 100.0 / d }' || echo null; }
for b in b001 b002; do
	E[$b.spring_festival_coverage]=$(pct "${E[$b.spring_festival_visited]:-0}" "${E[$b.hardship_members]:-0}")
	E[$b.july_first_coverage]=$(pct "${E[$b.july_first_visited]:-0}" "${E[$b.hardship_members]:-0}")
	E[$b.dues_rate]=$(pct "${E[$b.dues_paid_fen]:-0}" "${E[$b.dues_due_fen]:-0}")
	E[$b.overdue]=$(( ${E[$b.overdue_visits]:-0} + ${E[$b.overdue_talks]:-0} + ${E[$b.overdue_dues]:-0} + ${E[$b.overdue_pairings]:-0} ))
done

KEYS="members members_full members_probationary members_normal members_suspended members_deceased members_left
hardship hardship_registered hardship_assisting hardship_resolved hardship_removed hardship_open hardship_members
hardship_type_living hardship_type_alone hardship_type_elderly hardship_type_frail hardship_type_ill hardship_type_disabled
visits visits_spring_festival visits_july_first spring_festival_visited spring_festival_coverage july_first_visited
july_first_coverage talks pairings_active honors dues_due_fen dues_paid_fen dues_rate overdue_visits overdue_talks
overdue_dues overdue_pairings overdue"
h b1 sync >/dev/null 2>&1; h b2 sync >/dev/null 2>&1
expect_contains "a fresh replica gets a 'sync first' note" "run 'hearth sync' first" "$(h aud admin stats --replica --json 2>&1 >/dev/null)"
# The server computes the figures itself and needs no replica: every one,
# the overdue items as of HEARTH_TODAY included, equals the independent
# counts.
sstats=$(h aud admin stats --json 2>"$T/sstats.err")
for b in b001 b002; do
	obj=$(echo "$sstats" | grep -o "{\"branch\":\"$b\"[^}]*}")
	bad=""
	for k in $KEYS; do
		got=$(echo "$obj" | grep -o "\"$k\":[^,}]*" | cut -d: -f2)
		want=${E[$b.$k]:-0}
		[ "$got" = "$want" ] || bad="$bad $k=$got(want $want)"
	done
	expect_eq "server stats for $b, with an empty replica, equal the independent counts" "" "$bad"
	expect_contains "server stats say their source" '"source":"server"' "$obj"
done
expect_eq "server stats: no 'sync first' note" "" "$(cat "$T/sstats.err")"
h adm sync >/dev/null 2>&1
stats=$(h adm admin stats --replica --json 2>"$T/stats.err"); rc=$?
expect_eq "admin stats --json" 0 "$rc"
expect_eq "no note after a fresh sync" "" "$(cat "$T/stats.err")"
for b in b001 b002; do
	obj=$(echo "$stats" | grep -o "{\"branch\":\"$b\"[^}]*}")
	bad=""
	for k in $KEYS; do
		got=$(echo "$obj" | grep -o "\"$k\":[^,}]*" | cut -d: -f2)
		want=${E[$b.$k]:-0}
		[ "$got" = "$want" ] || bad="$bad $k=$got(want $want)"
	done
	expect_eq "stats for $b equal the independent counts (every figure)" "" "$bad"
done
expect_contains "stats names branches" '"branch":"b003","name":"第三党支部（机关）"' "$stats"
expect_eq "stats --json has one object per branch (b001-b003)" 3 "$(echo "$stats" | grep -o '{"branch"' | wc -l)"
total_members=$(( ${E[b001.members]} + ${E[b002.members]} ))
csv=$(h adm admin stats --csv --bom)
expect_eq "CSV starts with the UTF-8 BOM" "efbbbf" "$(printf '%s' "$csv" | head -c 3 | od -An -tx1 | tr -d ' \n')"
expect_contains "CSV has a totals row" "合计,,$total_members," "$csv"
table=$(h adm admin stats)
expect_contains "the table has a totals row" "合计" "$table"
expect_contains "the table shows branch names" "第一党支部" "$table"
expect_eq "an auditor may read stats" 0 "$(h aud sync >/dev/null 2>&1; h aud admin stats --offline >/dev/null 2>&1; echo $?)"
y1=$(h adm admin stats --json --year $((Y - 1)) | grep -o '{"branch":"b001"[^}]*}' | json_field talks)
expect_eq "--year counts that year's talks" 1 "$y1"

# --- conflicts across branches: the admin and b001 edit the same field
h adm member edit "$m1" --address 管理员写的地址 >/dev/null
h b1 sync >/dev/null 2>&1
h b1 member edit "$m1" --address 支部写的地址 >/dev/null
h b1 sync >/dev/null 2>&1
h adm sync >/dev/null 2>&1
cj=$(h adm admin conflicts --json); rc=$?
expect_eq "admin conflicts" 0 "$rc"
expect_contains "the conflict shows its branch" '"branch":"b001"' "$cj"
expect_contains "... and both values" '"field":"address","server":"支部写的地址","other":"管理员写的地址"' "$cj"
expect_eq "--branch b002 has none" "[]" "$(h adm admin conflicts --branch b002 --json)"
expect_contains "the human listing names the branch" "branch b001" "$(h adm admin conflicts)"
cid=$(echo "$cj" | json_field id)
out=$(h adm admin resolve "$cid" --keep theirs 2>&1); rc=$?
expect_eq "admin resolve" 0 "$rc"
h adm sync >/dev/null 2>&1
expect_eq "no conflicts after resolving and syncing" "[]" "$(h adm admin conflicts --json)"

finish
