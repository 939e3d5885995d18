/* Money arithmetic without run-time 64-bit division helpers (see mm/money.h). */
#include "mm/money.h"
#include "mm/arith.h"
#include "mm/meter.h"
#include "mm/status_supply.h"

uint64_t mm_pow10(unsigned k)
{
    /* a table, not a loop: the tariff scales every price and standing charge by a power of
     * ten at each call */
    static const uint64_t p[19] = {1u,
                                   10u,
                                   100u,
                                   1000u,
                                   10000u,
                                   100000u,
                                   1000000u,
                                   10000000u,
                                   100000000u,
                                   1000000000u,
                                   10000000000u,
                                   100000000000u,
                                   1000000000000u,
                                   10000000000000u,
                                   100000000000000u,
                                   1000000000000000u,
                                   10000000000000000u,
                                   100000000000000000u,
                                   1000000000000000000u};
    return k < sizeof p / sizeof p[0] ? p[k] : 0;
}

int mm_credit_from_scaled(int64_t amount, int scale, mm_credit_t *out)
{
    if (out == NULL || scale > 18 || scale < -18) return MM_EINVAL;
    int shift = scale - (MM_CREDIT_SCALE);
    uint64_t mag = amount < 0 ? 0u - (uint64_t)amount : (uint64_t)amount;
    if (shift >= 0) {
        for (int i = 0; i < shift; i++) { /* x10 at a time: the overflow test needs no division */
            if (mag > (uint64_t)INT64_MAX / 10u) return MM_ERANGE;
            mag *= 10u;
        }
    } else {
        uint64_t f = mm_pow10((unsigned)-shift);
        mag = f == 0 ? 0 : mm_u64_divmod(mag, f, NULL);
    }
    if (mag > (uint64_t)INT64_MAX) return MM_ERANGE;
    *out = amount < 0 ? -(mm_credit_t)mag : (mm_credit_t)mag;
    return MM_OK;
}

mm_credit_t mm_credit_percent(mm_credit_t amount, uint8_t percent)
{
    if (amount <= 0 || percent == 0) return 0;
    if (percent > 100) percent = 100;
    /* amount = 100 a + b: a x pct + floor(b x pct / 100), no overflow for any amount. */
    uint64_t b;
    uint64_t a = mm_u64_divmod((uint64_t)amount, 100u, &b);
    return (mm_credit_t)(a * percent + (uint64_t)((uint32_t)b * percent / 100u));
}
