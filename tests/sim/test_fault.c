/* Allocation failures inside a run: every growth of the runner's queues, vectors and
 * records is checked, so a failed allocation ends the run with a message that names where
 * and why, exit status 1, and a trace that is valid HDF5 saying it is incomplete - never a
 * crash, never a silently dropped read or alert.
 *
 * The runner is linked in statically with realloc wrapped (-Wl,--wrap=realloc): only the
 * project's own calls go through the wrapper (SimGrid, HDF5 and libc's own stay real), and
 * the Nth of them fails.  A first run counts the calls of a whole run (a few dozen: the
 * containers grow by doubling); then each case fails one of them, from the first (set-up)
 * to the last (late in the run).  SimGrid allows one engine per process: every run is a
 * child process of its own. */
#include "run.h"
#include "scenario.h"

#include <criterion/criterion.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

static long fail_at = -1; /* the call that fails; -1 none */
static long calls;

void *__wrap_realloc(void *p, size_t n)
{
    if (calls++ == fail_at) return NULL;
    return __real_realloc(p, n);
}

/* Runs the default scenario of SRC with the AT-th realloc failing; returns the run's status
 * (-1: the scenario did not load) and its message in ERR.  Runs in a child process: no
 * criterion assertions here. */
static int run_failing(const char *src, long at, const char *out, char *err, size_t errlen)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/scenarios/default.yaml", src);
    const char *sets[] = {"households=300", "duration=2 d", "prices.tariff=agile",
                          "fleet.populations=[{name: smets2}]",
                          "meter.prepayment_share=50 %", "headend.ondemand_reads=2"};
    sim_scenario *sc = NULL;
    if (sim_scenario_load(path, sets, 6, &sc, err, errlen) != 0) return -1;
    sim_run_opts opts = {.out_path = out, .quiet = true};
    sim_run_summary sum;
    calls = 0;
    fail_at = at;
    int rc = sim_engine_run(sc, &opts, &sum, err, errlen);
    fail_at = -1;
    sim_scenario_destroy(sc);
    return rc;
}

/* The trace at OUT (or its .partial) opens, and says complete = 0. */
static void expect_incomplete_trace(const char *out)
{
    char partial[1100];
    snprintf(partial, sizeof partial, "%s.partial", out);
    cr_expect(access(out, F_OK) != 0, "%s: a failed run must not leave a complete trace", out);
    if (access(partial, F_OK) != 0) return; /* failed before the trace was created */
    hid_t f = H5Fopen(partial, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "%s does not open", partial);
    hid_t meta = H5Gopen2(f, "/meta", H5P_DEFAULT);
    cr_assert_geq(meta, 0);
    hid_t a = H5Aopen(meta, "complete", H5P_DEFAULT);
    cr_assert_geq(a, 0);
    uint64_t complete = 1;
    H5Aread(a, H5T_NATIVE_UINT64, &complete);
    cr_expect_eq(complete, 0u);
    H5Aclose(a);
    H5Gclose(meta);
    H5Fclose(f);
}

typedef struct outcome {
    int rc;
    long calls;
    char err[1024];
} outcome;

/* One run in a child process, failing the AT-th call (-1: none), writing to OUT. */
static outcome child_run(const char *src, long at, const char *out)
{
    int fd[2];
    cr_assert_eq(pipe(fd), 0);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        outcome o = {0};
        close(fd[0]);
        o.rc = run_failing(src, at, out, o.err, sizeof o.err);
        o.calls = calls;
        ssize_t w = write(fd[1], &o, sizeof o);
        _exit(w == (ssize_t)sizeof o ? 0 : 3);
    }
    close(fd[1]);
    outcome o = {.rc = -100};
    ssize_t n = read(fd[0], &o, sizeof o);
    close(fd[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0 && n == (ssize_t)sizeof o,
              "the run failing allocation %ld crashed (status %d)", at, st);
    return o;
}

Test(fault, every_failed_allocation_ends_the_run_with_a_message_and_an_incomplete_trace,
     .timeout = 600)
{
    const char *src = getenv("METERSIM_SOURCE_DIR");
    cr_assert_not_null(src, "METERSIM_SOURCE_DIR not set (run through ctest)");
    char dir[] = "/tmp/metersim-fault-XXXXXX", out[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(out, sizeof out, "%s/t.h5", dir);
    outcome full = child_run(src, -1, out);
    cr_assert_eq(full.rc, 0, "the run without faults failed: %s", full.err);
    cr_assert_gt(full.calls, 10, "only %ld allocations counted", full.calls);
    unlink(out);
    for (int k = 0; k <= 8; k++) {
        long at = (full.calls - 1) * k / 8;
        outcome o = child_run(src, at, out);
        cr_expect_eq(o.rc, 1, "allocation %ld of %ld failed but the run reported success", at,
                     full.calls);
        cr_expect(strstr(o.err, "out of memory") != NULL, "allocation %ld: %s", at, o.err);
        expect_incomplete_trace(out);
        unlink(out);
        char partial[80];
        snprintf(partial, sizeof partial, "%s.partial", out);
        unlink(partial);
    }
    rmdir(dir);
}
