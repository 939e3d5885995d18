#define _GNU_SOURCE /* renameat2 */
#include "trace.h"

#include "sim/timeutil.h"

#include <hdf5.h>
#include <libdeflate.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* A dataset that grows along its first dimension (series, [second, cell], [period, region]),
 * written a chunk at a time: its rows gather in BUF until they fill a chunk's rows, which are
 * then encoded as the dataset's filters would encode them (HDF5's shuffle, then deflate by
 * libdeflate rather than the zlib HDF5 calls: encode()) and written as stored
 * (H5Dwrite_chunk).  A flush writes the rows of a chunk not yet full too; the rows after it go
 * on filling that chunk, which is written again when full.  Set up at the first append, from
 * the file (so a resumed trace picks up its last chunk's rows); datasets whose filters or
 * type are not ones this encodes are written through HDF5 (DIRECT false). */
typedef struct grow_ds {
    unsigned char *buf;     /* C0 rows of WIDTH elements, row-major; NULL until set up */
    size_t elem;            /* bytes of an element, in memory and in the file */
    hsize_t c0, c1, width;  /* a chunk's rows and columns, the dataset's columns */
    hsize_t base, fill;     /* first row of the chunk being filled, its rows so far */
    int rank;
    bool ready;             /* set up */
    bool direct;
    bool dirty;             /* rows in BUF that the file does not have */
} grow_ds;

struct sim_trace {
    hid_t file;
    hid_t ds[SIM_DS_COUNT];   /* -1 until created (at creation, or when written whole) */
    hid_t mtype[SIM_DS_COUNT]; /* memory type of each dataset's elements */
    grow_ds grow[SIM_DS_COUNT];
    sim_chunk_coder *coder;   /* for the growing datasets' chunks, at the trace's level; NULL
                               * until the first is set up */
    unsigned char *scratch, *enc; /* a chunk gathered and shuffled, and encoded */
    size_t scratch_cap, enc_cap;
    char out[SIM_TRACE_PATH_MAX];
    char partial[SIM_TRACE_PATH_MAX + 16];
    uint64_t households;
    uint32_t areas;
    sim_trace_info dims;      /* the numbers of the creation's info (not its strings) */
    bool replace;             /* the rename may replace an existing OUT (--force) */
    bool saved;               /* a flush succeeded: the file on disk is a valid trace */
    long long saved_size;     /* the file's size after that flush [B] */
};

static char final_path[SIM_TRACE_PATH_MAX + 16];

const char *sim_trace_final_path(void)
{
    return final_path;
}

/* Why the first HDF5 call that failed since the last sim_trace_create failed: the system's
 * errno text when the file driver reports one ("No space left on device"), else the innermost
 * message of HDF5's error stack.  Captured by HDF5's automatic error handler, which runs inside
 * the failing call, before later calls clear the stack. */
static char h5_why[256];

static herr_t why_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    char *why = data;
    const char *d = e->desc ? e->desc : "";
    const char *en = strstr(d, "errno = ");
    if (en) {
        int code = atoi(en + 8);
        if (code > 0) {
            snprintf(why, sizeof h5_why, "%s", strerror(code));
            return 1; /* the system's reason: stop here */
        }
    }
    if (n == 0) snprintf(why, sizeof h5_why, "%s", *d ? d : "unknown HDF5 error");
    return 0;
}

static herr_t on_h5_failure(hid_t stack, void *data)
{
    (void)data;
    if (!h5_why[0]) H5Ewalk2(stack, H5E_WALK_DOWNWARD, why_cb, h5_why);
    if (!h5_why[0]) snprintf(h5_why, sizeof h5_why, "unknown HDF5 error");
    return 0;
}

bool sim_trace_failed(void)
{
    return h5_why[0] != '\0';
}

const char *sim_trace_why(void)
{
    return h5_why[0] ? h5_why : "unknown HDF5 error";
}

static void h5_error(char *err, size_t errlen, const char *what)
{
    snprintf(err, errlen, "%s: %s", what, sim_trace_why());
}

