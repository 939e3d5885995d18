#!/usr/bin/python3
"""Every numeric scenario key at both ends of the range `metersim validate --reference` gives
it: the run (12 households, one day) completes, or it is refused or fails with the key named
in its message.  A value the validator accepts must never fail without saying which key.
Usage: test_key_ranges.py METERSIM SOURCE_DIR"""
import concurrent.futures
import os
import subprocess
import sys
import tempfile

BIN, SRC = sys.argv[1], sys.argv[2]
SCEN = os.path.join(SRC, "tests/sim/data/small.yaml")
BASE = ["--set", "households=12", "--set", "duration=1 d", "--set", "topology.area_households=6"]
NUMERIC = {"integer", "number", "percentage", "duration", "data size", "bit rate", "amount of money",
           "power", "energy per year", "UTC date", "time of day"}
# Ends that would take the machine for hours or tens of GB, not an answer: left out, said why.
SKIP = {("households", 1): "50 million households need tens of GB",
        ("duration", 1): "ten simulated years take hours",
        ("households", 0): "the base scenario's own size"}


def keys():
    ref = subprocess.run([BIN, "validate", "--reference"], check=True, capture_output=True,
                         text=True).stdout
    for line in ref.splitlines()[2:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4:
            continue
        key, kind, rng = cells[0].strip("`"), cells[1], cells[3]
        if kind not in NUMERIC or "[]" in key or ".." not in rng:
            continue
        ends = rng.split(",")[0].split("..")
        if len(ends) == 2:
            yield key, [ends[0].strip(), ends[1].strip()]


def attempt(tmp, key, i, value):
    out = os.path.join(tmp, "%s-%d.h5" % (key.replace(".", "_"), i))
    try:
        p = subprocess.run([BIN, "run", SCEN, *BASE, "--set", "%s=%s" % (key, value), "-o", out,
                            "--quiet"], capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return "%s=%s: no answer within 120 s" % (key, value)
    for f in (out, out + ".partial"):
        if os.path.exists(f):
            os.unlink(f)
    if p.returncode == 0:
        return None
    if p.returncode in (1, 2) and key in p.stderr:
        return None
    return "%s=%s: exit %d without naming the key: %s" % (key, value, p.returncode,
                                                         p.stderr.strip()[:300])


def main():
    todo = []
    for key, ends in keys():
        for i, v in enumerate(ends):
            if (key, i) not in SKIP:
                todo.append((key, i, v))
    with tempfile.TemporaryDirectory(prefix="metersim-ranges.") as tmp:
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
            bad = [r for r in ex.map(lambda t: attempt(tmp, *t), todo) if r]
    for b in bad:
        print("FAIL:", b)
    print("%d range ends of %d keys tried (%d left out: %s), %d failed" %
          (len(todo), len({k for k, _, _ in todo}), len(SKIP), "; ".join(SKIP.values()), len(bad)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
