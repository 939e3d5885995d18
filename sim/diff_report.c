/* `metersim diff`: the text report.  Deltas are B - A, exact, without trailing zeros; zero
 * prints as 0; group and event-code rows are printed only where something differs unless
 * --all.  The JSON report is in diff_json.c. */
#include "diff_int.h"
#include "textfmt.h"

#include "sim/timeutil.h"
#include "sim/units.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

static const sim_dataset_decl *channel_decl(uint32_t c)
{
    return sim_schema_dataset((sim_ds)(SIM_DS_IMPORT + c));
}

void diff_fmt_gbp(char *buf, size_t n, int64_t v)
{
    /* 1e-8 p -> GBP (10 decimals), shown to 1e-6 GBP unless that rounds a difference away */
    int64_t r = v / 10000 + (v % 10000 >= 5000) - (v % 10000 <= -5000);
    if (r != 0 || v == 0)
        sim_fmt_fixed(buf, n, r, 6, 1);
    else
        sim_fmt_fixed(buf, n, v, 10, 1);
}

static void print_event_desc(FILE *out, const diff *d, const ev_first *f)
{
    const sim_event *e = f->kind == EV_ONLY_B ? &f->b : &f->a;
    char when[48], val[96];
    sim_fmt_utc(when, sizeof when, d->a.start, f->kind == EV_ONLY_B ? f->b.t_s : f->a.t_s);
    fprintf(out, "; first at %s (t_s %.3f) %s (%s 0x%" PRIX32 ")", when, e->t_s,
            sim_event_name(e->code), sim_event_origin(e->code), e->code);
    if (f->kind == EV_SHIFTED) {
        char by[48];
        sim_fmt_shift(by, sizeof by, f->b.t_s - f->a.t_s);
        fprintf(out, " shifted by %s", by);
    }
    if (f->kind == EV_ONLY_A || f->kind == EV_ONLY_B) {
        sim_event_value_text(e->code, e->value, val, sizeof val);
        fprintf(out, " only in %s, value=%" PRId64 "%s%s%s", f->kind == EV_ONLY_A ? "A" : "B",
                e->value, val[0] ? " (" : "", val, val[0] ? ")" : "");
    } else if (f->a.value != f->b.value) {
        fprintf(out, " value A=%" PRId64 " B=%" PRId64, f->a.value, f->b.value);
    } else {
        sim_event_value_text(e->code, e->value, val, sizeof val);
        if (val[0]) fprintf(out, " (%s)", val);
    }
}

static void print_events(FILE *out, const diff *d, const hh_diff *h)
{
    static const char *const what[EV_NKINDS] = {"shifted", "changed", "only in A", "only in B"};
    fprintf(out, "events");
    const char *sep = " ";
    for (int k = 0; k < EV_NKINDS; k++) {
        if (!h->ev[k]) continue;
        fprintf(out, "%s%" PRIu32 " %s", sep, h->ev[k], what[k]);
        if (k == EV_ONLY_A || k == EV_ONLY_B) {
            const uint32_t *by = h->only_kind[k == EV_ONLY_B];
            fprintf(out, " (%" PRIu32 " GBCS alerts, %" PRIu32 " simulator records)",
                    by[KIND_ALERT], by[KIND_RECORD]);
        }
        sep = ", ";
    }
    if (h->first.kind >= 0) print_event_desc(out, d, &h->first);
}

static void print_household(FILE *out, const diff *d, const hh_diff *h)
{
    if (h->row < d->n)
        fprintf(out, "household %" PRIu32 ":", d->ids[h->row]);
    else
        fprintf(out, "household none:");
    const char *sep = " ";
    char num[64];
    if (h->what & D_HALFHOURLY) {
        char iso[32];
        sim_time_iso(d->a.start + (int64_t)h->period * SIM_PERIOD_S, iso, sizeof iso);
        fprintf(out, "%shalf-hourly from %s (period %" PRIu64 ") %s A=%" PRIu32 " B=%" PRIu32,
                sep, iso, h->period, channel_decl(h->channel)->key, h->hh_a, h->hh_b);
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
        fprintf(out, "%sbill B-A", sep);
        static const int digits[SIM_BILL_NCOLS] = {8, 5, 5}; /* 1e-8 p -> p, 1e-5 GBP -> GBP */
        for (int k = 0; k < SIM_BILL_NCOLS; k++) {
            if (!h->bill[k]) continue;
            sim_fmt_fixed(num, sizeof num, h->bill[k], digits[k], 1);
            fprintf(out, " %s=%s %s", bc[k].name, num, k == SIM_BILL_COST ? "p" : "GBP");
        }
        sep = "; ";
    }
    if (h->what & D_EVENTS) {
        fputs(sep, out);
        print_events(out, d, h);
    }
    fputc('\n', out);
}

static void print_trace(FILE *out, const char *label, const trace *t)
{
    fprintf(out, "%s: %s (metersim %s, firmware %s, seed %" PRIu64 ", %s, %" PRIu64 " periods)\n",
            label, t->path, t->meta.version, t->meta.firmware, t->meta.seed,
            t->meta.complete ? "complete" : "incomplete", t->periods);
}

