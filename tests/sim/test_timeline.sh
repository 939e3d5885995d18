#!/bin/sh
# metersim timeline: a household's events in time order from a storm run, as text and JSON,
# and the inputs it must refuse with exit status 2 and a one-line message.
set -eu
BIN=$1; SRC=$2
PY=/usr/bin/python3
T=$(mktemp -d /tmp/metersim-timeline.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
tl_expect() {
    want=$1; shift
    set +e
    "$BIN" timeline "$@" > "$T/out.txt" 2> "$T/err.txt"; rc=$?
    set -e
    [ "$rc" -eq "$want" ] || fail "timeline $*: exit $rc, wanted $want: $(cat "$T/out.txt" "$T/err.txt")"
}
has() { grep -q -- "$1" "$T/out.txt" || fail "no \"$1\" in: $(cat "$T/out.txt")"; }
err_one_line() {
    grep -q -- "$1" "$T/err.txt" || fail "no \"$1\" in stderr: $(cat "$T/err.txt")"
    [ "$(wc -l < "$T/err.txt")" -eq 1 ] || fail "not one line: $(cat "$T/err.txt")"
    [ ! -s "$T/out.txt" ] || fail "output on an error: $(cat "$T/out.txt")"
}

DEF="$SRC/scenarios/default.yaml"
"$BIN" run "$DEF" --set households=200 --set duration=1d --set 'fleet.populations=[{name: smets2}]' --set storm.enabled=true \
    --set storm.start=2h -o "$T/storm.h5" --quiet
# A household the storm cut off: the first with SUPPLY_LOST in /events.
HH=$("$PY" -c "import h5py, sys
e = h5py.File(sys.argv[1])['/events'][:]
print(e[e['code'] == 0x10006]['household'][0])" "$T/storm.h5")

tl_expect 0 "$T/storm.h5" "$HH"
has "^trace: .*storm.h5 (metersim .*, seed 1, start 2026-01-14T00:00:00Z)$"
has "^household $HH: id=$HH area=[0-9]* .* wan_tech=[0-9]*"
has "^2026-01-14T[0-9:.]*Z  *[0-9.]*  *$HH  SUPPLY_LOST  *sim  *0x10006  *3 (cause storm)$"
has "^2026-01-14T[0-9:.]*Z  *[0-9.]*  *$HH  SUPPLY_RESTORED[_LONG]*  *GBCS  *0x8F3[56]  *[0-9]* (outage of [0-9]* s)$"
has "^household $HH: [1-9][0-9]* events$"
# In time order: lost, then the hub's AD1, then restored, then the restore alert delivered.
order=$(awk -v hh="$HH" '$3 == hh { print $4 }' "$T/out.txt" |
        grep -E '^(SUPPLY_LOST|SUPPLY_RESTORED|SUPPLY_RESTORED_LONG|WAN_ALERT_DELIVERED)$' | uniq | tr '\n' ' ')
case "$order" in
    "SUPPLY_LOST WAN_ALERT_DELIVERED SUPPLY_RESTORED"*" WAN_ALERT_DELIVERED "*) ;;
    *) fail "supply events out of order: $order" ;;
esac
awk -v hh="$HH" '$3 == hh { print $2 }' "$T/out.txt" | sort -c -g || fail "t_s not increasing"
# Lines agree with /events: as many as the trace has for the household.
n=$("$PY" -c "import h5py, sys
e = h5py.File(sys.argv[1])['/events'][:]
print((e['household'] == int(sys.argv[2])).sum())" "$T/storm.h5" "$HH")
[ "$(awk -v hh="$HH" '$3 == hh' "$T/out.txt" | wc -l)" -eq "$n" ] || fail "not $n event lines"

# Two households interleaved in one time-ordered stream, as JSON.
OTHER=$((HH + 1))
tl_expect 0 "$T/storm.h5" "$HH" "$OTHER" --json
"$PY" -c '
import json, sys
d = json.load(sys.stdin)
hh, other = int(sys.argv[1]), int(sys.argv[2])
assert [h["household"] for h in d["households"]] == [hh, other], d["households"]
assert d["households"][0]["attributes"]["id"] == hh
ev = d["events"]
assert {e["household"] for e in ev} == {hh, other}, ev
assert [e["t_s"] for e in ev] == sorted(e["t_s"] for e in ev)
lost = [e for e in ev if e["household"] == hh and e["name"] == "SUPPLY_LOST"]
assert lost and lost[0]["code"] == "0x10006" and lost[0]["meaning"] == "cause storm", lost
assert lost[0]["utc"].startswith("2026-01-14T") and lost[0]["origin"] == "simulator"
' "$HH" "$OTHER" < "$T/out.txt" || fail "JSON: $(head -c 2000 "$T/out.txt")"

# Refused: out of range, not a trace, not HDF5, no /events, no household given.
tl_expect 2 "$T/storm.h5" 200
err_one_line 'storm.h5: household 200 is out of range (the trace has households 0..199)$'
printf 'not hdf5\n' > "$T/text.h5"
tl_expect 2 "$T/text.h5" 1
err_one_line 'text.h5: not an HDF5 file$'
"$PY" -c "import h5py, sys; h5py.File(sys.argv[1], 'w').create_dataset('x', data=[1])" "$T/other.h5"
tl_expect 2 "$T/other.h5" 1
err_one_line 'other.h5: not a metersim trace'
"$BIN" run "$DEF" --set households=20 --set duration=1d --set trace.events=false \
    -o "$T/noev.h5" --quiet
tl_expect 2 "$T/noev.h5" 1
err_one_line 'noev.h5: no /events: the run was made with trace.events=false$'
tl_expect 2 "$T/storm.h5"
grep -q 'missing HOUSEHOLD' "$T/err.txt" || fail "no household: $(cat "$T/err.txt")"
tl_expect 2 "$T/storm.h5" twelve
grep -q '"twelve" is not a household id' "$T/err.txt" || fail "bad id: $(cat "$T/err.txt")"
tl_expect 0 --help
has '^usage: metersim timeline'

# The meter's own event log (trace.firmware_log), after the simulator's records: the outage
# as the firmware logged it (interrupted, then restored with its duration).
"$BIN" run "$DEF" --set households=200 --set duration=1d --set 'fleet.populations=[{name: smets2}]' \
    --set storm.enabled=true --set storm.start=2h --set "trace.firmware_log=$HH" -o "$T/fwlog.h5" --quiet
tl_expect 0 "$T/fwlog.h5" "$HH"
has "^firmware log (each meter's own, as kept at the end of the run):$"
has "^2026-01-14T[0-9:.]*Z  *[0-9.]*  *$HH  SUPPLY_INTERRUPTED  *meter  *0x8F57 "
has "^2026-01-14T[0-9:.]*Z  *[0-9.]*  *$HH  SUPPLY_RESTORED[_LONG]*  *meter  *0x8F3[56] "
tl_expect 0 "$T/fwlog.h5" "$HH" --json
"$PY" -c 'import json,sys; d=json.load(sys.stdin); assert len(d["firmware_log"]) >= 2, d' < "$T/out.txt" ||
    fail "firmware_log in --json"
set +e
"$BIN" run "$DEF" --set households=20 --set duration=1d --set "trace.firmware_log=20" -o "$T/x.h5" \
    --quiet 2> "$T/err.txt"
rc=$?
set -e
[ "$rc" -eq 2 ] && grep -q 'trace.firmware_log: household 20 is out of range (the run has 20)' "$T/err.txt" ||
    fail "firmware_log out of range: exit $rc, $(cat "$T/err.txt")"
echo "ok"
