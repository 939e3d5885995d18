#!/usr/bin/python3
"""Compare storm runs: head-end arrival peaks, queueing, losses and the DNO's view.

Usage: /usr/bin/python3 analysis/storm_report.py TRACE.h5 [TRACE.h5 ...]

For each trace: the restore alerts sent and delivered, the peak head-end arrival rate
(largest 10-s moving average of per-second arrivals) after the last mass restoration, the
head-end's largest queue, requests dropped, response-time percentiles of restore alerts, how
long after the last restoration the DNO knew every restored premises, and why the premises
it never heard from stayed silent (metersim.dno_view).  Exits 2 with one line naming the
file when a file is not a readable metersim trace.  For plots: `metersim report`.
"""
import sys

import numpy as np

import metersim
from metersim import tables


def peak_rate(per_second, width=10):
    if per_second.size < width:
        return float(per_second.max(initial=0))
    c = np.convolve(per_second.astype(np.float64), np.ones(width) / width, mode="valid")
    return float(c.max())


def report(path):
    with metersim.open(path) as t:
        ev = t.events([*tables.RESTORE_ALERTS, "WAN_ALERT_SENT", "WAN_ALERT_DELIVERED"])
        arr = t.read("headend_arrivals")
        w = t.scenario.get("meter", {}).get("restore_dither", "?")
        restored = ev[ev["code"].isin(tables.RESTORE_ALERTS)]
        restore_alert = ev["value"].isin(tables.RESTORE_ALERTS)
        sent = ev[(ev["name"] == "WAN_ALERT_SENT") & restore_alert]
        deliv = ev[(ev["name"] == "WAN_ALERT_DELIVERED") & restore_alert]
        t_last = float(restored["t_s"].max()) if len(restored) else 0.0
        after = arr[int(t_last):] if len(restored) else arr
        out = [f"{path}: dither window {w}",
               f"  restorations {len(restored)}, restore alerts sent {len(sent)}, delivered {len(deliv)}",
               f"  peak head-end arrivals after the last restoration: {peak_rate(after):.1f}/s (10-s average), "
               f"{int(after.max(initial=0))}/s (1-s max)"]
        if t.has("headend_queue_max"):
            out.append(f"  head-end queue max {int(t.read('headend_queue_max').max(initial=0))}, "
                       f"dropped {int(t.read('headend_dropped').sum())}")
        if t.has("headend_class_stats"):
            r = t.headend_classes.loc["alert_restore"]
            out.append("  restore alerts: " + ", ".join(f"{c} {v:.3g}" for c, v in r.items()))
        if t.has("dno_restoration"):
            out.append("  DNO: " + ", ".join(f"{c} {v:.4g}" for c, v in t.dno_restoration.items()))
            why = metersim.dno_view(t)["reason"].dropna().value_counts()
            if len(why):
                out.append("  never known restored: " + ", ".join(f"{n} {r}" for r, n in why.items()))
        return "\n".join(out)


def main(argv):
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    rc = 0
    for p in argv[1:]:
        try:
            print(report(p))
        except metersim.TraceError as e:
            print(f"storm_report: {e}", file=sys.stderr)
            rc = 2
        except (KeyError, ValueError) as e:
            print(f"storm_report: {p}: damaged or unexpected trace: {e}", file=sys.stderr)
            rc = 2
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
