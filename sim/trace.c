#include "trace.h"

#include "sim/timeutil.h"

#include <hdf5.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef enum elem { E_U32, E_U64, E_I64, E_F64, E_HOUSEHOLD, E_EVENT } elem;
typedef enum shape {
    S_HH,        /* [household] */
    S_HH_PERIOD, /* [household, period (growing)] */
    S_HH_CH,     /* [household, SIM_TRACE_CHANNELS] */
    S_HH_BILL,   /* [household, SIM_TRACE_BILL_COLS] */
    S_SERIES,    /* [time (growing)] */
    S_TIME_AREA, /* [time (growing), area] */
} shape;

enum {
    DS_HOUSEHOLDS,
    DS_IMPORT,
    DS_EXPORT,
    DS_RIMPORT,
    DS_REXPORT,
    DS_GAS,
    DS_REGISTERS,
    DS_BILLING,
    DS_EVENTS,
    DS_ARRIVALS,
    DS_DEMAND,
    DS_CELL_ARRIVALS,
    DS_CELL_QUEUE,
    DS_COUNT
};

/* The declaration every dataset is created from, in DS_* order (decls[id].id == id). */
static const struct decl {
    int id;
    const char *path;
    elem type;
    shape shape;
    const char *units;
    const char *description;
} decls[DS_COUNT] = {
    {DS_HOUSEHOLDS, "/households", E_HOUSEHOLD, S_HH, "-",
     "one row per household: id, area (SimGrid area = WAN cell), lv_substation, primary, region "
     "(1-based DNO licence area), feeder (LV feeder of its substation), dwelling (0 house, 1 flat), "
     "occupants (0 = not modelled), heating (0 unmodelled, 1 gas, 2 heat pump, 3 other), ev (0 none, "
     "1 on arrival, 2 smart), pv_kwp, wan_tech (0 long-range radio, 1 cellular, 2 SMETS1, 3 mesh, "
     "255 uniform WAN), mesh_hops"},
    {DS_IMPORT, "/meter/halfhourly/import_wh", E_U32, S_HH_PERIOD, "Wh",
     "active import energy per household per settlement period, from the meter's profile log"},
    {DS_EXPORT, "/meter/halfhourly/export_wh", E_U32, S_HH_PERIOD, "Wh",
     "active export energy per household per settlement period"},
    {DS_RIMPORT, "/meter/halfhourly/reactive_import_varh", E_U32, S_HH_PERIOD, "varh",
     "reactive import (lagging) energy per household per settlement period"},
    {DS_REXPORT, "/meter/halfhourly/reactive_export_varh", E_U32, S_HH_PERIOD, "varh",
     "reactive export (leading) energy per household per settlement period"},
    {DS_GAS, "/meter/gas/halfhourly_wh", E_U32, S_HH_PERIOD, "Wh",
     "gas energy per household per settlement period (space heating and hot water; 0 periods "
     "when the load model has no gas)"},
    {DS_REGISTERS, "/meter/registers/final", E_U64, S_HH_CH, "Wh|varh",
     "cumulative registers at the end of the run; columns: active import [Wh], active export "
     "[Wh], reactive import [varh], reactive export [varh]; cyclic at 10^register_digits"},
    {DS_BILLING, "/meter/billing/final", E_I64, S_HH_BILL, "1e-8 p|1e-5 GBP|1e-5 GBP",
     "the firmware's bill at the end of the run; columns: tariff cost since commissioning "
     "[1e-8 p], credit balance [1e-5 GBP], credit available [1e-5 GBP] (prepayment; 0 on "
     "credit meters)"},
    {DS_EVENTS, "/events", E_EVENT, S_SERIES, "t_s: s since start; value: per code",
     "appended event records (t_s, household, code, value); codes: GBCS alerts 0x8000-0xFFFF, "
     "simulator records from 0x10000 (see README)"},
    {DS_ARRIVALS, "/network/headend/arrivals", E_U32, S_SERIES, "messages/s",
     "messages arriving at the head-end in each simulated second from the start"},
    {DS_DEMAND, "/grid/demand_w", E_F64, S_SERIES, "W",
     "mean total demand of all households in each simulated minute from the start"},
    {DS_CELL_ARRIVALS, "/network/cells/arrivals", E_U32, S_TIME_AREA, "messages/s",
     "messages entering each area's cell queue (columns: areas, as /network/areas) in each "
     "simulated second (rows) from the start"},
    {DS_CELL_QUEUE, "/network/cells/queue", E_U32, S_TIME_AREA, "messages",
     "longest cell queue a message found on entering, per area and simulated second (0 when "
     "nothing entered)"},
};

