#!/bin/sh
# Runs the command fuzz target for a fixed number of inputs with libFuzzer (clang from Debian).
#   run_fuzz.sh SUPPLY_TEST_DIR METER_DIR RUNS
# Exit 77 (ctest skip) when clang or its libFuzzer runtime is missing.
set -eu
here=${1:?test dir}
meter=${2:?meter dir}
runs=${3:-20000}
cc=$(command -v clang-14 || command -v clang || true)
[ -n "$cc" ] || { echo "SKIP: clang not found"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' > "$tmp/probe.c"
if ! "$cc" -fsanitize=fuzzer "$tmp/probe.c" -o "$tmp/probe" 2>/dev/null; then
    echo "SKIP: $cc has no libFuzzer runtime"
    exit 77
fi
# shellcheck disable=SC2046
"$cc" -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -I"$meter/include" -I"$meter/hal" -DMM_BUILD_TAG='"fuzz"' \
    "$here/fuzz_command.c" $(ls "$meter"/src/*.c) -lmbedcrypto -o "$tmp/fuzz_command"
mkdir "$tmp/corpus"
cp "$here"/corpus/* "$tmp/corpus/"
"$tmp/fuzz_command" -runs="$runs" -seed=1 -max_len=512 "$tmp/corpus"