/* Replace scalar attribute NAME of OBJ with VALUE of TYPE. */
static int attr_write(hid_t obj, const char *name, hid_t type, const void *value)
{
    hid_t sp = H5Screate(H5S_SCALAR);
    if (H5Aexists(obj, name) > 0) H5Adelete(obj, name);
    hid_t a = H5Acreate2(obj, name, type, sp, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a < 0 ? -1 : H5Awrite(a, type, value);
    if (a >= 0) H5Aclose(a);
    H5Sclose(sp);
    return rc < 0 ? -1 : 0;
}

/* Strings are variable-length UTF-8, which h5py reads back as str. */
static int attr_str(hid_t obj, const char *name, const char *value)
{
    hid_t ty = H5Tcopy(H5T_C_S1);
    H5Tset_size(ty, H5T_VARIABLE);
    H5Tset_cset(ty, H5T_CSET_UTF8);
    int rc = attr_write(obj, name, ty, &value);
    H5Tclose(ty);
    return rc;
}

static int attr_u64(hid_t obj, const char *name, uint64_t v)
{
    return attr_write(obj, name, H5T_NATIVE_UINT64, &v);
}

static void iso_now(char *buf, size_t n)
{
    sim_time_iso((int64_t)time(NULL), buf, n);
}

/* Whether D is created with the file (and filled as the run goes) rather than when first
 * written: the end-of-run [household, column] tables (registers, bills) are created when the
 * run ends, so a trace cut short by a failed write (disk full) has none rather than zeros. */
static int created_early(const sim_dataset_decl *d)
{
    return d->shape != SIM_SHAPE_ROWS && d->shape != SIM_SHAPE_ROWS_COLS &&
           d->shape != SIM_SHAPE_HH_COLS;
}

static int attrs_units(hid_t ds, const sim_dataset_decl *d)
{
    return attr_str(ds, SIM_ATTR_UNITS, d->units) || attr_str(ds, SIM_ATTR_DESCRIPTION, d->description)
               ? -1
               : 0;
}

static hid_t create_dataset(sim_trace *t, sim_ds id, const sim_trace_info *info)
{
    const sim_dataset_decl *d = sim_schema_dataset(id);
    hsize_t dims[2], maxd[2], chunk[2];
    int rank = 1;
    hsize_t n = info->households;
    hsize_t ch = info->chunk_households < n ? info->chunk_households : n;
    if (ch == 0) ch = 1;
    switch (d->shape) {
    case SIM_SHAPE_HH:
        dims[0] = maxd[0] = n;
        chunk[0] = ch;
        break;
    case SIM_SHAPE_HH_PERIOD:
        rank = 2;
        dims[0] = maxd[0] = n;
        dims[1] = 0;
        maxd[1] = H5S_UNLIMITED;
        chunk[0] = ch;
        chunk[1] = 48; /* one day of settlement periods */
        break;
    case SIM_SHAPE_HH_COLS:
        rank = 2;
        dims[0] = maxd[0] = n;
        dims[1] = maxd[1] = d->ncols;
        chunk[0] = ch;
        chunk[1] = dims[1];
        break;
    case SIM_SHAPE_SERIES:
        dims[0] = 0;
        maxd[0] = H5S_UNLIMITED;
        chunk[0] = d->type == SIM_ELEM_RECORD ? 4096 : 3600; /* records: /events */
        break;
    case SIM_SHAPE_TIME_AREA:
        rank = 2;
        dims[0] = 0;
        maxd[0] = H5S_UNLIMITED;
        dims[1] = maxd[1] = info->areas;
        chunk[0] = 600;
        chunk[1] = info->areas == 0 ? 1 : info->areas < 256 ? info->areas : 256;
        break;
    case SIM_SHAPE_PERIOD_COLS:
        rank = 2;
        dims[0] = 0;
        maxd[0] = H5S_UNLIMITED;
        dims[1] = maxd[1] = info->regions ? info->regions : 1;
        chunk[0] = 48 * 7; /* a week of settlement periods */
        chunk[1] = dims[1];
        break;
    case SIM_SHAPE_ROWS:
    case SIM_SHAPE_ROWS_COLS:
        return -1; /* written whole: write_whole */
    }
    hid_t sp = H5Screate_simple(rank, dims, maxd);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_chunk(dcpl, rank, chunk);
    if (info->compression > 0) {
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, info->compression);
    }
    /* Every dataset is written in order and each chunk once, so its cache needs room for
     * the chunk being filled and the one after it, not HDF5's default megabyte a dataset:
     * full chunks (w0 = 1) leave first.  With the default, a long run's memory grew as
     * dozens of series each filled their megabyte. */
    size_t chunk_bytes = H5Tget_size(t->mtype[id]) * (size_t)chunk[0] * (rank > 1 ? chunk[1] : 1);
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    H5Pset_chunk_cache(dapl, 11, 2 * chunk_bytes, 1.0);
    hid_t ds = H5Dcreate2(t->file, d->path, t->mtype[id], sp, lcpl, dcpl, dapl);
    H5Pclose(dapl);
    H5Pclose(dcpl);
    H5Pclose(lcpl);
    H5Sclose(sp);
    if (ds >= 0 && (attrs_units(ds, d) ||
                    (d->columns_attr && attr_str(ds, SIM_ATTR_COLUMNS, info->region_names ? info->region_names : "")) ||
                    (d->rows && attr_str(ds, SIM_ATTR_ROWS, d->rows)))) {
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

/* The metadata cache holds the chunk indexes, which grow with the run's span; HDF5 lets it
 * grow to 32 MB by default.  Bounded at 4 MB it evicts old index blocks to the file and
 * memory stays flat over a multi-year run. */
static void bound_metadata_cache(hid_t fapl)
{
    H5AC_cache_config_t c = {.version = H5AC__CURR_CACHE_CONFIG_VERSION};
    if (H5Pget_mdc_config(fapl, &c) < 0) return;
    c.set_initial_size = 1;
    c.initial_size = 1u << 20;
    c.min_size = 1u << 20;
    c.max_size = 4u << 20;
    H5Pset_mdc_config(fapl, &c);
}

/* The file access of a trace being written (created, or resumed): 1.8 superblock, 1.10
 * datasets (sim_trace_create says why), a bounded metadata cache.  Also HDF5's free lists:
 * it keeps freed blocks on its own lists, up to 16 MB of each kind by default, which a long
 * run's chunk and index traffic slowly fills: 256 KB each is enough to reuse (a 1,000-day run
 * grew 1.1 MB with the defaults, 0.6 MB with these). */
static hid_t writer_fapl(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_V110);
    bound_metadata_cache(fapl);
    H5set_free_list_limits(1 << 18, 1 << 16, 1 << 18, 1 << 16, 1 << 18, 1 << 16);
    return fapl;
}

/* A trace writer for OUT_PATH (OUT.partial its file) with INFO's numbers, no file open yet.
 * NULL with a message in ERR. */
static sim_trace *trace_new(const char *out_path, const sim_trace_info *info, char *err,
                            size_t errlen)
{
    /* A file HDF5 failed to close stays open in the library, whose exit handler would try
     * again (and crash, or loop, on a full disk): the trace closes its own files instead. */
    H5dont_atexit();
    h5_why[0] = '\0';
    H5Eset_auto2(H5E_DEFAULT, on_h5_failure, NULL);
    sim_trace *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < SIM_DS_COUNT; i++) t->ds[i] = t->mtype[i] = -1;
    t->households = info->households;
    t->areas = info->areas;
    t->dims = (sim_trace_info){.households = info->households,
                               .chunk_households = info->chunk_households,
                               .compression = info->compression,
                               .areas = info->areas,
                               .regions = info->regions};
    t->replace = info->replace;
    if (snprintf(t->out, sizeof t->out, "%s", out_path) >= (int)sizeof t->out) {
        snprintf(err, errlen, "%.60s...: the output path is too long", out_path);
        free(t);
        return NULL;
    }
    snprintf(t->partial, sizeof t->partial, "%s.partial", out_path);
    return t;
}

