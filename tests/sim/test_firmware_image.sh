#!/bin/sh
# Firmware images (meter.firmware): the built-in build and its image give bit-identical
# traces; the SMETS1 image meters the same energy but only logs restore alerts; files that are
# not images are refused with the reason.  Args: metersim, source dir, build dir, the four
# bad images (no table; a future ABI; the ABI before the simulator's; an NVM footprint that is
# not two persistence banks).
set -eu
BIN=$1; SRC=$2; BUILD=$3; NOTAB=$4; FUTURE=$5; PREVIOUS=$6; ODDNVM=$7
PY=/usr/bin/python3
T=$(mktemp -d /tmp/metersim-fwimage.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Every dataset byte for byte but the image table, and which differ.
cat > "$T/cmp.py" <<'PYEOF'
import sys, h5py
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
for n in sorted(names):
    if n == "fleet/images":  # names the image and its digests: differs by design
        continue
    if n not in b or a[n][()].tobytes() != b[n][()].tobytes() or a[n].shape != b[n].shape:
        print(n)
PYEOF

"$BIN" run "$SRC/tests/sim/data/small.yaml" -o "$T/builtin.h5" --quiet
"$BIN" run "$SRC/tests/sim/data/small.yaml" -o "$T/image.h5" --quiet \
    --set meter.firmware="$BUILD/firmware/mm_smets2.so"
d=$("$PY" "$T/cmp.py" "$T/builtin.h5" "$T/image.h5")
[ -z "$d" ] || fail "the SMETS2 image diverges from the built-in build in: $d"

# SMETS1 profile on an outage scenario: the meters' data are the same, the restore
# messages (and what the head-end saw) are not.
"$BIN" run "$SRC/tests/sim/data/storm.yaml" -o "$T/s2.h5" --quiet
"$BIN" run "$SRC/tests/sim/data/storm.yaml" -o "$T/s1.h5" --quiet \
    --set meter.firmware="$BUILD/firmware/mm_smets1.so"
d=$("$PY" "$T/cmp.py" "$T/s2.h5" "$T/s1.h5")
echo "$d" | grep -q '^events$' || fail "SMETS1 image: events identical"
echo "$d" | grep -q '^meter/' && fail "SMETS1 image: meter data differ: $d"
"$PY" - "$T/s2.h5" "$T/s1.h5" <<'PYEOF' || fail "SMETS1 build id or restore alerts"
import sys, h5py
def restores(path):
    f = h5py.File(path, "r")
    return f["/meta"].attrs["firmware_build"], int((f["/events"]["code"] == 0x10003).sum())
(b2, r2), (b1, r1) = restores(sys.argv[1]), restores(sys.argv[2])
print("smets2", b2, r2, "smets1", b1, r1)
assert b2.endswith("/smets2") and b1.endswith("/smets1")
assert r1 < r2
PYEOF

# Not images: each refused with exit 2, the key and the file named, no trace left.  Damaged
# files are refused before dlopen (sim_elf_check): a truncated image would crash it (SIGBUS).
printf 'not a shared object\n' > "$T/text.so"
head -c 3000 "$BUILD/firmware/mm_smets2.so" > "$T/trunc3000.so"
head -c 40000 "$BUILD/firmware/mm_smets2.so" > "$T/trunc40000.so"
head -c 65536 /dev/zero > "$T/zeros.so"
for f in "$T/missing.so" "$T/text.so" "$T/trunc3000.so" "$T/trunc40000.so" "$T/zeros.so" \
         "$NOTAB" "$PREVIOUS" "$ODDNVM" "$FUTURE"; do
    set +e
    "$BIN" run "$SRC/tests/sim/data/small.yaml" -o "$T/bad.h5" --quiet \
        --set meter.firmware="$f" 2> "$T/err.txt"
    rc=$?
    set -e
    [ "$rc" -eq 2 ] || fail "$f: exit $rc"
    grep -q 'firmware' "$T/err.txt" || fail "$f: message $(cat "$T/err.txt")"
    [ ! -e "$T/bad.h5" ] || fail "$f: a trace was left"
    # an image of the ABI before this one is refused by its version, named in the message
    if [ "$f" = "$PREVIOUS" ]; then
        v=$(sed -n 's/.* has ABI \([0-9]*\) .*expects \([0-9]*\) .*/\1 \2/p' "$T/err.txt")
        [ -n "$v" ] && [ $((${v% *} + 1)) -eq "${v#* }" ] \
            || fail "previous ABI message: $(cat "$T/err.txt")"
    fi
    case $f in
    */trunc*) want="$f: truncated or damaged: PT_LOAD" ;;
    */zeros.so|*/text.so) want="$f: not an ELF file" ;;
    */missing.so) want="$f: No such file or directory" ;;
    "$ODDNVM") want="implausible NVM footprint of 1001 B" ;;
    *) want="" ;;
    esac
    if [ -n "$want" ]; then
        { [ "$(wc -l < "$T/err.txt")" -eq 1 ] && grep -qF "$want" "$T/err.txt"; } ||
            fail "$f: expected one line with \"$want\", got: $(cat "$T/err.txt")"
    fi
done
grep -q 'ABI 999' "$T/err.txt" || fail "future ABI message: $(cat "$T/err.txt")"
echo "ok"
