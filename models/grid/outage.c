#include "grid/outage.h"

#include "sim/rng.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define YEAR_S (365.25 * 86400.0)

typedef struct evbuf {
    grid_outage_event *v;
    size_t n, cap;
    int oom;
} evbuf;

static void push(evbuf *b, double t, uint32_t lv, uint8_t feeder, int8_t delta, uint8_t cause,
                 int64_t end)
{
    if (b->oom || t < 0 || t >= (double)end) return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 1024;
        grid_outage_event *v = realloc(b->v, cap * sizeof *v);
        if (!v) {
            b->oom = 1;
            return;
        }
        b->v = v;
        b->cap = cap;
    }
    b->v[b->n++] = (grid_outage_event){.t = (uint32_t)t, .lv = lv, .feeder = feeder,
                                       .delta = delta, .cause = cause};
}

/* Lognormal with the given mean: mu = ln(mean) - sigma^2/2. */
static double lognormal_mean(gsl_rng *g, double mean, double sigma)
{
    return gsl_ran_lognormal(g, log(mean) - 0.5 * sigma * sigma, sigma);
}

/* A unit failing as a Poisson process of RATE_PER_S; each fault is repaired after a
 * lognormal time; both ends emitted for every LV substation in [lv0, lv1). */
static void unit_faults(const grid_outage_params *p, evbuf *b, uint64_t unit, const char *stream,
                        double rate_per_s, uint32_t lv0, uint32_t lv1, uint8_t feeder,
                        uint8_t cause)
{
    if (rate_per_s <= 0) return;
    sim_rng rng;
    sim_rng_seed(&rng, p->seed, unit, stream);
    gsl_rng g;
    sim_rng_gsl(&rng, &g);
    double t = 0;
    for (;;) {
        t += gsl_ran_exponential(&g, 1.0 / rate_per_s);
        if (t >= (double)p->duration_s) break;
        double rep = lognormal_mean(&g, p->mean_duration_s, p->duration_sigma);
        double off = floor(t), on = off + round(rep);
        if (on <= off) on = off + 1;
        for (uint32_t s = lv0; s < lv1; s++) {
            push(b, off, s, feeder, +1, cause, p->duration_s);
            push(b, on, s, feeder, -1, cause, p->duration_s);
        }
    }
}

static int ev_cmp(const void *x, const void *y)
{
    const grid_outage_event *a = x, *b = y;
    if (a->t != b->t) return a->t < b->t ? -1 : 1;
    if (a->lv != b->lv) return a->lv < b->lv ? -1 : 1;
    if (a->feeder != b->feeder) return a->feeder < b->feeder ? -1 : 1;
    return (a->delta > b->delta) - (a->delta < b->delta);
}

double grid_storm_restored_within(const grid_storm_params *s, double t_s)
{
    if (t_s <= 0) return 0;
    double f = gsl_cdf_lognormal_P(t_s, log(s->fast_median_s), s->sigma);
    double l = gsl_cdf_lognormal_P(t_s, log(s->tail_median_s), s->sigma);
    return s->fast_share * f + (1 - s->fast_share) * l;
}

int grid_outage_generate(const grid_outage_params *p, const grid_topology *topo,
                         grid_outage_event **events, size_t *n, char *err, size_t errlen)
{
    if (p->duration_s <= 0 || p->duration_s > (int64_t)UINT32_MAX || p->mean_duration_s <= 0 ||
        p->interruptions_per_year < 0 || p->duration_sigma < 0) {
        snprintf(err, errlen, "outages: invalid parameters");
        return -1;
    }
    evbuf b = {0};
    /* Every customer is under exactly one unit per level, so a unit rate of
     * share x interruptions_per_year gives each customer that many interruptions. */
    double per_s = p->interruptions_per_year / YEAR_S;
    const grid_lv_substation *lv = topo->lv;
    uint32_t s = 0;
    while (s < topo->n_lv) {
        uint32_t e = s;
        while (e < topo->n_lv && lv[e].hv_feeder == lv[s].hv_feeder) e++;
        unit_faults(p, &b, lv[s].hv_feeder, "outage.hv", per_s * p->share_hv, s, e,
                    GRID_ALL_FEEDERS, GRID_CAUSE_HV);
        s = e;
    }
    uint32_t nf = topo->p.lv_feeders_per_substation;
    for (s = 0; s < topo->n_lv; s++) {
        unit_faults(p, &b, s, "outage.lv_substation", per_s * p->share_lv_substation, s, s + 1,
                    GRID_ALL_FEEDERS, GRID_CAUSE_LV_SUBSTATION);
        for (uint32_t f = 0; f < nf; f++)
            unit_faults(p, &b, (uint64_t)s * 256u + f, "outage.lv_feeder",
                        per_s * p->share_lv_feeder, s, s + 1, (uint8_t)f, GRID_CAUSE_LV_FEEDER);
    }
    const grid_storm_params *st = &p->storm;
    if (st->enabled) {
        for (s = 0; s < topo->n_lv; s++) {
            if (!(st->region_mask & (1u << lv[s].region))) continue;
            sim_rng rng;
            sim_rng_seed(&rng, p->seed, s, "outage.storm");
            gsl_rng g;
            sim_rng_gsl(&rng, &g);
            if (gsl_rng_uniform(&g) >= st->share) continue;
            double off = floor((double)st->start_s + gsl_rng_uniform(&g) * (double)st->onset_s);
            double median = gsl_rng_uniform(&g) < st->fast_share ? st->fast_median_s : st->tail_median_s;
            double on = off + round(gsl_ran_lognormal(&g, log(median), st->sigma));
            if (on <= off) on = off + 1;
            push(&b, off, s, GRID_ALL_FEEDERS, +1, GRID_CAUSE_STORM, p->duration_s);
            push(&b, on, s, GRID_ALL_FEEDERS, -1, GRID_CAUSE_STORM, p->duration_s);
        }
    }
    if (b.oom) {
        free(b.v);
        snprintf(err, errlen, "outages: out of memory");
        return -1;
    }
    if (b.n) qsort(b.v, b.n, sizeof *b.v, ev_cmp);
    *events = b.v;
    *n = b.n;
    return 0;
}
