#!/bin/sh
# A disk that fills up during a run: the trace's writes fail with ENOSPC once a budget of bytes
# is spent (enospc_shim.so, preloaded).  Budgets from nothing to nearly the whole file: every
# run exits 1 saying "No space left on device" and naming OUT.partial, never crashes (HDF5's
# exit handler included), never leaves OUT, and leaves either no file or a .partial that
# `metersim info` reads and whose every series ends at its sim_end (check_partial.py).
set -eu
BIN=$1; SRC=$2; SHIM=$3
PY=/usr/bin/python3
T=$(mktemp -d /tmp/metersim-diskfull.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$SRC/tests/sim/testlib.sh"
SMALL=$SRC/tests/sim/data/small.yaml
LONGER="--set duration=6d"

"$BIN" run "$SMALL" $LONGER -o "$T/whole.h5" --quiet
size=$(wc -c < "$T/whole.h5")
tried=0; kept=0
for budget in 0 2000 $((size / 4)) $((size / 2)) $((size * 3 / 4)) $((size - 2000)); do
    rm -f "$T/f.h5" "$T/f.h5.partial"
    set +e
    METERSIM_ENOSPC_AFTER=$budget LD_PRELOAD=$SHIM "$BIN" run "$SMALL" $LONGER -o "$T/f.h5" --quiet \
        2> "$T/err.txt"
    rc=$?
    set -e
    quiet_asan "$T/err.txt" > "$T/err1.txt"
    mv "$T/err1.txt" "$T/err.txt"
    tried=$((tried + 1))
    [ "$rc" -eq 1 ] || fail "budget $budget: exit $rc, $(cat "$T/err.txt")"
    grep -q 'f.h5.partial.*No space left on device' "$T/err.txt" ||
        fail "budget $budget: message: $(cat "$T/err.txt")"
    [ "$(wc -l < "$T/err.txt")" -eq 1 ] || fail "budget $budget: not one line: $(cat "$T/err.txt")"
    [ ! -e "$T/f.h5" ] || fail "budget $budget: $T/f.h5 exists"
    if [ -e "$T/f.h5.partial" ]; then
        kept=$((kept + 1))
        "$BIN" info "$T/f.h5.partial" > /dev/null || fail "budget $budget: info cannot read the .partial"
        "$PY" "$SRC/tests/sim/check_partial.py" "$T/f.h5.partial" || fail "budget $budget: inconsistent"
        "$PY" - "$T/f.h5.partial" <<'PY' || fail "budget $budget: complete is not 0"
import sys, h5py
sys.exit(0 if h5py.File(sys.argv[1], "r")["/meta"].attrs["complete"] == 0 else 1)
PY
    fi
done
[ "$kept" -ge 3 ] || fail "only $kept of $tried runs kept a .partial"
echo "ok: $tried budgets, $kept left a valid .partial, the others none"
