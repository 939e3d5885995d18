/* Rooftop PV of the crest model: output from the weather's irradiance and air temperature,
 * recomputed every 10-minute slot in daylight; the night is skipped in one step. */
#include "crest_internal.h"

/* PV: DC nameplate kWp x plane-of-array gain 1.10 over horizontal (a 30-40 deg south-facing
 * array at GB latitudes over a year, PVGIS order) x performance ratio 0.82 x temperature
 * derating -0.4 %/K of cell temperature above 25 C (cell = air + 0.03 K per W/m2). */
#define PV_POA_GAIN 1.10
#define PV_PR 0.82
#define PV_TCOEF 0.004

void crest_pv_event(const crest_model *m, crest_hh *h, uint32_t t)
{
    uint32_t k = t / SLOT_S;
    double g = grid_weather_irradiance(m->w, h->region, k);
    double tc = grid_weather_temp_c(m->w, h->region, k) + 0.03 * g;
    double w = h->pv_kwp * g * PV_POA_GAIN * PV_PR * (1.0 - PV_TCOEF * (tc - 25.0));
    h->pv_w = (float)(w > 0 ? w : 0);
    uint32_t j = k + 1;
    if (g <= 0)
        while (j < m->n_slots && grid_weather_irradiance(m->w, h->region, j) <= 0)
            j++;
    h->pv_next = j < m->n_slots ? j * SLOT_S : GRID_NEVER;
}
