# Sourced by the shell tests of failure behaviour (test_disk_full.sh, test_signals.sh).

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# FILE (a run's stderr) without the sanitizer's notes on SimGrid's actor stacks, which the
# ASan+UBSan build prints on every run.
quiet_asan() {
    grep -v -e '^==[0-9]*==WARNING: ASan is ignoring requested __asan_handle_no_return' \
        -e '^False positive error reports may follow$' \
        -e '^For details see https://github.com/google/sanitizers/issues/189$' "$1" || true
}
