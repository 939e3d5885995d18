#!/bin/sh
# The firmware team's canary, end to end: a candidate image (the SMETS2 core built with its
# restore dither in whole 30 s steps, mm_config.h MM_DITHER_STEP_S) runs on a "canary"
# population of 10 % of the meters beside a "baseline" on the built-in build, in a storm; the
# same scenario and seed with the canary on builtin:smets2 is the reference.  `metersim diff`
# must find the runs different, name the canary as where they differ, pair the moved restore
# alerts as shifted, and expect the one scenario key that changed.
#
# Two fleet sizes, one seed:
# - 600 households: the canary is what differs.  Its alerts share two WAN cells with the
#   baseline's, so a baseline alert may reach the head-end a few ms earlier or later; nothing
#   else of the baseline moves.
# - 3000 households: more of that sharing; everything at the baseline meters is still the
#   same, only delivery times move, by well under a second, and only in areas where a canary
#   meter's alert moved.
#
# Args: metersim, source dir, the canary image.  Prints the measured figures.
set -eu
BIN=$1; SRC=$2; CANARY=$3
PY=/usr/bin/python3
T=$(mktemp -d /tmp/metersim-canary.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -f "$CANARY" ] || fail "no canary image $CANARY"

DEF="$SRC/scenarios/default.yaml"
STORM="--set duration=1d --set storm.enabled=true --set storm.start=2h"
# All SMETS2 (the default generation), so every meter sends its restore alerts.
fleet() { printf '[{name: baseline, share: 90 %%}, {name: canary, share: 10 %%, firmware: %s}]' "$1"; }

# run N: base$N.h5 (canary population on the built-in build) and canary$N.h5 (on the image).
run() {
    # shellcheck disable=SC2086
    "$BIN" run "$DEF" --seed 1 --set households="$1" $STORM \
        --set "fleet.populations=$(fleet builtin:smets2)" -o "$T/base$1.h5" --quiet
    # shellcheck disable=SC2086
    "$BIN" run "$DEF" --seed 1 --set households="$1" $STORM \
        --set "fleet.populations=$(fleet "$CANARY")" -o "$T/canary$1.h5" --quiet
}
# diff A B ARGS..., expecting exit status 1 (the runs differ); output in $T/out.txt.
diff_differ() {
    set +e
    "$BIN" diff "$@" > "$T/out.txt" 2> "$T/err.txt"; rc=$?
    set -e
    [ "$rc" -eq 1 ] || fail "diff $*: exit $rc, wanted 1 (the runs differ): $(cat "$T/out.txt" "$T/err.txt")"
}
has() { grep -q -- "$1" "$T/out.txt" || fail "no \"$1\" in: $(cat "$T/out.txt")"; }

# ---- 600 households: the divergence is the canary's alone ----
run 600
diff_differ "$T/base600.h5" "$T/canary600.h5" --all --max 0
has '^scenario: 1 key differs (1 expected: firmware images)$'
grep -qxF "  fleet.populations[1].firmware: \"builtin:smets2\" -> \"$CANARY\" (expected: firmware image)" \
    "$T/out.txt" || fail "the firmware key: $(cat "$T/out.txt")"
if grep -q '^warning' "$T/out.txt"; then fail "a canary image warns: $(cat "$T/out.txt")"; fi
# the group table (--all: every row): baseline 0 diverging, canary some
base_div=$(awk '$1 == "baseline" && NF == 8 {print $3}' "$T/out.txt")
can_div=$(awk '$1 == "canary" && NF == 8 {print $3}' "$T/out.txt")
[ "${base_div:-0}" -le 2 ] || fail "baseline households diverging: '$base_div': $(cat "$T/out.txt")"
[ "${can_div:-0}" -gt 0 ] || fail "no canary household diverging: $(cat "$T/out.txt")"
# the moved restore alerts pair as shifted: nothing only in one run, nothing else differs
has '^events differing: [1-9][0-9]* shifted, 0 changed, 0 only in A, 0 only in B '
has '^  WAN_ALERT_SENT (simulator 0x10003): [1-9][0-9]* shifted (mean '
has '^  half-hourly: 0$'
has '^  registers: 0$'
has '^  bills: 0$'
shifted=$(sed -n 's/^events differing: \([0-9]*\) shifted.*/\1/p' "$T/out.txt")

