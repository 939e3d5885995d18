/* `metersim diff --json`: the whole report as one JSON object, its keys always in the order
 * written here, for CI pipelines.  Amounts are JSON numbers in GBP and kWh (exact decimals
 * of the trace's integers); every group and every differing event code is listed, and the
 * diverging households up to --max. */
#include "diff_int.h"
#include "textfmt.h"

#include <inttypes.h>
#include <string.h>

static void json_trace(FILE *out, const char *label, const trace *t)
{
    fprintf(out, "  \"%s\": {\"path\": ", label);
    sim_json_str(out, t->path);
    fputs(", \"metersim\": ", out);
    sim_json_str(out, t->meta.version);
    fputs(", \"firmware\": ", out);
    sim_json_str(out, t->meta.firmware);
    fprintf(out, ", \"seed\": %" PRIu64 ", \"complete\": %s, \"periods\": %" PRIu64 "},\n",
            t->meta.seed, t->meta.complete ? "true" : "false", t->periods);
}

static void json_scenario(FILE *out, const diff *d)
{
    int known = d->a.yaml && d->b.yaml;
    fprintf(out, "  \"scenario\": {\"known\": %s, \"same_text\": %s, \"unexpected_keys\": %d, "
                 "\"keys\": [",
            known ? "true" : "false", known && strcmp(d->a.yaml, d->b.yaml) == 0 ? "true" : "false",
            d->unexpected_keys);
    for (size_t i = 0; i < d->nkeys; i++) {
        const key_diff *k = &d->keys[i];
        fputs(i ? ",\n    {\"key\": " : "\n    {\"key\": ", out);
        sim_json_str(out, k->key);
        fputs(", \"a\": ", out);
        sim_json_str(out, k->a);
        fputs(", \"b\": ", out);
        sim_json_str(out, k->b);
        fprintf(out, ", \"expected\": %s}", k->expected ? "true" : "false");
    }
    fprintf(out, "%s]},\n", d->nkeys ? "\n  " : "");
}

static void json_groups(FILE *out, const diff *d)
{
    static const char *const kinds[] = {"all", "payment", "population"};
    fputs("  \"payment_mode_source\": ", out);
    sim_json_str(out, d->pay_source);
    fputs(",\n  \"groups\": [", out);
    for (size_t i = 0; i < d->ngroups; i++) {
        const diff_group *g = &d->groups[i];
        char bill[48], reg[48], hh[48];
        sim_fmt_fixed(bill, sizeof bill, g->bill_cost, 10, 0);
        sim_fmt_fixed(reg, sizeof reg, g->reg_import, 3, 0);
        sim_fmt_fixed(hh, sizeof hh, g->hh_import, 3, 0);
        fprintf(out, "%s\n    {\"kind\": \"%s\", \"name\": ", i ? "," : "", kinds[g->kind]);
        sim_json_str(out, g->name);
        fprintf(out, ", \"households\": %" PRIu64 ", \"diverging\": %" PRIu64
                     ", \"bill_delta_gbp\": %s, \"import_register_delta_kwh\": %s"
                     ", \"import_halfhourly_delta_kwh\": %s, \"events_shifted\": %" PRIu64
                     ", \"events_unmatched\": %" PRIu64 "}",
                g->households, g->diverging, bill, reg, hh, g->ev_shifted, g->ev_unmatched);
    }
    fputs("\n  ],\n", out);
}

static void json_codes(FILE *out, const diff *d)
{
    fprintf(out, "  \"events\": {\"window_s\": %.17g, \"no_household_differs\": %s, \"by_code\": [",
            d->o->window_s, d->nrecs && d->recs[d->nrecs - 1].row == d->n ? "true" : "false");
    for (size_t i = 0; i < d->ncodes; i++) {
        const code_stats *c = &d->codes[i];
        double n = (double)c->n[EV_SHIFTED];
        fprintf(out, "%s\n    {\"code\": \"0x%" PRIX32 "\", \"name\": \"%s\", \"origin\": \"%s\", "
                     "\"shifted\": %" PRIu64 ", \"changed\": %" PRIu64 ", \"only_a\": %" PRIu64
                     ", \"only_b\": %" PRIu64 ", \"shift_mean_s\": %.6g, \"shift_min_s\": %.6g, "
                     "\"shift_max_s\": %.6g}",
                i ? "," : "", c->code, sim_event_name(c->code), sim_event_origin(c->code),
                c->n[EV_SHIFTED], c->n[EV_CHANGED], c->n[EV_ONLY_A], c->n[EV_ONLY_B],
                n ? c->shift_sum / n : 0.0, c->shift_min, c->shift_max);
    }
    fprintf(out, "%s]},\n", d->ncodes ? "\n  " : "");
}

