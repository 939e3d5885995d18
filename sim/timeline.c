#include "timeline.h"

#include "info.h"
#include "output/records.h"
#include "output/schema.h"
#include "sim/events.h"
#include "sim/timeutil.h"
#include "sim/units.h"
#include "textfmt.h"

#include <hdf5.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK_EVENTS 65536u

typedef struct tl {
    const char *path;
    const sim_timeline_opts *o;
    FILE *out;
    hid_t f;
    sim_h5_meta meta;
    int64_t start;
    uint64_t rows;    /* /households rows */
    uint8_t *wanted;  /* [rows] */
    uint64_t *counts; /* [rows] events printed */
    uint64_t printed;
    char *err;
    size_t errlen;
} tl;

static int tl_fail(tl *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int tl_fail(tl *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = snprintf(t->err, t->errlen, "%s: ", t->path);
    if (k > 0 && (size_t)k < t->errlen) vsnprintf(t->err + k, t->errlen - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

/* /meta, and whether the trace recorded events at all. */
static int open_trace(tl *t)
{
    t->f = sim_h5_open(t->path, t->err, t->errlen);
    if (t->f < 0) return -1;
    hid_t meta;
    int st = sim_h5_meta_read(t->f, &meta, &t->meta);
    int rc = 0;
    if (st == SIM_H5_NOT_TRACE)
        rc = tl_fail(t, "not a metersim trace (no /meta metersim_version)");
    else if (st || sim_parse_date(t->meta.start, &t->start, NULL, 0))
        rc = tl_fail(t, "/meta is missing attributes or has unreadable ones (damaged trace?)");
    char events[16] = "";
    if (rc == 0) {
        char *yaml = sim_h5_attr_text(meta, sim_schema_meta_name(SIM_META_SCENARIO_YAML));
        sim_resolved_value(yaml, "trace.events", events, sizeof events);
        free(yaml);
    }
    if (meta >= 0) H5Gclose(meta);
    if (rc == 0 && (H5Lexists(t->f, sim_schema_dataset(SIM_DS_EVENTS)->path, H5P_DEFAULT) <= 0 ||
                    strcmp(events, "false") == 0))
        rc = tl_fail(t, "no /events: the run was made with trace.events=false");
    return rc;
}

/* One member at BUF of type MT as text (JSON-ready: numbers bare, strings quoted when JSON). */
static void print_member(FILE *out, hid_t mt, const char *p, int json)
{
    size_t sz = H5Tget_size(mt);
    switch (H5Tget_class(mt)) {
    case H5T_INTEGER: {
        int sgn = H5Tget_sign(mt) == H5T_SGN_2;
        int64_t s = 0;
        uint64_t u = 0;
        if (sz == 1) {
            s = *(const int8_t *)p;
            u = *(const uint8_t *)p;
        } else if (sz == 2) {
            int16_t a;
            uint16_t b;
            memcpy(&a, p, 2);
            memcpy(&b, p, 2);
            s = a;
            u = b;
        } else if (sz == 4) {
            int32_t a;
            uint32_t b;
            memcpy(&a, p, 4);
            memcpy(&b, p, 4);
            s = a;
            u = b;
        } else {
            memcpy(&s, p, 8);
            memcpy(&u, p, 8);
        }
        if (sgn)
            fprintf(out, "%" PRId64, s);
        else
            fprintf(out, "%" PRIu64, u);
        return;
    }
    case H5T_FLOAT: {
        double v;
        if (sz == 4) {
            float x;
            memcpy(&x, p, 4);
            v = x;
        } else
            memcpy(&v, p, 8);
        if (json && v != v)
            fputs("null", out);
        else
            fprintf(out, "%.6g", v);
        return;
    }
    case H5T_STRING:
        if (H5Tis_variable_str(mt) <= 0) {
            char s[256];
            snprintf(s, sizeof s, "%.*s", (int)(sz < 255 ? sz : 255), p);
            if (json)
                sim_json_str(out, s);
            else
                fputs(s, out);
            return;
        }
        break;
    default:
        break;
    }
    fputs(json ? "null" : "?", out);
}

/* The /households row of ID: every member, "name=value" or as a JSON object. */
static int print_header(tl *t, hid_t ds, uint32_t id)
{
    hid_t ft = H5Dget_type(ds);
    hid_t mt = H5Tget_native_type(ft, H5T_DIR_DEFAULT);
    char *buf = calloc(1, H5Tget_size(mt));
    hsize_t off = id, cnt = 1;
    hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(1, &cnt, NULL);
    int rc = buf ? 0 : tl_fail(t, "out of memory");
    if (rc == 0 && (H5Sselect_hyperslab(fs, H5S_SELECT_SET, &off, NULL, &cnt, NULL) < 0 ||
                    H5Dread(ds, mt, ms, fs, H5P_DEFAULT, buf) < 0))
        rc = tl_fail(t, "cannot read /households (damaged trace?)");
    int json = t->o->json;
    if (rc == 0) {
        fprintf(t->out,
                json ? "    {\"household\": %" PRIu32 ", \"attributes\": {"
                     : "household %" PRIu32 ":",
                id);
        int nm = H5Tget_nmembers(mt);
        for (int i = 0; i < nm; i++) {
            char *name = H5Tget_member_name(mt, (unsigned)i);
            hid_t et = H5Tget_member_type(mt, (unsigned)i);
            if (json) {
                fputs(i ? ", " : "", t->out);
                sim_json_str(t->out, name);
                fputs(": ", t->out);
            } else {
                fprintf(t->out, " %s=", name);
            }
            print_member(t->out, et, buf + H5Tget_member_offset(mt, (unsigned)i), json);
            H5Tclose(et);
            H5free_memory(name);
        }
        fputs(json ? "}}" : "\n", t->out);
    }
    free(buf);
    H5Sclose(ms);
    H5Sclose(fs);
    H5Tclose(mt);
    H5Tclose(ft);
    return rc;
}

/* The trace's line, or the opening of the JSON object with it. */
static void print_trace(tl *t)
{
    FILE *out = t->out;
    if (!t->o->json) {
        fprintf(out, "trace: %s (metersim %s, firmware %s, seed %" PRIu64 ", start %s)\n", t->path,
                t->meta.version, t->meta.firmware, t->meta.seed, t->meta.start);
        return;
    }
    fputs("{\n  \"trace\": {\"path\": ", out);
    sim_json_str(out, t->path);
    fputs(", \"metersim\": ", out);
    sim_json_str(out, t->meta.version);
    fputs(", \"firmware\": ", out);
    sim_json_str(out, t->meta.firmware);
    fprintf(out, ", \"seed\": %" PRIu64 ", \"start\": ", t->meta.seed);
    sim_json_str(out, t->meta.start);
    fputs("},\n", out);
}

/* Every requested household in range, its header printed. */
static int households(tl *t, const uint32_t *ids, size_t nids)
{
    const sim_dataset_decl *hd = sim_schema_dataset(SIM_DS_HOUSEHOLDS);
    if (H5Lexists(t->f, hd->path, H5P_DEFAULT) <= 0)
        return tl_fail(t, "not a metersim trace (no %s)", hd->path);
    hid_t ds = H5Dopen2(t->f, hd->path, H5P_DEFAULT);
    if (ds < 0) return tl_fail(t, "%s cannot be opened (damaged trace?)", hd->path);
    hid_t sp = H5Dget_space(ds);
    hsize_t n = 0;
    int rc = 0;
    if (H5Sget_simple_extent_ndims(sp) != 1)
        rc = tl_fail(t, "%s is not a table", hd->path);
    else
        H5Sget_simple_extent_dims(sp, &n, NULL);
    H5Sclose(sp);
    t->rows = n;
    for (size_t i = 0; rc == 0 && i < nids; i++)
        if (ids[i] >= n)
            rc = tl_fail(t,
                         "household %" PRIu32 " is out of range (the trace has households 0..%llu)",
                         ids[i], (unsigned long long)(n ? n - 1 : 0));
    t->wanted = rc ? NULL : calloc(n ? n : 1, 1);
    t->counts = rc ? NULL : calloc(n ? n : 1, sizeof *t->counts);
    if (rc == 0 && (!t->wanted || !t->counts)) rc = tl_fail(t, "out of memory");
    if (rc == 0) print_trace(t); /* nothing is printed before the input is known good */
    if (rc == 0 && t->o->json) fputs("  \"households\": [\n", t->out);
    for (size_t i = 0; rc == 0 && i < nids; i++) {
        if (t->wanted[ids[i]]) continue; /* named twice */
        t->wanted[ids[i]] = 1;
        if (t->o->json && i) fputs(",\n", t->out);
        rc = print_header(t, ds, ids[i]);
    }
    if (rc == 0 && t->o->json) fputs("\n  ],\n", t->out);
    H5Dclose(ds);
    return rc;
}

static void print_event(tl *t, const sim_event *e)
{
    char when[48], val[128];
    sim_fmt_utc(when, sizeof when, t->start, e->t_s);
    sim_event_value_text(e->code, e->value, val, sizeof val);
    if (t->o->json) {
        fprintf(t->out,
                "%s    {\"utc\": \"%s\", \"t_s\": %.17g, \"household\": %" PRIu32
                ", \"name\": \"%s\", \"origin\": \"%s\", \"code\": \"0x%" PRIX32
                "\", \"value\": %" PRId64 ", \"meaning\": ",
                t->printed ? ",\n" : "", when, e->t_s, e->household, sim_event_name(e->code),
                sim_event_origin(e->code), e->code, e->value);
        sim_json_str(t->out, val);
        fputc('}', t->out);
    } else {
        fprintf(t->out, "%-24s %12.3f %9" PRIu32 "  %-22s %-7s 0x%-6" PRIX32 " %" PRId64 "%s%s%s\n",
                when, e->t_s, e->household, sim_event_name(e->code),
                e->code >= 0x8000 && e->code <= 0xFFFF ? "GBCS" : "sim", e->code, e->value,
                val[0] ? " (" : "", val, val[0] ? ")" : "");
    }
    t->printed++;
    t->counts[e->household]++;
}

/* /events, block by block, the requested households' records printed in the trace's order. */
static int scan_events(tl *t)
{
    const sim_dataset_decl *ed = sim_schema_dataset(SIM_DS_EVENTS);
    hid_t ds = H5Dopen2(t->f, ed->path, H5P_DEFAULT);
    if (ds < 0) return tl_fail(t, "%s cannot be opened (damaged trace?)", ed->path);
    hid_t ft = H5Dget_type(ds), sp = H5Dget_space(ds);
    int ok = H5Tget_class(ft) == H5T_COMPOUND && H5Sget_simple_extent_ndims(sp) == 1;
    for (size_t i = 0; ok && i < ed->nmembers; i++)
        ok = H5Tget_member_index(ft, ed->members[i].name) >= 0;
    hsize_t n = 0;
    if (ok) H5Sget_simple_extent_dims(sp, &n, NULL);
    H5Tclose(ft);
    H5Sclose(sp);
    int rc = ok ? 0 : tl_fail(t, "/events is not a table of (t_s, household, code, value)");
    hid_t mt = rc ? -1 : sim_schema_h5_type(ed);
    sim_event *buf = rc ? NULL : malloc(BLOCK_EVENTS * sizeof *buf);
    if (rc == 0 && (mt < 0 || !buf)) rc = tl_fail(t, "out of memory");
    if (rc == 0 && t->o->json) fputs("  \"events\": [\n", t->out);
    if (rc == 0 && !t->o->json)
        fprintf(t->out, "%-24s %12s %9s  %-22s %-7s %-8s %s\n", "utc", "t_s", "household", "event",
                "origin", "code", "value");
    for (hsize_t off = 0; rc == 0 && off < n; off += BLOCK_EVENTS) {
        hsize_t cnt = n - off < BLOCK_EVENTS ? n - off : BLOCK_EVENTS;
        hid_t fs = H5Dget_space(ds), ms = H5Screate_simple(1, &cnt, NULL);
        if (H5Sselect_hyperslab(fs, H5S_SELECT_SET, &off, NULL, &cnt, NULL) < 0 ||
            H5Dread(ds, mt, ms, fs, H5P_DEFAULT, buf) < 0)
            rc = tl_fail(t, "cannot read /events (damaged trace?)");
        H5Sclose(ms);
        H5Sclose(fs);
        for (size_t i = 0; rc == 0 && i < cnt; i++)
            if (buf[i].household < t->rows && t->wanted[buf[i].household]) print_event(t, &buf[i]);
    }
    if (rc == 0 && t->o->json) fprintf(t->out, "%s  ]\n", t->printed ? "\n" : "");
    free(buf);
    if (mt >= 0) H5Tclose(mt);
    H5Dclose(ds);
    return rc;
}

/* The meters' own event logs (/meter/firmware_log, when trace.firmware_log named them), after
 * the simulator's records: what each meter itself kept at the end of the run. */
static int scan_firmware_log(tl *t)
{
    const sim_dataset_decl *d = sim_schema_dataset(SIM_DS_FIRMWARE_LOG);
    if (H5Lexists(t->f, "/meter", H5P_DEFAULT) <= 0 || H5Lexists(t->f, d->path, H5P_DEFAULT) <= 0)
        return 0;
    hid_t ds = H5Dopen2(t->f, d->path, H5P_DEFAULT);
    hid_t sp = ds >= 0 ? H5Dget_space(ds) : -1;
    hsize_t n = 0;
    if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 1 ||
        H5Sget_simple_extent_dims(sp, &n, NULL) < 0) {
        if (sp >= 0) H5Sclose(sp);
        if (ds >= 0) H5Dclose(ds);
        return tl_fail(t, "%s cannot be read (damaged trace?)", d->path);
    }
    H5Sclose(sp);
    hid_t mt = sim_schema_h5_type(d);
    sim_fwlog_row *rows = malloc((n ? n : 1) * sizeof *rows);
    int rc = mt >= 0 && rows && H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows) >= 0
                 ? 0
                 : tl_fail(t, "%s cannot be read (damaged trace?)", d->path);
    uint64_t shown = 0;
    for (hsize_t k = 0; rc == 0 && k < n; k++) {
        const sim_fwlog_row *w = &rows[k];
        if (w->household >= t->rows || !t->wanted[w->household]) continue;
        char when[48];
        sim_fmt_utc(when, sizeof when, t->start, w->t_s);
        if (t->o->json)
            fprintf(t->out,
                    "%s    {\"utc\": \"%s\", \"t_s\": %.17g, \"household\": %" PRIu32
                    ", \"name\": \"%s\", \"code\": \"0x%" PRIX32 "\", \"value\": %" PRId64
                    ", \"flags\": %u}",
                    shown ? ",\n" : "  ,\"firmware_log\": [\n", when, w->t_s, w->household,
                    sim_event_name(w->code), w->code, w->value, w->flags);
        else
            fprintf(
                t->out, "%s%-24s %12.3f %9" PRIu32 "  %-22s %-7s 0x%-6" PRIX32 " %" PRId64 "\n",
                shown ? "" : "firmware log (each meter's own, as kept at the end of the run):\n",
                when, w->t_s, w->household, sim_event_name(w->code), "meter", w->code, w->value);
        shown++;
    }
    if (rc == 0 && t->o->json && shown) fputs("\n  ]\n", t->out);
    free(rows);
    if (mt >= 0) H5Tclose(mt);
    H5Dclose(ds);
    return rc;
}

int sim_timeline(const char *path, const uint32_t *ids, size_t nids, const sim_timeline_opts *o,
                 FILE *out, char *err, size_t errlen)
{
    tl t = {.path = path, .o = o, .out = out, .f = -1, .err = err, .errlen = errlen};
    int rc = open_trace(&t);
    if (rc == 0) rc = households(&t, ids, nids);
    if (rc == 0) rc = scan_events(&t);
    if (rc == 0) rc = scan_firmware_log(&t);
    if (rc == 0 && o->json) fputs("}\n", out);
    if (rc == 0 && !o->json)
        for (size_t i = 0; i < nids; i++)
            if (t.wanted[ids[i]] == 1) {
                t.wanted[ids[i]] = 2;
                fprintf(out, "household %" PRIu32 ": %" PRIu64 " events\n", ids[i],
                        t.counts[ids[i]]);
            }
    free(t.wanted);
    free(t.counts);
    if (t.f >= 0) H5Fclose(t.f);
    return rc;
}
