#include "fleet.h"

#include "sim/error.h"
#include "sim/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Index of the first cumulative share above U (the last if rounding leaves U above them). */
static uint32_t pick(const double *cum, uint32_t n, double u)
{
    for (uint32_t k = 0; k < n; k++)
        if (u < cum[k]) return k;
    return n - 1;
}

uint8_t sim_fleet_menu_pick(const sim_fleet *f, uint32_t supplier, double u)
{
    return (uint8_t)pick(f->sup[supplier].menu_cum, SIM_TARIFFS, u);
}

static int suppliers_resolve(sim_fleet *f, char *err, size_t errlen)
{
    const sim_scenario *sc = f->sc;
    double total = 0;
    f->n_suppliers = sc->n_suppliers;
    for (uint32_t k = 0; k < sc->n_suppliers; k++) {
        const sim_supplier *s = &sc->suppliers[k];
        sim_fleet_supplier *fs = &f->sup[k];
        fs->s = s;
        for (uint32_t j = 0; j < k; j++)
            if (strcmp(sc->suppliers[j].name, s->name) == 0) {
                snprintf(err, errlen, "suppliers[%u].name: \"%s\" is also suppliers[%u]'s", k,
                         s->name, j);
                return -1;
            }
        double m = 0;
        for (uint32_t t = 0; t < SIM_TARIFFS; t++)
            fs->menu_cum[t] = m += s->menu[t];
        if (m <= 0) {
            snprintf(err, errlen, "suppliers[%u] (%s): its tariffs.* shares are all 0 %%", k,
                     s->name);
            return -1;
        }
        for (uint32_t t = 0; t < SIM_TARIFFS; t++)
            fs->menu_cum[t] /= m;
        char why[200];
        int np = 0;
        if (sim_block_parse_thresholds(s->block_thresholds, &fs->block, why, sizeof why) ||
            (s->block_prices[0] &&
             (np = sim_block_parse_prices(s->block_prices, &fs->block, why, sizeof why)) < 0)) {
            snprintf(err, errlen, "suppliers[%u] (%s).block: %s", k, s->name, why);
            return -1;
        }
        fs->block.period = (sim_block_period)s->block_period;
        fs->has_block = np > 0;
        if (fs->has_block && np != fs->block.n_thresholds + 1) {
            snprintf(err, errlen,
                     "suppliers[%u] (%s).block.prices: %d prices for %u thresholds (one more "
                     "price than thresholds)",
                     k, s->name, np, fs->block.n_thresholds);
            return -1;
        }
        if (!fs->has_block && (s->menu[SIM_TARIFF_BLOCK] > 0 || s->menu[SIM_TARIFF_HYBRID] > 0)) {
            snprintf(err, errlen, "suppliers[%u] (%s): tariffs.block/hybrid need block.prices", k,
                     s->name);
            return -1;
        }
        f->sup_cum[k] = total += s->share;
    }
    if (total <= 0) {
        snprintf(err, errlen, "suppliers: every market share is 0 %%");
        return -1;
    }
    for (uint32_t k = 0; k < sc->n_suppliers; k++)
        f->sup_cum[k] /= total;
    for (uint32_t k = 0; k < sc->n_suppliers; k++)
        f->sup_share[k] = f->sup_cum[k] - (k ? f->sup_cum[k - 1] : 0.0);
    return 0;
}

static int supplier_index(const sim_scenario *sc, const char *name)
{
    for (uint32_t k = 0; k < sc->n_suppliers; k++)
        if (strcmp(sc->suppliers[k].name, name) == 0) return (int)k;
    return -1;
}

/* The index of the population named NAME, or -1 (after pops_resolve). */
static int pop_index(const sim_fleet *f, const char *name)
{
    for (uint32_t k = 0; k < f->n_pops; k++)
        if (strcmp(f->pops[k].p->name, name) == 0) return (int)k;
    return -1;
}

/* The population installs and fault replacements put new meters in: it must exist and be of
 * SMETS2 meters. */
static int installs_resolve(sim_fleet *f, char *err, size_t errlen)
{
    const sim_scenario *sc = f->sc;
    f->install_pop = -1;
    if (!sc->installs.enabled && !sc->faults.enabled) return 0;
    f->install_pop = pop_index(f, sc->installs.population);
    if (f->install_pop < 0 || f->pops[f->install_pop].p->generation != SIM_GEN_SMETS2) {
        snprintf(err, errlen, "installs.population: \"%s\" is not a population of SMETS2 meters",
                 sc->installs.population);
        return -1;
    }
    return 0;
}

