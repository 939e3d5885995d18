/* Exact register arithmetic: division of energy into Wh without a 64-bit divide, the
 * 10^digits moduli and modular add/sub.  Expected values are worked by hand (quotient and
 * remainder of x / 3.6e9) or from the host's 64-bit division as an independent oracle. */
#include <criterion/criterion.h>

#include "mm/energy.h"

static const struct {
    uint64_t uj, wh;
    uint32_t rem;
} divmod_cases[] = {
    {0u, 0u, 0u},
    {1u, 0u, 1u},
    {3599999999u, 0u, 3599999999u}, /* 1 uJ short of 1 Wh */
    {3600000000u, 1u, 0u},          /* 3600 W x 1 s = 1 Wh */
    {3600000001u, 1u, 1u},
    {4294967295u, 1u, 694967295u}, /* 2^32 - 1 */
    {4294967296u, 1u, 694967296u}, /* 2^32 */
    {7200000000u, 2u, 0u},
    {36000000000000u, 10000u, 0u},                    /* 10 kWh */
    {9223372030412324865u, 2562047786u, 812324865u},  /* (2^31 - 1)(2^32 - 1) */
    {9223372036854775808u, 2562047788u, 54775808u},   /* 2^63 */
    {18446744073709551615u, 5124095576u, 109551615u}, /* 2^64 - 1 */
};

Test(energy, divmod_splits_known_energies_into_whole_wh_and_remainder)
{
    for (size_t i = 0; i < sizeof divmod_cases / sizeof divmod_cases[0]; i++) {
        uint32_t rem = 0xDEADBEEF;
        uint64_t wh = mm_uj_divmod_wh(divmod_cases[i].uj, &rem);
        cr_expect_eq(wh, divmod_cases[i].wh, "case %zu: %llu Wh", i, (unsigned long long)wh);
        cr_expect_eq(rem, divmod_cases[i].rem, "case %zu: rem %u", i, rem);
    }
}

Test(energy, divmod_agrees_with_host_division_on_random_values)
{
    uint64_t s = 0x243F6A8885A308D3u; /* xorshift64, fixed seed */
    for (int i = 0; i < 200000; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        uint64_t x = s >> (i % 64); /* spread over all magnitudes */
        uint32_t rem;
        uint64_t wh = mm_uj_divmod_wh(x, &rem);
        cr_assert_eq(wh, x / 3600000000u, "x=%llu", (unsigned long long)x);
        cr_assert_eq(rem, x % 3600000000u, "x=%llu", (unsigned long long)x);
    }
}

Test(energy, modulus_is_ten_to_the_digits_within_the_configured_range)
{
    static const struct {
        unsigned digits;
        int rc;
        mm_wh_t mod;
    } cases[] = {
        {5, MM_EINVAL, 0},       {6, MM_OK, 1000000u},      {8, MM_OK, 100000000u},
        {9, MM_OK, 1000000000u}, {10, MM_OK, 10000000000u}, {12, MM_OK, 1000000000000u},
        {13, MM_EINVAL, 0},      {0, MM_EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mm_wh_t mod = 0;
        cr_expect_eq(mm_modulus_for_digits(cases[i].digits, &mod), cases[i].rc, "%u digits",
                     cases[i].digits);
        if (cases[i].rc == MM_OK) cr_expect_eq(mod, cases[i].mod, "%u digits", cases[i].digits);
    }
}

Test(energy, add_mod_wraps_at_the_modulus_even_for_many_wraps_at_once)
{
    static const struct {
        mm_wh_t value;
        uint64_t add;
        mm_wh_t mod, want;
    } cases[] = {
        {0, 0, 1000000u, 0},
        {999999u, 1u, 1000000u, 0},
        {999999u, 2u, 1000000u, 1u},
        {5u, 1000000u, 1000000u, 5u},       /* exactly one whole turn */
        {0, 2562047786u, 1000000u, 47786u}, /* 2562 turns in one step */
        {0, 5124095576u, 1000000000u, 124095576u},
        {999999999999u, 1u, 1000000000000u, 0}, /* 12 digits */
        {999999999999u, UINT64_MAX, 1000000000000u, 73709551614u},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_expect_eq(mm_wh_add_mod(cases[i].value, cases[i].add, cases[i].mod), cases[i].want,
                     "case %zu", i);
}

Test(energy, sub_mod_gives_the_units_gained_across_one_wrap)
{
    cr_expect_eq(mm_wh_sub_mod(10u, 3u, 1000000u), 7u);
    cr_expect_eq(mm_wh_sub_mod(3u, 3u, 1000000u), 0u);
    cr_expect_eq(mm_wh_sub_mod(10u, 999990u, 1000000u), 20u);
    cr_expect_eq(mm_wh_sub_mod(0u, 999999999999u, 1000000000000u), 1u);
}

Test(energy, register_add_carries_the_remainder_into_the_next_whole_wh)
{
    mm_register r = {0, 0};
    mm_register_add(&r, 3599999999u, 1000000u);
    cr_expect_eq(r.value, 0u);
    cr_expect_eq(r.remainder, 3599999999);
    mm_register_add(&r, 1u, 1000000u);
    cr_expect_eq(r.value, 1u);
    cr_expect_eq(r.remainder, 0);
}

Test(energy, energy_of_power_and_time_is_exact_for_both_signs_and_extremes)
{
    cr_expect_eq(mm_energy_uj(3600000, 1000u), 3600000000u);
    cr_expect_eq(mm_energy_uj(-3600000, 1000u), 3600000000u);
    cr_expect_eq(mm_energy_uj(INT32_MIN, UINT32_MAX), 9223372034707292160u);
    cr_expect_eq(mm_energy_uj(INT32_MAX, UINT32_MAX), 9223372030412324865u);
    cr_expect_eq(mm_energy_uj(0, UINT32_MAX), 0u);
}
