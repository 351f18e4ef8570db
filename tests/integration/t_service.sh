#!/bin/bash
# hearthd as a service (issue 8 item 5): `cmake --install` places binaries,
# the systemd unit, man pages and the example config; both man pages render
# with `man -l`; `systemd-analyze verify` accepts the unit (where it is
# available); the example config passes --check-config; SIGHUP with a
# replaced server certificate keeps live connections, and new connections
# see the new certificate; a broken certificate on SIGHUP keeps the old one.
. "$(dirname "$0")/lib.sh"

BUILD=$(cd "$HEARTH_TOOLS/.." && pwd)
OLD="$HEARTH_TOOLS/oldclient"
SRC=${HEARTH_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}

# ---- install
if timeout 120 cmake --install "$BUILD" --prefix "$T/inst" >"$T/install.log" 2>&1; then
	pass "cmake --install into a staging prefix"
else
	fail "cmake --install: $(tail -3 "$T/install.log")"
fi
for f in sbin/hearthd bin/hearth lib/systemd/system/hearthd.service share/doc/hearth/hearthd.ini.example; do
	[ -e "$T/inst/$f" ] && pass "installed $f" || fail "not installed: $f"
done
[ -x "$T/inst/sbin/hearthd" ] && pass "installed hearthd is executable" || fail "installed hearthd not executable"
unit="$T/inst/lib/systemd/system/hearthd.service"
for want in "User=hearth" "ProtectSystem=strict" "NoNewPrivileges=yes" "PrivateTmp=yes" "ProtectHome=yes" \
	"ReadWritePaths=/var/lib/hearth" "StateDirectory=hearth" 'ExecReload=/bin/kill -HUP $MAINPID' \
	"Restart=on-failure" "--config /etc/hearth/hearthd.ini"; do
	expect_contains "unit has $want" "$want" "$(cat "$unit" 2>/dev/null)"
done
expect_not_contains "unit has no unconfigured @VARS@" "@CMAKE" "$(cat "$unit" 2>/dev/null)"

# ---- man pages
if [ -e "$BUILD/man/hearthd.8" ]; then
	for p in man8/hearthd.8 man1/hearth.1; do
		[ -e "$T/inst/share/man/$p" ] && pass "installed man page $p" || fail "not installed: share/man/$p"
	done
	if command -v man >/dev/null; then
		for p in hearthd.8 hearth.1; do
			out=$(MANWIDTH=80 timeout 30 man --warnings -l "$BUILD/man/$p" 2>"$T/man.err"); rc=$?
			expect_eq "man -l $p exits 0" 0 "$rc"
			expect_eq "man -l $p: no formatter warnings" "" "$(cat "$T/man.err")"
			expect_contains "man -l $p has a NAME section" "NAME" "$out"
		done
		out=$(MANWIDTH=80 man -l "$BUILD/man/hearthd.8" 2>/dev/null)
		for flag in --config --check-config --listen --data --cert --key --ca --crl --org --map-size \
			--no-group-commit --verbose --help --version backup restore --force tombstone_days SIGHUP; do
			expect_contains "hearthd(8) documents $flag" "$flag" "$out"
		done
		# Every flag hearthd --help lists is in the page.
		for flag in $("$HEARTHD" --help | grep -o -- '--[a-z-]*' | sort -u); do
			expect_contains "hearthd(8) has $flag from --help" "$flag" "$out"
		done
		out=$(MANWIDTH=80 man -l "$BUILD/man/hearth.1" 2>/dev/null)
		for cmd in $("$HEARTH" --help | awk '/^commands:/{c=1;next} /^$/{c=0} c{print $1}'); do
			expect_contains "hearth(1) documents $cmd" "$cmd" "$out"
		done
		for flag in --home --version --server --json --count --batch --page --branch --keep --set --reveal --csv --bom --all --year; do
			expect_contains "hearth(1) documents $flag" "$flag" "$out"
		done
	else
		echo "skip: man is not installed (apt install man-db)"
	fi
else
	echo "skip: man pages were not built (scdoc not found when configuring; apt install scdoc)"
fi

# ---- systemd-analyze verify (the unit as installed, with ExecStart pointing
# at the binary we just installed, since verify checks it exists)
if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s#=/[^ ]*/sbin/hearthd#=$T/inst/sbin/hearthd#g" "$unit" > "$T/hearthd.service"
	out=$(timeout 60 systemd-analyze verify --man=no "$T/hearthd.service" 2>&1); rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then
		pass "systemd-analyze verify accepts the unit"
	elif grep -qiE "bus|connect|not booted|No such file or directory.*systemd" <<<"$out" && ! grep -q "hearthd.service:" <<<"$out"; then
		echo "skip: systemd-analyze cannot run here: $out"
	else
		fail "systemd-analyze verify: rc=$rc $out"
	fi