/* Each firmware campaign's target: a population of smart meters. */
static int campaigns_resolve(sim_fleet *f, char *err, size_t errlen)
{
    const sim_scenario *sc = f->sc;
    for (uint32_t k = 0; k < sc->n_campaigns; k++) {
        const sim_fw_campaign *c = &sc->firmware_campaigns[k];
        int p = pop_index(f, c->population);
        if (p < 0 || f->pops[p].p->generation == SIM_GEN_TRADITIONAL) {
            snprintf(err, errlen,
                     "firmware_campaigns[%u] (%s).population: \"%s\" is not a population of "
                     "smart meters",
                     k, c->name, c->population);
            return -1;
        }
        f->campaign_pop[k] = (uint8_t)p;
    }
    return 0;
}

/* Command run K (commands, then attack) as the scenario names it: "commands[2] (cut)". */
static void run_label(const sim_scenario *sc, uint32_t k, char *out, size_t len)
{
    bool cmd = k < sc->n_commands;
    snprintf(out, len, "%s[%u] (%s)", cmd ? "commands" : "attack", cmd ? k : k - sc->n_commands,
             sim_scenario_cmd_run(sc, k)->name);
}

/* Each command run's supplier, population and earlier run, by name; what a run of its kind
 * needs. */
static int cmdruns_resolve(sim_fleet *f, char *err, size_t errlen)
{
    const sim_scenario *sc = f->sc;
    uint32_t n = sc->n_commands + sc->n_attacks;
    for (uint32_t k = 0; k < n; k++) {
        const sim_cmd_run *r = sim_scenario_cmd_run(sc, k);
        char at[96];
        run_label(sc, k, at, sizeof at);
        f->run_supplier[k] = f->run_pop[k] = f->run_ref[k] = -1;
        if (r->supplier[0] && (f->run_supplier[k] = (int8_t)supplier_index(sc, r->supplier)) < 0) {
            snprintf(err, errlen, "%s.supplier: \"%s\" is not a supplier", at, r->supplier);
            return -1;
        }
        if (r->population[0] && (f->run_pop[k] = (int8_t)pop_index(f, r->population)) < 0) {
            snprintf(err, errlen, "%s.population: \"%s\" is not a population", at, r->population);
            return -1;
        }
        if (k >= sc->n_commands && r->sender == SIM_SENDER_SUPPLIER) {
            snprintf(err, errlen, "%s.kind: a supplier's own run belongs in commands", at);
            return -1;
        }
        if (r->sender == SIM_SENDER_COMPROMISED && !r->supplier[0]) {
            snprintf(err, errlen, "%s.supplier: a compromised identity is one supplier's: name it", at);
            return -1;
        }
        bool replay = r->sender == SIM_SENDER_REPLAY;
        if (replay != (r->replay_of[0] != 0)) {
            snprintf(err, errlen, "%s.replay_of: %s", at,
                     replay ? "a replay needs the run whose frames it resends"
                            : "only a replay resends another run's frames");
            return -1;
        }
        if (replay && r->targets_of[0]) {
            snprintf(err, errlen, "%s.targets_of: a replay targets the meters of replay_of", at);
            return -1;
        }
        const char *ref = replay ? r->replay_of : r->targets_of;
        for (uint32_t j = 0; j < n; j++) {
            const sim_cmd_run *o = sim_scenario_cmd_run(sc, j);
            if (j != k && strcmp(o->name, r->name) == 0) {
                char other[96];
                run_label(sc, j, other, sizeof other);
                snprintf(err, errlen, "%s.name: \"%s\" is also %s's", at, r->name, other);
                return -1;
            }
            if (ref[0] && strcmp(o->name, ref) == 0) f->run_ref[k] = (int8_t)j;
        }
        if (!ref[0]) continue;
        int j = f->run_ref[k];
        const sim_cmd_run *o = j < 0 ? NULL : sim_scenario_cmd_run(sc, (uint32_t)j);
        const char *key = replay ? "replay_of" : "targets_of";
        if (!o || o->start_s >= r->start_s) {
            snprintf(err, errlen, "%s.%s: \"%s\" is not a run that starts before this one", at,
                     key, ref);
            return -1;
        }
        if (replay && o->sender != SIM_SENDER_SUPPLIER && o->sender != SIM_SENDER_COMPROMISED) {
            snprintf(err, errlen, "%s.replay_of: \"%s\" sends no authentic frames to capture", at,
                     ref);
            return -1;
        }
    }
    return 0;
}

