#!/usr/bin/python3
"""Summarise a metersim trace: energy, demand, after-diversity maximum demand, head-end load.

Usage: /usr/bin/python3 analysis/trace_summary.py TRACE.h5

Reads the trace through the metersim package beside this script (Debian's python3-h5py,
-numpy and -pandas).  Exits 2 with one line naming the file and the problem when the file is
missing, not HDF5, damaged, or not a metersim trace.
"""
import sys

import numpy as np

import metersim


def summarise(t):
    meta = t.meta
    imp = t.read("import_wh")
    n_hh, n_p = imp.shape
    demand = t.read("demand_w")
    arrivals = t.read("headend_arrivals")
    days = n_p / 48.0
    out = []
    out.append(f"scenario          {meta['scenario_name']} (seed {meta['seed']}, complete={meta['complete']})")
    out.append(f"span              {meta['sim_start']} .. {meta['sim_end']} ({days:g} d, {n_p} periods)")
    out.append(f"households        {n_hh}")
    if n_hh and n_p:
        per_hh = imp.sum(axis=1, dtype=np.int64) / 1000.0
        out.append(f"import            {per_hh.mean():.2f} kWh/household over the span; "
                   f"annualised {per_hh.mean() * 365.0 / days:.0f} kWh/yr")
        q = np.percentile(per_hh * 365.0 / days, [10, 50, 90])
        out.append(f"annualised p10/p50/p90  {q[0]:.0f} / {q[1]:.0f} / {q[2]:.0f} kWh/yr")
        # After-diversity maximum demand: peak of the group's half-hourly mean, per household.
        group_hh = imp.sum(axis=0, dtype=np.int64) * 2.0 / n_hh  # Wh per 30 min -> W
        peak = int(group_hh.argmax())
        at = t.periods(peak, 1)[0]
        out.append(f"ADMD              {group_hh.max() / 1000.0:.2f} kW/household "
                   f"(period {peak}, {at:%H:%M} UTC)")
    if demand.size:
        m = int(demand.argmax())
        out.append(f"total demand      mean {demand.mean() / 1000.0:.1f} kW, peak {demand.max() / 1000.0:.1f} kW "
                   f"at minute {m} ({m // 60 % 24:02d}:{m % 60:02d})")
    if arrivals.size:
        out.append(f"head-end          {int(arrivals.sum())} messages, peak {int(arrivals.max())}/s")
    return "\n".join(out)


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        with metersim.open(argv[1]) as t:
            print(summarise(t))
    except metersim.TraceError as e:
        print(f"trace_summary: {e}", file=sys.stderr)
        return 2
    except (KeyError, ValueError) as e:
        print(f"trace_summary: {argv[1]}: damaged or unexpected trace: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
