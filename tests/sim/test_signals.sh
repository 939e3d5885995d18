#!/bin/sh
# SIGINT and SIGTERM at random moments across set-up, the run and its finish (one or two
# signals, the second a moment after the first): every run exits 0 (it had finished), or 1
# saying so on stderr, and leaves either no file (set-up) or one trace, OUT or OUT.partial,
# that check_partial.py finds valid and consistent (every series ends at sim_end; registers
# equal the half-hourly sums).  Attempts are bounded by time (about a minute).  Then a sweep
# stopped while its first child runs: the child gets the signal, the sweep waits for it and
# runs no further value.  First, a SIGINT raised just as SimGrid's initialisation returns,
# while SimGrid's own handler is in place (SHIM, preloaded): metersim's takes it all the same.
set -eu
BIN=$1; SRC=$2; SHIM=$3
PY=/usr/bin/python3
T=$(mktemp -d /tmp/metersim-signals.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$SRC/tests/sim/testlib.sh"
SCEN=$SRC/tests/sim/data/small.yaml
SETS="--set households=1000 --set duration=2d --set topology.area_households=250"

set +e
# (the shim is not instrumented: AddressSanitizer must not insist on coming first)
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" LD_PRELOAD=$SHIM \
    "$BIN" run "$SCEN" $SETS -o "$T/shim.h5" --quiet 2> "$T/shim.txt"
rc=$?
set -e
err=$(quiet_asan "$T/shim.txt")
[ "$rc" -eq 1 ] && echo "$err" | grep -q 'interrupted by SIGINT during set-up; no trace written$' ||
    fail "a SIGINT in SimGrid's initialisation: exit $rc, '$err'"
[ ! -e "$T/shim.h5" ] && [ ! -e "$T/shim.h5.partial" ] ||
    fail "a SIGINT in SimGrid's initialisation left a file"

now() { date +%s.%N; }
t0=$(now)
"$BIN" run "$SCEN" $SETS -o "$T/whole.h5" --quiet
whole=$(echo "$t0 $(now)" | awk '{printf "%.2f", $2 - $1}')
budget=${METERSIM_SIGNAL_BUDGET_S:-60}
end=$(echo "$(now) $budget" | awk '{printf "%.3f", $1 + $2}')
tried=0; early=0; setup=0; partial=0; done_=0; second=0
while [ "$(echo "$(now) $end" | awk '{print ($1 < $2)}')" -eq 1 ]; do
    tried=$((tried + 1))
    # a moment in the first fifth of a whole run (set-up), anywhere in it, or in its last
    # fifth and just after (the finish), in turn; SIGINT or SIGTERM; every other time a
    # second signal 0..0.3 s later
    set -- $(awk -v s="$tried" -v w="$whole" 'BEGIN { srand(s); k = s % 3;
        at = k == 0 ? rand() * 0.2 : k == 1 ? rand() : 0.8 + rand() * 0.3;
        printf "%.3f %s %d %.3f\n", at * w, rand() < 0.5 ? "INT" : "TERM", rand() < 0.5, rand() * 0.3 }')
    out=$T/r$tried.h5
    "$BIN" run "$SCEN" $SETS -o "$out" --quiet 2> "$T/err$tried.txt" &
    pid=$!
    sleep "$1"
    kill -s "$2" "$pid" 2> /dev/null || true
    if [ "$3" -eq 1 ]; then
        second=$((second + 1))
        sleep "$4"
        kill -s TERM "$pid" 2> /dev/null || true
    fi
    set +e
    wait "$pid"
    rc=$?
    set -e
    err=$(quiet_asan "$T/err$tried.txt")
    if [ "$rc" -eq 130 ] || [ "$rc" -eq 143 ]; then
        # the signal came before main() (the loader still at work): nothing can catch it
        early=$((early + 1))
        [ ! -e "$out" ] && [ ! -e "$out.partial" ] && [ -z "$err" ] ||
            fail "attempt $tried: killed by the signal, yet $(ls "$T") $err"
    elif [ "$rc" -eq 0 ]; then
        done_=$((done_ + 1))
        [ -e "$out" ] && [ ! -e "$out.partial" ] || fail "attempt $tried: exit 0 without $out"
    elif [ "$rc" -eq 1 ] && echo "$err" | grep -q 'during set-up; no trace written$'; then
        setup=$((setup + 1))
        [ ! -e "$out" ] && [ ! -e "$out.partial" ] || fail "attempt $tried: set-up left a file"
    elif [ "$rc" -eq 1 ] && echo "$err" | grep -q "interrupted by SIG[A-Z]*; simulated up to .*; $out.partial is valid with complete = 0"; then
        partial=$((partial + 1))
        [ -e "$out.partial" ] && [ ! -e "$out" ] || fail "attempt $tried: no $out.partial"
    else
        fail "attempt $tried (signal at $1 s): exit $rc, $err"
    fi
    [ "$(printf '%s\n' "$err" | grep -c .)" -le 1 ] || fail "attempt $tried: more than one line: $err"
done
files=$(ls "$T"/r*.h5 "$T"/r*.h5.partial 2> /dev/null || true)
[ -z "$files" ] || "$PY" "$SRC/tests/sim/check_partial.py" $files || fail "an inconsistent trace (above)"
[ "$partial" -ge 1 ] || fail "no attempt stopped a run in progress ($tried attempts)"

# A sweep stopped during its first value.
printf 'extends: %s\nname: sw\nhouseholds: 20000\nduration: "60 d"\nsweep: {key: seed, values: [1, 2]}\n' \
    "$SRC/tests/sim/data/small.yaml" > "$T/sw.yaml"
"$BIN" run "$T/sw.yaml" -o "$T/sw.h5" --quiet 2> "$T/sweep.txt" &
pid=$!
child=$(sweep_child "$pid" "$T/sw-1.h5.partial")
[ -n "$child" ] || fail "the sweep started no child"
kill -s TERM "$pid"
set +e
wait "$pid"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "sweep: exit $rc, $(cat "$T/sweep.txt")"
! kill -0 "$child" 2> /dev/null || fail "sweep: its child $child is still running"
grep -q 'sweep interrupted by SIGTERM; later points not run' "$T/sweep.txt" || fail "sweep: $(cat "$T/sweep.txt")"
[ ! -e "$T/sw-2.h5" ] && [ ! -e "$T/sw-2.h5.partial" ] || fail "sweep: the second value ran"
[ ! -e "$T/sw-1.h5.partial" ] || "$PY" "$SRC/tests/sim/check_partial.py" "$T/sw-1.h5.partial"
echo "ok: $tried attempts ($second with a second signal): $early before main()," \
     "$setup stopped in set-up (no file)," \
     "$partial interrupted (valid .partial), $done_ finished; a sweep stopped with its child"
