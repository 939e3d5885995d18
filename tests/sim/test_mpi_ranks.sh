#!/bin/sh
# metersim run under MPI gives the trace of one process, whatever the rank count: the same
# scenario and seed on 1, 2, 3 and 4 ranks (mpirun --oversubscribe on this 2-core machine)
# give bit-identical datasets, every one (same_datasets.py), for a winter day over four DNO
# regions, a storm (outages, AD1 and restore alerts, retries, the DNO's view), real-time
# prices sent to every meter over the WAN (the coordinators' national demand sets them), and
# a fleet that changes every day (installs, supplier switches, SMETS1 migration within the
# DCC's national capacity, faults and repairs: the 2021-2022 fleet at 1 in 100 so that many
# happen in 6 days), and the attack scenario (command runs whose targets are chosen across
# ranks, the anomaly detection counting them in one national order, replays across power cuts).
# Then: SIGTERM to every rank mid-run leaves a valid trace marked incomplete, consistent at
# the boundary the ranks agreed on (check_partial.py); a 2-rank run killed after a checkpoint
# and resumed on 2 ranks gives the one-process trace; a sweep's point on 2 ranks
# (--sweep-index) writes the trace --list-sweep names, the same as one process's; more ranks
# than areas, firmware campaigns and a whole sweep are refused before anything is written
# (exit 2, one message).
# Usage: test_mpi_ranks.sh METERSIM SOURCE_DIR
set -u
BIN=$1
SRC=$2
PY=/usr/bin/python3
. "$SRC/tests/sim/testlib.sh"
T=$(mktemp -d /tmp/metersim-mpi.XXXXXX)
trap 'rm -rf "$T"' EXIT
cd "$SRC"
# Open MPI keeps memory until exit that LeakSanitizer would report in the sanitized build.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export OMPI_MCA_rmaps_base_oversubscribe=1
MPIRUN="mpirun --allow-run-as-root --oversubscribe"

# The attack scenario without its sweep (a sweep cannot run on ranks): command runs choose
# their targets across ranks and the anomaly detection counts them in one national order.
sed '/^sweep:/,$d' scenarios/attack-mass-disconnect.yaml > "$T/attack.yaml"
# name | scenario | settings
CASES="
day|scenarios/default.yaml|--set households=1600 --set topology.regions=4
storm|scenarios/storm.yaml|--set households=3000 --set topology.regions=4 --set duration=2d
rtp|scenarios/default.yaml|--set households=2000 --set topology.regions=5 --set prices.tariff=rtp --set duration=12h
fleet|scenarios/fleet-2021-2022.yaml|--set households=1500 --set duration=6d --set fleet.national_households=150000
attack|$T/attack.yaml|--set households=2400 --set topology.regions=4
"
# (mpirun passes its standard input to rank 0: every run reads /dev/null, not the cases)
echo "$CASES" | while IFS='|' read -r name scen sets; do
    [ -n "$name" ] || continue
    # shellcheck disable=SC2086
    "$BIN" run "$scen" $sets -o "$T/$name-1.h5" --quiet < /dev/null 2> "$T/err" || fail "$name: 1 process: $(cat "$T/err")"
    for n in 2 3 4; do
        # shellcheck disable=SC2086
        $MPIRUN -n $n "$BIN" run "$scen" $sets -o "$T/$name-$n.h5" --quiet < /dev/null > "$T/out" 2>&1 ||
            fail "$name: $n ranks: $(cat "$T/out")"
        "$PY" tests/sim/same_datasets.py "$T/$name-1.h5" "$T/$name-$n.h5" > "$T/cmp" 2>&1 ||
            fail "$name: $n ranks differ from 1 process: $(cat "$T/cmp")"
        echo "mpi: $name on $n ranks: $(cat "$T/cmp")"
    done
done || exit 1

# The summary comes from rank 0 alone, with each rank's share.
$MPIRUN -n 3 "$BIN" run scenarios/default.yaml --set households=1600 --set topology.regions=4 \
    -o "$T/sum.h5" < /dev/null > "$T/out" 2>&1 || fail "summary run: $(cat "$T/out")"
