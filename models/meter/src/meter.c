/* Meter: four-quadrant registers and the half-hourly profile ring (see mm/meter.h). */
#include <string.h>

#include "mm/energy.h"
#include "mm/meter.h"

_Static_assert(sizeof(mm_meter) <= MM_METER_RAM_BUDGET, "mm_meter exceeds MM_METER_RAM_BUDGET");

int mm_meter_init(mm_meter *m, const mm_meter_config *cfg, mm_profile_slot *log, uint32_t depth,
                  uint32_t first_period)
{
    if (m == NULL) return MM_EINVAL;
    memset(m, 0, sizeof *m);
    if (cfg == NULL || (log == NULL && depth > 0)) return MM_EINVAL;
    int rc = mm_modulus_for_digits(cfg->register_digits, &m->modulus);
    if (rc != MM_OK) return rc;
    m->cfg = cfg;
    m->log = log;
    m->depth = depth;
    m->period = first_period;
    return MM_OK;
}

void mm_meter_deinit(mm_meter *m)
{
    if (m != NULL) memset(m, 0, sizeof *m);
}

void mm_meter_advance(mm_meter *m, int32_t p_mw, int32_t q_mvar, uint32_t dt_ms)
{
    if (m == NULL || m->cfg == NULL) return; /* not initialised: nothing to integrate into */
    m->demand_mw = p_mw;
    if (dt_ms == 0) return;
    if (p_mw != 0)
        mm_register_add(&m->reg[p_mw > 0 ? MM_CH_IMPORT : MM_CH_EXPORT], mm_energy_uj(p_mw, dt_ms),
                        m->modulus);
    if (q_mvar != 0)
        mm_register_add(&m->reg[q_mvar > 0 ? MM_CH_RIMPORT : MM_CH_REXPORT],
                        mm_energy_uj(q_mvar, dt_ms), m->modulus);
}

void mm_meter_hh_close(mm_meter *m)
{
    if (m == NULL || m->cfg == NULL) return;
    mm_profile_slot slot;
    slot.period = m->period;
    for (unsigned ch = 0; ch < MM_CH_COUNT; ch++) {
        mm_wh_t d = mm_wh_sub_mod(m->reg[ch].value, m->period_start[ch], m->modulus);
        slot.wh[ch] = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
        m->period_start[ch] = m->reg[ch].value;
    }
    if (m->depth > 0) {
        m->log[m->head] = slot;
        m->head = m->head + 1 == m->depth ? 0 : m->head + 1;
        if (m->count < m->depth) m->count++;
    }
    m->period++;
}

int mm_meter_profile(const mm_meter *m, uint32_t age, mm_profile_slot *out)
{
    if (m == NULL || out == NULL) return MM_EINVAL;
    if (age >= m->count) return MM_ENOENT;
    /* newest is head - 1; count <= depth, so head + depth - 1 - age never underflows */
    uint32_t back = age + 1;
    uint32_t i = m->head >= back ? m->head - back : m->head + m->depth - back;
    *out = m->log[i];
    return MM_OK;
}
