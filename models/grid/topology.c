#include "grid/topology.h"

#include "sim/regions.h"
#include "sim/rng.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Customers per DNO licence area in millions (names and order: sim/regions.h), from the
 * DNOs' own published figures (rounded; e.g. ENWL 2.4M, Electricity North West's own
 * figure).  Only the shares matter; scenarios may override them. */
const double grid_region_default_share[GRID_REGIONS_MAX] = {0.8, 2.0, 2.4, 1.6, 2.3, 1.5, 2.6,
                                                            2.5, 1.1, 1.6, 3.6, 2.3, 2.3, 3.1};

const char *grid_region_name(unsigned region)
{
    return sim_region_name(region);
}

/* Split N households over the regions by share, largest remainder first, exactly N. */
static void split_regions(const grid_topology_params *p, uint32_t *count)
{
    double share[GRID_REGIONS_MAX], total = 0;
    for (uint32_t r = 0; r < GRID_REGIONS_MAX; r++) {
        share[r] = !(p->region_mask >> r & 1u)  ? 0
                   : p->region_share[r] > 0 ? p->region_share[r]
                                            : grid_region_default_share[r];
        total += share[r];
    }
    uint32_t given = 0;
    double rem[GRID_REGIONS_MAX];
    for (uint32_t r = 0; r < GRID_REGIONS_MAX; r++) {
        double exact = p->households * share[r] / total;
        count[r] = (uint32_t)floor(exact);
        rem[r] = share[r] > 0 ? exact - count[r] : -1; /* an area not in the run takes none */
        given += count[r];
    }
    while (given < p->households) {
        uint32_t best = 0;
        for (uint32_t r = 1; r < GRID_REGIONS_MAX; r++)
            if (rem[r] > rem[best]) best = r;
        count[best]++;
        rem[best] = -1;
        given++;
    }
}

int grid_topology_create(const grid_topology_params *p, grid_topology **out, char *err,
                         size_t errlen)
{
    if (p->region_mask == 0 || p->region_mask >> GRID_REGIONS_MAX || p->lv_customers_mean < 1 ||
        p->lv_customers_cv < 0 || p->primary_customers < 1 || p->hv_feeders_per_primary < 1 ||
        p->lv_feeders_per_substation < 1 || p->lv_feeders_per_substation > 255 ||
        p->flat_share < 0 || p->flat_share > 1) {
        snprintf(err, errlen, "topology: invalid parameters");
        return -1;
    }
    grid_topology *t = calloc(1, sizeof *t);
    if (!t) goto oom;
    t->p = *p;
    uint32_t count[GRID_REGIONS_MAX];
    split_regions(p, count);
    /* Upper bound on substations: every one has at least one customer. */
    size_t cap = 1024, n = 0;
    t->lv = malloc(cap * sizeof *t->lv);
    if (!t->lv) goto oom;
    double k = p->lv_customers_cv > 0 ? 1.0 / (p->lv_customers_cv * p->lv_customers_cv) : 0;
    uint32_t id = 0, primary = 0, hv = 0;
    for (uint32_t r = 0; r < GRID_REGIONS_MAX; r++) {
        t->region_first[r] = id;
        sim_rng rng;
        sim_rng_seed(&rng, p->seed, r, "topology.lv");
        gsl_rng g;
        sim_rng_gsl(&rng, &g);
        uint32_t left = count[r], in_primary = 0;
        size_t primary_first = n;
        while (left > 0) {
            /* Customers per LV substation: gamma with the configured mean and CV (pole-mounted
             * rural transformers serve a few, urban ground-mounted ones hundreds). */
            double c = k > 0 ? gsl_ran_gamma(&g, k, p->lv_customers_mean / k) : p->lv_customers_mean;
            uint32_t m = c < 1 ? 1u : (uint32_t)lround(c);
            if (m > left) m = left;
            if (n == cap) {
                cap *= 2;
                grid_lv_substation *v = realloc(t->lv, cap * sizeof *v);
                if (!v) goto oom;
                t->lv = v;
            }
            t->lv[n++] = (grid_lv_substation){.first = id, .count = m, .primary = primary,
                                              .region = (uint16_t)r};
            id += m;
            left -= m;
            in_primary += m;
            if (in_primary >= p->primary_customers || left == 0) {
                /* Close the primary: its LV substations in HV feeder groups of equal count. */
                size_t subs = n - primary_first;
                uint32_t nf = p->hv_feeders_per_primary;
                for (size_t s = 0; s < subs; s++)
                    t->lv[primary_first + s].hv_feeder = hv + (uint32_t)(s * nf / subs);
                hv += nf < subs ? nf : (uint32_t)subs;
                primary++;
                primary_first = n;
                in_primary = 0;
            }
        }
    }
    t->region_first[GRID_REGIONS_MAX] = id;
    t->n_lv = (uint32_t)n;
    t->n_primary = primary;
    t->n_hv_feeders = hv;
    *out = t;
    return 0;
oom:
    grid_topology_destroy(t);
    snprintf(err, errlen, "topology: out of memory");
    return -1;
}

void grid_topology_destroy(grid_topology *t)
{
    if (!t) return;
    free(t->lv);
    free(t);
}

uint32_t grid_topology_lv_of(const grid_topology *t, uint32_t id)
{
    uint32_t lo = 0, hi = t->n_lv;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (t->lv[mid].first <= id)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

uint8_t grid_topology_feeder(const grid_topology *t, uint32_t id)
{
    uint64_t h = sim_hash64(t->p.seed ^ sim_hash64(id ^ sim_hash_str("topology.feeder")));
    return (uint8_t)(h % t->p.lv_feeders_per_substation);
}

grid_dwelling grid_topology_dwelling(const grid_topology *t, uint32_t id)
{
    uint64_t h = sim_hash64(t->p.seed ^ sim_hash64(id ^ sim_hash_str("topology.dwelling")));
    double u = (double)(h >> 11) * (1.0 / 9007199254740992.0);
    return u < t->p.flat_share ? GRID_FLAT : GRID_HOUSE;
}
