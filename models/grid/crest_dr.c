/* Demand response and in-home-display feedback of the crest model: households that follow
 * prices defer the starts they can put on a timer (washing machine, dishwasher, EV charge) to
 * cheaper periods, and a working IHD trims discretionary power by a cut that fades.  The rules
 * and their calibration follow. */
#include "crest_internal.h"

/* ---- demand response -------------------------------------------------------------------
 * Prices.  A share dr_engaged_share of households follows prices; the flag is drawn once
 * from the household's own stream "load.crest.dr", so it does not disturb the appliance
 * stream, and the engaged set at a smaller share is a subset of that at a larger one.
 * Published figures give the range: under 9 % changed their peak use in the ComEd pilot
 * (seed 004), 28 % of engaged Agile customers shifted markedly (Octopus Energy, 2018),
 * cutting their 16:00-19:00 use by 28.2 % (the model's households that pass the same
 * significance test cut theirs by ~26 %, tests/grid/test_dr.c).  Engaged households move
 * the starts they can delay with a timer: washing machine (the tumble dryer follows the wash, as without DR),
 * dishwasher, and EV charging of homes without a smart charger (smart chargers already
 * seek the cheapest start, unchanged).  The rule, when such a start is wanted at t:
 *   - look at the prices the hook has published for every start from t to the latest
 *     that still finishes within dr_horizon_h (EV: before departure); a period not yet
 *     published (NAN) is valued at a reference price, the mean of the published prices of
 *     the previous 24 hours, i.e. what the household has seen lately;
 *   - cost each candidate start (t and each later period boundary) with the appliance's
 *     mean power profile (washer + expected dryer, dishwasher, charger);
 *   - with probability min(1, dr_response x g), g = (cost now - cheapest) / cost now the
 *     relative saving, delay the start to the cheapest candidate.  The probability grows
 *     with the saving, so small price differences move little load and large ones most
 *     of it;
 *   - a delay chosen on published prices is kept; one that rests on the reference (the
 *     cheapest future lies beyond publication, as always with real-time prices) is
 *     re-decided at the next period boundary with the prices known then ("wait and see"),
 *     without a new draw, until starting now is cheapest or the slack is used up.  With
 *     real-time prices this releases every waiting load in the first period whose price
 *     falls to the reference: the synchronised response of the Bremen study.
 * A deferred washer/dishwasher start waits in the run table (PH_DEFER), drawing nothing; a
 * second wish while one waits is queued behind it, so use is moved, never forgone.  The
 * decision's draw comes from the household's appliance stream and is taken only when a
 * cheaper start exists, so flat prices leave every result as with demand response off.
 * dr_response = 2 is calibrated in test_dr.c: engaged households' own-price elasticity
 * -0.26 (UK dynamic-rate trials), measured as the relative change of consumption in
 * 16:00-19:00 per relative change of that window's price against the day's mean price.
 * A population with engaged share e responds about e times as much.
 *
 * Feedback.  A household with a working in-home display (grid_hh_ctx.ihd) cuts its
 * discretionary power, lighting, screens (TV, electronics, computer) and the always-on
 * load (standby and base load: switching off at the wall), by
 *   feedback_cut x exp(-(feedback_days_installed + days since the run start) / tau)
 * and nothing before installation.  Cooking, kettle, laundry, showers, cold appliances and
 * heating are left alone.  The cut is applied to power (the energy-equivalent of shorter or
 * fewer uses), so it draws nothing and a run with feedback keeps the random sequence of
 * one without.  Discretionary loads are about a quarter of winter electricity, so the
 * default cut 0.19 saves ~4.9 % on installation day and 3.9 % over the first week,
 * calibrated in test_dr.c to the 3-5 % of seed 004 (3.8 % over nine pilots, ACEEE 2012);
 * tau 14 days follows seed 000 ("within a week or two ... back to normal");
 * van Dam et al. found savings not sustained at 15 months.  Gas is not cut. */

/* ---- demand response (see "demand response" above) ------------------------------------ */

bool crest_dr_follows(const crest_model *m, const crest_hh *h)
{
    return m->p.price && (h->dr_flags & DRF_ENGAGED);
}

void crest_dr_phase(dr_profile *pr, double w, double s)
{
    pr->w[pr->n] = w;
    pr->s[pr->n] = s;
    pr->n++;
    pr->dur += s;
}

