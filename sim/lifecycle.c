#include "lifecycle.h"

#include "par.h"

#include "runner.h"

#include "sim/events.h"
#include "sim/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIG_EXCLUDED 0x80u
#define REPAIR_VISITING UINT32_MAX
enum { FAIL_NO_WAN_BEFORE = 1, FAIL_NO_WAN_DURING = 2, FAIL_MISSING_KEYS = 3 };

/* SMETS1 households not adopted yet (on their operator's route, or in traditional mode), in the
 * order the DCC tries them. */
static int order_build(sim_lifecycle *l)
{
    const sim_fleet *f = l->fleet;
    uint32_t n = f->sc->households, m = 0;
    l->order = malloc((size_t)(n ? n : 1) * sizeof *l->order);
    l->tries = calloc(n ? n : 1, 1);
    l->smso = calloc(n ? n : 1, 1);
    if (!l->order || !l->tries || !l->smso) return SIM_ENOMEM;
    for (uint32_t id = 0; id < n; id++) {
        l->smso[id] = (uint8_t)f->sup[f->hh[id].supplier].s->smets1_operator;
        bool s1 = f->pops[f->hh[id].pop].p->generation == SIM_GEN_SMETS1;
        if (s1 && f->hh[id].route != SIM_ROUTE_DCC_S1) l->order[m++] = id;
    }
    l->n_order = m;
    uint64_t salt = sim_hash64(f->sc->seed ^ sim_hash_str("migration.order"));
    return sim_fleet_hash_order(l->order, m, salt) ? SIM_ENOMEM : 0;
}

/* The meters installs may replace, in the order installers reach them. */
static int installs_build(sim_lifecycle *l)
{
    const sim_fleet *f = l->fleet;
    uint32_t n = f->sc->households;
    for (int k = 0; k < 2; k++) {
        l->inst[k] = malloc((size_t)(n ? n : 1) * sizeof *l->inst[k]);
        if (!l->inst[k]) return SIM_ENOMEM;
        l->n_inst[k] = 0;
    }
    for (uint32_t id = 0; id < n; id++) {
        sim_generation g = f->pops[f->hh[id].pop].p->generation;
        if (g == SIM_GEN_TRADITIONAL) l->inst[0][l->n_inst[0]++] = id;
        if (g == SIM_GEN_SMETS1) l->inst[1][l->n_inst[1]++] = id;
    }
    uint64_t salt = sim_hash64(f->sc->seed ^ sim_hash_str("install.order"));
    return sim_fleet_hash_order(l->inst[0], l->n_inst[0], salt) ||
                   sim_fleet_hash_order(l->inst[1], l->n_inst[1], salt)
               ? SIM_ENOMEM
               : 0;
}

/* The UTC day (since 1970), on or after TODAY, of the visit replacing household ID's faulty
 * meter: an exponential wait from its meter's own stream. */
static uint32_t repair_draw(const sim_lifecycle *l, uint32_t id, uint32_t today)
{
    const sim_scenario *sc = l->cx->sc;
    sim_rng g;
    sim_rng_seed(&g, sc->seed, id | ((uint64_t)l->fleet->hh[id].serial << 32), "faults.repair");
    double days = -log1p(-sim_rng_uniform(&g)) * sc->faults.repair_mean_s / SIM_DAY_S;
    return today + (days < 36600.0 ? (uint32_t)days : 36600u);
}

/* Faulty from the start: the SMETS2 meters in traditional mode. */
static int faults_build(sim_lifecycle *l)
{
    const sim_fleet *f = l->fleet;
    uint32_t n = f->sc->households;
    uint32_t today = (uint32_t)(f->sc->start_unix / SIM_DAY_S);
    if (!(l->repair_day = calloc(n ? n : 1, sizeof *l->repair_day))) return SIM_ENOMEM;
    for (uint32_t id = 0; id < n; id++)
        if (f->pops[f->hh[id].pop].p->generation == SIM_GEN_SMETS2 &&
            f->hh[id].route == SIM_ROUTE_NONE)
            l->repair_day[id] = repair_draw(l, id, today);
    return 0;
}

