/* Fuzz target: the trace reader behind `metersim info`, `metersim diff` and `metersim
 * timeline` (sim/info.h, sim/diff.h, sim/timeline.h) on any bytes as a trace file.
 *
 * The input is written to trace.h5 in a directory of this process's own and read as
 * `info` does, diffed with itself and against a real trace (METERSIM_FUZZ_REF_TRACE, the seed
 * corpus's small run) with options taken from its last byte, and its first households'
 * timeline printed; output goes to /dev/null.  Errors are the expected outcome; a crash, a
 * sanitizer report, a leak or a hang is a bug.  Diffing a readable trace with itself must
 * find no difference.
 */
#include "diff.h"
#include "fuzz_files.h"
#include "info.h"
#include "timeline.h"

#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[512], path[600];
static FILE *devnull;

static void remove_dir(void)
{
    unlink(path);
    rmdir(dir);
}

static void setup(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    fuzz_make_dir(dir, sizeof dir, "fuzz_trace");
    snprintf(path, sizeof path, "%s/trace.h5", dir);
    devnull = fopen("/dev/null", "w");
    if (!devnull) abort();
    atexit(remove_dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) setup();
    fuzz_write_file(path, data, size);
    char err[1024];
    int info = sim_info(path, devnull, err, sizeof err);

    unsigned o = size ? data[size - 1] : 0;
    sim_diff_opts opts = {.max_lines = o & 3, .quiet = !!(o & 4), .all = !!(o & 8),
                          .json = !!(o & 16), .window_s = (o & 32) ? 1.0 : SIM_DIFF_WINDOW_S};
    int self = sim_diff(path, path, &opts, devnull, err, sizeof err);
    if (info == 0 && self == 1) {
        fprintf(stderr, "trace: a trace differs from itself\n");
        __builtin_trap();
    }
    sim_diff(METERSIM_FUZZ_REF_TRACE, path, &opts, devnull, err, sizeof err);

    const uint32_t ids[2] = {0, o & 7};
    sim_timeline_opts to = {.json = !!(o & 64)};
    sim_timeline(path, ids, 2, &to, devnull, err, sizeof err);
    return 0;
}
