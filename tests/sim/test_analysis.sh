#!/bin/sh
# analysis/trace_summary.py on a fresh trace, and its errors on files that are not traces.
set -eu
BIN=$1; SRC=$2
PY=/usr/bin/python3
T=$(mktemp -d /tmp/metersim-analysis.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$BIN" run "$SRC/tests/sim/data/small.yaml" -o "$T/s.h5" --quiet
"$PY" "$SRC/analysis/trace_summary.py" "$T/s.h5" > "$T/out.txt" || fail "summary of a good trace"
grep -q '^households        300$' "$T/out.txt" || fail "households line: $(cat "$T/out.txt")"
grep -q '^head-end          600 messages' "$T/out.txt" || fail "head-end line: $(cat "$T/out.txt")"

printf 'not hdf5\n' > "$T/bad.h5"
if "$PY" "$SRC/analysis/trace_summary.py" "$T/bad.h5" 2> "$T/err.txt"; then fail "accepted a non-HDF5 file"; fi
grep -q 'bad.h5: not a readable HDF5 file' "$T/err.txt" || fail "message: $(cat "$T/err.txt")"

# A truncated trace: HDF5 signature present, body cut.
head -c 4000 "$T/s.h5" > "$T/cut.h5"
set +e
"$PY" "$SRC/analysis/trace_summary.py" "$T/cut.h5" 2> "$T/err2.txt"; rc=$?
set -e
[ "$rc" -eq 2 ] || fail "truncated trace: exit $rc, $(cat "$T/err2.txt")"
grep -q 'cut.h5' "$T/err2.txt" || fail "message names the file: $(cat "$T/err2.txt")"
echo "ok"
