/* Daily profile-read schedule: one read per household per day, inside the window. */
#include "net/wan.h"
#include "sim/timeutil.h"

#include <criterion/criterion.h>

static net_read_params params(int64_t start_offset)
{
    return (net_read_params){.seed = 3,
                             .start_unix = sim_days_from_civil(2026, 1, 12) * SIM_DAY_S + start_offset,
                             .read_start_s = 30 * 60,
                             .read_window_s = 4 * 3600,
                             .bytes = 1024};
}

Test(wan_read, reads_fall_once_a_day_inside_the_window)
{
    net_read_params p = params(0);
    for (uint64_t id = 0; id < 500; id++) {
        net_read_hh h;
        net_read_init(&p, &h, id);
        for (int day = 0; day < 10; day++) {
            int64_t sod = (int64_t)h.next - (int64_t)day * SIM_DAY_S;
            cr_assert(sod >= p.read_start_s && sod < p.read_start_s + p.read_window_s,
                      "household %llu day %d read at %lld s", (unsigned long long)id, day,
                      (long long)sod);
            net_read_done(&p, &h, h.next / SIM_PERIOD_S);
        }
    }
}

Test(wan_read, a_start_after_the_window_reads_first_the_next_day)
{
    net_read_params p = params(12 * 3600); /* starts at noon */
    net_read_hh h;
    net_read_init(&p, &h, 1);
    int64_t sod = (int64_t)h.next - 12 * 3600; /* since the next midnight */
    cr_expect(sod >= p.read_start_s && sod < p.read_start_s + p.read_window_s);
}

Test(wan_read, zero_window_reads_everyone_at_the_same_second)
{
    net_read_params p = params(0);
    p.read_window_s = 0;
    net_read_hh a, b;
    net_read_init(&p, &a, 1);
    net_read_init(&p, &b, 2);
    cr_expect_eq(a.next, (uint32_t)p.read_start_s);
    cr_expect_eq(b.next, a.next);
}

Test(wan_read, times_spread_uniformly_over_the_window)
{
    /* 4 one-hour bins of 20,000 households: each within 3 % of a quarter (binomial
     * sd = 0.3 % of the total here, so 3 % is a loose bound on a correct uniform). */
    net_read_params p = params(0);
    int bins[4] = {0};
    for (uint64_t id = 0; id < 20000; id++) {
        net_read_hh h;
        net_read_init(&p, &h, id);
        bins[(h.next - p.read_start_s) / 3600]++;
    }
    for (int k = 0; k < 4; k++) cr_expect(bins[k] > 4850 && bins[k] < 5150, "bin %d: %d", k, bins[k]);
}

Test(wan_read, log_depth_covers_a_day_and_the_gap_between_reads)
{
    net_read_params p = params(0);
    /* Two reads can be 24 h + 4 h apart: 56 periods; a day is 48. */
    cr_expect_geq(net_read_log_depth(&p), 56u);
}