sim_trace *sim_trace_create(const char *out_path, const sim_trace_info *info, char *err,
                            size_t errlen)
{
    sim_trace *t = trace_new(out_path, info, err, errlen);
    if (!t) return NULL;
    /* A .partial left by an earlier run is replaced, never followed (it may be a link) and
     * never truncated in place: unlinked, then created exclusively. */
    if (unlink(t->partial) != 0 && errno != ENOENT) {
        snprintf(err, errlen, "%s: cannot replace the stale file: %s", t->partial, strerror(errno));
        free(t);
        return NULL;
    }
    /* The HDF5 1.10 file format: datasets that grow along one dimension index their chunks
     * with extensible arrays, whose memory stays flat over a long run where version-1
     * B-trees grew (a 400-day run: 12 MB less).  Readers need HDF5 1.10 (Debian 12 has
     * 1.10.8, as does its h5py).  The file itself is created with the 1.8 superblock, which
     * does not mark the file as open for writing: a run that dies leaves a .partial that still
     * opens; the 1.10 bounds are set on the open file, for the datasets. */
    hid_t fapl = writer_fapl();
    /* Space freed in the file (a chunk rewritten larger moves) is never handed out again
     * while the file is open: what the last flush put on disk is not overwritten by later
     * writes, so a run that fails afterwards (disk full) leaves that flush readable.  The cost
     * is the older copy of each rewritten chunk, at most about one chunk per growing dataset
     * and flush. */
    hid_t fcpl = H5Pcreate(H5P_FILE_CREATE);
    H5Pset_file_space_strategy(fcpl, H5F_FSPACE_STRATEGY_NONE, 0, (hsize_t)1);
    t->file = H5Fcreate(t->partial, H5F_ACC_EXCL, fcpl, fapl);
    H5Pclose(fcpl);
    H5Pclose(fapl);
    if (t->file >= 0) H5Fset_libver_bounds(t->file, H5F_LIBVER_V110, H5F_LIBVER_V110);
    if (t->file < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", t->partial, sim_trace_why());
        if (errno != EEXIST) unlink(t->partial); /* created exclusively: ours */
        free(t);
        return NULL;
    }
    int bad = 0;
    for (int i = 0; i < SIM_DS_COUNT; i++) {
        t->mtype[i] = sim_schema_h5_type(sim_schema_dataset((sim_ds)i));
        bad = bad || t->mtype[i] < 0;
    }

    hid_t meta = H5Gcreate2(t->file, SIM_META_GROUP, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    char start[32], now[32];
    sim_time_iso(info->start_unix, start, sizeof start);
    iso_now(now, sizeof now);
    bad = bad || meta < 0;
    bad = bad || attr_str(meta, sim_schema_meta_name(SIM_META_VERSION), info->version);
    bad = bad || attr_str(meta, sim_schema_meta_name(SIM_META_FIRMWARE), info->firmware_build);
    bad = bad || attr_str(meta, sim_schema_meta_name(SIM_META_IMAGES),
                          info->firmware_images ? info->firmware_images : "");
    bad = bad || attr_u64(meta, sim_schema_meta_name(SIM_META_SEED), info->seed);
    bad = bad || attr_str(meta, sim_schema_meta_name(SIM_META_SCENARIO_NAME), info->scenario_name);
    bad = bad || attr_str(meta, sim_schema_meta_name(SIM_META_SCENARIO_YAML), info->scenario_yaml);
    bad = bad || attr_u64(meta, sim_schema_meta_name(SIM_META_COMPLETE), 0);
    bad = bad || attr_str(meta, sim_schema_meta_name(SIM_META_SIM_START), start);
    bad = bad || attr_str(meta, sim_schema_meta_name(SIM_META_SIM_END), start);
    bad = bad || attr_u64(meta, sim_schema_meta_name(SIM_META_HOUSEHOLDS), info->households);
    bad = bad || attr_str(meta, sim_schema_meta_name(SIM_META_WALL_START), now);
    bad = bad || attr_str(meta, sim_schema_meta_name(SIM_META_WARNINGS),
                          info->warnings ? info->warnings : "");
    if (meta >= 0) H5Gclose(meta);
    for (int i = 0; !bad && i < SIM_DS_COUNT; i++) {
        if (!created_early(sim_schema_dataset((sim_ds)i))) continue;
        t->ds[i] = create_dataset(t, (sim_ds)i, info);
        bad = t->ds[i] < 0;
    }
    if (bad) {
        /* not even the static part could be written: no file is left */
        h5_error(err, errlen, t->partial);
        char partial[sizeof t->partial];
        memcpy(partial, t->partial, sizeof partial);
        sim_trace_finish(t, 0, info->start_unix, NULL, 0);
        unlink(partial);
        return NULL;
    }
    return t;
}

static int write_block(hid_t ds, hid_t mtype, int rank, const hsize_t *off, const hsize_t *cnt,
                       const void *data)
{
    hid_t fs = H5Dget_space(ds);
    hid_t ms = H5Screate_simple(rank, cnt, NULL);
    herr_t rc = H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL);
    if (rc >= 0) rc = H5Dwrite(ds, mtype, ms, fs, H5P_DEFAULT, data);
    H5Sclose(ms);
    H5Sclose(fs);
    return rc < 0 ? -1 : 0;
}

