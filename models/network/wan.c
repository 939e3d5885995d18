#include "net/wan.h"

#include "sim/timeutil.h"

/* Read time within day DAY (index of UTC day relative to the start's day). */
static int64_t draw_read(const net_read_params *p, net_read_hh *h, int64_t day0_unix, int64_t day)
{
    int64_t off = 0;
    if (p->read_window_s > 0) {
        sim_rng r = sim_rng_unpack(&h->rng);
        off = (int64_t)sim_rng_below(&r, (uint64_t)p->read_window_s);
        sim_rng_pack(&h->rng, &r);
    }
    return day0_unix + day * SIM_DAY_S + p->read_start_s + off - p->start_unix;
}

static int64_t start_midnight(const net_read_params *p)
{
    int64_t d = p->start_unix / SIM_DAY_S - (p->start_unix % SIM_DAY_S < 0);
    return d * SIM_DAY_S;
}

static uint32_t clamp_u32(int64_t t)
{
    return t > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)t;
}

void net_read_init(const net_read_params *p, net_read_hh *h, uint64_t hh_id)
{
    sim_rng r;
    sim_rng_seed(&r, p->seed, hh_id, "wan.read");
    sim_rng_pack(&h->rng, &r);
    h->from_period = 0;
    int64_t m0 = start_midnight(p);
    int64_t t = draw_read(p, h, m0, 0);
    /* A start after today's window: first read tomorrow (a fresh draw keeps every
     * household's sequence independent of where the run starts within the day). */
    if (t < 0) t = draw_read(p, h, m0, 1);
    h->next = clamp_u32(t);
}

void net_read_done(const net_read_params *p, net_read_hh *h, uint32_t upto)
{
    int64_t m0 = start_midnight(p);
    int64_t day = ((int64_t)h->next + p->start_unix - m0 - p->read_start_s) / SIM_DAY_S + 1;
    h->from_period = upto;
    h->next = clamp_u32(draw_read(p, h, m0, day));
}

uint32_t net_read_log_depth(const net_read_params *p)
{
    /* A day of periods, plus those closed between midnight and the latest read, plus
     * the one open when the run starts off a period boundary. */
    int64_t span = p->read_start_s + p->read_window_s;
    return (uint32_t)(SIM_DAY_S / SIM_PERIOD_S + (span + SIM_PERIOD_S - 1) / SIM_PERIOD_S + 2);
}
