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

# The child process of sweep PID ($1) once it has created the file PARTIAL ($2), waiting up
# to TENTHS ($3, default 100) tenths of a second; empty when there is none by then.
sweep_child() {
    for _ in $(seq "${3:-100}"); do
        c=$(ps -o pid= --ppid "$1" | tr -d ' ' | head -n 1)
        [ -n "$c" ] && [ -e "$2" ] && break
        sleep 0.1
    done
    echo "$c"
}
