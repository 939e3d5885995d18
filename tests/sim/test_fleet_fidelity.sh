#!/bin/sh
# The cheaper fidelity of bench/fleet (-f fast: load.model basic instead of crest) against
# full fidelity on a small fleet over 40 days of the migration's busiest year: the fleet's
# lifecycle (installs, migration, switching, faults: sim/lifecycle.c) is drawn from the seed and
# never from demand, so /fleet/daily's meters by generation and route, installs, switches,
# meters gone dumb, migration attempts, outcomes and commissioning requests must be the same
# day by day.  What follows demand may differ and is only checked to be close: the daily
# profile reads (the same meters, give or take a read cut by an emptied prepayment meter)
# and the SMETS1 head-ends' requests.  The firmware runs in every meter either way.
#
# Args: metersim, source dir.  Prints the totals of both runs.
set -eu
BIN=$1; SRC=$2
T=$(mktemp -d /tmp/metersim-fidelity.XXXXXX)
trap 'rm -rf "$T"' EXIT
for m in crest basic; do
    "$BIN" run "$SRC/scenarios/default.yaml" --seed 3 --set households=400 --set "duration=40 d" \
        --set start=2021-01-01 --set installs.enabled=true --set migration.enabled=true \
        --set switching.enabled=true --set faults.enabled=true --set load.model=$m \
        -o "$T/$m.h5" --quiet
done
/usr/bin/python3 - "$T/crest.h5" "$T/basic.h5" <<'PY'
import sys, h5py, numpy as np
full = h5py.File(sys.argv[1], "r")["fleet/daily"][:]
fast = h5py.File(sys.argv[2], "r")["fleet/daily"][:]
same = ["smets2_dcc", "smets2_dumb", "smets1_operator", "smets1_dcc", "smets1_dumb",
        "traditional", "installs", "switches", "gone_dumb", "migration_attempts", "migrations",
        "migration_failures", "migration_exclusions", "faults", "replacements",
        "dcc_commissioning"]
close = {"dcc_reads": 0.02, "supplier_hes": 0.05}
bad = []
if len(full) != len(fast):
    bad.append(f"rows: {len(full)} against {len(fast)}")
for c in same:
    print(f"{c}: full {full[c].sum()} fast {fast[c].sum()}")
    if not np.array_equal(full[c], fast[c]):
        bad.append(f"{c} differs on days {np.nonzero(full[c] != fast[c])[0].tolist()}")
for c, tol in close.items():
    a, b = float(full[c].sum()), float(fast[c].sum())
    print(f"{c}: full {a:.0f} fast {b:.0f}")
    if abs(a - b) > tol * max(a, 1.0):
        bad.append(f"{c}: {a:.0f} against {b:.0f}, more than {tol:.0%} apart")
# the lifecycle must have done something for the comparison to mean anything
for c in ("installs", "switches", "migrations"):
    if full[c].sum() == 0:
        bad.append(f"no {c} in 40 days: the test compares nothing")
if bad:
    print("FAIL: " + "; ".join(bad), file=sys.stderr)
    sys.exit(1)
print("fleet counts identical at both fidelities")
PY
