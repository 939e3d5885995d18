"""Shared by the Python tests: the package from this source tree, and small traces made once
per test module with the simulator under test (METERSIM_BIN, set by ctest)."""
import os
import subprocess
import sys
import tempfile

SRC = os.environ.get("METERSIM_SOURCE_DIR",
                     os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
BIN = os.environ.get("METERSIM_BIN", os.path.join(SRC, "build", "sim", "metersim"))
sys.path.insert(0, os.path.join(SRC, "analysis"))

# Small runs (seconds even under the sanitizers): name -> (scenario, --set options).
RUNS = {
    "default": ("default.yaml", ["households=200", "duration=2 d"]),
    "storm": ("storm.yaml", ["households=1000", "duration=2 d"]),
    "mix": ("fleet-mix.yaml", ["households=200", "duration=1 d"]),
    # licence areas by name, a storm on a DCC region's part of them
    "regions": ("storm.yaml", ["households=400", "duration=1 d", "topology.regions=London, South Wales",
                               "storm.regions=DCC Central"]),
    # prices over the WAN and a demand-response group
    "agile": ("default.yaml", ["households=200", "duration=2 d", "prices.tariff=agile",
                               "load.dr.engaged_share=50 %"]),
}


class Traces:
    """Runs the RUNS asked for into a temporary directory, once."""

    def __init__(self, *names):
        self.dir = tempfile.TemporaryDirectory(prefix="metersim-py-")
        self.path = {}
        for n in names:
            scenario, sets = RUNS[n]
            out = os.path.join(self.dir.name, f"{n}.h5")
            cmd = [BIN, "run", os.path.join(SRC, "scenarios", scenario), "-o", out, "--quiet"]
            for s in sets:
                cmd += ["--set", s]
            subprocess.run(cmd, check=True, cwd=SRC)  # fleet-mix names build/firmware/ from there
            self.path[n] = out

    def cleanup(self):
        self.dir.cleanup()