static bool faulty(const sim_lifecycle *l, uint32_t id)
{
    return l->repair_day && l->repair_day[id];
}

int sim_lifecycle_init(sim_lifecycle *l, const sim_ctx *cx, sim_fleet *fleet, sim_area *areas,
                       uint32_t n_areas)
{
    memset(l, 0, sizeof *l);
    l->cx = cx;
    l->fleet = fleet;
    l->areas = areas;
    l->n_areas = n_areas;
    l->rows = SIM_VEC_INIT(sim_fleet_day_row);
    uint32_t n = cx->sc->households;
    int rc = (l->off = calloc(n ? n : 1, 1)) ? 0 : SIM_ENOMEM;
    if (!rc && cx->sc->migration.enabled) rc = order_build(l);
    if (!rc && cx->sc->installs.enabled) rc = installs_build(l);
    if (!rc && cx->sc->faults.enabled) rc = faults_build(l);
    return rc;
}

void sim_lifecycle_free(sim_lifecycle *l)
{
    free(l->tries);
    free(l->smso);
    free(l->order);
    free(l->inst[0]);
    free(l->inst[1]);
    free(l->repair_day);
    free(l->off);
    free(l->xbuf);
    sim_vec_free(&l->rows);
    memset(l, 0, sizeof *l);
}

/* Household ID's area, when this rank holds it (sim_hh_local). */
static sim_area *area_of(const sim_lifecycle *l, uint32_t id)
{
    return sim_area_of(l->areas, l->n_areas, id);
}

static bool local(const sim_lifecycle *l, uint32_t id)
{
    return sim_hh_local(l->cx, id);
}

/* An /events record, by the rank that holds household ID. */
static void record(sim_lifecycle *l, uint32_t t, uint32_t id, uint32_t code, int64_t value)
{
    if (!local(l, id)) return;
    sim_area *a = area_of(l, id);
    sim_area_record(a, t, id, code, value);
}

/* A row of the sync: household ID's fleet row. */
typedef struct sync_row {
    uint32_t id;
    sim_fleet_hh h;
} sync_row;

int sim_lifecycle_sync(sim_lifecycle *l)
{
    sim_fleet *f = l->fleet;
    const sim_ctx *cx = l->cx;
    int rc = 0;
    if (cx->ranks > 1) {
        size_t n = f->touched.n, got = 0;
        sync_row *mine = malloc((n ? n : 1) * sizeof *mine);
        if (sim_par_any(mine == NULL)) {
            free(mine);
            return SIM_ENOMEM;
        }
        for (size_t k = 0; k < n; k++) {
            uint32_t id = SIM_VEC_AT(&f->touched, uint32_t, k);
            mine[k] = (sync_row){.id = id, .h = f->hh[id]};
        }
        rc = sim_par_allgather(mine, n * sizeof *mine, &l->xbuf, &l->xcap, &got) ? SIM_ENOMEM : 0;
        free(mine);
        /* a rank's own rows are already in its table; the others' are not */
        for (size_t k = 0; !rc && k < got / sizeof(sync_row); k++) {
            const sync_row *x = (const sync_row *)l->xbuf + k;
            f->hh[x->id] = x->h;
        }
        if (rc) return rc;
    }
    f->touched.n = 0;
    /* which premises are without supply now: only the migration and supplier switching ask */
    if (!cx->sc->migration.enabled && !cx->sc->switching.enabled) return 0;
    uint32_t lo = cx->hh_lo, nh = cx->hh_hi - cx->hh_lo;
    uint8_t *own = l->off + lo; /* this rank's part, in place */
    for (uint32_t k = 0; k < l->n_areas; k++) {
        const sim_area *a = &l->areas[k];
        for (uint32_t i = 0; i < a->n; i++) own[a->hh0 - lo + i] = a->off[i] > 0;
    }
    if (cx->ranks == 1) return 0;
    size_t got = 0;
    rc = sim_par_allgather(own, nh, &l->xbuf, &l->xcap, &got) ? SIM_ENOMEM : 0;
    if (!rc) memcpy(l->off, l->xbuf, got); /* ranks hold consecutive ranges, in rank order */
    return rc;
}