static void print_scenario(FILE *out, const diff *d)
{
    if (!d->a.yaml || !d->b.yaml) {
        fprintf(out, "scenario: unknown (no resolved text in %s)\n", d->a.yaml ? "B" : "A");
        return;
    }
    if (strcmp(d->a.yaml, d->b.yaml) == 0) {
        fprintf(out, "scenario: same resolved text\n");
        return;
    }
    if (d->nkeys == 0) {
        fprintf(out, "scenario: same keys (the resolved texts differ only in comments)\n");
        return;
    }
    fprintf(out, "scenario: %zu %s (%zu expected: firmware images)\n", d->nkeys,
            d->nkeys == 1 ? "key differs" : "keys differ", d->nkeys - (size_t)d->unexpected_keys);
    for (size_t i = 0; i < d->nkeys; i++) {
        const key_diff *k = &d->keys[i];
        fprintf(out, "  %s: %s -> %s%s\n", k->key, k->a ? k->a : "(absent)",
                k->b ? k->b : "(absent)", k->expected ? " (expected: firmware image)" : "");
    }
    if (d->unexpected_keys)
        fprintf(out, "warning: the resolved scenarios differ beyond firmware images (seed, --set "
                     "or scenario file): the comparison is across different scenarios, and "
                     "divergence is expected\n");
}

static void print_codes(FILE *out, const diff *d)
{
    uint64_t tot[EV_NKINDS] = {0};
    for (size_t i = 0; i < d->ncodes; i++)
        for (int k = 0; k < EV_NKINDS; k++) tot[k] += d->codes[i].n[k];
    if (!d->ncodes) return;
    fprintf(out, "events differing: %" PRIu64 " shifted, %" PRIu64 " changed, %" PRIu64
                 " only in A, %" PRIu64 " only in B (pairing window %g s)\n",
            tot[EV_SHIFTED], tot[EV_CHANGED], tot[EV_ONLY_A], tot[EV_ONLY_B], d->o->window_s);
    for (size_t i = 0; i < d->ncodes; i++) {
        const code_stats *c = &d->codes[i];
        fprintf(out, "  %s (%s 0x%" PRIX32 "):", sim_event_name(c->code),
                sim_event_origin(c->code), c->code);
        if (c->n[EV_SHIFTED]) {
            char mean[48], lo[48], hi[48];
            sim_fmt_shift(mean, sizeof mean, c->shift_sum / (double)c->n[EV_SHIFTED]);
            sim_fmt_shift(lo, sizeof lo, c->shift_min);
            sim_fmt_shift(hi, sizeof hi, c->shift_max);
            fprintf(out, " %" PRIu64 " shifted (mean %s, from %s to %s)", c->n[EV_SHIFTED], mean,
                    lo, hi);
        }
        if (c->n[EV_CHANGED]) fprintf(out, " %" PRIu64 " changed", c->n[EV_CHANGED]);
        if (c->n[EV_ONLY_A]) fprintf(out, " %" PRIu64 " only in A", c->n[EV_ONLY_A]);
        if (c->n[EV_ONLY_B]) fprintf(out, " %" PRIu64 " only in B", c->n[EV_ONLY_B]);
        fputc('\n', out);
    }
}

int diff_group_differs(const diff_group *g)
{
    return g->diverging || g->bill_cost || g->reg_import || g->hh_import;
}

static void print_groups(FILE *out, const diff *d)
{
    fprintf(out, "groups:");
    for (size_t i = 0; i < d->ngroups; i++)
        fprintf(out, "%s %s (%" PRIu64 ")", i ? "," : "", d->groups[i].name,
                d->groups[i].households);
    fprintf(out, "; payment mode %s\n",
            !d->pay_source                         ? "unknown (no billing data, no prepay member)"
            : strcmp(d->pay_source, "member") == 0 ? "from /households prepay"
                                                   : "inferred from available credit");
    int header = 0;
    for (size_t i = 0; i < d->ngroups; i++) {
        const diff_group *g = &d->groups[i];
        if (!d->o->all && !diff_group_differs(g)) continue;
        if (!header)
            fprintf(out, "  %-20s %10s %10s %14s %14s %14s %8s %9s\n", "group B-A", "households",
                    "diverging", "bill GBP", "import kWh", "hh import kWh", "shifted",
                    "unmatched");
        header = 1;
        char bill[48], reg[48], hh[48];
        diff_fmt_gbp(bill, sizeof bill, g->bill_cost);
        sim_fmt_fixed(reg, sizeof reg, g->reg_import, 3, 1);
        sim_fmt_fixed(hh, sizeof hh, g->hh_import, 3, 1);
        fprintf(out, "  %-20s %10" PRIu64 " %10" PRIu64 " %14s %14s %14s %8" PRIu64 " %9" PRIu64 "\n",
                g->name, g->households, g->diverging, bill, reg, hh, g->ev_shifted,
                g->ev_unmatched);
    }
}

int diff_exit_status(const diff *d)
{
    return d->nrecs || d->a.periods != d->b.periods ? 1 : 0;
}

int diff_report(const diff *d, FILE *out)
{
    print_trace(out, "A", &d->a);
    print_trace(out, "B", &d->b);
    print_scenario(out, d);
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
    if (d->bills_note)
        fprintf(out, "  bills: %s\n", d->bills_note);
    else
        fprintf(out, "  bills: %zu\n", by[2]);
    fprintf(out, "  events: %zu\n", by[3]);
    if (d->nrecs && d->recs[d->nrecs - 1].row == d->n)
        fprintf(out, "  events of no household differ\n");
    print_groups(out, d);
    print_codes(out, d);
    if (!d->o->quiet) {
        for (size_t i = 0; i < d->listed; i++) print_household(out, d, &d->recs[i]);
        if (d->listed < d->nrecs)
            fprintf(out, "... %zu more not listed (--max 0 lists all)\n", d->nrecs - d->listed);
    }
    return diff_exit_status(d);
}