static int pops_resolve(sim_fleet *f, char *err, size_t errlen)
{
    const sim_scenario *sc = f->sc;
    f->n_pops = sc->fleet.n_populations;
    for (uint32_t k = 0; k < f->n_pops; k++) {
        const sim_population *p = &sc->fleet.populations[k];
        sim_fleet_pop *fp = &f->pops[k];
        char why[128];
        fp->p = p;
        for (uint32_t j = 0; j < k; j++)
            if (strcmp(sc->fleet.populations[j].name, p->name) == 0) {
                snprintf(err, errlen,
                         "fleet.populations[%u].name: \"%s\" is also populations[%u]'s", k, p->name,
                         j);
                return -1;
            }
        if (sim_scenario_region_mask(p->regions, &fp->regions, why, sizeof why) != 0) {
            snprintf(err, errlen, "fleet.populations[%u] (%s).regions: %s", k, p->name, why);
            return -1;
        }
        fp->supplier = p->supplier[0] ? supplier_index(sc, p->supplier) : -1;
        if (p->supplier[0] && fp->supplier < 0) {
            snprintf(err, errlen,
                     "fleet.populations[%u] (%s).supplier: no supplier is named \"%s\"", k, p->name,
                     p->supplier);
            return -1;
        }
        if (p->adopted_share > 0 && p->generation != SIM_GEN_SMETS1) {
            snprintf(err, errlen,
                     "fleet.populations[%u] (%s).adopted_share: only SMETS1 meters are adopted "
                     "by the DCC",
                     k, p->name);
            return -1;
        }
        if (p->dumb_share > 0 && p->generation == SIM_GEN_TRADITIONAL) {
            snprintf(err, errlen,
                     "fleet.populations[%u] (%s).dumb_share: a traditional meter has no smart "
                     "mode to leave",
                     k, p->name);
            return -1;
        }
        if (p->adopted_share + p->dumb_share > 1.0 + 1e-9) {
            snprintf(err, errlen,
                     "fleet.populations[%u] (%s): adopted_share + dumb_share is over 100 %%", k,
                     p->name);
            return -1;
        }
        fp->tariff = sim_population_tariff(sc, p);
        fp->prepay_share =
            p->prepayment_share >= 0 ? p->prepayment_share : sc->meter.prepayment_share;
        fp->dr_share = p->dr_engaged_share >= 0 ? p->dr_engaged_share : sc->load.dr_engaged_share;
        /* A block or hybrid tariff needs every supplier the population can have to define one;
         * a traditional meter cannot take prices published as the run goes. */
        for (uint32_t s = 0; s < f->n_suppliers; s++) {
            if (fp->supplier >= 0 && (int)s != fp->supplier) continue;
            const double *menu = f->sup[s].s->menu;
            bool dyn = fp->tariff == SIM_TARIFF_AGILE || fp->tariff == SIM_TARIFF_RTP ||
                       (fp->tariff < 0 && (menu[SIM_TARIFF_AGILE] > 0 || menu[SIM_TARIFF_RTP] > 0));
            if (p->generation == SIM_GEN_TRADITIONAL && dyn) {
                snprintf(err, errlen,
                         "fleet.populations[%u] (%s).tariff: a traditional meter cannot take a "
                         "dynamic tariff (agile, rtp)%s",
                         k, p->name, fp->tariff < 0 ? ", which supplier's menu offers" : "");
                return -1;
            }
            bool blocky = fp->tariff == SIM_TARIFF_BLOCK || fp->tariff == SIM_TARIFF_HYBRID;
            if (blocky && !f->sup[s].has_block) {
                snprintf(err, errlen,
                         "fleet.populations[%u] (%s).tariff: %s, but supplier %s defines no "
                         "block tariff (block.prices)",
                         k, p->name, sim_tariff_name((sim_tariff)fp->tariff), f->sup[s].s->name);
                return -1;
            }
        }
    }
    return 0;
}

typedef struct ranked {
    uint64_t key;
    uint32_t id;
} ranked;

static int ranked_cmp(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key ? 1 : (x->id > y->id) - (x->id < y->id);
}

int sim_fleet_hash_order(uint32_t *ids, uint32_t n, uint64_t salt)
{
    ranked *r = malloc((size_t)(n ? n : 1) * sizeof *r);
    if (!r) return -1;
    for (uint32_t k = 0; k < n; k++) r[k] = (ranked){sim_hash64(salt + ids[k]), ids[k]};
    qsort(r, n, sizeof *r, ranked_cmp);
    for (uint32_t k = 0; k < n; k++) ids[k] = r[k].id;
    free(r);
    return 0;
}

/* The populations with a count take their households first: those of their regions in the
 * order of a hash of (seed, population, household), skipping any already taken. */
