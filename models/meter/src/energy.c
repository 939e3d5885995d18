/* Exact register arithmetic without run-time 64-bit division where the target has none
 * (see mm/energy.h, mm_config.h MM_HAVE_NATIVE_DIV64). */
#include "mm/energy.h"
#include "mm/mm_config.h"

/* 2^32 = MM_UJ_PER_WH + WRAP_REST: the unit fits in 32 bits, so a 64-bit value can be
 * reduced 32 bits at a time, each pass folding the high word back in at weight WRAP_REST. */
#define UNIT_UJ 3600000000u
#define WRAP_REST 694967296u

_Static_assert((uint64_t)UNIT_UJ + WRAP_REST == (uint64_t)1 << 32, "2^32 = unit + rest");
_Static_assert(MM_UJ_PER_WH == (mm_uj_t)UNIT_UJ, "unit is 3.6e9 uJ");

uint64_t mm_uj_divmod_wh(uint64_t uj, uint32_t *rem_uj)
{
#if MM_HAVE_NATIVE_DIV64
    /* A 64-bit host divides by the constant with a multiplication: no loop whose number of
     * passes the branch predictor has to guess (the simulator does this at every load change
     * of every meter). */
    uint64_t q = uj / UNIT_UJ;
    *rem_uj = (uint32_t)(uj - q * UNIT_UJ);
    return q;
#else
    /* Invariant: quot * UNIT + uj equals the input.  With hi:lo the words of uj,
     * uj = hi * UNIT + (hi * WRAP_REST + lo); the bracket is below 0.17 uj + 2^32, so the
     * loop ends after at most about 15 passes (12 shrinking, then a few of exactly UNIT). */
    uint64_t quot = 0;
    while (uj >> 32) {
        uint32_t hi = (uint32_t)(uj >> 32);
        quot += hi;
        uj = (uint64_t)hi * WRAP_REST + (uint32_t)uj;
    }
    uint32_t lo = (uint32_t)uj; /* < 2^32 < 2 UNIT: one step of subtraction is enough */
    if (lo >= UNIT_UJ) {
        lo -= UNIT_UJ;
        quot++;
    }
    *rem_uj = lo;
    return quot;
#endif
}

int mm_modulus_for_digits(unsigned digits, mm_wh_t *modulus)
{
    if (digits < MM_REGISTER_DIGITS_MIN || digits > MM_REGISTER_DIGITS_MAX) return MM_EINVAL;
    mm_wh_t m = 1;
    for (unsigned i = 0; i < digits; i++)
        m *= 10u;
    *modulus = m;
    return MM_OK;
}

/* X mod M for M > 0 by binary long division: at most 64 shift-and-subtract steps. */
static uint64_t u64_mod(uint64_t x, uint64_t m)
{
    if (x < m) return x;
    uint64_t s = m;
    while (s <= (x >> 1))
        s <<= 1; /* largest m * 2^k <= x */
    for (;;) {
        if (x >= s) x -= s;
        if (s == m) break;
        s >>= 1;
    }
    return x;
}

mm_wh_t mm_wh_add_mod(mm_wh_t value, uint64_t add, mm_wh_t modulus)
{
    if (add >= modulus) add = u64_mod(add, modulus);
    /* value, add < modulus <= 10^18, so the sum < 2^64 (mm_config.h caps the digits). */
    value += add;
    if (value >= modulus) value -= modulus;
    return value;
}

mm_wh_t mm_wh_sub_mod(mm_wh_t now, mm_wh_t then, mm_wh_t modulus)
{
    return now >= then ? now - then : modulus - then + now;
}

void mm_register_add(mm_register *r, uint64_t uj, mm_wh_t modulus)
{
    /* uj <= 2^31 (2^32 - 1) and the remainder < 2^32, so the sum cannot overflow. */
    uint32_t rem;
    uint64_t units = mm_uj_divmod_wh(uj + (uint64_t)r->remainder, &rem);
    r->remainder = (mm_uj_t)rem;
    r->value = mm_wh_add_mod(r->value, units, modulus);
}
