#!/bin/sh
# scenarios/scenario.schema.json is what `metersim validate --schema` prints: editors read
# the committed file, so a change of the key table must come with it.  Args: metersim,
# source dir.
set -eu
BIN=$1; SRC=$2
T=$(mktemp -d /tmp/metersim-schema.XXXXXX)
trap 'rm -rf "$T"' EXIT
"$BIN" validate --schema > "$T/now.json"
if ! cmp -s "$SRC/scenarios/scenario.schema.json" "$T/now.json"; then
    diff -u "$SRC/scenarios/scenario.schema.json" "$T/now.json" | head -40 >&2 || true
    echo "FAIL: scenarios/scenario.schema.json differs from \`metersim validate --schema\`." >&2
    echo "Regenerate it from the build and commit it with the change of the key table:" >&2
    echo "  build/sim/metersim validate --schema > scenarios/scenario.schema.json" >&2
    exit 1
fi
echo "ok: scenarios/scenario.schema.json is up to date"
