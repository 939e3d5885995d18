/* Division and square root without libgcc (see mm/arith.h). */
#include "mm/arith.h"
#include "mm/mm_config.h"

uint64_t mm_u64_divmod(uint64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t q = 0;
    if (d == 0) {
        if (rem) *rem = n;
        return 0;
    }
#if MM_HAVE_NATIVE_DIV64
    /* 64-bit hosts divide in one instruction (no runtime helper): the simulator's fast path. */
    if (rem) *rem = n % d;
    return n / d;
#endif
    if ((n >> 32) == 0 && (d >> 32) == 0) {
        uint32_t n32 = (uint32_t)n, d32 = (uint32_t)d;
        if (rem) *rem = n32 % d32;
        return n32 / d32;
    }
    if (n >= d) {
        /* Align d under the top bit of n, then one quotient bit per step. */
        unsigned shift = 0;
        while ((d << shift) <= (n >> 1) && shift < 63)
            shift++;
        for (;;) {
            uint64_t s = d << shift;
            if (n >= s) {
                n -= s;
                q |= (uint64_t)1 << shift;
            }
            if (shift == 0) break;
            shift--;
        }
    }
    if (rem) *rem = n;
    return q;
}

int64_t mm_s64_floordiv(int64_t n, uint64_t d, uint64_t *rem)
{
    uint64_t r;
    if (n >= 0) {
        uint64_t q = mm_u64_divmod((uint64_t)n, d, &r);
        if (rem) *rem = r;
        return (int64_t)q;
    }
    uint64_t mag = 0u - (uint64_t)n; /* |n|, also right for INT64_MIN */
    uint64_t q = mm_u64_divmod(mag, d, &r);
    if (r != 0) {
        q++;
        r = d - r;
    }
    if (rem) *rem = r;
    return (int64_t)(0u - q); /* q <= 2^63: INT64_MIN at the extreme */
}

uint32_t mm_isqrt64(uint64_t x)
{
    uint64_t res = 0, bit = (uint64_t)1 << 62;
    while (bit > x)
        bit >>= 2;
    while (bit != 0) {
        if (x >= res + bit) {
            x -= res + bit;
            res = (res >> 1) + bit;
        } else {
            res >>= 1;
        }
        bit >>= 2;
    }
    return (uint32_t)res;
}
