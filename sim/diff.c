/* `metersim diff`: opening the traces, the households, the half-hourly matrices and the
 * final tables; events, groups, scenario keys and the report are in diff_*.c. */
#include "diff_int.h"

#include "sim/timeutil.h"
#include "sim/units.h"

#include <hdf5.h>

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_HH 4096u      /* households per block read */
#define BLOCK_PERIODS 336u  /* settlement periods per block read: one week */
#define ANY_COLS UINT64_MAX /* open_int: any second dimension */

/* The half-hourly channels are SIM_DS_IMPORT + c: their paths, and their keys as the
 * report names them ("import_wh" .. "gas_wh"), come from the trace's declaration. */
#define N_HALFHOURLY (SIM_HALFHOURLY_GAS + 1)

static const sim_dataset_decl *channel_decl(int c)
{
    return sim_schema_dataset((sim_ds)(SIM_DS_IMPORT + c));
}

int diff_fail(diff *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->err, d->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

hh_diff *diff_record(diff *d, uint32_t row)
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
    h->first.kind = -1;
    d->rec[row] = (int32_t)d->nrecs++;
    return h;
}

hid_t diff_open_ds(diff *d, const trace *t, const char *path)
{
    if (H5Lexists(t->f, path, H5P_DEFAULT) <= 0) {
        diff_fail(d, "%s: no %s (not a metersim trace, or one cut short by a failed write, "
                     "which keeps no end-of-run tables)", t->path, path);
        return -1;
    }
    hid_t ds = H5Dopen2(t->f, path, H5P_DEFAULT);
    if (ds < 0) diff_fail(d, "%s: %s cannot be opened (damaged trace?)", t->path, path);
    return ds;
}

/* Whether DS is a one-dimensional table with the first NM members of record dataset D; its
 * rows in N. */
int diff_is_table(hid_t ds, const sim_dataset_decl *d, size_t nm, hsize_t *n)
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
    hid_t ds = diff_open_ds(d, t, path);
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
        diff_fail(d, "%s: %s is not %s%zu of shape %s", t->path, path,
             sign == H5T_SGN_NONE ? "uint" : "int", size * 8, want);
        H5Dclose(ds);
        return -1;
    }
    return ds;
}