static int assign_counts(sim_fleet *f, const grid_topology *topo, uint8_t *taken, char *err,
                         size_t errlen)
{
    uint32_t n = f->sc->households;
    uint32_t *ids = NULL;
    for (uint32_t k = 0; k < f->n_pops; k++) {
        sim_fleet_pop *fp = &f->pops[k];
        if (fp->p->count == 0) continue;
        if (!ids && !(ids = malloc((size_t)n * sizeof *ids))) {
            snprintf(err, errlen, "out of memory assigning populations");
            return -1;
        }
        uint32_t m = 0;
        for (uint32_t s = 0; s < topo->n_lv; s++) {
            const grid_lv_substation *lv = &topo->lv[s];
            if (!(fp->regions >> lv->region & 1u)) continue;
            for (uint32_t id = lv->first; id < lv->first + lv->count; id++)
                if (!taken[id]) ids[m++] = id;
        }
        if (m < fp->p->count) {
            snprintf(err, errlen,
                     "fleet.populations[%u] (%s).count: %u households asked, only %u left in "
                     "its regions",
                     k, fp->p->name, fp->p->count, m);
            free(ids);
            return -1;
        }
        if (sim_fleet_hash_order(ids, m, sim_hash64(f->sc->seed ^ sim_hash_str(fp->p->name)))) {
            snprintf(err, errlen, "out of memory assigning populations");
            free(ids);
            return -1;
        }
        for (uint32_t j = 0; j < fp->p->count; j++) {
            taken[ids[j]] = 1;
            f->hh[ids[j]].pop = (uint8_t)k;
        }
    }
    free(ids);
    return 0;
}

/* Shares: the populations without a count found in REGION, cumulative and normalised. */
static uint32_t region_shares(const sim_fleet *f, unsigned region, double *cum, uint8_t *idx)
{
    uint32_t m = 0;
    double t = 0;
    for (uint32_t k = 0; k < f->n_pops; k++) {
        const sim_fleet_pop *fp = &f->pops[k];
        if (fp->p->count || !(fp->regions >> region & 1u) || fp->p->share <= 0) continue;
        cum[m] = t += fp->p->share;
        idx[m++] = (uint8_t)k;
    }
    for (uint32_t j = 0; j < m; j++)
        cum[j] /= t;
    return m;
}

/* Stratified: each region's households not taken by a count, in the order of a hash of
 * (seed, household), are cut into consecutive runs in proportion to the shares (household of
 * rank j of n at quantile (j + 1/2) / n), so a sample holds each population's share of its
 * region to within one household. */
static int assign_shares(sim_fleet *f, const grid_topology *topo, const uint8_t *taken, char *err,
                         size_t errlen)
{
    double cum[SIM_POPULATIONS_MAX];
    uint8_t idx[SIM_POPULATIONS_MAX];
    uint32_t *ids = malloc((size_t)(f->sc->households ? f->sc->households : 1) * sizeof *ids);
    if (!ids) {
        snprintf(err, errlen, "out of memory assigning populations");
        return -1;
    }
    uint64_t salt = sim_hash64(f->sc->seed ^ sim_hash_str("fleet.population"));
    int rc = 0;
    for (unsigned r = 0; r < GRID_REGIONS_MAX && rc == 0; r++) {
        uint32_t m = region_shares(f, r, cum, idx), n = 0;
        for (uint32_t s = 0; s < topo->n_lv; s++) {
            const grid_lv_substation *lv = &topo->lv[s];
            for (uint32_t id = lv->first; lv->region == r && id < lv->first + lv->count; id++)
                if (!taken[id]) ids[n++] = id;
        }
        if (n == 0) continue;
        if (m == 0) {
            snprintf(err, errlen,
                     "fleet.populations: no population with a share covers region %u (%s)", r + 1,
                     grid_region_name(r));
            rc = -1;
        } else if (sim_fleet_hash_order(ids, n, salt)) {
            snprintf(err, errlen, "out of memory assigning populations");
            rc = -1;
        }
        for (uint32_t j = 0; rc == 0 && j < n; j++)
            f->hh[ids[j]].pop = idx[pick(cum, m, (j + 0.5) / n)];
    }
    free(ids);
    return rc;
}