[ "$(grep -c '^metersim summary' "$T/out")" = 1 ] || fail "not one summary: $(cat "$T/out")"
grep -q 'MPI ranks         3:' "$T/out" || fail "no per-rank lines: $(cat "$T/out")"
[ "$(grep -c '^    rank ' "$T/out")" = 3 ] || fail "not 3 rank lines: $(cat "$T/out")"

# SIGTERM to every rank (what a scheduler does at the time limit): a valid, consistent
# trace with complete = 0, the run stopped at one boundary for all.  The ranks, mpirun's
# children, are signalled, not mpirun: told itself, mpirun passes the signal on and then
# kills ranks that have not ended within its own short timeout, which a slow (sanitizer)
# build's final write can exceed.
$MPIRUN -n 2 "$BIN" run scenarios/default.yaml --set households=2000 --set topology.regions=2 \
    --set duration=60d --quiet -o "$T/term.h5" < /dev/null > "$T/out" 2>&1 &
pid=$!
waited=0
until [ -e "$T/term.h5.partial" ] && [ "$waited" -ge 30 ]; do sleep 0.1; waited=$((waited + 1)); done
pkill -TERM -P "$pid" -f "metersim run scenarios/default.yaml --set households=2000 --set topology.regions=2 --set duration=60d" ||
    fail "no rank to signal"
wait $pid
rc=$?
[ "$rc" -ne 0 ] || fail "interrupted run exited 0"
[ -e "$T/term.h5" ] && fail "an interrupted run renamed its trace to the final name"
"$PY" tests/sim/check_partial.py "$T/term.h5.partial" > "$T/chk" 2>&1 || fail "interrupted trace: $(cat "$T/chk")"
"$PY" -c "import h5py,sys; f=h5py.File(sys.argv[1]); sys.exit(0 if int(f['meta'].attrs['complete']) == 0 else 1)" \
    "$T/term.h5.partial" || fail "interrupted trace not marked complete = 0"
[ "$(grep -c 'interrupted by SIGTERM' "$T/out")" = 1 ] || fail "not one message for the interrupt: $(cat "$T/out")"
echo "mpi: SIGTERM to 2 ranks: valid, complete = 0, $(grep 'interrupted' "$T/out")"

# A sweep: one point on 2 ranks writes the listed trace, the same as one process's; the
# whole sweep is refused (its points would fork).
printf 'extends: %s\nname: sw\ntopology: {regions: 2}\nduration: "6 h"\nsweep:\n  grid:\n    - {key: seed, values: [1, 2]}\n    - {key: households, values: [400, 600]}\n' \
    "$SRC/scenarios/default.yaml" > "$T/sw.yaml"
listed=$("$BIN" run "$T/sw.yaml" -o "$T/sw.h5" --list-sweep | awk -F '\t' '$1 == 3 {print $3}')
[ "$listed" = "$T/sw-seed=2,households=600.h5" ] || fail "--list-sweep's point 3: $listed"
$MPIRUN -n 2 "$BIN" run "$T/sw.yaml" -o "$T/sw.h5" --sweep-index 3 --quiet < /dev/null > "$T/out" 2>&1 ||
    fail "--sweep-index 3 on 2 ranks: $(cat "$T/out")"
mkdir "$T/sw1"
"$BIN" run "$T/sw.yaml" -o "$T/sw1/sw.h5" --sweep-index 3 --quiet < /dev/null 2> "$T/err" || fail "--sweep-index 3: $(cat "$T/err")"
"$PY" tests/sim/same_datasets.py "$listed" "$T/sw1/$(basename "$listed")" > "$T/cmp" 2>&1 ||
    fail "--sweep-index 3 on 2 ranks differs from 1 process: $(cat "$T/cmp")"
echo "mpi: --sweep-index 3 on 2 ranks: $(cat "$T/cmp")"

