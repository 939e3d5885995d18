/* The simulator port of the HAL: simulated clock, RAM NVM with power cuts, seeded or
 * callback random source. */
#include <criterion/criterion.h>
#include <string.h>

#include "mm/meter.h"
#include "mm_port_sim.h"

Test(port_sim, the_clock_follows_simulated_time_and_never_goes_back)
{
    mm_hal_clock c;
    uint32_t utc = 0;
    mm_port_sim_clock_init(&c, 1700000000u);
    mm_port_sim_clock_set_ms(&c, 2500u);
    cr_expect_eq(mm_hal_clock_ms(&c), 2500u);
    cr_expect_eq(mm_hal_clock_utc_get(&c, &utc), MM_OK);
    cr_expect_eq(utc, 1700000002u);
    mm_port_sim_clock_set_ms(&c, 1000u); /* earlier: ignored */
    cr_expect_eq(mm_hal_clock_ms(&c), 2500u);
    mm_port_sim_clock_set_ms(&c, (1ull << 32) + 7u);
    cr_expect_eq(mm_hal_clock_ms(&c), 7u, "the ms counter wraps modulo 2^32");
    cr_expect_eq(mm_hal_clock_utc_set(&c, 1800000000u), MM_OK);
    mm_port_sim_clock_set_ms(&c, (1ull << 32) + 10007u);
    mm_hal_clock_utc_get(&c, &utc);
    cr_expect_eq(utc, 1800000010u);
    mm_port_sim_clock_lose_rtc(&c);
    cr_expect_eq(mm_hal_clock_utc_get(&c, &utc), MM_EIO);
}

/* The RTC's reading, utc_s + floor(dt (10^6 + ppm) / 10^9), is the exact quotient both where
 * the port computes it in 64 bits and where it needs 128 (a drift of +150 % or a dt of
 * centuries), on either side of the bound between the two. */
Test(port_sim, the_drifting_rtc_reads_the_exact_quotient_at_any_distance)
{
    static const uint64_t dts[] = {0, 999, 1000, 86400000u, 3155760000000u,
                                   UINT64_MAX / 2000000u, UINT64_MAX / 2000000u + 1u,
                                   (uint64_t)1 << 62};
    static const int32_t ppms[] = {0, 35, -35, 999999, 1000000, 1500000, -999999};
    for (size_t i = 0; i < sizeof dts / sizeof dts[0]; i++)
        for (size_t k = 0; k < sizeof ppms / sizeof ppms[0]; k++) {
            mm_hal_clock c;
            mm_port_sim_clock_init(&c, 0u);
            mm_port_sim_clock_set_drift(&c, ppms[k]);
            mm_port_sim_clock_set_ms(&c, dts[i]);
            __extension__ unsigned __int128 e =
                (unsigned __int128)dts[i] * (uint64_t)(1000000 + (int64_t)ppms[k]);
            uint32_t want = (uint32_t)(uint64_t)(e / 1000000000u), utc = 1;
            cr_assert_eq(mm_hal_clock_utc_get(&c, &utc), MM_OK);
            cr_expect_eq(utc, want, "dt %llu ppm %d", (unsigned long long)dts[i], ppms[k]);
        }
}

Test(port_sim, a_power_cut_leaves_a_prefix_of_the_write_in_nvm)
{
    uint8_t mem[16];
    mm_hal_nvm n;
    const uint8_t rec[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t back[8];
    mm_port_sim_nvm_init(&n, mem, sizeof mem);
    cr_expect_eq(mm_hal_nvm_size(&n), 16u);
    cr_expect_eq(mem[0], 0xFF, "fresh store is erased");
    mm_port_sim_nvm_cut_after(&n, 3u);
    cr_expect_eq(mm_hal_nvm_write(&n, 4u, rec, sizeof rec), MM_EIO);
    cr_expect_eq(mm_hal_nvm_sync(&n), MM_EIO);
    cr_expect_eq(mm_hal_nvm_read(&n, 4u, back, sizeof back), MM_OK);
    cr_expect_arr_eq(back, ((uint8_t[]){1, 2, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}), 8);
    cr_expect_eq(mm_hal_nvm_write(&n, 0u, rec, 1u), MM_EIO, "still without power");
    mm_port_sim_nvm_restore(&n);
    cr_expect_eq(mm_hal_nvm_write(&n, 4u, rec, sizeof rec), MM_OK);
    cr_expect_eq(mm_hal_nvm_sync(&n), MM_OK);
    mm_hal_nvm_read(&n, 4u, back, sizeof back);
    cr_expect_arr_eq(back, rec, 8);
}

Test(port_sim, nvm_accesses_outside_the_store_are_rejected)
{
    uint8_t mem[16], b[4] = {0};
    mm_hal_nvm n;
    mm_port_sim_nvm_init(&n, mem, sizeof mem);
    cr_expect_eq(mm_hal_nvm_write(&n, 13u, b, 4u), MM_EINVAL);
    cr_expect_eq(mm_hal_nvm_read(&n, 17u, b, 0u), MM_EINVAL);
    cr_expect_eq(mm_hal_nvm_read(&n, UINT32_MAX, b, 4u), MM_EINVAL);
    cr_expect_eq(mm_hal_nvm_read(&n, 12u, b, 4u), MM_OK);
}

static int counting(void *ctx, void *buf, size_t len)
{
    unsigned *calls = ctx;
    memset(buf, (int)++*calls, len);
    return 0;
}

Test(port_sim, the_seeded_rng_is_deterministic_and_the_callback_is_used_when_given)
{
    mm_hal_rng a, b;
    uint8_t x[13], y[13];
    mm_port_sim_rng_init_seed(&a, 7u);
    mm_port_sim_rng_init_seed(&b, 7u);
    mm_hal_rng_fill(&a, x, sizeof x);
    mm_hal_rng_fill(&b, y, sizeof y);
    cr_expect_arr_eq(x, y, sizeof x);
    /* First output of the reference SplitMix64 (Vigna's
     * splitmix64.c) for seed 0 is 0xE220A8397B1DCDAF, stored little-endian. */
    mm_port_sim_rng_init_seed(&a, 0u);
    mm_hal_rng_fill(&a, x, 8);
    cr_expect_arr_eq(x, ((uint8_t[]){0xAF, 0xCD, 0x1D, 0x7B, 0x39, 0xA8, 0x20, 0xE2}), 8);
    unsigned calls = 0;
    mm_port_sim_rng_init_fn(&a, counting, &calls);
    cr_expect_eq(mm_hal_rng_fill(&a, x, 4), MM_OK);
    cr_expect_eq(calls, 1u);
    cr_expect_eq(x[0], 1u);
}
