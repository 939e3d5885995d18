#!/bin/sh
# The golden traces: rerun each tests/golden/NAME.yaml and require `metersim diff` to find no
# divergence from tests/golden/NAME.h5.  Args: metersim, source dir.
set -eu
BIN=$1; SRC=$2
T=$(mktemp -d /tmp/metersim-golden.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail=0
for y in "$SRC"/tests/golden/*.yaml; do
    name=$(basename "$y" .yaml)
    "$BIN" run "$y" -o "$T/$name.h5" --quiet
    set +e
    "$BIN" diff "$SRC/tests/golden/$name.h5" "$T/$name.h5" > "$T/$name.txt" 2>&1
    rc=$?
    set -e
    if [ "$rc" -ne 0 ]; then
        cat "$T/$name.txt" >&2
        echo "FAIL: $name diverges from its golden trace (metersim diff exit $rc). If the" >&2
        echo "change is intended, run scripts/regen-golden.sh and say in the commit why traces" >&2
        echo "changed." >&2
        fail=1
    else
        echo "ok: $name identical to its golden trace"
    fi
done
exit "$fail"
