#!/bin/sh
# The GB fleet from the end of 2020 through 2022 (scenarios/fleet-2021-2022.yaml, 2,000
# meters standing for 57M meter points) against the published end-2022 figures:
# - SMETS2 14.8M and SMETS1 15.1M meters (DESNZ smart meter statistics, end 2022), smart
#   meters in traditional mode 3.2M (NAO 2023), SMETS1 adopted by the DCC almost 10M by early
#   November 2022 (NAO 2023): each within 10 %;
# - the monthly migrations: a rise to a 2021 peak (the record month, 687k, DCC), then a
#   decline through 2022 (670k in January, 314k in May, 155k in June: NAO 2023).
# The start (end of 2020) is checked too, within 2 % (stratified shares of a 2,000 sample).
# Args: metersim, source dir.  Prints the figures reached.
set -eu
BIN=$1; SRC=$2
PY=/usr/bin/python3
T=$(mktemp -d /tmp/metersim-fleet22.XXXXXX)
trap 'rm -rf "$T"' EXIT
"$BIN" run "$SRC/scenarios/fleet-2021-2022.yaml" -o "$T/fleet.h5" --quiet
"$PY" - "$T/fleet.h5" <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
d = f["/fleet/daily"][:]
date = [x.decode() if isinstance(x, bytes) else x for x in d["date"]]
assert date[0] == "2021-01-01" and date[-1] == "2022-12-31", (date[0], date[-1])
def nat(row, *cols):
    return sum(float(d[c + "_national"][row]) for c in cols)
S2, S1 = ("smets2_dcc", "smets2_dumb"), ("smets1_operator", "smets1_dcc", "smets1_dumb")
DUMB = ("smets2_dumb", "smets1_dumb")
fails = []
def check(what, got, want, tol):
    ok = abs(got / want - 1) <= tol
    print("%-44s %6.2fM  published %5.2fM  %+5.1f %%  (tolerance %g %%)%s"
          % (what, got / 1e6, want / 1e6, 100 * (got / want - 1), 100 * tol, "" if ok else "  FAIL"))
    if not ok:
        fails.append(what)
# the start, end of 2020 (the first row counts its day's end: installs of 1 January included)
check("start: SMETS2", nat(0, *S2), 6.7e6, 0.02)
check("start: SMETS1", nat(0, *S1), 15.7e6, 0.02)
check("start: SMETS1 adopted", nat(0, "smets1_dcc"), 3.2e6, 0.05)
# end of 2022
last = len(d) - 1
check("end 2022: SMETS2 stock", nat(last, *S2), 14.8e6, 0.10)
check("end 2022: SMETS1 stock", nat(last, *S1), 15.1e6, 0.10)
check("end 2022: smart meters in traditional mode", nat(last, *DUMB), 3.2e6, 0.10)
nov = date.index("2022-11-07")
check("7 Nov 2022: SMETS1 adopted by the DCC", nat(nov, "smets1_dcc"), 10.0e6, 0.10)
# the monthly migration curve
month = np.array([x[:7] for x in date])
months = sorted(set(month))
mig = {m: float(d["migrations_national"][month == m].sum()) for m in months}
y21 = [mig[m] for m in months if m.startswith("2021")]
y22 = [mig[m] for m in months if m.startswith("2022")]
peak = max(y21)
print("migrations a month [k]: " + " ".join("%s %.0f" % (m[2:], mig[m] / 1e3) for m in months))
shape = [
    ("the 2021 peak is a rise on January 2021 (by more than half)", peak > 1.5 * y21[0]),
    ("no month of 2022 is above the 2021 peak by more than 5 %", max(y22) <= 1.05 * peak),
    ("2022 migrates less than 2021", sum(y22) < sum(y21)),
    ("the second half of 2022 below the first", sum(y22[6:]) < sum(y22[:6])),
    ("each month after January 2022 below January 2022", all(x < y22[0] for x in y22[1:])),
]
for what, ok in shape:
    print("shape: %s: %s" % (what, "ok" if ok else "FAIL"))
    if not ok:
        fails.append(what)
if fails:
    sys.exit("FAIL: " + "; ".join(fails))
PYEOF