diff_differ "$T/base600.h5" "$T/canary600.h5" --json --max 0
"$PY" - "$T/out.txt" "$T/canary600.h5" "$CANARY" <<'PYEOF' || fail "JSON report of the 600-household canary"
import json, sys, h5py
d = json.load(open(sys.argv[1]))
f = h5py.File(sys.argv[2], "r")
names = [n.decode() if isinstance(n, bytes) else n for n in f["/fleet/populations"]["name"]]
pop = f["/households"]["population"][:]
assert d["exit_status"] == 1, d["exit_status"]
s = d["scenario"]
assert s["unexpected_keys"] == 0 and s["keys"] == [
    {"key": "fleet.populations[1].firmware", "a": '"builtin:smets2"',
     "b": '"%s"' % sys.argv[3], "expected": True}], s
hh = d["diverging_households"]
assert len(hh) == d["households"]["diverging"] > 0, d["households"]
# a baseline household only through a shared cell: the delivery of an alert, nothing it did
assert all(names[pop[h["household"]]] == "canary" or
           h["first_event"]["name"] == "WAN_ALERT_DELIVERED" and h["events_shifted"] == 1
           for h in hh), [h for h in hh if names[pop[h["household"]]] != "canary"]
assert all(h["events_only_a"] == h["events_only_b"] == h["events_changed"] == 0 for h in hh)
assert all(h["first_event"]["how"] == "shifted" for h in hh)
g = {x["name"]: x for x in d["groups"] if x["kind"] == "population"}
assert g["canary"]["diverging"] + g["baseline"]["diverging"] == len(hh), g
c = {x["name"]: x for x in d["events"]["by_code"]}
sent = c["WAN_ALERT_SENT"]
assert sent["shifted"] > 0 and sent["only_a"] == sent["only_b"] == 0, sent
assert abs(sent["shift_min_s"]) <= 120 and sent["shift_max_s"] <= 120, sent  # in the 2 min window
PYEOF

# The traces themselves: the image table, which image each household ran, and the draw.
"$PY" - "$T/base600.h5" "$T/canary600.h5" "$CANARY" <<'PYEOF' || fail "images and households of the canary trace"
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
s = lambda v: v.decode() if isinstance(v, bytes) else v
im = b["/fleet/images"][:]
assert [s(x) for x in im["name"]] == ["builtin:smets2", sys.argv[3]], im["name"]
assert s(im["sha256"][0]) != s(im["sha256"][1]) and all(len(s(x)) == 64 for x in im["sha256"]), im
assert s(im["version"][1]).endswith("+dither30/smets2"), im["version"]
names = [s(n) for n in b["/fleet/populations"]["name"]]
ha, hb = a["/households"][:], b["/households"][:]
canary = hb["population"] == names.index("canary")
assert int(im["households"][1]) == int(canary.sum()) > 0, (im["households"], canary.sum())
assert int(im["households"][0]) == int((~canary).sum()), im["households"]
# /households: image differs exactly for the canary's households, every other member equal
assert ((ha["image"] != hb["image"]) == canary).all(), "image member"
for m in hb.dtype.names:
    if m != "image":
        assert (ha[m] == hb[m]).all(), m
# the restore dither as drawn: restore alert (0x8F35/0x8F36) to its WAN_ALERT_SENT
def delays(f, rows):
    e = f["/events"][:]
    out = []
    for h in rows:
        ev = e[e["household"] == h]
        rest = ev[(ev["code"] == 0x8F35) | (ev["code"] == 0x8F36)]
        sent = ev[(ev["code"] == 0x10003) & ((ev["value"] == 0x8F35) | (ev["value"] == 0x8F36))]
        for r in rest:
            later = sent["t_s"][sent["t_s"] >= r["t_s"]]
            if len(later):
                out.append(float(later.min() - r["t_s"]))
    return np.array(out)
