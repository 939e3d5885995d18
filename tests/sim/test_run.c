/* End to end: run small scenarios with the real binary and check the trace. */
#include "h5read.h"

#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define EV_READ_SENT 0x10001u
#define EV_READ_DELIVERED 0x10002u

typedef h5_event ev;

static char dir[256];

static void mkdir_tmp(void)
{
    snprintf(dir, sizeof dir, "/tmp/metersim-test-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void rm_tmp(void)
{
    run_cmd("rm -rf '%s'", dir);
}

static const char *bin(void)
{
    const char *b = getenv("METERSIM_BIN");
    cr_assert_not_null(b, "METERSIM_BIN not set (run through ctest)");
    return b;
}

static const char *src(void)
{
    const char *s = getenv("METERSIM_SOURCE_DIR");
    cr_assert_not_null(s);
    return s;
}

static int run_small(const char *out, const char *extra)
{
    return run_cmd("'%s' run '%s/tests/sim/data/small.yaml' -o '%s/%s' --quiet %s", bin(), src(),
                   dir, out, extra);
}

static hid_t open_trace(const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    hid_t f = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "cannot open %s", p);
    return f;
}

static hid_t event_type(void)
{
    hid_t t = h5_event_type();
    return t;
}

TestSuite(run, .init = mkdir_tmp, .fini = rm_tmp, .timeout = 600);

Test(run, warnings_go_to_stderr_and_into_the_trace)
{
    char err[600], extra[800], stored[2048] = "", printed[2048] = "";
    snprintf(err, sizeof err, "%s/w.err", dir);
    snprintf(extra, sizeof extra, "--set prices.tariff=agile --set storm.share=\"50 %%\" 2> '%s'", err);
    cr_assert_eq(run_small("w.h5", extra), 0);
    FILE *fp = fopen(err, "r");
    cr_assert_not_null(fp);
    size_t n = fread(printed, 1, sizeof printed - 1, fp);
    fclose(fp);
    printed[n] = '\0';
    cr_expect(strstr(printed, "--set:1:15: warning: prices.tariff: agile prices") != NULL, "%s", printed);
    cr_expect(strstr(printed, "small.yaml: warning: storm.enabled: is false, so storm.share") != NULL,
              "%s", printed);
    hid_t f = open_trace("w.h5");
    hid_t meta = H5Gopen2(f, "/meta", H5P_DEFAULT);
    cr_assert_eq(h5_attr_str(meta, "warnings", stored, sizeof stored), 0);
    /* stderr may go on with a sanitizer's notes */
    cr_expect(stored[0] && strncmp(printed, stored, strlen(stored)) == 0, "%s\n---\n%s", stored, printed);
    H5Gclose(meta);
    H5Fclose(f);
}

Test(run, small_scenario_writes_every_dataset_with_shape_and_units)
{
    cr_assert_eq(run_small("a.h5", ""), 0);
    hid_t f = open_trace("a.h5");
    hid_t meta = H5Gopen2(f, "/meta", H5P_DEFAULT);
    uint64_t complete = 0, seed = 0, hh = 0;
    char yaml[8192], start[64], end[64], version[64];
    cr_assert_eq(h5_attr_u64(meta, "complete", &complete), 0);
    cr_expect_eq(complete, 1);
    cr_assert_eq(h5_attr_u64(meta, "seed", &seed), 0);
    cr_expect_eq(seed, 7);
    cr_assert_eq(h5_attr_u64(meta, "households", &hh), 0);
    cr_expect_eq(hh, 300);
    cr_assert_eq(h5_attr_str(meta, "scenario_yaml", yaml, sizeof yaml), 0);
    cr_expect(strstr(yaml, "households: 300") != NULL, "resolved yaml:\n%s", yaml);
    cr_assert_eq(h5_attr_str(meta, "sim_start", start, sizeof start), 0);
    cr_expect_str_eq(start, "2026-01-12T00:00:00Z");
    cr_assert_eq(h5_attr_str(meta, "sim_end", end, sizeof end), 0);
    cr_expect_str_eq(end, "2026-01-14T00:00:00Z");
    cr_assert_eq(h5_attr_str(meta, "metersim_version", version, sizeof version), 0);
    char warnings[64] = "?";
    cr_assert_eq(h5_attr_str(meta, "warnings", warnings, sizeof warnings), 0);
    cr_expect_str_eq(warnings, "");
    H5Gclose(meta);

    static const struct {
        const char *path;
        int rank;
        hsize_t d0, d1;
        const char *units;
    } want[] = {
        {"/households", 1, 300, 1, "-"},
        {"/meter/halfhourly/import_wh", 2, 300, 96, "Wh"},
        {"/meter/halfhourly/export_wh", 2, 300, 96, "Wh"},
        {"/meter/halfhourly/reactive_import_varh", 2, 300, 96, "varh"},
        {"/meter/halfhourly/reactive_export_varh", 2, 300, 96, "varh"},
        {"/meter/registers/final", 2, 300, 4, "Wh|varh"},
        {"/network/headend/arrivals", 1, 2 * 86400, 1, "messages/s"},
        {"/grid/demand_w", 1, 2 * 1440, 1, "W"},
        {"/network/cells/arrivals", 2, 2 * 86400, 3, "messages/s"},
        {"/network/cells/queue", 2, 2 * 86400, 3, "messages"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        hid_t ds = H5Dopen2(f, want[i].path, H5P_DEFAULT);
        cr_assert_geq(ds, 0, "missing %s", want[i].path);
        hid_t sp = H5Dget_space(ds);
        hsize_t d[2] = {1, 1};
        cr_expect_eq(H5Sget_simple_extent_ndims(sp), want[i].rank, "%s rank", want[i].path);
        H5Sget_simple_extent_dims(sp, d, NULL);
        cr_expect_eq(d[0], want[i].d0, "%s dim 0 = %llu", want[i].path, (unsigned long long)d[0]);
        if (want[i].rank == 2)
            cr_expect_eq(d[1], want[i].d1, "%s dim 1 = %llu", want[i].path,
                         (unsigned long long)d[1]);
        char units[64] = "", desc[512] = "";
        cr_expect_eq(h5_attr_str(ds, "units", units, sizeof units), 0, "%s units", want[i].path);
        cr_expect_str_eq(units, want[i].units);
        cr_expect_eq(h5_attr_str(ds, "description", desc, sizeof desc), 0);
        cr_expect_gt(strlen(desc), 10);
        H5Sclose(sp);
        H5Dclose(ds);
    }
    /* Every message that entered a cell queue is counted once, in its area's column: on
     * plain links (no technology delay) the reads and alerts sent and the meters' answers
     * to commands (every command here is unicast). */
    hsize_t cd[2], ed[2];
    int r;
    uint32_t *cells = h5_read_all(f, "/network/cells/arrivals", H5T_NATIVE_UINT32, cd, &r);
    hid_t et = h5_event_type();
    h5_event *evs = h5_read_all(f, "/events", et, ed, &r);
    cr_assert(cells && evs);
    uint64_t entered = 0, sent = 0;
    for (hsize_t k = 0; k < cd[0] * cd[1]; k++) entered += cells[k];
    for (hsize_t k = 0; k < ed[0]; k++)
        sent += evs[k].code == 0x10001u || evs[k].code == 0x10003u || evs[k].code == 0x1000Cu ||
                evs[k].code == 0x1000Du;
    cr_expect_eq(entered, sent, "%llu entered cells, %llu sent", (unsigned long long)entered,
                 (unsigned long long)sent);
    cr_expect_gt(sent, 0);
    free(cells);
    free(evs);
    H5Tclose(et);
    hid_t ds = H5Dopen2(f, "/events", H5P_DEFAULT);
    cr_assert_geq(ds, 0);
    char units[128];
    cr_expect_eq(h5_attr_str(ds, "units", units, sizeof units), 0);
    H5Dclose(ds);
    H5Fclose(f);
    char partial[512];
    struct stat st;
    snprintf(partial, sizeof partial, "%s/a.h5.partial", dir);
    cr_expect_neq(stat(partial, &st), 0, "no .partial left behind after a complete run");
}

Test(run, halfhourly_sums_equal_the_final_registers)
{
    cr_assert_eq(run_small("a.h5", ""), 0);
    hid_t f = open_trace("a.h5");
    hsize_t dh[2], dr[2];
    int rh, rr;
    uint64_t *reg = h5_read_all(f, "/meter/registers/final", H5T_NATIVE_UINT64, dr, &rr);
    cr_assert_not_null(reg);
    static const char *ch[4] = {"import_wh", "export_wh", "reactive_import_varh",
                                "reactive_export_varh"};
    uint64_t all_import = 0, all_export = 0;
    for (int c = 0; c < 4; c++) {
        char path[128];
        snprintf(path, sizeof path, "/meter/halfhourly/%s", ch[c]);
        uint32_t *hh = h5_read_all(f, path, H5T_NATIVE_UINT32, dh, &rh);
        cr_assert_not_null(hh);
        for (hsize_t i = 0; i < dh[0]; i++) {
            uint64_t s = 0;
            for (hsize_t p = 0; p < dh[1]; p++) s += hh[i * dh[1] + p];
            cr_assert_eq(s, reg[i * 4 + c], "household %llu channel %s: periods %llu, register %llu",
                         (unsigned long long)i, ch[c], (unsigned long long)s,
                         (unsigned long long)reg[i * 4 + c]);
            if (c == 0) all_import += s;
            if (c == 1) all_export += s;
        }
        free(hh);
    }
    /* The demand series integrates the same (net) power: import - export within 1 Wh per
     * household and channel (each register keeps its sub-Wh remainder back). */
    hsize_t dd[2];
    int rd;
    double *dem = h5_read_all(f, "/grid/demand_w", H5T_NATIVE_DOUBLE, dd, &rd);
    cr_assert_not_null(dem);
    double wh = 0;
    for (hsize_t m = 0; m < dd[0]; m++) wh += dem[m] / 60.0;
    double net = (double)all_import - (double)all_export;
    cr_expect(wh > net - 300.0 && wh < net + 300.0, "demand %.1f Wh vs registers %.0f Wh net", wh,
              net);
    free(dem);
    free(reg);
    H5Fclose(f);
}

Test(run, each_profile_read_delivers_the_import_of_the_periods_it_carries)
{
    cr_assert_eq(run_small("a.h5", ""), 0);
    hid_t f = open_trace("a.h5");
    hsize_t de[2], dh[2], da[2];
    int r;
    hid_t et = event_type();
    ev *e = h5_read_all(f, "/events", et, de, &r);
    uint32_t *imp = h5_read_all(f, "/meter/halfhourly/import_wh", H5T_NATIVE_UINT32, dh, &r);
    uint32_t *arr = h5_read_all(f, "/network/headend/arrivals", H5T_NATIVE_UINT32, da, &r);
    cr_assert(e && imp && arr);
    uint32_t n_hh = (uint32_t)dh[0], np = (uint32_t)dh[1];
    uint32_t *from = calloc(n_hh, sizeof *from);
    double *sent_at = calloc(n_hh, sizeof *sent_at);
    uint64_t sent = 0, delivered = 0, arrivals = 0;
    for (hsize_t k = 1; k < de[0]; k++) cr_assert(e[k - 1].t_s <= e[k].t_s, "events in time order");
    for (hsize_t k = 0; k < de[0]; k++) {
        uint32_t h = e[k].household;
        cr_assert_lt(h, n_hh);
        if (e[k].code == EV_READ_SENT) {
            cr_expect_eq(e[k].value, 1024, "read size");
            sent_at[h] = e[k].t_s;
            sent++;
        } else if (e[k].code == EV_READ_DELIVERED) {
            /* A daily read carries every period closed since the previous read. */
            uint32_t upto = (uint32_t)(sent_at[h] / 1800.0);
            int64_t want = 0;
            for (uint32_t p = from[h]; p < upto && p < np; p++) want += imp[(size_t)h * np + p];
            cr_expect_eq(e[k].value, want, "household %u read at %.0f s", h, sent_at[h]);
            cr_expect_gt(e[k].t_s, sent_at[h], "delivered after sent");
            cr_expect_lt(e[k].t_s - sent_at[h], 5.0, "latency");
            from[h] = upto;
            delivered++;
        }
    }
    for (hsize_t s = 0; s < da[0]; s++) arrivals += arr[s];
    /* 300 households x 2 days, reads 00:30-04:30 each day. */
    cr_expect_eq(sent, 600);
    cr_expect_eq(delivered, 600);
    cr_expect_eq(arrivals, delivered);
    free(from);
    free(sent_at);
    free(e);
    free(imp);
    free(arr);
    H5Tclose(et);
    H5Fclose(f);
}

static int same_dataset(hid_t fa, hid_t fb, const char *path, hid_t type)
{
    hsize_t da[2], db[2];
    int ra, rb;
    unsigned char *a = h5_read_all(fa, path, type, da, &ra);
    unsigned char *b = h5_read_all(fb, path, type, db, &rb);
    int same = a && b && ra == rb && da[0] == db[0] && da[1] == db[1] &&
               memcmp(a, b, (size_t)da[0] * (ra > 1 ? da[1] : 1) * H5Tget_size(type)) == 0;
    free(a);
    free(b);
    return same;
}

Test(run, same_seed_gives_identical_datasets_and_another_seed_differs)
{
    cr_assert_eq(run_small("a.h5", ""), 0);
    cr_assert_eq(run_small("b.h5", ""), 0);
    cr_assert_eq(run_small("c.h5", "--seed 8"), 0);
    hid_t a = open_trace("a.h5"), b = open_trace("b.h5"), c = open_trace("c.h5");
    hid_t et = event_type();
    static const char *u32[] = {"/meter/halfhourly/import_wh", "/meter/halfhourly/export_wh",
                                "/meter/halfhourly/reactive_import_varh",
                                "/network/headend/arrivals"};
    for (size_t i = 0; i < 4; i++)
        cr_expect(same_dataset(a, b, u32[i], H5T_NATIVE_UINT32), "%s differs", u32[i]);
    cr_expect(same_dataset(a, b, "/grid/demand_w", H5T_NATIVE_DOUBLE));
    cr_expect(same_dataset(a, b, "/meter/registers/final", H5T_NATIVE_UINT64));
    cr_expect(same_dataset(a, b, "/events", et));
    cr_expect(!same_dataset(a, c, "/meter/halfhourly/import_wh", H5T_NATIVE_UINT32));
    cr_expect(!same_dataset(a, c, "/events", et));
    H5Tclose(et);
    H5Fclose(a);
    H5Fclose(b);
    H5Fclose(c);
}

Test(run, area_size_does_not_change_any_household)
{
    /* Households draw from their own streams: regrouping them into other areas leaves
     * every meter's data unchanged. */
    cr_assert_eq(run_small("a.h5", ""), 0);
    cr_assert_eq(run_small("b.h5", "--set topology.area_households=7"), 0);
    hid_t a = open_trace("a.h5"), b = open_trace("b.h5");
    cr_expect(same_dataset(a, b, "/meter/halfhourly/import_wh", H5T_NATIVE_UINT32));
    cr_expect(same_dataset(a, b, "/meter/registers/final", H5T_NATIVE_UINT64));
    cr_expect(same_dataset(a, b, "/grid/demand_w", H5T_NATIVE_DOUBLE));
    H5Fclose(a);
    H5Fclose(b);
}

Test(run, sigint_leaves_a_valid_partial_trace_marked_incomplete)
{
    char out[512];
    snprintf(out, sizeof out, "%s/long.h5", dir);
    pid_t pid;
    pid = fork();
    if (pid == 0) {
        char scen[512];
        snprintf(scen, sizeof scen, "%s/tests/sim/data/long.yaml", src());
        execl(bin(), bin(), "run", scen, "--quiet", "-o", out, (char *)NULL);
        _exit(127);
    }
    /* Wait until the run has written some periods, then interrupt it. */
    char partial[600];
    snprintf(partial, sizeof partial, "%s.partial", out);
    struct stat st;
    for (int i = 0; i < 600 && stat(partial, &st) != 0; i++) usleep(50000);
    usleep(1500000);
    kill(pid, SIGINT);
    int status = 0;
    waitpid(pid, &status, 0);
    cr_assert(WIFEXITED(status), "exited by itself after SIGINT");
    cr_expect_eq(WEXITSTATUS(status), 1);
    cr_assert_eq(stat(partial, &st), 0, "the interrupted trace keeps its .partial name");
    cr_expect_neq(stat(out, &st), 0);
    hid_t f = H5Fopen(partial, H5F_ACC_RDONLY, H5P_DEFAULT);
    cr_assert_geq(f, 0, "partial trace is a valid HDF5 file");
    hid_t meta = H5Gopen2(f, "/meta", H5P_DEFAULT);
    uint64_t complete = 1;
    char end[64];
    cr_assert_eq(h5_attr_u64(meta, "complete", &complete), 0);
    cr_expect_eq(complete, 0);
    cr_assert_eq(h5_attr_str(meta, "sim_end", end, sizeof end), 0);
    cr_expect_str_neq(end, "2026-03-13T00:00:00Z");
    H5Gclose(meta);
    /* The half-hourly matrix holds exactly the periods reached. */
    hsize_t d[2];
    int r;
    uint32_t *imp = h5_read_all(f, "/meter/halfhourly/import_wh", H5T_NATIVE_UINT32, d, &r);
    cr_assert_not_null(imp);
    cr_expect_eq(d[0], 20000);
    cr_expect_lt(d[1], 60 * 48);
    free(imp);
    H5Fclose(f);
    cr_expect_eq(run_cmd("'%s' info '%s' > /dev/null", bin(), partial), 0);
}

/* The summary's state by part adds up to the state per household it states, and names every
 * part a default household has. */
Test(run, summary_state_by_part_adds_up)
{
    cr_assert_eq(run_cmd("'%s' run '%s/tests/sim/data/small.yaml' -o '%s/p.h5' > '%s/sum.txt' "
                         "2>/dev/null",
                         bin(), src(), dir, dir),
                 0);
    char path[512], line[512];
    snprintf(path, sizeof path, "%s/sum.txt", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    unsigned long long total = 0;
    double p[7] = {-1, -1, -1, -1, -1, -1, -1};
    int got = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "  household state %llu", &total) == 1) got |= 1;
        if (sscanf(line,
                   "  state by part firmware %lf, NVM %lf, event log %lf, profile log %lf, "
                   "load model %lf, network %lf, engine %lf",
                   &p[0], &p[1], &p[2], &p[3], &p[4], &p[5], &p[6]) == 7)
            got |= 2;
    }
    fclose(f);
    cr_assert_eq(got, 3, "summary lines missing");
    double sum = 0;
    for (int k = 0; k < 7; k++) {
        if (k != 2) cr_expect_gt(p[k], 0, "part %d", k); /* a ring may have nothing logged */
        sum += p[k];
    }
    /* each part is printed rounded: 7 halves at most */
    cr_expect_leq(fabs(sum - (double)total), 4.0, "parts %.0f, total %llu", sum, total);
    /* the event ring, coded: nothing while nothing is logged (its bitmap's bytes are zero),
     * at most the ring plain and its bitmap (16 records of 12 bytes: 48 words, 6 bytes) */
    cr_expect_geq(p[2], 0, "the event ring");
    cr_expect_leq(p[2], 16 * 12 + 6, "the event ring");
}
