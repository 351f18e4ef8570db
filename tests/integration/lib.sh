# lib.sh: shared helpers for integration tests. Each test sources this file,
# starts real hearthd processes on 127.0.0.1 port 0 with the dev
# certificates, drives the real hearth client, and stops only the processes
# it started (by PID).
set -u

: "${HEARTHD:?HEARTHD must point at the hearthd binary}"
: "${HEARTH:?HEARTH must point at the hearth binary}"
: "${HEARTH_CERTS:?}"
: "${HEARTH_TOOLS:?}"
: "${HEARTH_TEST_TMP:=/tmp}"

# Every test checks the English text unless it asks for another language
# (t_i18n.sh sets LC_ALL itself): the client's messages follow LC_MESSAGES.
export LC_ALL=C.UTF-8
unset LANGUAGE

mkdir -p "$HEARTH_TEST_TMP"
T=$(mktemp -d "$HEARTH_TEST_TMP/$(basename "$0" .sh).XXXXXX")
CERTS=$HEARTH_CERTS
PIDS=()
SERVERS=()
FAILS=0
PASSES=0

# our_job PID: true while PID is still one of this shell's jobs. bash reaps
# a finished background job by itself, after which the kernel may give its
# PID to anyone's new process (pid_max wraps in long loops): a PID is
# signalled only while it is still ours.
our_job() {
	local j
	for j in $(jobs -pr); do
		[ "$j" = "$1" ] && return 0
	done
	return 1
}

cleanup() {
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && our_job "$p" && kill -9 "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	if [ "$FAILS" -eq 0 ]; then rm -rf "$T"; else echo "(test files kept in $T)"; fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
pass() { echo "ok: $*"; PASSES=$((PASSES + 1)); }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: expected [$2] got [$3]"; fi
}
# expect_contains WHAT NEEDLE HAYSTACK
expect_contains() {
	if [[ "$3" == *"$2"* ]]; then pass "$1"; else fail "$1: expected to contain [$2] in [$3]"; fi
}
expect_not_contains() {
	if [[ "$3" != *"$2"* ]]; then pass "$1"; else fail "$1: expected not to contain [$2] in [$3]"; fi
}

# start_server NAME [hearthd args...]: sets PORT_<NAME> and PID_<NAME>; log in $T/NAME.log
start_server() {
	local name=$1; shift
	local log="$T/$name.log"
	: > "$log"
	"$HEARTHD" --listen 127.0.0.1:0 --data "$T/$name.data" --cert "$CERTS/server.pem" \
		--key "$CERTS/server.key" --ca "$CERTS/ca.pem" --audit-key "$CERTS/audit-ed25519.key" --org demo --dev \
		--branch b001=第一党支部 --branch b002=第二党支部 "$@" 2>"$log" &
	local pid=$!
	PIDS+=("$pid")
	local port=""
	for _ in $(seq 1 200); do
		port=$(grep -o 'event=listening.*port=[0-9]*' "$log" | grep -o 'port=[0-9]*' | head -1 | cut -d= -f2)
		[ -n "$port" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if [ -z "$port" ]; then
		echo "server $name did not start:"; cat "$log"; exit 1
	fi
	printf -v "PORT_$name" '%s' "$port"
	printf -v "PID_$name" '%s' "$pid"
	SERVERS+=("$name")
}

# stop_server NAME: SIGTERM, wait (at most 20 s); sets STOP_RC to the exit status
stop_server() {
	local pidvar="PID_$1"
	local pid=${!pidvar} i
	STOP_RC=0
	if our_job "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 1 400); do
			our_job "$pid" || break
			sleep 0.05
		done
		our_job "$pid" && kill -9 "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null || STOP_RC=$?
	# Stopped and reaped: never signal that PID again.
	for i in "${!PIDS[@]}"; do
		[ "${PIDS[$i]}" = "$pid" ] && unset 'PIDS[i]'
	done
	return 0
}

# client NAME CERT PORT: makes a profile in $T/home.NAME for certificate CERT
client() {
	local name=$1 cert=$2 port=$3
	"$HEARTH" --home "$T/home.$name" init --server "127.0.0.1:$port" --cert "$CERTS/$cert.pem" \
		--key "$CERTS/$cert.key" --ca "$CERTS/ca.pem" >/dev/null
}

# h NAME ARGS...: runs hearth with that client's home
h() {
	local name=$1; shift
	"$HEARTH" --home "$T/home.$name" "$@"
}

# ui_start NAME [VAR=VALUE...]: starts `hearth ui` on client NAME's profile
# (with those variables in its environment), waits for the URL it prints
# and opens the session: sets UI_PID (killed at exit if still running),
# URL, B (http://127.0.0.1:PORT), the session cookie in $T/jar and CSRF.
ui_start() {
	local name=$1; shift
	env "$@" "$HEARTH" --home "$T/home.$name" ui --no-open --port 0 >"$T/ui.out" 2>"$T/ui.err" &
	UI_PID=$!
	PIDS+=("$UI_PID")
	URL=""
	for _ in $(seq 1 200); do
		URL=$(grep -o 'http://127.0.0.1:[0-9]*/?token=[0-9a-f]*' "$T/ui.out" | head -1)
		[ -n "$URL" ] && break
		kill -0 "$UI_PID" 2>/dev/null || break
		sleep 0.05
	done
	[ -n "$URL" ] || { echo "hearth ui did not start"; cat "$T/ui.out" "$T/ui.err"; exit 1; }
	B=${URL%%/\?*}
	curl -s -o /dev/null -c "$T/jar" --max-time 20 "$URL"
	CSRF=$(curl -s --max-time 20 -b "$T/jar" "$B/api/session" | grep -o '"csrf":"[0-9a-f]*"' | cut -d'"' -f4)
}

probe() {
	"$HEARTH_TOOLS/wireprobe" "$@"
}

finish() {
	# Every server still running must stop cleanly on SIGTERM: under ASan a
	# leak makes the exit status non-zero, so this is also the leak check.
	for name in "${SERVERS[@]:-}"; do
		local pidvar="PID_$name"
		[ -n "$name" ] || continue
		our_job "${!pidvar}" || continue
		stop_server "$name"
		expect_eq "server $name stops cleanly on SIGTERM" 0 "$STOP_RC"
	done
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
	exit $?
}
