#!/usr/bin/env bash
# run.sh: builds the libFuzzer targets with clang and runs each for SECONDS over a copy of its seed corpus.
#
# Usage: tests/fuzz/run.sh [SECONDS]    (default 30; run from anywhere)
# Exit status: 0 when every target ran its time without a crash, leak or
# sanitizer report; 1 otherwise (the crash input is kept and its path printed).
# New corpus entries the fuzzer finds go to a temporary copy, never into the
# committed seed corpus.
set -euo pipefail

SECONDS_PER_TARGET=${1:-30}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${HEARTH_FUZZ_BUILD:-$SRC/build-fuzz}
TARGETS="fuzz_frame fuzz_envelope fuzz_merge fuzz_record fuzz_pull_apply fuzz_xlsx"

cmake -S "$SRC" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DHEARTH_FUZZ=ON -DHEARTH_SANITIZE=ON -DHEARTH_TESTS=ON >/dev/null
# shellcheck disable=SC2086
cmake --build "$BUILD" --target $TARGETS -j"$(nproc)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hearth-fuzz.XXXXXX")
status=0
for t in $TARGETS; do
	corpus=${t#fuzz_}
	corpus=${corpus%_apply}
	mkdir -p "$WORK/$t/corpus" "$WORK/$t/artifacts"
	cp "$SRC/tests/fuzz/corpus/$corpus/"* "$WORK/$t/corpus/"
	echo "== $t for ${SECONDS_PER_TARGET}s"
	if ! "$BUILD/tests/fuzz/$t" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
	        -rss_limit_mb=2048 -print_final_stats=1 \
	        -artifact_prefix="$WORK/$t/artifacts/" "$WORK/$t/corpus" \
	        >"$WORK/$t/log" 2>&1; then
		echo "FAIL $t: see $WORK/$t/log; crashing inputs in $WORK/$t/artifacts/" >&2
		tail -n 40 "$WORK/$t/log" >&2
		status=1
		continue
	fi
	grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$WORK/$t/log" || true
	echo "ok   $t ($(ls "$WORK/$t/corpus" | wc -l) corpus entries)"
done
if [ "$status" -eq 0 ]; then
	rm -rf "$WORK"
fi
exit "$status"