int sim_trace_households(sim_trace *t, const sim_household_row *rows, size_t n)
{
    hsize_t off = 0, cnt = n;
    return write_block(t->ds[SIM_DS_HOUSEHOLDS], t->mtype[SIM_DS_HOUSEHOLDS], 1, &off, &cnt, rows);
}

/* CHANNEL's half-hourly dataset with its period extent grown to END; -1 when it cannot be. */
static hid_t halfhourly_to(sim_trace *t, int channel, uint64_t end)
{
    if (channel < 0 || channel > SIM_HALFHOURLY_GAS) return -1;
    hid_t ds = t->ds[SIM_DS_IMPORT + channel];
    hsize_t dims[2];
    hid_t fs = H5Dget_space(ds);
    H5Sget_simple_extent_dims(fs, dims, NULL);
    H5Sclose(fs);
    if (end > dims[1]) {
        dims[1] = end;
        if (H5Dset_extent(ds, dims) < 0) return -1;
    }
    return ds;
}

int sim_trace_halfhourly(sim_trace *t, int channel, uint64_t hh0, uint64_t nh, uint64_t p0,
                         uint64_t np, const uint32_t *data)
{
    hid_t ds = halfhourly_to(t, channel, p0 + np);
    if (ds < 0) return -1;
    hsize_t off[2] = {hh0, p0}, cnt[2] = {nh, np};
    return write_block(ds, H5T_NATIVE_UINT32, 2, off, cnt, data);
}

struct sim_chunk_coder {
    struct libdeflate_compressor *d; /* NULL at level 0: the chunks are stored as they are */
};

sim_chunk_coder *sim_chunk_coder_new(int level)
{
    sim_chunk_coder *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    if (level > 0 && !(c->d = libdeflate_alloc_compressor(level))) {
        free(c);
        return NULL;
    }
    return c;
}

void sim_chunk_coder_free(sim_chunk_coder *c)
{
    if (!c) return;
    libdeflate_free_compressor(c->d);
    free(c);
}

/* Bytes that N bytes may take encoded by C. */
static size_t coder_bound(const sim_chunk_coder *c, size_t n)
{
    return c->d ? libdeflate_zlib_compress_bound(c->d, n) : n;
}

size_t sim_trace_chunk_bound(const sim_chunk_coder *c, size_t values)
{
    return coder_bound(c, values * sizeof(uint32_t));
}

/* VALUES elements of ELEM bytes each at IN, encoded by C into OUT (room for coder_bound),
 * SCRATCH as many bytes as IN; the size in *SIZE.  0, or -1. */
static int encode(sim_chunk_coder *c, size_t elem, const void *in, size_t values,
                  unsigned char *out, unsigned char *scratch, size_t *size)
{
    size_t n = values * elem;
    if (!c->d) {
        memcpy(out, in, n);
        *size = n;
        return 0;
    }
    /* HDF5's shuffle filter: byte k of every value, then byte k + 1 ... */
    const unsigned char *b = in;
    for (size_t k = 0; k < elem; k++)
        for (size_t i = 0; i < values; i++) scratch[k * values + i] = b[i * elem + k];
    /* then a zlib stream, as HDF5's deflate filter stores and reads it: libdeflate's encoder
     * at the dataset's level, faster than zlib's for as small a result (at level 4, 3.2 times
     * on /events records, 5.6 times on the per-cell series, a day of 10,000 households) */
    size_t len = libdeflate_zlib_compress(c->d, scratch, n, out, coder_bound(c, n));
    if (len == 0) return -1;
    *size = len;
    return 0;
}

int sim_trace_chunk_encode(sim_chunk_coder *c, const uint32_t *vals, size_t values,
                           unsigned char *out, unsigned char *scratch, size_t *size)
{
    return encode(c, sizeof *vals, vals, values, out, scratch, size);
}

