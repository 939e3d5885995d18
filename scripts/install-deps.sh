#!/bin/sh
# Installs every Debian package metersim needs to build, test and analyse (the report's
# test drives Debian's chromium through chromium-driver and python3-selenium; the scenario
# schema test reads YAML with python3-yaml and checks it with python3-jsonschema).  Open MPI runs
# one engine per rank; Slurm and munge run tests/sim/test_slurm.sh's one-node cluster, whose
# jobs start Open MPI ranks with `srun --mpi=pmix` (the pmix plugin is in
# slurm-wlm-basic-plugins; iproute2's ss finds the test free ports).  The fuzz targets
# (tests/fuzz) link clang's libFuzzer and sanitizer runtimes, libclang-rt-14-dev, which clang
# only recommends.
# A quick no-op when everything is present; runs `apt-get update` only when
# something must be installed.
set -eu

PKGS="build-essential g++ cmake pkg-config make
libsimgrid-dev libhdf5-dev hdf5-tools zlib1g-dev libdeflate-dev libyaml-dev libgsl-dev libcriterion-dev
libjemalloc-dev
libmbedtls-dev gcc-arm-none-eabi libnewlib-arm-none-eabi clang libclang-rt-14-dev
python3-h5py python3-numpy python3-matplotlib python3-pandas python3-yaml python3-jsonschema
chromium chromium-driver python3-selenium
libopenmpi-dev openmpi-bin
slurm-wlm slurm-wlm-basic-plugins munge iproute2"

missing=""
for p in $PKGS; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing="$missing $p"
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "install-deps: missing Debian packages:$missing" >&2
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-deps: not root and no sudo; install them with:" >&2
        echo "  apt-get update && apt-get install -y$missing" >&2
        exit 1
    fi
else
    SUDO=""
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
