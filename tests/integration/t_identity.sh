#!/bin/bash
# Who may connect: the four good certificates show their role and branch;
# expired, foreign-CA, no-URI and other-org certificates are refused, each
# with its own error; plain TLS clients without a certificate or with TLS 1.2
# are refused; a down server, a wrong CA and a wrong address say so.
. "$(dirname "$0")/lib.sh"

start_server s
P=$PORT_s

for spec in "branch1 branch b001 张三" "branch2 branch b002 李四" "admin admin - 王五" "auditor auditor - 赵六"; do
	set -- $spec
	client "$1" "$1" "$P"
	out=$(h "$1" whoami 2>&1); rc=$?
	expect_eq "$1 whoami exit" 0 "$rc"
	expect_contains "$1 role" "role:        $2" "$out"
	[ "$3" != - ] && expect_contains "$1 branch" "branch:      $3" "$out"
	expect_contains "$1 name" "name:        $4" "$out"
	fp=$(openssl x509 -in "$CERTS/$1.pem" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d : | tr A-F a-f)
	expect_contains "$1 fingerprint as openssl prints it" "fingerprint: $fp" "$out"
done
out=$(h branch1 whoami --json); expect_contains "whoami --json" '"role":"branch","org":"demo","branch":"b001","name":"张三"' "$out"

client expired expired "$P"
out=$(h expired whoami 2>&1); rc=$?
expect_eq "expired exit" 3 "$rc"
expect_contains "expired says expired" "refused this client certificate: it has expired" "$out"

client foreign foreign "$P"
out=$(h foreign whoami 2>&1); rc=$?
expect_eq "foreign exit" 3 "$rc"
expect_contains "foreign says CA" "not signed by the committee CA" "$out"

client nouri nouri "$P"
out=$(h nouri whoami 2>&1); rc=$?
expect_eq "nouri exit" 3 "$rc"
expect_contains "nouri says no URI" "certificate has no hearth:// SAN URI" "$out"

client otherorg otherorg "$P"
out=$(h otherorg whoami 2>&1); rc=$?
expect_eq "otherorg exit" 3 "$rc"
expect_contains "otherorg names both orgs" 'organisation "elsewhere" but this server serves "demo"' "$out"

# The server logged each refusal with a reason.
expect_contains "server logged the no-URI refusal" "event=auth_refused" "$(cat "$T/s.log")"

# Wrong CA in the client's profile: the server's certificate is not trusted.
"$HEARTH" --home "$T/home.wrongca" init --server "127.0.0.1:$P" --cert "$CERTS/branch1.pem" \
	--key "$CERTS/branch1.key" --ca "$CERTS/foreign-ca.pem" >/dev/null
out=$(h wrongca whoami 2>&1); rc=$?
expect_eq "wrong CA exit" 3 "$rc"
expect_contains "wrong CA says not trusted" "server's certificate is not trusted" "$out"

# Wrong address: a server on 127.0.0.2, which its certificate does not name.
start_server other --listen 127.0.0.2:0
"$HEARTH" --home "$T/home.wrongaddr" init --server "127.0.0.2:$PORT_other" --cert "$CERTS/branch1.pem" \
	--key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" >/dev/null
out=$(h wrongaddr whoami 2>&1); rc=$?
expect_eq "wrong address exit" 3 "$rc"
expect_contains "wrong address says mismatch" "IP address mismatch" "$out"

# openssl s_client: no client certificate, and TLS 1.2.
# (stdin stays open a moment so s_client reads the server's alert)
out=$(sleep 1 | timeout 10 openssl s_client -connect 127.0.0.1:$P -CAfile "$CERTS/ca.pem" -tls1_3 2>&1)
expect_contains "s_client without a certificate is refused" "certificate required" "$out"
expect_contains "server logged why" "peer did not return a certificate" "$(cat "$T/s.log")"
out=$(sleep 1 | timeout 10 openssl s_client -connect 127.0.0.1:$P -CAfile "$CERTS/ca.pem" \
	-cert "$CERTS/branch1.pem" -key "$CERTS/branch1.key" -tls1_2 2>&1)
expect_contains "s_client TLS 1.2 is refused" "alert protocol version" "$out"

# Still serving after all that.
out=$(h branch1 whoami 2>&1); expect_contains "server still serves" "role:        branch" "$out"

# Server down: connection refused, exit 3.
stop_server s; expect_eq "SIGTERM exit status" 0 "$STOP_RC"
out=$(h branch1 whoami 2>&1); rc=$?
expect_eq "server down exit" 3 "$rc"
expect_contains "server down says so" "connection refused (is hearthd running there?)" "$out"

finish
