#include "net/retry.h"

#include "net/headend.h"

#include <math.h>

void net_retry_default(net_retry_params *p)
{
    *p = (net_retry_params){.timeout_s = 25.0, .base_s = 5.0, .cap_s = 300.0, .max_attempts = 5};
}

void net_retry_seed(sim_rng *r, uint64_t seed, uint64_t household)
{
    sim_rng_seed(r, seed, household, "net.retry");
}

void net_dither_seed(sim_rng *r, uint64_t seed, uint64_t household)
{
    sim_rng_seed(r, seed, household, "net.dither");
}

int net_retry_delay(const net_retry_params *p, sim_rng *r, uint32_t n, double *delay_s)
{
    *delay_s = NAN;
    if (n == 0 || p->max_attempts == 0 || !(p->base_s >= 0) || !(p->cap_s >= 0)) return NET_EHE_ARG;
    if (n >= p->max_attempts) return NET_ERETRY_EXHAUSTED;
    /* ldexp saturates to inf for large n; min() then picks the cap */
    double ceil_s = fmin(p->cap_s, ldexp(p->base_s, n - 1 > 1023 ? 1023 : (int)(n - 1)));
    *delay_s = sim_rng_uniform(r) * ceil_s;
    return 0;
}

int net_retry_next(const net_retry_params *p, sim_rng *r, uint32_t n, double sent_s, double *next_s)
{
    double d;
    int rc = net_retry_delay(p, r, n, &d);
    *next_s = rc ? NAN : sent_s + p->timeout_s + d;
    return rc;
}

double net_dither_draw(sim_rng *r, double window_s)
{
    return window_s > 0 ? sim_rng_uniform(r) * window_s : 0.0;
}
