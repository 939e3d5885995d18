#include "diff.h"

#include "info.h"
#include "sim/events.h"
#include "sim/rng.h"
#include "sim/timeutil.h"
#include "sim/units.h"
#include "output/schema.h"

#include <hdf5.h>

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_HH 4096u      /* households per block read */
#define BLOCK_PERIODS 336u  /* settlement periods per block read: one week */
#define BLOCK_EVENTS 65536u /* event records per block read */
#define NO_HOUSEHOLD UINT32_MAX
#define ANY_COLS UINT64_MAX /* open_int: any second dimension */

/* The half-hourly channels are SIM_DS_IMPORT + c: their paths, and their keys as the
 * report names them ("import_wh" .. "gas_wh"), come from the trace's declaration. */
#define N_HALFHOURLY (SIM_HALFHOURLY_GAS + 1)

static const sim_dataset_decl *channel_decl(int c)
{
    return sim_schema_dataset((sim_ds)(SIM_DS_IMPORT + c));
}

enum { D_HALFHOURLY = 1, D_REGISTERS = 2, D_BILL = 4, D_EVENTS = 8 };
enum { KIND_ALERT, KIND_RECORD }; /* GBCS alert 0x8000-0xFFFF; simulator record or other */

typedef struct trace {
    const char *path;
    hid_t f;
    sim_h5_meta meta;   /* /meta attributes */
    char *yaml;         /* resolved scenario text, NULL when absent */
    int64_t start;      /* sim_start [unix s] */
    uint64_t periods;   /* half-hourly columns of import_wh */
    int has_gas;        /* the gas matrix has periods */
    int has_billing;
} trace;

/* One diverging household (or the events of no household, row == n). */
typedef struct hh_diff {
    uint32_t row;
    uint32_t what;                     /* D_* */
    uint64_t period;                   /* first divergent settlement period */
    uint32_t channel;                  /* half-hourly channel (channel_decl) */
    uint32_t hh_a, hh_b;               /* half-hourly values there [Wh or varh] */
    int64_t reg[SIM_REG_NCOLS];        /* registers B - A [Wh or varh], modulo 2^64 */
    int64_t bill[SIM_BILL_NCOLS];      /* B - A: cost [1e-8 p], balance, available [1e-5 GBP] */
    uint32_t only_a[2], only_b[2];     /* events in one run only, by KIND_* */
    int has_first_a, has_first_b;      /* first unmatched event of each side */
    sim_event first_a, first_b;
} hh_diff;

typedef struct diff {
    trace a, b;
    uint64_t n;        /* households */
    uint32_t *ids;     /* [n] household ids in row order, ids[r] == r (households()) */
    int32_t *rec;      /* [n + 1] index into recs, -1 none; stale once events() sorts recs */
    hh_diff *recs;     /* sorted by row once events() has run */
    size_t nrecs, caprecs;
    size_t listed;     /* recs listed in the report (--max) */
    uint64_t periods;  /* compared (common prefix) */
    double events_until; /* events compared with t_s below this [s] */
    char *err;
    size_t errlen;
} diff;

