#!/bin/sh
# The golden trace: rerun tests/golden/firmware-reference.yaml and require `metersim diff`
# to find no divergence from tests/golden/firmware-reference.h5.  Args: metersim, source dir.
set -eu
BIN=$1; SRC=$2
T=$(mktemp -d /tmp/metersim-golden.XXXXXX)
trap 'rm -rf "$T"' EXIT
"$BIN" run "$SRC/tests/golden/firmware-reference.yaml" -o "$T/now.h5" --quiet
set +e
"$BIN" diff "$SRC/tests/golden/firmware-reference.h5" "$T/now.h5" > "$T/diff.txt" 2>&1
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
    cat "$T/diff.txt" >&2
    echo "FAIL: the run diverges from the golden trace (metersim diff exit $rc). If the change" >&2
    echo "is intended, run scripts/regen-golden.sh and say in the commit why traces changed." >&2
    exit 1
fi
echo "ok: identical to the golden trace"
