#!/bin/sh
# Outputs refused before any work (exit 2, one line naming the path and why): no path, a
# device, a directory, a missing or unwritable directory, a path too long, the scenario, an
# extends base, a firmware image, the weather file, an existing file without --force, sweep
# values that would write the same file.  --force replaces only once the run completes; a
# stale OUT.partial (even one claiming complete = 1) is replaced, never reported as the result.
set -eu
BIN=$1; SRC=$2
PY=/usr/bin/python3
T=$(mktemp -d /tmp/metersim-outputs.XXXXXX)
trap 'chmod -R u+w "$T"; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
cp "$SRC/tests/sim/data/small.yaml" "$T/small.yaml"
printf 'extends: small.yaml\nname: child\nhouseholds: 40\nduration: "1 d"\n' > "$T/child.yaml"
cp "$(dirname "$BIN")/../firmware/mm_smets2.so" "$T/fw.so"
cd "$T"
: > out.txt; : > err.txt
tried=0
# refused OUT WHY-PATTERN [extra arguments]
refused() {
    out=$1; why=$2; shift 2
    tried=$((tried + 1))
    before=$(ls -a "$T" | md5sum)
    set +e
    "$BIN" run child.yaml -o "$out" --quiet "$@" > out.txt 2> err.txt
    rc=$?
    set -e
    [ "$rc" -eq 2 ] || fail "-o '$out': exit $rc, $(cat err.txt)"
    [ "$(wc -l < err.txt)" -eq 1 ] || fail "-o '$out': not one line: $(cat err.txt)"
    grep -q "$why" err.txt || fail "-o '$out': message: $(cat err.txt)"
    [ "$before" = "$(ls -a "$T" | md5sum)" ] || fail "-o '$out': the directory changed"
}
refused "" 'output "": an empty file name'
refused /dev/null 'output "/dev/null": is not a regular file'
refused . 'output ".": names a directory'
refused "$T" 'is a directory'
refused sub/ 'names a directory'
refused nodir/x.h5 'output "nodir/x.h5": directory nodir: No such file or directory'
refused "$(printf 'n%.0s' $(seq 300)).h5" 'the file name is longer than'
refused "$(printf 'd/%.0s' $(seq 600))x.h5" 'bytes long, more than'
refused child.yaml 'output "child.yaml": is child.yaml, which the run reads'
refused small.yaml 'is small.yaml, which the run reads'
refused fw.so 'is ./fw.so, which the run reads' --set meter.firmware=fw.so
if [ "$(id -u)" -ne 0 ]; then
    mkdir ro && chmod a-w ro
    refused ro/x.h5 'directory ro is not writable'
fi
# an existing trace: refused without --force, replaced with it
"$BIN" run child.yaml -o a.h5 --quiet || fail "first run"
refused a.h5 'output "a.h5": exists (give --force to replace it)'
"$BIN" run child.yaml -o a.h5 --quiet --force --seed 9 || fail "--force"
"$PY" -c 'import sys, h5py; sys.exit(int(h5py.File("a.h5", "r")["/meta"].attrs["seed"] != 9))' ||
    fail "--force did not replace a.h5"
# a stale .partial claiming complete = 1 is replaced by the new run's own file
cp a.h5 b.h5.partial
"$BIN" run child.yaml -o b.h5 --quiet --set duration=bad 2> /dev/null && fail "bad duration ran"
[ ! -e b.h5 ] || fail "a refused scenario left b.h5"
"$BIN" run child.yaml -o b.h5 --quiet || fail "run over a stale .partial"
[ ! -e b.h5.partial ] || fail "the stale b.h5.partial is still there"
# sweeps: every value's output checked before any runs; two values, one file name
printf 'extends: small.yaml\nname: sw\nhouseholds: 20\nduration: "1 d"\nsweep: {key: seed, values: [1, 2]}\n' > sw.yaml
: > sw-2.h5
set +e
"$BIN" run sw.yaml -o sw.h5 --quiet 2> err.txt; rc=$?
set -e
tried=$((tried + 1))
[ "$rc" -eq 2 ] && grep -q 'output "sw-2.h5": exists' err.txt || fail "sweep output exists: $rc $(cat err.txt)"
[ ! -e sw-1.h5 ] || fail "the sweep ran its first value although the second was refused"
printf 'extends: small.yaml\nname: sw\nhouseholds: 20\nsweep: {key: duration, values: ["1 d", "1d"]}\n' > same.yaml
set +e
"$BIN" run same.yaml -o same.h5 --quiet 2> err.txt; rc=$?
set -e
tried=$((tried + 1))
[ "$rc" -eq 2 ] && grep -q 'sweep.values: "1 d" and "1d" would both write same-1d.h5' err.txt ||
    fail "sweep values with one file name: $rc $(cat err.txt)"
echo "ok: $tried refusals"
