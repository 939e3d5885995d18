#!/bin/sh
# metersim diff on traces of tests/sim/data/small.yaml (300 households, 2 days), on copies
# changed in one place with h5py, and on inputs it must refuse with exit status 2.
set -eu
BIN=$1; SRC=$2
PY=/usr/bin/python3
T=$(mktemp -d /tmp/metersim-diff.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
SMALL="$SRC/tests/sim/data/small.yaml"

# diff A B, expecting exit status WANT; output in $T/out.txt, messages in $T/err.txt.
diff_expect() {
    want=$1; shift
    set +e
    "$BIN" diff "$@" > "$T/out.txt" 2> "$T/err.txt"; rc=$?
    set -e
    [ "$rc" -eq "$want" ] ||
        fail "diff $*: exit $rc, wanted $want: $(cat "$T/out.txt" "$T/err.txt")"
}
has() { grep -q -- "$1" "$T/out.txt" || fail "no \"$1\" in: $(cat "$T/out.txt")"; }
err_has() { grep -q -- "$1" "$T/err.txt" || fail "no \"$1\" in stderr: $(cat "$T/err.txt")"; }
# Run python on trace $1 (opened read-write as f) with the code on stdin.
edit() {
    "$PY" -c "import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], 'r+')
exec(sys.stdin.read())
f.close()" "$1"
}

"$BIN" run "$SMALL" -o "$T/a.h5" --quiet
"$BIN" run "$SMALL" -o "$T/b.h5" --quiet

# The same scenario and seed twice: identical.
diff_expect 0 "$T/a.h5" "$T/b.h5"
has '^households compared: 300$'
has '^households diverging: 0$'
has '^scenario: same resolved text$'
has '^  bills: 0$'

# One half-hourly value: household row 17 (id 17), period 11 = 2026-01-12 05:30 UTC.
cp "$T/a.h5" "$T/hh.h5"
edit "$T/hh.h5" <<'EOF'
assert f['/households']['id'][17] == 17
f['/meter/halfhourly/import_wh'][17, 11] += 1
EOF
diff_expect 1 "$T/a.h5" "$T/hh.h5"
has '^households diverging: 1$'
has '^  half-hourly: 1$'
has '^  events: 0$'
has '^household 17: half-hourly from 2026-01-12T05:30:00Z (period 11) import_wh A=[0-9]* B=[0-9]*$'
[ "$(grep -c '^household ' "$T/out.txt")" -eq 1 ] || fail "one household line: $(cat "$T/out.txt")"
diff_expect 1 "$T/a.h5" "$T/hh.h5" --quiet
if grep -q '^household ' "$T/out.txt"; then fail "--quiet lists households"; fi

# One event's value changed: only-A 1 and only-B 1 for its household, both values shown.
cp "$T/a.h5" "$T/ev.h5"
edit "$T/ev.h5" <<'EOF'
e = f['/events']
r = e[5]
open(sys.argv[1] + '.hh', 'w').write('%d 0x%X\n' % (r['household'], r['code']))
r['value'] += 7
e[5] = r
EOF
read -r EVHH EVCODE < "$T/ev.h5.hh"
diff_expect 1 "$T/a.h5" "$T/ev.h5"
has '^households diverging: 1$'
has '^  events: 1$'
# Same time, same code, another value: one event changed (not one absent and one present).
has "^household $EVHH: events 1 changed; first at .* (simulator $EVCODE) value A=.* B=.*\$"

# One event removed: only in A.
cp "$T/a.h5" "$T/rm.h5"
edit "$T/rm.h5" <<'EOF'
e = f['/events']
v = e[:]
open(sys.argv[1] + '.hh', 'w').write('%d\n' % v[9]['household'])
e.resize((len(v) - 1,))
e[:] = np.delete(v, 9)
EOF
read -r RMHH < "$T/rm.h5.hh"
diff_expect 1 "$T/a.h5" "$T/rm.h5"
has '^households diverging: 1$'
has "^household $RMHH: events 1 only in A (0 GBCS alerts, 1 simulator records); first at .* only in A, value="

# A GBCS alert only in B (supply restored, 0x8F35), labelled as such.
cp "$T/a.h5" "$T/alert.h5"
edit "$T/alert.h5" <<'EOF'
e = f['/events']
r = e[0]
r['t_s'], r['household'], r['code'], r['value'] = 3600.0, 123, 0x8F35, 60
e.resize((e.shape[0] + 1,))
e[-1] = r
EOF
diff_expect 1 "$T/a.h5" "$T/alert.h5"
has '^households diverging: 1$'
has '^household 123: events 1 only in B (1 GBCS alerts, 0 simulator records); first at 2026-01-12T01:00:00.000Z (t_s 3600.000) SUPPLY_RESTORED (GBCS alert 0x8F35) only in B, value=60 (outage of 60 s)$'

# A final register changed.
cp "$T/a.h5" "$T/reg.h5"
edit "$T/reg.h5" <<'EOF'
f['/meter/registers/final'][42, 1] += 5
EOF
diff_expect 1 "$T/a.h5" "$T/reg.h5"
has '^  registers: 1$'
has '^household 42: registers B-A export_wh=+5$'

# Bills: /meter/billing/final (int64 [household, 3]: cost 1e-8 p, balance and available credit
# 1e-5 GBP) rewritten in both copies, the same, then 1.5 p more and 0.01 GBP less for row 9;
# a trace of an older metersim has none.
cp "$T/a.h5" "$T/bill_a.h5"
cp "$T/a.h5" "$T/bill_b.h5"
for x in bill_a bill_b; do
    edit "$T/$x.h5" <<'EOF'
n = f['/households'].shape[0]
v = np.zeros((n, 3), dtype='<i8')
v[:, 0] = np.arange(n) * 123456789
v[:, 1] = 500000 - np.arange(n)
v[:, 2] = 600000
del f['/meter/billing/final']
f.create_dataset('/meter/billing/final', data=v)
EOF
done
diff_expect 0 "$T/bill_a.h5" "$T/bill_b.h5"
has '^  bills: 0$'
cp "$T/a.h5" "$T/old.h5"
edit "$T/old.h5" <<'EOF'
del f['/meter/billing/final']
EOF
diff_expect 0 "$T/old.h5" "$T/bill_b.h5"
has '^  bills: no billing data in A$'
edit "$T/old.h5" <<'EOF'
del f['/meter/billing']
EOF
diff_expect 0 "$T/bill_b.h5" "$T/old.h5"
has '^  bills: no billing data in B$'
edit "$T/bill_b.h5" <<'EOF'
b = f['/meter/billing/final']
b[9, 0] += 150000000
b[9, 1] -= 1000
EOF
diff_expect 1 "$T/bill_a.h5" "$T/bill_b.h5"
has '^  bills: 1$'
# Exact, without trailing zeros, and columns that did not change left out.
has '^household 9: bill B-A cost=+1.5 p balance=-0.01 GBP$'
edit "$T/bill_b.h5" <<'EOF'
del f['/meter/billing/final']
f.create_dataset('/meter/billing/final', data=np.zeros((300, 2), dtype='<i8'))
EOF
diff_expect 2 "$T/bill_a.h5" "$T/bill_b.h5"
err_has 'bill_b.h5: /meter/billing/final is not int64 of shape \[300, 3\]'

# An interrupted run: fewer periods, complete = 0; the common prefix is compared.
cp "$T/a.h5" "$T/cut.h5"
edit "$T/cut.h5" <<'EOF'
for p in ['/meter/halfhourly/import_wh', '/meter/halfhourly/export_wh',
          '/meter/halfhourly/reactive_import_varh', '/meter/halfhourly/reactive_export_varh',
          '/meter/gas/halfhourly_wh']:
    f[p].resize((f[p].shape[0], 50))
f['/meta'].attrs['complete'] = np.uint64(0)
EOF
diff_expect 1 "$T/a.h5" "$T/cut.h5"
has '^B: .*cut.h5 (.*, incomplete, 50 periods)$'
has '^periods: 50 compared, the common prefix (A has 96, B has 50)'
has '^  half-hourly: 0$'

# A load model without gas (load.model basic) leaves the gas matrix without periods; gas is
# then compared only when both traces have it.
cp "$T/a.h5" "$T/nogas.h5"
edit "$T/nogas.h5" <<'EOF'
f['/meter/gas/halfhourly_wh'].resize((300, 0))
EOF
diff_expect 0 "$T/a.h5" "$T/nogas.h5"
has '^periods: 96 compared$'
has '^households diverging: 0$'

# Another seed: most households diverge; the list stops at --max.
"$BIN" run "$SMALL" -o "$T/seed2.h5" --quiet --seed 2
diff_expect 1 "$T/a.h5" "$T/seed2.h5" --max 5
n=$(sed -n 's/^households diverging: //p' "$T/out.txt")
[ "$n" -gt 250 ] || fail "another seed: $n households diverging"
has '^warning: the resolved scenarios differ'
[ "$(grep -c '^household ' "$T/out.txt")" -eq 5 ] || fail "--max 5: $(cat "$T/out.txt")"
has "^\.\.\. $((n - 5)) more not listed"
diff_expect 1 "$T/a.h5" "$T/seed2.h5" --max 0
[ "$(grep -c '^household ' "$T/out.txt")" -eq "$n" ] || fail "--max 0 lists all"

# No noise: a trace against itself prints no signed zero, no group table, no event codes.
diff_expect 0 "$T/a.h5" "$T/a.h5"
if grep -Eq '(\+|-)0([.]0+)?( |$)|^  group B-A|^events differing' "$T/out.txt"; then
    fail "noise in an identical diff: $(cat "$T/out.txt")"
fi
has '^groups: all (300), prepayment ([0-9]*), credit ([0-9]*)'
diff_expect 0 "$T/a.h5" "$T/a.h5" --all
has '^  all  *300  *0  *0  *0  *0  *0  *0$'
diff_expect 0 "$T/a.h5" "$T/a.h5" --json
"$PY" -c 'import json,sys; d=json.load(sys.stdin); assert d["exit_status"] == 0, d' < "$T/out.txt"

# Groups from /households members prepay and population and /fleet/populations (names):
# rewritten with h5py in copies to a known split, the bill of household 9 changed.
for x in grp_a grp_b; do
    cp "$T/a.h5" "$T/$x.h5"
    edit "$T/$x.h5" <<'EOF2'
h = f['/households'][:]
dt = np.dtype([d for d in h.dtype.descr if d[0] not in ('prepay', 'population')]
              + [('prepay', 'u1'), ('population', 'u1')])
v = np.zeros(h.shape, dtype=dt)
for n in h.dtype.names:
    if n not in ('prepay', 'population'): v[n] = h[n]
v['prepay'] = (np.arange(len(v)) % 3 == 0)
v['population'] = (np.arange(len(v)) >= 250)
del f['/households']
f.create_dataset('/households', data=v)
p = np.array([(b'baseline', 1), (b'canary', 2)], dtype=[('name', h5py.string_dtype()), ('build', 'u4')])
if '/fleet/populations' in f: del f['/fleet/populations']
f.create_dataset('/fleet/populations', data=p)
EOF2
done
edit "$T/grp_b.h5" <<'EOF2'
f['/meter/billing/final'][9, 0] += 250000000
f['/meter/registers/final'][260, 0] += 3
EOF2
diff_expect 1 "$T/grp_a.h5" "$T/grp_b.h5"
has '^groups: all (300), prepayment (100), credit (200), baseline (250), canary (50); payment mode from /households prepay$'
has '^  all  *300  *2  *+0.025  *+0.003  *0  *0  *0$'
has '^  prepayment  *100  *1  *+0.025  *0 '
has '^  credit  *200  *1  *0  *+0.003 '
has '^  baseline  *250  *1  *+0.025 '
has '^  canary  *50  *1  *0  *+0.003 '
diff_expect 1 "$T/grp_a.h5" "$T/grp_b.h5" --json
"$PY" -c '
import json, sys
d = json.load(sys.stdin)
g = {x["name"]: x for x in d["groups"]}
assert d["exit_status"] == 1 and d["payment_mode_source"] == "member", d
assert [x["kind"] for x in d["groups"]] == ["all", "payment", "payment", "population", "population"]
assert g["canary"]["households"] == 50 and g["canary"]["import_register_delta_kwh"] == 0.003, g
assert g["baseline"]["bill_delta_gbp"] == 0.025 and g["all"]["diverging"] == 2, g
' < "$T/out.txt" || fail "groups in JSON: $(cat "$T/out.txt")"

# Scenario keys: a firmware image path differs as expected (no warning); any other key warns.
cp "$T/a.h5" "$T/fw.h5"
edit "$T/fw.h5" <<'EOF2'
m = f['/meta']
y = m.attrs['scenario_yaml']
y = y.decode() if isinstance(y, bytes) else y
assert '  firmware: ""\n' in y
m.attrs['scenario_yaml'] = y.replace('  firmware: ""\n', '  firmware: "build/fix42/mm_smets2.so"\n', 1)
EOF2
diff_expect 0 "$T/a.h5" "$T/fw.h5"
has '^scenario: 1 key differs (1 expected: firmware images)$'
has '^  fleet.populations\[0\].firmware: "" -> "build/fix42/mm_smets2.so" (expected: firmware image)$'
if grep -q '^warning' "$T/out.txt"; then fail "a firmware path warns: $(cat "$T/out.txt")"; fi

# Two runs of a storm with other restore-alert dither windows: the restore alerts moved in
# time are reported as shifted, not as absent in one run and present in the other.
DEF="$SRC/scenarios/default.yaml"
STORM="--set households=200 --set duration=1d --set storm.enabled=true --set storm.start=2h"
"$BIN" run "$DEF" $STORM --set meter.restore_dither=0s -o "$T/d0.h5" --quiet
"$BIN" run "$DEF" $STORM --set meter.restore_dither=5min -o "$T/d5.h5" --quiet
diff_expect 1 "$T/d0.h5" "$T/d5.h5" --max 0
has '^scenario: 1 key differs (0 expected: firmware images)$'
has '^  meter.restore_dither: 0 s -> 5 min$'
has '^warning: the resolved scenarios differ beyond firmware images'
has '^  all  *200  *[1-9][0-9]* '
has '^events differing: [1-9][0-9]* shifted'
has '^  WAN_ALERT_SENT (simulator 0x10003): [1-9][0-9]* shifted (mean +[0-9.]* s'
has '^household [0-9]*: events [0-9]* shifted.* WAN_ALERT_SENT (simulator 0x10003) shifted by +[0-9.]* s (alert SUPPLY_RESTORED'
shifted=$(sed -n 's/^events differing: \([0-9]*\) shifted, [0-9]* changed, \([0-9]*\) only in A, \([0-9]*\) only in B.*/\1 \2 \3/p' "$T/out.txt")
set -- $shifted
[ "$1" -gt $(( 10 * ($2 + $3) )) ] || fail "shifted $1 against unmatched $2 + $3"
diff_expect 1 "$T/d0.h5" "$T/d5.h5" --json
"$PY" -c '
import json, sys
d = json.load(sys.stdin)
k = d["scenario"]["keys"]
assert d["exit_status"] == 1 and k == [{"key": "meter.restore_dither", "a": "0 s", "b": "5 min", "expected": False}], k
c = {x["name"]: x for x in d["events"]["by_code"]}
assert c["WAN_ALERT_SENT"]["shifted"] > 0 and c["WAN_ALERT_SENT"]["shift_max_s"] <= 300, c
' < "$T/out.txt" || fail "storm JSON: $(cat "$T/out.txt")"
# With a window shorter than every shift nothing pairs: the same events are unmatched.
diff_expect 1 "$T/d0.h5" "$T/d5.h5" --window 0
has '^events differing: 0 shifted'

# Inputs refused with exit status 2 and the file named.
diff_expect 2 "$T/a.h5" "$T/missing.h5"
err_has 'missing.h5: cannot open'
printf 'not hdf5\n' > "$T/text.h5"
diff_expect 2 "$T/text.h5" "$T/a.h5"
err_has 'text.h5: not an HDF5 file'
"$PY" -c "import h5py, sys; h5py.File(sys.argv[1], 'w').create_dataset('x', data=[1])" "$T/other.h5"
diff_expect 2 "$T/a.h5" "$T/other.h5"
err_has 'other.h5: not a metersim trace'
"$BIN" run "$SMALL" -o "$T/fewer.h5" --quiet --set households=200
diff_expect 2 "$T/a.h5" "$T/fewer.h5"
err_has 'a.h5 and .*fewer.h5 simulate different households: 300 and 200 households'
cp "$T/a.h5" "$T/ids.h5"
edit "$T/ids.h5" <<'EOF'
h = f['/households']
r = h[3]
r['id'] = 1000
h[3] = r
EOF
diff_expect 2 "$T/a.h5" "$T/ids.h5"
err_has 'simulate different households: row 3 is household 3 in one and 1000 in the other'
# Both traces agree but their ids are not in row order, which metersim never writes.
cp "$T/a.h5" "$T/swap.h5"
edit "$T/swap.h5" <<'EOF'
h = f['/households']
r5, r6 = h[5], h[6]
r5['id'], r6['id'] = 6, 5
h[5], h[6] = r5, r6
EOF
cp "$T/swap.h5" "$T/swap_b.h5"
diff_expect 2 "$T/swap.h5" "$T/swap_b.h5"
err_has 'swap.h5: /households row 5 holds household 6; metersim writes household ids in row order'
cp "$T/a.h5" "$T/type.h5"
edit "$T/type.h5" <<'EOF'
v = f['/meter/registers/final'][:]
del f['/meter/registers/final']
f.create_dataset('/meter/registers/final', data=v.astype('<f8'))
EOF
diff_expect 2 "$T/a.h5" "$T/type.h5"
err_has 'type.h5: /meter/registers/final is not uint64 of shape \[300, 4\]'
# Every half-hourly channel of a trace has the periods of import_wh (gas: those or none).
cp "$T/a.h5" "$T/ragged.h5"
edit "$T/ragged.h5" <<'EOF'
f['/meter/halfhourly/export_wh'].resize((300, 50))
EOF
diff_expect 2 "$T/a.h5" "$T/ragged.h5"
err_has 'ragged.h5: /meter/halfhourly/export_wh is not uint32 of shape \[300, 96\]'
cp "$T/a.h5" "$T/ragged_gas.h5"
edit "$T/ragged_gas.h5" <<'EOF'
f['/meter/gas/halfhourly_wh'].resize((300, 50))
EOF
diff_expect 2 "$T/ragged_gas.h5" "$T/a.h5"
err_has 'ragged_gas.h5: /meter/gas/halfhourly_wh is not uint32 of shape \[300, 96\] or \[300, 0\] (no gas)'
diff_expect 2 "$T/a.h5"
err_has 'missing B.h5'
diff_expect 2 "$T/a.h5" "$T/b.h5" --max many
diff_expect 2 "$T/a.h5" "$T/b.h5" --window soon
err_has 'window: "soon" is not seconds'
diff_expect 2 "$T/a.h5" "$T/missing.h5" --json
[ ! -s "$T/out.txt" ] || fail "--json error printed to stdout: $(cat "$T/out.txt")"
diff_expect 0 --help
has '^usage: metersim diff'
echo "ok"
