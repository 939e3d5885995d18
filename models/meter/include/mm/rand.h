/* Random integers for the core, drawn through the RNG HAL.
 *
 * Every random choice the meter makes (dithering after a power restore, ALCS switching
 * offsets) needs a value uniform on 0..max; taking 32 random bits modulo (max + 1) would
 * favour small values, so draws above the largest multiple of (max + 1) are rejected and
 * drawn again (at most 64 times; the chance of needing a second draw is below 1/2).
 * Deliberately not here: the random source (mm_hal_rng.h).
 */
#ifndef MM_RAND_H
#define MM_RAND_H

#include <stdint.h>

#include "mm_hal_rng.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Uniform on 0..MAX into *OUT.  MM_OK, MM_EINVAL for NULL, MM_EIO if the HAL failed (then
 * *OUT = 0). */
int mm_rand_uniform(mm_hal_rng *rng, uint32_t max, uint32_t *out);

#ifdef __cplusplus
}
#endif

#endif
