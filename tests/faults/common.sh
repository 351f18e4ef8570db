# common.sh: helpers the fault and abuse tests share, sourced after
# tests/integration/lib.sh: server memory figures and the client views that
# prove "nothing lost, nothing doubled".

# rss_kb PID: the process's resident set in KiB (0 when it is gone).
rss_kb() {
	awk '/^VmRSS:/ { print $2; found=1 } END { if (!found) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0
}

# peak_rss_kb PID SECONDS FILE: samples VmRSS every 50 ms for SECONDS (or
# until PID is gone), keeping the highest value so far in FILE. Run it in
# the background next to the load it measures; it may be killed early.
peak_rss_kb() {
	local pid=$1 secs=$2 out=$3 peak=0 v
	local n=$(( secs * 20 ))
	echo 0 > "$out"
	for _ in $(seq 1 "$n"); do
		v=$(rss_kb "$pid")
		if [ "$v" -gt "$peak" ]; then peak=$v; echo "$peak" > "$out"; fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
}

# json_num KEY: the number after "KEY": in the JSON on stdin.
json_num() {
	grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2
}

# server_dump PORT FILE: every record on the server ("id rev deleted"), as
# admin, all branches.
server_dump() {
	"$HEARTH_TOOLS/loadgen" --port "$1" --cert "$CERTS/admin.pem" --key "$CERTS/admin.key" \
		--ca "$CERTS/ca.pem" --mode pull --branch "" --page 5000 --dump "$2" >/dev/null
}

# has_verify_audit: whether this hearthd can check its audit chain offline.
has_verify_audit() {
	"$HEARTHD" --help 2>/dev/null | grep -q -- '--verify-audit'
}