/* The sample's share, for the rest of the day from UNIX, of the national rate (STEPS, N) in
 * force then: its value a day (a yearly one divided by 365.25 when PER_YEAR), times the day
 * left, times households / fleet.national_households. */
static double sample_today(const sim_scenario *sc, const sim_dated_rate *steps, uint32_t n,
                           bool per_year, int64_t unix)
{
    uint32_t v = 0;
    for (uint32_t k = 0; k < n; k++)
        if (steps[k].from_unix <= unix) v = steps[k].value;
    double left = (double)(SIM_DAY_S - unix % SIM_DAY_S) / SIM_DAY_S;
    return (per_year ? v / 365.25 : v) * left * sc->households / sc->fleet.national_households;
}

/* Household ID's meter takes its household's supplier's configuration at T (a change of
 * supplier, or adoption of a meter that went dumb with another's). */
static void recredential(sim_lifecycle *l, uint32_t id, uint32_t t)
{
    sim_fleet_hh *h = &l->fleet->hh[id];
    if (l->off[id]) return; /* no supply, no WAN: the configuration arrives with the next one */
    h->cred = h->supplier;
    if (!local(l, id)) return; /* the meter is another rank's */
    sim_area *a = area_of(l, id);
    uint32_t i = id - a->hh0;
    const mm_esme_config *cfg = sim_fw_config_for(l->cx->fw, h->supplier, h->tariff, a->prepay[i]);
    if (!cfg) SIM_PANIC(t, "household %u: no configuration for its supplier's tariff", id);
    sim_hh_advance(a, i, t);
    int rc = sim_hh_abi(a, i)->change_supplier(sim_hh_fw(a, i), cfg);
    if (rc != MM_OK && !l->err) l->err = SIM_EINPUT;
    if (rc == MM_OK) sim_fw_config_held(l->cx->fw, l->fleet, id, cfg);
    a->utrn_counter[i] = 0; /* the gaining supplier's UTRN counters start afresh */
    if (a->pk_from) a->pk_from[i] = a->pk_until[i] = sim_tariff_dynamic(h->tariff) ? 0 : UINT32_MAX;
}

/* Today's supplier switches at T: households drawn uniformly from the day's stream. */
static void switch_suppliers(sim_lifecycle *l, uint32_t t)
{
    const sim_scenario *sc = l->cx->sc;
    sim_fleet *f = l->fleet;
    int64_t now = sc->start_unix + t;
    l->switch_carry += sample_today(sc, sc->switching.schedule, sc->switching.n_schedule, true, now);
    sim_rng g;
    sim_rng_seed(&g, sc->seed, (uint64_t)(now / SIM_DAY_S), "switching.day");
    uint32_t *today = NULL, n_today = 0, cap = 0;
    for (; l->switch_carry >= 1.0 && n_today < sc->households; l->switch_carry -= 1.0) {
        /* a household drawn already today is drawn again: one switch a day at most */
        uint32_t id, seen;
        do {
            id = (uint32_t)(sim_rng_uniform(&g) * sc->households);
            if (id >= sc->households) id = sc->households - 1;
            for (seen = 0; seen < n_today && today[seen] != id; seen++)
                ;
        } while (seen < n_today);
        if (n_today == cap) {
            uint32_t *more = realloc(today, (cap = cap ? 2 * cap : 64) * sizeof *today);
            if (!more) {
                if (!l->err) l->err = SIM_ENOMEM;
                break;
            }
            today = more;
        }
        today[n_today++] = id;
        sim_fleet_hh *h = &f->hh[id];
        const sim_fleet_pop *fp = &f->pops[h->pop];
        uint32_t losing = h->supplier, gaining = losing;
        double u = sim_rng_uniform(&g), ut = sim_rng_uniform(&g), uk = sim_rng_uniform(&g);
        if (f->n_suppliers > 1) { /* by market share among the others */
            double x = u * (1.0 - f->sup_share[losing]), c = 0;
            for (uint32_t k = 0; k < f->n_suppliers; k++) {
                if (k == losing) continue;
                gaining = k;
                c += f->sup_share[k];
                if (x < c) break;
            }
        }
        h->supplier = (uint8_t)gaining;
        if (fp->tariff < 0) h->tariff = sim_fleet_menu_pick(f, gaining, ut); /* its menu's */
        l->day.switches++;
        record(l, t, id, SIM_EV_SUPPLIER_SWITCHED, gaining);
        if (h->route == SIM_ROUTE_SMSO && uk >= sc->switching.smets1_kept_smart) {
            h->route = SIM_ROUTE_NONE; /* keeps the losing supplier's configuration */
            l->day.gone_dumb++;
            record(l, t, id, SIM_EV_WENT_DUMB, losing);
        } else if (h->route != SIM_ROUTE_NONE || fp->p->generation == SIM_GEN_TRADITIONAL) {
            recredential(l, id, t); /* a traditional meter's bill follows its supplier too */
        }
    }
    free(today);
}

