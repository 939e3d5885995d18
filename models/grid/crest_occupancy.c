/* Active occupancy of the crest model: the per-person probability of being at home and awake
 * by hour, the Markov chains on the count of active occupants built from it at create(), and
 * their run per household (the next change of the count, and the appliances that stop when
 * nobody is active). */
#include "crest_internal.h"

/* ---- occupancy -------------------------------------------------------------------------
 * Probability that one occupant is at home and active, by hour (value at hh:30), weekday
 * and weekend.  Hand-drawn to the shape of the UK TUS 2000 active-occupancy curves shown in
 * Richardson et al. 2008: near zero 01-05, a steep rise 06-08 on weekdays about two hours
 * later at weekends, a daytime plateau of about a third on weekdays (work) and a half at
 * weekends, the evening maximum near 0.65 at 19-20, falling after 22. */
static const double occ_wd[24] = {0.12, 0.05, 0.03, 0.02, 0.02, 0.05, 0.22, 0.46,
                                  0.42, 0.33, 0.31, 0.32, 0.36, 0.35, 0.33, 0.36,
                                  0.45, 0.57, 0.64, 0.66, 0.65, 0.60, 0.45, 0.25};
static const double occ_we[24] = {0.18, 0.09, 0.05, 0.03, 0.02, 0.02, 0.05, 0.15,
                                  0.33, 0.50, 0.58, 0.59, 0.58, 0.55, 0.52, 0.51,
                                  0.54, 0.59, 0.62, 0.63, 0.62, 0.59, 0.47, 0.30};

/* Person chain meeting a -> a2 exactly: keep the state (adjusted for the trend) with
 * probability 1 - CHURN, else redraw from a2. */
static void person_trans(double a, double a2, double *p11, double *p01)
{
    double keep11 = a > 0 ? (a2 >= a ? 1.0 : a2 / a) : 1.0;
    double keep01 = a < 1 ? (a2 > a ? (a2 - a) / (1 - a) : 0.0) : 0.0;
    *p11 = CHURN * a2 + (1 - CHURN) * keep11;
    *p01 = CHURN * a2 + (1 - CHURN) * keep01;
}

double crest_binom_pmf(int k, int n, double p)
{
    return gsl_ran_binomial_pdf((unsigned)k, p, (unsigned)n);
}

void crest_build_occupancy(crest_model *m)
{
    crest_hourly_to_slots(occ_wd, m->occ[0]);
    crest_hourly_to_slots(occ_we, m->occ[1]);
    for (int dt = 0; dt < 2; dt++)
        for (int s = 0; s < SLOTS_DAY; s++) {
            double p11, p01;
            person_trans(m->occ[dt][s], m->occ[dt][(s + 1) % SLOTS_DAY], &p11, &p01);
            for (int n = 1; n <= MAX_OCC; n++)
                for (int k = 0; k <= n; k++) {
                    double c = 0;
                    for (int j = 0; j <= n; j++) {
                        /* j active next = stay (of k) + join (of n - k) */
                        double pj = 0;
                        for (int st = 0; st <= k && st <= j; st++)
                            if (j - st <= n - k)
                                pj += crest_binom_pmf(st, k, p11) *
                                      crest_binom_pmf(j - st, n - k, p01);
                        c += pj;
                        m->cum[dt][s][n - 1][k][j] = (float)c;
                    }
                    m->cum[dt][s][n - 1][k][n] = 1.0f;
                }
        }
}

/* From slot boundary T, run the chain until the count of active occupants changes. */
void crest_next_occupancy(const crest_model *m, crest_hh *h, uint32_t t)
{
    for (uint32_t k = t / SLOT_S; k + 1 < m->n_slots; k++) {
        const slotinfo si = slot_of(m, k);
        const float *c = m->cum[si.dt][eff_slot(h, si.ls)][h->occupants - 1][h->active];
        double u = uni(h);
        int j = 0;
        while (j < h->occupants && u >= c[j])
            j++;
        if (j != h->active) {
            h->occ_next = (k + 1) * SLOT_S;
            h->occ_new = (uint8_t)j;
            return;
        }
    }
    h->occ_next = GRID_NEVER;
}

void crest_occupancy_event(const crest_model *m, crest_hh *h, uint32_t t)
{
    h->active = h->occ_new;
    if (h->active == 0)
        for (unsigned i = 0; i < h->n_run;) {
            if (crest_appliances[h->run_app[i]].flags & F_OCC) {
                h->n_run--;
                h->run_app[i] = h->run_app[h->n_run];
                h->run_phase[i] = h->run_phase[h->n_run];
                h->run_end[i] = h->run_end[h->n_run];
            } else {
                i++;
            }
        }
    crest_next_occupancy(m, h, t);
    h->app_next = crest_next_start(m, h, t);
}