struct sim_trace {
    hid_t file;
    hid_t ds[DS_COUNT];
    hid_t t_household, t_event;
    char out[1024];
    char partial[1040];
    uint64_t households;
    uint64_t events;
    uint32_t areas;
};

static char final_path[1040];

const char *sim_trace_final_path(void)
{
    return final_path;
}

/* The innermost message of the HDF5 error stack, for a human-readable report. */
static herr_t last_err_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    (void)n;
    snprintf(data, 256, "%s", e->desc ? e->desc : "unknown HDF5 error");
    return 0;
}

static void h5_error(char *err, size_t errlen, const char *what)
{
    char msg[256] = "unknown HDF5 error";
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, last_err_cb, msg);
    snprintf(err, errlen, "%s: %s", what, msg);
}

/* Columns of a [household, column] table. */
static hsize_t table_cols(shape sh)
{
    return sh == S_HH_CH ? SIM_TRACE_CHANNELS : SIM_TRACE_BILL_COLS;
}

static hid_t elem_type(const sim_trace *t, elem e)
{
    switch (e) {
    case E_U32:
        return H5T_NATIVE_UINT32;
    case E_U64:
        return H5T_NATIVE_UINT64;
    case E_I64:
        return H5T_NATIVE_INT64;
    case E_F64:
        return H5T_NATIVE_DOUBLE;
    case E_HOUSEHOLD:
        return t->t_household;
    case E_EVENT:
        return t->t_event;
    }
    return -1;
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

static hid_t create_dataset(sim_trace *t, const struct decl *d, const sim_trace_info *info)
{
    hsize_t dims[2], maxd[2], chunk[2];
    int rank = 1;
    hsize_t n = info->households;
    hsize_t ch = info->chunk_households < n ? info->chunk_households : n;
    if (ch == 0) ch = 1;
    switch (d->shape) {
    case S_HH:
        dims[0] = maxd[0] = n;
        chunk[0] = ch;
        break;
    case S_HH_PERIOD:
        rank = 2;
        dims[0] = maxd[0] = n;
        dims[1] = 0;
        maxd[1] = H5S_UNLIMITED;
        chunk[0] = ch;
        chunk[1] = 48; /* one day of settlement periods */
        break;
    case S_HH_CH:
    case S_HH_BILL:
        rank = 2;
        dims[0] = maxd[0] = n;
        dims[1] = maxd[1] = table_cols(d->shape);
        chunk[0] = ch;
        chunk[1] = dims[1];
        break;
    case S_SERIES:
        dims[0] = 0;
        maxd[0] = H5S_UNLIMITED;
        chunk[0] = d->type == E_EVENT ? 4096 : 3600;
        break;
    case S_TIME_AREA:
        rank = 2;
        dims[0] = 0;
        maxd[0] = H5S_UNLIMITED;
        dims[1] = maxd[1] = info->areas;
        chunk[0] = 600;
        chunk[1] = info->areas == 0 ? 1 : info->areas < 256 ? info->areas : 256;
        break;
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
    hid_t ds = H5Dcreate2(t->file, d->path, elem_type(t, d->type), sp, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(dcpl);
    H5Pclose(lcpl);
    H5Sclose(sp);
    if (ds >= 0 && (attr_str(ds, "units", d->units) || attr_str(ds, "description", d->description)))
        return -1;
    return ds;
}

sim_trace *sim_trace_create(const char *out_path, const sim_trace_info *info, char *err,
                            size_t errlen)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    sim_trace *t = calloc(1, sizeof *t);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (int i = 0; i < DS_COUNT; i++) t->ds[i] = -1;
    t->households = info->households;
    t->areas = info->areas;
    snprintf(t->out, sizeof t->out, "%s", out_path);
    snprintf(t->partial, sizeof t->partial, "%s.partial", out_path);
    t->file = H5Fcreate(t->partial, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (t->file < 0) {
        snprintf(err, errlen, "%s: cannot create: %s", t->partial, strerror(errno));
        free(t);
        return NULL;
    }
    t->t_household = H5Tcreate(H5T_COMPOUND, sizeof(sim_household_row));
    H5Tinsert(t->t_household, "id", HOFFSET(sim_household_row, id), H5T_NATIVE_UINT32);
    H5Tinsert(t->t_household, "area", HOFFSET(sim_household_row, area), H5T_NATIVE_UINT32);
    H5Tinsert(t->t_household, "lv_substation", HOFFSET(sim_household_row, lv_substation),
              H5T_NATIVE_UINT32);
    H5Tinsert(t->t_household, "primary", HOFFSET(sim_household_row, primary), H5T_NATIVE_UINT32);
    H5Tinsert(t->t_household, "region", HOFFSET(sim_household_row, region), H5T_NATIVE_UINT16);
    H5Tinsert(t->t_household, "feeder", HOFFSET(sim_household_row, feeder), H5T_NATIVE_UINT8);
    H5Tinsert(t->t_household, "dwelling", HOFFSET(sim_household_row, dwelling), H5T_NATIVE_UINT8);
    H5Tinsert(t->t_household, "occupants", HOFFSET(sim_household_row, occupants), H5T_NATIVE_UINT8);
    H5Tinsert(t->t_household, "heating", HOFFSET(sim_household_row, heating), H5T_NATIVE_UINT8);
    H5Tinsert(t->t_household, "ev", HOFFSET(sim_household_row, ev), H5T_NATIVE_UINT8);
    H5Tinsert(t->t_household, "pv_kwp", HOFFSET(sim_household_row, pv_kwp), H5T_NATIVE_FLOAT);
    H5Tinsert(t->t_household, "wan_tech", HOFFSET(sim_household_row, wan_tech), H5T_NATIVE_UINT8);
    H5Tinsert(t->t_household, "mesh_hops", HOFFSET(sim_household_row, mesh_hops), H5T_NATIVE_UINT8);
    t->t_event = sim_trace_event_type();

    hid_t meta = H5Gcreate2(t->file, "/meta", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    char start[32], now[32];
    sim_time_iso(info->start_unix, start, sizeof start);
    iso_now(now, sizeof now);
    int bad = meta < 0;
    bad = bad || attr_str(meta, "metersim_version", info->version);
    bad = bad || attr_str(meta, "firmware_build", info->firmware_build);
    bad = bad || attr_u64(meta, "seed", info->seed);
    bad = bad || attr_str(meta, "scenario_name", info->scenario_name);
    bad = bad || attr_str(meta, "scenario_yaml", info->scenario_yaml);
    bad = bad || attr_u64(meta, "complete", 0);
    bad = bad || attr_str(meta, "sim_start", start);
    bad = bad || attr_str(meta, "sim_end", start);
    bad = bad || attr_u64(meta, "households", info->households);
    bad = bad || attr_str(meta, "wall_start", now);
    if (meta >= 0) H5Gclose(meta);
    for (int i = 0; !bad && i < DS_COUNT; i++) {
        bad = decls[i].id != i; /* write_rows looks declarations up by id */
        if (!bad) t->ds[i] = create_dataset(t, &decls[i], info);
        bad = bad || t->ds[i] < 0;
    }
    if (bad) {
        h5_error(err, errlen, t->partial);
        sim_trace_finish(t, 0, info->start_unix, NULL, 0);
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

/* Grow a 1-D series by N and write DATA at its end. */
static int append(hid_t ds, hid_t mtype, const void *data, size_t n, uint64_t *len)
{
    if (n == 0) return 0;
    hsize_t cur;
    hid_t fs = H5Dget_space(ds);
    H5Sget_simple_extent_dims(fs, &cur, NULL);
    H5Sclose(fs);
    hsize_t ext = cur + n, cnt = n;
    if (H5Dset_extent(ds, &ext) < 0) return -1;
    if (len) *len = ext;
    return write_block(ds, mtype, 1, &cur, &cnt, data);
}

int sim_trace_households(sim_trace *t, const sim_household_row *rows, size_t n)
{
    hsize_t off = 0, cnt = n;
    return write_block(t->ds[DS_HOUSEHOLDS], t->t_household, 1, &off, &cnt, rows);
}

int sim_trace_halfhourly(sim_trace *t, int channel, uint64_t hh0, uint64_t nh, uint64_t p0,
                         uint64_t np, const uint32_t *data)
{
    if (channel < 0 || channel > SIM_TRACE_GAS) return -1;
    hid_t ds = t->ds[DS_IMPORT + channel];
    hsize_t dims[2];
    hid_t fs = H5Dget_space(ds);
    H5Sget_simple_extent_dims(fs, dims, NULL);
    H5Sclose(fs);
    if (p0 + np > dims[1]) {
        dims[1] = p0 + np;
        if (H5Dset_extent(ds, dims) < 0) return -1;
    }
    hsize_t off[2] = {hh0, p0}, cnt[2] = {nh, np};
    return write_block(ds, H5T_NATIVE_UINT32, 2, off, cnt, data);
}

/* Rows HH0..HH0+NH of a [household, cols] table. */
static int write_rows(sim_trace *t, int id, uint64_t hh0, uint64_t nh, const void *data)
{
    hsize_t off[2] = {hh0, 0}, cnt[2] = {nh, table_cols(decls[id].shape)};
    return write_block(t->ds[id], elem_type(t, decls[id].type), 2, off, cnt, data);
}

int sim_trace_registers(sim_trace *t, uint64_t hh0, uint64_t nh, const uint64_t *data)
{
    return write_rows(t, DS_REGISTERS, hh0, nh, data);
}

int sim_trace_billing(sim_trace *t, uint64_t hh0, uint64_t nh, const int64_t *data)
{
    return write_rows(t, DS_BILLING, hh0, nh, data);
}

hid_t sim_trace_event_type(void)
{
    hid_t ty = H5Tcreate(H5T_COMPOUND, sizeof(sim_event));
    H5Tinsert(ty, "t_s", HOFFSET(sim_event, t_s), H5T_NATIVE_DOUBLE);
    H5Tinsert(ty, "household", HOFFSET(sim_event, household), H5T_NATIVE_UINT32);
    H5Tinsert(ty, "code", HOFFSET(sim_event, code), H5T_NATIVE_UINT32);
    H5Tinsert(ty, "value", HOFFSET(sim_event, value), H5T_NATIVE_INT64);
    return ty;
}

int sim_trace_events(sim_trace *t, const sim_event *ev, size_t n)
{
    return append(t->ds[DS_EVENTS], t->t_event, ev, n, &t->events);
}

int sim_trace_cells(sim_trace *t, const uint32_t *arrivals, const uint32_t *queue, size_t seconds)
{
    if (seconds == 0 || t->areas == 0) return 0;
    for (int k = 0; k < 2; k++) {
        hid_t ds = t->ds[k ? DS_CELL_QUEUE : DS_CELL_ARRIVALS];
        hsize_t dims[2];
        hid_t fs = H5Dget_space(ds);
        H5Sget_simple_extent_dims(fs, dims, NULL);
        H5Sclose(fs);
        hsize_t off[2] = {dims[0], 0}, cnt[2] = {seconds, t->areas};
        dims[0] += seconds;
        if (H5Dset_extent(ds, dims) < 0 ||
            write_block(ds, H5T_NATIVE_UINT32, 2, off, cnt, k ? queue : arrivals))
            return -1;
    }
    return 0;
}

int sim_trace_arrivals(sim_trace *t, const uint32_t *per_second, size_t n)
{
    return append(t->ds[DS_ARRIVALS], H5T_NATIVE_UINT32, per_second, n, NULL);
}

int sim_trace_demand(sim_trace *t, const double *w_per_minute, size_t n)
{
    return append(t->ds[DS_DEMAND], H5T_NATIVE_DOUBLE, w_per_minute, n, NULL);
}

static int write_whole(sim_trace *t, const char *path, hid_t type, int rank, const hsize_t *dims,
                       const void *v, const char *units, const char *description)
{
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
    hid_t ds = H5Dcreate2(t->file, path, type, sp, lcpl, dcpl, H5P_DEFAULT);
    int rc = ds < 0 ? -1 : 0;
    if (rc == 0 && dims[0] > 0 && H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) rc = -1;
    if (rc == 0 && (attr_str(ds, "units", units) || attr_str(ds, "description", description)))
        rc = -1;
    if (ds >= 0) H5Dclose(ds);
    H5Pclose(dcpl);
    H5Pclose(lcpl);
    H5Sclose(sp);
    return rc;
}

int sim_trace_series_u32(sim_trace *t, const char *path, const uint32_t *v, size_t n,
                         const char *units, const char *description)
{
    hsize_t d = n;
    return write_whole(t, path, H5T_NATIVE_UINT32, 1, &d, v, units, description);
}

int sim_trace_series_f64(sim_trace *t, const char *path, const double *v, size_t n,
                         const char *units, const char *description)
{
    hsize_t d = n;
    return write_whole(t, path, H5T_NATIVE_DOUBLE, 1, &d, v, units, description);
}

int sim_trace_table_f64(sim_trace *t, const char *path, const double *v, size_t rows, size_t cols,
                        const char *row_names, const char *columns, const char *units,
                        const char *description)
{
    hsize_t d[2] = {rows, cols};
    if (write_whole(t, path, H5T_NATIVE_DOUBLE, 2, d, v, units, description)) return -1;
    hid_t ds = H5Dopen2(t->file, path, H5P_DEFAULT);
    int rc = ds < 0 || attr_str(ds, "columns", columns) || attr_str(ds, "rows", row_names) ? -1 : 0;
    if (ds >= 0) H5Dclose(ds);
    return rc;
}

int sim_trace_han(sim_trace *t, const sim_han_row *rows, size_t n)
{
    hid_t ty = H5Tcreate(H5T_COMPOUND, sizeof(sim_han_row));
    H5Tinsert(ty, "works", HOFFSET(sim_han_row, works), H5T_NATIVE_UINT8);
    H5Tinsert(ty, "band_gas", HOFFSET(sim_han_row, band_gas), H5T_NATIVE_INT8);
    H5Tinsert(ty, "band_ihd", HOFFSET(sim_han_row, band_ihd), H5T_NATIVE_INT8);
    H5Tinsert(ty, "dual_band", HOFFSET(sim_han_row, dual_band), H5T_NATIVE_UINT8);
    H5Tinsert(ty, "p_deliver", HOFFSET(sim_han_row, p_deliver), H5T_NATIVE_FLOAT);
    H5Tinsert(ty, "latency_ms", HOFFSET(sim_han_row, latency_ms), H5T_NATIVE_FLOAT);
    H5Tinsert(ty, "retries", HOFFSET(sim_han_row, retries), H5T_NATIVE_FLOAT);
    H5Tinsert(ty, "p_access_fail", HOFFSET(sim_han_row, p_access_fail), H5T_NATIVE_FLOAT);
    H5Tinsert(ty, "gas_battery_years", HOFFSET(sim_han_row, gas_battery_years), H5T_NATIVE_FLOAT);
    hsize_t d = n;
    int rc = write_whole(t, "/network/han/premises", ty, 1, &d, rows, "-",
                         "per household HAN: works (every device reaches the hub), band_gas and "
                         "band_ihd (0 2.4 GHz, 1 868 MHz, -1 unreachable or absent), dual_band hub, "
                         "p_deliver, latency_ms, retries, p_access_fail (802.15.4 CSMA/CA, analytic), "
                         "gas_battery_years (projected life; NaN without gas meter)");
    H5Tclose(ty);
    return rc;
}

int sim_trace_finish(sim_trace *t, int complete, int64_t sim_end_unix, char *err, size_t errlen)
{
    int rc = 0;
    if (!t) return 0;
    if (t->file >= 0) {
        hid_t meta = H5Gopen2(t->file, "/meta", H5P_DEFAULT);
        char end[32], now[32];
        sim_time_iso(sim_end_unix, end, sizeof end);
        iso_now(now, sizeof now);
        if (meta < 0 || attr_str(meta, "sim_end", end) || attr_str(meta, "wall_end", now) ||
            attr_u64(meta, "complete", complete ? 1u : 0u))
            rc = -1;
        if (meta >= 0) H5Gclose(meta);
        if (rc && err) h5_error(err, errlen, t->partial);
    }
    for (int i = 0; i < DS_COUNT; i++)
        if (t->ds[i] >= 0) H5Dclose(t->ds[i]);
    if (t->t_household > 0) H5Tclose(t->t_household);
    if (t->t_event > 0) H5Tclose(t->t_event);
    if (t->file >= 0 && H5Fclose(t->file) < 0 && rc == 0) {
        rc = -1;
        if (err) h5_error(err, errlen, t->partial);
    }
    snprintf(final_path, sizeof final_path, "%s", t->partial);
    if (rc == 0 && complete && t->file >= 0) {
        if (rename(t->partial, t->out) != 0) {
            rc = -1;
            if (err) snprintf(err, errlen, "renaming %s to %s: %s", t->partial, t->out, strerror(errno));
        } else {
            snprintf(final_path, sizeof final_path, "%s", t->out);
        }
    }
    free(t);
    return rc;
}