int sim_trace_halfhourly_chunk(sim_trace *t, int channel, uint64_t hh0, uint64_t p0, uint64_t np,
                               const void *bytes, size_t size)
{
    hid_t ds = halfhourly_to(t, channel, p0 + np);
    if (ds < 0) return -1;
    hsize_t off[2] = {hh0, p0};
    /* the bytes as stored: the file's type is the machine's (little-endian uint32) */
    return H5Dwrite_chunk(ds, H5P_DEFAULT, 0, off, size, bytes) < 0 ? -1 : 0;
}

/* The growing datasets' failures that HDF5 does not see: the trace fails as if it had. */
static int grow_fail(const char *why)
{
    if (!h5_why[0]) snprintf(h5_why, sizeof h5_why, "%s", why);
    return -1;
}

/* Whether DCPL's filters are what encode() writes at LEVEL: none at 0, else HDF5's shuffle
 * and then deflate at LEVEL (create_dataset's). */
static bool filters_encodable(hid_t dcpl, unsigned level)
{
    int nf = H5Pget_nfilters(dcpl);
    if (nf == 0) return level == 0;
    if (nf != 2 || level == 0) return false;
    unsigned flags, cd[8];
    size_t ncd = 8;
    if (H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, 0, NULL, NULL) != H5Z_FILTER_SHUFFLE) return false;
    ncd = 8;
    return H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, 0, NULL, NULL) == H5Z_FILTER_DEFLATE &&
           ncd >= 1 && cd[0] == level;
}

/* Dataset ID's growing state from the file: its chunk and columns, whether its chunks can be
 * written as stored, and the rows already in its last chunk (a resumed trace's). */
static int grow_setup(sim_trace *t, sim_ds id)
{
    grow_ds *g = &t->grow[id];
    hid_t ds = t->ds[id];
    hid_t fs = H5Dget_space(ds), dcpl = H5Dget_create_plist(ds), ft = H5Dget_type(ds);
    hsize_t dims[2] = {0, 1}, chunk[2] = {1, 1};
    int rank = fs < 0 ? -1 : H5Sget_simple_extent_ndims(fs);
    int rc = (rank == 1 || rank == 2) && dcpl >= 0 && ft >= 0 &&
                     H5Sget_simple_extent_dims(fs, dims, NULL) == rank &&
                     H5Pget_chunk(dcpl, rank, chunk) == rank
                 ? 0
                 : -1;
    if (rc == 0) {
        g->rank = rank;
        g->elem = H5Tget_size(t->mtype[id]);
        g->c0 = chunk[0];
        g->c1 = rank == 2 ? chunk[1] : 1;
        g->width = rank == 2 ? dims[1] : 1;
        g->base = dims[0] - dims[0] % g->c0;
        g->fill = dims[0] - g->base;
        g->direct = H5Tequal(ft, t->mtype[id]) > 0 && filters_encodable(dcpl, t->dims.compression);
    }
    if (fs >= 0) H5Sclose(fs);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (ft >= 0) H5Tclose(ft);
    if (rc != 0) return -1;
    if (g->direct && !t->coder && !(t->coder = sim_chunk_coder_new((int)t->dims.compression)))
        return grow_fail("out of memory");
    if (g->direct && !(g->buf = calloc((size_t)(g->c0 * g->width), g->elem)))
        return grow_fail("out of memory");
    g->ready = true;
    if (!g->direct || g->fill == 0) return 0;
    hsize_t off[2] = {g->base, 0}, cnt[2] = {g->fill, g->width};
    fs = H5Dget_space(ds);
    hid_t ms = H5Screate_simple(rank, cnt, NULL);
    herr_t r = H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL);
    if (r >= 0) r = H5Dread(ds, t->mtype[id], ms, fs, H5P_DEFAULT, g->buf);
    H5Sclose(ms);
    H5Sclose(fs);
    return r < 0 ? -1 : 0;
}

/* *BUF with room for N bytes (its contents not kept); *CAP its room.  0, or -1. */
static int room(unsigned char **buf, size_t *cap, size_t n)
{
    if (*cap >= n) return 0;
    free(*buf);
    *cap = 0;
    if (!(*buf = malloc(n))) return grow_fail("out of memory");
    *cap = n;
    return 0;
}

/* G's rows so far (the rest zeros) as the chunks at its row BASE, encoded and written. */
static int grow_write(sim_trace *t, grow_ds *g, hid_t ds)
{
    size_t values = (size_t)(g->c0 * g->c1), bytes = values * g->elem;
    if (room(&t->scratch, &t->scratch_cap, 2 * bytes) ||
        room(&t->enc, &t->enc_cap, coder_bound(t->coder, bytes)))
        return -1;
    if (g->c1 == g->width && g->fill < g->c0) { /* a chunk not yet full: zeros after its rows */
        size_t row_bytes = (size_t)g->width * g->elem;
        memset(g->buf + g->fill * row_bytes, 0, (size_t)(g->c0 - g->fill) * row_bytes);
    }
    for (hsize_t j = 0; j < g->width; j += g->c1) {
        const unsigned char *chunk = g->buf;
        if (g->c1 != g->width) { /* columns J.. of each row, zeros past the last */
            unsigned char *c = t->scratch + bytes;
            size_t cols = (size_t)(g->width - j < g->c1 ? g->width - j : g->c1);
            memset(c, 0, bytes);
            for (size_t r = 0; r < g->fill; r++)
                memcpy(c + r * g->c1 * g->elem, g->buf + (r * g->width + j) * g->elem, cols * g->elem);
            chunk = c;
        }
        size_t size;
        if (encode(t->coder, g->elem, chunk, values, t->enc, t->scratch, &size) != 0)
            return grow_fail("a trace chunk could not be compressed");
        hsize_t off[2] = {g->base, j};
        if (H5Dwrite_chunk(ds, H5P_DEFAULT, 0, off, size, t->enc) < 0) return -1;
    }
    return 0;
}

