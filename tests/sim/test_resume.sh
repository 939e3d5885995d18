#!/bin/sh
# Checkpoint and resume (--checkpoint-every, --resume; sim/checkpoint.c).  For each of several
# scenarios reaching different parts of the run (the load model and meters; real-time prices
# sent to every meter each window; storms; a mixed fleet with SMETS1 and suppliers; a firmware
# campaign; command runs and the anomaly detection):
#   1. the run whole, with checkpoints: it completes and leaves no OUT.ckpt;
#   2. the same run whole without checkpoints: the same datasets (checkpoints change nothing);
#   3. the run killed with SIGKILL a moment after its first checkpoint (it has run on past it,
#      so OUT.partial holds more than the checkpoint), then `--resume OUT.partial`: it
#      completes, and every dataset equals the whole run's, bit for bit (same_datasets.py).
# Then a run stopped by SIGINT (the checkpoint is taken at the boundary where it stops) and
# resumed, resumed twice in a row (killed again after the resumed run's own checkpoint), and
# refusals: no checkpoint, a damaged or truncated state, extra arguments, an existing
# checkpoint without --force.
set -eu
BIN=$1; SRC=$2; CANARY=$3
PY=/usr/bin/python3
T=$(mktemp -d /tmp/metersim-resume.XXXXXX)
trap 'rm -rf "$T"' EXIT
. "$SRC/tests/sim/testlib.sh"
SAME="$PY $SRC/tests/sim/same_datasets.py"

# Start a run (args "$@") in the background; once OUT.ckpt/state exists ($1 = OUT), wait until
# the run has written more of its trace, for at most $2 seconds, and kill it with SIGKILL.
# Fails when the run ended before that.
kill_after_checkpoint() {
    out=$1; pause=$2; shift 2
    "$BIN" run "$@" -o "$out" --quiet --checkpoint-every "1 d" 2> "$out.err" &
    pid=$!
    # up to 200 s: under ASan, with another test beside it, the campaign's first day took more
    # than 30; the wait ends as soon as the checkpoint is there or the run has ended
    wait_for_file "$out.ckpt/state" "$pid" 200
    [ -e "$out.ckpt/state" ] || fail "$out: no checkpoint appeared"
    # on past the checkpoint: the trace grows; a fixed pause let a fast build's run end first
    size0=$(stat -c %s "$out.partial" 2> /dev/null || echo 0)
    waited=0
    while [ "$(stat -c %s "$out.partial" 2> /dev/null || echo 0)" -le "$size0" ] &&
        awk -v w="$waited" -v p="$pause" 'BEGIN { exit !(w < p) }'; do
        sleep 0.01
        waited=$(awk -v w="$waited" 'BEGIN { print w + 0.01 }')
    done
    kill -9 "$pid" 2> /dev/null || fail "$out: the run had ended before the kill (make it longer)"
    wait "$pid" 2> /dev/null || true
    [ ! -e "$out" ] || fail "$out: complete although killed"
    [ -e "$out.partial" ] || fail "$out: no .partial after the kill"
}

resume_ok() {
    out=$1
    "$BIN" run --resume "$out.partial" --quiet 2> "$out.rerr" ||
        { quiet_asan "$out.rerr" >&2; fail "$out: the resumed run failed"; }
    [ -e "$out" ] || fail "$out: no trace after resuming"
    [ ! -e "$out.ckpt" ] || fail "$out: the checkpoint is still there after the run completed"
    [ ! -e "$out.partial" ] || fail "$out: .partial left beside the complete trace"
}

