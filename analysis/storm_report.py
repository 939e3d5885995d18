#!/usr/bin/python3
"""Compare storm runs: head-end arrival peaks, queueing, losses and the DNO's view.

Usage: /usr/bin/python3 analysis/storm_report.py TRACE.h5 [TRACE.h5 ...]

For each trace: the restore alerts sent and delivered, the peak head-end arrival rate
(largest 10-s moving average of per-second arrivals) after the last mass restoration, the
head-end's largest queue, requests dropped, response-time percentiles of restore alerts, and
how long after the last restoration the DNO knew every restored premises.  Exits 2 with a
message naming the file when a file is not a readable metersim trace.
"""
import sys

import h5py
import numpy as np

import trace_schema as ts

RESTORED = (0x8F35, 0x8F36)
ALERT_SENT, ALERT_DELIVERED, AD1 = 0x10003, 0x10004, 0xAD1


def peak_rate(per_second, width=10):
    if per_second.size < width:
        return float(per_second.max(initial=0))
    c = np.convolve(per_second.astype(np.float64), np.ones(width) / width, mode="valid")
    return float(c.max())


def report(path):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ValueError(f"{path}: not a readable HDF5 file ({e.__class__.__name__})")
    with f:
        for need in ("/meta", ts.path("events"), ts.path("headend_arrivals")):
            if need not in f:
                raise ValueError(f"{path}: not a metersim trace with network data (no {need})")
        ev = f[ts.path("events")][:]
        arr = f[ts.path("headend_arrivals")][:]
        yaml = f["/meta"].attrs["scenario_yaml"]
        w = next((l.split(":", 1)[1].strip() for l in yaml.splitlines() if l.strip().startswith("restore_dither:")), "?")
        restored = ev[np.isin(ev["code"], RESTORED)]
        sent = ev[(ev["code"] == ALERT_SENT) & (ev["value"] != AD1)]
        deliv = ev[(ev["code"] == ALERT_DELIVERED) & (ev["value"] != AD1)]
        t_last = float(restored["t_s"].max()) if restored.size else 0.0
        after = arr[int(t_last):] if restored.size else arr
        out = [f"{path}: dither window {w}",
               f"  restorations {restored.size}, restore alerts sent {sent.size}, delivered {deliv.size}",
               f"  peak head-end arrivals after the last restoration: {peak_rate(after):.1f}/s (10-s average), "
               f"{int(after.max(initial=0))}/s (1-s max)"]
        if ts.path("headend_queue_max") in f:
            out.append(f"  head-end queue max {int(f[ts.path('headend_queue_max')][:].max(initial=0))}, "
                       f"dropped {int(f[ts.path('headend_dropped')][:].sum())}")
        if ts.path("headend_class_stats") in f:
            ds = f[ts.path("headend_class_stats")]
            r = ds[ts.rows(ds).index("alert_restore")]
            out.append("  restore alerts: " + ", ".join(f"{c} {r[i]:.3g}" for i, c in enumerate(ts.columns(ds))))
        if ts.path("dno_restoration") in f:
            d = f[ts.path("dno_restoration")]
            out.append("  DNO: " + ", ".join(f"{c} {v:.4g}" for c, v in zip(ts.columns(d), d[0])))
        return "\n".join(out)


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    rc = 0
    for p in argv[1:]:
        try:
            print(report(p))
        except (ValueError, KeyError) as e:
            print(f"storm_report: {e}", file=sys.stderr)
            rc = 2
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