static dr_profile dr_appliance_profile(const crest_model *m, const crest_hh *h, int a, uint32_t t)
{
    const appliance *ap = &crest_appliances[a];
    dr_profile pr = {.n = 0};
    crest_dr_phase(&pr, ap->w1, ap->min1 * 60.0);
    if (ap->w2 > 0) crest_dr_phase(&pr, ap->w2, ap->min2 * 60.0);
    if (a == A_WASHER && owns(h, A_DRYER)) {
        const slotinfo si = slot_of(m, t / SLOT_S);
        double share = DRYER_SHARE * (1.0 + 0.4 * m->lday_cs[si.lday]);
        crest_dr_phase(&pr, share * crest_appliances[A_DRYER].w1,
                       crest_appliances[A_DRYER].min1 * 60.0);
    }
    return pr;
}

/* Published price of period K, NAN if not yet known. */
static double dr_price(const crest_model *m, const void *price_ctx, uint32_t k)
{
    return m->p.price(price_ctx, k);
}

/* Mean published price of the DR_REF_PERIODS periods before K; NAN if none is known. */
static double dr_reference(const crest_model *m, const void *price_ctx, uint32_t k)
{
    double sum = 0;
    int n = 0;
    for (uint32_t j = k > DR_REF_PERIODS ? k - DR_REF_PERIODS : 0; j < k; j++) {
        double v = dr_price(m, price_ctx, j);
        if (!isnan(v)) sum += v, n++;
    }
    return n ? sum / n : NAN;
}

/* Cost of PR started at S [price unit x J]; unpublished periods at REF, flagged in *EST. */
static double dr_cost(const crest_model *m, const void *price_ctx, const dr_profile *pr, double s,
                      double ref, bool *est)
{
    double cost = 0, u = s;
    *est = false;
    for (int i = 0; i < pr->n; i++) {
        double end = u + pr->s[i];
        while (u < end) {
            double pe = (floor(u / SIM_PERIOD_S) + 1) * SIM_PERIOD_S;
            double v = dr_price(m, price_ctx, (uint32_t)(u / SIM_PERIOD_S));
            if (isnan(v)) {
                v = ref;
                *est = true;
            }
            cost += pr->w[i] * v * (fmin(pe, end) - u);
            u = fmin(pe, end);
        }
    }
    return cost;
}

/* When to start PR, wanted at T, at the latest at LATEST: T (now) or a later period
 * boundary.  FIRST: a new wish, which the household follows with probability
 * min(1, dr_response x relative saving), drawn from its stream only when a cheaper start
 * exists (so flat prices draw nothing); otherwise the re-decision of a deferral already
 * made, without a draw.  *PROV: the cheapest start rests on reference prices, so the
 * returned time is the next boundary, where the household decides again. */
double crest_dr_plan(const crest_model *m, crest_hh *h, const void *price_ctx, const dr_profile *pr,
                     uint32_t t, double latest, bool first, bool *prov)
{
    *prov = false;
    uint32_t k = t / SIM_PERIOD_S;
    double now_p = dr_price(m, price_ctx, k);
    double next_b = (double)(k + 1) * SIM_PERIOD_S;
    if (isnan(now_p) || next_b > latest) return t;
    double ref = dr_reference(m, price_ctx, k);
    if (isnan(ref)) ref = now_p;
    bool est;
    double c_now = dr_cost(m, price_ctx, pr, t, ref, &est), c_best = c_now, best = t;
    double tol = 1e-9 * fabs(c_now); /* equal prices split differently must not look cheaper */
    bool est_best = false;
    for (double s = next_b; s <= latest; s += SIM_PERIOD_S) {
        double c = dr_cost(m, price_ctx, pr, s, ref, &est);
        if (c < c_best - tol) c_best = c, best = s, est_best = est;
    }
    if (best == t) return t;
    if (first) {
        double g = (c_now - c_best) / fmax(fabs(c_now), 1e-9);
        if (uni(h) >= m->p.dr_response * g) return t;
    }
    *prov = est_best;
    return est_best ? next_b : best;
}

/* Whole periods from AT to LATEST, at most MAX. */
static unsigned dr_slack(double latest, double at, unsigned max)
{
    return (unsigned)clampd(floor((latest - at) / SIM_PERIOD_S), 0, max);
}

