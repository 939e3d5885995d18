#!/bin/sh
# Sweeps over several keys (README "Sweeps"): a 2 x 3 grid writes 6 traces named after their
# values, each trace's /meta scenario holding its point's values; a zip runs the i-th values
# together; --list-sweep prints index, overrides and output and runs nothing; --sweep-index K
# writes exactly the listed path, bit-identical to the same point of the whole sweep;
# validate prints the points as comments (its output still YAML); refusals (exit 2, nothing
# written): zip lists of two lengths, a key swept twice, an unknown key, a bad value at its
# place, K out of range, two points with one output name, too many points; SIGTERM to the
# parent of a grid sweep stops the running child and runs no later point; SIGKILL to the
# parent stops the child too (PR_SET_PDEATHSIG).  Every run is 10 or 20 households for a day,
# but for the signalled ones.
# Usage: test_sweeps.sh METERSIM SOURCE_DIR
set -eu
BIN=$1; SRC=$2
PY=/usr/bin/python3
. "$SRC/tests/sim/testlib.sh"
T=$(mktemp -d /tmp/metersim-sweeps.XXXXXX)
trap 'rm -rf "$T"' EXIT
cp "$SRC/tests/sim/data/small.yaml" "$T/small.yaml"
cd "$T"

# the grid: households outermost, the dither fastest
cat > grid.yaml << 'EOF'
extends: small.yaml
name: g
duration: "1 d"
sweep:
  grid:
    - {key: households, values: [10, 20]}
    - {key: meter.restore_dither, values: ["0 s", "2 min", "5 min"]}
EOF
TAB=$(printf '\t')
"$BIN" run grid.yaml -o out/g.h5 --list-sweep > list.txt 2> err.txt || fail "--list-sweep: $(cat err.txt)"
cat > want.txt << EOF
0${TAB}--set households=10 --set 'meter.restore_dither=0 s'${TAB}out/g-households=10,restore_dither=0s.h5
1${TAB}--set households=10 --set 'meter.restore_dither=2 min'${TAB}out/g-households=10,restore_dither=2min.h5
2${TAB}--set households=10 --set 'meter.restore_dither=5 min'${TAB}out/g-households=10,restore_dither=5min.h5
3${TAB}--set households=20 --set 'meter.restore_dither=0 s'${TAB}out/g-households=20,restore_dither=0s.h5
4${TAB}--set households=20 --set 'meter.restore_dither=2 min'${TAB}out/g-households=20,restore_dither=2min.h5
5${TAB}--set households=20 --set 'meter.restore_dither=5 min'${TAB}out/g-households=20,restore_dither=5min.h5
EOF
diff want.txt list.txt > /dev/null || fail "--list-sweep: $(diff want.txt list.txt)"
[ ! -e out ] || fail "--list-sweep wrote something"

"$BIN" validate grid.yaml > valid.txt 2> err.txt || fail "validate: $(cat err.txt)"
grep -q "^# 5${TAB}--set households=20 --set 'meter.restore_dither=5 min'${TAB}results/g-households=20,restore_dither=5min.h5\$" valid.txt ||
    fail "validate shows no points: $(tail -8 valid.txt)"
"$PY" -c 'import sys, yaml; d = yaml.safe_load(open(sys.argv[1])); sys.exit(d["households"] != 300)' valid.txt ||
    fail "validate's output is not the resolved scenario as YAML"

mkdir out
"$BIN" run grid.yaml -o out/g.h5 --quiet 2> err.txt || fail "grid: $(cat err.txt)"
[ "$(ls out | wc -l)" -eq 6 ] || fail "grid: not 6 traces: $(ls out)"
# each trace's scenario holds the values its name and the list give it
cut -f 3 list.txt | "$PY" -c '
import sys, h5py, yaml
want = {0: (10, "0 s"), 1: (10, "2 min"), 2: (10, "5 min"), 3: (20, "0 s"), 4: (20, "2 min"),
        5: (20, "5 min")}
for i, path in enumerate(sys.stdin.read().split()):
    m = h5py.File(path, "r")["/meta"].attrs
    sc = yaml.safe_load(m["scenario_yaml"])
    got = (sc["households"], sc["meter"]["restore_dither"])
    if got != want[i] or int(m["households"]) != want[i][0] or int(m["complete"]) != 1:
        sys.exit("%s: households, restore_dither %s, expected %s" % (path, got, want[i]))
