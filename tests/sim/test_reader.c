/* The reader library (metersim_reader: info, diff and the trace's declaration) on its own.
 *
 * This program links metersim_reader and nothing of the simulator (no SimGrid, no models):
 * that it links and runs is the check that info and diff need no SimGrid.  It also holds
 * the declaration against a real trace written by the metersim binary: every dataset the
 * trace has is declared, with the declared element size, record members and offsets, and
 * the `columns` and `rows` attributes the declaration gives. */
#include "diff.h"
#include "info.h"
#include "output/schema.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char trace_path[256];

/* A small trace from the metersim binary, written once per test process. */
static const char *small_trace(void)
{
    if (trace_path[0]) return trace_path;
    snprintf(trace_path, sizeof trace_path, "/tmp/metersim-reader-%ld.h5", (long)getpid());
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cd '%s' && '%s' run tests/sim/data/small.yaml -o '%s' --quiet",
             getenv("METERSIM_SOURCE_DIR"), getenv("METERSIM_BIN"), trace_path);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    return trace_path;
}

static void remove_trace(void)
{
    if (trace_path[0]) remove(trace_path);
}

Test(reader, declaration_is_consistent)
{
    for (int i = 0; i < SIM_DS_COUNT; i++) {
        const sim_dataset_decl *d = sim_schema_dataset((sim_ds)i);
        cr_assert(d && d->key && d->path && d->units && d->description, "dataset %d", i);
        cr_expect_eq(sim_schema_by_key(d->key), i, "%s: keys are unique", d->key);
        for (int j = 0; j < i; j++)
            cr_expect_str_neq(sim_schema_dataset((sim_ds)j)->path, d->path);
        cr_expect_eq(d->type == SIM_ELEM_RECORD, d->nmembers > 0, "%s", d->key);
        cr_expect(d->shape != SIM_SHAPE_HH_COLS || d->ncols > 0, "%s", d->key);
        cr_expect(!d->columns_attr || d->shape == SIM_SHAPE_ROWS_COLS ||
                      d->shape == SIM_SHAPE_PERIOD_COLS,
                  "%s", d->key);
        for (size_t m = 0; m < d->nmembers; m++)
            cr_expect(d->members[m].offset < d->record_size, "%s.%s", d->key, d->members[m].name);
    }
    char text[512];
    const sim_dataset_decl *st = sim_schema_dataset(SIM_DS_HE_CLASS_STATS);
    cr_assert_eq(sim_schema_columns_text(st, text, sizeof text), 0);
    cr_expect_str_eq(text, "offered,accepted,dropped,quarantined,excluded,completed,met_target,"
                           "resp_mean_s,resp_p50_s,resp_p99_s,wait_mean_s,wait_max_s");
    cr_expect_eq(sim_schema_column(st, "resp_p99_s"), SIM_HECLASS_RESP_P99_S);
    cr_expect_str_eq(st->rows, "alert_outage,alert_restore,supply_switch,topup,ondemand_read,"
                               "mode_change,tariff_update,profile_read,commissioning,migration,"
                               "firmware,alert_other,total");
    cr_expect_eq(sim_schema_columns_text(st, text, 8), -1, "too small a buffer is refused");
}

typedef struct visit_ctx {
    int seen[SIM_DS_COUNT];
    int undeclared;
} visit_ctx;

/* Every dataset of the file against its declaration. */
static herr_t check_dataset(hid_t root, const char *name, const H5O_info_t *oi, void *data)
{
    visit_ctx *c = data;
    if (oi->type != H5O_TYPE_DATASET) return 0;
    char path[256];
    snprintf(path, sizeof path, "/%s", name);
    int id = -1;
    for (int i = 0; i < SIM_DS_COUNT && id < 0; i++)
        if (strcmp(sim_schema_dataset((sim_ds)i)->path, path) == 0) id = i;
    if (id < 0) {
        cr_log_error("%s is not declared", path);
        c->undeclared++;
        return 0;
    }
    c->seen[id] = 1;
    const sim_dataset_decl *d = sim_schema_dataset((sim_ds)id);
    hid_t ds = H5Dopen2(root, name, H5P_DEFAULT), ty = H5Dget_type(ds);
    hid_t mt = sim_schema_h5_type(d);
    cr_expect_eq(H5Tget_size(ty), H5Tget_size(mt), "%s: element size", path);
    if (d->type == SIM_ELEM_RECORD) {
        cr_expect_eq((size_t)H5Tget_nmembers(ty), d->nmembers, "%s: members", path);
        for (size_t m = 0; m < d->nmembers; m++) {
            int k = H5Tget_member_index(ty, d->members[m].name);
            cr_expect_eq(k, (int)m, "%s.%s: position", path, d->members[m].name);
            if (k >= 0)
                cr_expect_eq(H5Tget_member_offset(ty, (unsigned)k), d->members[m].offset,
                             "%s.%s: offset", path, d->members[m].name);
        }
        H5Tclose(mt);
    }
    char units[256], text[512];
    cr_expect_eq(sim_h5_attr_str(ds, SIM_ATTR_UNITS, units, sizeof units), 0);
    cr_expect_str_eq(units, d->units, "%s", path);
    if (d->columns_attr && d->ncols) {
        char want[512];
        cr_assert_eq(sim_schema_columns_text(d, want, sizeof want), 0);
        cr_expect_eq(sim_h5_attr_str(ds, SIM_ATTR_COLUMNS, text, sizeof text), 0);
        cr_expect_str_eq(text, want, "%s: columns", path);
    }
    if (d->rows) {
        cr_expect_eq(sim_h5_attr_str(ds, SIM_ATTR_ROWS, text, sizeof text), 0);
        cr_expect_str_eq(text, d->rows, "%s: rows", path);
    }
    H5Tclose(ty);
    H5Dclose(ds);
    return 0;
}

Test(reader, a_trace_matches_its_declaration, .fini = remove_trace)
{
    char err[512];
    hid_t f = sim_h5_open(small_trace(), err, sizeof err);
    cr_assert(f >= 0, "%s", err);
    visit_ctx c = {{0}, 0};
    cr_assert(H5Ovisit(f, H5_INDEX_NAME, H5_ITER_INC, check_dataset, &c) >= 0);
    H5Fclose(f);
    cr_expect_eq(c.undeclared, 0);
    /* the small scenario sends no price updates: that table alone is absent */
    for (int i = 0; i < SIM_DS_COUNT; i++)
        cr_expect(c.seen[i] || i == SIM_DS_PRICE_UPDATES, "%s missing from the trace",
                  sim_schema_dataset((sim_ds)i)->path);
}

Test(reader, info_and_diff_read_a_trace, .fini = remove_trace)
{
    char err[512] = "", out[1 << 16];
    FILE *mem = fmemopen(out, sizeof out, "w");
    cr_assert(mem);
    cr_expect_eq(sim_info(small_trace(), mem, err, sizeof err), 0, "%s", err);
    sim_diff_opts o = {.max_lines = 5};
    cr_expect_eq(sim_diff(small_trace(), small_trace(), &o, mem, err, sizeof err), 0, "%s", err);
    fclose(mem);
    cr_expect(strstr(out, "/network/headend/queue_max") != NULL, "%s", out);
    cr_expect(strstr(out, "households diverging: 0") != NULL, "%s", out);
    cr_expect_eq(sim_info("/nonexistent/x.h5", stdout, err, sizeof err), -1);
    cr_expect(strstr(err, "cannot open") != NULL, "%s", err);
}
