#!/bin/sh
# A bounded fuzz run, as ctest runs it (tests/fuzz/CMakeLists.txt):
#   run_fuzz.sh FUZZER NAME SOURCE_DIR WORK_DIR RUNS
# First every input of SOURCE_DIR/regressions/NAME/ once (each a crash found before), then
# RUNS inputs from SOURCE_DIR/corpus/NAME/ and its mutations, from a fixed seed.  New inputs
# go to WORK_DIR (never into the source tree).  On a crash, a sanitizer report, a leak or a
# timeout: a message naming the target and the input, and exit 1.
#
# One exception: a memory fault whose stack reaches HDF5 before any code of ours, on memory
# HDF5 allocated (HDF5 1.10 on a damaged file; tests/fuzz/hdf5/README.md), is reported, its
# input kept in WORK_DIR, and the run goes on from the next seed (at most 3 seeds): it is not
# ours to fix, and a gate that failed on it would fail on HDF5's bugs.
set -u
fuzzer=$1 name=$2 src=$3 work=$4 runs=$5
opts="-timeout=25 -rss_limit_mb=4096 -print_final_stats=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$src/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts" "$work/hdf5" "$work/tmp"
# The targets' own files (a crash leaves them behind) go where the next run removes them.
export TMPDIR="$work/tmp"

# Whether the report in LOG is a memory fault inside HDF5: an AddressSanitizer report (not a
# leak, not UBSan, which only sees our code) whose first frame that is HDF5's or ours (a
# source line) is HDF5's, and whose faulting memory, when it says where it came from, was
# not allocated or freed by code of ours first.
hdf5_fault() {
    awk '
        function who(line) {
            if (line ~ /libhdf5/) return "hdf5"
            if (line ~ /\.c:[0-9]+(:[0-9]+)?$/) return "ours"
            return ""
        }
        /ERROR: AddressSanitizer/ { report = 1; stack = 1; next }
        /ERROR: LeakSanitizer|runtime error:/ { print "ours"; exit }
        /(allocated|freed) by thread/ { stack = 2; next }
        report && /^ *#[0-9]+ / {
            w = who($0)
            if (w == "" ) next
            if (stack == 1 && first == "") first = w
            if (stack == 2 && w == "ours") { print "ours"; exit }
            if (stack == 2) stack = 3
        }
        END { if (first == "hdf5") print "hdf5"; else print "ours" }' "$1" | head -n 1 |
        grep -qx hdf5
}

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
for seed in 1 2 3; do
    start=$(date +%s)
    rm -f "$work"/artifacts/*
    if "$fuzzer" $opts -seed=$seed -runs="$runs" -artifact_prefix="$work/artifacts/" \
            "$work/corpus" $seeds >"$work/fuzz.log" 2>&1; then
        grep -E "^#[0-9]+[[:space:]]+DONE" "$work/fuzz.log" | tail -n 1
        echo "fuzz_$name: $runs inputs from seed $seed in $(($(date +%s) - start)) s, no crash"
        exit 0
    fi
    if hdf5_fault "$work/fuzz.log"; then
        for a in "$work"/artifacts/*; do
            [ -e "$a" ] || continue
            cp "$a" "$work/hdf5/"
            echo "fuzz_$name: a fault inside HDF5, not ours, on input $work/hdf5/$(basename "$a")" \
                 "(seed $seed; tests/fuzz/hdf5/README.md); going on from the next seed"
        done
        grep -A 12 "ERROR: AddressSanitizer" "$work/fuzz.log" | head -n 14
        continue
    fi
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
done
echo "fuzz_$name: three seeds ended on faults inside HDF5 (above); nothing of ours failed"