/* Plan a visit to household ID (U: MSG_VISIT's flags) today, between 08:00 and 18:00 UTC from
 * its meter's own stream and not before T (the day's start, or the run start), queued on its
 * area.  False if that is past the run's end. */
static bool visit_plan(sim_lifecycle *l, uint32_t id, uint32_t t, uint32_t u)
{
    const sim_scenario *sc = l->cx->sc;
    int64_t now = sc->start_unix + t, midnight = now - now % SIM_DAY_S;
    sim_rng g;
    sim_rng_seed(&g, sc->seed, id | ((uint64_t)l->fleet->hh[id].serial << 32), "install.visit");
    int64_t at = midnight + 8 * 3600 + (int64_t)(sim_rng_uniform(&g) * 10 * 3600);
    uint32_t tv = at - sc->start_unix > (int64_t)t ? (uint32_t)(at - sc->start_unix) : t;
    if (tv >= l->cx->end_s) return false;
    if (!local(l, id)) return true; /* its rank's area queues it */
    sim_area *a = area_of(l, id);
    sim_area_schedule(a, &a->msgq, tv, HEV(id - a->hh0, MSG_VISIT), u);
    return true;
}

/* Today's installs from T (the day's start, or the run start): which meters are replaced,
 * and each visit's time, queued on its household's area. */
static void install(sim_lifecycle *l, uint32_t t)
{
    const sim_scenario *sc = l->cx->sc;
    int64_t now = sc->start_unix + t;
    double today = sample_today(sc, sc->installs.schedule, sc->installs.n_schedule, true, now);
    l->inst_carry[0] += today * (1.0 - sc->installs.smets1_share);
    l->inst_carry[1] += today * sc->installs.smets1_share;
    for (int k = 0; k < 2; k++) {
        uint32_t keep = 0;
        for (uint32_t j = 0; j < l->n_inst[k]; j++) {
            uint32_t id = l->inst[k][j];
            const sim_fleet_hh *h = &l->fleet->hh[id];
            sim_generation g = l->fleet->pops[h->pop].p->generation;
            bool eligible = k == 0 ? g == SIM_GEN_TRADITIONAL
                                   : g == SIM_GEN_SMETS1 && h->route != SIM_ROUTE_DCC_S1;
            if (!eligible) continue; /* replaced or adopted meanwhile: leaves the list */
            if (l->inst_carry[k] < 1.0 || faulty(l, id) || !visit_plan(l, id, t, 0)) {
                l->inst[k][keep++] = id; /* not today (a faulty one: its repair replaces it) */
                continue;
            }
            l->inst_carry[k] -= 1.0;
        }
        l->n_inst[k] = keep;
        if (keep == 0) l->inst_carry[k] = 0; /* nobody left to install */
    }
}