else
	echo "skip: systemd-analyze not available"
fi

# ---- the example config checks out (with this machine's cert paths)
sed -e "s#^data = .*#data = $T/ex.data#" -e "s#/etc/hearth/server.pem#$CERTS/server.pem#" \
	-e "s#/etc/hearth/server.key#$CERTS/server.key#" -e "s#/etc/hearth/ca.pem#$CERTS/ca.pem#" \
	-e "s#/etc/hearth/audit-ed25519.key#$CERTS/audit-ed25519.key#" "$SRC/server/hearthd.ini.example" > "$T/ex.ini"
out=$("$HEARTHD" --config "$T/ex.ini" --dev --check-config 2>&1); rc=$?
expect_eq "example config passes --check-config" 0 "$rc"
expect_contains "example config OK" "configuration OK" "$out"
printf '[store]\ntombstone_days = forever\n' > "$T/bad.ini"
out=$("$HEARTHD" --config "$T/bad.ini" --check-config 2>&1); rc=$?
expect_eq "bad tombstone_days exits 2" 2 "$rc"
expect_contains "bad tombstone_days named with its line" 'bad.ini:2: tombstone_days: "forever" is not a number between 0 and 36500' "$out"

# ---- SIGHUP: new certificate for new connections, live ones keep going
mkdir -p "$T/tls"
cp "$CERTS/server.pem" "$T/tls/server.pem"
cp "$CERTS/server.key" "$T/tls/server.key"
chmod 600 "$T/tls/server.key"
printf 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$T/tls/ext.cnf"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/tls/new.key" \
	-subj "/CN=hearthd-renewed" -out "$T/tls/new.csr" 2>/dev/null
openssl x509 -req -in "$T/tls/new.csr" -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca.key" \
	-set_serial "0x$(openssl rand -hex 8)" -days 30 -extfile "$T/tls/ext.cnf" -out "$T/tls/new.pem" 2>/dev/null
fp() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
old_fp=$(fp "$T/tls/server.pem")
new_fp=$(fp "$T/tls/new.pem")
[ "$old_fp" != "$new_fp" ] && pass "made a renewed server certificate" || fail "renewed certificate is the same"

start_server hup --cert "$T/tls/server.pem" --key "$T/tls/server.key"
oc() { timeout 60 "$OLD" --port "$PORT_hup" --cert "$CERTS/branch1.pem" --key "$CERTS/branch1.key" --ca "$CERTS/ca.pem" "$@"; }
mkfifo "$T/hold.in"
oc --mode hold <"$T/hold.in" >"$T/hold.out" 2>&1 &
HOLD=$!
PIDS+=("$HOLD")
exec 7>"$T/hold.in"
for _ in $(seq 1 200); do grep -q holding "$T/hold.out" && break; sleep 0.05; done
expect_contains "held connection saw the old certificate" "server-cert: $old_fp" "$(cat "$T/hold.out")"

cp "$T/tls/new.pem" "$T/tls/server.pem.new" && mv "$T/tls/server.pem.new" "$T/tls/server.pem"
cp "$T/tls/new.key" "$T/tls/server.key.new" && mv "$T/tls/server.key.new" "$T/tls/server.key"
kill -HUP "$PID_hup"
for _ in $(seq 1 200); do grep -q 'event=reloaded' "$T/hup.log" && break; sleep 0.05; done
expect_contains "server logged the reload" "event=reloaded what=tls" "$(cat "$T/hup.log")"
out=$(oc --mode hello 2>&1); rc=$?
expect_eq "new connection after SIGHUP" 0 "$rc"
expect_contains "new connection sees the new certificate" "server-cert: $new_fp" "$out"

echo go >&7
exec 7>&-
wait "$HOLD"; rc=$?
expect_eq "the connection held across SIGHUP still works" 0 "$rc"
expect_contains "held connection got its Pong" "pong on the held connection" "$(cat "$T/hold.out")"

# A broken certificate on SIGHUP: logged, and the server keeps the last good one.
echo "not a certificate" > "$T/tls/server.pem"
kill -HUP "$PID_hup"
for _ in $(seq 1 200); do grep -q 'event=reload_failed' "$T/hup.log" && break; sleep 0.05; done
expect_contains "broken certificate: reload_failed logged" "event=reload_failed" "$(cat "$T/hup.log")"
out=$(oc --mode hello 2>&1); rc=$?
expect_eq "server still serves after a failed reload" 0 "$rc"
expect_contains "still with the last good certificate" "server-cert: $new_fp" "$out"

finish