int diff_read_block(hid_t ds, hid_t mtype, int rank, const hsize_t *off, const hsize_t *cnt,
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
        rc = diff_fail(d, "%s: not a metersim trace (no /meta metersim_version)", t->path);
    else if (st || sim_parse_date(t->meta.start, &t->start, NULL, 0))
        rc = diff_fail(d, "%s: /meta is missing attributes or has unreadable ones (damaged trace?)",
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
    hid_t ds = diff_open_ds(d, t, hd->path);
    if (ds < 0) return -1;
    hsize_t dim;
    int ok = diff_is_table(ds, hd, 1, &dim);
    int rc = 0;
    hid_t mt = -1;
    if (!ok) {
        rc = diff_fail(d, "%s: /households is not a one-dimensional table with an id column", t->path);
    } else if (dim != t->meta.households) {
        rc = diff_fail(d, "%s: /households rows disagree with /meta households (damaged trace?)",
                  t->path);
    } else if (!(*ids = malloc((dim ? dim : 1) * sizeof **ids))) {
        rc = diff_fail(d, "%s: out of memory", t->path);
    } else {
        mt = H5Tcreate(H5T_COMPOUND, sizeof(uint32_t));
        H5Tinsert(mt, id->name, 0, sim_schema_h5_native(id->type));
        for (hsize_t off = 0; off < dim && rc == 0; off += BLOCK_HH) {
            hsize_t cnt = dim - off < BLOCK_HH ? dim - off : BLOCK_HH;
            if (diff_read_block(ds, mt, 1, &off, &cnt, *ids + off))
                rc = diff_fail(d, "%s: cannot read /households (damaged trace?)", t->path);
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
        rc = diff_fail(d,
                  "%s and %s simulate different households: %" PRIu64 " and %" PRIu64
                  " households",
                  d->a.path, d->b.path, d->n, nb);
    for (uint64_t r = 0; rc == 0 && r < d->n; r++)
        if (d->ids[r] != idb[r])
            rc = diff_fail(d,
                      "%s and %s simulate different households: row %" PRIu64
                      " is household %" PRIu32 " in one and %" PRIu32 " in the other",
                      d->a.path, d->b.path, r, d->ids[r], idb[r]);
    free(idb);
    if (rc) return rc;
    /* The engine writes rows[id] = {.id = id}; row and id are then interchangeable, and the
     * events (which name households by id) can be matched to rows without a lookup. */
    for (uint64_t r = 0; r < d->n; r++)
        if (d->ids[r] != r)
            return diff_fail(d,
                        "%s: /households row %" PRIu64 " holds household %" PRIu32
                        "; metersim writes household ids in row order",
                        d->a.path, r, d->ids[r]);
    if (d->n >= NO_HOUSEHOLD) return diff_fail(d, "%s: too many households", d->a.path);
    d->rec = malloc((d->n + 1) * sizeof *d->rec);
    if (!d->rec) return diff_fail(d, "%s: out of memory", d->a.path);
    for (uint64_t r = 0; r <= d->n; r++) d->rec[r] = -1;
    return 0;
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
            diff_fail(d,
                 "%s: %s is not uint32 of shape [%" PRIu64 ", %" PRIu64 "] or [%" PRIu64
                 ", 0] (no gas)",
                 t->path, channel_decl(c)->path, d->n, t->periods, d->n);
            H5Dclose(ds);
            return -1;
        }
    }
    return ds;
}

/* One block of channel C (households H0.., NH of them, periods P0.., NP) of both traces in VA
 * and VB: each household's earliest divergence so far, and for import its totals. */
static int compare_block(diff *d, int c, uint64_t h0, size_t nh, uint64_t p0, size_t np,
                         const uint32_t *va, const uint32_t *vb, size_t *left)
{
    for (size_t i = 0; i < nh; i++) {
        const uint32_t *ra = va + i * np, *rb = vb + i * np;
        if (c == 0)
            for (size_t j = 0; j < np; j++) d->imp_delta[h0 + i] += (int64_t)rb[j] - ra[j];
        /* The earliest divergence so far; one before this block of periods is final, one
         * inside it may yet be undercut by a later channel. */
        int32_t k = d->rec[h0 + i];
        const hh_diff *found = k >= 0 && (d->recs[k].what & D_HALFHOURLY) ? &d->recs[k] : NULL;
        if (found && found->period < p0) continue;
        if (memcmp(ra, rb, np * sizeof *ra) == 0) continue;
        size_t j = 0;
        while (ra[j] == rb[j]) j++;
        if (found && p0 + j >= found->period) continue;
        if (!found) (*left)--;
        hh_diff *h = diff_record(d, (uint32_t)(h0 + i));
        if (!h) return diff_fail(d, "%s: out of memory", d->a.path);
        h->what |= D_HALFHOURLY;
        h->period = p0 + j;
        h->channel = (uint32_t)c;
        h->hh_a = ra[j];
        h->hh_b = rb[j];
    }
    return 0;
}

/* First divergent settlement period per household over the half-hourly channels (gas only when
 * both traces have it); at a tie the channel declared first wins.  Import is read whole for
 * its totals; the other channels only while some household of the block has not diverged. */
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
    d->imp_delta = rc ? NULL : calloc(d->n ? d->n : 1, sizeof *d->imp_delta);
    if (rc == 0 && (!va || !vb || !d->imp_delta)) rc = diff_fail(d, "%s: out of memory", d->a.path);
    for (uint64_t h0 = 0; rc == 0 && h0 < d->n; h0 += BLOCK_HH) {
        size_t nh = d->n - h0 < BLOCK_HH ? (size_t)(d->n - h0) : BLOCK_HH;
        size_t left = nh; /* households of the block not yet known to diverge */
        for (uint64_t p0 = 0; rc == 0 && p0 < d->periods; p0 += BLOCK_PERIODS) {
            size_t np = d->periods - p0 < BLOCK_PERIODS ? (size_t)(d->periods - p0)
                                                        : BLOCK_PERIODS;
            hsize_t off[2] = {h0, p0}, cnt[2] = {nh, np};
            for (int c = 0; rc == 0 && c < channels && (c == 0 || left); c++) {
                if (diff_read_block(da[c], H5T_NATIVE_UINT32, 2, off, cnt, va))
                    rc = diff_fail(d, "%s: cannot read %s (damaged trace?)", d->a.path,
                                   channel_decl(c)->path);
                else if (diff_read_block(db[c], H5T_NATIVE_UINT32, 2, off, cnt, vb))
                    rc = diff_fail(d, "%s: cannot read %s (damaged trace?)", d->b.path,
                                   channel_decl(c)->path);
                else
                    rc = compare_block(d, c, h0, nh, p0, np, va, vb, &left);
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
    if (rc == 0 && (!va || !vb)) rc = diff_fail(d, "%s: out of memory", d->a.path);
    /* Read as the file's own 64-bit type so no value is clipped; the difference is taken
     * modulo 2^64, which is the true delta for signed columns and for cyclic registers. */
    hid_t mt = sign == H5T_SGN_NONE ? H5T_NATIVE_UINT64 : H5T_NATIVE_INT64;
    for (uint64_t h0 = 0; rc == 0 && h0 < d->n; h0 += BLOCK_HH) {
        size_t nh = d->n - h0 < BLOCK_HH ? (size_t)(d->n - h0) : BLOCK_HH;
        hsize_t off[2] = {h0, 0}, cnt[2] = {nh, cols};
        if (diff_read_block(da, mt, 2, off, cnt, va))
            rc = diff_fail(d, "%s: cannot read %s (damaged trace?)", d->a.path, path);
        else if (diff_read_block(db, mt, 2, off, cnt, vb))
            rc = diff_fail(d, "%s: cannot read %s (damaged trace?)", d->b.path, path);
        for (size_t i = 0; rc == 0 && i < nh; i++) {
            if (flag == D_BILL)
                diff_prepay_infer(d, h0 + i, (int64_t)va[i * cols + SIM_BILL_AVAILABLE],
                                  (int64_t)vb[i * cols + SIM_BILL_AVAILABLE]);
            if (memcmp(va + i * cols, vb + i * cols, cols * sizeof *va) == 0) continue;
            hh_diff *h = diff_record(d, (uint32_t)(h0 + i));
            if (!h) {
                rc = diff_fail(d, "%s: out of memory", d->a.path);
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

int sim_diff(const char *path_a, const char *path_b, const sim_diff_opts *opts, FILE *out,
             char *err, size_t errlen)
{
    diff d = {.a = {.path = path_a, .f = -1}, .b = {.path = path_b, .f = -1}, .o = opts};
    d.err = err;
    d.errlen = errlen;
    int rc = trace_open(&d, &d.a);
    if (rc == 0) rc = trace_open(&d, &d.b);
    if (rc == 0) rc = households(&d);
    if (rc == 0) rc = diff_groups_read(&d);
    if (rc == 0) rc = halfhourly(&d);
    if (rc == 0) rc = final_table(&d, SIM_DS_REGISTERS, H5T_SGN_NONE, D_REGISTERS);
    if (d.a.has_billing && d.b.has_billing) {
        if (rc == 0) rc = final_table(&d, SIM_DS_BILLING, H5T_SGN_2, D_BILL);
    } else {
        d.bills_note = d.a.has_billing   ? "no billing data in B"
                       : d.b.has_billing ? "no billing data in A"
                                         : "no billing data";
    }
    /* With different run lengths only events inside the common periods are comparable. */
    d.events_until = d.a.periods == d.b.periods ? INFINITY : (double)d.periods * SIM_PERIOD_S;
    if (rc == 0) rc = diff_events(&d);
    if (rc == 0) rc = diff_groups_sum(&d);
    if (rc == 0) rc = diff_keys(&d);
    if (rc == 0) rc = opts->json ? diff_report_json(&d, out) : diff_report(&d, out);
    for (int k = 0; k < 2; k++) {
        trace *t = k ? &d.b : &d.a;
        free(t->yaml);
        if (t->f >= 0) H5Fclose(t->f);
    }
    diff_free_extras(&d);
    free(d.ids);
    free(d.rec);
    free(d.recs);
    return rc;
}
