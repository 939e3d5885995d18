/* Gas per period kept for the trace (sim_area_gas_put): 16 bits a slot, and a period of
 * SIM_GAS_BIG Wh or more on the area's list.  What was put is what is read, for the last
 * SIM_GAS_SLOTS periods, whatever its size; the list holds only periods still kept. */
#include <criterion/criterion.h>

#include "runner.h"

#include <string.h>

#define N 7u
#define DAYS 4u

static sim_ctx cx;
static sim_area area;
static uint16_t day[N * SIM_GAS_SLOTS];

static void setup(void)
{
    memset(&cx, 0, sizeof cx);
    memset(&area, 0, sizeof area);
    memset(day, 0, sizeof day);
    area.cx = &cx;
    area.n = N;
    area.gas_day = day;
    area.gas_big = SIM_VEC_INIT(sim_gas_big);
}

static void teardown(void)
{
    sim_vec_free(&area.gas_big);
}

/* Household I's gas in PERIOD: small, just below and at the escape, and large. */
static uint32_t gas(uint32_t i, uint32_t period)
{
    uint32_t v = (period * 2654435761u) ^ (i * 40503u);
    switch ((i + period) % 5) {
    case 0: return v % 20000u;              /* a household's */
    case 1: return SIM_GAS_BIG - 1u;        /* the largest held in its slot */
    case 2: return SIM_GAS_BIG;             /* the smallest on the list */
    case 3: return SIM_GAS_BIG + v % 5000u; /* past it */
    default: return v;                      /* anything up to 2^32 - 1 */
    }
}

Test(gas, what_was_put_is_read_for_a_day_and_the_list_keeps_only_that_day, .init = setup,
     .fini = teardown)
{
    for (uint32_t p = 0; p < DAYS * SIM_GAS_SLOTS; p++) {
        sim_area_gas_forget(&area, p);
        for (uint32_t i = 0; i < N; i++) sim_area_gas_put(&area, i, p, gas(i, p));
        uint32_t first = p + 1 >= SIM_GAS_SLOTS ? p + 1 - SIM_GAS_SLOTS : 0, big = 0;
        for (uint32_t q = first; q <= p; q++)
            for (uint32_t i = 0; i < N; i++) {
                cr_assert_eq(sim_area_gas_of(&area, i, q), gas(i, q),
                             "household %u, period %u read at period %u", i, q, p);
                big += gas(i, q) >= SIM_GAS_BIG;
            }
        cr_assert_eq(area.gas_big.n, big, "period %u: %zu on the list, %u kept", p,
                     area.gas_big.n, big);
    }
    cr_assert_eq(area.err, 0);
}
