/* The half-hourly chunks the runner encodes itself (sim_trace_chunk_encode: HDF5's shuffle,
 * then a zlib stream from libdeflate) are what HDF5's own filters would store: written as
 * they are with H5Dwrite_chunk into a dataset declared with shuffle and deflate at the same
 * level, HDF5 (whose deflate filter decodes with zlib) reads back every value, at every level
 * a scenario may ask for. */
#include <criterion/criterion.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "h5read.h"
#include "trace.h"

#include <string.h>

#define CH 37u /* households in a chunk: not a power of two */

Test(trace_chunk, encoded_chunks_read_back_through_hdf5_at_every_level)
{
    static uint32_t vals[CH * 48], back[CH * 48];
    uint64_t s = 12345;
    for (unsigned i = 0; i < CH * 48; i++) { /* Wh in a half-hour: small, noisy, some zeros */
        s = s * 6364136223846793005u + 1442695040888963407u;
        vals[i] = (i % 48 < 12 ? 50u : 300u) + (uint32_t)(s >> 54) * (i % 7 != 0);
    }
    for (int level = 0; level <= 9; level++) {
        char path[] = "/tmp/metersim-chunk-XXXXXX";
        int fd = mkstemp(path);
        cr_assert(fd >= 0);
        close(fd);
        sim_chunk_coder *c = sim_chunk_coder_new(level);
        cr_assert_not_null(c);
        size_t bound = sim_trace_chunk_bound(c, CH * 48), size = 0;
        unsigned char *out = malloc(bound), *scratch = malloc(CH * 48 * 4);
        cr_assert_eq(sim_trace_chunk_encode(c, vals, CH * 48, out, scratch, &size), 0);
        if (level > 0) cr_expect_lt(size, CH * 48 * 4 / 2, "level %d: %zu bytes", level, size);

        hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        hsize_t dims[2] = {CH, 48};
        hid_t sp = H5Screate_simple(2, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE);
        H5Pset_chunk(dcpl, 2, dims);
        if (level > 0) {
            H5Pset_shuffle(dcpl);
            H5Pset_deflate(dcpl, (unsigned)level);
        }
        hid_t ds = H5Dcreate2(f, "hh", H5T_NATIVE_UINT32, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
        hsize_t off[2] = {0, 0};
        cr_assert(H5Dwrite_chunk(ds, H5P_DEFAULT, 0, off, size, out) >= 0, "level %d", level);
        H5Dclose(ds);
        H5Pclose(dcpl);
        H5Sclose(sp);
        H5Fclose(f);

        f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        ds = H5Dopen2(f, "hh", H5P_DEFAULT);
        cr_assert(H5Dread(ds, H5T_NATIVE_UINT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, back) >= 0,
                  "level %d", level);
        H5Dclose(ds);
        H5Fclose(f);
        for (unsigned i = 0; i < CH * 48; i++)
            cr_assert_eq(back[i], vals[i], "level %d value %u", level, i);
        remove(path);
        free(out);
        free(scratch);
        sim_chunk_coder_free(c);
    }
}

/* The datasets that grow as a run goes (series, [second, cell], [period, region]) gather a
 * chunk's rows and write it as stored (trace.c, grow_append); a flush writes the chunk being
 * filled, which later rows fill further.  Rows appended in batches that straddle chunks, with
 * flushes and a checkpoint's copy between them, read back exactly from the finished trace and
 * from the trace resumed from that copy (also at another level), with cells 300 wide (two column chunks, the second
 * padded) and at the levels 0 (stored as they are), 1 and 4 (the default). */
#define AREAS 300u
#define REGIONS 3u

static uint64_t lcg(uint64_t *s)
{
    *s = *s * 6364136223846793005u + 1442695040888963407u;
    return *s >> 33;
}

/* Rows [from, to) of each growing dataset appended to T, in batches of the sizes in STEP. */
static void grow_rows(sim_trace *t, const sim_event *ev, const double *dem, const uint32_t *arr,
                      const uint32_t *q, const double *reg, size_t from, size_t to)
{
    static const size_t step[] = {1, 4095, 3, 4097, 599, 600, 601, 2, 9000};
    size_t k = 0;
    for (size_t at = from; at < to; k++) {
        size_t n = step[k % (sizeof step / sizeof *step)];
        if (n > to - at) n = to - at;
        cr_assert_eq(sim_trace_append(t, SIM_DS_EVENTS, ev + at, n), 0);
        cr_assert_eq(sim_trace_append(t, SIM_DS_DEMAND, dem + at, n), 0);
        cr_assert_eq(sim_trace_cells(t, arr + at * AREAS, q + at * AREAS, n), 0);
        cr_assert_eq(sim_trace_append_rows(t, SIM_DS_REGION_DEMAND, reg + at * REGIONS, n), 0);
        at += n;
        if (k % 3 == 2) cr_assert_eq(sim_trace_flush(t, 0), 0);
    }
}

static void expect_rows(const char *path, const sim_event *ev, const double *dem,
                        const uint32_t *arr, const uint32_t *q, const double *reg, size_t rows,
                        int level)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert(f >= 0, "%s", path);
    hsize_t dims[2];
    int rank;
    hid_t et = h5_event_type();
    h5_event *e = h5_read_all(f, "/events", et, dims, &rank);
    H5Tclose(et);
    cr_assert_not_null(e);
    cr_assert_eq(dims[0], rows, "level %d: %llu events", level, (unsigned long long)dims[0]);
    for (size_t i = 0; i < rows; i++)
        cr_assert(e[i].t_s == ev[i].t_s && e[i].household == ev[i].household &&
                      e[i].code == ev[i].code && e[i].value == ev[i].value,
                  "level %d: event %zu", level, i);
    free(e);
    double *d = h5_read_all(f, sim_schema_dataset(SIM_DS_DEMAND)->path, H5T_NATIVE_DOUBLE, dims, &rank);
    cr_assert(d && dims[0] == rows && memcmp(d, dem, rows * sizeof *d) == 0, "level %d: demand", level);
    free(d);
    d = h5_read_all(f, sim_schema_dataset(SIM_DS_REGION_DEMAND)->path, H5T_NATIVE_DOUBLE, dims, &rank);
    cr_assert(d && rank == 2 && dims[0] == rows && dims[1] == REGIONS &&
                  memcmp(d, reg, rows * REGIONS * sizeof *d) == 0,
              "level %d: region demand", level);
    free(d);
    const uint32_t *want[2] = {arr, q};
    const sim_ds ids[2] = {SIM_DS_CELL_ARRIVALS, SIM_DS_CELL_QUEUE};
    for (int k = 0; k < 2; k++) {
        uint32_t *c = h5_read_all(f, sim_schema_dataset(ids[k])->path, H5T_NATIVE_UINT32, dims, &rank);
        cr_assert(c && rank == 2 && dims[0] == rows && dims[1] == AREAS, "level %d: cells %d", level, k);
        size_t i = 0;
        while (i < rows * AREAS && c[i] == want[k][i]) i++;
        cr_assert_eq(i, rows * AREAS, "level %d: cells %d, first wrong value %zu", level, k, i);
        free(c);
    }
    H5Fclose(f);
}

