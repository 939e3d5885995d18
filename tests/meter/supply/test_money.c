/* Money: scale conversion and percentages, by hand (MM_CREDIT_SCALE -5: 1 unit = 0.001 p). */
#include <criterion/criterion.h>

#include "mm/money.h"
#include "mm/status_supply.h"

Test(money, the_credit_unit_is_a_thousandth_of_a_penny)
{
    cr_expect_eq(MM_CREDIT_PER_PENNY, 1000);
    cr_expect_eq(MM_CREDIT_PER_POUND, 100000);
}

Test(money, amounts_convert_between_scales_truncating_toward_zero)
{
    static const struct {
        int64_t amount;
        int scale;
        int rc;
        mm_credit_t want;
    } cases[] = {
        {1, -2, MM_OK, 1000},          /* 1 p */
        {250, -2, MM_OK, 250000},      /* 2.50 pounds */
        {7, 0, MM_OK, 700000},         /* 7 pounds */
        {123456789, -10, MM_OK, 1234}, /* 0.0123456789 pounds -> 1234.56789 units */
        {-123456789, -10, MM_OK, -1234},
        {1, 18, MM_ERANGE, 0}, /* 10^23 units */
        {1, 19, MM_EINVAL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mm_credit_t got = 0;
        cr_expect_eq(mm_credit_from_scaled(cases[i].amount, cases[i].scale, &got), cases[i].rc,
                     "case %zu", i);
        if (cases[i].rc == MM_OK) cr_expect_eq(got, cases[i].want, "case %zu", i);
    }
}

Test(money, percentages_floor_exactly_even_for_huge_amounts)
{
    cr_expect_eq(mm_credit_percent(2000000, 10), 200000);
    cr_expect_eq(mm_credit_percent(999, 10), 99);
    cr_expect_eq(mm_credit_percent(INT64_MAX, 100), INT64_MAX);
    cr_expect_eq(mm_credit_percent(INT64_MAX, 10), 922337203685477580); /* floor(max/10) */
    cr_expect_eq(mm_credit_percent(-5, 10), 0);
    uint64_t x = 1;
    for (unsigned k = 0; k <= 18; k++, x *= 10u) /* every entry of the table */
        cr_expect_eq(mm_pow10(k), x, "10^%u", k);
    cr_expect_eq(mm_pow10(18), 1000000000000000000u);
    cr_expect_eq(mm_pow10(19), 0u);
    cr_expect_eq(mm_pow10(UINT32_MAX), 0u);
}