rows = np.where(canary)[0]
db, da = delays(b, rows), delays(a, rows)
assert len(db) > 0 and (np.mod(db, 30) == 0).all() and db.max() <= 120, sorted(set(db))
assert (np.mod(da, 30) != 0).any(), "the baseline build draws to the second"
print("canary restore delays [s]:", dict(zip(*np.unique(db, return_counts=True))))
PYEOF
echo "600 households: baseline ${base_div:-0} diverging (delivery only), canary $can_div diverging, $shifted events shifted, 0 unmatched"

# ---- 3000 households: the canary reaches the baseline only through the shared WAN ----
run 3000
diff_differ "$T/base3000.h5" "$T/canary3000.h5" --json --max 0
"$PY" - "$T/out.txt" "$T/base3000.h5" "$T/canary3000.h5" <<'PYEOF' || fail "the 3000-household canary"
import json, sys, h5py, numpy as np
d = json.load(open(sys.argv[1]))
a, b = h5py.File(sys.argv[2], "r"), h5py.File(sys.argv[3], "r")
names = [n.decode() if isinstance(n, bytes) else n for n in b["/fleet/populations"]["name"]]
pop = b["/households"]["population"][:]
g = {x["name"]: x for x in d["groups"] if x["kind"] == "population"}
assert g["canary"]["diverging"] > 0, g
c = {x["name"]: x for x in d["events"]["by_code"]}
# a canary alert that moved may meet its link's loss at another time (its own retries move too)
assert set(c) <= {"WAN_ALERT_SENT", "WAN_ALERT_DELIVERED", "WAN_LOST", "WAN_RETRY"}, list(c)
# (a lost and resent canary alert may pair with the other run's first send: one each side)
assert all(x["only_a"] == x["only_b"] <= 1 and x["changed"] == 0 for x in c.values()), c
# What the baseline meters did is the same; only when their alerts arrived may differ.
ea, eb = a["/events"][:], b["/events"][:]
base = names.index("baseline")
def of(e, rows, delivered):
    m = np.isin(e["household"], rows) & ((e["code"] == 0x10004) == delivered)
    return np.sort(e[m], order=["household", "code", "value", "t_s"])
rows = np.where(pop == base)[0]
assert (of(ea, rows, False) == of(eb, rows, False)).all(), "a baseline meter's events changed"
da, db = of(ea, rows, True), of(eb, rows, True)
assert len(da) == len(db) and (da["household"] == db["household"]).all()
moved = np.abs(da["t_s"] - db["t_s"])
assert moved.max() < 1, moved.max()  # the canary's own alerts move by up to 2 min
# and only in areas (uplinks) where a canary household's alert moved
area = b["/households"]["area"][:]
canary_moved = [h["household"] for h in d["diverging_households"] if pop[h["household"]] != base]
assert set(area[da["household"][moved > 0]]) <= set(area[canary_moved]), "a baseline delivery moved elsewhere"
listed = [h["household"] for h in d["diverging_households"] if pop[h["household"]] == base]
assert len(listed) == g["baseline"]["diverging"], (len(listed), g["baseline"])
assert all(h["first_event"]["name"] == "WAN_ALERT_DELIVERED" for h in d["diverging_households"]
           if pop[h["household"]] == base)
print("3000 households: canary %d diverging (%d of %d events shifted), baseline %d diverging "
      "(delivery only, at most %.0f ms); WAN_ALERT_SENT %d shifted, all canary"
      % (g["canary"]["diverging"], g["canary"]["events_shifted"],
         sum(x["shifted"] for x in c.values()), g["baseline"]["diverging"], 1000 * moved.max(),
         c["WAN_ALERT_SENT"]["shifted"]))
PYEOF
echo "ok"
