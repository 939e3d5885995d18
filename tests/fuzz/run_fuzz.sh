#!/bin/sh
# A bounded fuzz run, as ctest runs it (tests/fuzz/CMakeLists.txt):
#   run_fuzz.sh FUZZER NAME SOURCE_DIR WORK_DIR RUNS
# First every input of SOURCE_DIR/regressions/NAME/ once (each a crash found before), then
# RUNS inputs from SOURCE_DIR/corpus/NAME/ and its mutations, from a fixed seed.  New inputs
# go to WORK_DIR (never into the source tree).  On a crash, a sanitizer report, a leak or a
# timeout: a message naming the target and the input, and exit 1.
set -u
fuzzer=$1 name=$2 src=$3 work=$4 runs=$5
opts="-timeout=25 -rss_limit_mb=4096 -print_final_stats=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$3/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"

regressions=$(find "$src/regressions/$name" -type f 2>/dev/null | LC_ALL=C sort)
for input in $regressions; do
    if ! "$fuzzer" $opts "$input" >"$work/regression.log" 2>&1; then
        cat "$work/regression.log"
        echo "FUZZ FAILURE: fuzz_$name fails again on regression input $input" >&2
        exit 1
    fi
done
echo "fuzz_$name: $(echo "$regressions" | grep -c .) regression inputs pass"

seeds="$src/corpus/$name"
[ -d "$seeds" ] || seeds=""
start=$(date +%s)
if ! "$fuzzer" $opts -seed=1 -runs="$runs" -artifact_prefix="$work/artifacts/" \
        "$work/corpus" $seeds >"$work/fuzz.log" 2>&1; then
    tail -n 80 "$work/fuzz.log"
    for a in "$work"/artifacts/*; do
        [ -e "$a" ] || continue
        echo "FUZZ FAILURE: fuzz_$name: $(basename "$a" | cut -d- -f1) on input $a" >&2
        echo "  reproduce: $fuzzer $a" >&2
        echo "  minimise:  $fuzzer -minimize_crash=1 -runs=10000 $a" >&2
        echo "  keep it:   tests/fuzz/regressions/$name/ (README, \"Fuzzing\")" >&2
    done
    echo "FUZZ FAILURE: fuzz_$name failed (log: $work/fuzz.log)" >&2
    exit 1
fi
grep -E "^#[0-9]+[[:space:]]+DONE" "$work/fuzz.log" | tail -n 1
echo "fuzz_$name: $runs inputs in $(($(date +%s) - start)) s, no crash"