/* One attempt on household ID at T: the outcome (0 success, else the failure's category). */
static int attempt(sim_lifecycle *l, uint32_t id, uint32_t t)
{
    const sim_scenario *sc = l->cx->sc;
    uint32_t tries = l->tries[id] & ~MIG_EXCLUDED;
    sim_rng g;
    sim_rng_seed(&g, sc->seed, (uint64_t)id * 128u + tries, "migration.attempt");
    double u = sim_rng_uniform(&g);
    l->day.migration_attempts++;
    record(l, t, id, SIM_EV_MIGRATION_ATTEMPT, tries + 1);
    if (l->off[id]) return FAIL_NO_WAN_BEFORE; /* a hub without supply does not answer */
    double p = sc->migration.p_missing_keys;
    int fail = 0;
    if (u < p)
        fail = FAIL_MISSING_KEYS;
    else if (u < (p += sc->migration.p_no_wan_before))
        fail = FAIL_NO_WAN_BEFORE;
    else if (u < p + sc->migration.p_no_wan_during)
        fail = FAIL_NO_WAN_DURING;
    if ((fail == 0 || fail == FAIL_NO_WAN_DURING) && local(l, id)) {
        /* the DCC's exchanges with the meter began */
        sim_area *a = area_of(l, id);
        sim_area_schedule(a, &a->msgq, t, HEV(id - a->hh0, MSG_MIGRATE), 0);
    }
    return fail;
}

/* Today's migrations at T (the day's start, or the run start for the rest of that day). */
static void migrate(sim_lifecycle *l, uint32_t t)
{
    const sim_scenario *sc = l->cx->sc;
    int64_t now = sc->start_unix + t;
    l->carry += sample_today(sc, sc->migration.capacity, sc->migration.n_capacity, false, now);
    uint32_t keep = 0;
    for (uint32_t k = 0; k < l->n_order; k++) {
        uint32_t id = l->order[k];
        sim_fleet_hh *h = &l->fleet->hh[id];
        sim_smso smso = (sim_smso)l->smso[id];
        if (l->fleet->pops[h->pop].p->generation != SIM_GEN_SMETS1) continue; /* replaced */
        /* its operator's cohort: one that went dumb is adopted like the others */
        bool eligible = (h->route == SIM_ROUTE_SMSO || h->route == SIM_ROUTE_NONE) &&
                        sc->migration.start_unix[smso] <= now;
        if (!eligible || l->carry < 1.0 || faulty(l, id)) {
            l->order[keep++] = id;
            continue;
        }
        l->carry -= 1.0;
        int fail = attempt(l, id, t);
        uint32_t tries = (l->tries[id] & ~MIG_EXCLUDED) + 1u;
        l->tries[id] = (uint8_t)(tries > 127 ? 127 : tries);
        if (!fail) {
            h->route = SIM_ROUTE_DCC_S1;
            l->day.migrations++;
            record(l, t, id, SIM_EV_MIGRATED, tries);
            if (h->cred != h->supplier) recredential(l, id, t); /* smart again for its supplier */
            continue; /* leaves the order */
        }
        l->day.migration_failures++;
        record(l, t, id, SIM_EV_MIGRATION_FAILED, fail);
        if (fail == FAIL_MISSING_KEYS || tries >= sc->migration.max_attempts) {
            l->tries[id] |= MIG_EXCLUDED;
            l->day.migration_exclusions++;
            record(l, t, id, SIM_EV_MIGRATION_EXCLUDED, fail);
            continue;
        }
        l->order[keep++] = id;
    }
    l->n_order = keep;
    if (l->carry > 1.0 && keep == 0) l->carry = 0; /* nobody left to use it */
}

/* Today's faults at T (the day's start, or the run start), then the replacement visits due
 * today. */
