# Sourced by the shell tests of failure behaviour (test_disk_full.sh, test_signals.sh,
# test_resume.sh, test_mpi_ranks.sh).

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

# Wait until FILE ($1) exists or process PID ($2) has ended, at most SECONDS ($3); look with
# [ -e FILE ] afterwards for which it was.
wait_for_file() {
    for _ in $(seq $(($3 * 20))); do
        [ -e "$1" ] && return 0
        kill -0 "$2" 2> /dev/null || return 0
        sleep 0.05
    done
}