Test(trace_chunk, growing_datasets_read_back_whole_across_flushes_and_a_resume)
{
    enum { ROWS = 23456, CUT = 9321 }; /* the checkpoint: inside a chunk of each dataset */
    sim_event *ev = malloc(ROWS * sizeof *ev);
    double *dem = malloc(ROWS * sizeof *dem), *reg = malloc(ROWS * REGIONS * sizeof *reg);
    uint32_t *arr = malloc(ROWS * AREAS * sizeof *arr), *q = malloc(ROWS * AREAS * sizeof *q);
    cr_assert(ev && dem && reg && arr && q);
    uint64_t s = 777;
    for (size_t i = 0; i < ROWS; i++) {
        ev[i] = (sim_event){.t_s = (double)i * 0.25, .household = (uint32_t)lcg(&s) % 5000,
                            .code = 0x10000u + (uint32_t)lcg(&s) % 30, .value = (int64_t)lcg(&s) - (1 << 30)};
        dem[i] = 1e6 + (double)lcg(&s) / 7.0;
        for (size_t r = 0; r < REGIONS; r++) reg[i * REGIONS + r] = (double)lcg(&s);
        for (size_t a = 0; a < AREAS; a++) {
            arr[i * AREAS + a] = lcg(&s) % 4 == 0 ? (uint32_t)lcg(&s) % 9 : 0;
            q[i * AREAS + a] = (uint32_t)(i + a);
        }
    }
    static const int levels[] = {0, 1, 4};
    for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
        char dir[] = "/tmp/metersim-grow-XXXXXX", out[64], snap[64], resumed[64];
        cr_assert_not_null(mkdtemp(dir));
        snprintf(out, sizeof out, "%s/run.h5", dir);
        snprintf(snap, sizeof snap, "%s/ckpt.h5", dir);
        snprintf(resumed, sizeof resumed, "%s/resumed.h5", dir);
        sim_trace_info info = {.version = "test", .firmware_build = "test",
                               .scenario_name = "grow", .scenario_yaml = "",
                               .households = 5, .chunk_households = 5,
                               .compression = (uint32_t)levels[l], .areas = AREAS,
                               .regions = REGIONS, .region_names = "a,b,c"};
        char err[256];
        sim_trace *t = sim_trace_create(out, &info, err, sizeof err);
        cr_assert_not_null(t, "%s", err);
        grow_rows(t, ev, dem, arr, q, reg, 0, CUT);
        cr_assert_eq(sim_trace_snapshot(t, 0, snap, err, sizeof err), 0, "%s", err);
        grow_rows(t, ev, dem, arr, q, reg, CUT, ROWS);
        cr_assert_eq(sim_trace_finish(t, 1, 0, err, sizeof err), 0, "%s", err);
        expect_rows(out, ev, dem, arr, q, reg, ROWS, levels[l]);

        /* resumed at the level the trace was made with, then at another: its datasets'
         * filters are not the coder's, so their rows go through HDF5 */
        for (int other = 0; other < 2; other++) {
            sim_trace_info ri = info;
            if (other) ri.compression = (uint32_t)levels[(l + 1) % 3];
            t = sim_trace_resume(resumed, snap, &ri, err, sizeof err);
            cr_assert_not_null(t, "%s", err);
            grow_rows(t, ev, dem, arr, q, reg, CUT, ROWS);
            cr_assert_eq(sim_trace_finish(t, 1, 0, err, sizeof err), 0, "%s", err);
            expect_rows(resumed, ev, dem, arr, q, reg, ROWS, levels[l]);
            remove(resumed);
        }
        remove(out);
        remove(snap);
        remove(resumed);
        rmdir(dir);
    }
    free(ev);
    free(dem);
    free(reg);
    free(arr);
    free(q);
}
