#!/bin/sh
# Every shipped scenario validates (exit 0) without a warning (sim/warnings.h; for a sweep, at
# every point): they are the examples people copy.
set -eu
BIN=$1; SRC=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
n=0
for f in "$SRC"/scenarios/*.yaml; do
    "$BIN" validate "$f" > /dev/null 2> "$T/err" || { cat "$T/err" >&2; echo "FAIL: $f does not validate" >&2; exit 1; }
    [ ! -s "$T/err" ] || { cat "$T/err" >&2; echo "FAIL: $f has warnings" >&2; exit 1; }
    n=$((n + 1))
done
[ "$n" -ge 5 ] || { echo "FAIL: only $n scenarios" >&2; exit 1; }
echo "ok: $n scenarios"