/* ROWS rows of dataset ID (each its columns, row-major, of its memory type) appended. */
static int grow_append(sim_trace *t, sim_ds id, const void *data, size_t rows)
{
    grow_ds *g = &t->grow[id];
    hid_t ds = t->ds[id];
    if (rows == 0) return 0;
    if (!g->ready && grow_setup(t, id) != 0) return -1;
    hsize_t end[2] = {g->base + g->fill + rows, g->width};
    if (H5Dset_extent(ds, end) < 0) return -1;
    if (!g->direct) {
        hsize_t off[2] = {g->base + g->fill, 0}, cnt[2] = {rows, g->width};
        g->fill += rows;
        return write_block(ds, t->mtype[id], g->rank, off, cnt, data);
    }
    size_t row_bytes = (size_t)g->width * g->elem;
    const unsigned char *p = data;
    while (rows > 0) {
        size_t k = (size_t)(g->c0 - g->fill) < rows ? (size_t)(g->c0 - g->fill) : rows;
        memcpy(g->buf + g->fill * row_bytes, p, k * row_bytes);
        g->fill += k;
        g->dirty = true;
        p += k * row_bytes;
        rows -= k;
        if (g->fill < g->c0) break;
        if (grow_write(t, g, ds) != 0) return -1;
        g->base += g->c0;
        g->fill = 0;
        g->dirty = false;
    }
    return 0;
}

/* The growing datasets' rows not yet in the file, written (their last chunks, not full). */
static int grow_flush(sim_trace *t)
{
    for (int i = 0; i < SIM_DS_COUNT; i++) {
        grow_ds *g = &t->grow[i];
        if (g->direct && g->dirty) {
            if (grow_write(t, g, t->ds[i]) != 0) return -1;
            g->dirty = false;
        }
    }
    return 0;
}

int sim_trace_rows(sim_trace *t, sim_ds id, uint64_t hh0, uint64_t nh, const void *data)
{
    const sim_dataset_decl *d = sim_schema_dataset(id);
    if (!d || d->shape != SIM_SHAPE_HH_COLS) return -1;
    if (t->ds[id] < 0 && (t->ds[id] = create_dataset(t, id, &t->dims)) < 0) return -1;
    hsize_t off[2] = {hh0, 0}, cnt[2] = {nh, d->ncols};
    return write_block(t->ds[id], t->mtype[id], 2, off, cnt, data);
}

int sim_trace_append(sim_trace *t, sim_ds id, const void *data, size_t n)
{
    const sim_dataset_decl *d = sim_schema_dataset(id);
    if (!d || d->shape != SIM_SHAPE_SERIES) return -1;
    return grow_append(t, id, data, n);
}

int sim_trace_append_rows(sim_trace *t, sim_ds id, const double *rows, size_t n)
{
    const sim_dataset_decl *d = sim_schema_dataset(id);
    if (!d || d->shape != SIM_SHAPE_PERIOD_COLS) return -1;
    return grow_append(t, id, rows, n);
}

int sim_trace_cells(sim_trace *t, const uint32_t *arrivals, const uint32_t *queue, size_t seconds)
{
    if (seconds == 0 || t->areas == 0) return 0;
    if (grow_append(t, SIM_DS_CELL_ARRIVALS, arrivals, seconds) != 0) return -1;
    return grow_append(t, SIM_DS_CELL_QUEUE, queue, seconds);
}

/* D at its path, whole: ROWS rows (of COLS columns for a table), with its attributes; the
 * table's column names are COLUMNS. */
static int write_whole(sim_trace *t, sim_ds id, const void *v, size_t rows, size_t cols,
                       const char *columns)
{
    const sim_dataset_decl *d = sim_schema_dataset(id);
    int rank = d->shape == SIM_SHAPE_ROWS_COLS ? 2 : 1;
    hsize_t dims[2] = {rows, cols};
    hid_t sp = H5Screate_simple(rank, dims, NULL);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (dims[0] > 0) {
        hsize_t chunk[2] = {dims[0] < 86400 ? dims[0] : 86400, rank > 1 ? dims[1] : 1};
        H5Pset_chunk(dcpl, rank, chunk);
        H5Pset_shuffle(dcpl);
        H5Pset_deflate(dcpl, 4);
    }
    hid_t type = t->mtype[id];
    hid_t ds = H5Dcreate2(t->file, d->path, type, sp, lcpl, dcpl, H5P_DEFAULT);
    int rc = ds < 0 ? -1 : 0;
    if (rc == 0 && dims[0] > 0 && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) rc = -1;
    if (rc == 0) rc = attrs_units(ds, d);
    if (rc == 0 && d->columns_attr && attr_str(ds, SIM_ATTR_COLUMNS, columns)) rc = -1;
    if (rc == 0 && d->rows && attr_str(ds, SIM_ATTR_ROWS, d->rows)) rc = -1;
    if (ds >= 0) H5Dclose(ds);
    H5Pclose(dcpl);
    H5Pclose(lcpl);
    H5Sclose(sp);
    return rc;
}