# the attack scenario without its sweep (anomaly detection on, the first point)
sed '/^sweep:/,$d' "$SRC/scenarios/attack-mass-disconnect.yaml" > "$T/attack.yaml"
# name | scenario | --set overrides (no spaces inside a value)
RUNS="
crest|$SRC/scenarios/default.yaml|households=300 duration=5d
rtp|$SRC/scenarios/default.yaml|households=300 duration=4d topology.regions=2 prices.tariff=rtp
storm|$SRC/scenarios/storm.yaml|households=600 duration=4d
fleet|$SRC/scenarios/fleet-mix.yaml|households=600 duration=5d
attack|$T/attack.yaml|households=600 duration=4d
"
cd "$SRC" # fleet-mix.yaml names its images relative to the source tree
echo "$RUNS" | while IFS='|' read -r name scen sets; do
    [ -n "$name" ] || continue
    args=""
    for s in $sets; do args="$args --set $s"; done
    # shellcheck disable=SC2086
    "$BIN" run "$scen" $args -o "$T/$name-whole.h5" --quiet --checkpoint-every "1 d" ||
        fail "$name: the whole run failed"
    [ ! -e "$T/$name-whole.h5.ckpt" ] || fail "$name: checkpoint left after a complete run"
    # shellcheck disable=SC2086
    "$BIN" run "$scen" $args -o "$T/$name-plain.h5" --quiet || fail "$name: the plain run failed"
    $SAME "$T/$name-whole.h5" "$T/$name-plain.h5" || fail "$name: checkpoints changed the trace"
    # shellcheck disable=SC2086
    kill_after_checkpoint "$T/$name-killed.h5" 0.2 "$scen" $args
    resume_ok "$T/$name-killed.h5"
    $SAME "$T/$name-whole.h5" "$T/$name-killed.h5" || fail "$name: the resumed trace differs"
    echo "resume: $name: killed after a checkpoint, resumed, identical"
done

# a firmware campaign (its per-meter progress, images switched by activation)
SMALL=$SRC/tests/sim/data/small.yaml
CAMP="--set households=600 --set topology.regions=1 --set topology.area_households=300
 --set duration=5d --set fleet.national_households=600 --set meter.prepayment_share=30%"
CAMPAIGN="firmware_campaigns=[{name: v2, population: smets2, firmware: $CANARY, version: 131072, start: 2026-01-12, per_day: 300, corrupt: 5 %}]"
# shellcheck disable=SC2086
"$BIN" run "$SMALL" $CAMP --set "$CAMPAIGN" -o "$T/camp-whole.h5" --quiet || fail "campaign: whole"
# shellcheck disable=SC2086
kill_after_checkpoint "$T/camp-killed.h5" 0.1 "$SMALL" $CAMP --set "$CAMPAIGN"
resume_ok "$T/camp-killed.h5"
$SAME "$T/camp-whole.h5" "$T/camp-killed.h5" || fail "campaign: the resumed trace differs"
echo "resume: campaign: killed after a checkpoint, resumed, identical"

# killed twice: the resumed run writes its own checkpoints, and is killed after one
DEF="$SRC/scenarios/default.yaml --set households=300 --set duration=6d"
# shellcheck disable=SC2086
"$BIN" run $DEF -o "$T/twice-whole.h5" --quiet
# shellcheck disable=SC2086
kill_after_checkpoint "$T/twice.h5" 0 $DEF
first=$(stat -c %Y.%s "$T/twice.h5.ckpt/state")
"$BIN" run --resume "$T/twice.h5.partial" --quiet 2> /dev/null &
pid=$!
for _ in $(seq 4000); do
    [ "$(stat -c %Y.%s "$T/twice.h5.ckpt/state" 2> /dev/null || echo "$first")" != "$first" ] && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.05
done
kill -9 "$pid" 2> /dev/null || fail "twice: the resumed run ended before its own checkpoint"
wait "$pid" 2> /dev/null || true
resume_ok "$T/twice.h5"
$SAME "$T/twice-whole.h5" "$T/twice.h5" || fail "twice: the trace resumed twice differs"
echo "resume: killed, resumed, killed again, resumed: identical"

