#!/bin/bash
# faults.sh: the fault loops at full size (issue 13, item 11), outside ctest:
# they take minutes, and ctest runs their short versions.
#
#   tests/bench/faults.sh [BUILD_DIR] [crash] [client] [cut]    (default: all three)
#
#   crash   tests/faults/crash_loop.sh --long: the server SIGKILLed 1,000
#           times under load; acknowledged / found / lost / duplicated
#   client  tests/faults/client_crash_loop.sh --long: `hearth sync` SIGKILLed
#           at random points 200 times; acknowledged / found / lost / doubled
#           and whether the replicas converge
#   cut     tests/faults/cut_sync.sh --long: 1,000,000 records pulled through
#           tests/tools/cutproxy, each connection cut after 2.7 to 4 MiB;
#           restarts, cursor per restart, bytes against an uncut pull of the
#           same store
#
# Each prints its "figures:" line and the wall-clock time it took; the exit
# status is non-zero if any of them found something lost or doubled.
set -u
cd "$(dirname "$0")/../.."
B=build
if [ $# -gt 0 ] && [ -d "$1" ]; then B=$1; shift; fi
B=$(cd "$B" && pwd)
WHICH=("$@")
[ ${#WHICH[@]} -gt 0 ] || WHICH=(crash client cut)
export HEARTHD=$B/hearthd HEARTH=$B/hearth HEARTH_TOOLS=$B/tests HEARTH_CERTS=$PWD/certs/dev
export HEARTH_TEST_TMP=$B/testtmp HEARTH_SRC=$PWD
rc=0
echo "hearth fault loops on $(nproc) cores, $(date -u +%FT%TZ)"
for w in "${WHICH[@]}"; do
	case "$w" in
	crash) script=tests/faults/crash_loop.sh ;;
	client) script=tests/faults/client_crash_loop.sh ;;
	cut) script=tests/faults/cut_sync.sh ;;
	*) echo "faults.sh: unknown loop \"$w\" (crash, client or cut)" >&2; exit 2 ;;
	esac
	t0=$(date +%s)
	bash "$script" --long > "$HEARTH_TEST_TMP/bench-faults-$w.log" 2>&1
	r=$?
	t1=$(date +%s)
	grep -E '^(figures|FAIL)' "$HEARTH_TEST_TMP/bench-faults-$w.log"
	echo "$w: exit $r after $((t1 - t0)) s (log: $HEARTH_TEST_TMP/bench-faults-$w.log)"
	[ "$r" -eq 0 ] || rc=1
done
exit $rc
