/* Uniform random integers by rejection (see mm/rand.h). */
#include "mm/rand.h"
#include "mm/bytes.h"
#include "mm/meter.h"

int mm_rand_uniform(mm_hal_rng *rng, uint32_t max, uint32_t *out)
{
    if (rng == NULL || out == NULL) return MM_EINVAL;
    *out = 0;
    if (max == 0) return MM_OK;
    uint32_t n = max + 1u; /* 0 when MAX = 2^32 - 1: every draw is accepted as is */
    uint32_t limit = n == 0 ? UINT32_MAX : UINT32_MAX - (UINT32_MAX % n + 1u) % n;
    for (unsigned tries = 0; tries < 64; tries++) {
        uint8_t b[4];
        if (mm_hal_rng_fill(rng, b, sizeof b) != MM_OK) return MM_EIO;
        uint32_t r = mm_get_le32(b);
        if (n == 0) {
            *out = r;
            return MM_OK;
        }
        if (r <= limit) {
            *out = r % n;
            return MM_OK;
        }
    }
    return MM_EIO; /* 64 rejections in a row: the source is stuck */
}
