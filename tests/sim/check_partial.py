#!/usr/bin/python3
"""Checks that a trace (complete or OUT.partial) is valid and consistent: it opens, every
dataset reads whole, and every time series ends at /meta sim_end: the half-hourly matrices,
grid rows, per-minute demand, per-second head-end and cell series and the events before it;
the registers, where present, hold exactly the energy of the half-hourly import and export.
Usage: check_partial.py TRACE...   exit 0 all consistent, 1 otherwise (one line per problem)."""
import datetime
import sys

import h5py
import numpy as np

PERIOD_S = 1800


def iso(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def problems(path):
    with h5py.File(path, "r") as f:
        meta = f["/meta"].attrs
        span = (iso(meta["sim_end"]) - iso(meta["sim_start"])).total_seconds()
        if span % PERIOD_S:
            yield "sim_end %s is not on a settlement period boundary" % meta["sim_end"]
        periods = int(span // PERIOD_S)
        datasets = {}
        f.visititems(lambda n, o: datasets.setdefault("/" + n, o) if isinstance(o, h5py.Dataset) else None)
        for name, ds in datasets.items():
            ds[()]  # every dataset reads whole
        want = {"/grid/demand_w": periods * 30, "/grid/price_p_kwh": periods,
                "/grid/region_demand_w": periods, "/grid/wholesale_gbp_mwh": periods,
                "/network/cells/arrivals": periods * PERIOD_S, "/network/cells/queue": periods * PERIOD_S}
        for name, ds in datasets.items():
            if name.startswith("/meter/halfhourly/") or name == "/meter/gas/halfhourly_wh":
                if ds.shape[1] != periods:
                    yield "%s has %d periods, sim_end says %d" % (name, ds.shape[1], periods)
            elif name.startswith("/network/headend/") and len(ds.shape) == 1 and ds.maxshape[0] is None:
                if ds.shape[0] != periods * PERIOD_S:
                    yield "%s has %d seconds, sim_end says %d" % (name, ds.shape[0], periods * PERIOD_S)
            elif name in want and ds.shape[0] != want[name]:
                yield "%s has %d rows, sim_end says %d" % (name, ds.shape[0], want[name])
        if "/events" in datasets and len(datasets["/events"]):
            t = datasets["/events"]["t_s"]
            if t.max() >= span + 1e-6 and meta["complete"] == 0:
                yield "/events reaches %.0f s, past sim_end (%d s)" % (t.max(), span)
        if "/meter/registers/final" in datasets:
            reg = datasets["/meter/registers/final"][()]
            for col, ch in ((0, "import_wh"), (1, "export_wh")):
                hh = datasets["/meter/halfhourly/" + ch][()].sum(axis=1, dtype=np.uint64)
                if not np.array_equal(reg[:, col], hh):
                    bad = int(np.count_nonzero(reg[:, col] != hh))
                    yield "/meter/registers/final %s differs from the half-hourly sum for %d households" % (ch, bad)


def main():
    rc = 0
    for path in sys.argv[1:]:
        try:
            found = list(problems(path))
        except Exception as e:  # a file that does not open or read is the finding
            found = ["does not read: %s" % e]
        for p in found:
            print("%s: %s" % (path, p))
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
