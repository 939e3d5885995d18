# shellcheck shell=sh
# Rounds of a benchmark's sizes, sourced by bench/run and bench/storm: a size's runs are
# the summaries PREFIX-1.txt .. PREFIX-REPEATS.txt (metersim's, with its "wall time" line).

# REPEATS as given, or exit 2.
bench_repeats() {
    case $1 in
    '' | *[!0-9]* | 0) echo "bench: REPEATS must be a whole number from 1" >&2; exit 2 ;;
    esac
}

# FUNCTION SIZE ROUND for each size of SIZES in turn, round after round: bench_rounds REPEATS
# SIZES FUNCTION.
bench_rounds() {
    _round=1
    while [ "$_round" -le "$1" ]; do
        for _n in $2; do "$3" "$_n" "$_round"; done
        _round=$((_round + 1))
    done
}

# The round of PREFIX's median wall time (the lower middle one of an even count).
bench_median_round() {
    for r in $(seq "$2"); do
        printf "%s %s\n" "$(awk '/wall time/ {print $3}' "$1-$r.txt")" "$r"
    done | sort -n | awk '{k[NR] = $2} END {print k[int((NR + 1) / 2)]}'
}

# PREFIX's wall times, round by round, separated by commas.
bench_walls() {
    for r in $(seq "$2"); do awk '/wall time/ {print $3}' "$1-$r.txt"; done | paste -sd, -
}
