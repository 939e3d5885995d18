#!/bin/sh
# Fingerprints of the traces of every shipped scenario, for refactors that must not change
# behaviour: run it with the build before the change and with the build after, and compare
# the two files (`diff`, or `scripts/trace-hashes.sh --compare OLD NEW`).
#
# Each line is `RUN PATH KIND SHA256`: one per dataset (its type, shape and raw bytes), one
# per attribute (name and value; /meta's wall-clock times and the run's output path are left
# out, they change from run to run).  The runs: every scenarios/*.yaml (every sweep value),
# made small with --set where a scenario is large, the golden scenarios, and variants of the
# default scenario that reach paths the shipped ones do not (real-time prices over 14
# regions, the basic load model, a uniform WAN with on-demand reads, the firmware image).
#
# Usage: scripts/trace-hashes.sh [BUILD_DIR] > hashes.txt        (default BUILD_DIR: build)
#        scripts/trace-hashes.sh --compare OLD.txt NEW.txt        (exit 1 when they differ)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)

if [ "${1:-}" = "--compare" ]; then
    [ $# -eq 3 ] || { echo "usage: $0 --compare OLD.txt NEW.txt" >&2; exit 2; }
    # "build" lines say which build wrote a trace: they differ between any two builds
    if diff -u "$2" "$3" | grep -v '^[-+][^-+].* build [0-9a-f]*$' | grep -q '^[-+][^-+]'; then
        diff -u "$2" "$3" | grep -v '^[-+][^-+].* build [0-9a-f]*$' >&2
    else
        echo "trace-hashes: identical ($(grep -vc ' build ' "$3") fingerprints; which build wrote them"
        echo "  is not compared: $(grep -c ' build ' "$3") lines)"
        exit 0
    fi
    echo "trace-hashes: DIFFERENT (lines above: - old, + new)" >&2
    exit 1
fi

BUILD=$(cd "${1:-$ROOT/build}" 2>/dev/null && pwd) || { echo "trace-hashes: no build directory ${1:-$ROOT/build}" >&2; exit 2; }
BIN=$BUILD/sim/metersim
[ -x "$BIN" ] || { echo "trace-hashes: no $BIN; build first (make build)" >&2; exit 2; }
T=$(mktemp -d /tmp/metersim-hashes.XXXXXX)
trap 'rm -rf "$T"' EXIT

# name | scenario | --set overrides (space-separated, no spaces inside a value)
RUNS="
default|scenarios/default.yaml|
e7-vs-agile|scenarios/e7-vs-agile.yaml|households=1500 duration=3d
feedback-8-weeks|scenarios/feedback-8-weeks.yaml|households=600 duration=10d
storm-dithering|scenarios/storm-dithering.yaml|households=12000
storm|scenarios/storm.yaml|households=4000 duration=2d
winter-week|scenarios/winter-week.yaml|households=2000 duration=2d
golden|tests/golden/firmware-reference.yaml|
golden-rt|tests/golden/realtime-reference.yaml|
rtp14|scenarios/default.yaml|households=3000 topology.regions=14 prices.tariff=rtp
basic-uniform|scenarios/default.yaml|households=1500 load.model=basic wan.technology=uniform headend.ondemand_reads=3 headend.discipline=priority
image|scenarios/default.yaml|households=600 meter.firmware=./fw.so storm.enabled=true storm.start=3h
nonevents|scenarios/default.yaml|households=800 trace.events=false prices.tariff=e7 meter.prepayment_share=60%
fleet-mix|scenarios/fleet-mix.yaml|households=1500 fleet.populations[1].firmware=./fw.so
attack|scenarios/attack-mass-disconnect.yaml|households=3000
"

# Relative paths throughout: the resolved scenario stored in a trace names the file it was
# read from and the image, and the fingerprints must not depend on where the checkout is.
cp "$BUILD/firmware/mm_smets2.so" "$T/fw.so"
ln -s "$ROOT/scenarios" "$T/scenarios"
mkdir "$T/tests" && ln -s "$ROOT/tests/golden" "$T/tests/golden"
cd "$T"
echo "$RUNS" | while IFS='|' read -r name scen sets; do
    [ -n "$name" ] || continue
    args=""
    for s in $sets; do
        # a value written without its space ("3d", "60%") gets it back for the unit parser
        v=$(printf '%s' "$s" | sed -E 's/^([^=]*=[0-9.]+)([a-zA-Z%]+)$/\1 \2/')
        args="$args --set \"$v\""
    done
    eval "\"$BIN\" run \"$scen\" -o \"$name.h5\" --quiet $args" \
        || { echo "trace-hashes: run $name failed" >&2; exit 1; }
done

/usr/bin/python3 - "$T" <<'PY'
import glob, hashlib, os, sys
import h5py, numpy as np
import numpy.lib.recfunctions as rfn

SKIP_META = {"wall_start", "wall_end"}
# Which build wrote the trace (the executable's digest and build id, git describe): they
# change with every commit, so they are fingerprinted apart from what the run computed.
SKIP_META_BUILD = {"firmware_images"}
BUILD_MEMBERS = ("sha256", "build_id", "source")

def h(b):
    return hashlib.sha256(b).hexdigest()

def attr_bytes(v):
    if isinstance(v, bytes):
        return v
    if isinstance(v, str):
        return v.encode()
    a = np.asarray(v)
    return repr(a.dtype).encode() + repr(a.shape).encode() + a.tobytes()

for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.h5"))):
    run = os.path.basename(path)[:-3]
    with h5py.File(path, "r") as f:
        items = []
        f.visititems(lambda n, o: items.append((n, o)))
        items.append(("", f))
        for name, obj in sorted(items, key=lambda x: x[0]):
            p = "/" + name
            if isinstance(obj, h5py.Dataset):
                data = obj[()]
                a = np.asarray(data)
                if p == "/fleet/images":
                    print(run, p + "@build", "build", h(a[list(BUILD_MEMBERS)].tobytes()))
                    # repacked: a view of the other fields would still carry these bytes
                    a = rfn.repack_fields(a[[n for n in a.dtype.names if n not in BUILD_MEMBERS]])
                print(run, p, "data", h(repr(obj.dtype).encode() + repr(obj.shape).encode() + a.tobytes()))
            for k in sorted(obj.attrs.keys()):
                if p == "/meta" and k in SKIP_META:
                    continue
                if p == "/meta" and k in SKIP_META_BUILD:
                    print(run, p + "@" + k, "build", h(attr_bytes(obj.attrs[k])))
                    continue
                print(run, p + "@" + k, "attr", h(attr_bytes(obj.attrs[k])))
PY
