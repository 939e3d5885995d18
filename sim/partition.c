/* Partitioning: which area (WAN cell) each LV substation's households belong to, and which
 * area each supply event goes to.  A pure function of the topology and the scenario, so the
 * same households form the same areas whatever else changes (and, later, areas go to MPI
 * ranks the same way).
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