# SIGINT: the run stops at a window boundary, where it takes a checkpoint, and says how to go on.
# The signal goes once the run has written its first checkpoint (day 3), so it finds the run
# under way whatever the machine's speed; 30 days leave it 27 more to arrive in.
LONG="$SRC/scenarios/default.yaml --set households=300 --set duration=30d"
# shellcheck disable=SC2086
"$BIN" run $LONG -o "$T/int-whole.h5" --quiet
# shellcheck disable=SC2086
"$BIN" run $LONG -o "$T/int.h5" --checkpoint-every "3 d" 2> "$T/int.err" > /dev/null &
pid=$!
for _ in $(seq 6000); do
    [ -e "$T/int.h5.ckpt/state" ] && break
    kill -0 "$pid" 2> /dev/null || break
    sleep 0.01
done
kill -INT "$pid" 2> /dev/null || fail "SIGINT: the run ended before its first checkpoint"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 1 ] || fail "SIGINT: exit status $rc, expected 1"
grep -q -- "--resume $T/int.h5.partial" "$T/int.err" || { cat "$T/int.err" >&2; fail "SIGINT: no hint how to resume"; }
resume_ok "$T/int.h5"
$SAME "$T/int-whole.h5" "$T/int.h5" || fail "SIGINT: the resumed trace differs"
echo "resume: stopped by SIGINT, resumed: identical"

# refusals, exit 2 with a message, nothing written
rc=0; "$BIN" run --resume "$T/none.h5.partial" 2> "$T/e1" || rc=$?
[ "$rc" -eq 2 ] && grep -q "no checkpoint" "$T/e1" || fail "no checkpoint: status $rc"
rc=0; "$BIN" run --resume "$T/x.partial" "$SMALL" 2> "$T/e2" || rc=$?
[ "$rc" -eq 2 ] || fail "--resume with a scenario: status $rc"
# shellcheck disable=SC2086
kill_after_checkpoint "$T/bad.h5" 0 $DEF
cp -r "$T/bad.h5.ckpt" "$T/keep.ckpt"
size=$(stat -c %s "$T/bad.h5.ckpt/state")
# a flipped byte in the middle: the CRC finds it
printf 'Z' | dd of="$T/bad.h5.ckpt/state" bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null
rc=0; "$BIN" run --resume "$T/bad.h5.partial" 2> "$T/e3" || rc=$?
[ "$rc" -eq 2 ] || { cat "$T/e3" >&2; fail "damaged state: status $rc, expected 2"; }
grep -q "bad.h5.ckpt/state" "$T/e3" || { cat "$T/e3" >&2; fail "damaged state: the message names no file"; }
# cut short
rm -rf "$T/bad.h5.ckpt" && cp -r "$T/keep.ckpt" "$T/bad.h5.ckpt"
truncate -s $((size / 3)) "$T/bad.h5.ckpt/state"
rc=0; "$BIN" run --resume "$T/bad.h5.partial" 2> "$T/e4" || rc=$?
[ "$rc" -eq 2 ] && grep -q "ends early\|damaged\|expected section" "$T/e4" ||
    { cat "$T/e4" >&2; fail "truncated state: status $rc"; }
[ ! -e "$T/bad.h5" ] || fail "a refused resume wrote a trace"
# a new run over an interrupted run's checkpoint needs --force
rm -rf "$T/bad.h5.ckpt" && cp -r "$T/keep.ckpt" "$T/bad.h5.ckpt"
rc=0
# shellcheck disable=SC2086
"$BIN" run $DEF -o "$T/bad.h5" --checkpoint-every "1 d" --quiet 2> "$T/e5" || rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--resume" "$T/e5" || fail "existing checkpoint: status $rc"
# the intact one still resumes
resume_ok "$T/bad.h5"
$SAME "$T/twice-whole.h5" "$T/bad.h5" || fail "the intact checkpoint's resumed trace differs"
echo "resume: refusals (no checkpoint, extra arguments, flipped byte, truncated, existing) ok"
