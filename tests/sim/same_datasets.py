#!/usr/bin/python3
"""Compare two metersim traces dataset by dataset: exit 0 when every dataset has the same
type, shape and bytes in both and neither has a dataset the other lacks; 1 with the first
differences listed otherwise; 2 when a file cannot be read.  /meta's attributes (wall-clock
times, the output path, the rank count) are not compared: they describe the run, not its
results.

Usage: same_datasets.py A.h5 B.h5 [--ignore PATH ...]
"""
import sys

import h5py
import numpy as np


def datasets(f):
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            out[name] = obj
    f.visititems(visit)
    return out


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    a_path, b_path = argv[1], argv[2]
    ignore = set(argv[4:]) if len(argv) > 3 and argv[3] == "--ignore" else set()
    try:
        fa, fb = h5py.File(a_path, "r"), h5py.File(b_path, "r")
    except OSError as e:
        print(f"same_datasets: {e}", file=sys.stderr)
        return 2
    da, db = datasets(fa), datasets(fb)
    diffs = []
    for name in sorted(set(da) | set(db)):
        if name in ignore:
            continue
        if name not in da or name not in db:
            diffs.append(f"{name}: only in {a_path if name in da else b_path}")
            continue
        x, y = da[name], db[name]
        if x.dtype != y.dtype or x.shape != y.shape:
            diffs.append(f"{name}: {x.dtype}{x.shape} against {y.dtype}{y.shape}")
            continue
        xa, ya = x[()], y[()]
        if np.asarray(xa).tobytes() != np.asarray(ya).tobytes():
            if xa.dtype.names is None and np.ndim(xa) > 0:
                bad = np.argwhere(~((xa == ya) | ((xa != xa) & (ya != ya))))
                where = f" (first at {tuple(bad[0])}, {len(bad)} values)" if len(bad) else ""
            else:
                where = ""
            diffs.append(f"{name}: contents differ{where}")
    for d in diffs[:20]:
        print(f"same_datasets: {d}", file=sys.stderr)
    if diffs:
        print(f"same_datasets: {len(diffs)} of {len(set(da) | set(db))} datasets differ", file=sys.stderr)
        return 1
    print(f"same_datasets: {len(da)} datasets identical")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