/* The reason into d->err; -1. */
static int fail(diff *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(diff *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, d->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* The record of ROW, created on first use; NULL when out of memory. */
static hh_diff *record(diff *d, uint32_t row)
{
    if (d->rec[row] >= 0) return &d->recs[d->rec[row]];
    if (d->nrecs == d->caprecs) {
        size_t cap = d->caprecs ? 2 * d->caprecs : 256;
        hh_diff *r = realloc(d->recs, cap * sizeof *r);
        if (!r) return NULL;
        d->recs = r;
        d->caprecs = cap;
    }
    hh_diff *h = &d->recs[d->nrecs];
    memset(h, 0, sizeof *h);
    h->row = row;
    d->rec[row] = (int32_t)d->nrecs++;
    return h;
}

/* PATH of T opened; -1 with the reason in d->err when it is absent or cannot be opened. */
static hid_t open_ds(diff *d, const trace *t, const char *path)
{
    if (H5Lexists(t->f, path, H5P_DEFAULT) <= 0) {
        fail(d, "%s: not a metersim trace (no %s)", t->path, path);
        return -1;
    }
    hid_t ds = H5Dopen2(t->f, path, H5P_DEFAULT);
    if (ds < 0) fail(d, "%s: %s cannot be opened (damaged trace?)", t->path, path);
    return ds;
}

/* Whether DS is a one-dimensional table with the first NM members of record dataset D; its
 * rows in N. */
static int is_table(hid_t ds, const sim_dataset_decl *d, size_t nm, hsize_t *n)
{
    hid_t ty = H5Dget_type(ds), sp = H5Dget_space(ds);
    int ok = H5Tget_class(ty) == H5T_COMPOUND && H5Sget_simple_extent_ndims(sp) == 1;
    for (size_t i = 0; ok && i < nm && i < d->nmembers; i++)
        ok = H5Tget_member_index(ty, d->members[i].name) >= 0;
    *n = 0;
    if (ok) H5Sget_simple_extent_dims(sp, n, NULL);
    H5Tclose(ty);
    H5Sclose(sp);
    return ok;
}

/* Open PATH as an integer dataset of SIZE-byte elements of SIGN and RANK whose first dimension
 * is ROWS (and second COLS, unless COLS is ANY_COLS); its dimensions in DIMS. */
static hid_t open_int(diff *d, const trace *t, const char *path, size_t size, H5T_sign_t sign,
                      int rank, uint64_t rows, uint64_t cols, hsize_t dims[2])
{
    hid_t ds = open_ds(d, t, path);
    if (ds < 0) return -1;
    hid_t ty = H5Dget_type(ds), sp = H5Dget_space(ds);
    int ok = H5Tget_class(ty) == H5T_INTEGER && H5Tget_size(ty) == size &&
             H5Tget_sign(ty) == sign && H5Sget_simple_extent_ndims(sp) == rank;
    dims[0] = dims[1] = 0;
    if (ok) H5Sget_simple_extent_dims(sp, dims, NULL);
    ok = ok && dims[0] == rows && (cols == ANY_COLS || dims[1] == cols);
    H5Tclose(ty);
    H5Sclose(sp);
    if (!ok) {
        char want[64];
        if (cols != ANY_COLS)
            snprintf(want, sizeof want, "[%" PRIu64 ", %" PRIu64 "]", rows, cols);
        else if (rank == 2)
            snprintf(want, sizeof want, "[%" PRIu64 ", period]", rows);
        else
            snprintf(want, sizeof want, "[%" PRIu64 "]", rows);
        fail(d, "%s: %s is not %s%zu of shape %s", t->path, path,
             sign == H5T_SGN_NONE ? "uint" : "int", size * 8, want);
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

/* Read the hyperslab OFF + CNT of DS into BUF as MTYPE. */
static int read_block(hid_t ds, hid_t mtype, int rank, const hsize_t *off, const hsize_t *cnt,
                      void *buf)
{
    hid_t fs = H5Dget_space(ds);
    hid_t ms = H5Screate_simple(rank, cnt, NULL);
    herr_t rc = H5Sselect_hyperslab(fs, H5S_SELECT_SET, off, NULL, cnt, NULL);
    if (rc >= 0) rc = H5Dread(ds, mtype, ms, fs, H5P_DEFAULT, buf);
    H5Sclose(ms);
    H5Sclose(fs);
    return rc < 0 ? -1 : 0;
}

static int trace_open(diff *d, trace *t)
{
    t->f = sim_h5_open(t->path, d->err, d->errlen);
    if (t->f < 0) return -1;
    hid_t meta;
    int st = sim_h5_meta_read(t->f, &meta, &t->meta);
    int rc = 0;
    if (st == SIM_H5_NOT_TRACE)
        rc = fail(d, "%s: not a metersim trace (no /meta metersim_version)", t->path);
    else if (st || sim_parse_date(t->meta.start, &t->start, NULL, 0))
        rc = fail(d, "%s: /meta is missing attributes or has unreadable ones (damaged trace?)",
                  t->path);
    if (rc == 0) {
        t->yaml = sim_h5_attr_text(meta, sim_schema_meta_name(SIM_META_SCENARIO_YAML));
        t->has_billing = /* as in open_ds */
            H5Lexists(t->f, sim_schema_dataset(SIM_DS_BILLING)->path, H5P_DEFAULT) > 0;
    }
    if (meta >= 0) H5Gclose(meta);
    return rc;
}

/* The household ids of T in row order into IDS ([n]). */
static int read_ids(diff *d, const trace *t, uint64_t *n, uint32_t **ids)
{
    *ids = NULL;
    const sim_dataset_decl *hd = sim_schema_dataset(SIM_DS_HOUSEHOLDS);
    const sim_member *id = &hd->members[0]; /* the id, which is all diff needs */
    hid_t ds = open_ds(d, t, hd->path);
    if (ds < 0) return -1;
    hsize_t dim;
    int ok = is_table(ds, hd, 1, &dim);
    int rc = 0;
    hid_t mt = -1;
    if (!ok) {
        rc = fail(d, "%s: /households is not a one-dimensional table with an id column", t->path);
    } else if (dim != t->meta.households) {
        rc = fail(d, "%s: /households rows disagree with /meta households (damaged trace?)",
                  t->path);
    } else if (!(*ids = malloc((dim ? dim : 1) * sizeof **ids))) {
        rc = fail(d, "%s: out of memory", t->path);
    } else {
        mt = H5Tcreate(H5T_COMPOUND, sizeof(uint32_t));
        H5Tinsert(mt, id->name, 0, sim_schema_h5_native(id->type));
        for (hsize_t off = 0; off < dim && rc == 0; off += BLOCK_HH) {
            hsize_t cnt = dim - off < BLOCK_HH ? dim - off : BLOCK_HH;
            if (read_block(ds, mt, 1, &off, &cnt, *ids + off))
                rc = fail(d, "%s: cannot read /households (damaged trace?)", t->path);
        }
        H5Tclose(mt);
    }
    H5Dclose(ds);
    *n = dim;
    return rc;
}

static int households(diff *d)
{
    uint64_t nb = 0;
    uint32_t *idb = NULL;
    if (read_ids(d, &d->a, &d->n, &d->ids) || read_ids(d, &d->b, &nb, &idb)) {
        free(idb);
        return -1;
    }
    int rc = 0;
    if (nb != d->n)
        rc = fail(d,
                  "%s and %s simulate different households: %" PRIu64 " and %" PRIu64
                  " households",
                  d->a.path, d->b.path, d->n, nb);
    for (uint64_t r = 0; rc == 0 && r < d->n; r++)
        if (d->ids[r] != idb[r])
            rc = fail(d,
                      "%s and %s simulate different households: row %" PRIu64
                      " is household %" PRIu32 " in one and %" PRIu32 " in the other",
                      d->a.path, d->b.path, r, d->ids[r], idb[r]);
    free(idb);
    if (rc) return rc;
    /* The engine writes rows[id] = {.id = id}; row and id are then interchangeable, and the
     * events (which name households by id) can be matched to rows without a lookup. */
    for (uint64_t r = 0; r < d->n; r++)
        if (d->ids[r] != r)
            return fail(d,
                        "%s: /households row %" PRIu64 " holds household %" PRIu32
                        "; metersim writes household ids in row order",
                        d->a.path, r, d->ids[r]);
    if (d->n >= NO_HOUSEHOLD) return fail(d, "%s: too many households", d->a.path);
    d->rec = malloc((d->n + 1) * sizeof *d->rec);
    if (!d->rec) return fail(d, "%s: out of memory", d->a.path);
    for (uint64_t r = 0; r <= d->n; r++) d->rec[r] = -1;
    return 0;
}

/* The row of household ID (d->n for NO_HOUSEHOLD), or -1 when the trace has no such household. */
static int64_t row_of(const diff *d, uint32_t id)
{
    if (id == NO_HOUSEHOLD) return (int64_t)d->n;
    return id < d->n ? (int64_t)id : -1;
}

/* Half-hourly channel C of T.  Channel 0 gives t->periods; the other electricity channels must
 * have as many periods (collect.c writes them together), the gas matrix as many or none: it
 * has no periods when the load model has no gas (load.model basic). */
static hid_t open_channel(diff *d, trace *t, int c)
{
    hsize_t dims[2];
    uint64_t cols = c == 0 || c == SIM_HALFHOURLY_GAS ? ANY_COLS : t->periods;
    hid_t ds = open_int(d, t, channel_decl(c)->path, 4, H5T_SGN_NONE, 2, d->n, cols, dims);
    if (ds < 0) return -1;
    if (c == 0) t->periods = dims[1];
    if (c == SIM_HALFHOURLY_GAS) {
        t->has_gas = dims[1] > 0;
        if (t->has_gas && dims[1] != t->periods) {
            fail(d,
                 "%s: %s is not uint32 of shape [%" PRIu64 ", %" PRIu64 "] or [%" PRIu64
                 ", 0] (no gas)",
                 t->path, channel_decl(c)->path, d->n, t->periods, d->n);
            H5Dclose(ds);
            return -1;
        }
    }
    return ds;
}

/* First divergent settlement period per household over the half-hourly channels (gas only when
 * both traces have it); at a tie the channel declared first wins. */
static int halfhourly(diff *d)
{
    hid_t da[N_HALFHOURLY], db[N_HALFHOURLY];
    for (int c = 0; c < N_HALFHOURLY; c++) da[c] = db[c] = -1;
    int rc = 0;
    for (int c = 0; c < N_HALFHOURLY && rc == 0; c++) {
        da[c] = open_channel(d, &d->a, c);
        db[c] = da[c] < 0 ? -1 : open_channel(d, &d->b, c);
        if (da[c] < 0 || db[c] < 0) rc = -1;
    }
    d->periods = d->a.periods < d->b.periods ? d->a.periods : d->b.periods;
    int channels = d->a.has_gas && d->b.has_gas ? N_HALFHOURLY : SIM_HALFHOURLY_CHANNELS;
    size_t cells = (size_t)BLOCK_HH * BLOCK_PERIODS;
    uint32_t *va = rc ? NULL : malloc(cells * sizeof *va);
    uint32_t *vb = rc ? NULL : malloc(cells * sizeof *vb);
    if (rc == 0 && (!va || !vb)) rc = fail(d, "%s: out of memory", d->a.path);
    for (uint64_t h0 = 0; rc == 0 && h0 < d->n; h0 += BLOCK_HH) {
        size_t nh = d->n - h0 < BLOCK_HH ? (size_t)(d->n - h0) : BLOCK_HH;
        size_t left = nh; /* households of the block not yet known to diverge */
        for (uint64_t p0 = 0; rc == 0 && left && p0 < d->periods; p0 += BLOCK_PERIODS) {
            size_t np = d->periods - p0 < BLOCK_PERIODS ? (size_t)(d->periods - p0)
                                                        : BLOCK_PERIODS;
            hsize_t off[2] = {h0, p0}, cnt[2] = {nh, np};
            for (int c = 0; rc == 0 && c < channels; c++) {
                if (read_block(da[c], H5T_NATIVE_UINT32, 2, off, cnt, va)) {
                    rc = fail(d, "%s: cannot read %s (damaged trace?)", d->a.path,
                              channel_decl(c)->path);
                } else if (read_block(db[c], H5T_NATIVE_UINT32, 2, off, cnt, vb)) {
                    rc = fail(d, "%s: cannot read %s (damaged trace?)", d->b.path,
                              channel_decl(c)->path);
                }
                for (size_t i = 0; rc == 0 && i < nh; i++) {
                    /* The earliest divergence so far; one before this block of periods is
                     * final, one inside it may yet be undercut by a later channel. */
                    int32_t k = d->rec[h0 + i];
                    const hh_diff *found =
                        k >= 0 && (d->recs[k].what & D_HALFHOURLY) ? &d->recs[k] : NULL;
                    if (found && found->period < p0) continue;
                    const uint32_t *ra = va + i * np, *rb = vb + i * np;
                    if (memcmp(ra, rb, np * sizeof *ra) == 0) continue;
                    size_t j = 0;
                    while (ra[j] == rb[j]) j++;
                    if (found && p0 + j >= found->period) continue;
                    if (!found) left--;
                    hh_diff *h = record(d, (uint32_t)(h0 + i));
                    if (!h) {
                        rc = fail(d, "%s: out of memory", d->a.path);
                        break;
                    }
                    h->what |= D_HALFHOURLY;
                    h->period = p0 + j;
                    h->channel = (uint32_t)c;
                    h->hh_a = ra[j];
                    h->hh_b = rb[j];
                }
            }
        }
    }
    free(va);
    free(vb);
    for (int c = 0; c < N_HALFHOURLY; c++) {
        if (da[c] >= 0) H5Dclose(da[c]);
        if (db[c] >= 0) H5Dclose(db[c]);
    }
    return rc;
}

/* Per-household deltas B - A of a [household, column] integer table (registers or bills). */
static int final_table(diff *d, sim_ds id, H5T_sign_t sign, uint32_t flag)
{
    const char *path = sim_schema_dataset(id)->path;
    size_t cols = sim_schema_dataset(id)->ncols;
    hsize_t dims[2];
    hid_t da = open_int(d, &d->a, path, 8, sign, 2, d->n, cols, dims);
    hid_t db = da < 0 ? -1 : open_int(d, &d->b, path, 8, sign, 2, d->n, cols, dims);
    int rc = da < 0 || db < 0 ? -1 : 0;
    uint64_t *va = rc ? NULL : malloc(BLOCK_HH * cols * sizeof *va);
    uint64_t *vb = rc ? NULL : malloc(BLOCK_HH * cols * sizeof *vb);
    if (rc == 0 && (!va || !vb)) rc = fail(d, "%s: out of memory", d->a.path);
    /* Read as the file's own 64-bit type so no value is clipped; the difference is taken
     * modulo 2^64, which is the true delta for signed columns and for cyclic registers. */
    hid_t mt = sign == H5T_SGN_NONE ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64;
    for (uint64_t h0 = 0; rc == 0 && h0 < d->n; h0 += BLOCK_HH) {
        size_t nh = d->n - h0 < BLOCK_HH ? (size_t)(d->n - h0) : BLOCK_HH;
        hsize_t off[2] = {h0, 0}, cnt[2] = {nh, cols};
        if (read_block(da, mt, 2, off, cnt, va))
            rc = fail(d, "%s: cannot read %s (damaged trace?)", d->a.path, path);
        else if (read_block(db, mt, 2, off, cnt, vb))
            rc = fail(d, "%s: cannot read %s (damaged trace?)", d->b.path, path);
        for (size_t i = 0; rc == 0 && i < nh; i++) {
            if (memcmp(va + i * cols, vb + i * cols, cols * sizeof *va) == 0) continue;
            hh_diff *h = record(d, (uint32_t)(h0 + i));
            if (!h) {
                rc = fail(d, "%s: out of memory", d->a.path);
                break;
            }
            h->what |= flag;
            int64_t *delta = flag == D_BILL ? h->bill : h->reg;
            for (size_t k = 0; k < cols; k++)
                delta[k] = (int64_t)(vb[i * cols + k] - va[i * cols + k]);
        }
    }
    free(va);
    free(vb);
    if (da >= 0) H5Dclose(da);
    if (db >= 0) H5Dclose(db);
    return rc;
}

/* /events of T, one block at a time, each record with its row. */
typedef int (*event_fn)(diff *d, int side, uint32_t row, const sim_event *e, void *ctx);

static int each_event(diff *d, int side, event_fn fn, void *ctx)
{
    const trace *t = side ? &d->b : &d->a;
    const sim_dataset_decl *ed = sim_schema_dataset(SIM_DS_EVENTS);
    hid_t ds = open_ds(d, t, ed->path);
    if (ds < 0) return -1;
    hsize_t n;
    int rc = is_table(ds, ed, ed->nmembers, &n) ? 0
                : fail(d, "%s: /events is not a table of (t_s, household, code, value)", t->path);
    hid_t mt = rc ? -1 : sim_schema_h5_type(ed);
    if (rc == 0 && mt < 0) rc = fail(d, "%s: out of memory", t->path);
    sim_event *buf = rc ? NULL : malloc(BLOCK_EVENTS * sizeof *buf);
    if (rc == 0 && !buf) rc = fail(d, "%s: out of memory", t->path);
    for (hsize_t off = 0; rc == 0 && off < n; off += BLOCK_EVENTS) {
        hsize_t cnt = n - off < BLOCK_EVENTS ? n - off : BLOCK_EVENTS;
        if (read_block(ds, mt, 1, &off, &cnt, buf)) {
            rc = fail(d, "%s: cannot read /events (damaged trace?)", t->path);
            break;
        }
        for (size_t i = 0; rc == 0 && i < cnt; i++) {
            if (!(buf[i].t_s < d->events_until)) continue;
            int64_t row = row_of(d, buf[i].household);
            if (row < 0) {
                rc = fail(d, "%s: /events row %llu names household %" PRIu32
                             ", which /households lacks",
                          t->path, (unsigned long long)(off + i), buf[i].household);
            } else {
                rc = fn(d, side, (uint32_t)row, &buf[i], ctx);
            }
        }
    }
    free(buf);
    if (mt >= 0) H5Tclose(mt);
    H5Dclose(ds);
    return rc;
}

/* Per row and side: event count and an order-independent hash of the (t_s, code, value)
 * multiset, so that only households whose events differ are read again in detail. */
typedef struct event_sums {
    uint32_t *count[2];
    uint64_t *hash[2];
} event_sums;

static int sum_event(diff *d, int side, uint32_t row, const sim_event *e, void *ctx)
{
    (void)d;
    event_sums *s = ctx;
    uint64_t bits;
    memcpy(&bits, &e->t_s, sizeof bits);
    s->count[side][row]++;
    s->hash[side][row] += sim_hash64(sim_hash64(sim_hash64(bits) ^ e->code) ^ (uint64_t)e->value);
    return 0;
}

typedef struct row_event {
    uint32_t row;
    sim_event e;
} row_event;

typedef struct event_list {
    const uint8_t *wanted; /* [n + 1] rows listed in detail */
    row_event *v[2];
    size_t n[2], cap[2];
} event_list;

static int collect_event(diff *d, int side, uint32_t row, const sim_event *e, void *ctx)
{
    event_list *l = ctx;
    if (!l->wanted[row]) return 0;
    if (l->n[side] == l->cap[side]) {
        size_t cap = l->cap[side] ? 2 * l->cap[side] : 1024;
        row_event *v = realloc(l->v[side], cap * sizeof *v);
        if (!v) return fail(d, "%s: out of memory", d->a.path);
        l->v[side] = v;
        l->cap[side] = cap;
    }
    l->v[side][l->n[side]++] = (row_event){.row = row, .e = *e};
    return 0;
}

static int cmp_event(const sim_event *a, const sim_event *b)
{
    if (a->t_s != b->t_s) return a->t_s < b->t_s ? -1 : 1;
    if (a->code != b->code) return a->code < b->code ? -1 : 1;
    return (a->value > b->value) - (a->value < b->value);
}

static int cmp_row_event(const void *x, const void *y)
{
    const row_event *a = x, *b = y;
    if (a->row != b->row) return a->row < b->row ? -1 : 1;
    return cmp_event(&a->e, &b->e);
}

static int kind(uint32_t code)
{
    return code >= 0x8000 && code <= 0xFFFF ? KIND_ALERT : KIND_RECORD;
}

/* By row, which is by household id; the events of no household (row n) sort last. */
static int cmp_record_by_row(const void *x, const void *y)
{
    const hh_diff *a = x, *b = y;
    return (a->row > b->row) - (a->row < b->row);
}

/* Merge the sorted events of one row from both sides into H's counts and first differences. */
static void merge_row(hh_diff *h, const row_event *a, size_t na, const row_event *b, size_t nb)
{
    size_t i = 0, j = 0;
    while (i < na || j < nb) {
        int c = i == na ? 1 : j == nb ? -1 : cmp_event(&a[i].e, &b[j].e);
        if (c == 0) {
            i++;
            j++;
        } else if (c < 0) {
            if (!h->has_first_a) h->first_a = a[i].e;
            h->has_first_a = 1;
            h->only_a[kind(a[i++].e.code)]++;
        } else {
            if (!h->has_first_b) h->first_b = b[j].e;
            h->has_first_b = 1;
            h->only_b[kind(b[j++].e.code)]++;
        }
    }
}

static int events(diff *d, const sim_diff_opts *o)
{
    size_t slots = (size_t)d->n + 1;
    event_sums s = {{NULL, NULL}, {NULL, NULL}};
    int rc = 0;
    for (int k = 0; k < 2; k++) {
        s.count[k] = calloc(slots, sizeof *s.count[k]);
        s.hash[k] = calloc(slots, sizeof *s.hash[k]);
        if (!s.count[k] || !s.hash[k]) rc = fail(d, "%s: out of memory", d->a.path);
    }
    for (int k = 0; k < 2 && rc == 0; k++) rc = each_event(d, k, sum_event, &s);
    for (size_t r = 0; r < slots && rc == 0; r++) {
        if (s.count[0][r] == s.count[1][r] && s.hash[0][r] == s.hash[1][r]) continue;
        hh_diff *h = record(d, (uint32_t)r);
        if (!h) rc = fail(d, "%s: out of memory", d->a.path);
        else h->what |= D_EVENTS;
    }
    for (int k = 0; k < 2; k++) {
        free(s.count[k]);
        free(s.hash[k]);
    }
    if (rc) return rc;
    /* The listed households are the first --max by id: read their events in detail, unless
     * --quiet lists none. */
    if (d->nrecs) qsort(d->recs, d->nrecs, sizeof *d->recs, cmp_record_by_row);
    d->listed = o->max_lines && o->max_lines < d->nrecs ? o->max_lines : d->nrecs;
    if (o->quiet) return 0;
    uint8_t *wanted = calloc(slots, 1);
    event_list l = {.wanted = wanted};
    if (!wanted) return fail(d, "%s: out of memory", d->a.path);
    size_t nwanted = 0;
    for (size_t i = 0; i < d->listed; i++)
        if (d->recs[i].what & D_EVENTS) {
            wanted[d->recs[i].row] = 1;
            nwanted++;
        }
    for (int k = 0; k < 2 && rc == 0 && nwanted; k++) rc = each_event(d, k, collect_event, &l);
    if (rc == 0 && nwanted) {
        for (int k = 0; k < 2; k++)
            if (l.n[k]) qsort(l.v[k], l.n[k], sizeof *l.v[k], cmp_row_event);
        size_t ia = 0, ib = 0;
        for (size_t i = 0; i < d->listed; i++) {
            hh_diff *h = &d->recs[i];
            if (!(h->what & D_EVENTS)) continue;
            while (ia < l.n[0] && l.v[0][ia].row < h->row) ia++;
            while (ib < l.n[1] && l.v[1][ib].row < h->row) ib++;
            size_t ea = ia, eb = ib;
            while (ea < l.n[0] && l.v[0][ea].row == h->row) ea++;
            while (eb < l.n[1] && l.v[1][eb].row == h->row) eb++;
            merge_row(h, l.v[0] + ia, ea - ia, l.v[1] + ib, eb - ib);
        }
    }
    free(l.v[0]);
    free(l.v[1]);
    free(wanted);
    return rc;
}

/* V in units of 10^-DIGITS, exactly, with its sign: "+1.50000000". */
static void print_fixed(FILE *out, int64_t v, int digits)
{
    uint64_t scale = 1;
    for (int i = 0; i < digits; i++) scale *= 10;
    uint64_t m = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    fprintf(out, "%c%" PRIu64 ".%0*" PRIu64, v < 0 ? '-' : '+', m / scale, digits, m % scale);
}

static void print_event_time(FILE *out, const diff *d, double t_s)
{
    char iso[32];
    sim_time_iso(d->a.start + (int64_t)t_s, iso, sizeof iso);
    fprintf(out, "%s (t_s %.3f)", iso, t_s);
}

static void print_household(FILE *out, const diff *d, const hh_diff *h)
{
    if (h->row < d->n)
        fprintf(out, "household %" PRIu32 ":", d->ids[h->row]);
    else
        fprintf(out, "household none:");
    const char *sep = " ";
    if (h->what & D_HALFHOURLY) {
        char iso[32];
        sim_time_iso(d->a.start + (int64_t)h->period * SIM_PERIOD_S, iso, sizeof iso);
        fprintf(out, "%shalf-hourly from %s (period %" PRIu64 ") %s A=%" PRIu32 " B=%" PRIu32,
                sep, iso, h->period, channel_decl((int)h->channel)->key, h->hh_a, h->hh_b);
        sep = "; ";
    }
    if (h->what & D_REGISTERS) {
        fprintf(out, "%sregisters B-A", sep);
        const sim_dataset_decl *rd = sim_schema_dataset(SIM_DS_REGISTERS);
        for (int k = 0; k < SIM_REG_NCOLS; k++)
            if (h->reg[k]) fprintf(out, " %s=%+" PRId64, rd->cols[k].name, h->reg[k]);
        sep = "; ";
    }
    if (h->what & D_BILL) {
        const sim_column *bc = sim_schema_dataset(SIM_DS_BILLING)->cols;
        fprintf(out, "%sbill B-A %s=", sep, bc[SIM_BILL_COST].name);
        print_fixed(out, h->bill[SIM_BILL_COST], 8); /* 1e-8 pence -> pence */
        fprintf(out, " p %s=", bc[SIM_BILL_BALANCE].name);
        print_fixed(out, h->bill[SIM_BILL_BALANCE], 5); /* 1e-5 GBP -> GBP */
        fprintf(out, " GBP %s=", bc[SIM_BILL_AVAILABLE].name);
        print_fixed(out, h->bill[SIM_BILL_AVAILABLE], 5);
        fprintf(out, " GBP");
        sep = "; ";
    }
    if (h->what & D_EVENTS) {
        fprintf(out,
                "%sevents only-A %" PRIu32 " (%" PRIu32 " GBCS alerts, %" PRIu32
                " simulator records) only-B %" PRIu32 " (%" PRIu32 " GBCS alerts, %" PRIu32
                " simulator records)",
                sep, h->only_a[0] + h->only_a[1], h->only_a[KIND_ALERT], h->only_a[KIND_RECORD],
                h->only_b[0] + h->only_b[1], h->only_b[KIND_ALERT], h->only_b[KIND_RECORD]);
        const sim_event *e = NULL;
        int both = h->has_first_a && h->has_first_b && h->first_a.t_s == h->first_b.t_s &&
                   h->first_a.code == h->first_b.code;
        if (h->has_first_a && (!h->has_first_b || cmp_event(&h->first_a, &h->first_b) <= 0))
            e = &h->first_a;
        else if (h->has_first_b)
            e = &h->first_b;
        if (e) {
            fprintf(out, ", first at ");
            print_event_time(out, d, e->t_s);
            fprintf(out, " code 0x%" PRIX32 " %s %s", e->code,
                    kind(e->code) == KIND_ALERT ? "GBCS" : "simulator", sim_event_name(e->code));
            if (both)
                fprintf(out, " A value=%" PRId64 " B value=%" PRId64, h->first_a.value,
                        h->first_b.value);
            else if (e == &h->first_a)
                fprintf(out, " A value=%" PRId64 " B absent", e->value);
            else
                fprintf(out, " A absent B value=%" PRId64, e->value);
        }
    }
    fputc('\n', out);
}

static void print_trace(FILE *out, const char *label, const trace *t)
{
    fprintf(out, "%s: %s (metersim %s, firmware %s, seed %" PRIu64 ", %s, %" PRIu64 " periods)\n",
            label, t->path, t->meta.version, t->meta.firmware, t->meta.seed,
            t->meta.complete ? "complete" : "incomplete", t->periods);
}

static int report(const diff *d, const sim_diff_opts *o, FILE *out, const char *bills_note)
{
    print_trace(out, "A", &d->a);
    print_trace(out, "B", &d->b);
    int same_yaml = d->a.yaml && d->b.yaml && strcmp(d->a.yaml, d->b.yaml) == 0;
    fprintf(out, "scenario: %s\n", same_yaml ? "same resolved text" : "resolved texts differ");
    if (!same_yaml)
        fprintf(out, "warning: the resolved scenarios differ (seed, --set or scenario file); "
                     "divergence is expected\n");
    if (d->a.periods == d->b.periods)
        fprintf(out, "periods: %" PRIu64 " compared\n", d->periods);
    else
        fprintf(out,
                "periods: %" PRIu64 " compared, the common prefix (A has %" PRIu64
                ", B has %" PRIu64 "); events compared before the end of that prefix\n",
                d->periods, d->a.periods, d->b.periods);
    size_t by[4] = {0, 0, 0, 0}, diverging = 0;
    for (size_t i = 0; i < d->nrecs; i++) {
        if (d->recs[i].row == d->n) continue; /* events of no household, reported apart */
        diverging++;
        for (int k = 0; k < 4; k++)
            if (d->recs[i].what & (1u << k)) by[k]++;
    }
    fprintf(out, "households compared: %" PRIu64 "\n", d->n);
    fprintf(out, "households diverging: %zu\n", diverging);
    fprintf(out, "  half-hourly: %zu\n", by[0]);
    fprintf(out, "  registers: %zu\n", by[1]);
    if (bills_note)
        fprintf(out, "  bills: %s\n", bills_note);
    else
        fprintf(out, "  bills: %zu\n", by[2]);
    fprintf(out, "  events: %zu\n", by[3]);
    if (d->nrecs && d->recs[d->nrecs - 1].row == d->n)
        fprintf(out, "  events of no household differ\n");
    if (!o->quiet) {
        for (size_t i = 0; i < d->listed; i++) print_household(out, d, &d->recs[i]);
        if (d->listed < d->nrecs)
            fprintf(out, "... %zu more not listed (--max 0 lists all)\n", d->nrecs - d->listed);
    }
    return d->nrecs || d->a.periods != d->b.periods ? 1 : 0;
}

int sim_diff(const char *path_a, const char *path_b, const sim_diff_opts *opts, FILE *out,
             char *err, size_t errlen)
{
    diff d = {.a = {.path = path_a, .f = -1}, .b = {.path = path_b, .f = -1}};
    d.err = err;
    d.errlen = errlen;
    int rc = trace_open(&d, &d.a);
    if (rc == 0) rc = trace_open(&d, &d.b);
    if (rc == 0) rc = households(&d);
    if (rc == 0) rc = halfhourly(&d);
    if (rc == 0) rc = final_table(&d, SIM_DS_REGISTERS, H5T_SGN_NONE, D_REGISTERS);
    const char *bills_note = NULL;
    if (d.a.has_billing && d.b.has_billing) {
        if (rc == 0) rc = final_table(&d, SIM_DS_BILLING, H5T_SGN_2, D_BILL);
    } else {
        bills_note = d.a.has_billing   ? "no billing data in B"
                     : d.b.has_billing ? "no billing data in A"
                                       : "no billing data";
    }
    /* With different run lengths only events inside the common periods are comparable. */
    d.events_until = d.a.periods == d.b.periods ? INFINITY : (double)d.periods * SIM_PERIOD_S;
    if (rc == 0) rc = events(&d, opts);
    if (rc == 0) rc = report(&d, opts, out, bills_note);
    for (int k = 0; k < 2; k++) {
        trace *t = k ? &d.b : &d.a;
        free(t->yaml);
        if (t->f >= 0) H5Fclose(t->f);
    }
    free(d.ids);
    free(d.rec);
    free(d.recs);
    return rc;
}
