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

#include "trace.h"

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
