/* Meter: four-quadrant registers, demand and the half-hourly profile ring (see mm/meter.h). */
#include <string.h>

#include "mm/arith.h"
#include "mm/energy.h"
#include "mm/meter.h"

_Static_assert(sizeof(mm_meter) <= MM_METER_RAM_BUDGET, "mm_meter exceeds MM_METER_RAM_BUDGET");
_Static_assert(sizeof(mm_profile_slot) == 24, "mm_profile_slot is meant to be 24 bytes");

#define PERIOD_MS 1800000u /* half an hour [ms] */

int mm_meter_init(mm_meter *m, const mm_meter_config *cfg, mm_profile_slot *log, uint32_t depth,
                  uint32_t first_period)
{
    if (m == NULL) return MM_EINVAL;
    memset(m, 0, sizeof *m);
    if (cfg == NULL || (log == NULL && depth > 0)) return MM_EINVAL;
    unsigned minutes = cfg->demand_minutes ? cfg->demand_minutes : 30u;
    if (30u % minutes != 0) return MM_EINVAL;
    int rc = mm_modulus_for_digits(cfg->register_digits, &m->modulus);
    if (rc != MM_OK) return rc;
    m->cfg = cfg;
    m->log = log;
    m->depth = depth;
    m->period = first_period;
    m->block_len_ms = minutes * 60000u;
    return MM_OK;
}

void mm_meter_deinit(mm_meter *m)
{
    if (m != NULL) memset(m, 0, sizeof *m);
}

/* Block demand = block energy / nominal block length, so a block cut short by a period close
 * counts its energy without being inflated.  At most 2^31 mW for 30 min is 3.9e15 uJ: the
 * quotient fits 32 bits. */
static void close_block(mm_meter *m)
{
    if (m->block_ms == 0 && m->block_uj == 0) return;
    uint64_t mw = mm_u64_divmod(m->block_uj, m->block_len_ms, NULL);
    m->block_demand_mw = mw > UINT32_MAX ? UINT32_MAX : (uint32_t)mw;
    if (m->block_demand_mw > m->md.mw) {
        m->md.mw = m->block_demand_mw;
        m->md.period = m->period;
    }
    m->block_uj = 0;
    m->block_ms = 0;
}

/* DT_MS of time into the voltage average, the period and the demand blocks, with import
 * power P_MW (if > 0) held throughout; blocks that fill up close at their exact ms. */
static void account_time(mm_meter *m, int32_t p_mw, uint32_t dt_ms)
{
    if (m->v_mv != 0) {
        m->v_sum += (uint64_t)m->v_mv * dt_ms;
        m->v_ms += dt_ms;
    }
    m->period_ms = dt_ms > UINT32_MAX - m->period_ms ? UINT32_MAX : m->period_ms + dt_ms;
    while (dt_ms > 0) {
        uint32_t left = m->block_len_ms - m->block_ms;
        uint32_t take = dt_ms < left ? dt_ms : left;
        if (p_mw > 0) m->block_uj += (uint64_t)(uint32_t)p_mw * take;
        m->block_ms += take;
        dt_ms -= take;
        if (m->block_ms == m->block_len_ms) close_block(m);
    }
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
    account_time(m, p_mw, dt_ms);
}

/* Add a signed energy of any size to the register pair of its sign.  mm_register_add takes
 * at most about 2^63 uJ per call (its sum with the remainder must not wrap), so feed it in
 * pieces of 2^62. */
static void add_signed(mm_meter *m, int64_t uj, mm_channel pos, mm_channel neg)
{
    if (uj == 0) return;
    uint64_t mag = uj < 0 ? 0u - (uint64_t)uj : (uint64_t)uj;
    mm_register *r = &m->reg[uj > 0 ? pos : neg];
    const uint64_t piece = (uint64_t)1 << 62;
    while (mag > piece) {
        mm_register_add(r, piece, m->modulus);
        mag -= piece;
    }
    mm_register_add(r, mag, m->modulus);
}

void mm_meter_add_energy(mm_meter *m, int64_t p_uj, int64_t q_uj, uint32_t dt_ms)
{
    if (m == NULL || m->cfg == NULL) return;
    add_signed(m, p_uj, MM_CH_IMPORT, MM_CH_EXPORT);
    add_signed(m, q_uj, MM_CH_RIMPORT, MM_CH_REXPORT);
    if (p_uj > 0) m->block_uj += (uint64_t)p_uj;
    account_time(m, 0, dt_ms);
}

void mm_meter_set_voltage(mm_meter *m, uint32_t v_mv)
{
    if (m != NULL) m->v_mv = v_mv;
}

void mm_meter_set_demand(mm_meter *m, int32_t p_mw)
{
    if (m != NULL) m->demand_mw = p_mw;
}

void mm_meter_flag_period(mm_meter *m, uint16_t bits)
{
    if (m != NULL) m->slot_status = (uint16_t)(m->slot_status | bits);
}

void mm_meter_max_demand(const mm_meter *m, mm_max_demand *out)
{
    if (m == NULL || out == NULL) return;
    *out = m->md;
}

void mm_meter_max_demand_reset(mm_meter *m, mm_max_demand *closed)
{
    if (m == NULL) return;
    if (closed != NULL) *closed = m->md;
    m->md.mw = 0;
    m->md.period = 0;
}

/* Average voltage [0.1 V], rounded half up: sum / ms gives mV (below 2^32 for any real
 * voltage), then /100 in 32 bits. */
static uint16_t average_dv(const mm_meter *m)
{
    if (m->v_ms == 0) return 0;
    uint64_t mv = mm_u64_divmod(m->v_sum, m->v_ms, NULL);
    if (mv > 6553449u) return UINT16_MAX;
    return (uint16_t)(((uint32_t)mv + 50u) / 100u);
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
    close_block(m);
    slot.v_avg_dv = average_dv(m);
    uint16_t status = m->slot_status;
    if (m->v_ms == 0) status |= MM_SLOT_NO_VOLTAGE;
    if (m->period_ms < PERIOD_MS) status |= MM_SLOT_SHORT;
    if (m->period_ms > PERIOD_MS) status |= MM_SLOT_LONG;
    slot.status = status;
    if (m->depth > 0) {
        m->log[m->head] = slot;
        m->head = m->head + 1 == m->depth ? 0 : m->head + 1;
        if (m->count < m->depth) m->count++;
    }
    m->period++;
    m->v_sum = 0;
    m->v_ms = 0;
    m->period_ms = 0;
    m->slot_status = 0;
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
