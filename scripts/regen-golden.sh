#!/bin/sh
# Rewrites the golden trace(s) under tests/golden/ with the current build, after a change that
# is meant to alter the traces; prints what changed first.  Usage: scripts/regen-golden.sh
# [BUILD_DIR] (default build).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$ROOT/build}
BIN=$BUILD/sim/metersim
[ -x "$BIN" ] || { echo "regen-golden: no $BIN; build first (make build)" >&2; exit 2; }
for y in "$ROOT"/tests/golden/*.yaml; do
    h5=${y%.yaml}.h5
    "$BIN" run "$y" -o "$h5.new" --quiet --force
    if [ -e "$h5" ]; then "$BIN" diff "$h5" "$h5.new" --quiet || true; fi
    mv "$h5.new" "$h5"
    echo "regen-golden: wrote $h5"
done