int sim_trace_whole(sim_trace *t, sim_ds id, const void *v, size_t rows)
{
    const sim_dataset_decl *d = sim_schema_dataset(id);
    if (!d || (d->shape != SIM_SHAPE_ROWS && d->shape != SIM_SHAPE_ROWS_COLS) ||
        (d->shape == SIM_SHAPE_ROWS_COLS && d->ncols == 0))
        return -1;
    char columns[512];
    if (sim_schema_columns_text(d, columns, sizeof columns)) return -1;
    return write_whole(t, id, v, rows, d->ncols, columns);
}

int sim_trace_whole_cols(sim_trace *t, sim_ds id, const double *v, size_t rows, size_t cols,
                         const char *columns)
{
    const sim_dataset_decl *d = sim_schema_dataset(id);
    if (!d || d->shape != SIM_SHAPE_ROWS_COLS || d->ncols != 0 || cols == 0) return -1;
    return write_whole(t, id, v, rows, cols, columns);
}

/* /meta's closing attributes: the simulated time reached, the wall clock, complete. */
static int meta_close(hid_t file, int complete, int64_t sim_end_unix)
{
    hid_t meta = H5Gopen2(file, SIM_META_GROUP, H5P_DEFAULT);
    char end[32], now[32];
    sim_time_iso(sim_end_unix, end, sizeof end);
    iso_now(now, sizeof now);
    int rc = meta < 0 || attr_str(meta, sim_schema_meta_name(SIM_META_SIM_END), end) ||
                     attr_str(meta, sim_schema_meta_name(SIM_META_WALL_END), now) ||
                     attr_u64(meta, sim_schema_meta_name(SIM_META_COMPLETE), complete ? 1u : 0u)
                 ? -1
                 : 0;
    if (meta >= 0) H5Gclose(meta);
    return rc;
}

/* After a failed write: nothing more reaches the file, so what is on disk stays as the last
 * flush left it.  The file's descriptor is pointed at /dev/null: what HDF5 still writes while
 * closing goes nowhere (rather than half-way onto a full disk) and the handles can be closed. */
static void seal(sim_trace *t)
{
    void *h = NULL;
    if (H5Fget_vfd_handle(t->file, H5P_DEFAULT, &h) >= 0 && h) {
        int nul = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (nul >= 0) {
            dup2(nul, *(int *)h);
            close(nul);
        }
    }
}

/* Disk space for everything a flush (or the close) writes, taken before it starts: a flush
 * that ran out of space half-way would leave the file's metadata half old, half new.  A full
 * disk is met here instead, while the file on disk is still the last flush.  The reservation
 * lies past the end of the file (its size unchanged), twice what the file grew since the last
 * flush plus 256 KiB, at most 64 MiB.  File systems without fallocate are not reserved on. */
static int reserve(sim_trace *t)
{
    void *h = NULL;
    struct stat st;
    if (H5Fget_vfd_handle(t->file, H5P_DEFAULT, &h) < 0 || !h || fstat(*(int *)h, &st) != 0)
        return 0;
    long long grown = (long long)st.st_size - t->saved_size;
    long long want = 2 * (grown > 0 ? grown : 0) + (256ll << 10);
    if (want > (64ll << 20)) want = 64ll << 20;
    if (fallocate(*(int *)h, FALLOC_FL_KEEP_SIZE, st.st_size, (off_t)want) == 0) return 0;
    if (errno == EOPNOTSUPP || errno == ENOSYS) return 0;
    snprintf(h5_why, sizeof h5_why, "%s", strerror(errno));
    return -1;
}

/* The file's size now [B], 0 when unknown. */
static long long file_size(const sim_trace *t)
{
    void *h = NULL;
    struct stat st;
    if (H5Fget_vfd_handle(t->file, H5P_DEFAULT, &h) < 0 || !h || fstat(*(int *)h, &st) != 0)
        return 0;
    return (long long)st.st_size;
}

int sim_trace_flush(sim_trace *t, int64_t sim_end_unix)
{
    if (h5_why[0] || grow_flush(t) || reserve(t)) return -1;
    if (meta_close(t->file, 0, sim_end_unix) || H5Fflush(t->file, H5F_SCOPE_LOCAL) < 0) return -1;
    t->saved = true;
    t->saved_size = file_size(t);
    return 0;
}

/* FROM's bytes into TO, a new file (created exclusively): in the kernel (copy_file_range, a
 * reflink on file systems that share extents).  0, or -1 with errno set; TO is removed then. */
static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) return -1;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        int e = errno;
        close(in);
        errno = e;
        return -1;
    }
    int rc = 0;
    for (;;) {
        ssize_t k = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
        if (k == 0) break;
        if (k > 0) continue;
        if (errno == EINTR) continue;
        if (errno != EXDEV && errno != ENOSYS && errno != EOPNOTSUPP && errno != EINVAL) {
            rc = -1;
            break;
        }
        /* another file system, or none of it: by hand, from where the kernel stopped */
        char buf[1 << 16];
        ssize_t got;
        while ((got = read(in, buf, sizeof buf)) > 0)
            if (write(out, buf, (size_t)got) != got) {
                if (errno == 0) errno = ENOSPC;
                got = -1;
                break;
            }
        if (got < 0) rc = -1;
        break;
    }
    if (rc == 0 && fsync(out) != 0) rc = -1;
    int e = errno;
    if (close(out) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    close(in);
    if (rc) unlink(to);
    errno = e;
    return rc;
}