static void json_event(FILE *out, const char *name, const sim_event *e)
{
    fprintf(out, ", \"%s\": {\"t_s\": %.17g, \"value\": %" PRId64 "}", name, e->t_s, e->value);
}

static void json_household(FILE *out, const diff *d, const hh_diff *h)
{
    static const char *const kinds[EV_NKINDS] = {"shifted", "changed", "only_a", "only_b"};
    if (h->row < d->n)
        fprintf(out, "    {\"household\": %" PRIu32, d->ids[h->row]);
    else
        fputs("    {\"household\": null", out);
    fprintf(out, ", \"halfhourly\": %s, \"registers\": %s, \"bill\": %s, \"events\": %s",
            h->what & D_HALFHOURLY ? "true" : "false", h->what & D_REGISTERS ? "true" : "false",
            h->what & D_BILL ? "true" : "false", h->what & D_EVENTS ? "true" : "false");
    if (h->what & D_HALFHOURLY)
        fprintf(out, ", \"first_period\": %" PRIu64 ", \"channel\": \"%s\"", h->period,
                sim_schema_dataset((sim_ds)(SIM_DS_IMPORT + h->channel))->key);
    char bill[48];
    sim_fmt_fixed(bill, sizeof bill, h->bill[SIM_BILL_COST], 10, 0);
    fprintf(out, ", \"import_register_delta_wh\": %" PRId64 ", \"bill_delta_gbp\": %s",
            h->reg[SIM_REG_IMPORT], bill);
    for (int k = 0; k < EV_NKINDS; k++) fprintf(out, ", \"events_%s\": %" PRIu32, kinds[k], h->ev[k]);
    if (h->first.kind >= 0) {
        const ev_first *f = &h->first;
        const sim_event *e = f->kind == EV_ONLY_B ? &f->b : &f->a;
        fprintf(out, ", \"first_event\": {\"how\": \"%s\", \"code\": \"0x%" PRIX32 "\", \"name\": \"%s\"",
                kinds[f->kind], e->code, sim_event_name(e->code));
        if (f->kind != EV_ONLY_B) json_event(out, "a", &f->a);
        if (f->kind != EV_ONLY_A) json_event(out, "b", &f->b);
        fputc('}', out);
    }
    fputc('}', out);
}

int diff_report_json(const diff *d, FILE *out)
{
    int status = diff_exit_status(d);
    fputs("{\n", out);
    fprintf(out, "  \"exit_status\": %d,\n", status);
    fputs("  \"exit_status_meaning\": {\"0\": \"identical\", \"1\": \"the runs differ\", "
          "\"2\": \"usage or input error\"},\n",
          out);
    json_trace(out, "a", &d->a);
    json_trace(out, "b", &d->b);
    json_scenario(out, d);
    fprintf(out, "  \"periods_compared\": %" PRIu64 ",\n", d->periods);
    size_t by[4] = {0, 0, 0, 0}, diverging = 0;
    for (size_t i = 0; i < d->nrecs; i++) {
        if (d->recs[i].row == d->n) continue;
        diverging++;
        for (int k = 0; k < 4; k++)
            if (d->recs[i].what & (1u << k)) by[k]++;
    }
    fprintf(out, "  \"households\": {\"compared\": %" PRIu64 ", \"diverging\": %zu, "
                 "\"halfhourly\": %zu, \"registers\": %zu, \"bills\": ",
            d->n, diverging, by[0], by[1]);
    if (d->bills_note) sim_json_str(out, d->bills_note);
    else fprintf(out, "%zu", by[2]);
    fprintf(out, ", \"events\": %zu},\n", by[3]);
    json_groups(out, d);
    json_codes(out, d);
    fprintf(out, "  \"diverging_households_listed\": %zu,\n  \"diverging_households\": [",
            d->listed);
    for (size_t i = 0; i < d->listed; i++) {
        fputs(i ? ",\n" : "\n", out);
        json_household(out, d, &d->recs[i]);
    }
    fprintf(out, "%s]\n}\n", d->listed ? "\n  " : "");
    return status;
}
