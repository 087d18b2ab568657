#!/usr/bin/env bash
# Builds the libFuzzer harness (Sources/splat-fuzz) with ASan and runs each target for a bounded
# time from its seed corpus in Fixtures/fuzz/<target>/. Prints executions and crashes per target.
#   scripts/fuzz.sh [seconds-per-target] [target...]      (default: 60 s, every target)
# Environment: FUZZ_JOBS (targets run at once, default 1), FUZZ_WORK (default .build-fuzz/runs).
# New corpus entries go to FUZZ_WORK/corpus/<target>; crashes to FUZZ_WORK/crashes/<target>/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
mkdir -p "$ROOT/.build-fuzz"
SECONDS_PER_TARGET=${1:-60}
shift || true
ALL=(ply colmap-cameras-bin colmap-images-bin colmap-points-bin colmap-txt transforms-json npy match-list
     checkpoint yaml png jpeg spz splat)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")
JOBS=${FUZZ_JOBS:-1}
WORK=${FUZZ_WORK:-$ROOT/.build-fuzz/runs}

# Debug configuration plus -O: optimised, but unlike the release configuration (-Ounchecked in
# the hot targets) every overflow and bounds check stays in, so a trap is found as a crash.
BUILD=(swift build -c debug --product splat-fuzz --scratch-path .build-fuzz
       -Xswiftc -O -Xswiftc -sanitize=fuzzer,address -Xswiftc -DSPLAT_LIBFUZZER)
echo "building splat-fuzz (-O, -sanitize=fuzzer,address) in .build-fuzz ..."
"${BUILD[@]}" >"$ROOT/.build-fuzz/build.log" 2>&1 || { tail -30 "$ROOT/.build-fuzz/build.log"; exit 1; }
BIN=$("${BUILD[@]}" --show-bin-path)/splat-fuzz

run_one() {
    local t=$1
    [ -d "Fixtures/fuzz/$t" ] || { echo "$t: no seed corpus Fixtures/fuzz/$t" >&2; return 1; }
    mkdir -p "$WORK/corpus/$t" "$WORK/crashes/$t"
    touch "$WORK/crashes/$t/.start"
    # Leak checks off: the Swift runtime keeps caches alive on purpose. 2 GB RSS and malloc
    # limits turn a reader that trusts a huge count into a reported crash.
    local scratch="${TMPDIR:-/tmp}/splat-fuzz-$t-$$"
    [ -d /dev/shm ] && scratch="/dev/shm/splat-fuzz-$t-$$"
    SPLAT_FUZZ_SCRATCH="$scratch" SWIFT_BACKTRACE=enable=no SPLAT_FUZZ_TARGET=$t SPLAT_FIXTURES="$ROOT/Fixtures" ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=0 \
        "$BIN" "$WORK/corpus/$t" "Fixtures/fuzz/$t" -max_total_time="$SECONDS_PER_TARGET" \
        -rss_limit_mb=2048 -malloc_limit_mb=1024 -timeout=10 -max_len=20000 -print_final_stats=1 \
        -artifact_prefix="$WORK/crashes/$t/" >"$WORK/$t.log" 2>&1 || true
    rm -rf "$scratch"
    local execs crashes
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/$t.log" | grep -o '[0-9]*$' || echo "?")
    crashes=$(find "$WORK/crashes/$t" -type f -newer "$WORK/crashes/$t/.start" | wc -l)
    printf '%-20s executions %-10s crashes %s  (log %s)\n' "$t" "${execs:-?}" "$crashes" "$WORK/$t.log"
}

running=0
for t in "${TARGETS[@]}"; do
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then wait -n; running=$((running - 1)); fi
done
wait