' || fail "grid: a trace with the wrong values"

# --sweep-index: the listed path, the same datasets as the whole sweep's point 4
"$BIN" run grid.yaml -o one/g.h5 --sweep-index 4 --quiet 2> err.txt && fail "ran into a missing directory"
mkdir one
"$BIN" run grid.yaml -o one/g.h5 --sweep-index 4 --quiet 2> err.txt || fail "--sweep-index 4: $(cat err.txt)"
[ "$(ls one)" = "g-households=20,restore_dither=2min.h5" ] || fail "--sweep-index 4 wrote $(ls one)"
"$PY" "$SRC/tests/sim/same_datasets.py" "out/g-households=20,restore_dither=2min.h5" \
    "one/g-households=20,restore_dither=2min.h5" > cmp.txt 2>&1 ||
    fail "--sweep-index 4 differs from the sweep's point 4: $(cat cmp.txt)"
# the point's own output is refused when it exists, the others' are none of its business
"$BIN" run grid.yaml -o one/g.h5 --sweep-index 4 --quiet 2> err.txt && fail "--sweep-index over an existing trace"
grep -q 'output "one/g-households=20,restore_dither=2min.h5": exists' err.txt || fail "exists: $(cat err.txt)"
"$BIN" run grid.yaml -o one/g.h5 --sweep-index 0 --quiet 2> err.txt || fail "--sweep-index 0: $(cat err.txt)"

# the zip: seed and households together
cat > zip.yaml << 'EOF'
extends: small.yaml
name: z
duration: "1 d"
sweep:
  zip:
    - {key: seed, values: [3, 4]}
    - {key: households, values: [10, 20]}
EOF
"$BIN" run zip.yaml -o zip/z.h5 --quiet 2> err.txt && fail "zip into a missing directory"
mkdir zip
"$BIN" run zip.yaml -o zip/z.h5 --quiet 2> err.txt || fail "zip: $(cat err.txt)"
[ "$(ls zip | tr '\n' ' ')" = "z-seed=3,households=10.h5 z-seed=4,households=20.h5 " ] || fail "zip wrote $(ls zip)"
"$PY" -c '
import sys, h5py
for path, seed, hh in (("zip/z-seed=3,households=10.h5", 3, 10), ("zip/z-seed=4,households=20.h5", 4, 20)):
    m = h5py.File(path, "r")["/meta"].attrs
    if (int(m["seed"]), int(m["households"])) != (seed, hh):
        sys.exit("%s: seed %s households %s" % (path, m["seed"], m["households"]))
' || fail "zip: a trace with the wrong values"

# refused FILE.yaml PATTERN [run arguments]: exit 2, PATTERN on stderr, nothing written
tried=0
refused() {
    f=$1; why=$2; shift 2
    tried=$((tried + 1))
    before=$(ls -R | md5sum)
    set +e
    "$BIN" run "$f" -o r/x.h5 --quiet "$@" > out.txt 2> err.txt
    rc=$?
    set -e
    [ "$rc" -eq 2 ] || fail "$f $*: exit $rc, $(cat err.txt)"
    grep -q -e "$why" err.txt || fail "$f $*: message: $(cat err.txt)"
    [ "$before" = "$(ls -R | md5sum)" ] || fail "$f $*: something was written"
}
mkdir r; : > out.txt
printf 'extends: small.yaml\nname: e\nsweep:\n  zip:\n    - {key: seed, values: [1, 2]}\n    - {key: households, values: [10, 20, 30]}\n' > e1.yaml
refused e1.yaml '^e1.yaml:6:33: sweep.zip\[1\].values: 3 values, but sweep.zip\[0\] has 2'
printf 'extends: small.yaml\nname: e\nsweep:\n  grid:\n    - {key: seed, values: [1, 2]}\n    - {key: seed, values: [3]}\n' > e2.yaml
refused e2.yaml '^e2.yaml:6:13: sweep.grid\[1\].key: "seed" is swept twice (first given at 5:13)'
printf 'extends: small.yaml\nname: e\nsweep:\n  grid:\n    - {key: seed, values: [1, 2]}\n    - {key: wan.no_such, values: [3]}\n' > e3.yaml
refused e3.yaml '^e3.yaml:6:13: sweep.grid\[1\].key: "wan.no_such" is not a scenario key that can be swept'
printf 'extends: small.yaml\nname: e\nsweep:\n  grid:\n    - {key: seed, values: [1, 2]}\n    - {key: duration, values: ["1 d", "2 parsecs"]}\n' > e4.yaml
refused e4.yaml '^e4.yaml:6:39: duration: expected a duration such as "30 min"; unknown unit "parsecs"'
refused grid.yaml '--sweep-index 6: grid.yaml has 6 sweep points, 0 .. 5' --sweep-index 6
refused small.yaml 'small.yaml: --sweep-index needs a scenario with a sweep: block' --sweep-index 0
printf 'extends: small.yaml\nname: e\nsweep:\n  grid:\n    - {key: seed, values: [1, 2]}\n    - {key: duration, values: ["1 d", "2 d", "1d"]}\n' > e5.yaml
refused e5.yaml 'sweep: points 0 (seed=1, duration=1 d) and 2 (seed=1, duration=1d) would both write r/x-seed=1,duration=1d.h5'
refused e5.yaml 'would both write' --sweep-index 1
refused e5.yaml 'would both write' --list-sweep
"$PY" -c '
v = ", ".join(str(i) for i in range(1, 101))
print("extends: small.yaml\nname: e\nsweep:\n  grid:\n    - {key: seed, values: [%s]}\n"
      "    - {key: households, values: [%s]}\n    - {key: meter.restore_dither, values: [0 s, 1 s]}" % (v, v))