void crest_dr_ev_set(crest_hh *h, double at, double latest, bool prov)
{
    h->dr_ev_left = (uint8_t)dr_slack(latest, at, UINT8_MAX);
    if (prov)
        h->dr_flags |= DRF_EV_PROV;
    else
        h->dr_flags &= (uint8_t)~DRF_EV_PROV;
}

static uint8_t dr_phase_bits(double at, double latest, bool prov)
{
    return (uint8_t)(PH_DEFER | (prov ? PH_PROV : 0u) | dr_slack(latest, at, PH_LEFT));
}

/* Whether A is on (not merely waiting), ignoring run slot SKIP; the latest time a deferred
 * start of A is due (0: none). */
static bool dr_busy(const crest_hh *h, int a, unsigned skip, uint32_t *wait_until)
{
    bool on = false;
    *wait_until = 0;
    for (unsigned i = 0; i < h->n_run; i++) {
        if (h->run_app[i] != a || i == skip) continue;
        if (!(h->run_phase[i] & PH_DEFER))
            on = true;
        else if (h->run_end[i] > *wait_until)
            *wait_until = h->run_end[i];
    }
    return on;
}

/* A start of A wanted at T: defer it (true) or let it start now (false).  While A is on, the
 * wish is refused as without demand response (CREST: an appliance on cannot start again);
 * while a deferred load of A waits, the new one is queued behind it, so no use is lost. */
bool crest_dr_defer(const crest_model *m, crest_hh *h, int a, uint32_t t, const void *price_ctx)
{
    if ((a != A_WASHER && a != A_DISHWASHER) || !crest_dr_follows(m, h) || h->n_run >= MAX_RUN)
        return false;
    uint32_t waiting;
    if (dr_busy(h, a, MAX_RUN, &waiting)) return false;
    dr_profile pr = dr_appliance_profile(m, h, a, t);
    if (waiting) {
        double at = ceil((waiting + pr.dur) / SIM_PERIOD_S) * SIM_PERIOD_S;
        crest_add_run(h, a, sat_u32(at));
        h->run_phase[h->n_run - 1] = PH_DEFER;
        return true;
    }
    double latest = t + m->p.dr_horizon_h * 3600.0 - pr.dur;
    bool prov;
    double at = crest_dr_plan(m, h, price_ctx, &pr, t, latest, true, &prov);
    if (at <= t) return false;
    crest_add_run(h, a, sat_u32(at));
    h->run_phase[h->n_run - 1] = dr_phase_bits(at, latest, prov);
    return true;
}

/* The deferred start in run slot I comes due at T: decide again if the deferral rested on
 * reference prices, else start (the run slot becomes the run). */
void crest_dr_due(const crest_model *m, crest_hh *h, unsigned i, uint32_t t, const void *price_ctx)
{
    int a = h->run_app[i];
    const appliance *ap = &crest_appliances[a];
    uint8_t ph = h->run_phase[i];
    if (ph & PH_PROV) {
        double latest = t + (double)(ph & PH_LEFT) * SIM_PERIOD_S;
        dr_profile pr = dr_appliance_profile(m, h, a, t);
        bool prov;
        double at = crest_dr_plan(m, h, price_ctx, &pr, t, latest, false, &prov);
        if (at > t) {
            h->run_end[i] = sat_u32(at);
            h->run_phase[i] = dr_phase_bits(at, latest, prov);
            return;
        }
    }
    uint32_t waiting;
    if (dr_busy(h, a, i, &waiting)) { /* a queued load's turn came before the last ended */
        h->run_end[i] = (t / SIM_PERIOD_S + 1) * SIM_PERIOD_S;
        h->run_phase[i] = PH_DEFER;
        return;
    }
    h->run_phase[i] = 0;
    h->run_end[i] = t + crest_draw_minutes(h, ap->min1, ap->flags & F_EXP);
}

/* Feedback multiplier of discretionary power at T [-]: 1 without a working IHD. */
double crest_fb_factor(const crest_model *m, const crest_hh *h, uint32_t t)
{
    if (!m->p.feedback_enabled || !(h->dr_flags & DRF_IHD)) return 1.0;
    double age = m->p.feedback_days_installed + t / (double)SIM_DAY_S;
    if (age < 0) return 1.0;
    return 1.0 - m->p.feedback_cut * exp(-age / m->p.feedback_tau_days);
}