static void faults(sim_lifecycle *l, uint32_t t)
{
    const sim_scenario *sc = l->cx->sc;
    sim_fleet *f = l->fleet;
    uint32_t n = sc->households, smart = 0;
    int64_t now = sc->start_unix + t;
    uint32_t today = (uint32_t)(now / SIM_DAY_S);
    for (uint32_t id = 0; id < n; id++) smart += f->hh[id].route != SIM_ROUTE_NONE;
    double left = (double)(SIM_DAY_S - now % SIM_DAY_S) / SIM_DAY_S;
    l->fault_carry += sc->faults.rate / 365.25 * left * smart;
    sim_rng g;
    sim_rng_seed(&g, sc->seed, today, "faults.day");
    for (; l->fault_carry >= 1.0 && smart > 0; l->fault_carry -= 1.0, smart--) {
        uint32_t id;
        do { /* a smart meter, uniformly (one that failed today already is not) */
            id = (uint32_t)(sim_rng_uniform(&g) * n);
            if (id >= n) id = n - 1;
        } while (f->hh[id].route == SIM_ROUTE_NONE);
        record(l, t, id, SIM_EV_METER_FAULT, f->hh[id].route);
        f->hh[id].route = SIM_ROUTE_NONE;
        l->repair_day[id] = repair_draw(l, id, today);
        l->day.faults++;
    }
    if (smart == 0) l->fault_carry = 0;
    for (uint32_t id = 0; id < n; id++) {
        uint32_t *r = &l->repair_day[id];
        if (*r == REPAIR_VISITING && f->hh[id].route != SIM_ROUTE_NONE) *r = 0; /* replaced */
        if (*r && *r != REPAIR_VISITING && *r <= today &&
            visit_plan(l, id, t, SIM_VISIT_REPAIR))
            *r = REPAIR_VISITING;
    }
}

/* Requests offered to the head-ends since the last call, by DCC service. */
static void day_traffic(sim_lifecycle *l, sim_fleet_day_row *d)
{
    const sim_sink *s = l->sink;
    if (!s || !s->he) return;
    uint64_t now[NET_HE_NCLASS + 1] = {0}, dx[NET_HE_NCLASS + 1];
    net_he_stats st;
    for (unsigned c = 0; c < NET_HE_NCLASS; c++) {
        net_he_stats_get(s->he, c, &st);
        now[c] = st.offered;
    }
    for (uint32_t k = 0; k < SIM_SUPPLIERS_MAX; k++)
        if (s->s1[k]) {
            net_he_stats_get(s->s1[k], NET_HE_NCLASS, &st);
            now[NET_HE_NCLASS] += st.offered;
        }
    for (unsigned c = 0; c <= NET_HE_NCLASS; c++) {
        dx[c] = now[c] - l->offered[c];
        l->offered[c] = now[c];
    }
    d->dcc_reads = (uint32_t)(dx[NET_HE_PROFILE_READ] + dx[NET_HE_ONDEMAND_READ]);
    d->dcc_alerts =
        (uint32_t)(dx[NET_HE_ALERT_OUTAGE] + dx[NET_HE_ALERT_RESTORE] + dx[NET_HE_ALERT_OTHER]);
    d->dcc_commands = (uint32_t)(dx[NET_HE_SUPPLY_SWITCH] + dx[NET_HE_TOPUP] +
                                 dx[NET_HE_MODE_CHANGE] + dx[NET_HE_TARIFF_UPDATE]);
    d->dcc_commissioning = (uint32_t)dx[NET_HE_COMMISSIONING];
    d->dcc_migration = (uint32_t)dx[NET_HE_MIGRATION];
    d->dcc_firmware = (uint32_t)dx[NET_HE_FIRMWARE];
    d->supplier_hes = (uint32_t)dx[NET_HE_NCLASS];
}

