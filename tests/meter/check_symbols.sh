#!/bin/sh
# Portability checks of the meter firmware core (freestanding: memcpy/memset and its HAL only), run by ctest.
#
#   check_symbols.sh arm    METER_DIR        cross-compile every src/*.c for Cortex-M4
#   check_symbols.sh host   METER_DIR LIB.a  inspect the host build of mm_core
#   check_symbols.sh config METER_DIR CC     MM_CONFIG_FILE override: good one builds, bad
#                                            one stops at its #error
#
# A core object may leave undefined only memcpy, memset and the HAL functions declared in
# METER_DIR/hal/*.h (the port provides those).  Anything else, e.g. __aeabi_uldivmod from a
# 64-bit division, malloc, printf or a soft-float helper, fails the check.  Exit 77 (ctest
# SKIP_RETURN_CODE) only when the cross compiler is missing.
set -eu

mode=${1:?mode}
meter=${2:?meter dir}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

allowed="memcpy memset $(grep -ho 'mm_hal_[a-z0-9_]*(' "$meter"/hal/*.h | tr -d '(' | sort -u | tr '\n' ' ')"

# check NM FILES...: print undefined symbols, fail on any not allowed (EXTRA_ALLOWED_RE too).
check() {
    nm=$1; shift
    "$nm" -P -g --defined-only "$@" 2>/dev/null | awk 'NF >= 2 && $2 != "U" {print $1}' | sort -u > "$tmp/def"
    "$nm" -P -u "$@" | awk 'NF >= 2 && $2 == "U" {print $1}' | sort -u > "$tmp/undef"
    comm -23 "$tmp/undef" "$tmp/def" > "$tmp/ext"
    echo "external references: $(tr '\n' ' ' < "$tmp/ext")"
    bad=0
    while read -r sym; do
        case " $allowed " in *" $sym "*) continue ;; esac
        if [ -n "${EXTRA_ALLOWED_RE:-}" ] && printf '%s\n' "$sym" | grep -Eq "$EXTRA_ALLOWED_RE"; then
            continue
        fi
        echo "FAIL: undefined symbol '$sym' is outside the allowed set {$allowed}" >&2
        bad=1
    done < "$tmp/ext"
    return $bad
}

case $mode in
arm)
    if ! command -v arm-none-eabi-gcc >/dev/null 2>&1; then
        echo "SKIP: arm-none-eabi-gcc not found (Debian: apt-get install gcc-arm-none-eabi)"
        exit 77
    fi
    flags="-std=c11 -mcpu=cortex-m4 -mthumb -ffreestanding -nostdlib -Os -Wall -Wextra -Werror
           -Wconversion -Wpedantic -Wundef -Wshadow -Wstrict-prototypes -Wmissing-prototypes"
    for src in "$meter"/src/*.c; do
        # shellcheck disable=SC2086
        arm-none-eabi-gcc $flags -I"$meter/include" -I"$meter/hal" -c "$src" \
            -o "$tmp/$(basename "$src" .c).o"
    done
    check arm-none-eabi-nm "$tmp"/*.o
    arm-none-eabi-size -t "$tmp"/*.o | tail -n 1 | awk '{print "Cortex-M4 code " $1 " B, data " $2 " B, bss " $3 " B"}'
    # sizeof on the target, read back from the symbol sizes of two probe objects.
    printf '#include "mm/meter.h"\nconst mm_meter mm_probe_meter;\nconst mm_profile_slot mm_probe_profile_slot;\n' \
        > "$tmp/probe.c"
    # shellcheck disable=SC2086
    arm-none-eabi-gcc $flags -I"$meter/include" -c "$tmp/probe.c" -o "$tmp/probe.o"
    arm-none-eabi-nm -P -S "$tmp/probe.o" | while read -r sym _ _ size; do
        case $sym in mm_probe_*) printf 'Cortex-M4 sizeof(mm_%s) = %d B\n' "${sym#mm_probe_}" "0x$size" ;; esac
    done
    echo "OK: Cortex-M4 objects reference nothing outside the allowed set"
    ;;
host)
    lib=${3:?mm_core archive}
    # What the host toolchain adds by itself under the project's own options.
    EXTRA_ALLOWED_RE='^(__(asan|ubsan|sanitizer|tsan|gcov|llvm)_.*|__stack_chk_(fail|guard)|_GLOBAL_OFFSET_TABLE_)$'
    export EXTRA_ALLOWED_RE
    check nm "$lib"
    echo "OK: host mm_core references nothing outside the allowed set"
    ;;
config)
    cc=${3:?compiler}
    printf '#define MM_PROFILE_DEPTH_DEFAULT (35u * 48u)\n#define MM_REGISTER_DIGITS_MAX 9\n' > "$tmp/good.h"
    printf '#define MM_REGISTER_DIGITS_MAX 19\n' > "$tmp/bad.h"
    for src in "$meter"/src/*.c; do
        "$cc" -std=c11 -Wall -Wextra -Werror -I"$meter/include" -I"$meter/hal" -I"$tmp" \
            -DMM_CONFIG_FILE='"good.h"' -c "$src" -o "$tmp/good.o"
    done
    echo "OK: an override via MM_CONFIG_FILE builds"
    if "$cc" -std=c11 -I"$meter/include" -I"$meter/hal" -I"$tmp" -DMM_CONFIG_FILE='"bad.h"' \
        -c "$meter/src/meter.c" -o "$tmp/bad.o" 2> "$tmp/err"; then
        echo "FAIL: MM_REGISTER_DIGITS_MAX 19 was accepted" >&2
        exit 1
    fi
    grep -q 'MM_REGISTER_DIGITS_MAX > 18' "$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    echo "OK: an incompatible override stops at its #error"
    ;;
*)
    echo "usage: $0 arm|host|config METER_DIR [LIB|CC]" >&2
    exit 2
    ;;
esac