# Checkpoints on 2 ranks (state.0, state.1): mpirun killed with SIGKILL after the first one,
# the run resumed on 2 ranks gives the trace of one process; resuming on 1 or 3 is refused.
CK="scenarios/default.yaml --set households=1200 --set topology.regions=4 --set duration=4d"
# shellcheck disable=SC2086
"$BIN" run $CK -o "$T/ck-1.h5" --quiet < /dev/null 2> "$T/err" || fail "checkpoint case, 1 process: $(cat "$T/err")"
# shellcheck disable=SC2086
$MPIRUN -n 2 "$BIN" run $CK -o "$T/ck.h5" --quiet --checkpoint-every "1 d" < /dev/null > "$T/out" 2>&1 &
pid=$!
wait_for_file "$T/ck.h5.ckpt/state.1" "$pid" 60
[ -e "$T/ck.h5.ckpt/state.1" ] || fail "no checkpoint on 2 ranks: $(cat "$T/out")"
kill -9 "$pid" 2> /dev/null || fail "the 2-rank run ended before the kill"
wait "$pid" 2> /dev/null
pkill -9 -f "$T/ck.h5" 2> /dev/null # ranks mpirun left behind
sleep 0.5
[ -e "$T/ck.h5" ] && fail "a killed run completed"
for n in 1 3; do
    $MPIRUN -n $n "$BIN" run --resume "$T/ck.h5.partial" --quiet < /dev/null > "$T/out" 2>&1 &&
        fail "a 2-rank checkpoint resumed on $n"
    grep -q "resume it with as many" "$T/out" || fail "resume on $n ranks: $(cat "$T/out")"
done
$MPIRUN -n 2 "$BIN" run --resume "$T/ck.h5.partial" --quiet < /dev/null > "$T/out" 2>&1 ||
    fail "resume on 2 ranks: $(cat "$T/out")"
[ ! -e "$T/ck.h5.ckpt" ] || fail "the checkpoint is left after the resumed run completed"
"$PY" tests/sim/same_datasets.py "$T/ck-1.h5" "$T/ck.h5" > "$T/cmp" 2>&1 ||
    fail "killed on 2 ranks and resumed differs from 1 process: $(cat "$T/cmp")"
echo "mpi: checkpoint on 2 ranks, SIGKILL, --resume on 2: $(cat "$T/cmp")"

# Refusals: more ranks than areas; a fleet that changes; a whole sweep.
$MPIRUN -n 2 "$BIN" run "$T/sw.yaml" --quiet -o "$T/z.h5" < /dev/null > "$T/out" 2>&1 && fail "a sweep ran on 2 ranks"
[ "$(grep -c 'a sweep runs its points in child processes, which MPI ranks cannot fork' "$T/out")" = 1 ] ||
    fail "sweep refusal: $(cat "$T/out")"
$MPIRUN -n 3 "$BIN" run scenarios/default.yaml --quiet -o "$T/x.h5" < /dev/null > "$T/out" 2>&1 && fail "3 ranks over 1 area ran"
grep -q 'the run has 1 areas (WAN cells) and 3 MPI ranks' "$T/out" || fail "too many ranks: $(cat "$T/out")"
[ "$(grep -c 'the run has 1 areas' "$T/out")" = 1 ] || fail "the refusal is not said once: $(cat "$T/out")"
FW=$(cd "$(dirname "$BIN")/../firmware" && pwd)/mm_smets2.so
$MPIRUN -n 2 "$BIN" run scenarios/default.yaml --set topology.regions=2 --quiet -o "$T/y.h5" \
    --set "firmware_campaigns=[{name: v2, population: smets2, firmware: $FW, version: 131072, start: 2026-01-14, per_day: 500}]" \
    < /dev/null > "$T/out" 2>&1 && fail "firmware campaigns ran on 2 ranks"
grep -q 'firmware campaigns do not run across MPI ranks yet' "$T/out" || fail "campaign refusal: $(cat "$T/out")"
ls "$T"/x.h5* "$T"/y.h5* "$T"/z*.h5* 2> /dev/null && fail "a refused run left a file"
echo "mpi: refusals said once, nothing written"
echo "mpi: all passed"