' > e6.yaml
refused e6.yaml '^e6.yaml:7:13: sweep.grid\[2\].key: the grid has 20000 points up to this key, more than 10000'
# an existing output of any point stops the whole sweep before its first point runs
: > "r/x-households=20,restore_dither=5min.h5"
refused grid.yaml 'output "r/x-households=20,restore_dither=5min.h5": exists'
rm "r/x-households=20,restore_dither=5min.h5"

# signals: the parent of a grid sweep stopped while its first child runs
cat > long.yaml << 'EOF'
extends: small.yaml
name: l
households: 20000
duration: "60 d"
sweep:
  grid:
    - {key: seed, values: [1, 2]}
    - {key: meter.restore_dither, values: ["0 s", "1 min"]}
EOF
# start_sweep OUT: the sweep in the background ($pid) and its first child ($child), once the
# child has created its .partial
start_sweep() {
    "$BIN" run long.yaml -o "$1" --quiet 2> sig.txt &
    pid=$!
    child=$(sweep_child "$pid" "${1%.h5}-seed=1,restore_dither=0s.h5.partial" 600)
    [ -n "$child" ] || fail "the sweep started no child"
}
# gone PID: true once PID has exited (a zombie has: its new parent may not reap it)
gone() {
    [ "$(cut -d ' ' -f 3 "/proc/$1/stat" 2> /dev/null || echo Z)" = Z ]
}
mkdir s
start_sweep s/t.h5
kill -s TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "SIGTERM: exit $rc, $(cat sig.txt)"
gone "$child" || fail "SIGTERM: the child $child is still running"
grep -q 'sweep interrupted by SIGTERM; later points not run' sig.txt || fail "SIGTERM: $(cat sig.txt)"
[ "$(ls s)" = "t-seed=1,restore_dither=0s.h5.partial" ] || fail "SIGTERM: later points ran: $(ls s)"
"$PY" "$SRC/tests/sim/check_partial.py" "s/t-seed=1,restore_dither=0s.h5.partial" > /dev/null ||
    fail "SIGTERM: the child's trace is not valid"

mkdir k
start_sweep k/t.h5
kill -s KILL "$pid"
wait "$pid" 2> /dev/null || true
i=0
until gone "$child" || [ $i -ge 300 ]; do sleep 0.1; i=$((i + 1)); done
gone "$child" || fail "SIGKILL to the parent: its child $child still runs 30 s later"
[ "$(ls k)" = "t-seed=1,restore_dither=0s.h5.partial" ] || fail "SIGKILL: $(ls k)"
"$PY" "$SRC/tests/sim/check_partial.py" "k/t-seed=1,restore_dither=0s.h5.partial" > /dev/null ||
    fail "SIGKILL: the child's trace is not valid"
echo "ok: grid, zip, --list-sweep, --sweep-index, validate; $tried refusals; SIGTERM and SIGKILL to the parent stop its child"
