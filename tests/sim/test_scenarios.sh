#!/bin/sh
# Every shipped scenario validates (exit 0) and prints a resolved text.
set -eu
BIN=$1; SRC=$2
n=0
for f in "$SRC"/scenarios/*.yaml; do
    "$BIN" validate "$f" > /dev/null || { echo "FAIL: $f does not validate" >&2; exit 1; }
    n=$((n + 1))
done
[ "$n" -ge 5 ] || { echo "FAIL: only $n scenarios" >&2; exit 1; }
echo "ok: $n scenarios"