/* Supplier and tariff of every household, from its own streams. */
static void assign_suppliers(sim_fleet *f)
{
    for (uint32_t id = 0; id < f->sc->households; id++) {
        sim_fleet_hh *h = &f->hh[id];
        sim_fleet_pop *fp = &f->pops[h->pop];
        fp->households++;
        sim_rng g;
        sim_rng_seed(&g, f->sc->seed, id, "fleet.supplier");
        double us = sim_rng_uniform(&g), ut = sim_rng_uniform(&g);
        h->supplier = (uint8_t)(fp->supplier >= 0 ? (uint32_t)fp->supplier
                                                  : pick(f->sup_cum, f->n_suppliers, us));
        h->tariff = fp->tariff >= 0 ? (uint8_t)fp->tariff : sim_fleet_menu_pick(f, h->supplier, ut);
        f->tariff_households[h->tariff]++;
        static const uint8_t route_of[SIM_GENERATIONS] = {
            [SIM_GEN_SMETS2] = SIM_ROUTE_DCC, [SIM_GEN_SMETS1] = SIM_ROUTE_SMSO,
            [SIM_GEN_TRADITIONAL] = SIM_ROUTE_NONE};
        h->route = route_of[fp->p->generation];
        h->cred = h->supplier;
    }
}

/* Where the fleet's history left each population's meters (adopted_share, dumb_share),
 * stratified like the shares: its households in the order of a hash of (seed, population,
 * household), the first adopted, the next in traditional mode. */
static int assign_states(sim_fleet *f)
{
    uint32_t n = f->sc->households, *ids = NULL;
    for (uint32_t k = 0; k < f->n_pops; k++) {
        const sim_population *p = f->pops[k].p;
        if (p->adopted_share <= 0 && p->dumb_share <= 0) continue;
        if (!ids && !(ids = malloc((size_t)n * sizeof *ids))) return -1;
        uint32_t m = 0;
        for (uint32_t id = 0; id < n; id++)
            if (f->hh[id].pop == k) ids[m++] = id;
        uint64_t salt = sim_hash64(f->sc->seed ^ sim_hash_str("fleet.state") ^ sim_hash64(k));
        if (sim_fleet_hash_order(ids, m, salt)) {
            free(ids);
            return -1;
        }
        for (uint32_t j = 0; j < m; j++) {
            double q = (j + 0.5) / m;
            if (q < p->adopted_share)
                f->hh[ids[j]].route = SIM_ROUTE_DCC_S1;
            else if (q < p->adopted_share + p->dumb_share)
                f->hh[ids[j]].route = SIM_ROUTE_NONE;
        }
    }
    free(ids);
    return 0;
}

/* Everything the scenario's fleet names, resolved and checked (F->sc set). */
static int fleet_resolve(sim_fleet *f, char *err, size_t errlen)
{
    return suppliers_resolve(f, err, errlen) || pops_resolve(f, err, errlen) ||
                   installs_resolve(f, err, errlen) || campaigns_resolve(f, err, errlen) ||
                   cmdruns_resolve(f, err, errlen)
               ? -1
               : 0;
}

int sim_fleet_check(const sim_scenario *sc, char *err, size_t errlen)
{
    sim_fleet *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    f->sc = sc;
    int rc = fleet_resolve(f, err, errlen);
    free(f);
    return rc;
}

int sim_fleet_build(sim_fleet *f, const sim_scenario *sc, const grid_topology *topo, char *err,
                    size_t errlen)
{
    memset(f, 0, sizeof *f);
    f->sc = sc;
    f->touched = SIM_VEC_INIT(uint32_t);
    if (fleet_resolve(f, err, errlen)) return -1;
    f->hh = calloc(sc->households, sizeof *f->hh);
    uint8_t *taken = calloc(sc->households, 1);
    int rc = -1;
    if (!f->hh || !taken)
        snprintf(err, errlen, "out of memory assigning %u households to populations",
                 sc->households);
    else if (assign_counts(f, topo, taken, err, errlen) == 0 &&
             assign_shares(f, topo, taken, err, errlen) == 0) {
        assign_suppliers(f);
        rc = assign_states(f);
        if (rc) snprintf(err, errlen, "out of memory assigning populations");
    }
    free(taken);
    return rc;
}

void sim_fleet_free(sim_fleet *f)
{
    free(f->hh);
    sim_vec_free(&f->touched);
    memset(f, 0, sizeof *f);
}

int sim_fleet_touch(sim_fleet *f, uint32_t id)
{
    return sim_vec_push(&f->touched, &id) != 0 ? SIM_ENOMEM : 0;
}

int sim_fleet_ckpt(sim_fleet *f, sim_ckpt *c)
{
    sim_ckpt_tag(c, "fleet");
    sim_ckpt_same(c, f->sc->households, "households");
    sim_ckpt_same(c, sizeof *f->hh, "fleet row size");
    sim_ckpt_bytes(c, f->hh, (size_t)f->sc->households * sizeof *f->hh);
    SIM_CKPT(c, f->tariff_households);
    sim_ckpt_vec(c, &f->touched);
    return sim_ckpt_err(c) ? -1 : 0;
}
