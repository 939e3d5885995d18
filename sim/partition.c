/* Partitioning: which area (WAN cell) each LV substation's households belong to, and which
 * area each supply event goes to.  A pure function of the topology and the scenario, so the
 * same households form the same areas whatever else changes and areas go to MPI ranks the
 * same way whatever the machine.
 */
#include "partition.h"

#include <stdio.h>
#include <stdlib.h>

#define AREA_MAX_HOUSEHOLDS 0xFFFFFFu /* a household index in an area fits 24 bits */

int sim_partition_areas(const grid_topology *topo, uint32_t area_households,
                        const net_wt_config *wt, uint32_t *lv_area, uint32_t *n_areas, char *err,
                        size_t errlen)
{
    uint32_t per_area = area_households, in_area = 0, n = 0;
    for (uint32_t s = 0; s < topo->n_lv; s++) {
        const grid_lv_substation *lv = &topo->lv[s];
        /* With the technology model an area is one site: its technology says how many meters
         * it serves. */
        if (wt) per_area = net_wt_area_households(wt, lv->region);
        if (lv->count > AREA_MAX_HOUSEHOLDS) {
            snprintf(err, errlen, "LV substation %u has %u households, more than an area holds", s,
                     lv->count);
            return -1;
        }
        bool fresh = s == 0 || lv->region != topo->lv[s - 1].region ||
                     (in_area > 0 && in_area + lv->count > per_area);
        if (fresh) {
            n++;
            in_area = 0;
        }
        lv_area[s] = n - 1;
        in_area += lv->count;
    }
    *n_areas = n;
    return 0;
}

void sim_partition_spans(const grid_topology *topo, const uint32_t *lv_area, sim_area_span *spans)
{
    for (uint32_t s = 0; s < topo->n_lv; s++) {
        sim_area_span *a = &spans[lv_area[s]];
        const grid_lv_substation *lv = &topo->lv[s];
        if (a->n == 0) {
            a->hh0 = lv->first;
            a->lv0 = s;
            a->region = (uint16_t)(lv->region + 1);
        }
        a->n += lv->count;
        a->lv1 = s + 1;
    }
}

int sim_partition_outages(const grid_outage_event *all, size_t n_all, const uint32_t *lv_area,
                          uint32_t n_areas, grid_outage_event **sorted, size_t *first)
{
    /* counting sort by area, stable: each area's events stay in time order */
    grid_outage_event *out = malloc((n_all ? n_all : 1) * sizeof *out);
    if (!out) return -1;
    for (uint32_t k = 0; k <= n_areas; k++) first[k] = 0;
    for (size_t k = 0; k < n_all; k++) first[lv_area[all[k].lv] + 1]++;
    for (uint32_t k = 0; k < n_areas; k++) first[k + 1] += first[k];
    size_t *fill = malloc(((size_t)n_areas + 1) * sizeof *fill);
    if (!fill) {
        free(out);
        return -1;
    }
    for (uint32_t k = 0; k < n_areas; k++) fill[k] = first[k];
    for (size_t k = 0; k < n_all; k++) out[fill[lv_area[all[k].lv]]++] = all[k];
    free(fill);
    *sorted = out;
    return 0;
}

static uint64_t gap(uint64_t a, uint64_t b)
{
    return a > b ? a - b : b - a;
}

/* The work of an area of N households, in household units: its event heaps and queues cost
 * log2 of its size per event.  Calibrated with bench/scale (200,000 households over 14
 * regions, 2 ranks): a household of the 14,000-premises long-range radio areas cost 1.4 times
 * one of the 1,000-premises cellular areas (410 against 294 us a simulated day), and
 * log2(14,000) / log2(1,000) = 1.38. */
static uint64_t area_work(uint32_t n)
{
    unsigned bits = 0;
    for (uint32_t x = n; x > 1; x >>= 1) bits++;
    return (uint64_t)n * (bits + 1);
}

int sim_partition_ranks(const sim_area_span *spans, uint32_t n_areas, uint32_t ranks,
                        uint32_t *first, char *err, size_t errlen)
{
    if (ranks == 0 || n_areas < ranks) {
        snprintf(err, errlen,
                 "the run has %u areas (WAN cells) and %u MPI ranks: each rank needs at least "
                 "one area (fewer ranks, or smaller topology.area_households)",
                 n_areas, ranks);
        return -1;
    }
    uint64_t *before = malloc(((size_t)n_areas + 1) * sizeof *before); /* work of [0, k) */
    if (!before) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    before[0] = 0;
    for (uint32_t k = 0; k < n_areas; k++) before[k + 1] = before[k] + area_work(spans[k].n);
    /* Every rank simulates; rank 0 also writes the trace, SIM_PARTITION_WRITER_PERCENT of a
     * one-process run's work, so it takes that much less: with S the whole simulation, the
     * others each take (S + W) / R and rank 0 that less W (at least its one area). */
    double S = (double)before[n_areas], W = S * SIM_PARTITION_WRITER_PERCENT / 100.0;
    double share = (S + W) / ranks, first_share = share - W;
    if (first_share < 0) first_share = 0;
    uint64_t slack = (uint64_t)(share / 50); /* a region boundary within 2 % of a share */
    first[0] = 0;
    first[ranks] = n_areas;
    for (uint32_t r = 1; r < ranks; r++) {
        uint64_t goal = (uint64_t)(first_share + share * (r - 1) + 0.5);
        /* each rank keeps at least one area and leaves one to each rank after it */
        uint32_t lo = first[r - 1] + 1, hi = n_areas - (ranks - r);
        uint32_t cut = lo; /* the boundary nearest the goal (the first of equals) */
        for (uint32_t b = lo + 1; b <= hi; b++)
            if (gap(before[b], goal) < gap(before[cut], goal)) cut = b;
        /* the region boundary nearest that, if within the slack */
        uint32_t best = cut;
        for (uint32_t b = lo; b <= hi; b++)
            if (spans[b].region != spans[b - 1].region &&
                gap(before[b], before[cut]) <= slack &&
                (best == cut ? spans[cut].region == spans[cut - 1].region
                             : gap(before[b], before[cut]) < gap(before[best], before[cut])))
                best = b;
        first[r] = best;
    }
    free(before);
    return 0;
}
