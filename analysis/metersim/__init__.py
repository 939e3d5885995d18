"""metersim traces in Python: `t = metersim.open("run.h5")`.

The Trace object (trace.py) reads lazily and decodes categories and times; the helpers
(analysis.py) answer the usual questions: energy and share in a time window by group, peak
and rebound, bills by group, head-end load by phase and class, storm restoration and the DNO's
view.  `/usr/bin/python3 -m metersim.report A.h5 [B.h5 ...] -o report/` writes an HTML report.
Needs only Debian's python3-h5py, -numpy, -pandas and -matplotlib (the last for reports).
"""
from .trace import Trace, TraceError, open, schema  # noqa: F401
from . import tables  # noqa: F401
from .analysis import (window_energy, daily_profile, peak_rebound, bills,  # noqa: F401
                       headend_load, storm_curves, dno_view)

__all__ = ["open", "Trace", "TraceError", "schema", "tables", "window_energy", "daily_profile",
           "peak_rebound", "bills", "headend_load", "storm_curves", "dno_view"]