/* The open day's row ends at T: meters by generation and route, national equivalents. */
static void day_close(sim_lifecycle *l)
{
    const sim_fleet *f = l->fleet;
    sim_fleet_day_row *d = &l->day;
    day_traffic(l, d);
    /* this rank's areas, then every rank's (par.h: every rank closes the day together) */
    int64_t x[5] = {0};
    for (uint32_t k = 0; k < l->n_areas; k++) {
        sim_area *a = &l->areas[k];
        x[0] += a->exchanged;
        x[1] += a->replaced;
        x[2] += a->fw_distributed;
        x[3] += a->fw_activated;
        x[4] += a->fw_failed;
        a->exchanged = a->replaced = a->fw_distributed = a->fw_activated = a->fw_failed = 0;
    }
    sim_par_sum_i64(x, 5);
    d->installs += (uint32_t)x[0];
    d->replacements += (uint32_t)x[1];
    d->fw_distributed += (uint32_t)x[2];
    d->fw_activated += (uint32_t)x[3];
    d->fw_failed += (uint32_t)x[4];
    for (uint32_t id = 0; id < f->sc->households; id++) {
        const sim_fleet_hh *h = &f->hh[id];
        switch (f->pops[h->pop].p->generation) {
        case SIM_GEN_SMETS2:
            if (h->route == SIM_ROUTE_NONE)
                d->smets2_dumb++;
            else
                d->smets2_dcc++;
            break;
        case SIM_GEN_SMETS1:
            if (h->route == SIM_ROUTE_SMSO)
                d->smets1_operator++;
            else if (h->route == SIM_ROUTE_DCC_S1)
                d->smets1_dcc++;
            else
                d->smets1_dumb++;
            break;
        case SIM_GEN_TRADITIONAL:
            d->traditional++;
            break;
        }
    }
    double scale = (double)f->sc->fleet.national_households / f->sc->households;
#define NATIONAL_(name) d->name##_national = d->name * scale;
    SIM_FLEET_DAY_COUNTS(NATIONAL_)
#undef NATIONAL_
    if (sim_vec_push(&l->rows, d) != 0 && !l->err) l->err = SIM_ENOMEM;
    l->day_open = 0;
}

static void day_open(sim_lifecycle *l, uint32_t t)
{
    const sim_scenario *sc = l->cx->sc;
    memset(&l->day, 0, sizeof l->day);
    char iso[32];
    sim_time_iso(sc->start_unix + t, iso, sizeof iso);
    snprintf(l->day.date, sizeof l->day.date, "%.10s", iso);
    l->day.t_s = t;
    l->day_open = 1;
}

void sim_lifecycle_day(sim_lifecycle *l, uint32_t t)
{
    if (l->day_open) day_close(l);
    day_open(l, t);
    if (l->cx->sc->switching.enabled) switch_suppliers(l, t);
    if (l->cx->sc->migration.enabled) migrate(l, t);
    if (l->cx->sc->installs.enabled) install(l, t);
    if (l->cx->sc->faults.enabled) faults(l, t);
    sim_campaign_day(l->cx->camp, t);
}

void sim_lifecycle_close(sim_lifecycle *l, uint32_t t)
{
    (void)t;
    if (l->day_open) day_close(l);
}

int sim_lifecycle_ckpt(sim_lifecycle *l, sim_ckpt *c)
{
    uint32_t n = l->cx->sc->households;
    sim_ckpt_tag(c, "lifecycle");
    bool migration = l->tries != NULL;
    sim_ckpt_same(c, migration, "migration");
    if (migration) {
        sim_ckpt_bytes(c, l->tries, n);
        sim_ckpt_bytes(c, l->smso, n);
        sim_ckpt_part(c, l->order, &l->n_order, sizeof *l->order, n);
    }
    SIM_CKPT(c, l->carry);
    for (int k = 0; k < 2; k++) {
        bool has = l->inst[k] != NULL;
        sim_ckpt_same(c, has, "installs");
        if (has) sim_ckpt_part(c, l->inst[k], &l->n_inst[k], sizeof *l->inst[k], n);
    }
    SIM_CKPT(c, l->inst_carry);
    SIM_CKPT(c, l->switch_carry);
    bool repairs = l->repair_day != NULL;
    sim_ckpt_same(c, repairs, "meter faults");
    if (repairs) sim_ckpt_bytes(c, l->repair_day, (size_t)n * sizeof *l->repair_day);
    SIM_CKPT(c, l->fault_carry);
    SIM_CKPT(c, l->day_open);
    SIM_CKPT(c, l->day);
    sim_ckpt_vec(c, &l->rows);
    SIM_CKPT(c, l->offered);
    sim_ckpt_bytes(c, l->off, n);
    return sim_ckpt_err(c) ? -1 : 0;
}
