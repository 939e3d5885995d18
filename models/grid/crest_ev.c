/* EV home charging of the crest model: arrivals and departures by local time, the size of
 * each evening's charge, and when it starts: at once, at the cheapest period for a smart
 * charger, or deferred by a price-following household (crest_dr.c). */
#include "crest_internal.h"

/* Schedule the next arrival at or after T. */
void crest_ev_next_arrival(const crest_model *m, crest_hh *h, uint32_t t)
{
    uint32_t d = slot_of(m, t / SLOT_S).lday;
    for (int tries = 0; tries < 3; tries++, d++) {
        if (d >= m->n_ldays) break;
        double hr = m->lday_dt[d] ? clampd(14.5 + 2.5 * gauss(h), 9, 22)
                                    : clampd(17.75 + 1.25 * gauss(h), 13, 23);
        double at = crest_local_time(m, d, hr);
        if (at > t) {
            h->ev_state = 0;
            h->ev_next = sat_u32(ceil(at));
            return;
        }
    }
    h->ev_next = GRID_NEVER;
}

void crest_ev_event(const crest_model *m, crest_hh *h, uint32_t t, const void *price_ctx)
{
    if (h->ev_state == 0) { /* arrival: plan tonight's charge */
        uint32_t d = slot_of(m, t / SLOT_S).lday + 1;
        double dep_hr = d < m->n_ldays && m->lday_dt[d] ? clampd(10.0 + 1.5 * gauss(h), 7, 14)
                                                          : clampd(7.5 + 0.75 * gauss(h), 5, 10);
        double dep = crest_local_time(m, d, dep_hr);
        double skip = uni(h), amount = exp(0.5 * gauss(h) - 0.125);
        if (skip < EV_SKIP || dep <= t) {
            crest_ev_next_arrival(m, h, (uint32_t)clampd(dep, t + 1, (double)GRID_NEVER - 1));
            return;
        }
        double kwh = h->ev_kwh * amount / (1.0 - EV_SKIP);
        double dur = kwh / m->p.ev_charger_kw * 3600.0;
        double window = dep - t;
        if (dur > window) dur = window;
        double start = t;
        if (h->ev == 2) {
            double latest = dep - dur;
            if (m->p.price) {
                /* cheapest start among arrival and each later period boundary */
                double best = INFINITY;
                for (double s = t; s <= latest; s = (floor(s / SIM_PERIOD_S) + 1) * SIM_PERIOD_S) {
                    double cost = 0;
                    for (double u = s; u < s + dur;) {
                        double pe = (floor(u / SIM_PERIOD_S) + 1) * SIM_PERIOD_S;
                        double v = m->p.price(price_ctx, (uint32_t)(u / SIM_PERIOD_S));
                        if (isnan(v)) {
                            cost = INFINITY;
                            break;
                        }
                        cost += v * (fmin(pe, s + dur) - u);
                        u = pe;
                    }
                    if (cost < best) {
                        best = cost;
                        start = s;
                    }
                }
            } else {
                double off = crest_local_time(m, d, 0.5 + 0.5 * uni(h));
                if (off < t) off = t;
                start = off <= latest ? off : t;
            }
        } else if (crest_dr_follows(m, h)) {
            dr_profile pr = {.n = 0};
            crest_dr_phase(&pr, m->p.ev_charger_kw * 1000.0, dur);
            double latest = dep - dur;
            bool prov;
            start = crest_dr_plan(m, h, price_ctx, &pr, t, latest, true, &prov);
            crest_dr_ev_set(h, start, latest, prov && start > t);
        }
        h->ev_stop = sat_u32(ceil(start + dur));
        if (start <= t) {
            h->ev_state = 2;
            h->ev_next = h->ev_stop > t ? h->ev_stop : t + 1;
        } else {
            h->ev_state = 1;
            h->ev_next = sat_u32(ceil(start));
        }
        return;
    }
    if (h->ev_state == 1) {
        if (h->dr_flags & DRF_EV_PROV) { /* re-decide a wait-and-see deferral */
            dr_profile pr = {.n = 0};
            crest_dr_phase(&pr, m->p.ev_charger_kw * 1000.0, (double)(h->ev_stop - t));
            double latest = t + (double)h->dr_ev_left * SIM_PERIOD_S;
            bool prov;
            double at = crest_dr_plan(m, h, price_ctx, &pr, t, latest, false, &prov);
            crest_dr_ev_set(h, at, latest, prov && at > t);
            if (at > t) {
                h->ev_next = sat_u32(at);
                h->ev_stop = sat_u32(ceil(at + pr.dur));
                return;
            }
        }
        h->ev_state = 2;
        h->ev_next = h->ev_stop > t ? h->ev_stop : t + 1;
        return;
    }
    crest_ev_next_arrival(m, h, t); /* end of charge */
}