int sim_trace_snapshot(sim_trace *t, int64_t sim_end_unix, const char *path, char *err,
                       size_t errlen)
{
    if (sim_trace_flush(t, sim_end_unix) != 0) {
        h5_error(err, errlen, t->partial);
        return -1;
    }
    if (copy_file(t->partial, path) != 0) {
        snprintf(err, errlen, "copying %s to %s: %s", t->partial, path, strerror(errno));
        return -1;
    }
    return 0;
}

sim_trace *sim_trace_resume(const char *out_path, const char *snapshot, const sim_trace_info *info,
                            char *err, size_t errlen)
{
    sim_trace *t = trace_new(out_path, info, err, errlen);
    if (!t) return NULL;
    /* what the interrupted run wrote after the checkpoint goes: the checkpoint's copy takes
     * its place (unlinked first, never written through a link) */
    if ((unlink(t->partial) != 0 && errno != ENOENT) || copy_file(snapshot, t->partial) != 0) {
        snprintf(err, errlen, "%s: cannot put the checkpoint's trace in place: %s", t->partial,
                 strerror(errno));
        free(t);
        return NULL;
    }
    hid_t fapl = writer_fapl();
    t->file = H5Fopen(t->partial, H5F_ACC_RDWR, fapl);
    H5Pclose(fapl);
    if (t->file < 0) {
        snprintf(err, errlen, "%s: cannot open the checkpoint's trace: %s", t->partial,
                 sim_trace_why());
        free(t);
        return NULL;
    }
    H5Fset_libver_bounds(t->file, H5F_LIBVER_V110, H5F_LIBVER_V110);
    int bad = 0;
    for (int i = 0; i < SIM_DS_COUNT && !bad; i++) {
        const sim_dataset_decl *d = sim_schema_dataset((sim_ds)i);
        t->mtype[i] = sim_schema_h5_type(d);
        bad = t->mtype[i] < 0;
        if (!bad && created_early(d)) bad = (t->ds[i] = H5Dopen2(t->file, d->path, H5P_DEFAULT)) < 0;
    }
    if (bad) {
        h5_error(err, errlen, t->partial);
        sim_trace_finish(t, 0, info->start_unix, NULL, 0);
        return NULL;
    }
    t->saved = true;
    t->saved_size = file_size(t);
    return t;
}

/* OUT.partial to OUT; an existing OUT is replaced only when T->replace. */
static int rename_into_place(const sim_trace *t)
{
    if (t->replace) return rename(t->partial, t->out);
    if (renameat2(AT_FDCWD, t->partial, AT_FDCWD, t->out, RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return -1;
    /* a file system without RENAME_NOREPLACE: link fails when OUT exists */
    if (link(t->partial, t->out) != 0) return -1;
    return unlink(t->partial);
}

int sim_trace_finish(sim_trace *t, int complete, int64_t sim_end_unix, char *err, size_t errlen)
{
    int rc = 0;
    if (!t) return 0;
    snprintf(final_path, sizeof final_path, "%s", t->partial);
    if (h5_why[0] || grow_flush(t) || reserve(t)) {
        /* a write failed: the file keeps its last flush (sim_trace_flush) */
        if (err) h5_error(err, errlen, t->partial);
        seal(t);
        /* never flushed: what is on disk is not a trace */
        if (!t->saved) unlink(t->partial);
        rc = -1;
    } else if (meta_close(t->file, complete, sim_end_unix)) {
        rc = -1;
        if (err) h5_error(err, errlen, t->partial);
        seal(t);
    }
    for (int i = 0; i < SIM_DS_COUNT; i++) {
        if (t->ds[i] >= 0) H5Dclose(t->ds[i]);
        if (t->mtype[i] >= 0 && sim_schema_dataset((sim_ds)i)->type == SIM_ELEM_RECORD)
            H5Tclose(t->mtype[i]);
    }
    for (int i = 0; i < SIM_DS_COUNT; i++) free(t->grow[i].buf);
    free(t->scratch);
    free(t->enc);
    sim_chunk_coder_free(t->coder);
    if (H5Fclose(t->file) < 0 && rc == 0) {
        rc = -1;
        if (err) h5_error(err, errlen, t->partial);
    }
    if (rc == 0 && complete) {
        if (rename_into_place(t) != 0) {
            rc = -1;
            if (err)
                snprintf(err, errlen, "renaming %s to %s: %s", t->partial, t->out, strerror(errno));
            /* the file stays OUT.partial, which must not claim to be complete */
            hid_t f = H5Fopen(t->partial, H5F_ACC_RDWR, H5P_DEFAULT);
            if (f >= 0) {
                meta_close(f, 0, sim_end_unix);
                H5Fclose(f);
            }
        } else {
            snprintf(final_path, sizeof final_path, "%s", t->out);
        }
    }
    free(t);
    return rc;
}
